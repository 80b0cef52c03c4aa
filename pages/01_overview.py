"""总览 Overview: the headline KPIs against the comparison period, the monthly trend, the top-10 accounts
and revenue by industry and region."""

from __future__ import annotations

import streamlit as st

from kam_app.charts import sales as charts
from kam_app.data import sales as loaders
from kam_app.state import ensure_router, language, t
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
    lang = language()
    filters = start_page("overview.heading")
    if filters is None:
        return
    with st.spinner(t("loading")):
        data = loaders.load_overview(filters)
    k, c = data["kpis"], data["kpis"]["comparison"]
    sat = data["satisfaction"]
    previous_sat = sat["previous"]["overall_index"] if sat["previous"] else None
    cards = [
        KpiCard(
            t("kpi.revenue"),
            format_money(k["revenue"], lang),
            percent_delta(k["revenue_growth"]),
            t("kpi.help.revenue"),
        ),
        KpiCard(
            t("kpi.volume"),
            format_number(k["volume"], lang),
            percent_delta(k["volume_growth"]),
            t("kpi.help.volume"),
        ),
        KpiCard(
            t("kpi.revenue_growth"),
            format_percent(k["revenue_growth"], signed=True),
            points_delta(k["revenue_growth"], c["revenue_growth"]),
            t("kpi.help.revenue_growth"),
        ),
        KpiCard(
            t("kpi.target_completion"),
            format_percent(k["target_completion"]),
            points_delta(k["target_completion"], c["target_completion"]),
            t("kpi.help.target_completion"),
        ),
        KpiCard(
            t("kpi.active_key_accounts"),
            f"{k['active_key_accounts']:,}",
            f"{k['active_key_accounts'] - c['active_key_accounts']:+,}",
            t("kpi.help.active_key_accounts"),
        ),
        KpiCard(
            t("kpi.repeat_purchase_rate"),
            format_percent(k["repeat_purchase_rate"]),
            points_delta(k["repeat_purchase_rate"], c["repeat_purchase_rate"]),
            t("kpi.help.repeat_purchase_rate"),
        ),
        KpiCard(
            t("kpi.overall_satisfaction"),
            "—" if sat["overall_index"] is None else f"{sat['overall_index']:.1f}",
            None
            if sat["overall_index"] is None or previous_sat is None
            else format_points(sat["overall_index"] - previous_sat),
            t("kpi.help.overall_satisfaction_segment" if sat["is_segment"] else "kpi.help.overall_satisfaction",
              wave=sat["wave"], n=sat["n_valid"])
            if sat["wave"]
            else t("kpi.no_wave"),
        ),
    ]
    render_kpi_cards(cards, per_row=4)
    if k["target_completion"] is None:
        st.caption(t("kpi.no_target"))
    elif k["target_is_prorated"]:
        st.caption(t("kpi.target_prorated", level=t(f"level.{k['target_level']}")))

    if k["orders"] == 0:
        st.info(t("empty.period"), icon="ℹ️")
        return

    render_chart(
        charts.build_monthly_revenue_figure(
            data["monthly"], data["monthly_comparison"], growth=k["revenue_growth"], total=k["revenue"], lang=lang
        )
    )
    left, right = st.columns(2)
    with left:
        render_chart(charts.build_segment_revenue_figure(data["by_industry"], title_key="chart.by_industry.title", lang=lang))
    with right:
        render_chart(charts.build_segment_revenue_figure(data["by_region"], title_key="chart.by_region.title", lang=lang))

    top = data["top_accounts"]
    render_chart(charts.build_top_accounts_figure(top, top10_share=k["top10_share"], lang=lang))
    st.subheader(t("overview.top10_table"))
    table = top[["account_id", "account_name", "abc_class", "industry", "region", "owner", "revenue", "comparison_revenue", "share", "growth"]]
    render_download_table(
        table.assign(share=table["share"] * 100, growth=table["growth"].astype(float) * 100),
        file_name=f"top10_{filters.start}_{filters.end}.csv",
        column_config={
            "account_id": st.column_config.TextColumn(t("col.account_id")),
            "account_name": st.column_config.TextColumn(t("col.account_name")),
            "abc_class": st.column_config.TextColumn(t("col.abc_class")),
            "industry": st.column_config.TextColumn(t("col.industry")),
            "region": st.column_config.TextColumn(t("col.region")),
            "owner": st.column_config.TextColumn(t("col.owner")),
            "revenue": st.column_config.NumberColumn(t("col.revenue"), format="¥%,.0f"),
            "comparison_revenue": st.column_config.NumberColumn(t("col.comparison_revenue"), format="¥%,.0f"),
            "share": st.column_config.NumberColumn(t("col.share"), format="%.1f%%"),
            "growth": st.column_config.NumberColumn(t("col.growth"), format="%+.1f%%"),
        },
    )


ensure_router()
render_page()
