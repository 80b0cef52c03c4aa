"""Monthly revenue forecast with its back-test, and projected target completion (docs/kpis.md
*Forecast*).

Method
------
Every series (the company, each industry / region / owner / product line, each class-A account) is a
calendar-month revenue series from its first month with revenue to the last complete month. At a
forecast origin with ``n`` months of history the method is chosen in this order (thresholds are
settings):

* ``stopped``: the last ``forecast_stopped_months`` (6) months are all zero -> the account stopped
  buying; forecast 0.
* ``holt_winters``: n >= ``forecast_min_months_seasonal`` (24) -> additive Holt-Winters exponential
  smoothing with a damped trend (ETS(A,Ad,A) in component form); level and seasonal indices initialised
  from the series' first year, trend from the first two years.
* ``holt``: 6 <= n < 24 -> Holt's damped-trend exponential smoothing, no seasonality (too short to
  estimate a season).
* ``mean``: 1 <= n < ``forecast_min_months_model`` (6) -> fallback: the mean of the months of history.

Smoothing parameters (alpha, beta, gamma, phi) are chosen per series and per origin from a fixed grid
by the smallest in-sample one-step squared error up to the origin. All series and every grid point run
as one set of numpy array recurrences (no per-series fitting loop), so thousands of series take a
second or two. Forecasts below zero are clipped to zero.

Back-test (rolling origin): from each of the 12 month-ends before the last complete month, the
method that would have been chosen then forecasts the next month using only months up to that origin
(the recurrence at month t reads months <= t only; the parameter choice reads errors up to the origin).
``mape_backtest`` = mean |actual - forecast| / |actual| over those months, months with zero actual left
out and counted (``n_zero_months``); ``bias`` = Σ(forecast - actual) / Σ actual (positive = too high).
The seasonal-naive baseline (the same month a year earlier) is scored on the same origins in the same
run (``baseline_mape``, ``baseline_bias``; a month whose year-earlier month precedes the series has
no baseline forecast).

80 % interval: forecast ± q × sigma, sigma = root mean square of the back-test residuals (at least 3
of them, q the Student-t quantile with one degree of freedom fewer than residuals, since sigma rests
on 3 to 12 of them; otherwise the standard deviation of the history and the normal quantile),
widened for step h by sqrt(1 + (h - 1) alpha²) (the ETS level variance); the lower bound is clipped
at zero. Its honesty is
checked out of sample in the same run: ``interval_coverage`` = the share of back-test months whose
actual fell inside the one-month interval built from the residuals of earlier back-test months only
(``interval_checks`` months, those with at least 3 earlier residuals; None without any).

The month of the latest order counts as complete when that order falls within
``forecast_month_end_grace_days`` (3) of the month's end; otherwise it is a partial month: it is the
first forecast month, and its actual to date counts in the projected completion.

Public functions (each takes a DuckDB connection)
-------------------------------------------------
They return the frozen dataclasses of :mod:`kam_metrics.forecast.results` (each with an ``as_dict()``
giving the dicts of ``forecast --json``):

* :func:`forecast_series` ``(con, level, keys=None, horizon_months=12, filters=None)`` ->
  :class:`~kam_metrics.forecast.results.ForecastRun`: ``as_of`` (latest order date), ``history_end``
  (last complete month), ``series`` (a tuple of :class:`~kam_metrics.forecast.results.ForecastSeries`:
  level, key, method, method_note, history_months, mape_backtest, baseline_mape, bias, baseline_bias,
  n_months, n_zero_months, baseline_n_months, interval_coverage, interval_checks, partial_month_actual,
  forecast (ForecastPoint: month, value, lower, upper), history (HistoryPoint: month, value) and
  backtest (BacktestPoint: month, actual, forecast, baseline, method)) and ``settings``.
* :func:`forecast_all` ``(con, levels=LEVELS, horizon_months=12)`` -> the same ForecastRun for several
  levels in one query and one vectorised run, without history and back-test months by default (the
  CLI and the bench use it).
* :func:`forecast_company` ``(con, horizon_months=12)`` -> the ForecastRun of the company series alone
  (``series`` holds exactly it), or None without sales.
* :func:`forecast_windows` ``(con)`` -> ``{"1-3": w, "3-6": w, "6-12": w}`` for the review report
  (section 7 未来工作计划), each ``w`` a :class:`~kam_metrics.forecast.results.ForecastWindow`: months
  1-3, 4-6 and 7-12 after the last complete month, with start, end (first day of its first month,
  last day of its last), forecast, lower, upper (sums of the monthly bounds: a conservative band),
  target (pro-rated company target, None without one), completion (forecast / target), method and
  mape_backtest.
* :func:`project_completion` ``(con, level, period="year")`` -> DataFrame: per key of ``level`` the
  revenue to date in the calendar year / quarter holding the latest order, the forecast for the rest
  of it, projected = to date + rest, target, projected_completion, gap (target - projected),
  months_left and gap_per_month (the extra revenue per remaining month needed beyond the forecast).
"""

from __future__ import annotations

import calendar
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from kam_metrics.domain.filters import Filters, month_end, quarter_start, shift_months
from kam_metrics.forecast.results import (
    BacktestPoint,
    ForecastPoint,
    ForecastRun,
    ForecastSeries,
    ForecastWindow,
    HistoryPoint,
)
from kam_metrics.sql.segments import SEGMENT_CTES, query_df
from kam_metrics.store.settings import load_settings

