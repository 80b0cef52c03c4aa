"""Forecast (docs/kpis.md#forecast): hand-typed monthly rows in a real DuckDB file, with the
expected numbers worked out in the comments.

Every order is dated on the last day of its month, so the latest month counts as complete unless a
test adds a mid-month order on purpose.
"""

from __future__ import annotations

import json
from datetime import date

import numpy as np
import pytest
from forecast_support import make_db, months, noisy_series

from kam_metrics.cli.main import main
from kam_metrics.domain.filters import month_end, shift_months
from kam_metrics.forecast.engine import (
    bias,
    forecast_all,
    forecast_company,
    forecast_series,
    forecast_windows,
    mape,
    project_completion,
)
from kam_metrics.forecast.results import ForecastRun, ForecastSeries
from kam_metrics.store.connection import open_db

approx = pytest.approx
SEASON = [50, 40, 90, 100, 110, 120, 80, 70, 130, 150, 160, 200]  # Jan..Dec, no trend


def only(result: ForecastRun) -> ForecastSeries:
    assert len(result.series) == 1
    return result.series[0]


# --- methods ---------------------------------------------------------------------------------------------


def test_a_perfectly_seasonal_series_is_forecast_exactly(tmp_path):
    # 36 months (2023-01 .. 2025-12) repeating SEASON: Holt-Winters starts from level = mean of year 1,
    # seasonal index = month - that mean, trend 0, so every one-step error is 0 and the states never move
    points = [(m, float(SEASON[m.month - 1])) for m in months(date(2023, 1, 1), 36)]
    db = make_db(tmp_path / "f.duckdb", {"K1": points})
    with open_db(db, read_only=True) as con:
        s = only(forecast_series(con, "company"))
    assert s.method == "holt_winters"
    assert [r.month for r in s.forecast] == months(date(2026, 1, 1), 12)
    assert [r.value for r in s.forecast] == approx([float(v) for v in SEASON], abs=1e-6)
    assert s.mape_backtest == approx(0.0, abs=1e-9) and s.baseline_mape == approx(0.0, abs=1e-9)
    assert s.bias == approx(0.0, abs=1e-9) and s.n_months == 12 and s.n_zero_months == 0
    # no back-test error: the 80 % interval collapses onto the forecast
    assert [r.upper - r.lower for r in s.forecast] == approx([0.0] * 12, abs=1e-6)
    # and every held-out month (the 9 back-test months with >= 3 earlier residuals) falls inside it
    assert (s.interval_coverage, s.interval_checks) == (1.0, 9)


def test_interval_coverage_is_checked_on_months_the_interval_did_not_see():
    import numpy as np

    from kam_metrics.forecast.engine import _interval_coverage

    # forecasts 10 every month; residuals (actual - forecast) 1, -1, 1, -1, 5, 0.5, nan; the band is
    # ± t(0.90; n - 1) × rms of the n earlier residuals (t: 2 df 1.886, 3 df 1.638, 4 df 1.533).
    # month 4: earlier 1, -1, 1 -> rms 1 -> 10 ± 1.886 holds 9 (hit)
    # month 5: rms of 1, -1, 1, -1 = 1 -> 10 ± 1.638 misses 15
    # month 6: rms of 1, -1, 1, -1, 5 = sqrt(29 / 5) = 2.408 -> ± 3.692 holds 10.5 (hit)
    # month 7: no actual, not checked. Months 1-3 have fewer than 3 earlier residuals.
    resid = np.array([[1.0, -1.0, 1.0, -1.0, 5.0, 0.5, np.nan]])
    hits, checks = _interval_coverage(resid, np.full((1, 7), 10.0), 0.8)
    assert (int(hits[0]), int(checks[0])) == (2, 3)
    # the t quantile matters: residual 1.7 after 1, -1, 1 is inside 1.886 (a normal 1.2816 would miss it)
    hits, checks = _interval_coverage(np.array([[1.0, -1.0, 1.0, 1.7]]), np.full((1, 4), 10.0), 0.8)
    assert (int(hits[0]), int(checks[0])) == (1, 1)
    # forecast 1, earlier rms 2 -> [0 (clipped), 4.77] holds the actual 0 of month 4
    hits, checks = _interval_coverage(np.array([[2.0, -2.0, 2.0, -1.0]]), np.array([[1.0, 1.0, 1.0, 1.0]]), 0.8)
    assert (int(hits[0]), int(checks[0])) == (1, 1)


