"""The Satisfaction page under the sidebar's account filters: every figure is computed over
the questionnaires of the filtered accounts only; without a filter nothing changes.

conftest.py's hand rows: items Q1 product w2, Q2 service w1, Q3 price w1 (1-5), OV overall (1-5), NPS
(0-10); W0 sent 2: R0 A1 (3,3,3; NPS 6) on 2024-12-01; W1 sent 4: R1 A1 (5,4,3; NPS 9) 2025-06-01,
R2 A2 (4,_,2; NPS 7) 2025-06-02, R3 A3 (_,_,5; NPS 10; two blanks -> invalid) 2025-06-03.
Owners: 张三 A1, A3; 李四 A2, A4, A5. extra_db adds R4, an anonymous NPS answer 3 in W1.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
from app_support import run_app
from pytest import approx

from kam_metrics.domain.filters import Filters
from kam_metrics.metrics.satisfaction import (
    SegmentScope,
    compute_satisfaction,
    compute_satisfaction_page,
    page_segments,
    segment_account_ids,
)
from kam_metrics.store.connection import open_db

PAGE = "pages/06_satisfaction.py"
Q2_2025 = (date(2025, 4, 1), date(2025, 6, 30))


def _filters(**segments) -> Filters:
    return Filters(*Q2_2025, **segments)


def test_owner_filter_counts_only_its_accounts_questionnaires(hand_db):
    # 张三 -> A1, A3: W1 keeps R1 (valid) and R3 (two blanks, invalid); R2 (A2, 李四) drops out.
    # items over R1 only: Q1 5 -> 100, Q2 4 -> 80, Q3 3 -> 60, n = 1 each
    # overall (100*2 + 80 + 60) / 4 = 340 / 4 = 85
    # accounts: A1 85 >= 70 satisfied; A3 has no valid questionnaire -> 1 of 1 surveyed -> rate 1.0
    # returned 2, valid 1 -> validity 1/2; response rate: no per-segment sent -> None ("—")
    # NPS answers R1 9, R3 10 -> 2 promoters of 2 -> +100 points
    with open_db(hand_db) as con:
        page = compute_satisfaction_page(con, "W1", _filters(owners=("张三",)))
    cur = page.current
    assert cur.overall_index == approx(85.0)
    items = cur.items.set_index("item_code")
    assert items["satisfaction"].to_dict() == {"Q1": approx(100), "Q2": approx(80), "Q3": approx(60)}
    assert items["n"].tolist() == [1, 1, 1]
    assert cur.dimensions.set_index("dimension")["satisfaction"].to_dict() == {
        "price": approx(60), "product": approx(100), "service": approx(80)}
    assert cur.accounts.set_index("account_id")["account_index"].to_dict() == {"A1": approx(85)}
    assert cur.satisfied_rate == 1.0 and cur.count_satisfied == 1 and cur.count_surveyed == 1
    assert cur.n_returned == 2 and cur.n_valid == 1 and cur.validity_rate == approx(0.5)
    assert cur.n_sent is None and cur.response_rate is None
    assert cur.nps.nps == approx(100.0) and cur.nps.count_answers == 2
    # previous wave W0 over the same accounts: R0 A1 (3,3,3) -> every item 60, overall 60
    # gap_previous Q1 100-60 = +40, Q2 80-60 = +20, Q3 60-60 = 0; one questionnaire each side: untestable
    assert page.previous.overall_index == approx(60.0)
    assert page.items.set_index("item_code")["gap_previous"].to_dict() == {
        "Q1": approx(40), "Q2": approx(20), "Q3": approx(0)}
    assert page.change.significant is None
    # Likert: R1's answers only (R3 invalid, imputed answers never counted)
    likert = page.likert.set_index("item_code")
    assert sorted(zip(page.likert["item_code"], page.likert["score"])) == [
        ("OV", 4), ("Q1", 5), ("Q2", 4), ("Q3", 3)]
    assert likert["count_answers"].sum() == 4
    # account list: A1 only, with its owner
    assert page.accounts[["account_id", "owner"]].values.tolist() == [["A1", "张三"]]
    # segment facts for the caption: evaluated as of W1's last survey date; 4 questionnaires, 2 counted
    assert page.segment == SegmentScope(as_of=date(2025, 6, 3), count_accounts=2, n_all=3, n_anonymous=0, n_segment=2)


def test_owner_filter_history_coverage_and_response_rate(hand_db):
    with open_db(hand_db) as con:
        page = compute_satisfaction_page(con, "W1", _filters(owners=("张三",)))
    history = page.history.set_index("wave")
    # W0: R0 (A1) valid, 60; W1: see above, 85. Sent and response rate have no per-account denominator.
    assert history["returned"].to_dict() == {"W0": 1, "W1": 2}
    assert history["valid"].to_dict() == {"W0": 1, "W1": 1}
    assert history["overall_index"].tolist() == [approx(60), approx(85)]
    assert history["sent"].isna().all() and history["response_rate"].isna().all()
    assert history["validity_rate"].tolist() == [approx(1.0), approx(0.5)]
    # coverage as of W1's last answer 2025-06-03, revenue after 2024-06-03 of 张三's accounts:
    # A1 1500 + 800 + 1000 = 3300, A3 300 -> 3600; surveyed (valid) A1 -> 3300 / 3600
    cov = page.coverage
    assert cov.as_of == date(2025, 6, 3)
    assert cov.coverage == approx(3300 / 3600)
    # ABC among ALL accounts as of 2025-06-03: A1 3300 (A), A2 600 (share before 0.717: A), A4 400
    # (0.848: B), A3 300 (0.935: B) -> no A account of 张三 unsurveyed
    assert cov.a_not_surveyed.empty


def test_owner_filter_lists_its_a_accounts_not_surveyed(hand_db):
    # W0 under 李四 (A2, A4, A5): no questionnaire (R0 is A1's).
    # As of 2024-12-01, revenue after 2023-12-01: A2 200 (2024-05-15), A4 100 (2024-08-01) -> 300
    # among all accounts: A2 200 (share before 0: A), A4 100 (share before 200/300 = 0.667: A)
    # -> coverage 0 / 300 = 0; A accounts not surveyed A2, A4 (A1 is surveyed and not 李四's anyway)
    with open_db(hand_db) as con:
        page = compute_satisfaction_page(con, "W0", _filters(owners=("李四",)))
    assert page.current.n_returned == 0 and page.current.overall_index is None
    assert page.current.satisfied_rate is None and page.current.response_rate is None
    assert page.coverage.coverage == approx(0.0)
    assert page.coverage.a_not_surveyed["account_id"].tolist() == ["A2", "A4"]
    assert page.accounts.empty


def test_anonymous_questionnaires_drop_out_and_are_counted(extra_db):
    # extra_db adds R4: an anonymous questionnaire in W1 with only NPS 3.
    # All accounts: NPS 9, 7, 10, 3 -> promoters 2, detractors 1 of 4 -> (2-1)/4 = +25 points
    # 张三: R1 9, R3 10 -> +100; the anonymous R4 is left out and counted in the caption facts
    with open_db(extra_db) as con:
        everyone = compute_satisfaction_page(con, "W1")
        zhang = compute_satisfaction_page(con, "W1", _filters(owners=("张三",)))
    assert everyone.current.nps.nps == approx(25.0) and everyone.current.n_returned == 4
    assert zhang.current.nps.nps == approx(100.0) and zhang.current.n_returned == 2
    assert zhang.segment.n_all == 4 and zhang.segment.n_anonymous == 1
    assert zhang.segment.n_segment == 2


def test_comments_follow_the_filter(hand_db):
    with open_db(hand_db) as con:
        con.execute("update survey_responses set comment = '交货及时' where response_id = 'R1' and item_code = 'Q1'")
        con.execute("update survey_responses set comment = '价格偏高' where response_id = 'R2' and item_code = 'Q3'")
        everyone = compute_satisfaction_page(con, "W1")
        zhang = compute_satisfaction_page(con, "W1", _filters(owners=("张三",)))
        li = compute_satisfaction_page(con, "W1", _filters(owners=("李四",)))
    assert sorted(everyone.comments["comment"]) == ["交货及时", "价格偏高"]
    assert zhang.comments["comment"].tolist() == ["交货及时"]
    assert li.comments["comment"].tolist() == ["价格偏高"]


def test_segments_are_evaluated_as_of_the_waves_last_survey_date(hand_db):
    # tenure band "mid" (1-5 years). As of W1's last answer 2025-06-03: mid = cooperation_start in
    # [2020-06-03, 2024-06-03] -> A2 (2023-03-01), A4 (2021-01-01); A3 (2025-01-10) and A5 (2024-12-01)
    # are new, A1 (2018) long. As of a sidebar period end 2026-03-31 it would be A2, A3, A5 (A4 long).
    with open_db(hand_db) as con:
        assert segment_account_ids(con, _filters(tenure_bands=("mid",)), date(2025, 6, 3)) == ["A2", "A4"]
        assert segment_account_ids(con, _filters(tenure_bands=("mid",)), date(2026, 3, 31)) == ["A2", "A3", "A5"]
        later = Filters(date(2026, 1, 1), date(2026, 3, 31), tenure_bands=("mid",))
        page = compute_satisfaction_page(con, "W1", later)
    # the page uses the wave's date: R2 (A2) only, not R3 (A3) -> returned 1, overall of R2:
    # Q1 4 -> 80, Q2 blank -> 3 -> 60, Q3 2 -> 40: (80*2 + 60 + 40) / 4 = 65
    assert page.segment.as_of == date(2025, 6, 3)
    assert page.current.n_returned == 1 and page.current.overall_index == approx(65.0)
    # satisfied: A2 65 < 70 -> 0 of 1
    assert page.current.satisfied_rate == 0.0


def test_abc_filter_keeps_the_class_a_accounts(hand_db):
    # class A as of 2025-06-03: A1, A2 (see coverage above) -> R1, R2 -> the same valid questionnaires as
    # without a filter (R3 is invalid anyway): overall 75, but returned 2 instead of 3 and validity 2/2
    with open_db(hand_db) as con:
        page = compute_satisfaction_page(con, "W1", _filters(abc_classes=("A",)))
    cur = page.current
    assert cur.overall_index == approx(75.0) and cur.n_returned == 2 and cur.validity_rate == 1.0
    assert cur.response_rate is None


def test_no_segment_filter_changes_nothing(hand_db):
    # a Filters without segments (just a period) and no Filters at all give today's numbers:
    # W1 overall 75, response 3 of 4 sent = 0.75, validity 2/3, satisfied 1 of 2 (see test_satisfaction.py)
    with open_db(hand_db) as con:
        plain = compute_satisfaction_page(con, None)
        period_only = compute_satisfaction_page(con, None, _filters())
        direct = compute_satisfaction(con, wave="W1")
    assert page_segments(_filters()) is None and page_segments(None) is None
    assert plain.segment is None and period_only.segment is None
    for page in (plain, period_only):
        cur = page.current
        assert cur.overall_index == approx(75.0) and cur.response_rate == approx(0.75)
        assert cur.n_sent == 4 and cur.validity_rate == approx(2 / 3) and cur.satisfied_rate == approx(0.5)
        assert page.history["response_rate"].tolist() == [approx(0.5), approx(0.75)]  # W0 1 of 2, W1 3 of 4
        assert page.coverage.coverage == approx(3900 / 4600)
    pd.testing.assert_frame_equal(plain.items, period_only.items)
    pd.testing.assert_frame_equal(plain.history, period_only.history)
    assert direct.overall_index == plain.current.overall_index


def test_page_segments_ignores_the_period_for_the_cache():
    a = page_segments(Filters(date(2025, 4, 1), date(2025, 6, 30), owners=("张三",)))
    b = page_segments(Filters(date(2025, 1, 1), date(2025, 3, 31), compare="yoy", owners=("张三",)))
    assert a == b and a.owners == ("张三",)


def test_page_shows_the_filtered_overall_index(monkeypatch, hand_db):
    with open_db(hand_db) as con:
        expected = compute_satisfaction_page(con, "W1", _filters(owners=("张三",))).current
    assert expected.overall_index == approx(85.0)  # R1 only, see the first test
    at = run_app(monkeypatch, hand_db)
    at.multiselect(key="f_owner").set_value(["张三"]).run()  # the sidebar filter, set on the first page
    at.switch_page(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.session_state["kam_filters"].owners == ("张三",)
    cards = {m.label: (m.value, m.delta, m.help) for m in at.metric}
    # 85.0 vs W0 60.0 over the same accounts -> +25.0
    assert cards["综合满意度"][:2] == (f"{expected.overall_index:.1f}", "+25.0")
    assert cards["满意客户率 · 目标 85.0%"][0] == "100.0%"  # A1 85 of 1 surveyed
    assert cards["反馈率"][0] == "—" and not cards["反馈率"][1]  # no delta either
    assert "发放数只按批次记录" in cards["反馈率"][2]
    assert cards["有效率"][0] == "50.0%"  # 1 valid of 2 returned
    captions = " ".join(c.value for c in at.caption)
    assert "客户经理 张三" in captions and "计入 2 份" in captions and "0 份匿名问卷" in captions
    assert "2025-06-03" in captions or "2025年6月3日" in captions
    assert "不受侧边栏筛选影响" not in captions
    # the wave table says "—" for sent and response rate (no per-account number sent), not an empty cell
    waves = next(d.value for d in at.dataframe if "returned" in d.value.columns)
    assert waves["sent"].tolist() == ["—", "—"] and waves["response_rate"].tolist() == ["—", "—"]
    assert waves["returned"].tolist() == [1, 2]  # W0 R0; W1 R1, R3
