"""Projects KPIs (docs/kpis.md#projects) on hand-typed rows; the arithmetic is in the comments."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from kam_metrics.domain.filters import Filters
from kam_metrics.metrics.projects import compute_project_list, compute_project_summary
from kam_metrics.store.connection import open_db

Q2 = Filters(start=date(2025, 4, 1), end=date(2025, 6, 30))

# account_id, account_name, owner
ACCOUNTS = [("A1", "甲公司", "张三"), ("A2", "乙公司", "李四")]
# project_id, account_id, status, start_date, planned_end, forecast_end, actual_end, progress_pct,
# contract_value, feedback_score, issue_note
PROJECTS = [
    ("P1", "A1", "completed", date(2025, 1, 1), date(2025, 3, 31), None, date(2025, 3, 20), 100, 100.0, 5.0, None),
    ("P2", "A1", "completed", date(2025, 1, 1), date(2025, 4, 30), None, date(2025, 5, 10), 100, 200.0, 3.0, None),
    ("P3", "A1", "in_progress", date(2025, 1, 1), date(2025, 12, 31), None, None, 10, None, None, "人手不足"),
    ("P4", "A1", "in_progress", date(2025, 5, 1), None, None, None, 50, None, None, None),  # no planned end
    ("P5", "A1", "blocked", date(2025, 2, 1), date(2025, 8, 31), date(2025, 9, 30), None, 40, None, None, "接口问题"),
    # completed after the period end: still in progress as of 2025-06-30
    ("P6", "A1", "completed", date(2025, 3, 1), date(2025, 7, 31), None, date(2025, 7, 15), 90, 70.0, 4.0, None),
    ("P7", "A1", "completed", date(2025, 2, 1), None, None, date(2025, 6, 1), 100, 50.0, None, None),
    ("P8", "A2", "planned", date(2025, 9, 1), date(2025, 12, 31), None, None, 0, None, None, None),
    ("P9", "A2", "cancelled", date(2025, 1, 1), date(2025, 3, 1), None, None, 0, None, None, None),
]


@pytest.fixture()
def projects_db(tmp_path: Path) -> Path:
    path = tmp_path / "projects.duckdb"
    with open_db(path) as con:
        con.executemany("insert into accounts (account_id, account_name, owner) values (?, ?, ?)", ACCOUNTS)
        con.executemany(
            "insert into projects (project_id, account_id, project_name, status, start_date, planned_end, forecast_end, "
            "actual_end, progress_pct, contract_value, feedback_score, issue_note) "
            "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(p[0], p[1], f"项目{p[0]}", *p[2:]) for p in PROJECTS],
        )
    return path


def test_project_summary_as_of_the_period_end(projects_db):
    with open_db(projects_db, read_only=True) as con:
        s = compute_project_summary(con, Q2)
    assert s["count_projects"] == 9
    # P6 completed on 2025-07-15, after the end: in progress then
    assert (s["count_planned"], s["count_in_progress"], s["count_completed"]) == (1, 3, 3)
    assert (s["count_on_hold"], s["count_blocked"], s["count_cancelled"]) == (0, 1, 1)
    assert s["count_unscheduled"] == 2  # P4, P7
    # completed with a planned end: P1 (on time, 3-20 ≤ 3-31), P2 (late, 5-10 > 4-30); P7 unscheduled
    assert (s["count_completed_scheduled"], s["count_on_time"]) == (2, 1)
    assert s["on_time_rate"] == pytest.approx(0.5)
    assert s["mean_late_slip_days"] == pytest.approx(10)  # P2: 5-10 − 4-30
    assert s["count_at_risk"] == 2  # P3 (behind), P5 (blocked and slipping)
    assert s["count_slipping"] == 1  # P5: forecast 9-30 − planned 8-31 = 30 days
    assert s["completed_revenue"] == pytest.approx(350.0)  # P1 100 + P2 200 + P7 50 (P6 not yet)
    assert s["mean_feedback_score"] == pytest.approx(4.0)  # (5 + 3) / 2; P7 gave none
    assert s["count_feedback"] == 2


def test_project_list_flags(projects_db):
    with open_db(projects_db, read_only=True) as con:
        rows = compute_project_list(con, Q2).set_index("project_id")
    # P3: 180 of 364 planned days elapsed (1-1 → 6-30 of 1-1 → 12-31) = 49.45 %, progress 10: 39 points behind
    assert rows.loc["P3", "elapsed_pct"] == pytest.approx(100 * 180 / 364)
    assert bool(rows.loc["P3", "is_behind"]) and bool(rows.loc["P3", "is_at_risk"])
    assert pd_isna(rows.loc["P3", "slip_days"])  # no forecast and not finished: slip unknown
    # P4 has no planned end: unscheduled, no elapsed share, no slip, not at risk
    assert bool(rows.loc["P4", "is_unscheduled"]) and pd_isna(rows.loc["P4", "elapsed_pct"])
    assert not bool(rows.loc["P4", "is_at_risk"])
    assert rows.loc["P5", "slip_days"] == 30 and bool(rows.loc["P5", "is_blocked"])
    # P6: 121 of 152 days (3-1 → 6-30 of 3-1 → 7-31) = 79.6 %, progress 90: not behind
    assert rows.loc["P6", "status"] == "in_progress" and not bool(rows.loc["P6", "is_at_risk"])
    assert pd_isna(rows.loc["P6", "actual_end"])
    assert rows.loc["P2", "slip_days"] == 10 and not bool(rows.loc["P2", "is_at_risk"])  # finished: history
    assert rows.loc["P1", "slip_days"] == -11
    assert rows.loc["P8", "status"] == "planned" and not bool(rows.loc["P9", "is_open"])
    assert list(rows.index[:2]) == ["P5", "P3"]  # at risk first, largest slip first


def test_no_completed_scheduled_project_gives_no_on_time_rate(projects_db):
    with open_db(projects_db, read_only=True) as con:
        s = compute_project_summary(con, Filters(start=Q2.start, end=Q2.end, owners=("李四",)))
    assert s["count_projects"] == 2 and s["on_time_rate"] is None  # P8 planned, P9 cancelled
    assert s["mean_feedback_score"] is None


def pd_isna(value) -> bool:
    import pandas as pd

    return bool(pd.isna(value))
