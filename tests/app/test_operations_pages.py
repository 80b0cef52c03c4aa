"""AppTests of the Projects, Service and Pipeline pages: no exception, and the numbers shown
equal the kam_metrics values for the same filters. Rows are hand-typed here, on top of conftest's hand_db
(whose latest order, 2025-06-30, makes the default period 2025 Q2)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from app_support import run_app

from kam_metrics.domain.filters import Filters
from kam_metrics.i18n import format_money, format_percent
from kam_metrics.store.connection import open_db

Q2 = Filters(start=date(2025, 4, 1), end=date(2025, 6, 30))

PROJECTS = [
    # project_id, account_id, project_name, status, start_date, planned_end, forecast_end, actual_end, progress_pct,
    # contract_value, feedback_score, issue_note
    ("P1", "A1", "产线改造", "completed", date(2025, 1, 1), date(2025, 3, 31), None, date(2025, 3, 20), 100, 100.0, 5.0, None),
    ("P2", "A2", "仓储系统", "completed", date(2025, 1, 1), date(2025, 4, 30), None, date(2025, 5, 10), 100, 200.0, 3.0, None),
    ("P3", "A1", "数据平台", "blocked", date(2025, 2, 1), date(2025, 8, 31), date(2025, 9, 30), None, 40, None, None, "接口问题"),
    ("P4", "A3", "无计划项目", "in_progress", date(2025, 5, 1), None, None, None, 50, None, None, None),
]
INTERACTIONS = [
    # interaction_id, account_id, kind, opened_at, first_response_at, resolved_at
    ("T1", "A1", "complaint", "2025-04-01 08:00", "2025-04-01 10:00", "2025-04-02 08:00"),
    ("T2", "A2", "complaint", "2025-05-10 12:00", None, None),  # never answered
    ("T3", "A2", "request", "2025-06-01 00:00", "2025-06-02 06:00", "2025-06-03 00:00"),
    ("C1", "A1", "call", "2025-06-01 10:00", None, None),
    ("V2", "A2", "visit", "2025-06-15 10:00", None, None),  # a visit but no call
]
OPPORTUNITIES = [
    # opportunity_id, account_id, stage, lost_at_stage, stage_changed_on, amount, probability, created_on, closed_on
    ("O1", "A1", "proposal", None, date(2025, 3, 1), 200.0, 0.5, date(2025, 2, 1), None),  # stale
    ("O2", "A1", "won", None, date(2025, 5, 1), 400.0, 1.0, date(2025, 1, 1), date(2025, 5, 1)),
    ("O3", "A2", "lost", "bidding", date(2025, 6, 10), 500.0, 0.0, date(2025, 3, 1), date(2025, 6, 10)),
    ("O4", "A2", "lead", None, date(2025, 6, 20), 100.0, 0.2, date(2025, 6, 20), None),
]


@pytest.fixture()
def ops_db(hand_db: Path) -> Path:
    with open_db(hand_db) as con:
        con.executemany(
            "insert into projects (project_id, account_id, project_name, status, start_date, planned_end, forecast_end, "
            "actual_end, progress_pct, contract_value, feedback_score, issue_note) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            PROJECTS,
        )
        con.executemany(
            "insert into interactions (interaction_id, account_id, kind, opened_at, first_response_at, resolved_at) "
            "values (?, ?, ?, ?, ?, ?)",
            INTERACTIONS,
        )
        con.executemany(
            "insert into opportunities (opportunity_id, account_id, stage, lost_at_stage, stage_changed_on, amount, "
            "probability, created_on, closed_on) values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            OPPORTUNITIES,
        )
    return hand_db


def _cards(at) -> dict[str, str]:
    assert not at.exception, [e.value for e in at.exception]
    return {m.label: m.value for m in at.metric}


def test_projects_page_shows_the_kam_metrics_figures(monkeypatch, ops_db):
    from kam_metrics.metrics.projects import compute_project_summary

    with open_db(ops_db, read_only=True) as con:
        s = compute_project_summary(con, Q2)
    at = run_app(monkeypatch, ops_db, "pages/07_projects.py")
    cards = _cards(at)
    assert cards["项目数"] == str(s["count_projects"]) == "4"
    assert cards["风险项目"] == str(s["count_at_risk"]) == "1"  # P3 blocked and slipping 30 days
    assert cards["按期完成率"] == format_percent(s["on_time_rate"]) == "50.0%"  # P1 on time, P2 late
    assert cards["无计划日期"] == "1"  # P4
    assert cards["已完成项目收益"] == format_money(s["completed_revenue"], "zh") == "¥300"
    assert cards["平均客户反馈"] == "4.0"
    assert at.title[0].value == "合作项目进展"


def test_service_page_shows_the_kam_metrics_figures(monkeypatch, ops_db):
    from kam_metrics.metrics.service import compute_cadence, compute_service_summary, summarize_cadence

    with open_db(ops_db, read_only=True) as con:
        s = compute_service_summary(con, Q2)
        cadence = summarize_cadence(compute_cadence(con, Q2))
    at = run_app(monkeypatch, ops_db, "pages/08_service.py")
    cards = _cards(at)
    assert cards["服务单"] == str(s["count_tickets"]) == "3"
    assert cards["未响应"] == "1"  # T2 never answered
    # answered 2 h and 30 h: median 16
    assert cards["首次响应中位数"] == f"{s['median_response_hours']:,.1f} h" == "16.0 h"
    assert cards["SLA 达标率"] == format_percent(s["sla_compliance"]) == "33.3%"  # T1 only of 3
    assert cards["重点客户维护达标率"] == format_percent(cadence["cadence_compliance"])


def test_pipeline_page_shows_the_kam_metrics_figures(monkeypatch, ops_db):
    from kam_metrics.metrics.pipeline import compute_pipeline_summary

    with open_db(ops_db, read_only=True) as con:
        s = compute_pipeline_summary(con, Q2)
    at = run_app(monkeypatch, ops_db, "pages/09_pipeline.py")
    cards = _cards(at)
    assert cards["在跟商机"] == "2"  # O1, O4
    assert cards["加权商机金额"] == format_money(s["weighted_pipeline"], "zh") == "¥120"  # 200 × 0.5 + 100 × 0.2
    assert cards["赢单率"] == format_percent(s["win_rate"]) == "50.0%"  # O2 won, O3 lost at bidding
    assert cards["停滞商机"] == "1"  # O1, unchanged since 2025-03-01


@pytest.mark.parametrize(
    ("page", "needle"),
    [("pages/07_projects.py", "合作项目"), ("pages/08_service.py", "服务与回访"), ("pages/09_pipeline.py", "商机")],
)
def test_pages_say_what_to_upload_when_the_table_is_empty(monkeypatch, hand_db, page, needle):
    at = run_app(monkeypatch, hand_db, page)
    assert not at.exception, [e.value for e in at.exception]
    assert any(needle in info.value for info in at.info), [i.value for i in at.info]


def test_team_page_shows_pipeline_per_owner(monkeypatch, ops_db):
    at = run_app(monkeypatch, ops_db, "pages/05_team.py")
    assert not at.exception, [e.value for e in at.exception]
    assert "各客户经理的商机" in [h.value for h in at.subheader]
    frames = [d.value for d in at.dataframe]
    pipeline = next(f for f in frames if "weighted_pipeline" in f.columns).set_index("owner")
    # 张三 owns A1: O1 open 200 × 0.5 = 100 weighted; O2 won. 李四 owns A2: O4 100 × 0.2 = 20; O3 lost
    assert pipeline.loc["张三", "weighted_pipeline"] == pytest.approx(100.0)
    assert pipeline.loc["李四", "weighted_pipeline"] == pytest.approx(20.0)
    assert pipeline.loc["李四", "win_rate"] == pytest.approx(0.0)


def test_account_360_shows_projects_and_service(monkeypatch, ops_db):
    from app_support import ROOT
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("KAM_DB", str(ops_db))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.query_params["account"] = "A2"
    at.run()
    at.switch_page("pages/04_account_360.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    cards = {m.label: m.value for m in at.metric}
    # A2 (class A: a key account) was visited on 2025-06-15, 15 days before the period end, never called
    assert cards["距上次拜访(天)"] == "15"
    assert cards["距上次回访(天)"] == "—"
    assert cards["服务单"] == "2"  # T2 complaint (never answered), T3 request
    assert cards["未响应"] == "1"
    frames = [d.value for d in at.dataframe]
    projects = next(f for f in frames if "slip_days" in f.columns)
    assert list(projects["project_name"]) == ["仓储系统"] and list(projects["slip_days"]) == [10]  # 5-10 − 4-30
