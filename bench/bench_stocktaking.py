"""Stocktaking search through gunicorn at 13,500 and 100,000 entries.

Run:   make bench-gunicorn   (or .venv/bin/python -m bench.bench_stocktaking [--sizes 13500 100000])

For each size: a bench database ``wsis_bench_<size>`` (copied from the base
``wsis_bench``, or from the previous size, and topped up with ``manage.py
seed_stocktaking --count <size>``; kept between runs), gunicorn with
production settings, then wrk on /healthz, (1) the search page with a keyword
and two filters, (2) a filter-only page, (3) the API list, each as a ratio to
/healthz of the same run. Then, in a separate process on the same database:
the page's query count, and the database time of the page for one very
common keyword (the sum of its queries' times, median of 5, facet cache
emptied before each: the cold case).

Not part of ``make test``. The machine may be shared: prefer the ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time

from bench import harness

SIZES = [13500, 100000]
COMMON_KEYWORD = "digital"  # in about half of the seeded entries (English, Spanish, descriptions)
TARGETS = {13500: 0.03, 100000: 0.01}  # search page, as a share of /healthz's requests/s


def paths() -> dict[str, str]:
    """The measured paths; filter values looked up in the bench database."""
    from wsis_portal.reference.models import ActionLine, Region

    line = ActionLine.objects.get(code="C4").pk
    africa = Region.objects.get(name="Africa").pk
    return {
        "search: keyword + 2 filters": f"/wsis/stocktaking/?q={COMMON_KEYWORD}&country=KE&kind=training",
        "filters only (2)": f"/wsis/stocktaking/?action_line={line}&region={africa}",
        "API list": "/api/v1/wsis/stocktaking/entries/",
        "very common keyword alone": f"/wsis/stocktaking/?q={COMMON_KEYWORD}",
    }


def measure_database() -> None:
    """In this process (Django set up on the bench database): query counts and
    database time of each path; prints one JSON line."""
    import django

    django.setup()
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client

    timings: list[float] = []

    def timed(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            timings.append(time.perf_counter() - started)

    client = Client(HTTP_HOST="127.0.0.1")
    figures = {"paths": paths()}
    for label, path in figures["paths"].items():
        runs = []
        for _ in range(5):
            cache.clear()  # the bench's own Redis database: facets computed every time
            timings.clear()
            with connection.execute_wrapper(timed):
                response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
            runs.append((len(timings), sum(timings) * 1000))
        figures[label] = {
            "queries": sorted({count for count, _ in runs}),
            "db_ms_median": statistics.median(ms for _, ms in runs),
            "db_ms_min": min(ms for _, ms in runs),
        }
    # The same page with its facet counts in the cache (as in the wrk runs).
    path = figures["paths"]["very common keyword alone"]
    warm = []
    for _ in range(5):
        timings.clear()
        with connection.execute_wrapper(timed):
            client.get(path)
        warm.append(sum(timings) * 1000)
    figures["very common keyword alone, facets cached"] = {"db_ms_median": statistics.median(warm)}
    print("DBTIME " + json.dumps(figures))


def bench_size(size: int, source: str, *, seconds: int) -> str:
    database = f"{harness.DATABASE}_{size}"
    harness.copy_database(source=source, target=database)
    env = harness.server_env(database)
    seed = [harness.PYTHON, "manage.py", "seed_stocktaking", "--count", str(size)]
    print(f"\n$ DATABASE_URL={harness.database_url(database)} {' '.join(seed[1:])}")
    harness.run(seed, env=env, quiet=False)
    harness.collectstatic(env)

    measured = harness.run([harness.PYTHON, "-m", "bench.bench_stocktaking", "--measure-database"], env=env)
    figures = json.loads(next(line for line in measured.splitlines() if line.startswith("DBTIME "))[7:])
    labels = ["search: keyword + 2 filters", "filters only (2)", "API list"]
    with harness.gunicorn(env) as (base, server_command):
        for path in figures["paths"].values():  # warm up: connections, templates, facet cache
            harness.wrk("warm-up", base + path, seconds=1, connections=1)
        trivial = harness.wrk("/healthz", f"{base}/healthz", seconds=seconds)
        loads = [harness.wrk(label, base + figures["paths"][label], seconds=seconds) for label in labels]
    harness.report(loads, trivial=trivial, title=f"Stocktaking at {size:,} entries; server: {server_command}")
    search = loads[0].rps / trivial.rps if trivial.rps else 0.0
    print(f"   search page ratio {search:.4f} (target >= {TARGETS.get(size, 0)})")
    print("   queries and database time per page (in-process Client, same database, facet cache emptied):")
    for label, path in figures["paths"].items():
        row = figures[label]
        print(
            f"     {label:28} {row['queries']} queries, DB {row['db_ms_median']:.1f} ms median, "
            f"{row['db_ms_min']:.1f} ms best of 5"
        )
        print(f"       GET {path}")
    warm = figures["very common keyword alone, facets cached"]["db_ms_median"]
    print(f"     very common keyword '{COMMON_KEYWORD}', facets cached: DB {warm:.1f} ms median")
    print(f"   command: DATABASE_URL={harness.database_url(database)} .venv/bin/python -m bench.bench_stocktaking")
    return database


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=SIZES)
    parser.add_argument("--seconds", type=int, default=harness.SECONDS)
    parser.add_argument("--measure-database", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.measure_database:
        measure_database()
        return
    print(f"$ {' '.join(sys.argv)}   (load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores)")
    source = harness.prepare_base()
    for size in sorted(options.sizes):
        source = bench_size(size, source, seconds=options.seconds)


if __name__ == "__main__":
    main()
