"""A real SMTP server (aiosmtpd) for tests: it records what it receives and
every recipient it was offered, and can be told to refuse given recipients
with a transient (451, 421) or permanent (550) answer, always or a number of
times."""

from __future__ import annotations

import asyncio
import contextlib
import email
import email.policy
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import EmailMessage

from aiosmtpd.controller import Controller

TRANSIENT_ANSWER = "451 4.3.0 Try again later"
SERVICE_UNAVAILABLE_ANSWER = "421 4.3.2 Service not available, closing channel"
PERMANENT_ANSWER = "550 5.1.1 No such user here"


@dataclass(frozen=True)
class RecipientAttempt:
    """A ``RCPT TO`` the server answered, and when (``time.monotonic()``)."""

    address: str
    answer: str
    at: float


@dataclass(frozen=True)
class ReceivedMail:
    mail_from: str
    rcpt_tos: list[str]
    content: bytes

    @property
    def message(self) -> EmailMessage:
        # SMTP carries CRLF line ends; read them as the "\n" Python writes.
        return email.message_from_bytes(self.content.replace(b"\r\n", b"\n"), policy=email.policy.default)

    def header(self, name: str) -> str:
        """A header as a mail client shows it: Django folds long or encoded values
        onto a continuation line ("Subject: \\r\\n =?utf-8?q?...?="), which the
        email package keeps as a leading space."""
        return str(self.message[name]).strip()

    @property
    def text(self) -> str:
        return self.message.get_body(preferencelist=("plain",)).get_content()

    @property
    def html(self) -> str:
        return self.message.get_body(preferencelist=("html",)).get_content()


class RecordingHandler:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._received: list[ReceivedMail] = []
        self._refusals: dict[str, tuple[str, int | None]] = {}
        self._attempts: list[RecipientAttempt] = []
        # A slow server: it takes each message, then waits this long before its "250".
        self._answer_delay = 0.0
        self._answering = 0

    def refuse(self, recipient: str, answer: str, *, times: int | None = None) -> None:
        """Answer ``recipient`` with ``answer`` (the next ``times`` times, or always)."""
        with self._lock:
            self._refusals[recipient.lower()] = (answer, times)

    @property
    def attempts(self) -> list[RecipientAttempt]:
        with self._lock:
            return list(self._attempts)

    def accept(self, recipient: str) -> None:
        with self._lock:
            self._refusals.pop(recipient.lower(), None)

    @property
    def received(self) -> list[ReceivedMail]:
        with self._lock:
            return list(self._received)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 (aiosmtpd's name)
        with self._lock:
            answer, times = self._refusals.get(address.lower(), ("", None))
            if answer and times is not None:
                if times <= 1:
                    self._refusals.pop(address.lower())
                else:
                    self._refusals[address.lower()] = (answer, times - 1)
            self._attempts.append(RecipientAttempt(address=address, answer=answer or "250 OK", at=time.monotonic()))
        if answer:
            return answer
        envelope.rcpt_tos.append(address)
        return "250 OK"

    def answer_slowly(self, seconds: float) -> None:
        with self._lock:
            self._answer_delay = seconds

    @property
    def answering(self) -> int:
        """Messages taken but not yet answered (their sender is waiting for the "250")."""
        with self._lock:
            return self._answering

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        # Taken first, as a real server queues a message before it answers: a
        # client that dies while it waits never learns the message was taken.
        with self._lock:
            self._received.append(
                ReceivedMail(
                    mail_from=envelope.mail_from, rcpt_tos=list(envelope.rcpt_tos), content=bytes(envelope.content)
                )
            )
            delay = self._answer_delay
            self._answering += 1
        try:
            if delay:
                await asyncio.sleep(delay)
        finally:
            with self._lock:
                self._answering -= 1
        return "250 Message accepted for delivery"


def free_port(host: str = "127.0.0.1") -> int:
    """A port nothing listens on now (aiosmtpd 1.4.6 cannot bind port 0 itself)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


class SmtpServer:
    def __init__(self, controller: Controller, handler: RecordingHandler):
        self.controller, self.handler = controller, handler
        self.host, self.port = controller.hostname, controller.port

    @property
    def url(self) -> str:
        return f"smtp://{self.host}:{self.port}"

    @property
    def received(self) -> list[ReceivedMail]:
        return self.handler.received

    def refuse(self, recipient: str, answer: str, *, times: int | None = None) -> None:
        self.handler.refuse(recipient, answer, times=times)

    @property
    def attempts(self) -> list[RecipientAttempt]:
        return self.handler.attempts

    def accept(self, recipient: str) -> None:
        self.handler.accept(recipient)

    def answer_slowly(self, seconds: float) -> None:
        """Wait ``seconds`` before answering each message (it is taken at once)."""
        self.handler.answer_slowly(seconds)

    @property
    def answering(self) -> int:
        return self.handler.answering

    def wait_for(self, count: int, *, timeout: float) -> list[ReceivedMail]:
        """Poll until ``count`` messages arrived (or ``timeout`` seconds passed); returns what arrived."""
        deadline = time.monotonic() + timeout
        while len(self.received) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.received


@contextlib.contextmanager
def running_smtp_server(host: str = "127.0.0.1") -> Iterator[SmtpServer]:
    handler = RecordingHandler()
    for attempt in range(5):
        controller = Controller(handler, hostname=host, port=free_port(host))
        try:
            controller.start()
            break
        except (OSError, RuntimeError):
            # Another process took the free port meanwhile: take another one.
            if attempt == 4:
                raise
    try:
        yield SmtpServer(controller, handler)
    finally:
        controller.stop()
