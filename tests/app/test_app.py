"""AppTest over every page (a real DuckDB file, the real app): no exception, and the numbers shown."""

from __future__ import annotations

import pytest
from app_support import ROOT, run_app
from streamlit.testing.v1 import AppTest

PAGES = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "pages").glob("[!_]*.py"))


def test_pages_exist():
    assert "pages/01_overview.py" in PAGES


@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs_without_exception(monkeypatch, hand_db, page):
    at = run_app(monkeypatch, hand_db, page)
    assert not at.exception, [e.value for e in at.exception]
    assert at.title, f"{page} shows no title"


@pytest.mark.parametrize("page", PAGES)
def test_every_page_has_an_empty_state_on_an_empty_database(monkeypatch, tmp_path, page):
    from kam_metrics.store.connection import open_db

    empty = tmp_path / "empty.duckdb"
    with open_db(empty):
        pass
    at = run_app(monkeypatch, empty, page)
    assert not at.exception, [e.value for e in at.exception]
    assert at.info, f"{page} shows no empty-state message on an empty database"


def test_overview_cards_show_the_hand_computed_figures(monkeypatch, hand_db):
    # latest order 2025-06-30 -> default preset "this quarter" = 2025 Q2, compared with 2025 Q1
    at = run_app(monkeypatch, hand_db, "pages/01_overview.py")
    cards = {m.label: (m.value, m.delta) for m in at.metric}
    assert cards["销售额"] == ("¥3,050", "+60.5%")  # 3050 vs 1900
    assert cards["销售量"] == ("30", "+57.9%")  # 30 vs 19
    assert cards["目标完成率"][0] == "101.7%"  # 3050 / (2000 + 1000)
    assert cards["活跃重点客户"][0] == "2"  # A1, A2 (class A)
    assert cards["重复购买率"] == ("25.0%", "+25.0 pp")  # 1 of 4 accounts; Q1 0 of 3
    assert cards["综合满意度"] == ("75.0", "+15.0")  # wave W1 75 vs W0 60


def test_overview_in_english_via_query_parameter(monkeypatch, hand_db):
    at = run_app(monkeypatch, hand_db, lang="en")
    assert not at.exception
    cards = {m.label: m.value for m in at.metric}
    assert cards["Revenue"] == "¥3.0K"
    assert cards["Target completion"] == "101.7%"
    assert at.title[0].value == "Key-account overview"


def test_filters_change_the_figures(monkeypatch, hand_db):
    at = run_app(monkeypatch, hand_db)
    at.multiselect(key="f_owner").set_value(["张三"]).run()
    cards = {m.label: m.value for m in at.metric}
    assert cards["销售额"] == "¥2,600"  # A1 2300 + A3 300
    assert cards["目标完成率"] == "130.0%"  # 2600 / 2000
    # 张三's accounts A1, A3: W1 R1 (A1) 85, R3 (A3) invalid -> 85; W0 R0 (A1) 60 -> +25.0
    assert {m.label: (m.value, m.delta) for m in at.metric}["综合满意度"] == ("85.0", "+25.0")
    at.selectbox(key="f_preset").set_value("last_quarter").run()
    assert not at.exception
    assert {m.label: m.value for m in at.metric}["销售额"] == "¥1,000"  # 2025 Q1: A1 1000


def test_language_switch(monkeypatch, hand_db):
    at = run_app(monkeypatch, hand_db)
    at.radio(key="lang").set_value("en").run()
    assert not at.exception
    cards = {m.label: m.value for m in at.metric}
    assert cards["Revenue"] == "¥3.0K"
    assert at.query_params["lang"] == "en"  # a shared link opens in English
    assert at.multiselect(key="f_owner").label == "Account manager"


