"""Crash safety: the command-line importer is killed with SIGKILL in the middle of a
one-million-row import; reopened, the database is exactly as before, and the same import then succeeds.

The importer runs in a real subprocess (``python -m kam_metrics import`` through kam_metrics.cli.main.main).
To know that it is *inside* the write transaction, the subprocess wraps ``store.start_import`` (called
right after ``begin transaction``) so that it also touches a flag file; the test then waits until the
database file grows, i.e. DuckDB is already writing the new rows' blocks into it, and kills the process
there. Nothing of kam_metrics is replaced: the wrapper calls the real function and only adds the flag.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb

from kam_metrics.ingest.stage import import_file
from kam_metrics.store.connection import open_db

ROOT = Path(__file__).resolve().parents[2]
ROWS = 1_000_000

HOOK = """
import sys
from pathlib import Path
import kam_metrics.store.connection as store
flag = Path(sys.argv[1])
real_start_import = store.start_import
def start_import(con, *args, **kwargs):
    import_id = real_start_import(con, *args, **kwargs)
    flag.write_text(str(import_id))  # now inside commit_staged's transaction
    return import_id
store.start_import = start_import
from kam_metrics.cli.main import main
sys.exit(main(sys.argv[2:]))
"""


def write_sales_csv(path: Path, rows: int) -> None:
    """``rows`` order lines of the hand-typed accounts A1-A5 (DuckDB writes the CSV in about a second)."""
    con = duckdb.connect()
    con.execute(
        f"""copy (select 'BIG' || lpad(i::varchar, 8, '0') as 订单号, 1 as 行号, 'A' || (1 + i % 5)::varchar as 客户编号,
        (date '2024-01-01' + (i % 600)::integer) as 订单日期, 1 + i % 7 as 数量, round(100 + (i % 997) * 1.5, 2) as 销售额,
        round(50 + (i % 991), 2) as 成本 from range({rows}) t(i)) to '{path}' (header)"""
    )
    con.close()


def fingerprint(db: Path) -> dict[str, tuple[int, str]]:
    """Every table of the database: (row count, sum of the rows' hashes)."""
    with open_db(db, read_only=True) as con:
        tables = [r[0] for r in con.execute(
            "select table_name from information_schema.tables where table_schema = 'main' order by 1").fetchall()]
        return {
            table: tuple(con.execute(f'select count(*), coalesce(sum(hash(t)), 0)::varchar from "{table}" t').fetchall()[0])
            for table in tables
        }


def test_sigkill_in_the_middle_of_a_million_row_import_leaves_the_database_as_it_was(hand_db, tmp_path):
    # an earlier import (an upsert that updated rows) so imports and the undo tables hold data too
    small = tmp_path / "small.csv"
    small.write_text("订单号,行号,客户编号,订单日期,数量,销售额\nO1,1,A1,2025-04-10,10,1100\nO99,1,A2,2025-06-01,1,99\n",
                     encoding="utf-8")
    _, record = import_file(hand_db, small, "sales", mode="upsert")
    assert record["rows_updated"] == 1
    before = fingerprint(hand_db)
    size_before = hand_db.stat().st_size

    big = tmp_path / "big.csv"
    write_sales_csv(big, ROWS)
    flag = tmp_path / "inside_transaction.flag"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "KAM_LOCK_WAIT": "30"}
    command = [sys.executable, "-c", HOOK, str(flag), "import", "sales", str(big), "--db", str(hand_db)]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 120
        while not flag.exists() and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        assert flag.exists(), process.communicate()[1].decode()[-2000:]
        # wait until DuckDB writes the new rows' blocks into the file: the middle of the import
        while hand_db.stat().st_size <= size_before and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.005)
        assert process.poll() is None, "the import finished before it could be killed"
        grown = hand_db.stat().st_size
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == -signal.SIGKILL
    assert grown > size_before  # it was writing when it died

    # reopened: exactly as before (every table, every row)
    assert fingerprint(hand_db) == before

    # and the same import runs again
    result = subprocess.run([sys.executable, "-m", "kam_metrics", "import", "sales", str(big), "--db", str(hand_db), "--json"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    after = fingerprint(hand_db)
    assert after["sales"][0] == before["sales"][0] + ROWS
    with open_db(hand_db, read_only=True) as con:
        assert con.execute("select status, rows_inserted from imports order by import_id").fetchall() == [
            ("committed", 1), ("committed", ROWS)]
