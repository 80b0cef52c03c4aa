"""The forecast sections of the Sales page and of Account 360: cards, the forecast chart with its
interval and table, and projected target completion. Figures come from :mod:`kam_app.charts.forecast`,
data from :mod:`kam_app.data.forecast`."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from kam_app.charts.forecast import (
    build_completion_figure,
    build_forecast_figure,
    horizon_bounds,
    horizon_total,
    method_text,
)
from kam_app.data import forecast as loaders_forecast
from kam_app.state import language
from kam_app.state import t as ui_t
from kam_app.widgets.components import KpiCard, render_chart, render_download_table, render_kpi_cards
from kam_metrics.forecast.engine import completion_period
from kam_metrics.forecast.results import ForecastRun, ForecastSeries
from kam_metrics.i18n import format_date, format_money, format_month, format_percent, t


def _forecast_cards(series: ForecastSeries, lang: str) -> None:
    """Next month, next 12 months, back-test MAPE with the seasonal-naive MAPE under it, bias, and how
    often the 80 % interval held the actual on held-out back-test months (its n under it). Drawn with
    st.metric directly: the baseline line under the MAPE is a note, not a change, so it has no arrow."""
    first = series.forecast[0]
    total12 = horizon_total(series, len(series.forecast))
    low12, high12 = horizon_bounds(series, len(series.forecast))
    cards = [
        (
            t("forecast.kpi.next_month", lang, month=format_month(first.month, lang)),
            format_money(first.value, lang),
            None,
            t("forecast.help.interval", lang, lower=format_money(first.lower, lang), upper=format_money(first.upper, lang)),
        ),
        (
            t("forecast.kpi.next_12", lang) if len(series.forecast) == 12 else t("forecast.col.value", lang),
            format_money(total12, lang),
            None,
            t("forecast.help.interval", lang, lower=format_money(low12, lang), upper=format_money(high12, lang)),
        ),
        (
            t("forecast.kpi.mape", lang),
            format_percent(series.mape_backtest),
            t("forecast.kpi.baseline", lang, baseline=format_percent(series.baseline_mape)),
            t("forecast.help.mape", lang, n=series.n_months, zero=series.n_zero_months),
        ),
        (t("forecast.kpi.bias", lang), format_percent(series.bias, signed=True), None, t("forecast.help.bias", lang)),
        (
            t("forecast.kpi.coverage", lang),
            format_percent(series.interval_coverage),
            t("forecast.kpi.coverage_note", lang, n=series.interval_checks),
            t("forecast.help.coverage", lang),
        ),
    ]
    for column, (label, value, delta, help_text) in zip(st.columns(len(cards)), cards):
        column.metric(label, value, delta=delta, help=help_text, border=True, delta_color="off", delta_arrow="off")


def _forecast_table(series: ForecastSeries, *, file_name: str) -> None:
    table = pd.DataFrame([point.as_dict() for point in series.forecast], columns=["month", "value", "lower", "upper"])
    render_download_table(
        table,
        file_name=file_name,
        column_config={
            "month": st.column_config.DateColumn(ui_t("forecast.col.month"), format="YYYY-MM"),
            "value": st.column_config.NumberColumn(ui_t("forecast.col.value"), format="¥%,.0f"),
            "lower": st.column_config.NumberColumn(ui_t("forecast.col.lower"), format="¥%,.0f"),
            "upper": st.column_config.NumberColumn(ui_t("forecast.col.upper"), format="¥%,.0f"),
        },
    )


def render_sales_forecast(filters) -> None:
    """Sales page: forecast of the sidebar's accounts with its band and back-test error, then the
    projected completion of this year's / quarter's target, company-wide and per owner and region."""
    lang = language()
    st.subheader(t("forecast.heading", lang))
    data = loaders_forecast.load_sales_forecast(filters)
    series = data.first()
    if series is None or series.method == "none":
        st.info(t("forecast.empty", lang), icon="ℹ️")
        return
    _forecast_cards(series, lang)
    render_chart(build_forecast_figure(series, lang=lang), t("forecast.empty", lang))
    _forecast_caption(data, series, lang)
    if filters.has_segments:
        st.caption(t("forecast.segments_caption", lang))
    with st.expander(t("forecast.col.value", lang) + " · " + t("forecast.chart.band", lang)):
        _forecast_table(series, file_name=f"forecast_{data.history_end}.csv")
    render_completion(filters, data.as_of, lang)


def _forecast_caption(data: ForecastRun, series: ForecastSeries, lang: str) -> None:
    """Where the forecast starts (the last complete month, the latest order) and its method in words."""
    st.caption(
        t("forecast.caption", lang, history_end=format_month(data.history_end, lang), as_of=format_date(data.as_of, lang),
          method=method_text(series, data.settings, lang))
    )


def _period_label(start: date, period: str, lang: str) -> str:
    if period == "year":
        return f"{start.year}年" if lang == "zh" else str(start.year)
    return f"{start.year}Q{(start.month - 1) // 3 + 1}"


def render_completion(filters, as_of: date, lang: str) -> None:
    """Projected completion of this year's or quarter's target: the company's cards, then one tab per
    level (owner, region) with its chart and table, limited to the sidebar's owners and regions."""
    st.subheader(t("forecast.completion.heading", lang))
    period = st.radio(
        t("forecast.completion.period", lang),
        ("year", "quarter"),
        format_func=lambda p: ui_t(f"forecast.period.{p}", label=_period_label(completion_period(as_of, p)[0], p, language_now())),
        key="forecast_period",
        horizontal=True,
    )
    data = loaders_forecast.load_projected_completion(period)
    start, end = data["period"]
    company = data["completion"]["company"].iloc[0]
    _completion_cards(company, as_of, end, lang)
    if company["revenue_target"] is None:
        st.caption(t("forecast.completion.no_company_target", lang))
    if filters.has_segments:
        st.caption(t("forecast.completion.all_accounts", lang))
    tabs = st.tabs([t(f"dim.{level}", lang) for level in loaders_forecast.COMPLETION_LEVELS])
    for tab, level in zip(tabs, loaders_forecast.COMPLETION_LEVELS):
        with tab:
            frame = data["completion"][level]
            wanted = {"owner": filters.owners, "region": filters.regions}[level]
            if wanted:
                frame = frame[frame["key"].isin(wanted)]
            _completion_level(frame, level, file_name=f"projected_completion_{level}_{start}_{end}.csv", lang=lang)


