"""Run the benchmarks on the database of DATABASE_URL (a fresh test database next to it):

    DJANGO_SETTINGS_MODULE=bench.settings python -m bench.run [options]

B1: --lifecycles pilots from the proposal to the scaling decision (PilotFlow, through
    workflows.scenarios: the services and activations of the task views).
B3: the same number of lifecycles of the bare Viewflow flow (bench.bareflow), in the same run.
B2: for each of --sizes, the database is grown to that many pilots (bench.seed) and each page is
    fetched --repeat times through the test client as an agent, Education's staff and a
    company's user: median and p95 latency and the page's queries.

Prints Markdown tables and writes everything to --json.
"""

import argparse
import importlib.metadata
import json
import os
import platform
import sqlite3
import statistics
import sys
import time

import django


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes",
        default="1000,10000,100000",
        help="B2 sizes in pilots, ascending, comma-separated (default: 1000,10000,100000)",
    )
    parser.add_argument(
        "--lifecycles", type=int, default=100, help="B1/B3 lifecycles (default: 100)"
    )
    parser.add_argument(
        "--repeat", type=int, default=30, help="B2 measured requests per page (default: 30)"
    )
    parser.add_argument("--skip-b1", action="store_true", help="skip B1 and B3")
    parser.add_argument("--skip-b2", action="store_true", help="skip B2")
    parser.add_argument(
        "--keep", action="store_true", help="keep the benchmark database afterwards (to inspect)"
    )
    parser.add_argument("--json", default="", help="write the results to this file")
    parser.add_argument("--markdown", default="", help="write the tables to this file too")
    parser.add_argument(
        "--profile",
        default="",
        help="write a pyinstrument profile of B1's Kokeilu lifecycles to this file (.html or "
        ".txt); the figures of a profiled run are not comparable",
    )
    return parser.parse_args(argv)


def versions() -> dict:
    from django.conf import settings
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            database = f"PostgreSQL {cursor.fetchone()[0]}"
    else:
        database = f"SQLite {sqlite3.sqlite_version}"
    return {
        "python": platform.python_version(),
        "django": django.get_version(),
        "viewflow": importlib.metadata.version("django-viewflow"),
        "database": database,
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "mails": "sent in the process (no broker)"
        if settings.CELERY_TASK_ALWAYS_EAGER
        else "published to the broker",
    }


def b1_b3(args) -> dict:
    from . import lifecycle

    cast = lifecycle.B1Cast()
    profiler = _profiler(args)
    if profiler:
        profiler.start()
    kokeilu = lifecycle.run_lifecycles(lifecycle.kokeilu_lifecycle, cast, args.lifecycles)
    if profiler:
        profiler.stop()
        _write_profile(profiler, args.profile)
    bare = lifecycle.run_lifecycles(lifecycle.bare_lifecycle, cast, args.lifecycles)
    warmup = 3
    kokeilu["finished"] = lifecycle.check_finished("kokeilu") - warmup
    bare["finished"] = lifecycle.check_finished("bare") - warmup
    assert kokeilu["finished"] == args.lifecycles, kokeilu["finished"]
    assert bare["finished"] == args.lifecycles, bare["finished"]
    return {
        "b1": kokeilu,
        "b3": {
            "bare": bare,
            "ratio": kokeilu["seconds"] / bare["seconds"],
            "query_ratio": kokeilu["queries_per_lifecycle"] / bare["queries_per_lifecycle"],
        },
    }


def _profiler(args):
    if not args.profile:
        return None
    from pyinstrument import Profiler

    return Profiler(interval=0.001)


def _write_profile(profiler, path):
    """HTML, or text when the file name ends with .txt. A profiled run is slower: its
    figures are not the benchmark's."""
    with open(path, "w") as out:
        out.write(profiler.output_text() if path.endswith(".txt") else profiler.output_html())


# -- B2 ---------------------------------------------------------------------------------------

PAGES = [
    ("inbox", "/workflow/pilot/inbox/"),
    ("queue", "/workflow/pilot/queue/"),
    ("archive", "/workflow/pilot/archive/"),
    ("pilots", "/pilots/"),
    ("pilot page", None),
    ("registry", "/registry/"),
    ("dashboard", "/dashboard/"),
    ("api pilots", "/api/v1/pilots/"),
]


def _pilot_page(user) -> str:
    """A running pilot the user sees (the same one at every size: the oldest id)."""
    from cases.models import Stage
    from cases.selectors import pilots_visible_to

    pilots = pilots_visible_to(user).order_by("pk")
    pilot = pilots.filter(stage=Stage.EXECUTION).first() or pilots.first()
    return f"/pilots/{pilot.reference}/"


