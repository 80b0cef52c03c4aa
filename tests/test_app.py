"""AppTest over every page (a real DuckDB file, the real app): no exception, and the numbers shown."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
PAGES = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "pages").glob("[!_]*.py"))


def run_app(monkeypatch, db: Path, page: str | None = None, lang: str | None = None) -> AppTest:
    monkeypatch.setenv("KAM_DB", str(db))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    if lang:
        at.query_params["lang"] = lang
    at.run()
    if page:
        at.switch_page(page)
        at.run()
    return at


def test_pages_exist():
    assert "pages/01_overview.py" in PAGES


@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs_without_exception(monkeypatch, hand_db, page):
    at = run_app(monkeypatch, hand_db, page)
    assert not at.exception, [e.value for e in at.exception]
    assert at.title, f"{page} shows no title"


@pytest.mark.parametrize("page", PAGES)
def test_every_page_has_an_empty_state_on_an_empty_database(monkeypatch, tmp_path, page):
    from kam_metrics.store import open_db

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
