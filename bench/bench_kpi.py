"""Benchmark the Overview's queries at scale: what one uncached page view costs inside DuckDB.

    python bench/bench_kpi.py [--db /tmp/big.duckdb] [--repeat 3] [--baseline REV]

Needs a database built first, e.g. ``python -m kam_metrics init-demo --db /tmp/big.duckdb --accounts
10000 --years 5``. For a few filter combinations it opens the database, runs every query the Overview
page runs (kam_app.data.sales.load_overview does the same calls), closes it, and reports the median and
best wall time and the peak RSS; a markdown row per case is appended to bench/results/kpi.md.

``--baseline REV`` compares with the code of another commit in the same run: REV is checked out into a
temporary git worktree, and each repetition runs every case once with REV's code and once with this
tree's code, each in a fresh Python process (the import is not timed), alternating so that both meet
the same machine load. It prints and appends (bench/results/kpi_baseline.md) the ratio of the medians,
this tree / REV: below 1 is faster. The database is the same file for both.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import duckdb  # noqa: E402

from kam_metrics.domain.filters import Filters, preset_period  # noqa: E402
from kam_metrics.metrics import (
    kpi,  # noqa: E402
    sales,  # noqa: E402
    satisfaction,  # noqa: E402
)
from kam_metrics.store.connection import open_db  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "kpi.md"
BASELINE_RESULTS = ROOT / "bench" / "results" / "kpi_baseline.md"
BASELINE_HEADER = (
    "# Overview queries against a baseline commit, in one run\n\n"
    "`python bench/bench_kpi.py --db DB --baseline REV`: medians of alternating fresh processes; ratio = HEAD / REV.\n\n"
    "| when (UTC) | git HEAD | baseline | sales rows | case | baseline median s | HEAD median s | ratio | cpus |\n"
    "|---|---|---|---:|---|---:|---:|---:|---:|\n"
)
#: one uncached Overview view per case in a fresh process, with the code of the tree at argv[1]
#: (the import paths of the flat layout before the packages are tried second)
MEASURE = """
import json, sys, time
tree, db, cases = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
sys.path.insert(0, tree)
try:
    from kam_metrics.domain.filters import Filters
    from kam_metrics.metrics import kpi, sales, satisfaction
    from kam_metrics.store.connection import open_db
except ImportError:
    from kam_metrics import kpi, sales, satisfaction
    from kam_metrics.filters import Filters
    from kam_metrics.store import open_db
from datetime import date
out = {}
for name, f in cases.items():
    filters = Filters(start=date.fromisoformat(f["start"]), end=date.fromisoformat(f["end"]), compare=f["compare"],
                      owners=tuple(f["owners"]), abc_classes=tuple(f["abc_classes"]))
    started = time.perf_counter()
    with open_db(db) as con:
        kpi.compute_kpis(con, filters)
        sales.compute_monthly_revenue(con, filters)
        sales.compute_monthly_revenue(con, filters.for_comparison())
        sales.compute_top_accounts(con, filters, limit=10)
        sales.compute_revenue_by(con, filters, "industry")
        sales.compute_revenue_by(con, filters, "region")
        satisfaction.compute_latest_overall(con, filters.end)
    out[name] = time.perf_counter() - started
