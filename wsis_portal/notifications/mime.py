"""The bytes of an outbox email, built without the ``email`` package.

Django's ``EmailMultiAlternatives.message()``, the generator and the SMTP
backend's address sanitising cost about a millisecond of CPU per message -
most of it folding and re-encoding the same headers - which is most of what
sending a reminder costs the sender. :func:`outbox_message` writes the same
message directly (RFC 5322 / MIME):

- headers: ``Subject``, ``From``, ``To``, ``Date``, ``Message-ID``, then the
  row's own headers (``List-Unsubscribe``, ``List-Unsubscribe-Post``...),
  ``MIME-Version`` and ``Content-Type``; a value that is not ASCII is written
  as RFC 2047 encoded words (UTF-8), a long subject folded, as Django does;
- bodies: UTF-8, quoted-printable (``binascii.b2a_qp``, in C), so the message
  is 7-bit clean whatever the server; ``multipart/alternative`` with the text
  part and the HTML part, or the text part alone;
- a line break in a header value raises ``BadHeaderError``, as Django does; an
  address that is not a plain ``local@domain`` goes through Django's own
  ``sanitize_address`` (display names, international domains).

A row whose headers would replace one of the message's own (``From``, ``To``,
``Content-Type``...) is not for this builder: :func:`can_build` says so, and
the sender then uses Django's message. ``tests/notifications/test_mime.py``
reads the bytes back with the ``email`` package and compares them with
Django's message of the same row.
"""

from __future__ import annotations

import binascii
import functools
import os
import re
from email.header import Header
from email.utils import formatdate, parseaddr

from django.conf import settings
from django.core.mail import BadHeaderError
from django.core.mail.message import sanitize_address

# The headers this builder writes itself; a row's headers may add others, and
# may set Date or Message-ID.
_OWN_HEADERS = frozenset(
    {"subject", "from", "to", "cc", "bcc", "reply-to", "mime-version", "content-type", "content-transfer-encoding"}
)
_HEADER_NAME = re.compile(r"[!-9;-~]+\Z")  # printable ASCII but ":", RFC 5322 2.2
_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_PLAIN_ADDRESS = re.compile(rf"{_ATEXT}(?:\.{_ATEXT})*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\Z")
_MAX_LINE = 78
_CRLF = "\r\n"


def can_build(headers: dict) -> bool:
    """Whether :func:`outbox_message` can write a message with these extra headers."""
    return not any(name.lower() in _OWN_HEADERS for name in headers)


def _no_line_breaks(name: str, value: str) -> str:
    if "\n" in value or "\r" in value:
        raise BadHeaderError(f"Header values can't contain newlines (got {value!r} for header {name!r})")
    return value


@functools.lru_cache(maxsize=512)
def _subject(value: str) -> str:
    # As Django: encoded words when not ASCII, folded (at spaces) when long.
    if value.isascii() and len(value) + len("Subject: ") <= _MAX_LINE:
        return value
    charset = None if value.isascii() else "utf-8"
    return Header(value, charset, header_name="Subject").encode(linesep=_CRLF)


def _header_value(name: str, value: str) -> str:
    if value.isascii():
        if len(value) + len(name) + 2 <= 998:  # RFC 5322's hard limit; a URL cannot be folded anyway
            return value
        return Header(value, header_name=name).encode(linesep=_CRLF)
    return Header(value, "utf-8", header_name=name).encode(linesep=_CRLF)


def _addr_spec(sanitized: str) -> str:
    # What smtplib's quoteaddr() puts between "<" and ">" in MAIL FROM and RCPT TO.
    return parseaddr(sanitized)[1] or sanitized


@functools.lru_cache(maxsize=64)
def _from_addresses(from_email: str) -> tuple[str, str]:
    """(envelope address, header value) of the sender, as Django's SMTP backend and message give them."""
    _no_line_breaks("From", from_email)
    sanitized = sanitize_address(from_email, settings.DEFAULT_CHARSET)
    return _addr_spec(sanitized), (from_email if from_email.isascii() else sanitized)


def _to_addresses(recipient: str) -> tuple[str, str]:
    _no_line_breaks("To", recipient)
    if _PLAIN_ADDRESS.match(recipient):
        return recipient, recipient
    sanitized = sanitize_address(recipient, settings.DEFAULT_CHARSET)
    return _addr_spec(sanitized), (recipient if recipient.isascii() else sanitized)


def _quoted_printable(text: str) -> bytes:
    data = text.replace("\r\n", "\n").replace("\r", "\n").encode("utf-8")
    return binascii.b2a_qp(data, istext=True).replace(b"\n", b"\r\n")


def _text_part(subtype: str, text: str) -> bytes:
    return (
        f'Content-Type: text/{subtype}; charset="utf-8"\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n'.encode()
        + _quoted_printable(text)
    )


def outbox_message(
    *,
    from_email: str,
    recipient: str,
    subject: str,
    body_text: str,
    body_html: str,
    headers: dict,
) -> tuple[str, list[str], bytes]:
    """``(envelope sender, envelope recipients, message bytes with CRLF line ends)``;
    the envelope addresses bare (``local@domain``), as ``MAIL FROM:<...>`` and
    ``RCPT TO:<...>`` carry them.

    ``headers`` must pass :func:`can_build`; a ``Date`` among them replaces the current time."""
    sender, from_header = _from_addresses(from_email)
    to, to_header = _to_addresses(recipient)
    lines = [
        f"Subject: {_subject(_no_line_breaks('Subject', subject))}",
        f"From: {from_header}",
        f"To: {to_header}",
    ]
    names = {name.lower() for name in headers}
    if "date" not in names:
        lines.append(f"Date: {formatdate(localtime=settings.EMAIL_USE_LOCALTIME)}")
    for name, value in headers.items():
        if not _HEADER_NAME.match(name):
            raise ValueError(f"Invalid header name {name!r}")
        value = _no_line_breaks(name, str(value))
        lines.append(f"{name}: {_header_value(name, value)}")
    lines.append("MIME-Version: 1.0")
    if body_html:
        # "=" is always encoded in quoted-printable bodies, so a boundary made
        # of "=" and hex digits never occurs in them.
        boundary = f"==============={os.urandom(12).hex()}=="
        lines.append(f'Content-Type: multipart/alternative; boundary="{boundary}"')
        delimiter = f"\r\n--{boundary}\r\n".encode()
        data = (
            _CRLF.join(lines).encode("ascii")
            + b"\r\n"
            + delimiter
            + _text_part("plain", body_text)
            + delimiter
            + _text_part("html", body_html)
            + f"\r\n--{boundary}--\r\n".encode()
        )
    else:
        # smtplib ends the data with CRLF "." CRLF: the body needs no line end of its own.
        data = _CRLF.join(lines).encode("ascii") + b"\r\n" + _text_part("plain", body_text)
    return sender, [to], data