@pytest.mark.parametrize(("count", "method"), [(30, "holt_winters"), (10, "holt")])
def test_a_flat_series_gives_a_flat_forecast(tmp_path, count, method):
    points = [(m, 500.0) for m in months(date(2023, 1, 1), count)]
    db = make_db(tmp_path / "f.duckdb", {"K1": points})
    with open_db(db, read_only=True) as con:
        s = only(forecast_series(con, "company", horizon_months=6))
    assert s.method == method
    assert [r.value for r in s.forecast] == approx([500.0] * 6)


def test_five_months_of_history_uses_the_mean_fallback_and_says_so(tmp_path):
    # 2025-01..05: 100, 300, 200, 0, 400 -> fallback: mean = 1000 / 5 = 200 for every month ahead.
    # Back-test (every origin is a mean of the months before it):
    #   Feb: mean(100) = 100 vs 300 -> |300-100|/300 = 0.6667
    #   Mar: mean(100, 300) = 200 vs 200 -> 0
    #   Apr: mean(100, 300, 200) = 200 vs 0 -> zero actual: left out of MAPE, counted
    #   May: mean(100, 300, 200, 0) = 150 vs 400 -> 250/400 = 0.625
    #   MAPE = (0.6667 + 0 + 0.625) / 3 = 0.43056; bias = (650 - 900) / 900 = -0.27778
    #   (forecasts 100+200+200+150 = 650, actuals 300+200+0+400 = 900); no month has a year-earlier month
    amounts = [100.0, 300.0, 200.0, 0.0, 400.0]
    points = [(m, a) for m, a in zip(months(date(2025, 1, 1), 5), amounts) if a]
    db = make_db(tmp_path / "f.duckdb", {"K1": points + [(date(2025, 4, 30), 0.0)]})
    with open_db(db, read_only=True) as con:
        s = only(forecast_series(con, "company", horizon_months=3))
    assert s.method == "mean"
    assert "fallback" in s.method_note and "5 months" in s.method_note
    assert s.history_months == 5
    assert [r.value for r in s.forecast] == approx([200.0] * 3)
    assert s.mape_backtest == approx((200 / 300 + 0 + 250 / 400) / 3)
    assert s.n_months == 3 and s.n_zero_months == 1
    assert s.bias == approx((650 - 900) / 900)
    assert s.baseline_mape is None and s.baseline_n_months == 0
    back = {r.month: r for r in s.backtest}
    assert back[date(2025, 2, 1)].forecast == approx(100.0)
    assert back[date(2025, 5, 1)].forecast == approx(150.0)
    assert back[date(2025, 1, 1)].forecast is None  # no history before the first month
    # 80 % interval: residuals 200, 0, -200, 250 -> rms = sqrt((40000 + 0 + 40000 + 62500) / 4) = 188.745;
    # 4 residuals -> t(0.90; 3 df) = 1.6377 -> half width 309.11; the mean fallback does not widen with h
    assert [r.upper for r in s.forecast] == approx([200 + 1.637744 * 188.745197] * 3, rel=1e-5)
    assert [r.lower for r in s.forecast] == [0.0] * 3  # 200 - 309.11 clipped at zero
    # held out: only May has >= 3 earlier residuals: 150 ± 1.8856 × rms(200, 0, -200) = 150 ± 1.8856 × 163.30
    # = [0, 457.9], which holds May's 400
    assert (s.interval_coverage, s.interval_checks) == (1.0, 1)


def test_seasonal_naive_baseline_on_hand_rows(tmp_path):
    # 2023 and 2024: 100 a month; 2025: 120 a month. Baseline for each 2025 month = the 2024 month = 100:
    # MAPE = 20/120 = 0.16667, bias = (12*100 - 12*120) / (12*120) = -0.16667
    points = [(m, 100.0 if m.year < 2025 else 120.0) for m in months(date(2023, 1, 1), 36)]
    db = make_db(tmp_path / "f.duckdb", {"K1": points})
    with open_db(db, read_only=True) as con:
        s = only(forecast_series(con, "company"))
    assert s.baseline_mape == approx(20 / 120)
    assert s.baseline_bias == approx(-20 / 120)
    assert s.baseline_n_months == 12
    assert [r.baseline for r in s.backtest] == approx([100.0] * 12)


