"""Service and relationship KPIs (docs/kpis.md#service-and-relationship) on hand-typed rows."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from kam_metrics.domain.filters import Filters
from kam_metrics.metrics.service import (
    compute_cadence,
    compute_complaints_by_account,
    compute_service_monthly,
    compute_service_summary,
    compute_unanswered_tickets,
    summarize_cadence,
)
from kam_metrics.store.connection import open_db

Q2 = Filters(start=date(2025, 4, 1), end=date(2025, 6, 30))

# account_id, account_name, owner, is_key_account
ACCOUNTS = [
    ("A1", "甲公司", "张三", None),  # class A (1000 of 1510 in 12 months)
    ("A2", "乙公司", "李四", None),  # class A (share before it 1000/1510 = 66 % < 80 %)
    ("A3", "丙公司", "张三", None),  # class C: not a key account
    ("A4", "丁公司", "李四", True),  # key account by flag, no sales
    ("A5", "戊公司", "李四", True),
]
# order_id, account_id, order_date, amount (all in Q2: three active accounts)
SALES = [("S1", "A1", date(2025, 4, 5), 1000.0), ("S2", "A2", date(2025, 5, 5), 500.0), ("S3", "A3", date(2025, 6, 5), 10.0)]
# interaction_id, account_id, kind, opened_at, first_response_at, resolved_at
INTERACTIONS = [
    ("T1", "A1", "complaint", "2025-04-01 08:00", "2025-04-01 10:00", "2025-04-02 08:00"),  # 2 h, 24 h
    ("T2", "A1", "request", "2025-05-01 00:00", "2025-05-02 06:00", "2025-05-03 00:00"),  # 30 h, 48 h
    ("T3", "A2", "complaint", "2025-05-10 12:00", None, None),  # never answered
    ("T4", "A2", "complaint", "2025-06-30 20:00", "2025-07-01 02:00", None),  # answered after the end
    ("T5", "A1", "complaint", "2025-03-31 09:00", "2025-03-31 10:00", None),  # before the period
    # cadence, as of 2025-06-30 (call ≤ 31 days, visit ≤ 92 days)
    ("C1", "A1", "call", "2025-06-01 10:00", None, None),  # 29 days
    ("V1", "A1", "visit", "2025-04-01 10:00", None, None),  # 90 days
    ("V2", "A2", "visit", "2025-06-15 10:00", None, None),  # an A account with a visit but no call
    ("C4", "A4", "call", "2025-05-30 10:00", None, None),  # 31 days: still on time
    ("V4", "A4", "visit", "2025-03-30 10:00", None, None),  # 92 days: still on time
    ("V4b", "A4", "visit", "2025-07-05 10:00", None, None),  # after the end: ignored
    ("C5", "A5", "call", "2025-05-29 10:00", None, None),  # 32 days: overdue; no visit at all
]


@pytest.fixture()
def service_db(tmp_path: Path) -> Path:
    path = tmp_path / "service.duckdb"
    with open_db(path) as con:
        con.executemany(
            "insert into accounts (account_id, account_name, owner, is_key_account) values (?, ?, ?, ?)", ACCOUNTS
        )
        con.executemany(
            "insert into sales (order_id, line_no, account_id, order_date, quantity, amount) values (?, 1, ?, ?, 1, ?)",
            SALES,
        )
        con.executemany(
            "insert into interactions (interaction_id, account_id, kind, opened_at, first_response_at, resolved_at) "
            "values (?, ?, ?, ?, ?, ?)",
            INTERACTIONS,
        )
    return path


def test_service_summary(service_db):
    with open_db(service_db, read_only=True) as con:
        s = compute_service_summary(con, Q2)
    assert (s["count_tickets"], s["count_complaints"]) == (4, 3)  # T1-T4; T5 opened before the period
    assert s["count_unanswered"] == 2  # T3 never, T4 only after the period end
    assert s["count_unresolved"] == 2  # T3, T4
    # answered: 2 h and 30 h → median 16; p90 = 2 + 0.9 × 28 = 27.2
    assert s["median_response_hours"] == pytest.approx(16.0)
    assert s["p90_response_hours"] == pytest.approx(27.2)
    # resolved: 24 h and 48 h → median 36; p90 = 24 + 0.9 × 24 = 45.6
    assert s["median_resolution_hours"] == pytest.approx(36.0)
    assert s["p90_resolution_hours"] == pytest.approx(45.6)
    assert s["sla_compliance"] == pytest.approx(0.25)  # only T1 within 24 h of 4; unanswered are late
    assert s["count_active_accounts"] == 3
    assert s["complaints_per_active_account"] == pytest.approx(1.0)  # 3 complaints / 3 active accounts


def test_service_monthly_and_lists(service_db):
    with open_db(service_db, read_only=True) as con:
        monthly = compute_service_monthly(con, Q2)
        by_account = compute_complaints_by_account(con, Q2)
        unanswered = compute_unanswered_tickets(con, Q2)
    assert [m.month for m in monthly["month"]] == [4, 5, 6]
    assert list(monthly["count_tickets"]) == [1, 2, 1]
    assert list(monthly["sla_compliance"]) == [1.0, 0.0, 0.0]  # April T1; May T2 30 h, T3 never; June T4
    assert monthly["median_response_hours"].isna().tolist() == [False, False, True]
    assert list(by_account["account_id"]) == ["A2", "A1"]  # A2 two complaints, A1 one (T2 is a request)
    assert list(by_account["count_complaints"]) == [2, 1]
    assert list(unanswered["interaction_id"]) == ["T3", "T4"]
    # T3: 2025-05-10 12:00 → 2025-07-01 00:00 = 51.5 days = 1236 h; T4: 4 h
    assert list(unanswered["hours_open"]) == pytest.approx([1236.0, 4.0])


def test_no_ticket_gives_no_ratio(service_db):
    with open_db(service_db, read_only=True) as con:
        s = compute_service_summary(con, Filters(start=date(2024, 1, 1), end=date(2024, 3, 31)))
    assert s["count_tickets"] == 0 and s["sla_compliance"] is None and s["median_response_hours"] is None
    assert s["complaints_per_active_account"] is None  # no active account


def test_cadence_of_key_accounts(service_db):
    with open_db(service_db, read_only=True) as con:
        cadence = compute_cadence(con, Q2).set_index("account_id")
    assert sorted(cadence.index) == ["A1", "A2", "A4", "A5"]  # A3 is class C
    assert (cadence.loc["A1", "days_since_call"], cadence.loc["A1", "days_since_visit"]) == (29, 90)
    assert bool(cadence.loc["A1", "is_compliant"])
    # A2: visited 15 days ago but never called
    assert cadence.loc["A2", "days_since_visit"] == 15 and cadence.isna().loc["A2", "days_since_call"]
    assert not bool(cadence.loc["A2", "is_call_ok"]) and not bool(cadence.loc["A2", "is_compliant"])
    assert (cadence.loc["A4", "days_since_call"], cadence.loc["A4", "days_since_visit"]) == (31, 92)
    assert bool(cadence.loc["A4", "is_compliant"])  # both on the limit
    assert not bool(cadence.loc["A5", "is_call_ok"]) and not bool(cadence.loc["A5", "is_visit_ok"])
    summary = summarize_cadence(cadence.reset_index())
    assert summary["count_key_accounts"] == 4 and summary["count_compliant"] == 2
    assert summary["cadence_compliance"] == pytest.approx(0.5)  # A1, A4 of 4
    assert (summary["count_call_overdue"], summary["count_visit_overdue"]) == (2, 1)  # A2, A5; A5


def test_cadence_without_key_accounts_has_no_compliance(service_db):
    with open_db(service_db, read_only=True) as con:
        cadence = compute_cadence(con, Filters(start=Q2.start, end=Q2.end, accounts=("A3",)))
    assert cadence.empty and summarize_cadence(cadence)["cadence_compliance"] is None
