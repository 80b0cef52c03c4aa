"""Real public exports from ../shared/realdata through the importer (skipped, with the reason printed,
when that folder is not beside the repository)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from kam_metrics import store

ROOT = Path(__file__).resolve().parents[1]
REALDATA = ROOT.parent / "shared" / "realdata"

pytestmark = pytest.mark.skipif(not REALDATA.is_dir(), reason=f"real data folder {REALDATA} is not present")


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kam_metrics", *args], cwd=ROOT, capture_output=True, text=True, timeout=600)


def query(db, sql):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_superstore_as_accounts_and_sales_through_a_mapping(tmp_path):
    db = tmp_path / "kam.duckdb"
    source = REALDATA / "superstore_sample.csv"
    accounts = cli("import", "accounts", str(source), "--db", str(db), "--json",
                   "--map", "Customer ID=account_id", "--map", "Customer Name=account_name", "--map", "Segment=industry",
                   "--map", "Region=-", "--map", "City=-", "--map", "Order ID=-", "--map", "Product ID=-")
    assert accounts.returncode == 0, accounts.stderr[-2000:]
    assert json.loads(accounts.stdout)["rows_inserted"] == 793
    sales = cli("import", "sales", str(source), "--db", str(db), "--json",
                "--map", "Customer Name=-", "--map", "Profit=profit", "--map", "Row ID=-")
    assert sales.returncode == 0, sales.stderr[-2000:]
    payload = json.loads(sales.stdout)
    assert payload["date_orders"] == {"order_date": "mdy"}  # 11/8/2020: some day is above 12
    assert payload["rows_inserted"] == 9994
    assert query(db, "select round(sum(amount), 2), count(distinct account_id) from sales") == [(2297200.86, 793)]
    # cost = sales − profit, so the margin is the file's profit share
    assert query(db, "select round(sum(amount) - sum(cost), 4) from sales")[0][0] == pytest.approx(286397.0217, abs=0.01)
    kpi = cli("kpi", "--db", str(db), "--start", "2021-01-01", "--end", "2021-12-31", "--json")
    assert kpi.returncode == 0, kpi.stderr
    assert json.loads(kpi.stdout)["revenue"] == pytest.approx(
        query(db, "select sum(amount) from sales where order_date between '2021-01-01' and '2021-12-31'")[0][0]
    )


def test_online_retail_transactions_with_derived_amounts_and_cancellations(tmp_path):
    db = tmp_path / "kam.duckdb"
    result = cli("import", "sales", str(REALDATA / "online_retail_uci_customer_sample.csv"), "--db", str(db),
                 "--create-accounts", "--json")
    assert result.returncode == 0, result.stderr[-2000:]
    payload = json.loads(result.stdout)
    notices = " ".join(payload["notices"])
    assert "quantity × unit price" in notices or "数量 × 单价" in notices
    assert "returns or cancellations" in notices or "退货" in notices
    lines, accounts, cancelled = query(
        db, "select count(*), count(distinct account_id), count(*) filter (where order_id like 'C%') from sales")[0]
    assert payload["rows_read"] == 36378
    assert lines == payload["rows_inserted"] and 36000 < lines <= 36378  # identical repeated lines merged
    assert cancelled > 0
    assert query(db, "select count(*) from sales where order_id like 'C%' and quantity >= 0") == [(0,)]
    assert query(db, "select min(account_id) from accounts")[0][0].isdigit()  # 17850.0 -> 17850
    assert accounts == payload["accounts_created"]


def test_one_raw_day_with_missing_customer_ids_is_rejected_with_row_numbers(tmp_path):
    db = tmp_path / "kam.duckdb"
    with store.open_db(db):
        pass
    result = cli("import", "sales", str(REALDATA / "online_retail_uci_2010-12-01.csv"), "--db", str(db),
                 "--create-accounts", "--json")
    assert result.returncode == 3
    payload = json.loads(result.stdout)
    rows_missing_customer = [p for p in payload["problems"] if p["column"] == "account_id"]
    assert rows_missing_customer and all(isinstance(p["row"], int) for p in rows_missing_customer)
    assert query(db, "select count(*) from sales") == [(0,)]