def test_mape_and_bias_by_hand():
    # scored: |100-110|/100 = 0.10 and |200-150|/200 = 0.25 -> MAPE 0.175; the zero actual is counted
    # and left out; the month without a forecast is ignored. bias over the known months:
    # (110 + 10 + 150) - (100 + 0 + 200) = -30 -> -30 / 300 = -0.1
    actual = [100.0, 0.0, 200.0, 50.0]
    forecast = [110.0, 10.0, 150.0, np.nan]
    assert mape(actual, forecast) == (approx(0.175), 2, 1)
    assert bias(actual, forecast) == approx(-0.1)
    assert mape([0.0, 0.0], [1.0, 2.0]) == (None, 0, 2)
    assert bias([0.0], [5.0]) is None  # no denominator


# --- no look-ahead -----------------------------------------------------------------------------------------


def test_no_backtest_forecast_reads_a_row_after_its_origin(tmp_path):
    # A noisy 40-month series (2022-01 .. 2025-04). Copy B changes every month after 2024-09 (x3) and
    # appends an order: back-test forecasts for months up to 2024-10 (origins up to 2024-09) must not
    # move; later ones must (so the test can fail).
    points = noisy_series(date(2022, 1, 1), 40, seed=1)
    origin = date(2024, 9, 1)
    changed = [(m, a * 3 if m > origin else a) for m, a in points] + [(date(2025, 4, 30), 999.0)]
    db_a = make_db(tmp_path / "a.duckdb", {"K1": points})
    db_b = make_db(tmp_path / "b.duckdb", {"K1": changed})
    with open_db(db_a, read_only=True) as con:
        a = only(forecast_series(con, "company"))
    with open_db(db_b, read_only=True) as con:
        b = only(forecast_series(con, "company"))
    back_a = {r.month: r.forecast for r in a.backtest}
    back_b = {r.month: r.forecast for r in b.backtest}
    early = [m for m in back_a if m <= shift_months(origin, 1)]
    late = [m for m in back_a if m > shift_months(origin, 1)]
    assert early and late
    assert [back_b[m] for m in early] == [back_a[m] for m in early]  # identical, not just close
    assert all(back_b[m] != back_a[m] for m in late)


def test_each_backtest_forecast_equals_a_forecast_made_at_its_origin(tmp_path):
    # Re-running with the data cut at each origin (as_of = the origin's month end) gives exactly the
    # back-test's one-month-ahead forecast: the back-test is a replay, not an in-sample fit.
    db = make_db(tmp_path / "f.duckdb", {"K1": noisy_series(date(2022, 1, 1), 40, seed=2)})
    with open_db(db, read_only=True) as con:
        full = only(forecast_series(con, "company"))
        for row in full.backtest:
            cut = only(forecast_series(con, "company", horizon_months=1, as_of=month_end(shift_months(row.month, -1))))
            assert cut.forecast[0].value == approx(row.forecast, rel=1e-12)
            assert cut.method == row.method


# --- zero months and stopped accounts ---------------------------------------------------------------------


def test_zero_months_and_a_stopped_account(tmp_path):
    # K1 buys every other month for 30 months (2023-01 .. 2025-06: 15 orders of 600, 15 zero months);
    # K2 bought 1000 a month 2023-01 .. 2024-11 and nothing since (7 zero months up to 2025-06):
    # stopped -> forecast 0 with a zero-width interval at 0
    k1 = [(m, 600.0) for i, m in enumerate(months(date(2023, 1, 1), 30)) if i % 2 == 0]
    k2 = [(m, 1000.0) for m in months(date(2023, 1, 1), 23)]
    db = make_db(tmp_path / "f.duckdb", {"K1": k1, "K2": k2, "K3": [(date(2025, 6, 1), 10.0)]})
    with open_db(db, read_only=True) as con:
        out = forecast_series(con, "account", keys=["K1", "K2"])
    by_key = {s.key: s for s in out.series}
    k1s, k2s = by_key["K1"], by_key["K2"]
    assert k1s.history_months == 30 and k1s.method == "holt_winters"
    assert k1s.n_zero_months == 6 and k1s.n_months == 6  # 12 back-test months: 6 zero, 6 scored
    values = [r.value for r in k1s.forecast]
    assert all(v is not None and v >= 0 for v in values)
    assert all(r.lower <= r.value <= r.upper for r in k1s.forecast)
    assert k2s.method == "stopped" and "stopped" in k2s.method_note
    assert [r.value for r in k2s.forecast] == [0.0] * 12
    assert [r.lower for r in k2s.forecast] == [0.0] * 12
    # the months K2 still bought (2024-07 .. 2024-11) are scored; the 7 zero months after are counted
    assert k2s.n_zero_months == 7 and k2s.n_months == 5


