"""Figure builders of the Projects, Service and Pipeline pages: titles state the finding, empty in → None."""

from __future__ import annotations

from datetime import date

import pandas as pd

from kam_app.charts import operations as charts


def test_timeline_title_counts_every_scheduled_project_and_empty_gives_none():
    projects = pd.DataFrame(
        {
            "project_name": ["甲", "乙", "丙"],
            "account_name": ["A", "B", "C"],
            "status": ["completed", "in_progress", "in_progress"],
            "start_date": [date(2025, 1, 1), date(2025, 2, 1), date(2025, 3, 1)],
            "planned_end": [date(2025, 3, 1), date(2025, 6, 1), date(2025, 9, 1)],
            "end_date": [date(2025, 3, 11), date(2025, 5, 1), None],
            "slip_days": [10, -31, None],
            "is_at_risk": [False, False, False],
        }
    )
    # 1 of 3 scheduled projects slips (甲, 10 days); only the first row is drawn
    title = charts.build_project_timeline_figure(projects, lang="en", limit=1).layout.title.text
    assert title == "1 of 3 scheduled projects slip, by up to 10 days"
    assert charts.build_project_timeline_figure(projects.iloc[0:0], lang="en") is None


def test_service_and_pipeline_builders_are_empty_without_rows():
    assert charts.build_complaints_figure(pd.DataFrame({"account_name": [], "count_complaints": []}), lang="zh") is None
    summary = {"count_compliant": 0, "count_key_accounts": 0, "cadence_compliance": None}
    assert charts.build_cadence_figure(pd.DataFrame({"is_call_ok": [], "is_visit_ok": []}), summary, lang="zh") is None
    funnel = pd.DataFrame({"stage": ["lead"], "count_reached": [0], "conversion": [None]})
    assert charts.build_funnel_figure(funnel, lang="en") is None


def test_funnel_title_states_the_overall_conversion():
    funnel = pd.DataFrame(
        {
            "stage": ["lead", "initiation", "proposal", "bidding", "negotiation", "won"],
            "count_reached": [10, 8, 6, 4, 3, 2],
            "conversion": [None, 0.8, 0.75, 4 / 6, 0.75, 2 / 3],
        }
    )
    assert charts.build_funnel_figure(funnel, lang="en").layout.title.text == "2 of 10 opportunities reached signing (20.0%)"