def _completion_cards(company, as_of: date, end: date, lang: str) -> None:
    """The company's projected revenue, projected completion, gap and gap per remaining month."""
    help_projected = t(
        "forecast.completion.help.projected", lang, as_of=format_date(as_of, lang), to_date=format_money(company["revenue_to_date"], lang),
        end=format_date(end, lang), rest=format_money(company["forecast_rest"], lang),
        lower=format_money(company["projected_lower"], lang), upper=format_money(company["projected_upper"], lang),
    )
    render_kpi_cards(
        [
            KpiCard(t("forecast.completion.kpi.projected", lang), format_money(company["projected"], lang), None, help_projected),
            KpiCard(t("forecast.completion.kpi.completion", lang), format_percent(company["projected_completion"]), None, help_projected),
            KpiCard(t("forecast.completion.kpi.gap", lang), format_money(company["gap"], lang), None, help_projected,
                    delta_color="off"),
            KpiCard(
                t("forecast.completion.kpi.gap_per_month", lang), format_money(company["gap_per_month"], lang), None,
                t("forecast.completion.help.gap_per_month", lang, months=company["months_left"]),
            ),
        ]
    )


def _completion_level(frame: pd.DataFrame, level: str, *, file_name: str, lang: str) -> None:
    """One level's projected completion: chart and table, or why there is none (no targets at that level)."""
    if frame["revenue_target"].notna().sum() == 0:
        st.info(t("forecast.completion.no_target", lang, level=t(f"dim.{level}", lang), code=level), icon="ℹ️")
        return
    render_chart(build_completion_figure(frame, level=level, lang=lang))
    table = frame[["key", "revenue_to_date", "forecast_rest", "projected", "revenue_target", "projected_completion",
                   "gap", "gap_per_month", "required_per_month"]]
    table = table.assign(projected_completion=[None if v is None else v * 100 for v in table["projected_completion"]])
    render_download_table(table, file_name=file_name, column_config=_completion_columns(level))


def _completion_columns(level: str) -> dict:
    """Column labels and formats of a level's projected-completion table."""
    money = {c: st.column_config.NumberColumn(ui_t(k), format="¥%,.0f") for c, k in (
        ("revenue_to_date", "forecast.col.to_date"), ("forecast_rest", "forecast.col.rest"),
        ("projected", "forecast.col.projected"), ("revenue_target", "forecast.col.target"),
        ("required_per_month", "forecast.col.required"))}
    # signed amounts: "¥-1,000" reads badly, so the unit is in the label and the sign leads
    money.update({c: st.column_config.NumberColumn(ui_t(k), format="%,.0f") for c, k in (
        ("gap", "forecast.col.gap"), ("gap_per_month", "forecast.col.gap_per_month"))})
    return {
        "key": st.column_config.TextColumn(ui_t(f"dim.{level}")),
        "projected_completion": st.column_config.NumberColumn(ui_t("forecast.col.completion"), format="%.1f%%"),
        **money,
    }


def language_now() -> str:
    return language()


def render_account_forecast(account_id: str, filters=None) -> None:
    """Account 360: the account's forecast with its band, method and back-test error."""
    lang = language_now()
    st.subheader(t("forecast.a360.heading", lang))
    data = loaders_forecast.load_account_forecast(account_id)
    series = data.first()
    if series is None or series.method == "none":
        st.info(t("forecast.a360.empty", lang), icon="ℹ️")
        return
    _forecast_cards(series, lang)
    render_chart(build_forecast_figure(series, lang=lang), t("forecast.a360.empty", lang))
    _forecast_caption(data, series, lang)
