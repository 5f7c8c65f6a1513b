"""The scenario runner: build the data, measure, print tables, write JSON under bench/results.

    python -m bench                      # S, M and L on SQLite and PostgreSQL (make bench)
    python -m bench --quick              # tiny sizes, short load: a smoke test (make bench-quick)
    python -m bench --sizes M --backends sqlite --only web --reuse
    python -m bench --only import --import-rows 100000   # the import step alone

The run asserts nothing about time. With ``--strict`` (used by the smoke test) it exits with
status 1 when a page answered with an error, a write was lost or doubled, or a step crashed.
"""

from __future__ import annotations

import argparse
import itertools
import math
import os
import sys
import time
import traceback
from pathlib import Path
from typing import Any

from bench import data as bench_data
from bench.imports import measure_import
from bench.machine import load_average, machine_facts
from bench.memory import measure_memory
from bench.output import table, write_json
from bench.report import measure_packs, measure_render, measure_report
from bench.sizes import REPORT_PERIOD, SIZES, TODAY
from bench.stats_timings import stats_timings
from bench.web import measure_web

RESULTS = Path(__file__).resolve().parent / "results"
STEPS = ("data", "report", "render", "packs", "memory", "web", "stats", "import")
#: Rows of the import step's file (ten per synthetic citizen), full and with --quick.
IMPORT_ROWS, QUICK_IMPORT_ROWS = 100_000, 2_000


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="S,M,L", help="comma-separated: XS, XM, S, M, L")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--only", default=",".join(STEPS), help=f"steps: {', '.join(STEPS)}")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per measurement")
    parser.add_argument("--warmup", type=int, default=1, help="untimed runs before them")
    parser.add_argument("--web-sizes", default="M", help="sizes the web load runs on")
    parser.add_argument("--web-seconds", type=float, default=30.0)
    parser.add_argument("--web-users", type=int, default=20)
    parser.add_argument("--packs", type=int, default=None, help="council packs (default: all)")
    parser.add_argument(
        "--packs-jobs",
        type=int,
        default=os.cpu_count() or 1,
        help="worker processes for the council packs (default: the CPU cores)",
    )
    parser.add_argument(
        "--import-rows", type=int, default=IMPORT_ROWS, help="rows of the import step's file"
    )
    parser.add_argument("--reuse", action="store_true", help="reuse databases built earlier")
    parser.add_argument("--keep", action="store_true", help="keep the databases afterwards")
    parser.add_argument("--quick", action="store_true", help="smoke test: tiny sizes, short load")
    parser.add_argument("--strict", action="store_true", help="fail on errors, lost writes")
    parser.add_argument("--out", type=Path, default=RESULTS, help="folder for the JSON")
    parser.add_argument("--label", default=None, help="name part of the JSON file")
    return parser


