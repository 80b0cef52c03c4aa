"""KPI unit tests on the hand-typed rows of conftest.py, with the arithmetic written out."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from kam_metrics.domain.filters import Filters
from kam_metrics.metrics.kpi import compute_kpis
from kam_metrics.metrics.loyalty import compute_retention
from kam_metrics.metrics.sales import (
    compute_abc_classes,
    compute_monthly_revenue,
    compute_revenue_by,
    compute_sales_summary,
    compute_target,
    compute_top_accounts,
    load_data_range,
    load_segment_values,
)
from kam_metrics.metrics.satisfaction import compute_latest_overall, compute_satisfaction, compute_wave_overall
from kam_metrics.store.connection import open_db
from kam_metrics.store.settings import save_setting

Q2 = Filters(start=date(2025, 4, 1), end=date(2025, 6, 30))
approx = pytest.approx


def test_sales_summary_q2(hand_db):
    with open_db(hand_db) as con:
        s = compute_sales_summary(con, Q2)
    assert s["revenue"] == 3050.0  # 1000 + 500 + 800 + 400 + 300 + 50
    assert s["volume"] == 30.0  # 10 + 5 + 8 + 4 + 2 + 1
    assert s["orders"] == 5  # O1 O2 O3 O4 O10
    assert s["active_accounts"] == 4  # A1 A2 A3 A5
    assert s["repeat_accounts"] == 1  # A1 (O1, O2)
    assert s["repeat_purchase_rate"] == approx(1 / 4)
    assert s["purchase_frequency"] == approx(5 / 4)
    # lines with a cost: amount 1000+500+400+300+50 = 2250, cost 600+300+200+150+40 = 1290
    assert s["gross_margin"] == approx((2250 - 1290) / 2250)
    assert s["top10_share"] == approx(1.0)
    # account revenue 2300, 400, 300, 50 of 3050
    assert s["herfindahl"] == approx((2300**2 + 400**2 + 300**2 + 50**2) / 3050**2)
    assert s["active_key_accounts"] == 2  # A1 and A2 are class A (see ABC test)


def test_empty_period_gives_no_ratios(hand_db):
    with open_db(hand_db) as con:
        s = compute_sales_summary(con, Filters(start=date(2020, 1, 1), end=date(2020, 3, 31)))
        r = compute_retention(con, Filters(start=date(2020, 1, 1), end=date(2020, 3, 31)))
    assert s["revenue"] == 0 and s["active_accounts"] == 0
    assert s["repeat_purchase_rate"] is None
    assert s["purchase_frequency"] is None
    assert s["gross_margin"] is None
    assert s["top10_share"] is None
    assert r["retention_rate"] is None and r["churn_rate"] is None
    assert r["net_revenue_retention"] is None


def test_abc_classes_as_of_q2_end(hand_db):
    # trailing 12 months (2024-07-01..2025-06-30): A1 3300, A2 1000, A4 400, A3 300, A5 50 = 5050
    # shares before each: 0 -> A, 0.653 -> A, 0.851 -> B, 0.931 -> B, 0.990 -> C
    with open_db(hand_db) as con:
        abc = compute_abc_classes(con, date(2025, 6, 30))
    expected = pd.DataFrame(
        {
            "account_id": ["A1", "A2", "A4", "A3", "A5"],
            "revenue_12m": [3300.0, 1000.0, 400.0, 300.0, 50.0],
            "cumulative_share": [3300 / 5050, 4300 / 5050, 4700 / 5050, 5000 / 5050, 1.0],
            "abc_class": ["A", "A", "B", "B", "C"],
        }
    )
    assert_frame_equal(abc, expected, check_dtype=False)


def test_abc_thresholds_are_settings(hand_db):
    with open_db(hand_db) as con:
        save_setting(con, "abc_a_share", 0.5)
        abc = compute_abc_classes(con, date(2025, 6, 30))
    assert abc["abc_class"].tolist() == ["A", "B", "B", "B", "C"]


def test_retention_and_revenue_retention(hand_db):
    # Q1 active: A1 1000, A2 600, A4 300 (1900). In Q2: A1 2300, A2 400, A4 0.
    with open_db(hand_db) as con:
        r = compute_retention(con, Q2)
    assert r["comparison_accounts"] == 3
    assert r["retained_accounts"] == 2
    assert r["retention_rate"] == approx(2 / 3)
    assert r["churn_rate"] == approx(1 / 3)
    assert r["net_revenue_retention"] == approx(2700 / 1900)
    assert r["gross_revenue_retention"] == approx((1000 + 400 + 0) / 1900)


def test_company_target_is_sum_of_owner_rows(hand_db):
    with open_db(hand_db) as con:
        t = compute_target(con, Q2)
    assert t["level"] == "owner"
    assert t["revenue_target"] == approx(3000.0)  # 2000 + 1000
    assert t["volume_target"] == approx(30.0)
    assert t["is_prorated"] is False


def test_target_prorated_by_days_for_a_month(hand_db):
    with open_db(hand_db) as con:
        t = compute_target(con, Filters(start=date(2025, 4, 1), end=date(2025, 4, 30)))
    assert t["revenue_target"] == approx(3000.0 * 30 / 91)
    assert t["is_prorated"] is True


def test_region_target_uses_finest_rows_and_prorates_years(hand_db):
    # 华东 has only a year row: 12000 x 91/365; 华南 has a year and a quarter row: the quarter (500) wins
    with open_db(hand_db) as con:
        t = compute_target(con, Filters(start=Q2.start, end=Q2.end, regions=("华东", "华南")))
    assert t["level"] == "region"
    assert t["revenue_target"] == approx(12000 * 91 / 365 + 500)
    assert t["is_prorated"] is True


def test_no_target_level_for_industry_filter(hand_db):
    with open_db(hand_db) as con:
        t = compute_target(con, Filters(start=Q2.start, end=Q2.end, industries=("制造业",)))
    assert t["revenue_target"] is None and t["level"] is None


def test_kpis_for_q2_against_previous_quarter(hand_db):
    with open_db(hand_db) as con:
        k = compute_kpis(con, Q2)
    assert k["revenue"] == 3050.0
    assert k["revenue_growth"] == approx((3050 - 1900) / 1900)
    assert k["volume_growth"] == approx((30 - 19) / 19)
    assert k["target_completion"] == approx(3050 / 3000)
    assert k["abc"] == {"A": ["A1", "A2"], "B": ["A4", "A3"], "C": ["A5"]}
    cmp = k["comparison"]
    assert (cmp["start"], cmp["end"]) == ("2025-01-01", "2025-03-31")
    assert cmp["revenue"] == 1900.0
    assert cmp["target_completion"] is None  # no target row overlaps Q1
    # Q1 against Q4 2024 (only O8 in 2024-08 is Q3; Q4 2024 has no sales): growth has no denominator
    assert cmp["revenue_growth"] is None


def test_kpis_year_on_year(hand_db):
    # 2024 Q2 has O9 (A2, 200)
    with open_db(hand_db) as con:
        k = compute_kpis(con, Filters(start=Q2.start, end=Q2.end, compare="yoy"))
    assert k["comparison"]["revenue"] == 200.0
    assert k["revenue_growth"] == approx((3050 - 200) / 200)
    assert k["retention_rate"] == approx(1.0)  # A2 came back
    assert k["net_revenue_retention"] == approx(400 / 200)


def test_owner_filter_and_owner_target(hand_db):
    # 张三 owns A1 (2300 in Q2) and A3 (300); target 2000
    with open_db(hand_db) as con:
        k = compute_kpis(con, Filters(start=Q2.start, end=Q2.end, owners=("张三",)))
    assert k["revenue"] == 2600.0
    assert k["target_completion"] == approx(2600 / 2000)


def test_tenure_band_filter(hand_db):
    # as of 2025-06-30: new (< 1 year) = A3 (2025-01-10), A5 (2024-12-01); A2, A4 mid; A1 long
    with open_db(hand_db) as con:
        new = compute_sales_summary(con, Filters(start=Q2.start, end=Q2.end, tenure_bands=("new",)))
        mid = compute_sales_summary(con, Filters(start=Q2.start, end=Q2.end, tenure_bands=("mid",)))
        long = compute_sales_summary(con, Filters(start=Q2.start, end=Q2.end, tenure_bands=("long",)))
    assert new["revenue"] == 350.0
    assert mid["revenue"] == 400.0
    assert long["revenue"] == 2300.0


def test_abc_filter_selects_accounts_as_of_period_end(hand_db):
    with open_db(hand_db) as con:
        s = compute_sales_summary(con, Filters(start=Q2.start, end=Q2.end, abc_classes=("A",)))
    assert s["revenue"] == 2700.0  # A1 2300 + A2 400


def test_monthly_revenue(hand_db):
    with open_db(hand_db) as con:
        monthly = compute_monthly_revenue(con, Q2)
    assert monthly["month"].astype(str).tolist() == ["2025-04-01", "2025-05-01", "2025-06-01"]
    assert monthly["revenue"].tolist() == [1800.0, 800.0, 450.0]
    assert monthly["volume"].tolist() == [17.0, 8.0, 5.0]


def test_revenue_by_industry_with_comparison(hand_db):
    with open_db(hand_db) as con:
        by_industry = compute_revenue_by(con, Q2, "industry")
    assert by_industry["segment"].tolist() == ["制造业", "零售", "物流"]
    assert by_industry["revenue"].tolist() == [2600.0, 400.0, 50.0]
    assert by_industry["comparison_revenue"].tolist() == [1000.0, 600.0, 300.0]
    assert by_industry["growth"].tolist() == approx([1.6, -1 / 3, (50 - 300) / 300])
    assert by_industry["share"].tolist() == approx([2600 / 3050, 400 / 3050, 50 / 3050])


def test_revenue_by_rejects_unknown_dimension(hand_db):
    with open_db(hand_db) as con, pytest.raises(ValueError, match="unknown breakdown"):
        compute_revenue_by(con, Q2, "account_name; drop table sales")


def test_top_accounts(hand_db):
    with open_db(hand_db) as con:
        top = compute_top_accounts(con, Q2, limit=2)
    assert top["account_id"].tolist() == ["A1", "A2"]
    assert top["revenue"].tolist() == [2300.0, 400.0]
    assert top["share"].tolist() == approx([2300 / 3050, 400 / 3050])
    assert top["growth"].tolist() == approx([1.3, -1 / 3])
    assert top["abc_class"].tolist() == ["A", "A"]


def test_data_range_and_segment_values(hand_db):
    with open_db(hand_db) as con:
        assert load_data_range(con) == (date(2024, 5, 15), date(2025, 6, 30))
        values = load_segment_values(con)
    assert set(values["owners"]) == {"张三", "李四"}
    assert set(values["industries"]) == {"制造业", "零售", "物流"}
    assert values["scales"] == ["large", "medium", "small"]


def test_wave_satisfaction_blank_rules(hand_db):
    # W1: R1 valid (5,4,3), R2 one blank -> Q2 counts as 3, R3 two blanks -> invalid.
    # items: Q1 (100+80)/2 = 90, Q2 (80+60)/2 = 70, Q3 (60+40)/2 = 50; weights 2,1,1 -> 300/4 = 75
    with open_db(hand_db) as con:
        w1 = compute_wave_overall(con, "W1")
    assert w1 == {"wave": "W1", "overall_index": approx(75.0), "n_returned": 3, "n_valid": 2}


def test_blank_rule_is_a_setting(hand_db):
    # allowing two blanks makes R3 valid: Q1 (100+80+60)/3=80, Q2 (80+60+60)/3=66.67, Q3 (60+40+100)/3=66.67
    with open_db(hand_db) as con:
        save_setting(con, "survey_max_imputed_blanks", 2)
        w1 = compute_wave_overall(con, "W1")
    assert w1["n_valid"] == 3
    assert w1["overall_index"] == approx((80 * 2 + 200 / 3 + 200 / 3) / 4)


def test_latest_wave_and_previous(hand_db):
    with open_db(hand_db) as con:
        latest = compute_latest_overall(con, date(2025, 6, 30))
        before = compute_latest_overall(con, date(2025, 3, 31))
        none = compute_latest_overall(con, date(2024, 1, 1))
    assert latest["wave"] == "W1" and latest["overall_index"] == approx(75.0)
    assert latest["previous"]["wave"] == "W0" and latest["previous"]["overall_index"] == approx(60.0)
    assert before["wave"] == "W0" and before["previous"] is None
    assert none["wave"] is None and none["overall_index"] is None


def test_latest_wave_follows_segment_filters(hand_db):
    # only A1's questionnaires: W1 R1 (5,4,3) -> (100*2+80+60)/4 = 85; W0 R0 (3,3,3) -> 60
    a1 = Filters(date(2025, 4, 1), date(2025, 6, 30), accounts=("A1",))
    # only A3's: W1 R3 has two blanks -> invalid, no index; returned 1, valid 0
    a3 = Filters(date(2025, 4, 1), date(2025, 6, 30), accounts=("A3",))
    with open_db(hand_db) as con:
        one = compute_latest_overall(con, a1.end, a1)
        invalid = compute_latest_overall(con, a3.end, a3)
        page = compute_satisfaction(con, wave="W1", accounts=["A1"])
        everyone = compute_latest_overall(con, a1.end)
    assert one["is_segment"] is True and everyone["is_segment"] is False
    assert one["overall_index"] == approx(85.0) and (one["n_returned"], one["n_valid"]) == (1, 1)
    assert one["previous"]["overall_index"] == approx(60.0)
    assert one["overall_index"] == approx(page.overall_index)  # the Overview card equals the page
    assert invalid["overall_index"] is None and (invalid["n_returned"], invalid["n_valid"]) == (1, 0)
    assert everyone["overall_index"] == approx(75.0)
