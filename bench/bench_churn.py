"""Benchmark churn risk at scale: features, training and scoring, then the whole score_accounts.

    python bench/bench_churn.py [--db /tmp/big.duckdb] [--stage all|model|full]

Opens the database READ-ONLY. Stages, timed separately in one process:

- features: kam_metrics.churn.features.compute_features as of the latest order date (one SQL statement
  over every sales row up to that day);
- training: features as of latest − 180 days, labels from the 180 days after, fitting the calibrated
  Pipeline (kam_metrics.churn.scoring.train_model);
- scoring: predict_proba for every account on the features as of the latest day;
- full: kam_metrics.churn.scoring.score_accounts (everything the Churn risk page loads: the above, the health
  score's other components, reasons, and the model card's back-test, i.e. a second training and
  scoring as of latest − 180 days).

Peak RSS of the process (resource.getrusage) is reported after each stage; use ``/usr/bin/time -v`` for
an outside view. A markdown row per stage is appended to bench/results/churn.md.
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

from kam_metrics.churn import scoring as churn  # noqa: E402
from kam_metrics.churn.features import compute_features, model_frame  # noqa: E402
from kam_metrics.store.connection import open_db  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "churn.md"
TABLE_HEADER = (
    "| when (UTC) | git HEAD | sales rows | accounts | stage | seconds | peak RSS MB | cpus | load avg | method |\n"
    "|---|---|---:|---:|---|---:|---:|---:|---:|---|\n"
)


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="/tmp/big.duckdb")
    parser.add_argument("--stage", choices=("all", "model", "full"), default="all")
    parser.add_argument("--no-write", action="store_true", help="print only; do not append to bench/results/churn.md")
    args = parser.parse_args()
    if not Path(args.db).exists():
        print(f"{args.db} does not exist; build it with python -m kam_metrics init-demo --db {args.db} "
              "--accounts 10000 --years 5", file=sys.stderr)
        return 2
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    rows: list[tuple[str, int, float, float, str]] = []
    with open_db(args.db, read_only=True) as con:
        n_rows = con.execute("select count(*) from sales").fetchall()[0][0]
        as_of = churn.latest_order_date(con)
        horizon = 180
        if args.stage in ("all", "model"):
            start = time.perf_counter()
            features = compute_features(con, as_of)
            rows.append(("features as of the latest day", len(features), time.perf_counter() - start, peak_mb(), ""))
            start = time.perf_counter()
            training = churn.train_model(con, as_of, horizon)
            method = churn.MODEL_METHOD if training.model is not None else churn.FALLBACK_METHOD
            rows.append((f"training (features as of −{horizon} d, labels, fit)", training.window.n_train,
                         time.perf_counter() - start, peak_mb(), method))
            start = time.perf_counter()
            if training.model is not None:
                training.model.predict_proba(model_frame(features))
            rows.append(("scoring (predict_proba)", len(features), time.perf_counter() - start, peak_mb(), method))
        if args.stage in ("all", "full"):
            start = time.perf_counter()
            result = churn.score_accounts(con, as_of)
            rows.append(("full score_accounts (page load, incl. model-card back-test)", len(result.scores),
                         time.perf_counter() - start, peak_mb(), result.method))
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M")
    load = os.getloadavg()[0]
    lines = [f"| {when} | {head} | {n_rows:,} | {n:,} | {stage} | {seconds:.2f} | {mb:.0f} | {os.cpu_count()} | {load:.1f} | {method} |"
             for stage, n, seconds, mb, method in rows]
    print("\n".join(lines))
    if args.stage == "all":
        total = sum(seconds for _, _, seconds, _, _ in rows[:3])
        print(f"features + training + scoring: {total:.2f} s (goal: under 30 s); python {platform.python_version()}, duckdb {duckdb.__version__}")
    if not args.no_write:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        if not RESULTS.exists():
            RESULTS.write_text("# Churn benchmark\n\nSee the notes below the table.\n\n" + TABLE_HEADER, encoding="utf-8")
        with open(RESULTS, "a", encoding="utf-8") as handle:
            handle.write("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
