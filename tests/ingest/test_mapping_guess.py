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
    mapping = guess_mapping(spec, ["order_dat", "结算款"], overrides={"结算款": "amount"})
    assert mapping_confidence(spec, mapping, chosen=["结算款"]) == {"order_dat": 94, "结算款": 100}


def test_of_several_money_columns_the_money_received_is_the_amount_and_the_choice_is_told(tmp_path):
    """A marketplace order report has 总金额 (ordered), 买家应付货款 (due) and 买家实际支付金额 (paid):
    the paid one is the amount, whatever the column order, and a notice names the others."""
    from rows import database  # tests/support, on the path (tests/conftest.py)

    from kam_metrics.ingest.stage import stage_file

    headers = ["订单号", "客户编号", "订单日期", "数量", "总金额", "买家应付货款", "买家实际支付金额"]
    assert guess_mapping(TABLES["sales"], headers)["买家实际支付金额"] == "amount"
    assert guess_mapping(TABLES["sales"], list(reversed(headers)))["买家实际支付金额"] == "amount"
    db = database(tmp_path / "kam.duckdb", K1="甲公司")
    text = ",".join(headers) + "\nS1,K1,2025-03-01,1,120,110,99.5\n"
    staged = stage_file(text.encode(), "tmall.csv", "sales", db=db)
    assert staged.ok and staged.rows.column("amount").to_pylist() == [99.5]
    assert "Amount taken from '买家实际支付金额'; the file also has 总金额, 买家应付货款 (change it in the column mapping)." in [
        en for _, en in staged.notices]
