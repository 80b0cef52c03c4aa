"""总览 Overview: the headline KPIs against the comparison period, the monthly trend, the top-10 accounts
and revenue by industry and region."""

from __future__ import annotations

import streamlit as st

from kam_app.charts import sales as charts
from kam_app.data import sales as loaders
from kam_app.data.sales import OverviewPage
from kam_app.state import ensure_router, language, t
from kam_app.widgets import columns
from kam_app.widgets.components import (
    KpiCard,
    percent_delta,
    points_delta,
    render_chart,
    render_download_table,
    render_kpi_cards,
    start_page,
)
from kam_metrics.i18n import format_money, format_number, format_percent, format_points


def render_page() -> None:
    filters = start_page("overview.heading")
    if filters is None:
        return
    with st.spinner(t("loading")):
        data = loaders.load_overview(filters)
    k = data.kpis
    render_kpi_cards(overview_cards(k, data.satisfaction, language()), per_row=4)
    if k["target_completion"] is None:
        st.caption(t("kpi.no_target"))
    elif k["target_is_prorated"]:
        st.caption(t("kpi.target_prorated", level=t(f"level.{k['target_level']}")))
    if k["orders"] == 0:
        st.info(t("empty.period"), icon="ℹ️")
        return
    render_trend_and_segments(data)
    render_top_accounts(data, filters)


def overview_cards(k: dict, sat: dict, lang: str) -> list[KpiCard]:
    """The headline cards with their change against the comparison period."""
    c = k["comparison"]
    previous_sat = sat["previous"]["overall_index"] if sat["previous"] else None
    satisfaction_help = (t("kpi.help.overall_satisfaction_segment" if sat["is_segment"] else "kpi.help.overall_satisfaction",
                           wave=sat["wave"], n=sat["n_valid"]) if sat["wave"] else t("kpi.no_wave"))
    return [
        KpiCard(t("kpi.revenue"), format_money(k["revenue"], lang), percent_delta(k["revenue_growth"]), t("kpi.help.revenue")),
        KpiCard(t("kpi.volume"), format_number(k["volume"], lang), percent_delta(k["volume_growth"]), t("kpi.help.volume")),
        KpiCard(t("kpi.revenue_growth"), format_percent(k["revenue_growth"], signed=True),
                points_delta(k["revenue_growth"], c["revenue_growth"]), t("kpi.help.revenue_growth")),
        KpiCard(t("kpi.target_completion"), format_percent(k["target_completion"]),
                points_delta(k["target_completion"], c["target_completion"]), t("kpi.help.target_completion")),
        KpiCard(t("kpi.active_key_accounts"), f"{k['active_key_accounts']:,}",
                f"{k['active_key_accounts'] - c['active_key_accounts']:+,}", t("kpi.help.active_key_accounts")),
        KpiCard(t("kpi.repeat_purchase_rate"), format_percent(k["repeat_purchase_rate"]),
                points_delta(k["repeat_purchase_rate"], c["repeat_purchase_rate"]), t("kpi.help.repeat_purchase_rate")),
        KpiCard(t("kpi.overall_satisfaction"), "—" if sat["overall_index"] is None else f"{sat['overall_index']:.1f}",
                None if sat["overall_index"] is None or previous_sat is None else format_points(sat["overall_index"] - previous_sat),
                satisfaction_help),
    ]


def render_trend_and_segments(data: OverviewPage) -> None:
    """Monthly revenue against the comparison period, then revenue by industry and by region."""
    k, lang = data.kpis, language()
    render_chart(charts.build_monthly_revenue_figure(
        data.monthly, data.monthly_comparison, growth=k["revenue_growth"], total=k["revenue"], lang=lang))
    left, right = st.columns(2)
    with left:
        render_chart(charts.build_segment_revenue_figure(data.by_industry, title_key="chart.by_industry.title", lang=lang))
    with right:
        render_chart(charts.build_segment_revenue_figure(data.by_region, title_key="chart.by_region.title", lang=lang))


def render_top_accounts(data: OverviewPage, filters) -> None:
    """The ten largest accounts of the period: chart and table."""
    top = data.top_accounts
    render_chart(charts.build_top_accounts_figure(top, top10_share=data.kpis["top10_share"], lang=language()))
    st.subheader(t("overview.top10_table"))
    table = top[["account_id", "account_name", "abc_class", "industry", "region", "owner", "revenue", "comparison_revenue", "share", "growth"]]
    render_download_table(
        table.assign(share=table["share"] * 100, growth=table["growth"].astype(float) * 100),
        file_name=f"top10_{filters.start}_{filters.end}.csv",
        column_config={
            "account_id": columns.account_id(), "account_name": columns.account_name(), "abc_class": columns.text("col.abc_class"),
            "industry": columns.text("col.industry"), "region": columns.text("col.region"), "owner": columns.owner(),
            "revenue": columns.money(), "comparison_revenue": columns.money("col.comparison_revenue"),
            "share": st.column_config.NumberColumn(t("col.share"), format="%.1f%%"),
            "growth": st.column_config.NumberColumn(t("col.growth"), format="%+.1f%%"),
        },
    )


ensure_router()
render_page()
