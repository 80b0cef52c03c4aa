"""Unit tests of the sales KPIs (sales, classification, loyalty, accounts, team) on the hand-typed
rows of conftest.py (``hand_db``; ``extra_db`` adds churn, referrals, groups, products, interactions),
with the arithmetic written out. 2025 Q2 is compared with 2025 Q1 unless stated."""

from __future__ import annotations

from datetime import date

import pytest

from kam_metrics.domain.filters import Filters
from kam_metrics.metrics.accounts import (
    compute_abc_summary,
    compute_account_list,
    compute_account_profile,
    compute_classification_matrix,
    compute_group_rollup,
    compute_key_account_summary,
    compute_pareto,
    compute_products,
    search_accounts,
)
from kam_metrics.metrics.kpi import compute_kpis
from kam_metrics.metrics.loyalty import (
    compute_lost_accounts,
    compute_nps,
    compute_order_intervals,
    compute_referrals,
    compute_retention,
)
from kam_metrics.metrics.sales import (
    compute_abc_classes,
    compute_growth_bridge,
    compute_revenue_by,
    compute_revenue_trend,
    compute_target,
    compute_target_by,
)
from kam_metrics.metrics.team import compute_team
from kam_metrics.store.connection import open_db

Q2 = Filters(start=date(2025, 4, 1), end=date(2025, 6, 30))
EMPTY = Filters(start=date(2020, 1, 1), end=date(2020, 3, 31))
approx = pytest.approx


# --- sales performance -------------------------------------------------------------------------------


def test_target_by_owner(hand_db):
    # 张三: A1 2300 + A3 300 = 2600 (volume 10+5+8+2 = 25) against 2000; 李四: A2 400 + A5 50 = 450 against 1000
    with open_db(hand_db) as con:
        frame = compute_target_by(con, Q2, "owner")
    assert frame["key"].tolist() == ["张三", "李四"]
    assert frame["revenue"].tolist() == [2600.0, 450.0]
    assert frame["volume"].tolist() == [25.0, 5.0]
    assert frame["revenue_target"].tolist() == [2000.0, 1000.0]
    assert frame["completion"].tolist() == approx([1.3, 0.45])
    assert frame["gap"].tolist() == approx([600.0, -550.0])
    assert frame["is_prorated"].tolist() == [False, False]


def test_target_by_region_prorates_years_and_leaves_missing_targets_empty(hand_db):
    # 华东 2600 against 12000 x 91/365 = 2991.78 (pro-rated); 华南 400 against its Q2 row 500 (finest
    # grain wins over the year row); 华北 50 with no target row -> completion None, not 0
    with open_db(hand_db) as con:
        frame = compute_target_by(con, Q2, "region")
    assert frame["key"].tolist() == ["华东", "华南", "华北"]
    assert frame["revenue_target"].tolist()[:2] == approx([12000 * 91 / 365, 500.0])
    assert frame["revenue_target"].tolist()[2] is None
    assert frame["completion"].tolist()[:2] == approx([2600 / (12000 * 91 / 365), 0.8])
    assert frame["completion"].tolist()[2] is None
    assert frame["is_prorated"].tolist() == [True, False, False]


def test_target_by_owner_is_not_compared_under_other_segment_filters(hand_db):
    with open_db(hand_db) as con:
        frame = compute_target_by(con, Filters(start=Q2.start, end=Q2.end, industries=("制造业",)), "owner")
    assert frame["key"].tolist() == ["张三"]  # only 制造业 accounts (A1, A3)
    assert frame["revenue_target"].tolist() == [None]
    assert frame["completion"].tolist() == [None]


def test_target_pro_rated_across_a_quarter_boundary(extra_db):
    # 2025-03-16..2025-04-15 overlaps 16 of Q1's 90 days and 15 of Q2's 91 days.
    # 张三: 900 x 16/90 + 2000 x 15/91 = 160 + 329.67; 李四: 1000 x 15/91 = 164.84
    # actual: 张三 O4 300 (4-01) + O1 1500 (4-10) = 1800; 李四 O6 600 (3-31)
    period = Filters(start=date(2025, 3, 16), end=date(2025, 4, 15))
    with open_db(extra_db) as con:
        company = compute_target(con, period)
        by_owner = compute_target_by(con, period, "owner")
    assert company["level"] == "owner" and company["is_prorated"] is True
    assert company["revenue_target"] == approx(900 * 16 / 90 + 2000 * 15 / 91 + 1000 * 15 / 91)
    assert by_owner["key"].tolist() == ["张三", "李四"]
    assert by_owner["revenue"].tolist() == [1800.0, 600.0]
    assert by_owner["revenue_target"].tolist() == approx([900 * 16 / 90 + 2000 * 15 / 91, 1000 * 15 / 91])
    assert by_owner["is_prorated"].tolist() == [True, True]