LEVELS = ("company", "industry", "region", "owner", "product_line", "account")
#: the quantile of the normal distribution for the two-sided 80 % interval (scipy-free constant)
Z_80 = 1.2815515655446004

#: Parameter grid of the exponential smoothing (every combination is run for every series at once).
ALPHAS = (0.05, 0.1, 0.2, 0.35, 0.5, 0.8)
BETAS = (0.0, 0.05, 0.2)
GAMMAS = (0.05, 0.15, 0.3)
PHIS = (0.8, 0.98)

# --- data -------------------------------------------------------------------------------------------

#: Monthly revenue up to $as_of of every series of the requested levels, in one scan of sales.
#: Accounts are those selected by the (optional) segment filters; the account level keeps the class-A
#: accounts as of $as_of, or exactly $account_keys when given. Grain: one row per level, key, month.
MONTHLY_SERIES_SQL = (
    "with"
    + SEGMENT_CTES
    + """,
monthly as materialized (
    select
        s.account_id,
        -- product lines only when asked for: grouping by account x month alone is 5x fewer groups
        case when list_contains($levels::varchar[], 'product_line') then coalesce(s.product_line, '') else '' end
            as product_line,
        date_trunc('month', s.order_date)::date as month,
        sum(s.amount) as revenue
    from sales as s
    where s.order_date <= $as_of
      and s.account_id in (select account_id from filtered_accounts)
    group by all
),
joined as materialized (
    select
        m.account_id, m.product_line, m.month, m.revenue,
        coalesce(f.industry, '') as industry,
        coalesce(f.region, '') as region,
        coalesce(f.owner, '') as owner,
        f.abc_class
    from monthly as m
    join filtered_accounts as f using (account_id)
)
select 'company' as level, '' as "key", month, sum(revenue) as revenue
from joined where list_contains($levels::varchar[], 'company') group by month
union all
select 'industry', industry, month, sum(revenue)
from joined where list_contains($levels::varchar[], 'industry') group by all
union all
select 'region', region, month, sum(revenue)
from joined where list_contains($levels::varchar[], 'region') group by all
union all
select 'owner', owner, month, sum(revenue)
from joined where list_contains($levels::varchar[], 'owner') group by all
union all
select 'product_line', product_line, month, sum(revenue)
from joined where list_contains($levels::varchar[], 'product_line') group by all
union all
select 'account', account_id, month, sum(revenue)
from joined
where list_contains($levels::varchar[], 'account')
  and (case when len($account_keys::varchar[]) = 0 then abc_class = 'A'
            else list_contains($account_keys::varchar[], account_id) end)
group by all
"""
)


def latest_order_date(con: duckdb.DuckDBPyConnection) -> date | None:
    return con.execute("select max(order_date) from sales").fetchall()[0][0]


def history_end_month(as_of: date, grace_days: int) -> date:
    """First day of the last complete month: as_of's month when as_of is within ``grace_days`` of its
    end, otherwise the month before."""
    if (month_end(as_of) - as_of).days <= grace_days:
        return as_of.replace(day=1)
    return shift_months(as_of, -1)


def _month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


