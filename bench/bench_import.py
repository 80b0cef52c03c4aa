"""Benchmark the importer on a one-million-row UTF-8 sales CSV, against DuckDB's own read_csv into the
same table and against pandas read_csv plus insert, in the same run.

    python bench/bench_import.py [--rows 1000000] [--workdir /tmp/kam_bench_import]

Each contender runs in its own child process on a fresh database holding the same 1,000 accounts, so
its time and peak RSS (os.wait4's ru_maxrss) are its own. A markdown row per contender is appended to
bench/results/import.md.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "import.md"
HEADER = (
    "# Import benchmark\n\n"
    "`python bench/bench_import.py --rows N`: a UTF-8 sales CSV with Chinese headers into a fresh database "
    "(same 1,000 accounts), each contender in its own process.\n\n"
    "| when (UTC) | git HEAD | rows | contender | seconds | vs DuckDB read_csv | peak RSS MB |\n"
    "|---|---|---:|---|---:|---:|---:|\n"
)

SETUP = """
import sys
sys.path.insert(0, {root!r})
from kam_metrics.store.connection import open_db
with open_db({db!r}) as con:
    con.execute("insert into accounts (account_id, account_name) select 'A' || lpad(i::varchar, 5, '0'), '客户' || i from range(1000) t(i)")
"""

CONTENDERS = {
    "importer (stage + commit, append)": """
import sys
sys.path.insert(0, {root!r})
from kam_metrics.ingest.stage import import_file
staged, record = import_file({db!r}, {csv!r}, "sales", mode="append")
assert staged.ok, staged.problem_rows("en")[:3]
assert record["rows_inserted"] == {rows}, record
""",
    "DuckDB read_csv into sales": """
import duckdb
con = duckdb.connect({db!r})
con.execute('''insert into sales (order_id, line_no, account_id, order_date, product, quantity, amount, cost)
    select "订单号", "行号", "客户编号", "订单日期", "产品", "数量", "销售额", "成本" from read_csv(?, header = true)''', [{csv!r}])
assert con.execute("select count(*) from sales").fetchone()[0] == {rows}
con.close()
""",
    "pandas read_csv + insert": """
import duckdb, pandas as pd
frame = pd.read_csv({csv!r}, dtype={{"订单号": str, "客户编号": str, "产品": str}}, parse_dates=["订单日期"])
frame.columns = ["order_id", "line_no", "account_id", "order_date", "product", "quantity", "amount", "cost"]
con = duckdb.connect({db!r})
con.register("frame", frame)
con.execute("insert into sales (order_id, line_no, account_id, order_date, product, quantity, amount, cost) select * from frame")
assert con.execute("select count(*) from sales").fetchone()[0] == {rows}
con.close()
""",
}


def make_csv(path: Path, rows: int) -> None:
    import duckdb

    con = duckdb.connect()
    con.execute(
        """
        copy (
            select
                'SO' || lpad((i // 3)::varchar, 9, '0') as "订单号",
                (i % 3) + 1 as "行号",
                'A' || lpad((hash(i // 3) % 1000)::varchar, 5, '0') as "客户编号",
                date '2022-01-01' + ((i // 3) % 1400)::integer as "订单日期",
                '产品' || (hash(i) % 50) as "产品",
                1 + hash(i * 7) % 20 as "数量",
                round(100 + (hash(i * 13) % 100000) / 10.0, 2) as "销售额",
                round(60 + (hash(i * 13) % 60000) / 10.0, 2) as "成本"
            from range(?) t(i)
        ) to '"""
        + str(path).replace("'", "''")
        + "' (header, delimiter ',')",
        [rows],
    )
    con.close()


def run_child(code: str) -> tuple[float, float]:
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"a contender failed (exit {os.waitstatus_to_exitcode(status)})")
    return elapsed, usage.ru_maxrss / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--workdir", default="/tmp/kam_bench_import")
    args = parser.parse_args()
    work = Path(args.workdir)
    work.mkdir(parents=True, exist_ok=True)
    csv = work / f"sales_{args.rows}.csv"
    if not csv.exists():
        make_csv(csv, args.rows)
    print(f"{csv}: {args.rows:,} rows, {csv.stat().st_size / 1e6:,.0f} MB")
    results = {}
    for name, template in CONTENDERS.items():
        db = work / "bench.duckdb"
        for leftover in (db, db.with_name(db.name + ".wal")):
            leftover.unlink(missing_ok=True)
        run_child(SETUP.format(root=str(ROOT), db=str(db)))
        results[name] = run_child(template.format(root=str(ROOT), db=str(db), csv=str(csv), rows=args.rows))
        print(f"  {name:<36} {results[name][0]:7.2f} s   peak RSS {results[name][1]:7,.0f} MB")
    baseline = results["DuckDB read_csv into sales"][0]
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    if not RESULTS.exists():
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(HEADER, encoding="utf-8")
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M")
    with RESULTS.open("a", encoding="utf-8") as out:
        for name, (seconds, peak) in results.items():
            out.write(f"| {now} | {head} | {args.rows:,} | {name} | {seconds:.2f} | {seconds / baseline:.2f}× | {peak:,.0f} |\n")
    print(f"importer / DuckDB read_csv = {results['importer (stage + commit, append)'][0] / baseline:.2f}×")
    return 0


if __name__ == "__main__":
    sys.exit(main())