def test_target_by_product_line(extra_db):
    # 设备: O1/1 1000 + O2 800 + O4 300 = 2100 against 2400; 服务: O1/2 500 + O3 400 = 900, no target;
    # O10 has no product line ('') 50
    with open_db(extra_db) as con:
        frame = compute_target_by(con, Q2, "product_line")
    assert frame["key"].tolist() == ["设备", "服务", ""]
    assert frame["revenue"].tolist() == [2100.0, 900.0, 50.0]
    assert frame["completion"].tolist() == [approx(2100 / 2400), None, None]


def test_target_by_rejects_unknown_level(hand_db):
    with open_db(hand_db) as con, pytest.raises(ValueError, match="unknown target level"):
        compute_target_by(con, Q2, "industry")


def test_revenue_trend_by_quarter_with_margin(hand_db):
    # Q1: O5 1000 + O6 600 + O7 300 = 1900, volume 19, 3 orders, cost 1000 -> margin 900/1900
    # Q2: 3050, volume 30, 5 orders; lines with a cost 2250, cost 1290 -> margin 960/2250
    with open_db(hand_db) as con:
        trend = compute_revenue_trend(con, Filters(start=date(2025, 1, 1), end=date(2025, 6, 30)), "quarter")
        empty = compute_revenue_trend(con, EMPTY, "month")
    assert trend["period_start"].astype(str).tolist() == ["2025-01-01", "2025-04-01"]
    assert trend["revenue"].tolist() == [1900.0, 3050.0]
    assert trend["volume"].tolist() == [19.0, 30.0]
    assert trend["count_orders"].tolist() == [3, 5]
    assert trend["gross_margin"].tolist() == approx([900 / 1900, 960 / 2250])
    assert empty.empty


def test_revenue_trend_rejects_unknown_grain(hand_db):
    with open_db(hand_db) as con, pytest.raises(ValueError, match="unknown trend grain"):
        compute_revenue_trend(con, Q2, "week'; drop table sales")


def test_growth_bridge_by_industry(hand_db):
    # 制造业 1000 -> 2600 (+1600), 物流 300 -> 50 (-250), 零售 600 -> 400 (-200); top 2 by size, rest "others"
    # 1900 + 1600 - 250 - 200 = 3050
    with open_db(hand_db) as con:
        bridge = compute_growth_bridge(compute_revenue_by(con, Q2, "industry"), top=2)
    assert bridge["kind"].tolist() == ["comparison", "segment", "segment", "others", "current"]
    assert bridge["segment"].tolist() == ["", "制造业", "物流", "", ""]
    assert bridge["change"].tolist() == approx([1900.0, 1600.0, -250.0, -200.0, 3050.0])


# --- classification ----------------------------------------------------------------------------------


def test_an_account_exactly_at_the_80_percent_line_is_class_a(tmp_path):
    # 12-month revenue 50, 30, 15, 5 of 100: cumulative 50 %, 80 % (exactly), 95 % (exactly), 100 %.
    # The one reaching 80 % is A; the one reaching 95 % is B; the last is C.
    path = tmp_path / "line.duckdb"
    with open_db(path) as con:
        con.executemany(
            "insert into accounts (account_id, account_name) values (?, ?)",
            [(f"X{i}", f"客户{i}") for i in range(1, 5)],
        )
        con.executemany(
            "insert into sales (order_id, line_no, account_id, order_date, quantity, amount) values (?, 1, ?, ?, 1, ?)",
            [("S1", "X1", date(2025, 6, 1), 50.0), ("S2", "X2", date(2025, 6, 1), 30.0),
             ("S3", "X3", date(2025, 6, 1), 15.0), ("S4", "X4", date(2025, 6, 1), 5.0)],
        )
        abc = compute_abc_classes(con, date(2025, 6, 30))
        summary = compute_abc_summary(con, Q2)
    assert abc["abc_class"].tolist() == ["A", "A", "B", "C"]
    assert abc["cumulative_share"].tolist() == approx([0.5, 0.8, 0.95, 1.0])
    assert summary["abc_class"].tolist() == ["A", "B", "C"]
    assert summary["count_accounts"].tolist() == [2, 1, 1]
    assert summary["share_12m"].tolist() == approx([0.8, 0.15, 0.05])