def _quick(args: argparse.Namespace) -> None:
    """Smoke-test settings: one tiny size on SQLite, one run, a few seconds of load."""
    args.sizes, args.web_sizes = "XS", "XS"
    if args.backends == "sqlite,postgresql":
        args.backends = "sqlite"
    args.runs, args.warmup, args.web_seconds, args.web_users, args.packs = 1, 0, 4.0, 4, 2
    args.import_rows = min(args.import_rows, QUICK_IMPORT_ROWS)
    args.label = args.label or "quick"


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark as the arguments say; exit 1 on a strict failure."""
    args = _parser().parse_args(argv)
    if args.quick:
        _quick(args)
    steps = {s.strip() for s in args.only.split(",") if s.strip()}
    sizes = [SIZES[s.strip().upper()] for s in args.sizes.split(",") if s.strip()]
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    web_sizes = {s.strip().upper() for s in args.web_sizes.split(",") if s.strip()}
    results: dict[str, Any] = {
        "machine": machine_facts(
            bench_data.postgres_version() if "postgresql" in backends else None
        ),
        "settings": {
            "sizes": [s.name for s in sizes],
            "backends": backends,
            "runs": args.runs,
            "today": TODAY.isoformat(),
            "report_period": REPORT_PERIOD,
            "steps": sorted(steps),
            "import_rows": args.import_rows,
        },
        "databases": [],
        "reports": [],
        "web": [],
        "imports": [],
        "failures": [],
    }
    data_steps = steps - {"import"}
    for backend in backends:
        for size in sizes if data_steps else []:
            _one(args, data_steps, backend, size, size.name in web_sizes, results)
        if "import" in steps:
            found = _step(
                results,
                f"{backend}: import of {args.import_rows:,} rows",
                measure_import,
                backend,
                args.import_rows,
                keep=args.keep,
            )
            if found is not None:
                results["imports"].append(found)
    if "stats" in steps:
        results["stats"] = _step(results, "stats", stats_timings)
    results["growth"] = growth(results["reports"])
    results["machine"]["load_average_after"] = load_average()
    _print(results)
    path = write_json(results, args.out, args.label or "-".join(s.name for s in sizes))
    print(f"\nResults written to {path}")
    if args.strict and _strict_failures(results):
        print("FAILED: " + "; ".join(_strict_failures(results)), file=sys.stderr)
        sys.exit(1)


def _step(results: dict[str, Any], name: str, function: Any, *args: Any, **kwargs: Any) -> Any:
    """Run one measurement; a crash is recorded (with its traceback) and the run goes on."""
    started = time.perf_counter()
    print(f"... {name}", flush=True)
    try:
        value = function(*args, **kwargs)
    except Exception as exc:
        results["failures"].append(
            {"step": name, "error": f"{type(exc).__name__}: {exc}", "trace": traceback.format_exc()}
        )
        print(f"    failed: {type(exc).__name__}: {exc}", flush=True)
        return None
    print(f"    done in {time.perf_counter() - started:.1f} s", flush=True)
    return value


def _one(
    args: argparse.Namespace,
    steps: set[str],
    backend: str,
    size: Any,
    with_web: bool,
    results: dict[str, Any],
) -> None:
    """Build one database and measure on it."""
    label = f"{backend} {size.name}"
    built = _step(
        results, f"{label}: data", bench_data.build_database, backend, size, reuse=args.reuse
    )
    if built is None:
        return
    results["databases"].append(built.as_dict())
    entry: dict[str, Any] = {"backend": backend, "size": size.name}
    results["reports"].append(entry)
    runs = 1 if size.name == "L" and args.runs > 1 and not args.quick else args.runs
    try:
        if "report" in steps:
            entry["effect"] = _step(
                results,
                f"{label}: effect report and floor",
                measure_report,
                built,
                runs=args.runs,
                warmup=args.warmup,
            )
        if "render" in steps:
            entry["render"] = _step(
                results,
                f"{label}: HTML and PDF",
                measure_render,
                built,
                runs=args.runs,
                warmup=args.warmup,
            )
        if "packs" in steps:
            entry["packs"] = _step(
                results,
                f"{label}: council packs",
                measure_packs,
                built,
                runs=runs,
                limit=args.packs,
                jobs=args.packs_jobs,
            )
        if "memory" in steps:
            entry["memory"] = _step(results, f"{label}: memory", measure_memory, built.url)
        if "web" in steps and with_web:
            web = _step(
                results,
                f"{label}: web",
                measure_web,
                built,
                seconds=args.web_seconds,
                users=args.web_users,
                floor_seconds=args.web_seconds / 2
                if args.quick
                else max(10.0, args.web_seconds / 3),
                quick=args.quick,
            )
            if web is not None:
                results["web"].append({"backend": backend, "size": size.name, **web})
    finally:
        if not args.keep and not args.reuse:
            bench_data.drop_database(backend, size)


def growth(reports: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per backend, how the report time grows with the rows it reads, size to size.

    The exponent is log(time ratio) / log(rows ratio): 1 is linear, below 1 better than linear.
    """
    out = []
    for backend in sorted({r["backend"] for r in reports}):
        points = [
            (r["size"], r["effect"]["rows_read"], r["effect"]["build"]["median"])
            for r in reports
            if r["backend"] == backend and r.get("effect")
        ]
        points.sort(key=lambda p: p[1])
        for (small, rows1, t1), (large, rows2, t2) in itertools.pairwise(points):
            if rows1 > 0 and rows2 > rows1 and t1 > 0:
                exponent = math.log(t2 / t1) / math.log(rows2 / rows1)
                out.append(
                    {
                        "backend": backend,
                        "from": small,
                        "to": large,
                        "rows_ratio": round(rows2 / rows1, 2),
                        "time_ratio": round(t2 / t1, 2),
                        "exponent": round(exponent, 2),
                    }
                )
    return out


