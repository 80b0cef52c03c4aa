"""AppTest of the Satisfaction page and the satisfaction parts of Settings and Account 360: the numbers
shown equal kam_metrics' values on the hand-typed rows."""

from __future__ import annotations

from app_support import run_app

from kam_metrics.metrics.satisfaction import compute_satisfaction
from kam_metrics.store.connection import open_db
from kam_metrics.store.settings import load_settings

PAGE = "pages/06_satisfaction.py"


def test_satisfaction_page_shows_the_kam_metrics_values(monkeypatch, hand_db):
    with open_db(hand_db) as con:
        expected = compute_satisfaction(con, wave="W1")
    at = run_app(monkeypatch, hand_db, PAGE)
    assert not at.exception, [e.value for e in at.exception]
    cards = {m.label: (m.value, m.delta) for m in at.metric}
    assert cards["综合满意度"] == (f"{expected.overall_index:.1f}", "+15.0")  # 75.0 vs W0 60.0
    assert cards["综合满意度"][0] == "75.0"
    assert cards["满意客户率 · 目标 85.0%"][0] == "50.0%"  # A1 85 satisfied, A2 65 not
    assert cards["反馈率"][0] == "75.0%"  # 3 of 4 sent
    assert cards["有效率"][0] == "66.7%"  # 2 of 3 returned
    # 2 valid questionnaires: flagged as a low sample; W0 has one questionnaire: change not testable
    assert any("样本量小" in w.value for w in at.warning)
    assert "无法检验" in dict((m.label, m.help) for m in at.metric)["综合满意度"]


def test_satisfaction_page_waves_tables_and_downloads(monkeypatch, hand_db):
    # (English is covered by tests/test_app.py and tests/test_browser.py; AppTest 1.65 cannot change a
    # widget after switch_page.)
    at = run_app(monkeypatch, hand_db, PAGE)
    assert not at.exception, [e.value for e in at.exception]
    assert len(at.dataframe) >= 3  # items, waves, accounts
    assert len(at.get("download_button")) == len(at.dataframe)  # every table downloadable
    # (AppTest 1.65 cannot set a widget after switch_page: the wave selector is checked by its options)
    assert at.selectbox(key="sat_wave").options == ["W0", "W1"]


def test_settings_stored_in_the_database_drive_settings_and_satisfaction_pages(monkeypatch, hand_db):
    # (AppTest 1.65 drops button clicks after switch_page, so the setting is stored the way the
    # Settings page's save button stores it: kam_metrics.store.settings.save_setting.)
    from kam_metrics.store.settings import save_setting

    with open_db(hand_db) as con:
        save_setting(con, "survey_max_imputed_blanks", 2)
        assert compute_satisfaction(con, wave="W1").n_valid == 3  # R3's two blanks now allowed
        assert load_settings(con)["survey_max_imputed_blanks"] == 2
    at = run_app(monkeypatch, hand_db, "pages/14_settings.py")
    assert not at.exception, [e.value for e in at.exception]
    assert at.number_input(key="sat_set_max_blanks").value == 2
    at.switch_page(PAGE).run()
    assert {m.label: m.value for m in at.metric}["有效率"] == "100.0%"  # 3 valid of 3 returned


def test_account_360_shows_satisfaction(monkeypatch, hand_db):
    monkeypatch.setenv("KAM_DB", str(hand_db))
    at = run_app(monkeypatch, hand_db)
    at.query_params["account"] = "A1"
    at.switch_page("pages/04_account_360.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(s.value == "满意度" for s in at.subheader)


def test_the_cached_page_data_survives_pickling(hand_db):
    # st.cache_data (kam_app.data.cache.cached_query) stores a loader's result pickled: the frozen
    # dataclasses must round-trip, frames included
    import pickle

    import pandas as pd

    from kam_app.data.satisfaction import _satisfaction_page

    with open_db(hand_db) as con:
        data = _satisfaction_page.work(con, None, None)
    copy = pickle.loads(pickle.dumps(data))
    assert copy.page.wave == "W1" and copy.page.waves == ("W0", "W1")
    assert copy.page.current.nps == data.page.current.nps and copy.page.change == data.page.change
    pd.testing.assert_frame_equal(copy.page.items, data.page.items)
    assert copy.settings == data.settings
