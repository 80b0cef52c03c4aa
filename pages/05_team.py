"""团队 Team: per account manager revenue against the pro-rated target, growth, accounts by ABC class,
repeat purchase rate, and visits and calls when interactions exist."""

from __future__ import annotations

import streamlit as st

from kam_app.charts import sales as charts
from kam_app.data import sales as loaders
from kam_app.state import ensure_router, language, t
from kam_app.widgets.components import render_chart, render_download_table, render_drill_chart, start_page
from kam_metrics.metrics.sales import target_applies


def render_page() -> None:
    lang = language()
    filters = start_page("team.heading")
    if filters is None:
        return
    with st.spinner(t("loading")):
        team = loaders.load_team(filters)
    if team.empty:
        st.info(t("chart.team.empty"), icon="ℹ️")
        return
    render_drill_chart(
        charts.build_team_figure(team, lang=lang), key="team_chart", filter_key="f_owner", empty_message=t("empty.period")
    )
    if not target_applies(filters, "owner"):
        st.caption(t("team.target_not_comparable"))
    elif bool(team["is_prorated"].any()):
        st.caption(t("sales.target_prorated"))
    if bool(team["has_interactions"].any()):
        render_chart(charts.build_contacts_figure(team, lang=lang), t("team.no_interactions"))
    else:
        st.info(t("team.no_interactions"), icon="ℹ️")
    st.subheader(t("team.table"))
    columns = [
        "owner", "revenue", "revenue_target", "target_completion", "comparison_revenue", "growth", "count_accounts",
        "count_a", "count_b", "count_c", "count_active_accounts", "repeat_purchase_rate", "count_orders",
        "count_visits", "count_calls",
    ]
    table = team.assign(
        owner=[o or t("dim.none") for o in team["owner"]],
        target_completion=[None if v is None else v * 100 for v in team["target_completion"]],
        growth=[None if v is None else v * 100 for v in team["growth"]],
        repeat_purchase_rate=[None if v is None else v * 100 for v in team["repeat_purchase_rate"]],
    )[columns]
    render_download_table(
        table,
        file_name=f"team_{filters.start}_{filters.end}.csv",
        column_config={
            "owner": st.column_config.TextColumn(t("col.owner")),
            "revenue": st.column_config.NumberColumn(t("col.revenue"), format="¥%,.0f"),
            "revenue_target": st.column_config.NumberColumn(t("col.target"), format="¥%,.0f"),
            "target_completion": st.column_config.NumberColumn(t("col.completion"), format="%.1f%%"),
            "comparison_revenue": st.column_config.NumberColumn(t("col.comparison_revenue"), format="¥%,.0f"),
            "growth": st.column_config.NumberColumn(t("col.growth"), format="%+.1f%%"),
            "count_accounts": st.column_config.NumberColumn(t("col.count_accounts"), format="%d"),
            "count_a": st.column_config.NumberColumn(t("col.count_a"), format="%d"),
            "count_b": st.column_config.NumberColumn(t("col.count_b"), format="%d"),
            "count_c": st.column_config.NumberColumn(t("col.count_c"), format="%d"),
            "count_active_accounts": st.column_config.NumberColumn(t("col.count_active_accounts"), format="%d"),
            "repeat_purchase_rate": st.column_config.NumberColumn(t("col.repeat_purchase_rate"), format="%.1f%%"),
            "count_orders": st.column_config.NumberColumn(t("col.count_orders"), format="%d"),
            "count_visits": st.column_config.NumberColumn(t("col.count_visits"), format="%d"),
            "count_calls": st.column_config.NumberColumn(t("col.count_calls"), format="%d"),
        },
    )

    render_team_pipeline(filters)


def render_team_pipeline(filters) -> None:
    """Open, weighted and won pipeline per account manager (kam_metrics.metrics.pipeline)."""
    from kam_app.data import operations as loaders_operations

    st.subheader(t("team.pipeline"))
    pipeline = loaders_operations.load_team_pipeline(filters)
    if pipeline.empty:
        st.info(t("team.pipeline_empty"), icon="ℹ️")
        return
    render_download_table(
        pipeline.assign(
            owner=[o or t("dim.none") for o in pipeline["owner"]],
            win_rate=[None if v is None else v * 100 for v in pipeline["win_rate"]],
        )[["owner", "count_open", "amount_open", "weighted_pipeline", "count_won", "count_lost", "win_rate", "amount_won", "count_stale"]],
        file_name=f"team_pipeline_{filters.start}_{filters.end}.csv",
        column_config={
            "owner": st.column_config.TextColumn(t("col.owner")),
            "count_open": st.column_config.NumberColumn(t("col.count_open"), format="%d"),
            "amount_open": st.column_config.NumberColumn(t("col.amount_open"), format="¥%,.0f"),
            "weighted_pipeline": st.column_config.NumberColumn(t("col.weighted_pipeline"), format="¥%,.0f"),
            "count_won": st.column_config.NumberColumn(t("col.count_won"), format="%d"),
            "count_lost": st.column_config.NumberColumn(t("col.count_lost"), format="%d"),
            "win_rate": st.column_config.NumberColumn(t("col.win_rate"), format="%.1f%%"),
            "amount_won": st.column_config.NumberColumn(t("col.amount_won"), format="¥%,.0f"),
            "count_stale": st.column_config.NumberColumn(t("col.count_stale"), format="%d"),
        },
    )


ensure_router()
render_page()