def test_abc_summary(hand_db):
    # as of 2025-06-30: A = A1 3300 + A2 1000 (Q2 2300 + 400); B = A4 400 + A3 300 (Q2 0 + 300); C = A5 50
    with open_db(hand_db) as con:
        frame = compute_abc_summary(con, Q2)
        empty = compute_abc_summary(con, EMPTY)
    assert frame["abc_class"].tolist() == ["A", "B", "C"]
    assert frame["count_accounts"].tolist() == [2, 2, 1]
    assert frame["revenue_12m"].tolist() == [4300.0, 700.0, 50.0]
    assert frame["revenue"].tolist() == [2700.0, 300.0, 50.0]
    assert frame["share_12m"].tolist() == approx([4300 / 5050, 700 / 5050, 50 / 5050])
    assert frame["account_share"].tolist() == approx([0.4, 0.4, 0.2])
    # no account has revenue in the 12 months to 2020-03-31: all five unclassified, shares undefined
    assert empty["abc_class"].tolist() == [""]
    assert empty["count_accounts"].tolist() == [5]
    assert empty["share_12m"].tolist() == [None]


def test_pareto_thins_but_keeps_class_edges(hand_db):
    # ranks 1..5 = A1 A2 A4 A3 A5; with max 2 points: every 3rd (rank 3), the first, the last and
    # each account starting a class (A1 starts A, A4 starts B, A5 starts C)
    with open_db(hand_db) as con:
        full = compute_pareto(con, Q2)
        thin = compute_pareto(con, Q2, max_points=2)
        logistics = compute_pareto(con, Filters(start=Q2.start, end=Q2.end, industries=("物流",)))
    assert full["account_id"].tolist() == ["A1", "A2", "A4", "A3", "A5"]
    assert full["cumulative_share"].tolist() == approx([3300 / 5050, 4300 / 5050, 4700 / 5050, 5000 / 5050, 1.0])
    assert full["account_share"].tolist() == approx([0.2, 0.4, 0.6, 0.8, 1.0])
    assert thin["account_id"].tolist() == ["A1", "A4", "A5"]
    # shares within the filtered accounts (A4 400, A5 50); classes stay the company-wide ones
    assert logistics["cumulative_share"].tolist() == approx([400 / 450, 1.0])
    assert logistics["abc_class"].tolist() == ["B", "C"]


def test_classification_matrices(hand_db):
    with open_db(hand_db) as con:
        industry_scale = compute_classification_matrix(con, Q2, "industry", "scale")
        tenure_abc = compute_classification_matrix(con, Q2, "tenure_band", "abc_class")
    # 制造业/large A1 2300; 制造业/small A3 300; 物流/small A4 (no Q2 order) + A5 50; 零售/medium A2 400
    assert industry_scale.values.tolist() == [
        ["制造业", "large", 1, 1, 2300.0],
        ["制造业", "small", 1, 1, 300.0],
        ["物流", "small", 2, 1, 50.0],
        ["零售", "medium", 1, 1, 400.0],
    ]
    # tenure as of 2025-06-30: A1 long, A2 and A4 mid, A3 and A5 new
    assert tenure_abc[["row_value", "column_value", "count_accounts"]].values.tolist() == [
        ["long", "A", 1],
        ["mid", "A", 1],
        ["mid", "B", 1],
        ["new", "B", 1],
        ["new", "C", 1],
    ]


def test_classification_matrix_rejects_unknown_dimensions(hand_db):
    with open_db(hand_db) as con, pytest.raises(ValueError, match="unknown matrix"):
        compute_classification_matrix(con, Q2, "industry", "industry")


def test_group_rollup(extra_db):
    # 甲集团 = A1 (Q2 2300, Q1 1000, class A -> key) + A3 (Q2 300, class B): 2600 of 3050, growth +160 %
    with open_db(extra_db) as con:
        groups = compute_group_rollup(con, Q2)
        empty = compute_group_rollup(con, EMPTY)
    assert groups["group_name"].tolist() == ["甲集团"]
    assert groups["count_accounts"].tolist() == [2]
    assert groups["count_key_accounts"].tolist() == [1]
    assert groups["revenue"].tolist() == [2600.0]
    assert groups["share"].tolist() == approx([2600 / 3050])
    assert groups["growth"].tolist() == approx([1.6])
    assert empty["share"].tolist() == [None] and empty["growth"].tolist() == [None]


