"""Reminder emails rendered a few times per chunk rather than once per recipient.

A reminder's three parts differ between recipients only in the name, the
address, the links and the unsubscribe URL. :class:`ReminderRenderer`
renders each template once per *shape* of recipient - language, whether the
first and last names are set, number of links - with a slot (a marker made of
private-use characters, which escaping and the templates leave alone) where
those values go, and then fills the slots of each recipient in one pass: the
HTML part gets the values escaped as Django's autoescape would, the text parts
and the subject get them as they are (their templates use ``{% autoescape off
%}``). ``tests/notifications/test_rendering.py`` checks that the result is the
very text a full rendering gives, for every template in ``REMINDER_TEMPLATES``.

What a template may use of its recipient: ``user.get_full_name``,
``user.first_name``, ``user.last_name``, ``user.email`` (and
``user.get_short_name``); ``links`` (text and URL of each) and
``unsubscribe_url``. Anything else of the user renders empty.
"""

from __future__ import annotations

import datetime as dt
import functools
import html
import json
import re
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.urls import reverse

from .enums import EmailCategory, OutboxStatus
from .models import OutboxEmail, ReminderRule, ReminderRun
from .services import render_email
from .unsubscribe import address_unsubscribe_token, token_signer, unsubscribe_token

_SLOT = re.compile("\ue000([a-z0-9]+)\ue001")


def _slot(name: str) -> str:
    return f"\ue000{name}\ue001"


class _StandInUser:
    """What a template sees of the recipient while a shape is rendered."""

    def __init__(self, *, has_first: bool, has_last: bool):
        self.first_name = _slot("first") if has_first else ""
        self.last_name = _slot("last") if has_last else ""
        self.email = _slot("email")

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self) -> str:
        return self.first_name


@dataclass(frozen=True)
class _Shape:
    subject: str
    body_text: str
    body_html: str


@dataclass(frozen=True)
class Recipient:
    """Who a reminder goes to: an account, or an address only (a nominee
    without an account), who then gets the portal's default language."""

    email: str
    user: object | None = None

    @property
    def first_name(self) -> str:
        return getattr(self.user, "first_name", "") or ""

    @property
    def last_name(self) -> str:
        return getattr(self.user, "last_name", "") or ""


def language_of(user) -> str:
    language = getattr(user, "preferred_language", "")
    return language if language in _languages(tuple(settings.LANGUAGES)) else settings.LANGUAGE_CODE


@functools.lru_cache(maxsize=4)
def _languages(languages: tuple) -> frozenset[str]:
    return frozenset(code for code, _name in languages)


def preferences_url(tenant) -> str:
    return settings.SITE_URL + reverse("notifications:preferences", kwargs={"tenant_slug": tenant.slug})


def _unsubscribe_url_template() -> tuple[str, str]:
    marker = "token-slot"
    url = settings.SITE_URL + reverse("notifications:unsubscribe", kwargs={"token": marker})
    before, after = url.split(marker)
    return before, after


def dedup_key(*, rule: ReminderRule, recipient: Recipient, deadline: dt.datetime) -> str:
    if recipient.user is not None:
        return f"reminder:{rule.pk}:{recipient.user.pk}:{deadline.isoformat()}"
    return f"reminder:{rule.pk}:address:{recipient.email.lower()}:{deadline.isoformat()}"[:255]


