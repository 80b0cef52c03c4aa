"""Benchmark the Overview's queries at scale: what one uncached page view costs inside DuckDB.

    python bench/bench_kpi.py [--db /tmp/big.duckdb] [--repeat 3]

Needs a database built first, e.g. ``python -m kam_metrics init-demo --db /tmp/big.duckdb --accounts
10000 --years 5``. For a few filter combinations it opens the database, runs every query the Overview
page runs (kam_app.data.sales.load_overview does the same calls), closes it, and reports the median and
best wall time and the peak RSS; a markdown row per case is appended to bench/results/kpi.md.
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
    return 0


if __name__ == "__main__":
    sys.exit(main())
