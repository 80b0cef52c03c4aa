"""``import auto``: the table comes from the headers and is told; none or a tie imports nothing and exits
2 listing the candidates. A workbook read without --sheet says which sheet it read and which it left."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import openpyxl

from kam_metrics.ingest.stage import clear_choice, rank_tables

ROOT = Path(__file__).resolve().parents[2]


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kam_metrics", *args], cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_the_tables_that_fit_are_ranked_by_the_columns_they_map():
    # a superstore-style order export also names its customers: sales maps 8 headers (order id, date,
    # customer id and name, sales, quantity, and segment and region for the accounts it may create),
    # accounts 4 (customer id and name, segment, region)
    headers = ["Row ID", "Order ID", "Order Date", "Customer ID", "Customer Name", "Segment", "Region", "Sales", "Quantity"]
    ranked = rank_tables(headers)
    assert ranked[0] == ("sales", 8) and ("accounts", 4) in ranked
    assert clear_choice(ranked) == "sales"
    assert clear_choice([("accounts", 3), ("interactions", 3)]) is None  # a tie is no choice
    assert rank_tables(["foo", "bar"]) == [] and clear_choice([]) is None


def test_import_auto_takes_the_table_the_headers_point_to_and_says_so(tmp_path):
    db = tmp_path / "kam.duckdb"
    accounts = tmp_path / "客户.csv"
    accounts.write_text("客户编号,客户名称,行业\nK1,甲公司,制造业\n", encoding="utf-8")
    sales = tmp_path / "orders.csv"
    sales.write_text("订单号,客户编号,客户名称,订单日期,数量,销售额\nS1,K1,甲公司,2025-01-05,2,10\n", encoding="utf-8")
    first = cli("import", "auto", str(accounts), "--db", str(db), "--json")
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout)["table"] == "accounts"
    second = cli("import", "auto", str(sales), "--db", str(db), "--json")
    payload = json.loads(second.stdout)
    assert second.returncode == 0 and payload["table"] == "sales" and payload["table_candidates"] == ["sales", "accounts"]
    assert payload["rows_inserted"] == 1
    assert payload["notices"][0] == "Table sales, chosen from the headers (tables that fit: sales, accounts)."


def test_import_auto_with_no_table_that_fits_imports_nothing_and_exits_2(tmp_path):
    db = tmp_path / "kam.duckdb"
    odd = tmp_path / "odd.csv"
    odd.write_text("foo,bar\n1,2\n", encoding="utf-8")
    result = cli("import", "auto", str(odd), "--db", str(db))
    assert result.returncode == 2
    assert "cannot tell the table from the headers (tables that fit: none)" in result.stderr
    assert "Traceback" not in result.stderr and not db.exists()


def test_a_workbook_without_sheet_says_which_sheet_it_read(tmp_path):
    book = openpyxl.Workbook()
    book.active.title = "客户"
    book.active.append(["客户编号", "客户名称"])
    book.active.append(["K1", "甲公司"])
    book.create_sheet("说明").append(["导出时间 2025-06-30"])
    path = tmp_path / "export.xlsx"
    book.save(path)
    result = cli("import", "accounts", str(path), "--db", str(tmp_path / "kam.duckdb"), "--dry-run", "--json")
    assert result.returncode == 0, result.stderr
    assert "Read sheet '客户'; not read: 说明 (--sheet NAME reads another)." in json.loads(result.stdout)["notices"]
