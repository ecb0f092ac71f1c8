"""Prizes public voting through gunicorn: accepted votes per second through
the real vote view (``prizes:vote``), 18 categories x 20 nominees, 100,000
confirmed voters already signed in.

Run:   .venv/bin/python -m bench.bench_prizes_voting [--voters 100000] [--warm-sessions]

Data (database ``wsis_bench_voting``, a copy of the base ``wsis_bench``, kept
between runs): an edition of the demo tenant whose prizes call has a voting
phase open now, its contest with the 18 reference categories and 20 nominees
each; voters created in bulk (one shared password hash, joined 30 days ago, a
verified primary EmailAddress) and signed in by writing their
``django_session`` rows directly, encoded by the cached_db SessionStore. The
session cache is NOT warmed unless ``--warm-sessions``: a voter's first
request reads its session from PostgreSQL, as after a restart. Votes of the
bench contest are deleted and the bench Redis database emptied before each
run.

Load: wrk POSTs ``entry`` with each voter's session cookie, a CSRF cookie and
header, a browser User-Agent and its own X-Forwarded-For address (the server
trusts one proxy: ``WSIS_API_NUM_PROXIES=1``), voters in turn, each voting in 3
categories; every 10th vote is followed at once by a racing duplicate (same
voter and category, another nominee). Printed: accepted votes/s, p50/p99, the
ratio to /healthz, duplicate votes in the table (must be 0) and the messages
the refused requests got (decoded from their ``messages`` cookie).

Not part of ``make test``. The machine may be shared: prefer the ratios.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import secrets
import shlex
import sys
import time

from bench import harness

DATABASE = f"{harness.DATABASE}_voting"
PLAN = harness.VAR / "votes.plan"
CSRF_TOKEN = "benchcsrf" + "0" * 23  # an unmasked 32-character secret, sent as cookie and header
EDITION_YEAR = 2090
CATEGORIES_PER_VOTER = 3
DUPLICATE_EVERY = 10
PLAN_LINES = 60000
NOMINEES = 20
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"


def _contest(tenant, now):
    from django.utils import timezone

    from prizes.models import PrizeEntry
    from prizes.services import contest_ensure
    from wsis_portal.accounts.models import Organisation
    from wsis_portal.editions.enums import CallKind, EditionStatus
    from wsis_portal.editions.models import Call, Edition, Phase
    from wsis_portal.reference.models import StakeholderType

    edition, _ = Edition.objects.get_or_create(
        tenant=tenant,
        year=EDITION_YEAR,
        defaults={
            "title": f"WSIS Forum {EDITION_YEAR} (benchmark)",
            "starts_on": dt.date(EDITION_YEAR, 5, 17),
            "ends_on": dt.date(EDITION_YEAR, 5, 21),
            "status": EditionStatus.PUBLISHED,
        },
    )
    call, _ = Call.objects.get_or_create(edition=edition, kind=CallKind.PRIZES, defaults={"title": "WSIS Prizes"})
    Phase.objects.update_or_create(
        call=call,
        key="voting",
        defaults={
            "name": "Public online voting",
            "opens_at": now - dt.timedelta(days=1),
            "closes_at": now + dt.timedelta(days=7),
            "accepts_submissions": False,
        },
    )
    contest = contest_ensure(edition=edition)
    categories = list(contest.categories.filter(active=True).order_by("position"))
    # One project per category and organisation: one organisation per nominee place.
    organisations = [
        Organisation.objects.get_or_create(
            name=f"Benchmark nominee {index}",
            defaults={"country": "KE", "stakeholder_type": StakeholderType.objects.first()},
        )[0]
        for index in range(NOMINEES)
    ]
    nominated = timezone.now() - dt.timedelta(days=10)
    for category in categories:
        have = PrizeEntry.objects.filter(category=category).count()
        PrizeEntry.objects.bulk_create(
            PrizeEntry(
                tenant=tenant,
                call=call,
                category=category,
                organisation=organisations[index],
                title=f"Nominee {index} of category {category.position}",
                status="submitted",
                reference=f"PRZ-{EDITION_YEAR}-{category.pk:03d}{index:03d}",
                submitted_at=nominated,
                nominated_at=nominated,
                country="KE",
            )
            for index in range(have, NOMINEES)
        )
    nominees = {
        category.pk: list(PrizeEntry.objects.filter(category=category).order_by("pk").values_list("pk", flat=True))
        for category in categories
    }
    return contest, categories, nominees


def _voters(count: int, now) -> list[tuple[int, str]]:
    """``count`` confirmed voters with a session each: ``[(user pk, session key)]``."""
    from allauth.account.models import EmailAddress
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.hashers import make_password
    from django.contrib.sessions.backends.cached_db import SessionStore
    from django.contrib.sessions.models import Session

    from wsis_portal.accounts.models import User

    existing = User.objects.filter(email__startswith="bench-voter-").count()
    if existing < count:
        password = make_password("bench voter password")  # one hash for all: hashing 100,000 would take hours
        joined = now - dt.timedelta(days=30)
        for start in range(existing, count, 5000):
            users = User.objects.bulk_create(
                User(
                    email=f"bench-voter-{index}@bench.example.org",
                    password=password,
                    first_name="Voter",
                    last_name=str(index),
                    date_joined=joined,
                )
                for index in range(start, min(start + 5000, count))
            )
            EmailAddress.objects.bulk_create(
                EmailAddress(user=user, email=user.email, verified=True, primary=True) for user in users
            )
    voters = list(
        User.objects.filter(email__startswith="bench-voter-").order_by("pk").values_list("pk", "password")[:count]
    )
    Session.objects.filter(session_key__startswith="benchvoter").delete()
    sample = User(password=voters[0][1])
    auth_hash = sample.get_session_auth_hash()  # the same for every voter: one password hash
    store = SessionStore()
    expires = now + dt.timedelta(days=14)
    rows = []
    for pk, _password in voters:
        key = f"benchvoter{secrets.token_hex(11)}"  # 32 characters, like Django's own keys
        data = {
            SESSION_KEY: str(pk),
            BACKEND_SESSION_KEY: "wsis_portal.accounts.backends.AuthenticationBackend",
            HASH_SESSION_KEY: auth_hash,
        }
        rows.append((pk, key, data))
    Session.objects.bulk_create(
        (Session(session_key=key, session_data=store.encode(data), expire_date=expires) for _, key, data in rows),
        batch_size=5000,
    )
    return [(pk, key, data) for pk, key, data in rows]


def prepare(voters: int, *, warm_sessions: bool) -> None:
    import django

    django.setup()
    from django.contrib.sessions.backends.cached_db import KEY_PREFIX
    from django.core.cache import cache
    from django.utils import timezone
    from django_scopes import scopes_disabled

    from prizes.models import Vote
    from wsis_portal.tenants.models import Tenant

    started = time.monotonic()
    now = timezone.now()
    with scopes_disabled():
        tenant = Tenant.objects.get(slug="wsis")
        contest, categories, nominees = _contest(tenant, now)
        Vote.objects.filter(category__contest=contest).delete()
        cache.clear()  # the bench's own Redis database: rate-limit counters, sessions
        sessions = _voters(voters, now)
    if warm_sessions:
        for start in range(0, len(sessions), 5000):
            cache.set_many({KEY_PREFIX + key: data for _, key, data in sessions[start : start + 5000]}, 3600)
    lines = []
    for number, (_pk, key, _data) in enumerate(sessions):
        address = f"10.{(number >> 16) & 255}.{(number >> 8) & 255}.{number & 255}"
        for turn in range(CATEGORIES_PER_VOTER):
            category = categories[(number * 7 + turn * 5) % len(categories)].pk
            choices = nominees[category]
            lines.append(f"{key} {address} {category} {choices[(number + turn) % len(choices)]}")
            if len(lines) % DUPLICATE_EVERY == 0:
                lines.append(f"{key} {address} {category} {choices[(number + turn + 1) % len(choices)]}")
        if len(lines) >= PLAN_LINES:
            break
    PLAN.write_text("\n".join(lines) + "\n")
    print(
        "PREPARED "
        + json.dumps(
            {
                "categories": len(categories),
                "nominees": sum(len(pks) for pks in nominees.values()),
                "voters": len(sessions),
                "plan_lines": len(lines),
                "seconds": round(time.monotonic() - started, 1),
            }
        )
    )


def verify(cookies: dict[str, int]) -> None:
    """Duplicates in the table, votes stored, and the refusals' messages."""
    import django

    django.setup()
    from django.contrib.messages.storage.cookie import CookieStorage
    from django.db.models import Count
    from django.test import RequestFactory
    from django_scopes import scopes_disabled

    from prizes.models import Vote

    with scopes_disabled():
        votes = Vote.objects.filter(category__contest__edition__year=EDITION_YEAR)
        duplicates = votes.values("voter", "category").annotate(n=Count("pk")).filter(n__gt=1).count()
        statuses = dict(votes.values_list("status").annotate(n=Count("pk")).order_by())
    storage = CookieStorage(RequestFactory().get("/"))
    messages = {}
    for value, count in cookies.items():
        decoded = storage._decode(value) if value != "(none)" else None
        text = " | ".join(str(message) for message in decoded) if decoded else "(no message)"
        messages[text] = messages.get(text, 0) + count
    print("VERIFIED " + json.dumps({"duplicates": duplicates, "stored": statuses, "refusal_messages": messages}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--voters", type=int, default=100000)
    parser.add_argument("--seconds", type=int, default=harness.SECONDS)
    parser.add_argument("--warm-sessions", action="store_true")
    parser.add_argument("--prepare", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--verify", help=argparse.SUPPRESS)
    parser.add_argument("--logins", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.logins:
        logins(options.logins, seconds=options.seconds, voters=options.voters)
        return
    if options.prepare:
        prepare(options.voters, warm_sessions=options.warm_sessions)
        return
    if options.verify:
        verify(json.loads(options.verify))
        return

    print(f"$ {' '.join(sys.argv)}   (load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores)")
    harness.copy_database(source=harness.prepare_base(), target=DATABASE)
    env = harness.server_env(DATABASE, WSIS_API_NUM_PROXIES="1", DJANGO_SETTINGS_MODULE="bench.settings")
    harness.collectstatic(env)
    command = [harness.PYTHON, "-m", "bench.bench_prizes_voting", "--prepare", "--voters", str(options.voters)]
    if options.warm_sessions:
        command.append("--warm-sessions")
    prepared = harness.run(command, env=env)
    print(next(line for line in prepared.splitlines() if line.startswith("PREPARED ")))
    with harness.gunicorn(env) as (base, server_command):
        trivial = harness.wrk("/healthz", f"{base}/healthz", seconds=options.seconds)
        bare = harness.wrk(
            "POST bare insert (calibration)",
            f"{base}/",
            seconds=options.seconds,
            script="bench/wrk_votes.lua",
            script_args=[str(PLAN.relative_to(harness.ROOT)), CSRF_TOKEN, "2", "bare"],
        )
        # The real run starts from the same plan: the calibration's rows go first.
        harness.psql("DELETE FROM prizes_vote", database=DATABASE)
        votes = harness.wrk(
            "POST prizes:vote",
            f"{base}/",
            seconds=options.seconds,
            script="bench/wrk_votes.lua",
            script_args=[str(PLAN.relative_to(harness.ROOT)), CSRF_TOKEN, "2"],
        )
        login_command = [harness.PYTHON, "-m", "bench.bench_prizes_voting", "--logins", base]
        login_command += ["--seconds", str(options.seconds), "--voters", str(options.voters)]
        signed_in = harness.run(login_command, env=env)
    harness.report([bare, votes], trivial=trivial, title=f"Prizes voting; server: {server_command}")
    bare_per_second = bare.extra["accepted"] / bare.seconds if bare.seconds else 0.0
    print(
        f"   bare insert view (bench/urls.py): {bare_per_second:.1f} stored/s "
        f"(x healthz {bare_per_second / trivial.rps:.4f}), {bare.extra['refused']} refused as duplicates"
    )
    accepted, refused, other = votes.extra["accepted"], votes.extra["refused"], votes.extra["other"]
    per_second = accepted / votes.seconds if votes.seconds else 0.0
    print(
        f"   accepted votes/s {per_second:.1f} (x healthz {per_second / trivial.rps:.4f}); "
        f"p50 {votes.p50_ms:.1f} ms, p99 {votes.p99_ms:.1f} ms (all POSTs)"
    )
    print(f"   answers: {accepted} accepted, {refused} refused, {other} other (not a redirect)")
    verified = harness.run(
        [harness.PYTHON, "-m", "bench.bench_prizes_voting", "--verify", json.dumps(votes.extra["refusal_cookies"])],
        env=env,
    )
    figures = json.loads(next(line for line in verified.splitlines() if line.startswith("VERIFIED "))[9:])
    print(f"   duplicate votes in the table: {figures['duplicates']} (must be 0); stored: {figures['stored']}")
    print(f"   messages of the refused requests: {figures['refusal_messages']}")
    told = set(figures["refusal_messages"]) == {"You have already voted in this category."}
    print(f"   every refused racer told 'already voted': {'yes' if told and refused else 'NO'}")
    login_figures = json.loads(next(line for line in signed_in.splitlines() if line.startswith("LOGINS "))[7:])
    for method, row in login_figures.items():
        print(
            f"   logins by {method}: {row['per_second']:.2f}/s (x healthz {row['per_second'] / trivial.rps:.5f}), "
            f"p50 {row['p50_ms']:.0f} ms, {row['logins']} done, {row['failed']} failed {row['first_failure']}"
        )
    print(f"   logins: 4 Python clients (http.client) for {options.seconds} s each, on the same machine:")
    print(f"     {shlex.join(['.venv/bin/python', *login_command[1:4], '<gunicorn URL>', *login_command[5:]])}")
    sessions = "warmed" if options.warm_sessions else "not warmed (first request reads PostgreSQL)"
    print(f"   session cache: {sessions}; voters: {options.voters:,}")


# --- logins: by emailed code and by password ---------------------------------------------


def _find_code(value):
    """The login code in allauth's stashed login (somewhere in the session)."""
    if isinstance(value, dict):
        if isinstance(value.get("code"), str):
            return value["code"]
        value = list(value.values())
    if isinstance(value, list):
        for item in value:
            found = _find_code(item)
            if found:
                return found
    return None


def logins(base: str, *, seconds: int, voters: int, threads: int = 4) -> None:
    """Logins per second by password and by emailed code, ``threads``
    concurrent Python clients (http.client) for ``seconds`` each; prints JSON."""
    import http.client
    import threading
    from http.cookies import SimpleCookie
    from urllib.parse import urlencode, urlsplit

    import django

    django.setup()
    from django.contrib.sessions.backends.cached_db import SessionStore

    netloc = urlsplit(base).netloc

    def post(path, fields, *, address, session=""):
        connection = http.client.HTTPConnection(netloc, timeout=60)
        cookie = f"csrftoken={CSRF_TOKEN}" + (f"; sessionid={session}" if session else "")
        headers = {
            "Cookie": cookie,
            "X-CSRFToken": CSRF_TOKEN,
            "X-Forwarded-For": address,
            "Content-Type": "application/x-www-form-urlencoded",
            "User-Agent": BROWSER,
        }
        connection.request("POST", path, urlencode(fields), headers)
        answer = connection.getresponse()
        answer.read()
        jar = SimpleCookie()
        for header in answer.headers.get_all("Set-Cookie") or []:
            jar.load(header)
        connection.close()
        new_session = jar["sessionid"].value if "sessionid" in jar else ""
        return answer.status, answer.headers.get("Location", ""), new_session

    def by_password(number):
        address = f"10.200.{(number >> 8) & 255}.{number & 255}"
        email = f"bench-voter-{number}@bench.example.org"
        status, location, session = post(
            "/accounts/login/", {"login": email, "password": "bench voter password"}, address=address
        )
        return (status == 302 and bool(session)), f"{status} {location}"

    def by_code(number):
        address = f"10.201.{(number >> 8) & 255}.{number & 255}"
        email = f"bench-voter-{number}@bench.example.org"
        status, location, session = post("/accounts/login/code/", {"email": email}, address=address)
        if status != 302 or not session or "confirm" not in location:
            return False, f"request: {status} {location}"
        code = _find_code(SessionStore(session_key=session).load())
        if not code:
            return False, "no code in the session"
        status, location, signed_in = post(
            "/accounts/login/code/confirm/", {"code": code}, address=address, session=session
        )
        return (status == 302 and bool(signed_in)), f"confirm: {status} {location}"

    figures = {}
    # Distinct voters per method (each signs in once), from the first and the second half.
    for label, login, first in [("password", by_password, 0), ("emailed code", by_code, voters // 2)]:
        counter = iter(range(first, voters))
        lock = threading.Lock()
        done, failed, details = [], [], []
        stop = time.monotonic() + seconds

        def worker(login=login, counter=counter, lock=lock, done=done, failed=failed, details=details, stop=stop):
            while time.monotonic() < stop:
                with lock:
                    number = next(counter)
                started = time.perf_counter()
                ok, detail = login(number)
                (done if ok else failed).append(time.perf_counter() - started)
                if not ok:
                    details.append(detail)

        started = time.monotonic()
        pool = [threading.Thread(target=worker) for _ in range(threads)]
        for thread in pool:
            thread.start()
        for thread in pool:
            thread.join()
        elapsed = time.monotonic() - started
        latencies = sorted(done) or [0.0]
        figures[label] = {
            "logins": len(done),
            "failed": len(failed),
            "per_second": len(done) / elapsed,
            "p50_ms": latencies[len(latencies) // 2] * 1000,
            "first_failure": details[0] if details else "",
        }
    print("LOGINS " + json.dumps(figures))


if __name__ == "__main__":
    main()
