"""Satisfaction rules (docs/kpis.md#satisfaction) on hand-typed questionnaires; arithmetic in comments.

conftest.py's hand rows: items Q1 product w2, Q2 service w1, Q3 price w1 (1-5), OV overall (1-5), NPS
(0-10); W0 sent 2: R0 A1 (3,3,3); W1 sent 4: R1 A1 (5,4,3), R2 A2 (4,_,2), R3 A3 (_,_,5).
"""

from __future__ import annotations

import json
from datetime import date

import pytest
from pytest import approx

from kam_metrics.cli.main import main
from kam_metrics.i18n import t
from kam_metrics.metrics.satisfaction import (
    SurveyItemsInvalid,
    bootstrap_difference,
    classify_quadrants,
    compute_account_waves,
    compute_coverage,
    compute_satisfaction,
    compute_satisfaction_page,
    index_value,
    load_survey_items,
    save_survey_item_settings,
)
from kam_metrics.store.connection import open_db
from kam_metrics.store.settings import save_setting


def test_index_value_scale():
    assert index_value(5, 5) == 100 and index_value(3, 5) == 60 and index_value(7, 10) == approx(70)


def test_wave_w1_items_dimensions_overall_and_accounts(hand_db):
    # R1 valid (5,4,3); R2 one blank -> Q2 imputed 3; R3 two blanks -> invalid.
    # Q1 (100+80)/2 = 90, Q2 (80+60)/2 = 70, Q3 (60+40)/2 = 50; overall (90*2+70+50)/4 = 75
    # questionnaire indexes: R1 (100*2+80+60)/4 = 85, R2 (80*2+60+40)/4 = 65 -> accounts A1 85, A2 65
    with open_db(hand_db) as con:
        r = compute_satisfaction(con, wave="W1")
    assert r.overall_index == approx(75.0)
    items = r.items.set_index("item_code")
    assert items.loc["Q1", "satisfaction"] == approx(90) and items.loc["Q2", "satisfaction"] == approx(70)
    assert items.loc["Q3", "satisfaction"] == approx(50)
    assert items["n"].tolist() == [2, 2, 2]
    assert items.loc["Q2", "count_imputed"] == 1  # R2's blank Q2 counts as 3 and in n
    assert items.loc["Q3", "gap_target"] == approx(50 - 80)  # default target_index 80
    dims = r.dimensions.set_index("dimension")["satisfaction"].to_dict()
    assert dims == {"price": approx(50), "product": approx(90), "service": approx(70)}
    accounts = r.accounts.set_index("account_id")["account_index"].to_dict()
    assert accounts == {"A1": approx(85), "A2": approx(65)}
    # satisfied: A1 85 >= 70, A2 65 < 70 -> 1 of 2 surveyed accounts
    assert r.satisfied_rate == approx(0.5) and r.count_surveyed == 2
    # returned 3 of 4 sent; valid 2 of 3 returned; fewer than 5 valid -> low sample
    assert r.response_rate == approx(0.75) and r.validity_rate == approx(2 / 3)
    assert r.is_low_sample is True
    # NPS (0-10, its own scale): 9, 7, 10 -> promoters 2, detractors 0 of 3 -> +66.7 points
    assert r.nps.nps == approx(200 / 3) and r.nps.count_answers == 3


def test_weights_change_the_index_as_by_hand(hand_db):
    # Q1 weight 2 -> 1: overall (90+70+50)/3 = 70
    with open_db(hand_db) as con:
        con.execute("update survey_items set weight = 1 where item_code = 'Q1'")
        assert compute_satisfaction(con, wave="W1").overall_index == approx(70.0)


def test_saved_item_weights_are_used_and_bad_rows_store_nothing(hand_db):
    with open_db(hand_db) as con:
        items = load_survey_items(con).set_index("item_code")
        edited = items.copy()
        edited.loc["Q1", "weight"] = 1.0  # Q1 weight 2 -> 1: overall (90+70+50)/3 = 70
        assert save_survey_item_settings(con, edited.reset_index()) == len(items)
        assert compute_satisfaction(con, wave="W1").overall_index == approx(70.0)
        bad = edited.copy()
        bad.loc["Q2", "weight"] = 5.0  # would be stored first if rows were written one by one
        bad.loc["Q3", "target_index"] = 120.0
        with pytest.raises(SurveyItemsInvalid) as caught:
            save_survey_item_settings(con, bad.reset_index())
        assert load_survey_items(con).set_index("item_code").loc["Q2", "weight"] == approx(1.0)
    assert caught.value.key == "sat.settings.bad_target" and caught.value.fields == {"item": "Q3"}
    assert "Q3" in t(caught.value.key, "zh", **caught.value.fields) and "0 到 100" in t(caught.value.key, "zh", **caught.value.fields)


