"""Pipeline KPIs (docs/kpis.md#pipeline) on hand-typed rows; the arithmetic is in the comments."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from kam_metrics.domain.filters import Filters
from kam_metrics.metrics.pipeline import (
    compute_funnel,
    compute_pipeline_by_owner,
    compute_pipeline_summary,
    compute_stale_opportunities,
)
from kam_metrics.store.connection import open_db

Q2 = Filters(start=date(2025, 4, 1), end=date(2025, 6, 30))  # stale: stage unchanged before 2025-05-01

ACCOUNTS = [("A1", "甲公司", "张三"), ("A2", "乙公司", "李四")]
# opportunity_id, account_id, prospect_name, stage, lost_at_stage, stage_changed_on, amount, probability,
# created_on, closed_on
OPPORTUNITIES = [
    ("O1", "A1", None, "lead", None, date(2025, 6, 1), 100.0, 0.1, date(2025, 6, 1), None),
    ("O2", "A1", None, "proposal", None, date(2025, 4, 15), 200.0, 0.5, date(2025, 3, 1), None),  # stale, 76 days
    ("O3", "A2", None, "negotiation", None, date(2025, 6, 20), 300.0, None, date(2025, 2, 1), None),  # no probability
    ("O4", "A1", None, "won", None, date(2025, 5, 1), 400.0, 1.0, date(2025, 1, 1), date(2025, 5, 1)),  # 120 days
    ("O5", "A2", None, "lost", "bidding", date(2025, 6, 10), 500.0, 0.0, date(2025, 3, 1), date(2025, 6, 10)),  # 101
    # a prospect lost at the first stage, closed_on missing: closed when its stage changed (19 days)
    ("O6", None, "新客户X", "lost", "lead", date(2025, 4, 20), 50.0, None, date(2025, 4, 1), None),
    ("O7", "A1", None, "won", None, date(2025, 3, 15), 70.0, 1.0, date(2024, 12, 1), date(2025, 3, 15)),  # before Q2
    ("O8", "A2", None, "lead", None, date(2025, 7, 10), 80.0, 0.1, date(2025, 7, 10), None),  # after the end
]


@pytest.fixture()
def pipeline_db(tmp_path: Path) -> Path:
    path = tmp_path / "pipeline.duckdb"
    with open_db(path) as con:
        con.executemany("insert into accounts (account_id, account_name, owner) values (?, ?, ?)", ACCOUNTS)
        con.executemany(
            "insert into opportunities (opportunity_id, account_id, prospect_name, stage, lost_at_stage, "
            "stage_changed_on, amount, probability, created_on, closed_on) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            OPPORTUNITIES,
        )
    return path


def test_funnel_counts_the_stage_reached(pipeline_db):
    with open_db(pipeline_db, read_only=True) as con:
        funnel = compute_funnel(con, Q2)
    assert list(funnel["stage"]) == ["lead", "initiation", "proposal", "bidding", "negotiation", "won"]
    # reached: O1 lead, O2 proposal, O3 negotiation, O4 and O7 every stage, O5 bidding (lost there), O6 lead
    assert list(funnel["count_reached"]) == [7, 5, 5, 4, 3, 2]
    assert list(funnel["count_current"]) == [1, 0, 1, 0, 1, 2]
    assert list(funnel["amount_current"]) == [100.0, 0.0, 200.0, 0.0, 300.0, 470.0]
    assert list(funnel["count_lost_here"]) == [1, 0, 0, 1, 0, 0]  # O6 at lead, O5 at bidding
    assert funnel["conversion"].iloc[0] is None
    assert list(funnel["conversion"].iloc[1:]) == pytest.approx([5 / 7, 1.0, 4 / 5, 3 / 4, 2 / 3])


def test_pipeline_summary(pipeline_db):
    with open_db(pipeline_db, read_only=True) as con:
        s = compute_pipeline_summary(con, Q2)
    assert s["count_opportunities"] == 7  # O8 created after the end
    assert (s["count_open"], s["amount_open"]) == (3, 600.0)  # O1, O2, O3
    assert s["weighted_pipeline"] == pytest.approx(110.0)  # 100 × 0.1 + 200 × 0.5 + 300 × (missing → 0)
    assert s["count_open_without_probability"] == 1
    # closed in Q2: O4 won; O5 and O6 lost (O7 won in Q1)
    assert (s["count_won"], s["count_lost"], s["amount_won"]) == (1, 2, 400.0)
    assert s["win_rate"] == pytest.approx(1 / 3)
    assert s["mean_cycle_days"] == pytest.approx(80.0)  # (120 + 101 + 19) / 3
    assert s["count_stale"] == 1  # O2


def test_stale_list_and_owner_rollup(pipeline_db):
    with open_db(pipeline_db, read_only=True) as con:
        stale = compute_stale_opportunities(con, Q2)
        owners = compute_pipeline_by_owner(con, Q2).set_index("owner")
    assert list(stale["opportunity_id"]) == ["O2"] and list(stale["days_in_stage"]) == [76]  # 4-15 → 6-30
    assert owners.loc["张三", "weighted_pipeline"] == pytest.approx(110.0)
    assert owners.loc["张三", "win_rate"] == pytest.approx(1.0)  # O4 won, none lost
    assert owners.loc["李四", "win_rate"] == pytest.approx(0.0)  # O5 lost at bidding
    assert owners.loc["", "count_lost"] == 1  # the prospect O6


def test_segment_filter_leaves_prospects_out_and_empty_gives_none(pipeline_db):
    with open_db(pipeline_db, read_only=True) as con:
        s = compute_pipeline_summary(con, Filters(start=Q2.start, end=Q2.end, owners=("李四",)))
        empty = compute_pipeline_summary(con, Filters(start=date(2024, 1, 1), end=date(2024, 3, 31)))
    assert (s["count_won"], s["count_lost"], s["win_rate"]) == (0, 1, 0.0)  # O5 only; O6 is a prospect
    assert empty["count_opportunities"] == 0
    assert empty["win_rate"] is None and empty["mean_cycle_days"] is None
