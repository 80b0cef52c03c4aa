"""Forecast figures and the forecast sections the Sales page and Account 360 call.

Figure builders take the small results of kam_metrics.forecast.engine (a
kam_metrics.forecast.results.ForecastSeries, or a project_completion frame) and return a figure whose title states
the finding, or None when there is nothing to draw. ``render_sales_forecast`` and
``render_account_forecast`` draw whole sections through the cached loaders of kam_app.data.forecast.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from kam_app.theme import COMPARISON, NEGATIVE, PALETTE, PRIMARY, register_template
from kam_metrics.forecast.results import ForecastSeries
from kam_metrics.i18n import format_money, format_percent, money_unit, t

register_template()

BAND = "rgba(224, 123, 57, 0.18)"  # PALETTE[1] (forecast) at low opacity
FORECAST = PALETTE[1]


def method_text(series: ForecastSeries, settings: dict, lang: str) -> str:
    """The series' method in words, in ``lang`` (forecast.method.*)."""
    return t(
        f"forecast.method.{series.method}",
        lang,
        n=series.history_months,
        model=settings["forecast_min_months_model"],
        seasonal=settings["forecast_min_months_seasonal"],
        stopped=settings["forecast_stopped_months"],
    )


def horizon_total(series: ForecastSeries, months: int) -> float | None:
    """Sum of the first ``months`` forecast values (None when any is missing)."""
    values = [row.value for row in series.forecast[:months]]
    if not values or any(v is None for v in values):
        return None
    return float(sum(v for v in values if v is not None))


def horizon_bounds(series: ForecastSeries, months: int) -> tuple[float, float]:
    """Sums of the monthly lower and upper bounds of the first ``months`` (a conservative band)."""
    rows = series.forecast[:months]
    return float(sum(r.lower or 0 for r in rows)), float(sum(r.upper or 0 for r in rows))


def forecast_title(series: ForecastSeries, lang: str) -> str:
    """'Next 12 months expected at ¥X, +y% on the last 12; back-test error m (seasonal naive b)'."""
    h = len(series.forecast)
    total = horizon_total(series, h)
    history = [row.value for row in series.history]
    mape = format_percent(series.mape_backtest)
    if h == 12 and len(history) >= 12:
        last12 = float(sum(history[-12:]))
        growth = None if last12 == 0 or total is None else total / last12 - 1
        return t(
            "forecast.chart.title", lang, total=format_money(total, lang), growth=format_percent(growth, signed=True),
            mape=mape, baseline=format_percent(series.baseline_mape),
        )
    return t("forecast.chart.title_short", lang, h=h, total=format_money(total, lang), mape=mape)


def build_forecast_figure(series: ForecastSeries | None, *, lang: str, history_months: int = 24) -> go.Figure | None:
    """Monthly actual (last ``history_months``), the back-test's one-month-ahead forecasts, and the
    forecast with its 80 % band."""
    if series is None or series.method == "none" or not series.history:
        return None
    history = series.history[-history_months:]
    forecast = [row for row in series.forecast if row.value is not None]
    back = [row for row in series.backtest if row.forecast is not None]
    largest = max([r.value for r in history] + [r.upper or 0 for r in forecast] + [0.0])
    divisor, unit = money_unit(largest, lang)
    fig = go.Figure()
    if forecast:
        # the band joins the last actual month so the forecast visibly starts where the data ends
        last = history[-1]
        xs = [last.month] + [r.month for r in forecast]
        upper = [last.value] + [r.upper for r in forecast]
        lower = [last.value] + [r.lower for r in forecast]
        fig.add_scatter(x=xs, y=[v / divisor for v in upper], mode="lines", line={"width": 0}, showlegend=False,
                        hoverinfo="skip")
        fig.add_scatter(x=xs, y=[v / divisor for v in lower], mode="lines", line={"width": 0}, fill="tonexty",
                        fillcolor=BAND, name=t("forecast.chart.band", lang), hoverinfo="skip")
    fig.add_scatter(
        x=[r.month for r in history], y=[r.value / divisor for r in history], mode="lines+markers",
        name=t("forecast.chart.actual", lang), line={"color": PRIMARY, "width": 3},
        customdata=[format_money(r.value, lang) for r in history],
        hovertemplate="%{x|%Y-%m}: %{customdata}<extra></extra>",
    )
    if back:
        fig.add_scatter(
            x=[r.month for r in back], y=[r.forecast / divisor for r in back], mode="markers",
            name=t("forecast.chart.backtest", lang), marker={"color": COMPARISON, "size": 9, "symbol": "diamond"},
            customdata=[format_money(r.forecast, lang) for r in back],
            hovertemplate="%{x|%Y-%m}: %{customdata}<extra></extra>",
        )
    if forecast:
        last = history[-1]
        fig.add_scatter(
            x=[last.month] + [r.month for r in forecast],
            y=[last.value / divisor] + [r.value / divisor for r in forecast],
            mode="lines+markers", name=t("forecast.chart.forecast", lang),
            line={"color": FORECAST, "width": 3, "dash": "dash"},
            customdata=[format_money(last.value, lang)]
            + [f"{format_money(r.value, lang)} ({format_money(r.lower, lang)} – {format_money(r.upper, lang)})" for r in forecast],
            hovertemplate="%{x|%Y-%m}: %{customdata}<extra></extra>",
        )
    fig.update_layout(
        title=forecast_title(series, lang),
        yaxis_title=t("forecast.chart.yaxis", lang, unit=unit),
        xaxis_title=t("forecast.chart.month", lang),
        xaxis={"tickformat": "%Y-%m"},
        height=440,
        yaxis={"rangemode": "tozero"},
    )
    return fig


