"""Benchmark the demo build: elapsed seconds, sales rows, rows/second and peak RSS.

    python bench/bench_demo.py [--accounts 10000] [--years 5] [--seed 42] [--db /tmp/big.duckdb] [--force]

Builds the demo into --db (default /tmp/big.duckdb, always replaced; any other existing, populated
file is only replaced with --force), prints the figures and appends a markdown row to
bench/results/demo.md. Peak RSS is ``resource.getrusage(RUSAGE_SELF).ru_maxrss`` of this process
(DuckDB runs in-process, so it includes DuckDB's memory).
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import duckdb  # noqa: E402

from kam_metrics.demo.generator import build_demo_database  # noqa: E402

DEFAULT_DB = "/tmp/big.duckdb"
RESULTS = ROOT / "bench" / "results" / "demo.md"
HEADER = (
    "# Demo build benchmark\n\n"
    "`python bench/bench_demo.py --accounts N --years Y`; peak RSS = ru_maxrss of the process.\n\n"
    "| when (UTC) | git HEAD | accounts | years | seed | seconds | sales rows | rows/s | peak RSS MB | cpus | "
    "duckdb | python |\n"
    "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|\n"
)


def _commit() -> str:
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                             check=True)
        return out.stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "?"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=10000)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--db", default=DEFAULT_DB)
    parser.add_argument("--force", action="store_true", help="replace an existing populated --db")
    parser.add_argument("--no-record", action="store_true", help="do not append to bench/results/demo.md")
    args = parser.parse_args(argv)

    force = args.force or args.db == DEFAULT_DB
    last = [-1.0]

    def progress(fraction: float, message: str) -> None:
        if fraction - last[0] >= 0.1 or fraction >= 1.0:
            last[0] = fraction
            print(f"  {fraction:5.0%}  {message}", flush=True)

    start = time.perf_counter()
    counts = build_demo_database(args.db, accounts=args.accounts, years=args.years, seed=args.seed, force=force,
                                 progress=progress)
    elapsed = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    sales = counts["sales"]
    print(f"rows per table: {counts}")
    print(f"elapsed: {elapsed:.1f} s, sales rows: {sales:,}, rows/s: {sales / elapsed:,.0f}, "
          f"peak RSS: {peak_mb:,.0f} MB, db file: {os.path.getsize(args.db) / 2**20:,.0f} MB")

    if not args.no_record:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        if not RESULTS.exists():
            RESULTS.write_text(HEADER, encoding="utf-8")
        row = (
            f"| {datetime.now(UTC):%Y-%m-%d %H:%M} | {_commit()} | {args.accounts} | {args.years} | {args.seed} | "
            f"{elapsed:.1f} | {sales:,} | {sales / elapsed:,.0f} | {peak_mb:,.0f} | {os.cpu_count()} | "
            f"{duckdb.__version__} | {platform.python_version()} |\n"
        )
        with RESULTS.open("a", encoding="utf-8") as fh:
            fh.write(row)
        print(f"appended to {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
