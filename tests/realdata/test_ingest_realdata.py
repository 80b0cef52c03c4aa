"""Real public exports from ../shared/realdata through the importer (skipped, with the reason printed,
when that folder is not beside the repository)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from rows import query  # tests/support, on the path (tests/conftest.py)

from kam_metrics.store import connection as store

ROOT = Path(__file__).resolve().parents[2]
REALDATA = ROOT.parent / "shared" / "realdata"

pytestmark = pytest.mark.skipif(not REALDATA.is_dir(), reason=f"real data folder {REALDATA} is not present")


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kam_metrics", *args], cwd=ROOT, capture_output=True, text=True, timeout=600)


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


SOMERVILLE_ITEMS = (
    "item_code,dimension,weight,scale_min,scale_max,label_en\n"
    + "".join(f"X{i},service,1,1,5,Item {i}\n" for i in range(1, 7))
    + "Y,overall,1,0,1,Happy (1) or unhappy (0)\n"
)


def test_somerville_wide_anonymous_survey_with_a_bom(tmp_path):
    db = tmp_path / "kam.duckdb"
    items = tmp_path / "items.csv"
    items.write_text(SOMERVILLE_ITEMS, encoding="utf-8")
    assert cli("import", "survey_items", str(items), "--db", str(db)).returncode == 0
    result = cli("import", "survey_responses", str(REALDATA / "somerville_happiness_survey_2015.csv"), "--db", str(db),
                 "--wave", "2015", "--survey-date", "2015-06-30", "--json")
    assert result.returncode == 0, result.stderr[-2000:]
    payload = json.loads(result.stdout)
    assert payload["rows_read"] == 143 and payload["rows_inserted"] == 143 * 7
    assert query(db, "select count(distinct response_id), min(account_id), max(account_id) from survey_responses") == [(143, "", "")]
    assert query(db, "select count(*) from survey_responses where item_code = 'Y' and score not in (0, 1)") == [(0,)]
    from kam_metrics.metrics.satisfaction import compute_wave_overall

    con = duckdb.connect(str(db), read_only=True)
    try:
        overall = compute_wave_overall(con, "2015")
        means = con.execute("select avg(score) * 20 from survey_responses where item_code like 'X%' group by item_code order by item_code").fetchall()
    finally:
        con.close()
    # every X item weighs 1 and no answer is blank, so the index is the mean of the item means × 100 / 5
    assert overall["n_valid"] == 143
    assert overall["overall_index"] == pytest.approx(sum(m[0] for m in means) / 6)


def test_somerville_without_item_definitions_creates_them_with_the_declared_scales(tmp_path):
    """No scale is guessed from the answers: the 0/1 item D (happy or not) answered under the default 1-5
    is a problem naming its column and the --scale to declare; declared, every item is created."""
    db = tmp_path / "kam.duckdb"
    file = str(REALDATA / "somerville_happiness_survey_2015.csv")
    refused = cli("import", "survey_responses", file, "--db", str(db), "--wave", "2015", "--survey-date", "2015-06-30", "--json")
    assert refused.returncode == 3
    problems = json.loads(refused.stdout)["problems"]
    assert problems and {p["column"] for p in problems} == {"Y"}
    assert '--scale "Y=0-1"' in problems[0]["fix"] and "--na-values 0" in problems[0]["fix"]
    result = cli("import", "survey_responses", file, "--db", str(db),
                 "--wave", "2015", "--survey-date", "2015-06-30", "--scale", "1-5", "--scale", "Y=0-1", "--json")
    assert result.returncode == 0, result.stderr[-2000:]
    assert query(db, "select item_code, scale_min, scale_max from survey_items order by item_code") == (
        [(f"X{i}", 1, 5) for i in range(1, 7)] + [("Y", 0, 1)]
    )
    undo = cli("undo", str(json.loads(result.stdout)["import_id"]), "--db", str(db))
    assert undo.returncode == 0
    assert query(db, "select count(*) from survey_items") == [(0,)]


def test_a_0_to_10_survey_into_1_to_5_items_is_rejected(tmp_path):
    db = tmp_path / "kam.duckdb"
    items = tmp_path / "items.csv"
    items.write_text("item_code,dimension,weight\nsat1,overall,1\nsat2,overall,1\nsat3,overall,1\n", encoding="utf-8")
    assert cli("import", "survey_items", str(items), "--db", str(db)).returncode == 0
    result = cli("import", "survey_responses", str(REALDATA / "plspm_satisfaction_survey.csv"), "--db", str(db),
                 "--wave", "2020", "--survey-date", "2020-01-31", "--json")
    assert result.returncode == 3
    problems = json.loads(result.stdout)["problems"]
    # a wide survey: each problem names the file's column (the item), and the fix the scale that fits
    # (sat1-3 defined 1-5 above; the other items new, on the default 1-5)
    assert {"sat1", "sat2", "sat3", "imag1"} <= {p["column"] for p in problems}
    assert all("0-10" in p["fix"] for p in problems)
    assert query(db, "select count(*) from survey_responses") == [(0,)]
