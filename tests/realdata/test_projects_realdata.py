"""USAID SCMS delivery history (../shared/realdata/scms_delivery_history.csv) imported as projects through a
mapping, and its on-time rate. Skipped, with the reason printed, when the folder is absent.

Each delivery line is a project: ID → project_id, Country → account_id (accounts created from that column),
Item Description → project_name, Scheduled Delivery Date → planned_end, Delivered to Client Date →
actual_end, Line Item Value → contract_value (the last three by the importer's own aliases; dates are
DD-Mon-YY). The file has no status: the importer derives it from the dates. Accounts are created from the
mapped Country column (--create-accounts).
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb
import pytest

from kam_metrics.domain.filters import Filters
from kam_metrics.metrics.projects import compute_project_list, compute_project_summary

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT.parent / "shared" / "realdata" / "scms_delivery_history.csv"

if not SOURCE.exists():
    print(f"skipping the SCMS projects test: {SOURCE} is not present")
pytestmark = pytest.mark.skipif(not SOURCE.exists(), reason=f"real data file {SOURCE} is not present")

def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kam_metrics", *args], cwd=ROOT, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def scms_import(tmp_path_factory):
    """The SCMS file imported once into a database holding nothing else (no sales)."""
    db = tmp_path_factory.mktemp("scms") / "kam.duckdb"
    result = cli("import", "projects", str(SOURCE), "--db", str(db), "--json", "--create-accounts",
                 "--map", "ID=project_id", "--map", "Country=account_id", "--map", "Item Description=project_name",
                 "--map", "PO Sent to Vendor Date=-")
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    return db, json.loads(result.stdout)


def test_scms_deliveries_as_projects_and_their_on_time_rate(scms_import):
    db, payload = scms_import
    assert payload["rows_inserted"] == 10324
    assert payload["accounts_created"] == 43  # one per country
    assert payload["date_orders"]["planned_end"] == "dmy" and payload["date_orders"]["actual_end"] == "dmy"
    assert any("derived from the dates" in n for n in payload["notices"])

    with duckdb.connect(str(db), read_only=True) as con:
        filters = Filters(start=date(2006, 1, 1), end=date(2015, 12, 31))
        summary = compute_project_summary(con, filters)
        slips = compute_project_list(con, filters)["slip_days"]
        check = con.execute(
            "select count(*) filter (where actual_end <= planned_end), count(*) filter (where actual_end > planned_end) "
            "from projects"
        ).fetchall()[0]
    # every line has a delivered date: all completed, all scheduled
    assert summary["count_completed"] == summary["count_completed_scheduled"] == 10324
    assert summary["count_on_time"] == check[0] == 9138
    assert summary["on_time_rate"] == pytest.approx(9138 / 10324)  # 88.5 %
    assert int((slips > 0).sum()) == check[1] == 1186
    assert summary["mean_late_slip_days"] == pytest.approx(21.37, abs=0.01)
    assert (int(slips.max()), int(slips.min()), float(slips.median())) == (192, -372, 0.0)
    print(f"SCMS deliveries: on-time rate {summary['on_time_rate']:.1%}, {check[1]} late by "
          f"{summary['mean_late_slip_days']:.1f} days on average (max {int(slips.max())})")


def test_projects_page_shows_the_scms_on_time_rate_without_any_sales(scms_import, monkeypatch):
    """A database holding only the SCMS projects: the Projects page anchors its period on the latest
    delivery (there is no order date) and shows the on-time rate kam_metrics computes for that period."""
    from app_support import run_app

    from kam_metrics.i18n import format_percent

    db, _ = scms_import
    at = run_app(monkeypatch, db, page="pages/07_projects.py", lang="zh")
    assert not at.exception
    filters = at.session_state["kam_filters"]
    with duckdb.connect(str(db), read_only=True) as con:
        latest_delivery = con.execute("select max(actual_end) from projects").fetchall()[0][0]
        summary = compute_project_summary(con, filters)
    assert filters.start <= latest_delivery <= filters.end  # the period is anchored on the activity
    shown = {m.label: m.value for m in at.metric}
    assert shown["按期完成率"] == format_percent(summary["on_time_rate"]) == "88.5%"
    # pages about sales still say there are no sales rather than showing zeros
    at.switch_page("pages/01_overview.py").run()
    assert not at.exception
    assert any("还没有销售数据" in i.value for i in at.info)