def test_yoy_comparison(monkeypatch, hand_db):
    at = run_app(monkeypatch, hand_db)
    at.radio(key="f_compare").set_value("yoy").run()
    cards = {m.label: (m.value, m.delta) for m in at.metric}
    assert cards["销售额"] == ("¥3,050", "+1,425.0%")  # 2024 Q2: 200


# --- Sales, Accounts, Account 360 and Team: a number shown equals the kam_metrics value for the same filters ----------------
from datetime import date  # noqa: E402

from kam_metrics.domain.filters import Filters  # noqa: E402
from kam_metrics.i18n import format_money, format_percent  # noqa: E402

Q2 = Filters(start=date(2025, 4, 1), end=date(2025, 6, 30))  # the default preset on the hand rows


def metrics_of(at: AppTest) -> dict:
    return {m.label: (m.value, m.delta) for m in at.metric}


def test_sales_page_cards_equal_kam_metrics(monkeypatch, hand_db):
    from kam_metrics.metrics.kpi import compute_kpis
    from kam_metrics.metrics.loyalty import compute_order_intervals
    from kam_metrics.store.connection import open_db

    with open_db(hand_db) as con:
        k = compute_kpis(con, Q2)
        intervals = compute_order_intervals(con, Q2)
    at = run_app(monkeypatch, hand_db, "pages/02_sales.py")
    assert not at.exception, [e.value for e in at.exception]
    cards = metrics_of(at)
    assert cards["销售额"] == (format_money(k["revenue"], "zh"), "+60.5%") == ("¥3,050", "+60.5%")
    assert cards["订单数"] == (f"{k['orders']:,}", "+2") == ("5", "+2")  # 5 orders vs 3 in Q1
    assert cards["活跃客户"] == ("4", "+1")  # A1 A2 A3 A5 vs A1 A2 A4
    assert cards["毛利率"][0] == format_percent(k["gross_margin"]) == "42.7%"  # 960 / 2250
    assert cards["目标完成率"][0] == format_percent(k["target_completion"]) == "101.7%"
    assert cards["平均下单间隔(天)"][0] == f"{intervals['mean_days_between_orders']:.1f}" == "40.0"


def test_sales_page_owner_targets_table_equals_kam_metrics(monkeypatch, hand_db):
    from kam_metrics.metrics.sales import compute_target_by
    from kam_metrics.store.connection import open_db

    with open_db(hand_db) as con:
        expected = compute_target_by(con, Q2, "owner")
    at = run_app(monkeypatch, hand_db, "pages/02_sales.py")
    table = at.dataframe[0].value  # the first tab: account managers
    assert table["key"].tolist() == expected["key"].tolist() == ["张三", "李四"]
    assert table["revenue"].tolist() == expected["revenue"].tolist()
    assert table["completion"].tolist() == pytest.approx([130.0, 45.0])


def test_sales_page_breakdown_and_filters(monkeypatch, hand_db):
    at = run_app(monkeypatch, hand_db, "pages/02_sales.py")
    at.selectbox(key="sales_dimension").set_value("region").run()
    assert not at.exception
    at.radio(key="sales_grain").set_value("quarter").run()
    at.multiselect(key="f_abc").set_value(["A"]).run()
    assert not at.exception
    assert metrics_of(at)["销售额"][0] == "¥2,700"  # A1 2300 + A2 400
    # owner targets are not compared under an ABC filter: the page says so instead of drawing them
    assert any("其他维度筛选" in i.value for i in at.info)