def test_account_level_keeps_class_a_accounts(tmp_path):
    # last 12 months: K1 9000, K2 900, K3 100 (total 10000): K1 reaches 90 % > 80 % alone -> class A
    db = make_db(
        tmp_path / "f.duckdb",
        {"K1": [(date(2025, 6, 1), 9000.0)], "K2": [(date(2025, 6, 1), 900.0)], "K3": [(date(2025, 6, 1), 100.0)]},
    )
    with open_db(db, read_only=True) as con:
        out = forecast_all(con, ("company", "region", "account"), horizon_months=2)
    assert [(s.level, s.key) for s in out.series] == [
        ("company", ""), ("region", "华东"), ("region", "华北"), ("region", "华南"), ("account", "K1")
    ]
    assert out.series[0].method == "mean"  # one month of history


# --- projected completion and the report windows --------------------------------------------------------


FLAT = [(m, 1000.0) for m in months(date(2023, 1, 1), 30)]  # 2023-01 .. 2025-06, 1000 a month


def test_projected_completion_on_hand_rows(tmp_path):
    # 2025: 6000 to date (Jan..Jun) + forecast 6 x 1000 = 12000 against the company target 15000:
    # completion 0.8, gap 3000, 6 months left -> 500 a month beyond the forecast; needed from here on
    # (15000 - 6000) / 6 = 1500 a month. Owner 张三 (K1) has 2025 target 10000: 12000 / 10000 = 1.2, no gap.
    db = make_db(tmp_path / "f.duckdb", {"K1": FLAT}, targets=[("2025", "company", "", 15000.0), ("2025", "owner", "张三", 10000.0)])
    with open_db(db, read_only=True) as con:
        company = project_completion(con, "company", "year").iloc[0]
        owner = project_completion(con, "owner", "year").set_index("key").loc["张三"]
    assert company["revenue_to_date"] == approx(6000.0)
    assert company["forecast_rest"] == approx(6000.0)
    assert company["projected"] == approx(12000.0)
    assert company["projected_completion"] == approx(0.8)
    assert company["gap"] == approx(3000.0)
    assert company["months_left"] == 6
    assert company["gap_per_month"] == approx(500.0)
    assert company["required_per_month"] == approx(1500.0)
    assert owner["projected_completion"] == approx(1.2)
    assert owner["gap"] == approx(-2000.0) and owner["gap_per_month"] == 0.0


def test_projected_completion_with_a_partial_month(tmp_path):
    # an order of 400 on 2025-07-10: July is not complete (21 days left), so the history still ends in
    # June and July is forecast (1000). Rest of 2025 = 1000 x 21/31 + 5 x 1000 = 5677.42; to date
    # 6000 + 400 = 6400; projected 12077.42; July counts as one of the 6 months left.
    db = make_db(tmp_path / "f.duckdb", {"K1": FLAT + [(date(2025, 7, 10), 400.0)]}, targets=[("2025", "company", "", 15000.0)])
    with open_db(db, read_only=True) as con:
        row = project_completion(con, "company", "year").iloc[0]
        s = only(forecast_series(con, "company"))
    assert s.forecast[0].month == date(2025, 7, 1)
    assert row["revenue_to_date"] == approx(6400.0)
    assert row["forecast_rest"] == approx(1000 * 21 / 31 + 5000)
    assert row["projected"] == approx(6400 + 1000 * 21 / 31 + 5000)
    assert row["months_left"] == 6


def test_projected_completion_without_a_target_is_none(tmp_path):
    db = make_db(tmp_path / "f.duckdb", {"K1": FLAT})
    with open_db(db, read_only=True) as con:
        row = project_completion(con, "company", "quarter").iloc[0]
    # Q2 2025 ends with the data: nothing left to forecast, no target -> no completion, not 0
    assert row["forecast_rest"] == 0.0 and row["months_left"] == 0
    assert row["revenue_target"] is None and row["projected_completion"] is None and row["gap_per_month"] is None