def _index_month(index: int) -> date:
    return date(index // 12, index % 12 + 1, 1)


def load_monthly_series(
    con: duckdb.DuckDBPyConnection,
    levels: tuple[str, ...],
    *,
    as_of: date,
    filters: Filters | None = None,
    account_keys: tuple[str, ...] = (),
) -> pd.DataFrame:
    """Columns level, key, month, revenue (one row per series and month with sales up to ``as_of``)."""
    from kam_metrics.metrics.sales import segment_sql

    settings = load_settings(con)
    f = filters
    if account_keys and levels == ("account",):
        # one account's forecast (Account 360): restrict the scan to those accounts; no ABC class needed
        f = replace(f, accounts=tuple(account_keys)) if f else Filters(start=as_of, end=as_of, accounts=tuple(account_keys))
    needs_abc = "account" in levels and not account_keys
    sql = segment_sql(MONTHLY_SERIES_SQL, f or Filters(start=as_of, end=as_of), needs_abc=needs_abc)
    params = {
        "as_of": as_of,
        "segment_end": as_of,
        "levels": list(levels),
        "account_keys": list(account_keys),
        "industries": list(f.industries) if f else [],
        "scales": list(f.scales) if f else [],
        "tenure_bands": list(f.tenure_bands) if f else [],
        "regions": list(f.regions) if f else [],
        "owners": list(f.owners) if f else [],
        "abc_classes": list(f.abc_classes) if f else [],
        "accounts": list(f.accounts) if f else [],
        "abc_a_share": float(settings["abc_a_share"]),
        "abc_b_share": float(settings["abc_b_share"]),
    }
    return query_df(con, sql, params)


# --- the vectorised engine ----------------------------------------------------------------------------


@dataclass
class EngineResult:
    """Arrays over N series (rows). ``back_*`` have 12 columns: the back-test months T-12..T-1."""

    method: np.ndarray  # (N,) object: method code at the final origin
    history_months: np.ndarray  # (N,) int
    forecast: np.ndarray  # (N, H)
    lower: np.ndarray
    upper: np.ndarray
    back_forecast: np.ndarray  # (N, B) NaN where no forecast
    back_baseline: np.ndarray  # (N, B) NaN where no baseline
    back_actual: np.ndarray  # (N, B)
    back_method: np.ndarray  # (N, B) object
    #: (N,) held-out back-test months whose actual fell inside the interval built from earlier months only
    interval_hits: np.ndarray
    #: (N,) back-test months checked that way (those with at least 3 earlier residuals)
    interval_checks: np.ndarray


def _grid(seasonal: bool) -> tuple[np.ndarray, ...]:
    gammas = GAMMAS if seasonal else (0.0,)
    combos = [(a, b, g, p) for a in ALPHAS for b in BETAS for g in gammas for p in (PHIS if b > 0 else (1.0,))]
    arr = np.array(combos, dtype=float)
    return tuple(arr[:, i][:, None] for i in range(4))  # each (C, 1)


def _smooth(Y: np.ndarray, start: np.ndarray, seasonal: bool, record_from: int):
    """Run additive (damped) exponential smoothing for every series and grid point at once.

    Y (N, T) with zeros before each series' start; start (N,) first month index. Seasonal: states
    initialised from the first year (trend from the first two), updated from month start+12. Not
    seasonal: level = first month, trend 0, updated from month start+1. Returns the one-step forecasts
    and the squared-error sums before each month t >= record_from (both (R, C, N)), the final states
    and the error sums at the end.
    """
    N, T = Y.shape
    alpha, beta, gamma, phi = _grid(seasonal)
    C = alpha.shape[0]
    rows = np.arange(N)
    if seasonal:
        first = np.stack([Y[rows, np.minimum(start + j, T - 1)] for j in range(12)], axis=1)  # (N, 12)
        second = np.stack([Y[rows, np.minimum(start + 12 + j, T - 1)] for j in range(12)], axis=1)
        level0 = first.mean(axis=1)
        trend0 = (second.mean(axis=1) - level0) / 12.0
        season0 = np.zeros((12, N))
        for j in range(12):
            season0[(start + j) % 12, rows] = first[:, j] - level0
        first_update = start + 12
    else:
        level0 = Y[rows, np.minimum(start, T - 1)]
        trend0 = np.zeros(N)
        season0 = np.zeros((12, N))
        first_update = start + 1
    level = np.broadcast_to(level0, (C, N)).copy()
    trend = np.broadcast_to(trend0, (C, N)).copy()
    season = np.broadcast_to(season0[:, None, :], (12, C, N)).copy()
    sse = np.zeros((C, N))
    R = T - record_from
    preds = np.full((max(R, 0), C, N), np.nan)
    sse_before = np.zeros((max(R, 0), C, N))
    for t in range(T):
        m = t % 12
        y = Y[:, t]
        s_m = season[m]
        damped = phi * trend
        pred = level + damped + s_m
        if t >= record_from:
            preds[t - record_from] = pred
            sse_before[t - record_from] = sse
        active = t >= first_update  # (N,)
        if not active.any():
            continue
        new_level = alpha * (y - s_m) + (1 - alpha) * (level + damped)
        new_trend = beta * (new_level - level) + (1 - beta) * damped
        error = y - pred
        level = np.where(active, new_level, level)
        trend = np.where(active, new_trend, trend)
        if seasonal:
            season[m] = np.where(active, gamma * (y - new_level) + (1 - gamma) * s_m, s_m)
        sse += np.where(active, error * error, 0.0)
    return preds, sse_before, (level, trend, season, alpha, phi), sse


def _choose(sse: np.ndarray) -> np.ndarray:
    return np.argmin(sse, axis=0)  # (N,) grid index per series (first of ties)


def run_engine(Y: np.ndarray, start: np.ndarray, horizon: int, settings: dict[str, Any], backtest_months: int = 12) -> EngineResult:
    """Forecast every row of Y (N series x T months, zeros before ``start``) ``horizon`` months past
    month T-1, and back-test one month ahead from each of the ``backtest_months`` origins T-13..T-2."""
    N, T = Y.shape
    record_from = max(T - backtest_months, 0)
    Y = np.where(np.arange(T)[None, :] < start[:, None], 0.0, np.nan_to_num(Y))
    csum = np.concatenate([np.zeros((N, 1)), np.cumsum(Y, axis=1)], axis=1)  # csum[:, k] = Σ Y[:, :k]
    cabs = np.concatenate([np.zeros((N, 1)), np.cumsum(np.abs(Y), axis=1)], axis=1)
    method_at = _method_chooser(start, cabs, settings)
    runs = _fit_grid(Y, start, record_from, settings)
    back_f, back_b, back_a, back_m = _backtest(Y, start, csum, runs, method_at, backtest_months, record_from)
    chosen, n_hist, forecast, alpha_used = _final_forecast(T, start, csum, runs, method_at, horizon)
    lower, upper, hits, checks = _intervals(Y, start, csum, back_a, back_f, forecast, alpha_used, settings)
    return EngineResult(chosen, n_hist, forecast, lower, upper, back_f, back_b, back_a, back_m, hits, checks)


#: per smoothing method: (series rows, one-step forecasts, error sums before each month, final states, error sums)
_Runs = dict[str, tuple[np.ndarray, np.ndarray, np.ndarray, tuple[np.ndarray, ...], np.ndarray]]


def _method_chooser(start: np.ndarray, cabs: np.ndarray, settings: dict[str, Any]) -> Callable[[int], np.ndarray]:
    """A function giving each series' method code at an origin from the cumulative absolute revenue."""
    N = start.shape[0]
    min_model = int(settings["forecast_min_months_model"])
    min_seasonal = int(settings["forecast_min_months_seasonal"])
    stopped_k = int(settings["forecast_stopped_months"])
    rows = np.arange(N)

    def method_at(origin: int) -> np.ndarray:
        """Method code of each series at an origin (month index; its history is months <= origin)."""
        n = origin - start + 1
        recent = cabs[:, origin + 1] - cabs[rows, np.maximum(origin + 1 - stopped_k, 0)]
        out = np.full(N, "none", dtype=object)
        out[n >= 1] = "mean"
        out[n >= min_model] = "holt"
        out[n >= min_seasonal] = "holt_winters"
        out[(n >= stopped_k) & (recent == 0)] = "stopped"
        return out

    return method_at


def _fit_grid(Y: np.ndarray, start: np.ndarray, record_from: int, settings: dict[str, Any]) -> _Runs:
    """Run the parameter grid of Holt-Winters and Holt over the series long enough for each."""
    T = Y.shape[1]
    min_model = int(settings["forecast_min_months_model"])
    min_seasonal = int(settings["forecast_min_months_seasonal"])
    need_seasonal = (T - start) >= min_seasonal
    need_holt = (T - start) >= min_model
    runs = {}
    for name, seasonal, need in (("holt_winters", True, need_seasonal), ("holt", False, need_holt)):
        idx = np.flatnonzero(need)
        if idx.size:
            preds, sse_before, states, sse = _smooth(Y[idx], start[idx], seasonal, record_from)
            runs[name] = (idx, preds, sse_before, states, sse)
    return runs


def _backtest(
    Y: np.ndarray,
    start: np.ndarray,
    csum: np.ndarray,
    runs: _Runs,
    method_at: Callable[[int], np.ndarray],
    B: int,
    record_from: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """One-month-ahead forecasts, baselines, actuals and methods of the last ``B`` months (each from the month before)."""
    N, T = Y.shape
    rows = np.arange(N)
    months = list(range(T - B, T))
    back_f = np.full((N, B), np.nan)
    back_b = np.full((N, B), np.nan)
    back_a = np.full((N, B), np.nan)
    back_m = np.full((N, B), "none", dtype=object)
    for j, t in enumerate(months):
        if t < 1:
            continue
        origin = t - 1
        chosen = method_at(origin)
        back_m[:, j] = chosen
        back_a[:, j] = Y[:, t]
        n = origin - start + 1
        mean = np.where(n >= 1, (csum[:, origin + 1] - csum[rows, np.clip(start, 0, T)]) / np.maximum(n, 1), np.nan)
        back_f[:, j] = np.where(chosen == "mean", mean, back_f[:, j])
        back_f[:, j] = np.where(chosen == "stopped", 0.0, back_f[:, j])
        for name, (idx, preds, sse_before, _states, _sse) in runs.items():
            r = t - record_from
            pick = _choose(sse_before[r])
            value = preds[r][pick, np.arange(idx.size)]
            sel = chosen[idx] == name
            back_f[idx[sel], j] = value[sel]
        if t >= 12:
            back_b[:, j] = np.where(t - 12 >= start, Y[:, t - 12], np.nan)
        back_a[:, j] = np.where(t >= start, Y[:, t], np.nan)
    back_f = np.maximum(back_f, 0.0)
    return back_f, back_b, back_a, back_m


def _final_forecast(
    T: int, start: np.ndarray, csum: np.ndarray, runs: _Runs, method_at: Callable[[int], np.ndarray], horizon: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Methods, history months, the ``horizon``-month forecast from origin T-1 and the alpha each used."""
    N = start.shape[0]
    rows = np.arange(N)
    chosen = method_at(T - 1)
    n_hist = T - start
    forecast = np.full((N, horizon), np.nan)
    alpha_used = np.zeros(N)
    mean = (csum[:, T] - csum[rows, np.clip(start, 0, T)]) / np.maximum(n_hist, 1)
    forecast[chosen == "mean"] = mean[chosen == "mean"][:, None]
    forecast[chosen == "stopped"] = 0.0
    for name, (idx, _preds, _sb, states, sse) in runs.items():
        level, trend, season, alpha, phi = states
        pick = _choose(sse)
        cols = np.arange(idx.size)
        lv, tr, ph, al = level[pick, cols], trend[pick, cols], phi[pick, 0], alpha[pick, 0]
        sel = chosen[idx] == name
        damp = np.zeros(idx.size)
        for h in range(1, horizon + 1):
            damp = damp + ph**h
            value = lv + damp * tr + season[(T - 1 + h) % 12][pick, cols]
            forecast[idx[sel], h - 1] = value[sel]
        alpha_used[idx[sel]] = al[sel]
    forecast = np.maximum(forecast, 0.0)
    return chosen, n_hist, forecast, alpha_used


def _intervals(
    Y: np.ndarray,
    start: np.ndarray,
    csum: np.ndarray,
    back_a: np.ndarray,
    back_f: np.ndarray,
    forecast: np.ndarray,
    alpha_used: np.ndarray,
    settings: dict[str, Any],
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Lower and upper interval bounds of the forecast, and the out-of-sample coverage hits and checks."""
    N, T = Y.shape
    horizon = forecast.shape[1]
    rows = np.arange(N)
    # sigma from the back-test residuals (>= 3), else the history's standard deviation
    resid = back_a - back_f
    count = np.sum(~np.isnan(resid), axis=1)
    rms = np.sqrt(np.nansum(resid * resid, axis=1) / np.maximum(count, 1))
    hist_mean = csum[:, T] / np.maximum(T - start, 1)
    hist_var = np.array([
        np.mean((Y[i, start[i]:] - hist_mean[i]) ** 2) if T - start[i] > 0 else 0.0 for i in rows
    ]) if N else np.zeros(0)
    sigma = np.where(count >= 3, rms, np.sqrt(hist_var))
    steps = np.arange(horizon)[None, :]
    widen = np.sqrt(1.0 + steps * alpha_used[:, None] ** 2)
    level = float(settings["forecast_interval"])
    z = np.where(count >= 3, _t_value(level, np.maximum(count - 1, 1)), _z_value(level))
    half = z[:, None] * sigma[:, None] * widen
    lower = np.maximum(forecast - half, 0.0)
    upper = forecast + half
    hits, checks = _interval_coverage(resid, back_f, level)
    return lower, upper, hits, checks


def _interval_coverage(resid: np.ndarray, back_f: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    """Out-of-sample check of the interval: for back-test month j, the one-month interval the method
    would have drawn then (sigma = root mean square of the residuals of back-test months before j, at
    least 3 of them; lower bound clipped at zero) is compared with month j's actual. Returns hits and
    checks per series; coverage = hits / checks (the interval's nominal level when it is honest)."""
    N, B = resid.shape
    hits = np.zeros(N, dtype=int)
    checks = np.zeros(N, dtype=int)
    for j in range(B):
        earlier = resid[:, :j]
        count = np.sum(~np.isnan(earlier), axis=1)
        rms = np.sqrt(np.nansum(earlier * earlier, axis=1) / np.maximum(count, 1))
        usable = (count >= 3) & ~np.isnan(resid[:, j])
        z = _t_value(level, np.maximum(count - 1, 1))
        actual = back_f[:, j] + resid[:, j]
        low = np.maximum(back_f[:, j] - z * rms, 0.0)
        high = back_f[:, j] + z * rms
        slack = 1e-9 * np.maximum(np.abs(actual), 1.0)  # a forecast exact up to rounding is inside
        inside = (actual >= low - slack) & (actual <= high + slack)
        checks += usable
        hits += usable & inside
    return hits, checks


def _t_value(coverage: float, df: np.ndarray) -> np.ndarray:
    """Two-sided Student-t quantile for ``coverage`` with ``df`` degrees of freedom (per series): sigma
    comes from only 3 to 12 back-test residuals, so the normal quantile would draw the band too narrow."""
    from scipy.stats import t as student_t

    return student_t.ppf(0.5 + coverage / 2, np.asarray(df, dtype=float))


def _z_value(coverage: float) -> float:
    """Two-sided normal quantile for ``coverage`` (0.8 -> 1.2816), via the inverse error function."""
    if abs(coverage - 0.8) < 1e-12:
        return Z_80
    from statistics import NormalDist

    return NormalDist().inv_cdf(0.5 + coverage / 2)


# --- scores ---------------------------------------------------------------------------------------------


def mape(actual, forecast) -> tuple[float | None, int, int]:
    """(MAPE, months scored, zero-actual months left out) over months where both are known."""
    a = np.asarray(actual, dtype=float)
    f = np.asarray(forecast, dtype=float)
    known = ~np.isnan(a) & ~np.isnan(f)
    zero = known & (a == 0)
    scored = known & (a != 0)
    if not scored.any():
        return None, 0, int(zero.sum())
    return float(np.mean(np.abs(a[scored] - f[scored]) / np.abs(a[scored]))), int(scored.sum()), int(zero.sum())


def bias(actual, forecast) -> float | None:
    """Σ(forecast - actual) / Σ actual over months where both are known; None when Σ actual is 0."""
    a = np.asarray(actual, dtype=float)
    f = np.asarray(forecast, dtype=float)
    known = ~np.isnan(a) & ~np.isnan(f)
    total = a[known].sum()
    if not known.any() or total == 0:
        return None
    return float((f[known] - a[known]).sum() / total)


# --- assembling series ------------------------------------------------------------------------------------

METHOD_NAMES = {
    "holt_winters": "additive Holt-Winters exponential smoothing, damped trend (ETS A,Ad,A)",
    "holt": "Holt exponential smoothing, damped trend, no seasonality (history < {seasonal} months)",
    "mean": "fallback: mean of the {n} months of history (history < {model} months)",
    "stopped": "stopped buying: no revenue in the last {stopped} months, forecast 0",
    "none": "no forecast: no complete month of history",
}


def method_note(method: str, history_months: int, settings: dict[str, Any]) -> str:
    """The method in words (English; the UI uses the catalogue's forecast.method.* keys)."""
    return METHOD_NAMES[method].format(
        n=history_months,
        model=settings["forecast_min_months_model"],
        seasonal=settings["forecast_min_months_seasonal"],
        stopped=settings["forecast_stopped_months"],
    )


def _none_if_nan(value: float) -> float | None:
    return None if value is None or np.isnan(value) else float(value)


def _forecast_levels(
    con: duckdb.DuckDBPyConnection,
    levels: tuple[str, ...],
    *,
    horizon_months: int,
    filters: Filters | None = None,
    account_keys: tuple[str, ...] = (),
    include_history: bool = False,
    as_of: date | None = None,
) -> ForecastRun:
    """Load, forecast and shape every series of ``levels`` into one :class:`ForecastRun`."""
    if horizon_months < 1:
        raise ValueError("horizon_months must be at least 1")
    settings = load_settings(con)
    as_of = as_of or latest_order_date(con)
    if as_of is None:
        return ForecastRun(as_of=None, history_end=None, series=(), settings=settings)
    history_end = history_end_month(as_of, int(settings["forecast_month_end_grace_days"]))
    frame = load_monthly_series(con, levels, as_of=as_of, filters=filters, account_keys=account_keys)
    if frame.empty:
        return ForecastRun(as_of=as_of, history_end=history_end, series=(), settings=settings)
    matrix = _series_matrix(frame, history_end)
    result = run_engine(matrix.Y, matrix.start, horizon_months, settings)
    series = _shape_series(matrix, result, settings, horizon_months, include_history)
    return ForecastRun(as_of=as_of, history_end=history_end, series=series, settings=settings)


@dataclass
class _SeriesMatrix:
    """The monthly series as one row per (level, key) and one column per month up to history_end."""

    identities: list[tuple[str, str]]
    Y: np.ndarray  # (N, max(T, 1)) revenue of the complete months
    start: np.ndarray  # (N,) first month with revenue
    partial: np.ndarray  # (N,) actual of the month after history_end (the partial month), to date
    first_index: int  # month index of column 0
    end_index: int  # month index of history_end
    T: int  # months from column 0 to history_end (may be <= 0)


def _series_matrix(frame: pd.DataFrame, history_end: date) -> _SeriesMatrix:
    """Arrange the rows of :func:`load_monthly_series` as a series x month matrix, ordered by level then key."""
    frame = frame.sort_values(["level", "key", "month"], kind="stable")
    order = {level: i for i, level in enumerate(LEVELS)}
    identities = sorted({(lv, k) for lv, k in zip(frame["level"], frame["key"])}, key=lambda p: (order[p[0]], p[1]))
    position = {ident: i for i, ident in enumerate(identities)}
    end_index = _month_index(history_end)
    month_index = np.array([_month_index(m) for m in frame["month"]])
    first_index = int(month_index.min())
    T = end_index - first_index + 1
    N = len(identities)
    row_of = np.array([position[(lv, k)] for lv, k in zip(frame["level"], frame["key"])])
    revenue = frame["revenue"].to_numpy(dtype=float)
    in_history = month_index <= end_index
    Y = np.zeros((N, max(T, 1)))
    if T > 0:
        Y[row_of[in_history], month_index[in_history] - first_index] = revenue[in_history]
    partial = np.zeros(N)
    np.add.at(partial, row_of[~in_history], revenue[~in_history])
    nonzero = Y != 0
    start = np.where(nonzero.any(axis=1), nonzero.argmax(axis=1), max(T, 1))
    if T <= 0:
        start = np.ones(N, dtype=int)
    return _SeriesMatrix(identities, Y, start, partial, first_index, end_index, T)


def _shape_series(
    matrix: _SeriesMatrix, result: EngineResult, settings: dict[str, Any], horizon_months: int, include_history: bool
) -> tuple[ForecastSeries, ...]:
    """One :class:`ForecastSeries` per row of the matrix, with history and back-test months when asked for."""
    T, first_index = matrix.T, matrix.first_index
    months_hist = [_index_month(first_index + j) for j in range(max(T, 0))]
    back_months = [_index_month(first_index + j) for j in range(T - 12, T)]
    future = [_index_month(matrix.end_index + h) for h in range(1, horizon_months + 1)]
    series = []
    for i, (level, key) in enumerate(matrix.identities):
        history: tuple[HistoryPoint, ...] = ()
        backtest: tuple[BacktestPoint, ...] = ()
        if include_history:
            history = tuple(
                HistoryPoint(month=m, value=float(matrix.Y[i, j])) for j, m in enumerate(months_hist) if j >= matrix.start[i]
            )
            backtest = _backtest_rows(result, i, back_months, T)
        series.append(_series_item(result, i, (level, key), settings, future, float(matrix.partial[i]), (history, backtest)))
    return tuple(series)


def _series_item(
    result: EngineResult,
    i: int,
    identity: tuple[str, str],
    settings: dict[str, Any],
    future: list[date],
    partial: float,
    months: tuple[tuple[HistoryPoint, ...], tuple[BacktestPoint, ...]],
) -> ForecastSeries:
    """Series ``i`` (``identity`` = level, key): its method, back-test scores, interval coverage and forecast
    months, with the history and back-test ``months`` shaped by the caller."""
    method = str(result.method[i])
    n_hist = max(int(result.history_months[i]), 0)
    score, n_months, n_zero = mape(result.back_actual[i], result.back_forecast[i])
    base, base_n, _ = mape(result.back_actual[i], result.back_baseline[i])
    return ForecastSeries(
        level=identity[0],
        key=identity[1],
        method=method,
        method_note=method_note(method, n_hist, settings),
        history_months=n_hist,
        mape_backtest=score,
        baseline_mape=base,
        bias=bias(result.back_actual[i], result.back_forecast[i]),
        baseline_bias=bias(result.back_actual[i], result.back_baseline[i]),
        n_months=n_months,
        n_zero_months=n_zero,
        baseline_n_months=base_n,
        interval_coverage=(float(result.interval_hits[i] / result.interval_checks[i])
                           if result.interval_checks[i] else None),
        interval_checks=int(result.interval_checks[i]),
        partial_month_actual=partial,
        forecast=tuple(
            ForecastPoint(
                month=m,
                value=_none_if_nan(result.forecast[i, h]),
                lower=_none_if_nan(result.lower[i, h]),
                upper=_none_if_nan(result.upper[i, h]),
            )
            for h, m in enumerate(future)
        ),
        history=months[0],
        backtest=months[1],
    )


def _backtest_rows(result: EngineResult, i: int, back_months: list[date], T: int) -> tuple[BacktestPoint, ...]:
    """Series ``i``'s back-test months that fall within the history: actual, forecast, baseline, method."""
    return tuple(
        BacktestPoint(
            month=m,
            actual=_none_if_nan(result.back_actual[i, j]),
            forecast=_none_if_nan(result.back_forecast[i, j]),
            baseline=_none_if_nan(result.back_baseline[i, j]),
            method=str(result.back_method[i, j]),
        )
        for j, m in enumerate(back_months)
        if T - 12 + j >= 0
    )


def forecast_all(
    con: duckdb.DuckDBPyConnection,
    levels: tuple[str, ...] = LEVELS,
    horizon_months: int = 12,
    *,
    include_history: bool = False,
    as_of: date | None = None,
) -> ForecastRun:
    """Every series of ``levels`` (company, each segment value, each class-A account) in one query and
    one vectorised run (see the module doc)."""
    unknown = set(levels) - set(LEVELS)
    if unknown:
        raise ValueError(f"unknown forecast level(s) {sorted(unknown)}; choose from {', '.join(LEVELS)}")
    return _forecast_levels(con, tuple(levels), horizon_months=horizon_months, include_history=include_history, as_of=as_of)


def forecast_series(
    con: duckdb.DuckDBPyConnection,
    level: str = "company",
    keys: tuple[str, ...] | list[str] | None = None,
    horizon_months: int = 12,
    *,
    filters: Filters | None = None,
    include_history: bool = True,
    as_of: date | None = None,
) -> ForecastRun:
    """The series of one level (only ``keys`` when given; any account when level is 'account'), over
    the accounts the optional segment ``filters`` select (their period is ignored; segments are
    evaluated as of the latest order). With history and back-test detail by default."""
    if level not in LEVELS:
        raise ValueError(f"unknown forecast level {level!r}; choose from {', '.join(LEVELS)}")
    keys = tuple(keys or ())
    out = _forecast_levels(
        con,
        (level,),
        horizon_months=horizon_months,
        filters=filters,
        account_keys=keys if level == "account" else (),
        include_history=include_history,
        as_of=as_of,
    )
    if keys:
        out = replace(out, series=tuple(s for s in out.series if s.key in set(keys)))
    return out


def forecast_company(con: duckdb.DuckDBPyConnection, horizon_months: int = 12) -> ForecastRun | None:
    """The run of the company series alone (its ``series`` holds exactly that one, with history and
    back-test months); None without sales."""
    out = forecast_series(con, "company", horizon_months=horizon_months)
    return out if out.series else None


#: the review report's windows: (first, last) forecast month, counted from the month after history_end
WINDOWS = {"1-3": (1, 3), "3-6": (4, 6), "6-12": (7, 12)}


def forecast_windows(con: duckdb.DuckDBPyConnection) -> dict[str, ForecastWindow]:
    """Expected company revenue of months 1-3, 4-6 and 7-12 after the last complete month against the
    pro-rated company target (review report section 7), keyed as WINDOWS. Empty dict without sales."""
    from kam_metrics.metrics.sales import compute_target

    run = forecast_company(con, horizon_months=12)
    if run is None:
        return {}
    company = run.series[0]
    out = {}
    for name, (first, last) in WINDOWS.items():
        rows = company.forecast[first - 1 : last]
        start, end = rows[0].month, month_end(rows[-1].month)
        values = [r.value for r in rows]
        total = None if any(v is None for v in values) else float(sum(v for v in values if v is not None))
        target = compute_target(con, Filters(start=start, end=end))["revenue_target"]
        out[name] = ForecastWindow(
            start=start,
            end=end,
            forecast=total,
            lower=None if total is None else float(sum(r.lower or 0.0 for r in rows)),
            upper=None if total is None else float(sum(r.upper or 0.0 for r in rows)),
            target=None if target is None else float(target),
            completion=None if total is None or not target else total / float(target),
            method=company.method,
            mape_backtest=company.mape_backtest,
        )
    return out


# --- projected target completion ---------------------------------------------------------------------------

COMPLETION_LEVELS = ("company", "owner", "region", "product_line", "account")


def completion_period(as_of: date, period: str) -> tuple[date, date]:
    """The calendar year or quarter holding ``as_of``."""
    if period == "year":
        return date(as_of.year, 1, 1), date(as_of.year, 12, 31)
    if period == "quarter":
        start = quarter_start(as_of)
        return start, month_end(shift_months(start, 2))
    raise ValueError(f"period must be 'year' or 'quarter', not {period!r}")


def rest_of_period(forecast: Sequence[ForecastPoint], as_of: date, period_end: date, key: str = "value") -> float | None:
    """Forecast revenue from the day after ``as_of`` to ``period_end``: whole forecast months, and the
    remaining days' share of the month holding ``as_of`` when that month is itself forecast (partial).
    ``key`` is the field summed: "value", "lower" or "upper"."""
    total = 0.0
    for row in forecast:
        month = row.month
        if month > period_end:
            break
        value = getattr(row, key)
        if value is None:
            return None
        if month <= as_of:  # the partial month: only the days after as_of
            days = calendar.monthrange(month.year, month.month)[1]
            total += value * (month_end(month) - as_of).days / days
        else:
            total += value
    return total


def project_completion(
    con: duckdb.DuckDBPyConnection,
    level: str = "company",
    period: str = "year",
    *,
    series: Sequence[ForecastSeries] | None = None,
) -> pd.DataFrame:
    """Projected completion of the revenue target of the calendar ``period`` ('year' or 'quarter')
    holding the latest order, per key of ``level`` (company, owner, region, product_line, account).

    One row per key with a forecast series or a target: key, revenue_to_date (period start .. latest
    order), forecast_rest (forecast to the period end), projected, projected_lower, projected_upper,
    revenue_target (pro-rated as in sales.compute_target_by; None without one), projected_completion
    (projected / target), gap (target - projected; > 0 is a shortfall), months_left (months after the
    latest order's day up to the period end, a partial month counting as one), gap_per_month (the
    shortfall spread over those months; 0 when the forecast reaches the target), required_per_month
    ((target - revenue to date) / months_left). ``series`` may pass that level's forecast series
    (:class:`ForecastSeries`).
    """
    if level not in COMPLETION_LEVELS:
        raise ValueError(f"no targets at level {level!r}; choose from {', '.join(COMPLETION_LEVELS)}")
    as_of = latest_order_date(con)
    if as_of is None:
        return pd.DataFrame(columns=COMPLETION_COLUMNS)
    start, end = completion_period(as_of, period)
    if series is None:
        series = forecast_series(con, level, horizon_months=12, include_history=False).series
    by_key = {s.key: s for s in series}
    base = _completion_base(con, level, start, end, as_of, by_key)
    months_left = len({m for m in _months_between(as_of + timedelta(days=1), end)})
    rows = [
        _completion_row(key, to_date, target, by_key.get(key), as_of, end, months_left)
        for key, to_date, target in zip(base["key"], base["revenue"], base["revenue_target"])
    ]
    return _completion_frame(rows)


COMPLETION_COLUMNS = [
    "key", "revenue_to_date", "forecast_rest", "projected", "projected_lower", "projected_upper",
    "revenue_target", "projected_completion", "gap", "months_left", "gap_per_month", "required_per_month",
]


def _completion_base(
    con: duckdb.DuckDBPyConnection, level: str, start: date, end: date, as_of: date, by_key: dict[str, ForecastSeries]
) -> pd.DataFrame:
    """key, revenue (period start .. as_of) and revenue_target per key, plus forecast keys without a row."""
    from kam_metrics.metrics.sales import compute_target, compute_target_by

    filters = Filters(start=start, end=end)
    if level == "company":
        target = compute_target(con, filters)["revenue_target"]
        actual = con.execute(
            "select coalesce(sum(amount), 0) from sales where order_date between ? and ?", [start, as_of]
        ).fetchall()[0][0]
        base = pd.DataFrame({"key": [""], "revenue": [float(actual)], "revenue_target": [target]})
    else:
        base = compute_target_by(con, filters, level)[["key", "revenue", "revenue_target"]]
        if level == "account":  # accounts with a forecast (class A) or a target
            base = base[base["key"].isin(by_key.keys()) | base["revenue_target"].notna()]
    missing = [k for k in by_key if k not in set(base["key"])]
    if missing:
        base = pd.concat([base, pd.DataFrame({"key": missing, "revenue": 0.0, "revenue_target": None})], ignore_index=True)
    return base


def _completion_row(
    key: str, to_date: Any, target: Any, fc: ForecastSeries | None, as_of: date, end: date, months_left: int
) -> dict[str, Any]:
    """One key's projected completion: revenue to date plus the forecast rest against its target."""
    target = None if target is None or pd.isna(target) else float(target)
    rest = rest_of_period(fc.forecast, as_of, end) if fc else 0.0
    low = rest_of_period(fc.forecast, as_of, end, "lower") if fc else 0.0
    high = rest_of_period(fc.forecast, as_of, end, "upper") if fc else 0.0
    projected = None if rest is None else float(to_date) + rest
    gap = None if target is None or projected is None else target - projected
    return {
        "key": key,
        "revenue_to_date": float(to_date),
        "forecast_rest": rest,
        "projected": projected,
        "projected_lower": None if low is None else float(to_date) + low,
        "projected_upper": None if high is None else float(to_date) + high,
        "revenue_target": target,
        "projected_completion": None if projected is None or not target else projected / target,
        "gap": gap,
        "months_left": months_left,
        "gap_per_month": None if gap is None or months_left == 0 else max(gap, 0.0) / months_left,
        "required_per_month": None if target is None or months_left == 0 else (target - float(to_date)) / months_left,
    }


def _completion_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """The completion rows as a frame (missing values None), largest target plus revenue to date first."""
    frame = pd.DataFrame(rows, columns=COMPLETION_COLUMNS)
    for column in ("forecast_rest", "projected", "projected_lower", "projected_upper", "revenue_target",
                   "projected_completion", "gap", "gap_per_month", "required_per_month"):
        frame[column] = frame[column].astype(object).where(frame[column].notna(), None)
    order = frame["revenue_target"].fillna(0).astype(float) + frame["revenue_to_date"]
    return frame.assign(_o=order).sort_values(["_o", "key"], ascending=[False, True]).drop(columns="_o").reset_index(drop=True)


def _months_between(first: date, last: date) -> list[date]:
    """First days of the months from ``first``'s month to ``last``'s month (empty when first > last)."""
    if first > last:
        return []
    out, month = [], first.replace(day=1)
    while month <= last:
        out.append(month)
        month = shift_months(month, 1)
    return out