def test_key_accounts_default_to_class_a(hand_db):
    with open_db(hand_db) as con:
        plain = compute_key_account_summary(con, Q2)
        empty = compute_key_account_summary(con, EMPTY)
    # no is_key_account given: class A = A1 (2300) and A2 (400)
    assert plain == {
        "count_key_accounts": 2,
        "count_active_key_accounts": 2,
        "key_revenue": 2700.0,
        "key_share": approx(2700 / 3050),
        "count_marked": 0,
    }
    assert empty["key_share"] is None  # no revenue in the period


def test_key_accounts_marked(extra_db):
    with open_db(extra_db) as con:
        marked = compute_key_account_summary(con, Q2)
    # A5 is marked key although class C: A1 + A2 + A5 = 2750
    assert marked["count_key_accounts"] == 3 and marked["key_revenue"] == 2750.0 and marked["count_marked"] == 1


# --- accounts ----------------------------------------------------------------------------------------


def test_account_list(hand_db):
    with open_db(hand_db) as con:
        frame = compute_account_list(con, Q2)
    assert frame["account_id"].tolist() == ["A1", "A2", "A3", "A5", "A4"]
    assert frame["revenue"].tolist() == [2300.0, 400.0, 300.0, 50.0, 0.0]
    assert frame["comparison_revenue"].tolist() == [1000.0, 600.0, 0.0, 0.0, 300.0]
    assert frame["growth"].tolist() == [approx(1.3), approx(-1 / 3), None, None, approx(-1.0)]
    assert frame["count_orders"].tolist() == [2, 1, 1, 1, 0]
    assert frame["last_order_date"].astype(str).tolist() == [
        "2025-05-20", "2025-06-30", "2025-04-01", "2025-06-15", "2025-01-15",
    ]
    # 2025-06-30 minus the last order: 41, 0, 90, 15, 166 (Jan 16 + 28 + 31 + 30 + 31 + 30)
    assert frame["days_since_last_order"].tolist() == [41, 0, 90, 15, 166]
    assert frame["abc_class"].tolist() == ["A", "A", "B", "C", "B"]
    assert frame["tenure_band"].tolist() == ["long", "mid", "new", "new", "mid"]


def test_account_list_abc_filter(hand_db):
    with open_db(hand_db) as con:
        frame = compute_account_list(con, Filters(start=Q2.start, end=Q2.end, abc_classes=("B",)))
    assert frame["account_id"].tolist() == ["A3", "A4"]


def test_search_accounts(hand_db):
    with open_db(hand_db) as con:
        frame = compute_account_list(con, Q2)
    assert search_accounts(frame, "物流")["account_id"].tolist() == ["A5", "A4"]  # industry
    assert search_accounts(frame, " a1 ")["account_id"].tolist() == ["A1"]  # id, case-insensitive
    assert search_accounts(frame, "张三")["account_id"].tolist() == ["A1", "A3"]  # owner
    assert len(search_accounts(frame, "")) == 5


def test_account_profile(extra_db):
    with open_db(extra_db) as con:
        missing = compute_account_profile(con, "NOPE", Q2.end)
    assert missing is None
    with open_db(extra_db) as con:
        a1 = compute_account_profile(con, "A1", Q2.end)
        a5 = compute_account_profile(con, "A5", Q2.end)
    # A1: orders O5 (2-01), O1 (4-10), O2 (5-20) = 1000 + 1500 + 800
    assert a1["abc_class"] == "A" and a1["tenure_band"] == "long"
    assert a1["revenue_12m"] == 3300.0 and a1["revenue_rank"] == 1 and a1["count_ranked"] == 5
    assert a1["first_order_date"] == date(2025, 2, 1) and a1["last_order_date"] == date(2025, 5, 20)
    assert a1["lifetime_revenue"] == 3300.0 and a1["count_lifetime_orders"] == 3
    assert a1["days_since_last_order"] == 41
    assert a1["count_referred"] == 1  # A5
    assert a1["group_name"] == "甲集团"
    assert a5["referred_by_name"] == "甲机械有限公司" and a5["is_key_account"] is True


def test_products(extra_db):
    # Q2: 设备/P1 = O1/1 1000 + O2 800 (2 orders); 服务/S1 = O1/2 500 + O3 400 (2 orders);
    # 设备/P2 = O4 300; no product line = O10 50
    with open_db(extra_db) as con:
        frame = compute_products(con, Q2)
        a1 = compute_products(con, Filters(start=Q2.start, end=Q2.end, accounts=("A1",)))
    assert frame[["product_line", "product", "revenue", "count_orders"]].values.tolist() == [
        ["设备", "P1", 1800.0, 2],
        ["服务", "S1", 900.0, 2],
        ["设备", "P2", 300.0, 1],
        ["", "", 50.0, 1],
    ]
    assert frame["share"].tolist() == approx([1800 / 3050, 900 / 3050, 300 / 3050, 50 / 3050])
    assert a1["revenue"].tolist() == [1800.0, 500.0]