def test_forecast_windows_for_the_review_report(tmp_path):
    # months 1-3 after June 2025 = Jul..Sep: 3 x 1000 = 3000 against 15000 x 92/365 = 3780.82 (pro-rated)
    # -> 0.79348; 4-6 = Oct..Dec: 3000 against 15000 x 92/365; 7-12 = 2026 H1: no 2026 target -> None
    db = make_db(tmp_path / "f.duckdb", {"K1": FLAT}, targets=[("2025", "company", "", 15000.0)])
    with open_db(db, read_only=True) as con:
        windows = forecast_windows(con)
        company = forecast_company(con)
    assert list(windows) == ["1-3", "3-6", "6-12"]
    w = windows["1-3"]
    assert (w.start, w.end) == (date(2025, 7, 1), date(2025, 9, 30))
    assert w.forecast == approx(3000.0)
    assert w.target == approx(15000 * 92 / 365)
    assert w.completion == approx(3000 / (15000 * 92 / 365))
    assert windows["3-6"].forecast == approx(3000.0)
    assert windows["6-12"].forecast == approx(6000.0) and windows["6-12"].target is None
    assert windows["6-12"].completion is None
    assert company.series[0].method == "holt_winters" and company.history_end == date(2025, 6, 1)


def test_no_sales_gives_no_series(tmp_path):
    db = make_db(tmp_path / "f.duckdb", {})
    with open_db(db, read_only=True) as con:
        assert forecast_all(con).series == ()
        assert forecast_company(con) is None
        assert forecast_windows(con) == {}


# --- command line -------------------------------------------------------------------------------------------


def test_cli_forecast_json_keys(tmp_path, capsys):
    db = make_db(tmp_path / "f.duckdb", {"K1": FLAT, "K2": [(date(2025, 6, 1), 50.0)]})
    assert main(["forecast", "--db", str(db), "--level", "company", "--horizon-months", "3", "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["as_of"] == "2025-06-30" and payload["history_end"] == "2025-06-01"
    (s,) = payload["series"]
    assert {"level", "key", "method", "mape_backtest", "baseline_mape", "bias", "forecast"} <= s.keys()
    assert (s["level"], s["key"], s["method"]) == ("company", "", "holt_winters")
    assert [r["month"] for r in s["forecast"]] == ["2025-07-01", "2025-08-01", "2025-09-01"]
    assert set(s["forecast"][0]) == {"month", "value", "lower", "upper"}
    assert s["interval_checks"] >= 0 and (s["interval_coverage"] is None or 0 <= s["interval_coverage"] <= 1)
    assert 1000.0 <= s["forecast"][0]["value"] <= 1050.0  # 1000 a month, K2's single 50 in June on top
    # every level when --level is not given: company, industry x2, region x2, owner x2, product line, account K1
    assert main(["forecast", "--db", str(db), "--json"]) == 0
    levels = [s["level"] for s in json.loads(capsys.readouterr().out)["series"]]
    assert levels == ["company", "industry", "industry", "region", "region", "owner", "owner", "product_line", "account"]


def test_cli_forecast_text_output(tmp_path, capsys):
    db = make_db(tmp_path / "f.duckdb", {"K1": FLAT})
    assert main(["forecast", "--db", str(db), "--level", "owner", "--horizon-months", "2"]) == 0
    out = capsys.readouterr().out
    assert "owner 张三" in out and "Holt-Winters" in out and "2025-08" in out


@pytest.mark.parametrize(
    "args", [["--level", "planet"], ["--horizon-months", "0"], ["--horizon-months", "13"], ["--horizon-months", "x"]]
)
def test_cli_forecast_wrong_usage_exits_2(tmp_path, args):
    db = make_db(tmp_path / "f.duckdb", {"K1": FLAT})
    assert main(["forecast", "--db", str(db), *args]) == 2


def test_cli_forecast_missing_database_exits_1(tmp_path, capsys):
    assert main(["forecast", "--db", str(tmp_path / "none.duckdb"), "--json"]) == 1
    assert "error" in capsys.readouterr().err