def test_blank_impute_score_is_a_setting(hand_db):
    # impute 4 instead of 3: R2's Q2 -> 80; Q2 (80+80)/2 = 80; overall (180+80+50)/4 = 77.5
    with open_db(hand_db) as con:
        save_setting(con, "survey_blank_impute_score", 4)
        assert compute_satisfaction(con, wave="W1").overall_index == approx(77.5)


def test_two_blanks_make_a_questionnaire_invalid_and_zero_blanks_allowed(hand_db):
    with open_db(hand_db) as con:
        save_setting(con, "survey_max_imputed_blanks", 0)  # R2 (one blank) becomes invalid too
        r = compute_satisfaction(con, wave="W1")
    # only R1: 85 overall? items 100, 80, 60 -> (200+80+60)/4 = 85
    assert r.n_valid == 1 and r.overall_index == approx(85.0)


def test_satisfied_threshold_at_69_9_and_70(hand_db):
    # W9: one questionnaire per account, three items 1-5: scores chosen so the index is exact.
    # A4: Q1 4, Q2 3, Q3 3 -> (80*2+60+60)/4 = 70.0 -> satisfied
    # A5: the satisfied_index setting is moved to 70.1 -> 70.0 is no longer satisfied
    with open_db(hand_db) as con:
        con.execute("insert into survey_waves values ('W9', 1, null, null)")
        for item, score in (("Q1", 4), ("Q2", 3), ("Q3", 3)):
            con.execute("insert into survey_responses (response_id, item_code, account_id, survey_date, wave, score) "
                        "values ('R9', ?, 'A4', date '2025-07-01', 'W9', ?)", [item, score])
        at_70 = compute_satisfaction(con, wave="W9")
        save_setting(con, "satisfied_index", 70.1)
        above = compute_satisfaction(con, wave="W9")
    assert at_70.accounts["account_index"].tolist() == [approx(70.0)]
    assert at_70.satisfied_rate == 1.0
    assert above.satisfied_rate == 0.0


def test_account_at_69_9_is_not_satisfied(hand_db):
    # weights Q1 0.99, Q2 0, Q3 1.01 with scores 4, 4, 3: (80*0.99 + 80*0 + 60*1.01) / 2.0
    # = (79.2 + 60.6) / 2 = 69.9 -> below 70, not satisfied
    with open_db(hand_db) as con:
        con.execute("update survey_items set weight = 0.99 where item_code = 'Q1'")
        con.execute("update survey_items set weight = 0 where item_code = 'Q2'")
        con.execute("update survey_items set weight = 1.01 where item_code = 'Q3'")
        con.execute("insert into survey_waves values ('W9', 1, null, null)")
        for item, score in (("Q1", 4), ("Q2", 4), ("Q3", 3)):
            con.execute("insert into survey_responses (response_id, item_code, account_id, survey_date, wave, score) "
                        "values ('R9', ?, 'A4', date '2025-07-01', 'W9', ?)", [item, score])
        r = compute_satisfaction(con, wave="W9")
    assert r.accounts["account_index"].tolist() == [approx(69.9)]
    assert r.satisfied_rate == 0.0


def test_wave_sent_but_none_returned(hand_db):
    with open_db(hand_db) as con:
        con.execute("insert into survey_waves values ('W5', 10, date '2025-09-01', null)")
        r = compute_satisfaction(con, wave="W5")
    assert r.n_returned == 0 and r.response_rate == 0.0  # 0 of 10 sent
    assert r.validity_rate is None  # 0 valid of 0 returned: no denominator -> "—"
    assert r.overall_index is None and r.satisfied_rate is None


def test_date_range_spans_waves(hand_db):
    # 2024-12-01..2025-06-30: R0 (W0) 60, R1 85, R2 65 valid; items Q1 (60+100+80)/3 = 80,
    # Q2 (60+80+60)/3 = 66.67, Q3 (60+60+40)/3 = 53.33 -> overall (160+66.67+53.33)/4 = 70
    # A1 mean of R0 60 and R1 85 = 72.5; sent 2+4 = 6, returned 4 -> 0.667
    with open_db(hand_db) as con:
        r = compute_satisfaction(con, start=date(2024, 12, 1), end=date(2025, 6, 30))
    assert r.overall_index == approx(70.0)
    assert r.accounts.set_index("account_id")["account_index"].to_dict() == {"A1": approx(72.5), "A2": approx(65)}
    assert r.response_rate == approx(4 / 6)