def test_accounts_page_equals_kam_metrics(monkeypatch, hand_db):
    from kam_metrics.metrics.accounts import compute_account_list
    from kam_metrics.metrics.sales import compute_sales_summary
    from kam_metrics.store.connection import open_db

    with open_db(hand_db) as con:
        summary = compute_sales_summary(con, Q2)
        expected = compute_account_list(con, Q2)
    at = run_app(monkeypatch, hand_db, "pages/03_accounts.py")
    assert not at.exception, [e.value for e in at.exception]
    cards = metrics_of(at)
    assert cards["前十大客户占比"][0] == format_percent(summary["top10_share"]) == "100.0%"
    # (2300² + 400² + 300² + 50²) / 3050² = 5,542,500 / 9,302,500
    assert cards["赫芬达尔指数"][0] == f"{summary['herfindahl']:.3f}" == "0.596"
    assert cards["重复购买率"][0] == "25.0%"
    assert cards["客户留存率"][0] == "66.7%"  # A1, A2 of A1, A2, A4
    listing = at.dataframe[0].value
    assert listing["account_id"].tolist() == expected["account_id"].tolist() == ["A1", "A2", "A3", "A5", "A4"]
    assert listing["revenue"].tolist() == expected["revenue"].tolist()


def test_accounts_page_abc_filter_and_search(monkeypatch, hand_db):
    at = run_app(monkeypatch, hand_db, "pages/03_accounts.py")
    at.multiselect(key="f_abc").set_value(["B"]).run()
    assert at.dataframe[0].value["account_id"].tolist() == ["A3", "A4"]
    at.text_input(key="accounts_search").input("物流").run()
    assert at.dataframe[0].value["account_id"].tolist() == ["A4"]
    assert not at.exception


def test_accounts_page_lists_an_account_churned_in_the_period(monkeypatch, extra_db):
    at = run_app(monkeypatch, extra_db, "pages/03_accounts.py")
    lost = [d.value for d in at.dataframe if "reason" in d.value.columns][0]
    assert lost["account_id"].tolist() == ["A4"]
    assert lost["reason"].tolist() == ["已标记流失"]
    assert metrics_of(at)["净推荐值 NPS"][0] == "+25.0"  # (2 promoters − 1 detractor) / 4


def test_account_360_opens_from_the_address_and_equals_kam_metrics(monkeypatch, extra_db):
    from kam_metrics.metrics.accounts import compute_account_profile
    from kam_metrics.store.connection import open_db

    with open_db(extra_db) as con:
        profile = compute_account_profile(con, "A1", Q2.end)
    monkeypatch.setenv("KAM_DB", str(extra_db))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.query_params["account"] = "A1"
    at.run()
    at.switch_page("pages/04_account_360.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.selectbox(key="a360_pick").value == "A1"
    cards = metrics_of(at)
    assert cards["近12个月销售额"][0] == format_money(profile["revenue_12m"], "zh") == "¥3,300"
    assert cards["销售额"] == ("¥2,300", "+130.0%")  # Q2 2300 vs Q1 1000
    assert cards["订单数"] == ("2", "+1")
    assert cards["平均下单间隔(天)"][0] == "40.0"
    at.selectbox(key="a360_pick").set_value("A2").run()
    assert metrics_of(at)["销售额"][0] == "¥400"
    assert at.query_params["account"] == "A2"


def test_team_page_equals_kam_metrics(monkeypatch, extra_db):
    from kam_metrics.metrics.team import compute_team
    from kam_metrics.store.connection import open_db

    with open_db(extra_db) as con:
        expected = compute_team(con, Q2)
    at = run_app(monkeypatch, extra_db, "pages/05_team.py")
    assert not at.exception, [e.value for e in at.exception]
    table = at.dataframe[0].value
    assert table["owner"].tolist() == expected["owner"].tolist() == ["张三", "李四"]
    assert table["revenue"].tolist() == expected["revenue"].tolist() == [2600.0, 450.0]
    assert table["target_completion"].tolist() == pytest.approx([130.0, 45.0])
    assert table["count_visits"].tolist() == [1, 0] and table["count_calls"].tolist() == [1, 1]


def test_team_page_without_interactions_says_what_to_import(monkeypatch, hand_db):
    at = run_app(monkeypatch, hand_db, "pages/05_team.py")
    assert not at.exception
    assert any("服务与回访" in i.value for i in at.info)
    assert at.title[0].value == "团队业绩"
