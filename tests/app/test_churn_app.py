"""The 流失风险 Churn risk page, the risk column of the account list and the risk section of Account 360
under AppTest: the numbers shown are the kam_metrics values."""

from __future__ import annotations

from pathlib import Path

import pytest
from app_support import run_app
from churn_support import SYNTH_END, build_synthetic_db

from kam_metrics.churn import scoring as churn
from kam_metrics.i18n import format_money
from kam_metrics.store.connection import open_db


@pytest.fixture(scope="module")
def synthetic_db(tmp_path_factory):
    return build_synthetic_db(tmp_path_factory.mktemp("churn_app") / "synthetic.duckdb")


@pytest.fixture(scope="module")
def expected(synthetic_db):
    # the page's default period (this quarter) ends at the latest order date, 31 Dec 2025
    with open_db(synthetic_db, read_only=True) as con:
        return churn.score_accounts(con, SYNTH_END)


def _cards(at) -> dict[str, str]:
    assert not at.exception, [e.value for e in at.exception]
    return {m.label: m.value for m in at.metric}


def test_churn_page_shows_the_kam_metrics_figures(monkeypatch, synthetic_db, expected):
    at = run_app(monkeypatch, synthetic_db, "pages/10_churn.py")
    cards = _cards(at)
    scores = expected.scores
    warnings = churn.early_warning(scores)
    assert at.title[0].value == "流失风险"
    assert cards["已评分客户"] == f"{len(scores):,}" == "90"
    assert cards["高风险客户"] == str(int((scores["band"] == "red").sum()))
    assert cards["预警客户"] == str(len(warnings))
    assert cards["风险收入"] == format_money(float(warnings["revenue_at_risk"].sum()), "zh")
    card = expected.backtest
    assert cards["AUC（本方法）"] == f"{card.auc:.3f}"
    assert cards["AUC（仅按未下单天数）"] == f"{card.baseline_recency_auc:.3f}"
    assert cards["Brier 分数"] == f"{card.brier:.3f}"
    # the early-warning table lists the warnings by revenue at risk, with the reasons in Chinese
    table = at.dataframe[0].value
    assert table["account_id"].tolist() == warnings["account_id"].tolist()
    assert table["reasons"].tolist() == warnings["reasons_zh"].tolist()
    assert any("逻辑回归" in m.value for m in at.markdown)  # the method, in words


def test_accounts_list_and_account_360_show_the_risk(monkeypatch, synthetic_db, expected):
    scores = expected.scores.set_index("account_id")
    at = run_app(monkeypatch, synthetic_db, "pages/03_accounts.py")
    assert not at.exception, [e.value for e in at.exception]
    table = at.dataframe[0].value.set_index("account_id")
    first = table.index[0]
    assert table.loc[first, "churn_probability"] == pytest.approx(scores.loc[first, "probability"] * 100)
    assert table.loc[first, "risk_band"] == {"red": "高风险", "amber": "关注", "green": "健康"}[scores.loc[first, "band"]]

    at.query_params["account"] = first
    at.switch_page("pages/04_account_360.py").run()
    cards = _cards(at)
    assert cards["健康分"] == f"{scores.loc[first, 'health_score']:.1f}"
    assert cards["流失概率"] == f"{scores.loc[first, 'probability'] * 100:.1f}%"


def test_settings_page_stores_the_health_weights_and_alert_probability(monkeypatch, tmp_path):
    from churn_support import build_hand_db
    from streamlit.testing.v1 import AppTest

    from kam_metrics.store.settings import DEFAULTS, load_settings

    db = build_hand_db(tmp_path / "hand.duckdb")
    # the page on its own (single-user mode, no users yet: full rights); a click through the router's
    # switch_page does not rerun the page under AppTest
    monkeypatch.setenv("KAM_DB", str(db))
    at = AppTest.from_file(str(Path(__file__).resolve().parents[2] / "pages" / "14_settings.py"), default_timeout=90)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.number_input(key="churn_w_recency").value == DEFAULTS["churn_weights"]["recency"]
    at.number_input(key="churn_w_satisfaction").set_value(0.0)
    at.slider(key="churn_alert").set_value(0.7)
    at.button(key="churn_settings_save").click().run()
    assert not at.exception, [e.value for e in at.exception]
    with open_db(db, read_only=True) as con:
        settings = load_settings(con)
    assert settings["churn_weights"] == {**DEFAULTS["churn_weights"], "satisfaction": 0.0}
    assert settings["churn_alert_probability"] == 0.7
