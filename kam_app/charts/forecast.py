"""Forecast figures (issue #9) and the forecast sections the Sales page and Account 360 call.

Figure builders take the small results of kam_metrics.forecast.engine and return a figure whose title states
the finding, or None when there is nothing to draw. ``render_sales_forecast`` and
``render_account_forecast`` draw whole sections through the cached loaders of kam_app.data.forecast.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import plotly.graph_objects as go

from kam_metrics.i18n import format_date, format_money, format_month, format_percent, money_unit, t

from kam_app.theme import COMPARISON, NEGATIVE, PALETTE, PRIMARY, register_template

register_template()

BAND = "rgba(224, 123, 57, 0.18)"  # PALETTE[1] (forecast) at low opacity
FORECAST = PALETTE[1]


def method_text(series: dict, settings: dict, lang: str) -> str:
    """The series' method in words, in ``lang`` (forecast.method.*)."""
    return t(
        f"forecast.method.{series['method']}",
        lang,
        n=series["history_months"],
        model=settings["forecast_min_months_model"],
        seasonal=settings["forecast_min_months_seasonal"],
        stopped=settings["forecast_stopped_months"],
    )


def horizon_total(series: dict, months: int) -> float | None:
    """Sum of the first ``months`` forecast values (None when any is missing)."""
    values = [row["value"] for row in series["forecast"][:months]]
    if not values or any(v is None for v in values):
        return None
    return float(sum(values))


def horizon_bounds(series: dict, months: int) -> tuple[float, float]:
    """Sums of the monthly lower and upper bounds of the first ``months`` (a conservative band)."""
    rows = series["forecast"][:months]
    return float(sum(r["lower"] or 0 for r in rows)), float(sum(r["upper"] or 0 for r in rows))


def forecast_title(series: dict, lang: str) -> str:
    """'Next 12 months expected at ¥X, +y% on the last 12; back-test error m (seasonal naive b)'."""
    h = len(series["forecast"])
    total = horizon_total(series, h)
    history = [row["value"] for row in series.get("history", [])]
    mape = format_percent(series["mape_backtest"])
    if h == 12 and len(history) >= 12:
        last12 = float(sum(history[-12:]))
        growth = None if last12 == 0 or total is None else total / last12 - 1
        return t(
            "forecast.chart.title", lang, total=format_money(total, lang), growth=format_percent(growth, signed=True),
            mape=mape, baseline=format_percent(series["baseline_mape"]),
        )
    return t("forecast.chart.title_short", lang, h=h, total=format_money(total, lang), mape=mape)


