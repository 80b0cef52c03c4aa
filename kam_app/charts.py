"""Figure builders: small, already-aggregated frames in, a Plotly figure whose title states the finding out.

Pure plotly (no streamlit), so the report export can reuse them. Every builder returns None when there
is nothing to draw; the page then shows its empty state.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from kam_metrics.i18n import format_money, format_month, format_percent, money_unit, t

from kam_app.theme import COMPARISON, PRIMARY, register_template

register_template()


def build_monthly_revenue_figure(
    monthly: pd.DataFrame, comparison: pd.DataFrame, *, growth: float | None, total: float, lang: str
) -> go.Figure | None:
    """Bars for this period's months, a line for the comparison period's months aligned by position."""
    if monthly.empty:
        return None
    if growth is None:
        title = t("chart.monthly.title_flat", lang, total=format_money(total, lang))
    else:
        key = "chart.monthly.title_up" if growth >= 0 else "chart.monthly.title_down"
        title = t(key, lang, total=format_money(total, lang), growth=format_percent(abs(growth)))
    labels = [format_month(m, lang) for m in monthly["month"]]
    largest = max(monthly["revenue"].max(), comparison["revenue"].max() if not comparison.empty else 0)
    divisor, unit = money_unit(largest, lang)
    fig = go.Figure()
    fig.add_bar(
        x=labels,
        y=monthly["revenue"] / divisor,
        name=t("chart.monthly.this", lang),
        marker_color=PRIMARY,
        text=[format_money(v, lang) for v in monthly["revenue"]],
        textposition="outside",
        cliponaxis=False,
        hovertemplate="%{x}: %{text}<extra></extra>",
    )
    if not comparison.empty:
        aligned = comparison.iloc[: len(labels)]
        fig.add_scatter(
            x=labels[: len(aligned)],
            y=aligned["revenue"] / divisor,
            name=t("chart.monthly.comparison", lang),
            mode="lines+markers",
            line={"color": COMPARISON, "width": 3, "dash": "dot"},
            customdata=[f"{format_month(m, lang)}: {format_money(v, lang)}" for m, v in zip(aligned["month"], aligned["revenue"])],
            hovertemplate="%{customdata}<extra></extra>",
        )
    fig.update_layout(
        title=title,
        xaxis_title=t("chart.monthly.x", lang),
        yaxis_title=t("chart.revenue_axis", lang, unit=unit),
        height=420,
    )
    return fig


def build_top_accounts_figure(top: pd.DataFrame, *, top10_share: float | None, lang: str) -> go.Figure | None:
    """Horizontal bars of the top accounts, largest on top."""
    if top.empty:
        return None
    title = t("chart.top10.title", lang, share=format_percent(top10_share), name=top["account_name"].iloc[0])
    ordered = top.iloc[::-1]
    divisor, unit = money_unit(top["revenue"].max(), lang)
    fig = go.Figure(
        go.Bar(
            x=ordered["revenue"] / divisor,
            y=ordered["account_name"],
            orientation="h",
            marker_color=PRIMARY,
            text=[f"{format_money(v, lang)} · {format_percent(s)}" for v, s in zip(ordered["revenue"], ordered["share"])],
            textposition="auto",
            hovertemplate="%{y}: %{text}<extra></extra>",
        )
    )
    fig.update_layout(
        title=title, xaxis_title=t("chart.revenue_axis", lang, unit=unit), height=460, yaxis={"automargin": True}
    )
    return fig


def build_segment_revenue_figure(frame: pd.DataFrame, *, title_key: str, lang: str) -> go.Figure | None:
    """Horizontal bars of revenue per segment with the comparison period as a thin grey bar."""
    frame = frame[frame["revenue"] != 0]
    if frame.empty:
        return None
    leader = frame.iloc[0]
    title = t(title_key, lang, segment=leader["segment"] or "—", share=format_percent(leader["share"]))
    ordered = frame.iloc[::-1]
    divisor, unit = money_unit(max(frame["revenue"].max(), frame["comparison_revenue"].max()), lang)
    fig = go.Figure()
    fig.add_bar(
        x=ordered["comparison_revenue"] / divisor,
        y=ordered["segment"],
        orientation="h",
        name=t("chart.monthly.comparison", lang),
        marker_color=COMPARISON,
        customdata=[format_money(v, lang) for v in ordered["comparison_revenue"]],
        hovertemplate="%{y}: %{customdata}<extra></extra>",
    )
    fig.add_bar(
        x=ordered["revenue"] / divisor,
        y=ordered["segment"],
        orientation="h",
        name=t("chart.monthly.this", lang),
        marker_color=PRIMARY,
        text=[f"{format_money(v, lang)} ({format_percent(g, signed=True)})" for v, g in zip(ordered["revenue"], ordered["growth"])],
        textposition="auto",
        hovertemplate="%{y}: %{text}<extra></extra>",
    )
    fig.update_layout(
        title=title,
        barmode="group",
        bargap=0.25,
        xaxis_title=t("chart.revenue_axis", lang, unit=unit),
        height=max(320, 70 + 48 * len(frame)),
        yaxis={"automargin": True},
    )
    return fig
