"""Benchmark the review report at scale: building the model (every section, churn score and forecast
included) and rendering each export, plus the masked build.

    python bench/bench_report.py [--db /tmp/big.duckdb] [--start 2026-07-01 --end 2026-09-30]

Opens the database read-only (never modifies it), times one build per step and the peak RSS of the
process, and appends a markdown row per step to bench/results/report.md.
"""

from __future__ import annotations

import argparse
import platform
import resource
import subprocess
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import duckdb  # noqa: E402

from kam_metrics.domain.filters import Filters  # noqa: E402
from kam_metrics.report import build as reports  # noqa: E402
from kam_metrics.report import masking as report_masking  # noqa: E402
from kam_metrics.report import model as report_model  # noqa: E402
from kam_metrics.store.connection import open_db  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "report.md"
HEADER = (
    "# Review report benchmark\n\n"
    "`python bench/bench_report.py --db DB`: building the report model (all sections, churn score, forecast)\n"
    "and rendering each export, read-only.\n\n"
    "| when (UTC) | git HEAD | sales rows | accounts | step | seconds | output bytes | peak RSS MB | cpus |\n"
    "|---|---|---:|---:|---|---:|---:|---:|---:|\n"
)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="/tmp/big.duckdb")
    parser.add_argument("--start", type=date.fromisoformat, default=None)
    parser.add_argument("--end", type=date.fromisoformat, default=None)
    args = parser.parse_args()
    with open_db(args.db, read_only=True) as con:
        rows, accounts = con.execute("select (select count(*) from sales), (select count(*) from accounts)").fetchall()[0]
        last = con.execute("select max(order_date) from sales").fetchall()[0][0]
    from kam_metrics.domain.filters import quarter_end, quarter_start

    start = args.start or quarter_start(last)
    end = args.end or quarter_end(last)
    filters = Filters(start=start, end=end)
    results = []
    t0 = time.perf_counter()
    with open_db(args.db, read_only=True) as con:
        report = reports.build_report(con, filters, "zh")
    results.append(("build (zh)", time.perf_counter() - t0, None))
    t0 = time.perf_counter()
    masked = report_masking.mask_report(report)
    results.append(("mask names", time.perf_counter() - t0, None))
    for fmt in report_model.EXPORT_FORMATS:
        t0 = time.perf_counter()
        data = reports.render(masked, fmt)
        results.append((f"render {fmt} (masked)", time.perf_counter() - t0, len(data)))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M")
    import os

    lines = [
        f"| {when} | {head} | {rows:,} | {accounts:,} | {step} ({start}..{end}) | {seconds:.2f} | "
        f"{'' if size is None else f'{size:,}'} | {peak:,.0f} | {os.cpu_count()} |"
        for step, seconds, size in results
    ]
    if not RESULTS.exists():
        RESULTS.write_text(HEADER)
    with RESULTS.open("a") as out:
        out.write("\n".join(lines) + "\n")
    print("\n".join(lines))
    print(f"python {platform.python_version()}, duckdb {duckdb.__version__}")


if __name__ == "__main__":
    main()
