"""The SMTP sink of the reminder wave benchmark, in a process of its own.

``python tests/bench/bench_reminders_sink.py PORT FOLDER`` listens on
127.0.0.1:PORT and counts the messages each recipient receives. Every second
it writes ``FOLDER/progress`` ("<messages> <distinct recipients>"); on SIGTERM
it writes ``FOLDER/counts.json`` ({recipient: messages}) and exits.

Why not aiosmtpd in the test process: at a few hundred messages a second the
sink used more CPU than both workers together (aiosmtpd reads a message line
by line, and a quoted-printable reminder has sixty lines), on the same two
cores, and the benchmark measures the portal, not its test server. This one
speaks the part of SMTP a sender uses (EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP,
QUIT; SIZE and 8BITMIME announced), reads a message's data in one call up to
the "<CRLF>.<CRLF>" that ends it, and answers 250 to every message.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
import sys
from collections import Counter
from pathlib import Path

counts: Counter[str] = Counter()
messages = 0


def _address(argument: bytes) -> str:
    start, end = argument.find(b"<"), argument.find(b">")
    return argument[start + 1 : end].decode("ascii", "replace").lower()


async def _session(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    global messages  # noqa: PLW0603 (the sink's one counter)
    writer.write(b"220 wave-sink ESMTP\r\n")
    recipients: list[str] = []
    try:
        while line := await reader.readline():
            command = line[:4].upper()
            if command == b"EHLO":
                writer.write(b"250-wave-sink\r\n250-SIZE 33554432\r\n250 8BITMIME\r\n")
            elif command == b"HELO":
                writer.write(b"250 wave-sink\r\n")
            elif command == b"MAIL":
                recipients = []
                writer.write(b"250 OK\r\n")
            elif command == b"RCPT":
                recipients.append(_address(line))
                writer.write(b"250 OK\r\n")
            elif command == b"DATA":
                writer.write(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                await reader.readuntil(b"\r\n.\r\n")
                messages += 1
                counts.update(recipients)
                recipients = []
                writer.write(b"250 Message accepted for delivery\r\n")
            elif command in (b"RSET", b"NOOP"):
                recipients = [] if command == b"RSET" else recipients
                writer.write(b"250 OK\r\n")
            elif command == b"QUIT":
                writer.write(b"221 Bye\r\n")
                await writer.drain()
                break
            else:
                writer.write(b"500 Command not recognised\r\n")
            await writer.drain()
    except (ConnectionError, asyncio.IncompleteReadError):
        pass
    finally:
        writer.close()


def _write(path: Path, text: str) -> None:
    partial = path.with_suffix(".partial")
    partial.write_text(text)
    partial.replace(path)


async def _main(port: int, folder: Path) -> None:
    server = await asyncio.start_server(_session, "127.0.0.1", port, limit=1 << 24, backlog=256)
    stopped = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stopped.set)
    _write(folder / "progress", "0 0")
    print("ready", flush=True)
    async with server:
        while not stopped.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stopped.wait(), timeout=1)
            _write(folder / "progress", f"{messages} {len(counts)}")
    _write(folder / "counts.json", json.dumps(counts))


if __name__ == "__main__":
    asyncio.run(_main(int(sys.argv[1]), Path(sys.argv[2])))
