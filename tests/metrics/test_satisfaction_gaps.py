"""Satisfaction: importance from the next-period revenue change when the survey has no overall
item, the previous-wave gap per dimension, and the significance of the satisfied rate's change.
Hand rows from conftest.py; arithmetic in the comments."""

from __future__ import annotations

from pytest import approx

from kam_metrics.metrics.satisfaction import (
    compute_revenue_importance,
    compute_satisfaction,
    compute_satisfaction_page,
    satisfied_flags,
)
from kam_metrics.store.connection import open_db

# wave WX on 2025-03-31 asks only Q1 and Q2 (no overall item): Q1 varies, Q2 is 3 for everyone
WX = [("X1", "A1", 5), ("X2", "A2", 3), ("X4", "A4", 1), ("X3", "A3", 4)]


def add_wave_without_overall(con) -> None:
    con.execute("insert into survey_waves values ('WX', 4, null, null)")
    for response_id, account_id, q1 in WX:
        for item, score in (("Q1", q1), ("Q2", 3)):
            con.execute("insert into survey_responses (response_id, item_code, account_id, survey_date, wave, score) "
                        "values (?, ?, ?, date '2025-03-31', 'WX', ?)", [response_id, item, account_id, score])


def test_importance_falls_back_to_the_next_period_revenue_change(hand_db):
    # anchor = last answer 2025-03-31; 6 months before (2024-09-30, 2025-03-31] and after (.., 2025-09-30]:
    #   A1 before O5 1000, after O1 1500 + O2 800 = 2300 -> change 2300/1000 - 1 = 1.3
    #   A2 before O6 600,  after O3 400              -> change 400/600 - 1 = -1/3
    #   A4 before O7 300,  after nothing             -> change -1
    #   A3 before nothing (O4 is 2025-04-01)         -> left out
    # Q1 index: A1 100, A2 60, A4 20 -> dx = (40, 0, -40), mean y = -1/90, dy = (1.31111, -0.32222, -0.98889)
    # r = Σdx·dy / sqrt(Σdx² Σdy²) = 92 / sqrt(3200 × 2.800741) = 0.97180
    # Q2 is 60 for everyone: constant -> no importance
    with open_db(hand_db) as con:
        add_wave_without_overall(con)
        importance = compute_revenue_importance(con, wave="WX").set_index("item_code")
        result = compute_satisfaction(con, wave="WX")
    assert importance.loc["Q1", "importance"] == approx(0.97180, abs=1e-5)
    assert importance.loc["Q1", "n_importance"] == 3
    assert importance["importance"].isna()["Q2"] and importance.loc["Q2", "n_importance"] == 3
    assert result.importance_source == "revenue_change"
    items = result.items.set_index("item_code")
    assert items.loc["Q1", "importance"] == approx(0.97180, abs=1e-5)


def test_an_overall_item_is_preferred_to_revenue(hand_db):
    with open_db(hand_db) as con:
        result = compute_satisfaction(con, wave="W1")
    assert result.importance_source == "overall_item"


def test_previous_wave_gap_per_dimension(hand_db):
    # W0: every item 3 -> each dimension 60; W1: product 90, service 70, price 50 -> +30, +10, -10
    with open_db(hand_db) as con:
        page = compute_satisfaction_page(con, "W1")
    dims = page.dimensions.set_index("dimension")
    assert dims["previous_satisfaction"].to_dict() == {"price": approx(60), "product": approx(60), "service": approx(60)}
    assert dims["gap_previous"].to_dict() == {"price": approx(-10), "product": approx(30), "service": approx(10)}


def test_satisfied_rate_change_is_tested_on_account_flags(hand_db):
    # W1: A1 85 satisfied, A2 65 not -> flags [1, 0]; W0: A1 60 not -> [0]: one account, cannot be tested
    with open_db(hand_db) as con:
        page = compute_satisfaction_page(con, "W1")
        assert satisfied_flags(page.current) == [0.0, 1.0]  # accounts ordered by index: A2 65, A1 85
        assert satisfied_flags(page.previous) == [0.0]
    assert page.rate_change.significant is None and page.rate_change.difference is None
    assert satisfied_flags(None) == []