def _print(results: dict[str, Any]) -> None:
    """The tables: data sizes, report timings, web pages, stats."""
    facts = results["machine"]
    print(
        f"\nMachine: {facts['cpu']}, {facts['cores']} cores, {facts['memory_gb']} GB, "
        f"Python {facts['python']}, SQLite {facts['sqlite']}, PostgreSQL {facts['postgresql']}"
    )
    if results["databases"]:
        print("\nData (demo generator)")
        print(
            table(
                [
                    "backend",
                    "size",
                    "citizens",
                    "follow-ups",
                    "goal reviews",
                    "assessments",
                    "scores",
                    "generate s",
                    "build s",
                ],
                [
                    [
                        d["backend"],
                        d["size"],
                        d["rows"].get("citizens"),
                        d["rows"].get("follow_ups"),
                        d["rows"].get("goal_reviews"),
                        d["rows"].get("assessments"),
                        d["rows"].get("assessment_scores"),
                        d["generate_seconds"],
                        d["build_seconds"],
                    ]
                    for d in results["databases"]
                ],
            )
        )
    rows = []
    for r in results["reports"]:
        e, rd, pk, mem = (r.get(k) or {} for k in ("effect", "render", "packs", "memory"))
        if not (e or rd or pk or mem):
            continue
        rows.append(
            [
                r["backend"],
                r["size"],
                e.get("rows_read"),
                (e.get("build") or {}).get("median"),
                (e.get("floor") or {}).get("median"),
                e.get("ratio"),
                (rd.get("html") or {}).get("median"),
                (rd.get("pdf") or {}).get("median"),
                pk.get("packs"),
                pk.get("jobs"),
                (pk.get("all_packs") or {}).get("median"),
                mem.get("peak_rss_mb"),
            ]
        )
    if rows:
        print(f"\nRegion effect report, period {results['settings']['report_period']} (median s)")
        print(
            table(
                [
                    "backend",
                    "size",
                    "rows read",
                    "build",
                    "floor",
                    "ratio",
                    "HTML",
                    "PDF",
                    "packs",
                    "jobs",
                    "packs s",
                    "peak MB",
                ],
                rows,
            )
        )
    if results.get("growth"):
        print("\nGrowth of the report time with the rows read (exponent 1 = linear)")
        print(
            table(
                ["backend", "from", "to", "rows x", "time x", "exponent"],
                [
                    [
                        g["backend"],
                        g["from"],
                        g["to"],
                        g["rows_ratio"],
                        g["time_ratio"],
                        g["exponent"],
                    ]
                    for g in results["growth"]
                ],
            )
        )
    for web in results["web"]:
        print(
            f"\nWeb, {web['backend']} {web['size']}: gunicorn {web['workers']} workers, "
            f"{web['users']} users, think {web['think_seconds']} s, {web['seconds']} s"
        )
        print(
            table(
                ["page", "requests", "errors", "p50 ms", "p95 ms", "max ms", "per s", "CPU p50"],
                [
                    [
                        name,
                        p["requests"],
                        p["errors"],
                        p["p50_ms"],
                        p["p95_ms"],
                        p["max_ms"],
                        p["per_second"],
                        p.get("cpu_p50_ms", "-"),
                    ]
                    for name, p in web["pages"].items()
                ],
            )
        )
        w = web["writes"]
        print(
            f"follow-ups: {w['accepted']} accepted, {w['stored_new']} new rows stored, "
            f"{w['lost']} lost, {w['doubled']} doubled"
        )
        if web["missing_pages"]:
            print("not measured (no such page in the app yet): " + ", ".join(web["missing_pages"]))
    if results.get("stats"):
        print("\nStatistics (bench/bench_stats.py, median s)")
        print(table(["task", "seconds"], [[k, v] for k, v in results["stats"].items()]))
    if results.get("imports"):
        print("\nImport (bench/imports.py: dry run and commit job of a synthetic file, s)")
        print(
            table(
                [
                    "backend",
                    "rows",
                    "file MB",
                    "dry run",
                    "commit",
                    "write lock",
                    "publish",
                    "verify",
                ],
                [
                    [
                        i["backend"],
                        i["rows"],
                        i["file_mb"],
                        i["dry_run_seconds"],
                        i["commit_seconds"],
                        i["write_lock_seconds"],
                        i.get("publish_seconds", "-"),
                        i["verify_seconds"],
                    ]
                    for i in results["imports"]
                ],
            )
        )
    for failure in results["failures"]:
        print(f"\nFAILED {failure['step']}: {failure['error']}")


def _strict_failures(results: dict[str, Any]) -> list[str]:
    """What makes a strict run fail: crashed steps, page errors, lost or doubled writes."""
    problems = [f"{f['step']} crashed" for f in results["failures"]]
    for web in results["web"]:
        where = f"{web['backend']} {web['size']}"
        if web["errors"] or web["crashes"]:
            problems.append(f"{where}: {web['errors']} page errors, {len(web['crashes'])} crashes")
        if web["writes"]["lost"] or web["writes"]["doubled"]:
            problems.append(f"{where}: follow-ups lost or doubled")
    return problems
