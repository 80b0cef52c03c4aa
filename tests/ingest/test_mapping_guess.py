"""Header guessing: exact names and aliases map with full confidence, a close misspelling maps through
rapidfuzz with the similarity it scored, a header far from every alias is left for the user."""

from __future__ import annotations

from kam_metrics.ingest.spec import TABLES
from kam_metrics.ingest.stage import guess_mapping, mapping_confidence


def test_aliases_map_with_full_confidence_and_close_misspellings_with_their_score():
    spec = TABLES["sales"]
    headers = ["订单号", "account id", "order_dat", "Amount", "备注说明"]
    mapping = guess_mapping(spec, headers)
    assert mapping == {"订单号": "order_id", "account id": "account_id", "order_dat": "order_date",
                       "Amount": "amount", "备注说明": None}
    confidence = mapping_confidence(spec, mapping)
    assert confidence["订单号"] == 100 and confidence["account id"] == 100 and confidence["Amount"] == 100
    # headers compare normalised ("orderdat" against "orderdate"): ratio 2*8/(8+9) = 94.1 -> 94
    assert confidence["order_dat"] == 94
    assert "备注说明" not in confidence


def test_a_column_is_taken_once_even_when_two_headers_resemble_it():
    mapping = guess_mapping(TABLES["sales"], ["order_date", "order_dat"])
    assert mapping == {"order_date": "order_date", "order_dat": None}


def test_a_mapping_the_user_chose_is_sure():
    spec = TABLES["sales"]
    mapping = guess_mapping(spec, ["order_dat", "成交金额"], overrides={"成交金额": "amount"})
    assert mapping_confidence(spec, mapping, chosen=["成交金额"]) == {"order_dat": 94, "成交金额": 100}