def build_forecast_figure(series: dict | None, *, lang: str, history_months: int = 24) -> go.Figure | None:
    """Monthly actual (last ``history_months``), the back-test's one-month-ahead forecasts, and the
    forecast with its 80 % band."""
    if series is None or series["method"] == "none" or not series.get("history"):
        return None
    history = series["history"][-history_months:]
    forecast = [row for row in series["forecast"] if row["value"] is not None]
    back = [row for row in series.get("backtest", []) if row["forecast"] is not None]
    largest = max([r["value"] for r in history] + [r["upper"] or 0 for r in forecast] + [0.0])
    divisor, unit = money_unit(largest, lang)
    fig = go.Figure()
    if forecast:
        # the band joins the last actual month so the forecast visibly starts where the data ends
        last = history[-1]
        xs = [last["month"]] + [r["month"] for r in forecast]
        upper = [last["value"]] + [r["upper"] for r in forecast]
        lower = [last["value"]] + [r["lower"] for r in forecast]
        fig.add_scatter(x=xs, y=[v / divisor for v in upper], mode="lines", line={"width": 0}, showlegend=False,
                        hoverinfo="skip")
        fig.add_scatter(x=xs, y=[v / divisor for v in lower], mode="lines", line={"width": 0}, fill="tonexty",
                        fillcolor=BAND, name=t("forecast.chart.band", lang), hoverinfo="skip")
    fig.add_scatter(
        x=[r["month"] for r in history], y=[r["value"] / divisor for r in history], mode="lines+markers",
        name=t("forecast.chart.actual", lang), line={"color": PRIMARY, "width": 3},
        customdata=[format_money(r["value"], lang) for r in history],
        hovertemplate="%{x|%Y-%m}: %{customdata}<extra></extra>",
    )
    if back:
        fig.add_scatter(
            x=[r["month"] for r in back], y=[r["forecast"] / divisor for r in back], mode="markers",
            name=t("forecast.chart.backtest", lang), marker={"color": COMPARISON, "size": 9, "symbol": "diamond"},
            customdata=[format_money(r["forecast"], lang) for r in back],
            hovertemplate="%{x|%Y-%m}: %{customdata}<extra></extra>",
        )
    if forecast:
        last = history[-1]
        fig.add_scatter(
            x=[last["month"]] + [r["month"] for r in forecast],
            y=[last["value"] / divisor] + [r["value"] / divisor for r in forecast],
            mode="lines+markers", name=t("forecast.chart.forecast", lang),
            line={"color": FORECAST, "width": 3, "dash": "dash"},
            customdata=[format_money(last["value"], lang)]
            + [f"{format_money(r['value'], lang)} ({format_money(r['lower'], lang)} – {format_money(r['upper'], lang)})" for r in forecast],
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


def _forecast_cards(series: dict, lang: str) -> None:
    """Next month, next 12 months, back-test MAPE with the seasonal-naive MAPE under it, bias, and how
    often the 80 % interval held the actual on held-out back-test months (its n under it). Drawn with
    st.metric directly: the baseline line under the MAPE is a note, not a change, so it has no arrow."""
    import streamlit as st

    first = series["forecast"][0]
    total12 = horizon_total(series, len(series["forecast"]))
    low12, high12 = horizon_bounds(series, len(series["forecast"]))
    cards = [
        (
            t("forecast.kpi.next_month", lang, month=format_month(first["month"], lang)),
            format_money(first["value"], lang),
            None,
            t("forecast.help.interval", lang, lower=format_money(first["lower"], lang), upper=format_money(first["upper"], lang)),
        ),
        (
            t("forecast.kpi.next_12", lang) if len(series["forecast"]) == 12 else t("forecast.col.value", lang),
            format_money(total12, lang),
            None,
            t("forecast.help.interval", lang, lower=format_money(low12, lang), upper=format_money(high12, lang)),
        ),
        (
            t("forecast.kpi.mape", lang),
            format_percent(series["mape_backtest"]),
            t("forecast.kpi.baseline", lang, baseline=format_percent(series["baseline_mape"])),
            t("forecast.help.mape", lang, n=series["n_months"], zero=series["n_zero_months"]),
        ),
        (t("forecast.kpi.bias", lang), format_percent(series["bias"], signed=True), None, t("forecast.help.bias", lang)),
        (
            t("forecast.kpi.coverage", lang),
            format_percent(series["interval_coverage"]),
            t("forecast.kpi.coverage_note", lang, n=series["interval_checks"]),
            t("forecast.help.coverage", lang),
        ),
    ]
    for column, (label, value, delta, help_text) in zip(st.columns(len(cards)), cards):
        column.metric(label, value, delta=delta, help=help_text, border=True, delta_color="off", delta_arrow="off")


def _forecast_table(series: dict, *, file_name: str) -> None:
    import streamlit as st

    from kam_app.widgets.components import render_download_table
    from kam_app.state import t as ui_t

    table = pd.DataFrame(series["forecast"])[["month", "value", "lower", "upper"]]
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
    import streamlit as st

    from kam_app.data import forecast as loaders_forecast
    from kam_app.widgets.components import render_chart
    from kam_app.state import language

    lang = language()
    st.subheader(t("forecast.heading", lang))
    data = loaders_forecast.load_sales_forecast(filters)
    series = data["series"]
    if series is None or series["method"] == "none":
        st.info(t("forecast.empty", lang), icon="ℹ️")
        return
    _forecast_cards(series, lang)
    render_chart(build_forecast_figure(series, lang=lang), t("forecast.empty", lang))
    st.caption(
        t("forecast.caption", lang, history_end=format_month(data["history_end"], lang), as_of=format_date(data["as_of"], lang),
          method=method_text(series, data["settings"], lang))
    )
    if filters.has_segments:
        st.caption(t("forecast.segments_caption", lang))
    with st.expander(t("forecast.col.value", lang) + " · " + t("forecast.chart.band", lang)):
        _forecast_table(series, file_name=f"forecast_{data['history_end']}.csv")
    render_completion(filters, data["as_of"], lang)


def _period_label(start: date, period: str, lang: str) -> str:
    if period == "year":
        return f"{start.year}年" if lang == "zh" else str(start.year)
    return f"{start.year}Q{(start.month - 1) // 3 + 1}"


def render_completion(filters, as_of: date, lang: str) -> None:
    import streamlit as st

    from kam_app.data import forecast as loaders_forecast
    from kam_app.widgets.components import KpiCard, render_chart, render_download_table, render_kpi_cards
    from kam_app.state import t as ui_t

    from kam_metrics.forecast.engine import completion_period

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
            if frame["revenue_target"].notna().sum() == 0:
                st.info(t("forecast.completion.no_target", lang, level=t(f"dim.{level}", lang), code=level), icon="ℹ️")
                continue
            render_chart(build_completion_figure(frame, level=level, lang=lang))
            table = frame[["key", "revenue_to_date", "forecast_rest", "projected", "revenue_target", "projected_completion",
                           "gap", "gap_per_month", "required_per_month"]]
            table = table.assign(projected_completion=[None if v is None else v * 100 for v in table["projected_completion"]])
            money = {c: st.column_config.NumberColumn(ui_t(k), format="¥%,.0f") for c, k in (
                ("revenue_to_date", "forecast.col.to_date"), ("forecast_rest", "forecast.col.rest"),
                ("projected", "forecast.col.projected"), ("revenue_target", "forecast.col.target"),
                ("required_per_month", "forecast.col.required"))}
            # signed amounts: "¥-1,000" reads badly, so the unit is in the label and the sign leads
            money.update({c: st.column_config.NumberColumn(ui_t(k), format="%,.0f") for c, k in (
                ("gap", "forecast.col.gap"), ("gap_per_month", "forecast.col.gap_per_month"))})
            render_download_table(
                table,
                file_name=f"projected_completion_{level}_{start}_{end}.csv",
                column_config={
                    "key": st.column_config.TextColumn(ui_t(f"dim.{level}")),
                    "projected_completion": st.column_config.NumberColumn(ui_t("forecast.col.completion"), format="%.1f%%"),
                    **money,
                },
            )


def language_now() -> str:
    from kam_app.state import language

    return language()


def render_account_forecast(account_id: str, filters=None) -> None:
    """Account 360: the account's forecast with its band, method and back-test error."""
    import streamlit as st

    from kam_app.data import forecast as loaders_forecast
    from kam_app.widgets.components import render_chart

    lang = language_now()
    st.subheader(t("forecast.a360.heading", lang))
    data = loaders_forecast.load_account_forecast(account_id)
    series = data["series"]
    if series is None or series["method"] == "none":
        st.info(t("forecast.a360.empty", lang), icon="ℹ️")
        return
    _forecast_cards(series, lang)
    render_chart(build_forecast_figure(series, lang=lang), t("forecast.a360.empty", lang))
    st.caption(
        t("forecast.caption", lang, history_end=format_month(data["history_end"], lang), as_of=format_date(data["as_of"], lang),
          method=method_text(series, data["settings"], lang))
    )