def completion_title(frame: pd.DataFrame, *, level: str, lang: str) -> str:
    """'n of m owners projected to reach target; largest gap: X (¥Y a month extra)'."""
    with_target = frame[frame["revenue_target"].notna()]
    n = len(with_target)
    reached = with_target[[g is not None and g <= 0 for g in with_target["gap"]]]
    plural = t(f"forecast.level_plural.{level}", lang)
    if len(reached) == n:
        return t("forecast.completion.title_all", lang, n=n, level=plural)
    worst = with_target.assign(g=[g if g is not None else 0 for g in with_target["gap"]]).sort_values("g").iloc[-1]
    return t(
        "forecast.completion.title", lang, n_on=len(reached), n=n, level=plural,
        worst=worst["key"] or t("dim.none", lang), per_month=format_money(worst["gap_per_month"], lang),
    )


def build_completion_figure(frame: pd.DataFrame, *, level: str, lang: str) -> go.Figure | None:
    """Per key with a target: actual to date and the forecast for the rest of the period as stacked
    bars, the target as a tick; the keys projected short of target in red."""
    frame = frame[frame["revenue_target"].notna()]
    if frame.empty:
        return None
    ordered = frame.iloc[::-1]
    labels = [k or t("dim.none", lang) for k in ordered["key"]]
    largest = max(max(float(p or 0) for p in frame["projected_upper"]), float(frame["revenue_target"].astype(float).max()))
    divisor, unit = money_unit(largest, lang)
    short = [g is not None and g > 0 for g in ordered["gap"]]
    fig = go.Figure()
    fig.add_bar(
        y=labels, x=ordered["revenue_to_date"] / divisor, orientation="h", name=t("forecast.completion.to_date", lang),
        marker_color=PRIMARY, customdata=[format_money(v, lang) for v in ordered["revenue_to_date"]],
        hovertemplate="%{y}: %{customdata}<extra></extra>",
    )
    fig.add_bar(
        y=labels, x=[float(v or 0) / divisor for v in ordered["forecast_rest"]], orientation="h",
        name=t("forecast.completion.rest", lang),
        marker_color=["rgba(198, 40, 40, 0.5)" if s else "rgba(46, 125, 50, 0.5)" for s in short],
        customdata=[format_money(v, lang) for v in ordered["forecast_rest"]],
        hovertemplate="%{y}: %{customdata}<extra></extra>",
    )
    # the projected completion, written right of whichever ends later: the bar or the target tick
    fig.add_scatter(
        y=labels,
        x=[max(float(p or 0), float(g)) / divisor for p, g in zip(ordered["projected"], ordered["revenue_target"])],
        mode="text", text=[" " + format_percent(c) for c in ordered["projected_completion"]], textposition="middle right",
        textfont={"color": [NEGATIVE if s else "#1B2631" for s in short]}, showlegend=False, hoverinfo="skip",
    )
    fig.add_scatter(
        y=labels, x=[float(v) / divisor for v in ordered["revenue_target"]], mode="markers",
        name=t("forecast.completion.target", lang),
        marker={"symbol": "line-ns", "size": 34, "line": {"width": 4, "color": "#1B2631"}},
        customdata=[format_money(v, lang) for v in ordered["revenue_target"]],
        hovertemplate="%{y}: %{customdata}<extra></extra>",
    )
    fig.update_layout(
        barmode="stack",
        title=completion_title(frame, level=level, lang=lang),
        xaxis_title=t("forecast.completion.xaxis", lang, unit=unit),
        xaxis={"range": [0, largest / divisor * 1.25]},
        height=max(340, 90 + 52 * len(frame)),
    )
    return fig


# --- sections (Streamlit) ------------------------------------------------------------------------------


