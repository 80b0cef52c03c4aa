"""Rating items on any scale enter the satisfaction index (docs/kpis.md#satisfaction); the items left out
are named with their reason. Hand-typed rows, arithmetic in comments.

Items: A 1-5 product, B 1-7 service, C 0-5 price (weights 1), OV overall 1-5, NPS 0-10, YN 0-1 (a
yes/no item). Wave W: R1 of K1 answers A 5, B 7, C 3, OV 4, NPS 9, YN 1; R2 of K2 answers A 4, C 0,
OV 3, and leaves B blank.
"""

from __future__ import annotations

import json
from datetime import date

import pytest
from pytest import approx

from kam_metrics.cli.main import main
from kam_metrics.metrics.satisfaction import compute_satisfaction
from kam_metrics.store.connection import open_db

ITEMS = [("A", "product", 1, 5), ("B", "service", 1, 7), ("C", "price", 0, 5), ("OV", "overall", 1, 5),
         ("NPS", "overall", 0, 10), ("YN", "service", 0, 1)]
ANSWERS = {"R1": ("K1", {"A": 5, "B": 7, "C": 3, "OV": 4, "NPS": 9, "YN": 1}),
           "R2": ("K2", {"A": 4, "C": 0, "OV": 3})}


@pytest.fixture()
def scales_db(tmp_path):
    path = tmp_path / "scales.duckdb"
    with open_db(path) as con:
        con.execute("insert into accounts (account_id, account_name) values ('K1', '甲'), ('K2', '乙')")
        for code, dimension, low, high in ITEMS:
            con.execute("insert into survey_items (item_code, dimension, label_zh, label_en, weight, scale_min, scale_max) "
                        "values (?, ?, ?, ?, 1, ?, ?)", [code, dimension, code, code, low, high])
        for response_id, (account_id, scores) in ANSWERS.items():
            for item, score in scores.items():
                con.execute("insert into survey_responses (response_id, item_code, account_id, survey_date, wave, score) "
                            "values (?, ?, ?, ?, 'W', ?)", [response_id, item, account_id, date(2025, 6, 1), score])
    return path


def test_items_on_every_rating_scale_enter_the_index_and_a_blank_counts_as_the_scales_middle(scales_db):
    # index value = score × 100 / scale_max. R1: A 100, B 7/7 = 100, C 3/5 = 60.
    # R2 leaves B blank: one blank is allowed and counts as "average", 3 of 1-5 placed on 1-7:
    # 1 + (3 − 1) × 6 / 4 = 4 -> 400/7 = 57.142857; A 80, C 0/5 = 0.
    # items: A (100+80)/2 = 90, B (100+57.142857)/2 = 78.571429, C (60+0)/2 = 30
    # overall (equal weights): (90 + 78.571429 + 30) / 3 = 66.190476
    with open_db(scales_db) as con:
        result = compute_satisfaction(con, wave="W")
    items = result.items.set_index("item_code")["satisfaction"].to_dict()
    assert items == {"A": approx(90), "B": approx(550 / 7), "C": approx(30)}
    assert result.overall_index == approx((90 + 550 / 7 + 30) / 3)
    assert result.n_valid == 2
    reasons = {item.item_code: item.reason for item in result.left_out}
    assert reasons == {"NPS": "recommendation", "OV": "outcome", "YN": "two_point"}


def test_two_blanks_make_a_questionnaire_invalid_whatever_the_scales(scales_db):
    # R2 now also leaves C blank: two blanks of the rating items (A, B, C, OV asked) -> invalid;
    # only R1 counts: overall (100 + 100 + 60) / 3 = 86.666667
    with open_db(scales_db) as con:
        con.execute("delete from survey_responses where response_id = 'R2' and item_code = 'C'")
        result = compute_satisfaction(con, wave="W")
    assert result.n_valid == 1 and result.overall_index == approx(260 / 3)


def test_the_command_line_lists_the_items_left_out(scales_db, capsys):
    assert main(["satisfaction", "--wave", "W", "--json", "--db", str(scales_db)]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["overall_index"] == approx((90 + 550 / 7 + 30) / 3)
    assert payload["items_left_out"] == {"NPS": "recommendation", "OV": "outcome", "YN": "two_point"}
