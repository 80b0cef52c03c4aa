"""The forecast on the Sales page and on Account 360 shows the kam_metrics.forecast.engine numbers;
AppTest against a real DuckDB file of hand-typed monthly rows (see tests/test_forecast.py)."""

from __future__ import annotations

from datetime import date

import pytest
from app_support import run_app
from forecast_support import make_db, months, noisy_series
from streamlit.testing.v1 import AppTest

from kam_metrics.forecast.engine import forecast_series, project_completion
from kam_metrics.i18n import format_money, format_month, format_percent
from kam_metrics.store.connection import open_db


@pytest.fixture()
def forecast_db(tmp_path):
    # K1: 42 noisy seasonal months 2022-01 .. 2025-06; K2: 800 a month for the last 12 months
    series = {"K1": noisy_series(date(2022, 1, 1), 42, seed=3), "K2": [(m, 800.0) for m in months(date(2024, 7, 1), 12)]}
    targets = [("2025", "company", "", 40000.0), ("2025", "owner", "张三", 25000.0), ("2025", "owner", "李四", 9000.0)]
    return make_db(tmp_path / "forecast.duckdb", series, targets=targets)


def _cards(at) -> dict[str, str]:
    assert not at.exception, [e.value for e in at.exception]
    return {m.label: m.value for m in at.metric}


# Chinese only: under AppTest the sidebar's language-dependent widgets cannot be read after a page
# switch in English (streamlit 1.65); tests/test_browser.py opens the page in both languages.
@pytest.mark.parametrize("lang", ["zh"])
def test_sales_page_shows_the_kam_metrics_forecast(monkeypatch, forecast_db, lang):
    with open_db(forecast_db, read_only=True) as con:
        s = forecast_series(con, "company").series[0]
        company = project_completion(con, "company", "year").iloc[0]
    at = run_app(monkeypatch, forecast_db, "pages/02_sales.py", lang=lang)
    cards = _cards(at)
    first = s.forecast[0]
    label = ("下月预测({m})" if lang == "zh" else "Next month ({m})").format(m=format_month(first.month, lang))
    assert first.month == date(2025, 7, 1)
    assert cards[label] == format_money(first.value, lang)
    assert cards["回测误差 MAPE" if lang == "zh" else "Back-test MAPE"] == format_percent(s.mape_backtest)
    assert cards["预计销售额" if lang == "zh" else "Projected revenue"] == format_money(company["projected"], lang)
    assert cards["预计完成率" if lang == "zh" else "Projected completion"] == format_percent(company["projected_completion"])
    # the seasonal-naive error sits next to the model's
    mape_metric = next(m for m in at.metric if m.label in ("回测误差 MAPE", "Back-test MAPE"))
    assert format_percent(s.baseline_mape) in mape_metric.delta
    coverage = next(m for m in at.metric if m.label in ("80% 区间命中率", "80% interval hit rate"))
    assert s.interval_checks > 0 and coverage.value == format_percent(s.interval_coverage)
    assert str(s.interval_checks) in coverage.delta
    assert any(("预测起点" if lang == "zh" else "Forecast from") in c.value for c in at.caption)


def test_account_360_shows_the_accounts_forecast(monkeypatch, forecast_db):
    with open_db(forecast_db, read_only=True) as con:
        s = forecast_series(con, "account", keys=["K2"]).series[0]
    monkeypatch.setenv("KAM_DB", str(forecast_db))
    from app_support import ROOT

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.query_params["account"] = "K2"
    at.run()
    at.switch_page("pages/04_account_360.py")
    at.run()
    cards = _cards(at)
    assert s.method == "holt"  # 12 months: no season yet
    assert cards["下月预测(2025年7月)"] == format_money(s.forecast[0].value, "zh") == "¥800"
    assert any("Holt 指数平滑" in c.value for c in at.caption)


def test_completion_figure_title_states_the_finding(forecast_db):
    from kam_app.charts.forecast import build_completion_figure, build_forecast_figure, completion_title

    with open_db(forecast_db, read_only=True) as con:
        owners = project_completion(con, "owner", "year")
        s = forecast_series(con, "company").series[0]
    # 张三 (K1) and 李四 (K2): each projected against its own 2025 target; the title counts who reaches it
    reached = sum(1 for g in owners["gap"] if g is not None and g <= 0)
    title = completion_title(owners, level="owner", lang="en")
    if reached == 2:
        assert title == "All 2 account managers projected to reach target"
    else:
        worst = owners.loc[owners["gap"].astype(float).idxmax()]
        assert title.startswith(f"{reached} of 2 account managers projected to reach target; largest gap: {worst['key']}")
    fig = build_completion_figure(owners, level="owner", lang="zh")
    assert fig.layout.title.text == completion_title(owners, level="owner", lang="zh")
    assert build_completion_figure(owners.assign(revenue_target=None), level="owner", lang="zh") is None
    forecast_fig = build_forecast_figure(s, lang="en")
    assert forecast_fig.layout.title.text.startswith("Next 12 months expected at ")
    assert format_percent(s.baseline_mape) in forecast_fig.layout.title.text
