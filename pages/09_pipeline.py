"""商机 Pipeline: the six-stage funnel in count and amount, stage-to-stage conversion, win rate, weighted
pipeline, mean cycle days and opportunities that have not moved for a long time (docs/kpis.md
*Pipeline*)."""

from __future__ import annotations

import streamlit as st

from kam_app.charts import operations as charts
from kam_app.data import operations as loaders_operations
from kam_app.state import ensure_router, language, t
from kam_app.widgets import columns
from kam_app.widgets.components import KpiCard, render_chart, render_download_table, render_kpi_cards, start_page
from kam_metrics.i18n import format_money, format_percent


def render_page() -> None:
    filters = start_page("pipeline.heading", needs_sales=False)
    if filters is None:
        return
    with st.spinner(t("loading")):
        data = loaders_operations.load_pipeline_page(filters)
    if not data["count_all"]:
        st.info(t("pipeline.empty"), icon="ℹ️")
        return
    if not data["summary"]["count_opportunities"]:
        st.info(t("pipeline.empty_filters"), icon="ℹ️")
        return
    render_cards(data["summary"], language())
    render_funnel(data["funnel"], data["summary"])
    render_conversion(data["funnel"], filters)
    render_stale(data["stale"], data["summary"], filters)


def render_cards(s: dict, lang: str) -> None:
    """Open count and amount, weighted pipeline, win rate, amount won, mean cycle days, stale count."""
    render_kpi_cards([
        KpiCard(t("pipeline.kpi.open"), f"{s['count_open']:,}", None, t("pipeline.help.open")),
        KpiCard(t("pipeline.kpi.amount_open"), format_money(s["amount_open"], lang), None, t("pipeline.help.open")),
        KpiCard(t("pipeline.kpi.weighted"), format_money(s["weighted_pipeline"], lang), None,
                t("pipeline.help.weighted", n=s["count_open_without_probability"])),
        KpiCard(t("pipeline.kpi.win_rate"), format_percent(s["win_rate"]), None,
                t("pipeline.help.win_rate", won=s["count_won"], lost=s["count_lost"])),
        KpiCard(t("pipeline.kpi.amount_won"), format_money(s["amount_won"], lang), None, t("pipeline.help.amount_won")),
        KpiCard(t("pipeline.kpi.cycle"), "—" if s["mean_cycle_days"] is None else f"{s['mean_cycle_days']:.0f}", None,
                t("pipeline.help.cycle")),
        KpiCard(t("pipeline.kpi.stale"), f"{s['count_stale']:,}", None, t("pipeline.help.stale", days=s["stale_days"])),
    ], per_row=4)


def render_funnel(funnel, s: dict) -> None:
    """The funnel by count beside the amount per stage."""
    lang = language()
    left, right = st.columns(2)
    with left:
        render_chart(charts.build_funnel_figure(funnel, lang=lang), t("pipeline.empty_filters"))
    with right:
        render_chart(charts.build_stage_amount_figure(funnel, s, lang=lang), t("pipeline.no_open"))


def render_conversion(funnel, filters) -> None:
    """Stage-to-stage conversion: current, reached and lost per stage."""
    st.subheader(t("pipeline.conversion"))
    st.caption(t("pipeline.conversion_caption"))
    render_download_table(
        funnel.assign(
            stage=[t(f"stage.{v}") for v in funnel["stage"]],
            conversion=[None if v is None else v * 100 for v in funnel["conversion"]],
        )[["stage", "count_current", "amount_current", "count_reached", "conversion", "count_lost_here"]],
        file_name=f"pipeline_funnel_{filters.end}.csv",
        column_config={
            "stage": columns.text("col.stage"), "count_current": columns.count("col.count_current"),
            "amount_current": columns.money("col.amount_current"), "count_reached": columns.count("col.count_reached"),
            "conversion": st.column_config.NumberColumn(t("col.conversion"), format="%.1f%%"),
            "count_lost_here": columns.count("col.count_lost_here"),
        },
    )


def render_stale(stale, s: dict, filters) -> None:
    """Open opportunities that have stayed in their stage too long."""
    st.subheader(t("pipeline.stale", n=len(stale), days=s["stale_days"]))
    if stale.empty:
        st.info(t("pipeline.no_stale"), icon="✅")
        return
    render_download_table(
        stale.assign(stage=[t(f"stage.{v}") for v in stale["stage"]], probability=stale["probability"] * 100)[
            ["opportunity_id", "account_name", "owner", "stage", "stage_changed_on", "days_in_stage", "amount", "probability"]
        ],
        file_name=f"pipeline_stale_{filters.end}.csv",
        column_config={
            "opportunity_id": columns.text("col.opportunity_id"), "account_name": columns.account_name(),
            "owner": columns.owner(), "stage": columns.text("col.stage"),
            "stage_changed_on": columns.date("col.stage_changed_on"), "days_in_stage": columns.count("col.days_in_stage"),
            "amount": columns.money("col.amount"),
            "probability": st.column_config.NumberColumn(t("col.probability"), format="%.0f%%"),
        },
    )


ensure_router()
render_page()