# --- loyalty -----------------------------------------------------------------------------------------


def test_mean_days_between_orders(hand_db):
    with open_db(hand_db) as con:
        q2 = compute_order_intervals(con, Q2)
        q1 = compute_order_intervals(con, Filters(start=date(2025, 1, 1), end=date(2025, 3, 31)))
        h1 = compute_order_intervals(con, Filters(start=date(2025, 1, 1), end=date(2025, 6, 30)))
    # Q2: only A1 ordered twice, O1 4-10 then O2 5-20 = 40 days
    assert q2 == {"mean_days_between_orders": 40.0, "count_intervals": 1, "count_accounts": 1}
    # Q1: A1, A2, A4 ordered once each: no interval, so no mean (not 0)
    assert q1["mean_days_between_orders"] is None and q1["count_intervals"] == 0
    # H1: A1 2-01 -> 4-10 (68) -> 5-20 (40); A2 3-31 -> 6-30 (91): (68 + 40 + 91) / 3
    assert h1["mean_days_between_orders"] == approx((68 + 40 + 91) / 3)
    assert h1["count_accounts"] == 2


def test_lost_accounts_without_churn_marks(hand_db):
    # Q1 buyers A1, A2, A4; A4 did not buy in Q2
    with open_db(hand_db) as con:
        lost = compute_lost_accounts(con, Q2)
    assert lost["account_id"].tolist() == ["A4"]
    assert lost["reason"].tolist() == ["no_repeat_order"]
    assert lost["comparison_revenue"].tolist() == [300.0]


def test_an_account_that_churned_within_the_period(extra_db):
    # A4 is marked churned on 2025-05-01: listed as lost in Q2 and counted as not retained;
    # in Q1 (before it churned) it is not lost
    with open_db(extra_db) as con:
        lost = compute_lost_accounts(con, Q2)
        before = compute_lost_accounts(con, Filters(start=date(2025, 1, 1), end=date(2025, 3, 31)))
        retention = compute_retention(con, Q2)
    assert lost["account_id"].tolist() == ["A4"]
    assert lost["reason"].tolist() == ["marked_churned"]
    assert lost["is_churned_in_period"].tolist() == [True]
    assert lost["last_order_date"].astype(str).tolist() == ["2025-01-15"]
    assert "A4" not in before["account_id"].tolist()
    assert retention["retention_rate"] == approx(2 / 3) and retention["churn_rate"] == approx(1 / 3)


def test_no_referrals(hand_db):
    with open_db(hand_db) as con:
        assert compute_referrals(con, Q2) == {
            "count_referred": 0, "count_referred_in_period": 0, "count_referrers": 0
        }


def test_referrals(extra_db):
    # A5 names A1 (cooperation since 2024-12-01); A2 names itself and A3 an unknown account: not referrals
    with open_db(extra_db) as con:
        q2 = compute_referrals(con, Q2)
        q4 = compute_referrals(con, Filters(start=date(2024, 10, 1), end=date(2024, 12, 31)))
    assert q2 == {"count_referred": 1, "count_referred_in_period": 0, "count_referrers": 1}
    assert q4["count_referred_in_period"] == 1


def test_nps(hand_db):
    # Q2 NPS answers: R1 9, R2 7, R3 10 -> promoters 2, detractors 0 of 3 = +66.7
    with open_db(hand_db) as con:
        q2 = compute_nps(con, Q2)
        li_si = compute_nps(con, Filters(start=Q2.start, end=Q2.end, owners=("李四",)))
        empty = compute_nps(con, EMPTY)
    assert q2["nps"] == approx(200 / 3) and q2["count_answers"] == 3
    assert li_si["nps"] == approx(0.0)  # R2 (A2) 7: passive
    assert empty["nps"] is None and empty["count_answers"] == 0


def test_nps_with_an_anonymous_answer(extra_db):
    # adding the anonymous R4 = 3 (a detractor): (2 - 1) / 4 = +25; with a segment it is left out
    with open_db(extra_db) as con:
        everyone = compute_nps(con, Q2)
        zhang_san = compute_nps(con, Filters(start=Q2.start, end=Q2.end, owners=("张三",)))
    assert everyone["nps"] == approx(25.0) and everyone["count_detractors"] == 1
    assert zhang_san["nps"] == approx(100.0)  # R1 9, R3 10