class ReminderRenderer:
    """The outbox rows of one rule and deadline, for any number of recipients."""

    def __init__(self, *, rule: ReminderRule, deadline: dt.datetime, run: ReminderRun | None = None):
        from .reminders import rule_phase

        self.rule, self.deadline, self.run = rule, deadline, run
        self.call = rule.call
        self.tenant = self.call.edition.tenant
        self.phase = rule_phase(rule)
        self.preferences_url = preferences_url(self.tenant)
        self._unsubscribe_before, self._unsubscribe_after = _unsubscribe_url_template()
        self._shapes: dict[tuple, _Shape] = {}
        self._signer = None

    def _context(self, *, user, links: list, unsubscribe: str) -> dict:
        return {
            "user": user,
            "rule": self.rule,
            "call": self.call,
            "edition": self.call.edition,
            "tenant": self.tenant,
            "phase": self.phase,
            "deadline": self.deadline,
            "event": self.rule.on_boundary,
            "links": links,
            "unsubscribe_url": unsubscribe,
            "preferences_url": self.preferences_url,
        }

    def _shape(self, *, language: str, has_first: bool, has_last: bool, link_count: int) -> _Shape:
        key = (language, has_first, has_last, link_count)
        shape = self._shapes.get(key)
        if shape is None:
            links = [(_slot(f"text{index}"), _slot(f"url{index}")) for index in range(link_count)]
            context = self._context(
                user=_StandInUser(has_first=has_first, has_last=has_last), links=links, unsubscribe=_slot("unsub")
            )
            rendered = render_email(template=self.rule.template, context=context, language=language)
            shape = self._shapes[key] = _Shape(rendered.subject, rendered.body_text, rendered.body_html)
        return shape

    def _parts(self, *, recipient: Recipient, links: list) -> tuple[str, str, str, str, str]:
        """``(language, subject, text part, HTML part, unsubscribe URL)`` of ``recipient``."""
        user = recipient.user
        language = language_of(user)
        first, last = recipient.first_name, recipient.last_name
        shape = self._shape(language=language, has_first=bool(first), has_last=bool(last), link_count=len(links))
        if user is not None:
            token = self._user_token(user.pk)
        else:
            token = address_unsubscribe_token(email=recipient.email, tenant_id=self.tenant.pk, kind=self.rule.news_kind)
        unsubscribe = f"{self._unsubscribe_before}{token}{self._unsubscribe_after}"
        values = {"first": first, "last": last, "email": recipient.email, "unsub": unsubscribe}
        for index, (text, url) in enumerate(links):
            values[f"text{index}"], values[f"url{index}"] = str(text), url
        # html.escape is what django.utils.html.escape applies, without its lazy-string wrapper.
        escaped = {name: html.escape(value) for name, value in values.items()}
        return (
            language,
            # The subject's spaces are collapsed after the values are in, as render_email does.
            " ".join(_fill(shape.subject, values).split()),
            _fill(shape.body_text, values),
            _fill(shape.body_html, escaped),
            unsubscribe,
        )

    def _user_token(self, user_id: int) -> str:
        # One signer for the chunk rather than one per token (what signing.dumps makes).
        if self._signer is None:
            self._signer = token_signer()
        return unsubscribe_token(
            user_id=user_id, tenant_id=self.tenant.pk, kind=self.rule.news_kind, signer=self._signer
        )

    def email(self, *, recipient: Recipient, links: list) -> OutboxEmail:
        """The (unsaved) outbox row of ``recipient``, in their language."""
        language, subject, body_text, body_html, unsubscribe = self._parts(recipient=recipient, links=links)
        return OutboxEmail(
            tenant=self.tenant,
            dedup_key=dedup_key(rule=self.rule, recipient=recipient, deadline=self.deadline),
            recipient=recipient.email,
            user=recipient.user,
            from_email=settings.DEFAULT_FROM_EMAIL,
            subject=subject,
            body_text=body_text,
            body_html=body_html,
            headers=_unsubscribe_headers(unsubscribe),
            language=language,
            category=EmailCategory.NEWS,
            reminder_run=self.run,
        )

    def row(self, *, recipient: Recipient, links: list, now: dt.datetime) -> list:
        """What :meth:`email` gives, as the values of an ``OutboxRows`` row (a
        chunk's thousand rows are written without a model instance each)."""
        language, subject, body_text, body_html, unsubscribe = self._parts(recipient=recipient, links=links)
        user = recipient.user
        return [
            self.tenant.pk,
            dedup_key(rule=self.rule, recipient=recipient, deadline=self.deadline),
            recipient.email,
            None if user is None else user.pk,
            settings.DEFAULT_FROM_EMAIL,
            subject,
            body_text,
            body_html,
            json.dumps(_unsubscribe_headers(unsubscribe)),
            language,
            EmailCategory.NEWS,
            None if self.run is None else self.run.pk,
            now,
        ]


def _unsubscribe_headers(unsubscribe: str) -> dict[str, str]:
    return {"List-Unsubscribe": f"<{unsubscribe}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def _fill(text: str, values: dict[str, str]) -> str:
    return _SLOT.sub(lambda match: values[match.group(1)], text)


# The columns of ReminderRenderer.row(), in its order; the others take their
# defaults in outbox_insert_rows (queued, no attempt yet, due at ``created_at``).
ROW_FIELDS = [
    "tenant_id",
    "dedup_key",
    "recipient",
    "user_id",
    "from_email",
    "subject",
    "body_text",
    "body_html",
    "headers",
    "language",
    "category",
    "reminder_run_id",
    "created_at",
]


def outbox_insert_rows(rows: list[list]) -> None:
    """Write :meth:`ReminderRenderer.row` rows, ignoring those whose
    ``dedup_key`` exists, without a model instance per row.

    On PostgreSQL the rows are copied (``COPY``) into a temporary table and
    moved with one ``INSERT ... ON CONFLICT DO NOTHING``: a chunk of a thousand
    emails costs a fraction of what building a thousand-row ``INSERT`` costs in
    Python. Elsewhere, ``bulk_create(ignore_conflicts=True)``. Must run inside
    a transaction (the temporary table is dropped at its commit)."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        emails = []
        for row in rows:
            values = dict(zip(ROW_FIELDS, row, strict=True))
            values["headers"] = json.loads(values["headers"])
            emails.append(OutboxEmail(**values, next_attempt_at=values["created_at"]))
        OutboxEmail.objects.bulk_create(emails, ignore_conflicts=True, batch_size=1000)
        return
    meta = OutboxEmail._meta
    quote = connection.ops.quote_name
    columns = ", ".join(quote(meta.get_field(name.removesuffix("_id")).column) for name in ROW_FIELDS)
    table = quote(meta.db_table)
    defaults = {
        "status": OutboxStatus.QUEUED.value,
        "attempts": 0,
        "last_error": "",
    }
    default_columns = ", ".join(quote(meta.get_field(name).column) for name in [*defaults, "next_attempt_at"])
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS outbox_incoming_rows ON COMMIT DROP AS "  # noqa: S608 (our own names)
            f"SELECT {columns} FROM {table} WITH NO DATA"
        )
        with cursor.copy(f"COPY outbox_incoming_rows ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        cursor.execute(
            f"INSERT INTO {table} ({columns}, {default_columns}) "  # noqa: S608 (our own names)
            f"SELECT {columns}, %s, %s, %s, {quote('created_at')} FROM outbox_incoming_rows "
            "ON CONFLICT (dedup_key) DO NOTHING",
            list(defaults.values()),
        )
        cursor.execute("TRUNCATE outbox_incoming_rows")