PAGE_MIN_SAMPLES = 5
PAGE_BUDGET_SECONDS = 20


def measure_pages(users: dict, repeat: int, pages=None) -> dict:
    from django.db import connection
    from django.test import Client

    from .lifecycle import QueryCounter

    results = {}
    for role, user in users.items():
        client = Client()
        client.force_login(user)
        for page, url in pages or PAGES:
            url = url or _pilot_page(user)
            for _warmup in range(2):
                response = client.get(url)
            status = response.status_code
            queries = QueryCounter()
            with connection.execute_wrapper(queries):
                client.get(url)

            def fetch(client=client, url=url, status=status):
                response = client.get(url)
                assert response.status_code == status, (url, response.status_code)

            results[f"{role} {page}"] = {
                "url": url,
                "status": status,
                "queries": queries.count,
                **_timed(fetch, repeat),
            }
            if page == "dashboard":
                results[f"{role} dashboard computed"] = _dashboard_computation(user, repeat)
    return results


def _timed(call, repeat: int) -> dict:
    """Median and p95 of `call`: a slow one gets at least PAGE_MIN_SAMPLES calls, then as many
    of `repeat` as fit in PAGE_BUDGET_SECONDS."""
    from .lifecycle import percentile

    times = []
    while len(times) < repeat and (
        len(times) < PAGE_MIN_SAMPLES or sum(times) < PAGE_BUDGET_SECONDS
    ):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return {
        "median_ms": statistics.median(times) * 1000,
        "p95_ms": percentile(times, 95) * 1000,
        "samples": len(times),
    }


def _dashboard_computation(user, repeat: int) -> dict:
    """What the dashboard page costs without its snapshot: the figures of the user's scope
    computed as the page or beat's refresh computes them (no HTTP, no template)."""
    from django.db import connection

    from insight import selectors

    from .lifecycle import QueryCounter

    pilots = selectors.dashboard_pilots(user)

    def compute():
        return selectors.figures_of(pilots, selectors.small_pilot_ids(pilots))

    queries = QueryCounter()
    with connection.execute_wrapper(queries):
        compute()
    return {"url": "-", "status": "-", "queries": queries.count, **_timed(compute, repeat)}


def b2(args, log, save) -> dict:
    """Grow the data size by size; `save` is called after each size (partial results stay
    if a later size is cut short)."""
    from django.db import connection
    from viewflow.workflow.models import Task

    from cases.models import Pilot

    from . import seed

    sizes = [int(size) for size in args.sizes.split(",") if size]
    results = {}
    cast = None
    for size in sizes:
        start = time.perf_counter()
        if cast is None:
            cast = seed.seed(size, log=log)
        else:
            seed.grow(cast, size, log=log)
        seeded = time.perf_counter() - start
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # What autovacuum does after a bulk load in production: statistics for the
                # planner, and the visibility map that lets index-only scans skip the table.
                cursor.execute("VACUUM (ANALYZE)")
        users = {"agent": cast.agent, "division": cast.staff, "company": cast.company_user}
        log(f"B2 {size}: seeded in {seeded:.1f} s; measuring pages")
        results[size] = {
            "seed_seconds": seeded,
            "pilots": Pilot.objects.count(),
            "tasks": Task.objects.count(),
            "history_rows": _history_rows(),
            "pages": measure_pages(users, args.repeat),
        }
        save(results)
    return results


def _history_rows() -> int:
    from django.apps import apps

    return sum(
        model.objects.count()
        for model in apps.get_models()
        if model._meta.db_table.split("_", 1)[-1].startswith("historical")
    )


def args_repeat(results: dict) -> int:
    return results.get("arguments", {}).get("repeat", 0)


def _purge_published_mails() -> None:
    """The mails the runs published to the broker (nothing consumes them)."""
    from django.conf import settings

    if settings.CELERY_TASK_ALWAYS_EAGER:
        return
    from config.celery import app

    purged = app.control.purge()
    print(f"purged {purged} published mail tasks from the broker", file=sys.stderr)


# -- output ---------------------------------------------------------------------------------