# --- team --------------------------------------------------------------------------------------------


def test_team(hand_db):
    # 张三: A1 (A, 2 orders, 2300; Q1 1000) + A3 (B, 300) = 2600 vs 1000, target 2000
    # 李四: A2 (A, 400; Q1 600) + A4 (B, none; Q1 300) + A5 (C, 50) = 450 vs 900, target 1000
    with open_db(hand_db) as con:
        team = compute_team(con, Q2)
    assert team["owner"].tolist() == ["张三", "李四"]
    assert team["count_accounts"].tolist() == [2, 3]
    assert team[["count_a", "count_b", "count_c"]].values.tolist() == [[1, 1, 0], [1, 1, 1]]
    assert team["count_active_accounts"].tolist() == [2, 2]
    assert team["count_orders"].tolist() == [3, 2]
    assert team["revenue"].tolist() == [2600.0, 450.0]
    assert team["growth"].tolist() == approx([1.6, -0.5])
    assert team["revenue_target"].tolist() == [2000.0, 1000.0]
    assert team["target_completion"].tolist() == approx([1.3, 0.45])
    assert team["repeat_purchase_rate"].tolist() == approx([0.5, 0.0])
    assert team["count_visits"].tolist() == [0, 0] and team["has_interactions"].tolist() == [False, False]


def test_team_visits_and_calls(extra_db):
    # 张三: I1 visit (A1), I2 call on the last day; I3 is in Q1; I5 a complaint. 李四: I4 call (A2)
    with open_db(extra_db) as con:
        team = compute_team(con, Q2)
        filtered = compute_team(con, Filters(start=Q2.start, end=Q2.end, abc_classes=("C",)))
    assert team["count_visits"].tolist() == [1, 0]
    assert team["count_calls"].tolist() == [1, 1]
    assert team["has_interactions"].tolist() == [True, True]
    # class C = A5 only (李四): no target comparison under an ABC filter, no repeat buyer
    assert filtered["owner"].tolist() == ["李四"]
    assert filtered["revenue_target"].tolist() == [None]
    assert filtered["target_completion"].tolist() == [None]
    assert filtered["repeat_purchase_rate"].tolist() == [0.0]


def test_team_without_sales_has_no_ratios(hand_db):
    with open_db(hand_db) as con:
        team = compute_team(con, EMPTY)
    assert team["growth"].tolist() == [None, None]
    assert team["repeat_purchase_rate"].tolist() == [None, None]
    assert team["target_completion"].tolist() == [None, None]


def test_kpi_json_keys_of_design_section_7(hand_db):
    keys = {
        "revenue", "volume", "orders", "active_accounts", "revenue_growth", "volume_growth",
        "target_completion", "gross_margin", "repeat_purchase_rate", "purchase_frequency", "retention_rate",
        "churn_rate", "net_revenue_retention", "gross_revenue_retention", "top10_share", "abc",
    }
    with open_db(hand_db) as con:
        k = compute_kpis(con, Q2)
    assert keys <= k.keys() and keys <= k["comparison"].keys()


def test_queries_without_abc_scan_still_honour_the_abc_filter(hand_db):
    # class A as of 2025-06-30 = A1, A2: April O1 1500, May O2 800, June O3 400 (A3's O4 and A5's O10 drop out)
    from kam_metrics.metrics.sales import SEGMENT_CTES_WITHOUT_ABC, compute_monthly_revenue, segment_sql
    from kam_metrics.sql.segments import SEGMENT_CTES

    class_a = Filters(start=Q2.start, end=Q2.end, abc_classes=("A",))
    with open_db(hand_db) as con:
        monthly = compute_monthly_revenue(con, class_a)
        by_abc = compute_revenue_by(con, Q2, "abc_class")
        intervals = compute_order_intervals(con, class_a)
    assert monthly["revenue"].tolist() == [1500.0, 800.0, 400.0]
    assert by_abc["segment"].tolist() == ["A", "B", "C"]  # the ABC breakdown keeps the classes
    assert intervals["mean_days_between_orders"] == 40.0
    assert segment_sql(SEGMENT_CTES, Q2) == SEGMENT_CTES_WITHOUT_ABC
    assert segment_sql(SEGMENT_CTES, class_a) == SEGMENT_CTES
