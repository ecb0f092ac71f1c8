"""The gunicorn benchmark harness: a PostgreSQL bench database per data size,
the portal served by gunicorn with production-like settings, and wrk as the
load generator on the same machine. Every figure is printed with the command
that produced it and as a ratio to ``/healthz`` measured in the same run.

Why wrk: it is packaged by Debian (``apt-get install wrk``), written in C (one
client thread costs far less CPU than a Python client, which matters when the
server and the load share two cores), reports latency percentiles from its own
histogram, and a small Lua script (``bench/wrk_report.lua``) prints them as one
JSON line and lets a run rotate paths or send scripted POSTs.

Not part of ``make test`` (pytest collects ``test_*.py`` only); see ``make
bench-gunicorn`` and the "Benchmarks" sections of docs/stocktaking.md and
docs/prizes.md.
"""

from __future__ import annotations

import contextlib
import json
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
PYTHON = str(BIN / "python")
LUA_REPORT = "bench/wrk_report.lua"  # relative: wrk runs from the repository root
VAR = ROOT / "var" / "bench"

POSTGRES = os.environ.get("WSIS_BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
DATABASE = os.environ.get("WSIS_BENCH_DATABASE", "wsis_bench")
REDIS_URL = os.environ.get("WSIS_BENCH_REDIS_URL", "redis://127.0.0.1:6379/7")
WORKERS = int(os.environ.get("WSIS_BENCH_WORKERS", "2"))
SECONDS = int(os.environ.get("WSIS_BENCH_SECONDS", "10"))
CONNECTIONS = int(os.environ.get("WSIS_BENCH_CONNECTIONS", "4"))


def database_url(name: str) -> str:
    return f"{POSTGRES}/{name}"


def server_env(database: str, **extra: str) -> dict[str, str]:
    """Production settings (DEBUG off, manifest static files through
    WhiteNoise, Redis cache and cached_db sessions), over plain HTTP on
    127.0.0.1; the API throttle is raised so that the load is not answered 429."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_", "REDIS_", "CELERY_", "WSIS_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="wsis_portal.settings",
        DJANGO_PRODUCTION="true",
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY="bench-only-secret-" + "0123456789abcdef" * 4,
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_SECURE_SSL_REDIRECT="false",
        DJANGO_SECURE_COOKIES="false",
        DJANGO_STATIC_ROOT=str(VAR / "static"),
        DJANGO_LOG_LEVEL="WARNING",
        DATABASE_URL=database_url(database),
        REDIS_URL=REDIS_URL,
        WSIS_VAR_DIR=str(VAR),
        WSIS_API_ANON_RATE="100000000/minute",
    )
    env.update(extra)
    return env


def run(command: list[str], *, env: dict[str, str], quiet: bool = True) -> str:
    """Run a command from the repository root; its output is returned (and shown on failure)."""
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)  # noqa: S603
    if done.returncode:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(f"failed: {shlex.join(command)}")
    if not quiet:
        sys.stdout.write(done.stdout)
    return done.stdout


def psql(sql: str, database: str = "postgres") -> str:
    return run(["psql", database_url(database), "-Atc", sql], env=dict(os.environ))


def database_exists(name: str) -> bool:
    # The names are the harness's own (WSIS_BENCH_DATABASE and a size), not input.
    return psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}'").strip() == "1"  # noqa: S608


def prepare_base(*, fresh: bool = False) -> str:
    """The base bench database: migrated, the demo tenant and accounts seeded."""
    if fresh and database_exists(DATABASE):
        psql(f'DROP DATABASE "{DATABASE}"')
    env = server_env(DATABASE)
    if not database_exists(DATABASE):
        psql(f'CREATE DATABASE "{DATABASE}"')
        run([PYTHON, "manage.py", "migrate", "--noinput"], env=env)
        run([PYTHON, "manage.py", "seed_demo"], env=env)
    else:
        run([PYTHON, "manage.py", "migrate", "--noinput"], env=env)
    return DATABASE


def copy_database(*, source: str, target: str) -> None:
    """``target`` as a copy of ``source`` (kept between runs; nothing may be connected to ``source``)."""
    if not database_exists(target):
        psql(f'CREATE DATABASE "{target}" TEMPLATE "{source}"')
    run([PYTHON, "manage.py", "migrate", "--noinput"], env=server_env(target))


def collectstatic(env: dict[str, str]) -> None:
    run([PYTHON, "manage.py", "collectstatic", "--noinput"], env=env)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def gunicorn(env: dict[str, str], *, workers: int = WORKERS):
    """Serve the portal on a free port; yields ``(base_url, command)``."""
    port = free_port()
    command = [str(BIN / "gunicorn"), "wsis_portal.wsgi", "-w", str(workers), "-b", f"127.0.0.1:{port}"]
    VAR.mkdir(parents=True, exist_ok=True)
    log = open(VAR / "gunicorn.log", "a")  # noqa: SIM115
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)  # noqa: S603
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=5) as answer:  # noqa: S310
                    if answer.status == 200:
                        break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"gunicorn did not start; see {VAR / 'gunicorn.log'}") from None
                time.sleep(0.3)
        yield base, shlex.join(command)
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


@dataclass
class Load:
    label: str
    command: str
    requests: int
    seconds: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    non_2xx: int
    socket_errors: int
    extra: dict

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def wrk(
    label: str,
    url: str,
    *,
    seconds: int = SECONDS,
    connections: int = CONNECTIONS,
    script: str = LUA_REPORT,
    script_args: list[str] | None = None,
) -> Load:
    """One wrk run (2 threads, ``connections`` connections, 30 s request timeout)."""
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install wrk")
    threads = min(2, connections)
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "30s", "-s", script, url]
    if script_args:
        command += ["--", *script_args]
    output = run(command, env=dict(os.environ))
    display = shlex.join(command)
    line = next(line for line in output.splitlines() if line.startswith("BENCH "))
    figures = json.loads(line[len("BENCH ") :])
    return Load(
        label=label,
        command=display,
        requests=figures.pop("requests"),
        seconds=figures.pop("duration_us") / 1e6,
        p50_ms=figures.pop("p50_us") / 1000,
        p95_ms=figures.pop("p95_us") / 1000,
        p99_ms=figures.pop("p99_us") / 1000,
        non_2xx=figures.pop("non_2xx"),
        socket_errors=figures.pop("socket_errors"),
        extra=figures,
    )


def report(loads: list[Load], *, trivial: Load, title: str) -> None:
    """Print the runs with their commands, each as a ratio to ``/healthz``."""
    print(f"\n== {title}")
    print(f"   load average now: {' '.join(f'{value:.2f}' for value in os.getloadavg())} ({os.cpu_count()} cores)")
    header = f"{'':34} {'req/s':>8} {'x healthz':>9} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'non-2xx':>7}"
    print(header)
    for load in [trivial, *loads]:
        ratio = load.rps / trivial.rps if trivial.rps else 0.0
        print(
            f"{load.label:34} {load.rps:8.1f} {ratio:9.4f} {load.p50_ms:8.1f} {load.p95_ms:8.1f} "
            f"{load.p99_ms:8.1f} {load.non_2xx + load.socket_errors:7d}"
        )
    for load in [trivial, *loads]:
        print(f"   {load.label}: {load.command}")