def markdown(results: dict) -> str:
    lines = [
        f"### {results['versions']['database']} ({results['date']}; mails "
        f"{results['versions']['mails']})",
        "",
    ]
    if "b1" in results:
        b1, b3 = results["b1"], results["b3"]
        bare = b3["bare"]
        lines += [
            f"B1: {b1['lifecycles']} lifecycles in {b1['seconds']:.2f} s = "
            f"**{b1['lifecycles_per_second']:.1f} lifecycles/s** "
            f"({b1['ms_per_lifecycle']:.1f} ms each), "
            f"**{b1['queries_per_human_node']:.1f} queries per human node** on average, "
            f"{b1['queries_per_lifecycle']:.0f} per lifecycle.",
            "",
            f"B3: bare Viewflow {bare['lifecycles_per_second']:.1f} lifecycles/s "
            f"({bare['ms_per_lifecycle']:.1f} ms each, {bare['queries_per_lifecycle']:.0f} "
            f"queries); **Kokeilu / bare = {b3['ratio']:.2f}x** in time, "
            f"{b3['query_ratio']:.2f}x in queries.",
            "",
            "Queries per lifecycle by kind: Kokeilu "
            + ", ".join(f"{k} {v:.0f}" for k, v in b1["query_kinds_per_lifecycle"].items())
            + "; bare "
            + ", ".join(f"{k} {v:.0f}" for k, v in bare["query_kinds_per_lifecycle"].items())
            + ".",
            "",
            "| node | Kokeilu median ms | p95 ms | queries | bare median ms | p95 ms | queries |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        for name, node in b1["nodes"].items():
            other = bare["nodes"][name]
            lines.append(
                f"| {name} | {node['median_ms']:.1f} | {node['p95_ms']:.1f} | "
                f"{node['queries']:.0f} | {other['median_ms']:.1f} | {other['p95_ms']:.1f} | "
                f"{other['queries']:.0f} |"
            )
        lines.append("")
    if "b2" in results:
        sizes = list(results["b2"])
        lines.append(
            "B2 seeding: "
            + "; ".join(
                f"{size} pilots ({data['tasks']} tasks, {data['history_rows']} history rows) "
                f"in {data['seed_seconds']:.1f} s"
                for size, data in results["b2"].items()
            )
        )
        lines += [
            "",
            "| page (user) | status | "
            + " | ".join(f"{size}: queries, median, p95 ms" for size in sizes)
            + " | same queries | p95 last/first |",
            "|---|---:|" + "---:|" * len(sizes) + "---|---:|",
        ]
        first = results["b2"][sizes[0]]["pages"]
        for key, page in first.items():
            cells = []
            for size in sizes:
                data = results["b2"][size]["pages"][key]
                few = data.get("samples", args_repeat(results))
                note = f" ({few} req.)" if few < args_repeat(results) else ""
                cells.append(
                    f"{data['queries']}, {data['median_ms']:.1f}, {data['p95_ms']:.1f}{note}"
                )
            last = results["b2"][sizes[-1]]["pages"][key]
            same = len({results["b2"][size]["pages"][key]["queries"] for size in sizes}) == 1
            lines.append(
                f"| {key} | {page['status']} | "
                + " | ".join(cells)
                + f" | {'yes' if same else '**no**'} | {last['p95_ms'] / page['p95_ms']:.2f} |"
            )
        lines.append("")
    return "\n".join(lines)


def main(argv=None) -> int:
    args = parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment, teardown_test_environment

    def log(message):
        print(message, file=sys.stderr, flush=True)

    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    started = time.perf_counter()
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    elapsed = time.perf_counter() - started
    log(f"database {connection.settings_dict['NAME']} created in {elapsed:.1f} s")
    try:
        results = {
            "versions": versions(),
            "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        }
        results["arguments"] = vars(args)
        if not args.skip_b1:
            log(f"B1/B3: {args.lifecycles} lifecycles each")
            results.update(b1_b3(args))
            write(args, results)

        def save(b2_results):
            results["b2"] = b2_results
            write(args, results)

        if not args.skip_b2:
            b2(args, log, save)
    finally:
        if args.keep:
            log(f"kept the database {connection.settings_dict['NAME']}")
        else:
            connection.creation.destroy_test_db(old_name, verbosity=0)
        _purge_published_mails()
        teardown_test_environment()
    print(write(args, results))
    return 0


def write(args, results: dict) -> str:
    """The tables so far, to --markdown and --json."""
    tables = markdown(results)
    if args.markdown:
        with open(args.markdown, "w") as out:
            out.write(tables + "\n")
    if args.json:
        with open(args.json, "w") as out:
            json.dump(results, out, indent=2, default=str)
    return tables


if __name__ == "__main__":
    sys.exit(main())