print(json.dumps(out))
"""
HEADER = (
    "# Overview query benchmark\n\n"
    "`python bench/bench_kpi.py --db DB`: one uncached Overview page view (open, every query, close).\n\n"
    "| when (UTC) | git HEAD | sales rows | case | median s | best s | peak RSS MB | cpus | duckdb |\n"
    "|---|---|---:|---|---:|---:|---:|---:|---|\n"
)


def overview_queries(db: str, filters: Filters) -> None:
    with open_db(db) as con:
        kpi.compute_kpis(con, filters)
        sales.compute_monthly_revenue(con, filters)
        sales.compute_monthly_revenue(con, filters.for_comparison())
        sales.compute_top_accounts(con, filters, limit=10)
        sales.compute_revenue_by(con, filters, "industry")
        sales.compute_revenue_by(con, filters, "region")
        satisfaction.compute_latest_overall(con, filters.end)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="/tmp/big.duckdb")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--baseline", metavar="REV", help="also time the code of commit REV, alternating, and print the ratio")
    args = parser.parse_args()
    if not Path(args.db).exists():
        print(f"{args.db} does not exist; build it with python -m kam_metrics init-demo --db {args.db} "
              "--accounts 10000 --years 5", file=sys.stderr)
        return 1
    with open_db(args.db) as con:
        rows = con.execute("select count(*) from sales").fetchone()[0]
        first, last = sales.load_data_range(con)
        owner = con.execute("select owner from accounts where owner is not null order by owner limit 1").fetchone()[0]
    quarter = preset_period("this_quarter", last)
    year = preset_period("last_12_months", last)
    cases = {
        "this quarter, 环比": Filters(*quarter),
        "last 12 months, 同比": Filters(*year, compare="yoy"),
        "this quarter, one owner, class A": Filters(*quarter, owners=(owner,), abc_classes=("A",)),
    }
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    if not RESULTS.exists():
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(HEADER, encoding="utf-8")
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M")
    print(f"{args.db}: {rows:,} sales rows, {first} .. {last}")
    for name, filters in cases.items():
        times = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            overview_queries(args.db, filters)
            times.append(time.perf_counter() - started)
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        median, best = statistics.median(times), min(times)
        print(f"  {name:<36} median {median:6.2f} s  best {best:6.2f} s  peak RSS {peak_mb:,.0f} MB")
        with RESULTS.open("a", encoding="utf-8") as out:
            out.write(
                f"| {now} | {head} | {rows:,} | {name} | {median:.2f} | {best:.2f} | {peak_mb:,.0f} | "
                f"{len(os.sched_getaffinity(0))} | {duckdb.__version__} |\n"
            )
    print(f"results appended to {RESULTS.relative_to(ROOT)} ({platform.python_version()})")
    if args.baseline:
        compare_with_baseline(args.db, args.baseline, cases, args.repeat, head, rows, now)
    return 0


def _run_measure(tree: Path, db: str, cases: dict[str, Filters]) -> dict[str, float]:
    payload = {name: {"start": f.start.isoformat(), "end": f.end.isoformat(), "compare": f.compare,
                      "owners": list(f.owners), "abc_classes": list(f.abc_classes)} for name, f in cases.items()}
    import json

    result = subprocess.run([sys.executable, "-c", MEASURE, str(tree), db, json.dumps(payload)], cwd=tree,
                            capture_output=True, text=True, check=True)
    return json.loads(result.stdout)


def compare_with_baseline(db: str, rev: str, cases: dict[str, Filters], repeat: int, head: str, rows: int, now: str) -> None:
    """Time REV's code and this tree's code alternately on the same file; print and append the ratios."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="kam-baseline-") as tmp:
        tree = Path(tmp) / "tree"
        subprocess.run(["git", "worktree", "add", "--detach", str(tree), rev], cwd=ROOT, check=True, capture_output=True)
        try:
            timings: dict[str, dict[str, list[float]]] = {n: {"baseline": [], "head": []} for n in cases}
            for _ in range(max(repeat, 3)):
                for side, where in (("baseline", tree), ("head", ROOT)):
                    for name, seconds in _run_measure(where, db, cases).items():
                        timings[name][side].append(seconds)
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(tree)], cwd=ROOT, check=False, capture_output=True)
    if not BASELINE_RESULTS.exists():
        BASELINE_RESULTS.write_text(BASELINE_HEADER, encoding="utf-8")
    print(f"against {rev} (fresh processes, alternating, {max(repeat, 3)} each):")
    for name, sides in timings.items():
        base, mine = statistics.median(sides["baseline"]), statistics.median(sides["head"])
        print(f"  {name:<36} {rev} {base:6.2f} s  HEAD {mine:6.2f} s  ratio {mine / base:5.2f}")
        with BASELINE_RESULTS.open("a", encoding="utf-8") as out:
            out.write(f"| {now} | {head} | {rev} | {rows:,} | {name} | {base:.2f} | {mine:.2f} | {mine / base:.2f} | "
                      f"{len(os.sched_getaffinity(0))} |\n")


if __name__ == "__main__":
    sys.exit(main())
