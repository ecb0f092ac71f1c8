"""A real ``celery worker`` and ``celery beat`` for a test, as subprocesses.

They load ``wsis_portal.settings_test`` with ``WSIS_TEST_*`` overrides so that
they use the very database the test uses (pytest-django's renamed test
database; the test must use ``transactional_db`` so its rows are committed and
visible to them), a Redis broker database of their own per xdist worker, real
queues (``CELERY_TASK_ALWAYS_EAGER`` off), a one-second beat tick and a real
SMTP server. The test process publishes to the same broker while
:func:`publishing_to` is active.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import redis
from kombu import pools as kombu_pools

# Redis database 0 is the test cache; brokers use 8-15, one per xdist worker.
FIRST_BROKER_DB = 8
BROKER_DBS = 8


def broker_url_for_this_worker(redis_url: str) -> str:
    """``redis://host:port/<n>`` with ``n`` unique to this xdist worker."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    index = int(worker[2:]) if worker.startswith("gw") and worker[2:].isdigit() else 0
    parts = urlsplit(redis_url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{FIRST_BROKER_DB + index % BROKER_DBS}", "", ""))


def flush_broker(broker_url: str) -> None:
    client = redis.Redis.from_url(broker_url)
    try:
        client.flushdb()
    finally:
        client.close()


def wait_until(condition: Callable[[], object], *, timeout: float, interval: float = 0.1, message: str = "") -> object:
    """Poll ``condition`` until it returns something true; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {message or condition}")
        time.sleep(interval)


@dataclass
class CeleryProcess:
    name: str
    popen: subprocess.Popen
    log_path: Path

    def output(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace") if self.log_path.exists() else ""

    def count(self, text: str) -> int:
        return self.output().count(text)

    def exited(self) -> bool:
        return self.popen.poll() is not None

    def stop(self) -> None:
        """Terminate the whole process group (celery may have children), then kill it."""
        if self.popen.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, signal.SIGTERM)
            try:
                self.popen.wait(timeout=10)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.popen.pid, signal.SIGKILL)
                self.popen.wait(timeout=10)
        # Children left behind by a killed parent share its group: end them too.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signal.SIGKILL)


@dataclass
class CeleryProcesses:
    base_dir: Path
    log_dir: Path
    database_name: str
    broker_url: str
    email_url: str
    tick_seconds: int = 1
    processes: dict[str, CeleryProcess] = field(default_factory=dict)
    # A settings module of a test's own (importing wsis_portal.settings_test), and
    # more variables for it: the delivery tests shorten leases and pick a queue.
    settings_module: str = "wsis_portal.settings_test"
    extra_env: dict[str, str] = field(default_factory=dict)
    # Processes a test stopped or killed on purpose: no longer watched, still reported.
    ended: dict[str, CeleryProcess] = field(default_factory=dict)

    def environment(self) -> dict[str, str]:
        return {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": self.settings_module,
            "WSIS_TEST_DATABASE_NAME": self.database_name,
            "WSIS_TEST_BROKER_URL": self.broker_url,
            "WSIS_TEST_CELERY_EAGER": "false",
            "WSIS_TEST_EMAIL_URL": self.email_url,
            "WSIS_TICK_SECONDS": str(self.tick_seconds),
            "PYTHONUNBUFFERED": "1",
            **self.extra_env,
        }

    def _spawn(self, name: str, arguments: list[str]) -> None:
        log_path = self.log_dir / f"{name}.log"
        with log_path.open("wb") as log:
            popen = subprocess.Popen(  # noqa: S603 (our own interpreter and arguments)
                [sys.executable, "-m", "celery", "-A", "wsis_portal", *arguments],
                cwd=self.base_dir,
                env=self.environment(),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group, killed as a whole
            )
        self.processes[name] = CeleryProcess(name=name, popen=popen, log_path=log_path)

    def start(self) -> None:
        self.spawn_worker("worker")
        self.spawn_beat("beat")

    def spawn_worker(self, name: str, *, pool: tuple[str, ...] = ("--pool=solo",)) -> None:
        """A worker; ``pool`` may ask for another pool (``("--pool=prefork", "--concurrency=1")``)."""
        self._spawn(
            name,
            [
                "worker",
                *pool,
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                f"--hostname=wsis-test-{uuid.uuid4().hex[:8]}@%h",
            ],
        )

    def spawn_beat(self, name: str) -> None:
        self._spawn(name, ["beat", "--loglevel=INFO", f"--max-interval={self.tick_seconds}"])

    def end(self, name: str, *, kill: bool = False) -> CeleryProcess:
        """Stop one process - or SIGKILL its whole group, as the OOM killer or a
        lost machine would - and stop watching it (it stays in the report)."""
        process = self.processes.pop(name)
        if kill:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.popen.pid, signal.SIGKILL)
            process.popen.wait(timeout=10)
        else:
            process.stop()
        self.ended[name] = process
        return process

    def _latest(self, kind: str) -> CeleryProcess:
        # The one started last (a test may end one and start another: "worker-2").
        return [process for name, process in self.processes.items() if name.startswith(kind)][-1]

    @property
    def worker(self) -> CeleryProcess:
        return self._latest("worker")

    @property
    def beat(self) -> CeleryProcess:
        return self._latest("beat")

    def _check_alive(self) -> None:
        for process in self.processes.values():
            if process.exited():
                raise AssertionError(f"celery {process.name} exited with {process.popen.returncode}\n{self.report()}")

    def wait(self, condition: Callable[[], object], *, timeout: float, message: str) -> object:
        """Like :func:`wait_until`, but fails early if a process died and shows their output."""

        def check():
            self._check_alive()
            return condition()

        try:
            return wait_until(check, timeout=timeout, message=message)
        except AssertionError as error:
            if "exited with" in str(error):
                raise
            raise AssertionError(f"{error}\n{self.report()}") from None

    def wait_until_ready(self, *, timeout: float = 30) -> None:
        self.wait(lambda: " ready." in self.worker.output(), timeout=timeout, message="the worker to be ready")
        self.wait(
            lambda: "Sending due task" in self.beat.output(), timeout=timeout, message="beat to send its first task"
        )

    def succeeded(self, task_name: str) -> int:
        """How many times the worker has finished ``task_name`` (from its log)."""
        return sum(
            1 for line in self.worker.output().splitlines() if f"Task {task_name}[" in line and " succeeded in " in line
        )

    def stop(self) -> None:
        # Ask both to shut down at once, then wait for (or kill) each.
        for process in self.processes.values():
            if not process.exited():
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.popen.pid, signal.SIGTERM)
        for process in self.processes.values():
            process.stop()

    def report(self) -> str:
        return "\n".join(
            f"----- celery {process.name} (exit code {process.popen.poll()}) -----\n{process.output()}"
            for process in [*self.ended.values(), *self.processes.values()]
        )


@contextlib.contextmanager
def publishing_to(app, broker_url: str) -> Iterator[None]:
    """Make the test process's Celery app publish to ``broker_url`` for real
    (not eagerly), as the web process does in production."""
    saved = {"broker_url": app.conf.broker_url, "task_always_eager": app.conf.task_always_eager}

    def reset_pools():
        # The app keeps its broker connections once made; drop them so the new URL is used.
        if app._pool is not None:
            app._pool.force_close_all()
            app._pool = None
        amqp = app.__dict__.get("amqp")
        if amqp is not None:
            amqp._producer_pool = None
        # kombu keeps producer pools per broker URL in a global registry; those
        # still point at the connection pool closed above. Drop them too, or the
        # next task published (eager ones included) fails with "Acquire on closed pool".
        kombu_pools.reset()

    reset_pools()
    app.conf.update(broker_url=broker_url, task_always_eager=False)
    try:
        yield
    finally:
        reset_pools()
        app.conf.update(saved)
