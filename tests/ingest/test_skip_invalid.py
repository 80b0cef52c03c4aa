"""Skip invalid rows: the valid rows are imported, the invalid ones set aside with row, column, value,
problem and fix, kept with the import; the default stays all or nothing, and undo stays exact."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from rows import database  # tests/support, on the path (tests/conftest.py)

from kam_metrics.ingest.stage import ImportRejected, commit_staged, import_rejects, stage_file, undo_import
from kam_metrics.store import connection as store

ROOT = Path(__file__).resolve().parents[2]
SALES = (
    "order_id,account_id,order_date,quantity,amount\n"
    "O1,K1,2025-01-05,2,NaN\n"        # row 2: not a number
    "O2,K2,2025-01-06,1,50\n"
    "O3,K9,2025-01-07,1,10\n"         # rows 4 and 5: unknown account
    "O4,K9,2025-01-08,1,10\n"
    "O5,K1,2018-02-29,1,5\n"          # row 6: impossible date, reported once
    "O6,K2,2025-01-10,3,30\n"
    "O7,K1,2025-02-01,1,7\n"
)


def checksums(path: Path) -> dict[str, tuple]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return {t: con.execute("select count(*), sum(hash(x)) from " + t + " x").fetchall()[0] for t in store.DATA_TABLES}
    finally:
        con.close()


@pytest.fixture()
def db(tmp_path) -> Path:
    return database(tmp_path / "kam.duckdb", K1="甲公司", K2="乙公司")


def test_the_default_stays_all_or_nothing(db):
    staged = stage_file(SALES.encode(), "s.csv", "sales", db=db)
    assert not staged.ok and not staged.skipped
    with pytest.raises(ImportRejected):
        commit_staged(db, staged)


def test_valid_rows_are_imported_and_the_invalid_ones_set_aside_with_their_problem(db):
    before = checksums(db)
    staged = stage_file(SALES.encode(), "s.csv", "sales", db=db, skip_invalid=True)
    assert staged.ok
    assert staged.rows_read == 7 and staged.rows.num_rows == 3 and staged.skipped_rows == 4
    assert staged.preview["new"] == 3 and staged.preview["skipped_rows"] == 4
    assert [(p.row, p.column, p.value) for p in staged.skipped] == [
        (2, "amount", "NaN"), (4, "account_id", "K9"), (5, "account_id", "K9"), (6, "order_date", "2018-02-29")]

    record = commit_staged(db, staged)
    assert (record["rows_inserted"], record["rows_rejected"]) == (3, 4)
    with store.open_db(db) as con:
        assert con.execute("select order_id from sales order by 1").fetchall() == [("O2",), ("O6",), ("O7",)]
        kept = import_rejects(con, record["import_id"], "zh")
    assert [(r["row"], r["column"], r["value"]) for r in kept] == [(2, "amount", "NaN"), (4, "account_id", "K9"),
                                                                   (5, "account_id", "K9"), (6, "order_date", "2018-02-29")]
    assert kept[3]["problem"] == "无法识别为日期。"

    undo_import(db, record["import_id"])
    assert checksums(db) == before


def test_a_key_repeated_among_the_remaining_rows_is_set_aside_too(db):
    text = "order_id,line_no,account_id,order_date,quantity,amount\nA,1,K1,2025-01-05,1,x\nA,1,K1,2025-01-05,2,20\nA,1,K1,2025-01-05,3,30\nB,1,K2,2025-01-06,1,5\n"
    staged = stage_file(text.encode(), "s.csv", "sales", db=db, skip_invalid=True)
    assert staged.ok
    assert staged.rows.column("order_id").to_pylist() == ["B"]
    assert {p.row for p in staged.skipped} == {2, 3, 4}


def test_a_problem_of_the_whole_file_still_blocks(db):
    staged = stage_file(b"order_id,account_id,quantity,amount\nO1,K1,1,5\n", "s.csv", "sales", db=db, skip_invalid=True)
    assert not staged.ok and any(p.row is None and p.column == "order_date" for p in staged.problems)


def test_the_command_line_skips_and_writes_the_rejects(db, tmp_path):
    (tmp_path / "s.csv").write_text(SALES, encoding="utf-8")
    rejects = tmp_path / "rejects.csv"
    common = [sys.executable, "-m", "kam_metrics", "--db", str(db), "import", "sales", str(tmp_path / "s.csv"), "--json", "--lang", "en"]
    dry = subprocess.run([*common, "--skip-invalid", "--dry-run"], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert dry.returncode == 0, dry.stderr
    assert (json.loads(dry.stdout)["rows_inserted"], json.loads(dry.stdout)["rows_rejected"]) == (3, 4)
    done = subprocess.run([*common, "--skip-invalid", "--rejects", str(rejects)], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    assert (payload["rows_inserted"], payload["rows_rejected"]) == (3, 4)
    with open(rejects, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [(r["row"], r["column"], r["value"]) for r in rows] == [("2", "amount", "NaN"), ("4", "account_id", "K9"),
                                                                  ("5", "account_id", "K9"), ("6", "order_date", "2018-02-29")]
    assert rows[0]["problem"].startswith("Not a usable number") and rows[1]["fix"].startswith("Import the accounts first")
    history = subprocess.run([sys.executable, "-m", "kam_metrics", "--db", str(db), "imports", "--json"],
                             capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert json.loads(history.stdout)["imports"][-1]["rows_rejected"] == 4


def test_a_file_whose_every_row_is_invalid_is_refused_even_with_skip_invalid(db):
    """Setting aside every row would commit an empty import: it is refused, listing each row's problem."""
    bad = "order_id,account_id,order_date,quantity,amount\nO1,K9,2025-01-05,1,5\nO2,K1,2025-01-06,1,NaN\n"
    before = checksums(db)
    staged = stage_file(bad.encode(), "s.csv", "sales", db=db, skip_invalid=True)
    assert not staged.ok and not staged.skipped
    assert staged.problems[0].row is None and "nothing is left" in staged.problems[0].problem_en
    assert {p.row for p in staged.problems[1:]} == {2, 3}
    with pytest.raises(ImportRejected):
        commit_staged(db, staged)
    assert checksums(db) == before