def test_gaps_to_competitor_and_previous_wave(hand_db):
    # competitor scores on R1: Q1 4 (80), Q3 4 (80); Q1 gap 90-80 = +10, Q3 gap 50-80 = -30
    # previous wave W0: every item 60 -> gap_previous Q1 +30, Q2 +10, Q3 -10
    with open_db(hand_db) as con:
        con.execute("update survey_responses set competitor_score = 4 where response_id = 'R1' and item_code in ('Q1', 'Q3')")
        page = compute_satisfaction_page(con, None)
    items = page.items.set_index("item_code")
    assert page.wave == "W1" and page.previous_wave == "W0"
    assert items.loc["Q1", "gap_competitor"] == approx(10) and items.loc["Q3", "gap_competitor"] == approx(-30)
    assert items["gap_previous"].to_dict() == {"Q1": approx(30), "Q2": approx(10), "Q3": approx(-10)}
    # one questionnaire in W0: the change cannot be tested
    assert page.change.significant is None


def test_derived_importance_and_quadrants(hand_db):
    # W1 valid: R1 (Q1 100, Q2 80, Q3 60; OV 4), R2 (Q1 80, Q2 60, Q3 40; OV 3): every item moves with OV
    # -> correlation 1 for all three
    with open_db(hand_db) as con:
        items = compute_satisfaction(con, wave="W1").items.set_index("item_code")
    assert items["importance"].tolist() == [approx(1.0)] * 3
    assert set(items["outcome_item"]) == {"OV"}
    import pandas as pd

    frame = pd.DataFrame({"importance": [0.9, 0.8, 0.1, 0.2], "satisfaction": [60, 90, 60, 90]})
    # means: importance 0.5, satisfaction 75
    assert classify_quadrants(frame).tolist() == ["fix_first", "keep_up", "low_priority", "overkill"]


def test_coverage_and_a_accounts_not_surveyed(hand_db):
    # as of W1's last answer 2025-06-03, revenue after 2024-06-03: A1 1500+800+1000 = 3300, A2 600,
    # A3 300, A4 300+100 = 400 -> 4600; surveyed (valid) A1, A2 -> 3900 / 4600
    with open_db(hand_db) as con:
        cov = compute_coverage(con, wave="W1")
    assert cov.coverage == approx(3900 / 4600)
    # ABC: A1 3300 (share before 0) is A; A2 (share before 0.717) is A too -> both surveyed
    assert cov.a_not_surveyed.empty
    with open_db(hand_db) as con:
        cov0 = compute_coverage(con, wave="W0")
    # as of 2024-12-01: A1 only has no sales in (2023-12-01, 2024-12-01]; A4 100 (2024-08-01),
    # A2 200 (2024-05-15) -> 300, none surveyed (A1 has no revenue) -> coverage 0; A2 is A and unsurveyed
    assert cov0.coverage == approx(0.0)
    assert "A2" in cov0.a_not_surveyed["account_id"].tolist()


def test_bootstrap_is_seeded_and_flags_a_real_change():
    same = bootstrap_difference([70, 72, 71, 69, 70], [70, 71, 69, 72, 70])
    clear = bootstrap_difference([90, 92, 91, 89, 90], [60, 61, 59, 62, 60])
    assert same.significant is False and clear.significant is True
    assert clear == bootstrap_difference([90, 92, 91, 89, 90], [60, 61, 59, 62, 60])  # fixed seed


def test_account_waves(hand_db):
    with open_db(hand_db) as con:
        frame = compute_account_waves(con, "A1")
    # A1: W0 R0 60, W1 R1 85
    assert frame["wave"].tolist() == ["W0", "W1"] and frame["account_index"].tolist() == [approx(60), approx(85)]


def test_cli_satisfaction_json(hand_db, capsys):
    assert main(["satisfaction", "--db", str(hand_db), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["wave"] == "W1"
    assert out["overall_index"] == approx(75.0) and out["n_returned"] == 3 and out["n_valid"] == 2
    assert out["satisfied_rate"] == approx(0.5) and out["response_rate"] == approx(0.75)
    assert out["validity_rate"] == approx(2 / 3)
    assert out["items"] == {"Q1": {"index": approx(90), "n": 2}, "Q2": {"index": approx(70), "n": 2},
                            "Q3": {"index": approx(50), "n": 2}}
    assert out["dimensions"] == {"price": approx(50), "product": approx(90), "service": approx(70)}
    assert out["accounts"] == {"A1": approx(85), "A2": approx(65)}
    assert main(["satisfaction", "--db", str(hand_db), "--wave", "W0", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["overall_index"] == approx(60.0)


@pytest.mark.parametrize("argv", [["--wave", "NOPE"], ["--wave", "W1", "--start", "2025-01-01", "--end", "2025-02-01"],
                                  ["--start", "2025-01-01"], ["--start", "2025-02-01", "--end", "2025-01-01"]])
def test_cli_satisfaction_usage_errors(hand_db, argv):
    assert main(["satisfaction", "--db", str(hand_db), *argv]) == 2
