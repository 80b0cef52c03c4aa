"""销售业绩 Sales: revenue and volume against the comparison period and against target, what drove the
change, revenue by segment and gross margin (docs/kpis.md#sales-performance)."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
import streamlit as st

from kam_app.charts import sales as charts
from kam_app.data import sales as loaders
from kam_app.sections import forecast as forecast_sections
from kam_app.state import ensure_router, language, t
from kam_app.widgets.components import (
    KpiCard,
    percent_delta,
    points_delta,
    render_chart,
    render_download_table,
    render_drill_chart,
    render_kpi_cards,
    start_page,
)
from kam_metrics.i18n import format_money, format_number, format_percent

BREAKDOWNS = ("industry", "region", "owner", "product_line", "channel", "scale", "tenure_band", "abc_class")
#: the sidebar filter a click on a segment sets (product line and channel have none)
DRILL_FILTERS = {
    "industry": "f_industry",
    "scale": "f_scale",
    "tenure_band": "f_tenure",
    "region": "f_region",
    "owner": "f_owner",
    "abc_class": "f_abc",
}
TARGET_LEVELS = loaders.TARGET_LEVELS


def render_cards(k: dict, intervals: dict, lang: str) -> None:
    c = k["comparison"]
    render_kpi_cards(
        [
            KpiCard(t("kpi.revenue"), format_money(k["revenue"], lang), percent_delta(k["revenue_growth"]), t("kpi.help.revenue")),
            KpiCard(t("kpi.volume"), format_number(k["volume"], lang), percent_delta(k["volume_growth"]), t("kpi.help.volume")),
            KpiCard(t("kpi.orders"), f"{k['orders']:,}", f"{k['orders'] - c['orders']:+,}", t("kpi.help.orders")),
            KpiCard(
                t("kpi.active_accounts"),
                f"{k['active_accounts']:,}",
                f"{k['active_accounts'] - c['active_accounts']:+,}",
                t("kpi.help.active_accounts"),
            ),
            KpiCard(
                t("kpi.target_completion"),
                format_percent(k["target_completion"]),
                points_delta(k["target_completion"], c["target_completion"]),
                t("kpi.help.target_completion"),
            ),
            KpiCard(
                t("kpi.gross_margin"),
                format_percent(k["gross_margin"]),
                points_delta(k["gross_margin"], c["gross_margin"]),
                t("kpi.help.gross_margin"),
            ),
            KpiCard(
                t("kpi.purchase_frequency"),
                "—" if k["purchase_frequency"] is None else f"{k['purchase_frequency']:.2f}",
                None,
                t("kpi.help.purchase_frequency"),
            ),
            KpiCard(
                t("kpi.mean_days_between_orders"),
                "—" if intervals["mean_days_between_orders"] is None else f"{intervals['mean_days_between_orders']:.1f}",
                None,
                t("kpi.help.mean_days_between_orders"),
            ),
        ]
    )
    if k["target_completion"] is None:
        st.caption(t("kpi.no_target"))
    elif k["target_is_prorated"]:
        st.caption(t("kpi.target_prorated", level=t(f"level.{k['target_level']}")))


def render_targets(targets: Mapping[str, pd.DataFrame], filters, lang: str) -> None:
    from kam_metrics.metrics.sales import target_applies

    st.subheader(t("sales.targets"))
    tabs = st.tabs([t(f"dim.{level}") for level in TARGET_LEVELS])
    for tab, level in zip(tabs, TARGET_LEVELS):
        with tab:
            frame = targets[level]
            level_label = t(f"dim.{level}")
            if not target_applies(filters, level):
                st.info(t("chart.targets.not_comparable", level=level_label), icon="ℹ️")
                continue
            if frame["revenue_target"].notna().sum() == 0:
                st.info(t("chart.targets.empty", level=level_label, code=level), icon="ℹ️")
                continue
            title = charts.target_title(frame, dimension=level, level_label=level_label, lang=lang)
            render_chart(charts.build_target_figure(frame, dimension=level, title=title, lang=lang))
            if bool(frame["is_prorated"].any()):
                st.caption(t("sales.target_prorated"))
            table = frame[["key", "revenue", "revenue_target", "completion", "gap", "is_prorated"]]
            render_download_table(
                table.assign(completion=[None if v is None else v * 100 for v in table["completion"]]),
                file_name=f"targets_{level}_{filters.start}_{filters.end}.csv",
                column_config={
                    "key": st.column_config.TextColumn(level_label),
                    "revenue": st.column_config.NumberColumn(t("col.revenue"), format="¥%,.0f"),
                    "revenue_target": st.column_config.NumberColumn(t("col.target"), format="¥%,.0f"),
                    "completion": st.column_config.NumberColumn(t("col.completion"), format="%.1f%%"),
                    "gap": st.column_config.NumberColumn(t("col.gap"), format="%+,.0f"),
                    "is_prorated": st.column_config.CheckboxColumn(t("col.is_prorated")),
                },
            )


def render_segments(filters, lang: str) -> None:
    st.subheader(t("sales.bridge"))
    dimension = st.selectbox(
        t("sales.breakdown_dimension"), BREAKDOWNS, format_func=lambda d: t(f"dim.{d}"), key="sales_dimension"
    )
    data = loaders.load_breakdown(filters, dimension)
    render_chart(
        charts.build_bridge_figure(data.bridge, dimension=dimension, lang=lang), t("chart.bridge.empty")
    )
    st.subheader(t("sales.breakdown"))
    frame = data.breakdown
    render_drill_chart(
        charts.build_breakdown_figure(frame, dimension=dimension, lang=lang),
        key=f"sales_breakdown_{dimension}",
        filter_key=DRILL_FILTERS.get(dimension),
        empty_message=t("empty.period"),
    )
    table = frame.assign(
        segment=[charts.segment_label(dimension, s, lang) for s in frame["segment"]],
        share=[None if v is None else v * 100 for v in frame["share"]],
        growth=[None if v is None else v * 100 for v in frame["growth"]],
    )
    render_download_table(
        table,
        file_name=f"revenue_by_{dimension}_{filters.start}_{filters.end}.csv",
        column_config={
            "segment": st.column_config.TextColumn(t(f"dim.{dimension}")),
            "revenue": st.column_config.NumberColumn(t("col.revenue"), format="¥%,.0f"),
            "comparison_revenue": st.column_config.NumberColumn(t("col.comparison_revenue"), format="¥%,.0f"),
            "share": st.column_config.NumberColumn(t("col.share"), format="%.1f%%"),
            "growth": st.column_config.NumberColumn(t("col.growth"), format="%+.1f%%"),
        },
    )


def render_page() -> None:
    lang = language()
    filters = start_page("sales.heading")
    if filters is None:
        return
    left, right = st.columns(2)
    grain = left.radio(
        t("sales.trend_grain"), ("month", "quarter"), format_func=lambda g: t(f"grain.{g}"), key="sales_grain", horizontal=True
    )
    measure = right.radio(
        t("sales.trend_measure"), ("revenue", "volume"), format_func=lambda m: t(f"measure.{m}"), key="sales_measure", horizontal=True
    )
    with st.spinner(t("loading")):
        data = loaders.load_sales_page(filters, grain)
    k = data.kpis
    render_cards(k, data.intervals, lang)
    if k["orders"] == 0:
        st.info(t("empty.period"), icon="ℹ️")
        return
    render_chart(
        charts.build_trend_figure(
            data.trend,
            data.trend_comparison,
            measure=measure,
            grain=grain,
            growth=k["revenue_growth"] if measure == "revenue" else k["volume_growth"],
            total=k[measure],
            lang=lang,
        ),
        t("empty.period"),
    )
    render_targets(data.targets, filters, lang)
    forecast_sections.render_sales_forecast(filters)
    render_segments(filters, lang)
    render_chart(
        charts.build_margin_figure(data.trend, margin=k["gross_margin"], grain=grain, lang=lang),
        t("chart.margin.empty"),
    )


ensure_router()
render_page()
