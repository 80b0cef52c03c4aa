"""Figure builders: small, already-aggregated frames in, a Plotly figure whose title states the finding out.

Pure plotly (no streamlit), so the report export can reuse them. Every builder returns None when there
is nothing to draw; the page then shows its empty state.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from kam_app.theme import ABC_COLORS, COMPARISON, NEGATIVE, PALETTE, POSITIVE, PRIMARY, register_template
from kam_metrics.i18n import format_money, format_month, format_number, format_percent, money_unit, t

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


def _ranked_bars_figure(frame: pd.DataFrame, label_column: str, *, title: str, lang: str, height: int) -> go.Figure:
    """Horizontal bars of ``frame``'s revenue (largest on top), each labelled with money and share."""
    ordered = frame.iloc[::-1]
    divisor, unit = money_unit(frame["revenue"].max(), lang)
    fig = go.Figure(
        go.Bar(
            x=ordered["revenue"] / divisor,
            y=ordered[label_column],
            orientation="h",
            marker_color=PRIMARY,
            text=[f"{format_money(v, lang)} · {format_percent(s)}" for v, s in zip(ordered["revenue"], ordered["share"])],
            textposition="auto",
            hovertemplate="%{y}: %{text}<extra></extra>",
        )
    )
    fig.update_layout(
        title=title, xaxis_title=t("chart.revenue_axis", lang, unit=unit), height=height, yaxis={"automargin": True}
    )
    return fig


def build_top_accounts_figure(top: pd.DataFrame, *, top10_share: float | None, lang: str) -> go.Figure | None:
    """Horizontal bars of the top accounts, largest on top."""
    if top.empty:
        return None
    title = t("chart.top10.title", lang, share=format_percent(top10_share), name=top["account_name"].iloc[0])
    return _ranked_bars_figure(top, "account_name", title=title, lang=lang, height=460)


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


# --- Sales, Accounts, Account 360, Team ----------------------------------------------------------------

_CODED_DIMENSIONS = {"scale": "scale", "tenure_band": "tenure", "abc_class": "abc"}


def segment_label(dimension: str, value, lang: str) -> str:
    """The display label of a segment value: translated codes (大型, Class A), "(blank)" for ''."""
    if value is None or (isinstance(value, float) and pd.isna(value)) or value == "":
        return t("dim.none", lang)
    prefix = _CODED_DIMENSIONS.get(dimension)
    if prefix:
        key = f"{prefix}.{value}"
        from kam_metrics.i18n import CATALOGUE

        if key in CATALOGUE:
            return t(key, lang)
    return str(value)


def _period_label(value, grain: str, lang: str) -> str:
    if grain == "quarter":
        quarter = (value.month - 1) // 3 + 1
        return f"{value.year}年Q{quarter}" if lang == "zh" else f"Q{quarter} {value.year}"
    return format_month(value, lang)


def build_trend_figure(
    trend: pd.DataFrame,
    comparison: pd.DataFrame,
    *,
    measure: str,
    grain: str,
    growth: float | None,
    total: float,
    lang: str,
) -> go.Figure | None:
    """Bars for this period's months or quarters, a dotted line for the comparison period aligned by
    position. ``measure`` is 'revenue' or 'volume'."""
    if trend.empty:
        return None
    is_money = measure == "revenue"
    fmt = (lambda v: format_money(v, lang)) if is_money else (lambda v: format_number(v, lang))
    fields = {"measure": t(f"measure.{measure}", lang), "grain": t(f"chart.trend.grain.{grain}", lang), "total": fmt(total)}
    if growth is None:
        title = t("chart.trend.title_flat", lang, **fields)
    else:
        key = "chart.trend.title_up" if growth >= 0 else "chart.trend.title_down"
        title = t(key, lang, growth=format_percent(abs(growth)), **fields)
    labels = [_period_label(p, grain, lang) for p in trend["period_start"]]
    largest = max(trend[measure].max(), comparison[measure].max() if not comparison.empty else 0)
    divisor, unit = money_unit(largest, lang) if is_money else (1.0, "")
    fig = go.Figure()
    fig.add_bar(
        x=labels,
        y=trend[measure] / divisor,
        name=t("chart.monthly.this", lang),
        marker_color=PRIMARY,
        text=[fmt(v) for v in trend[measure]],
        textposition="outside",
        cliponaxis=False,
        hovertemplate="%{x}: %{text}<extra></extra>",
    )
    if not comparison.empty:
        aligned = comparison.iloc[: len(labels)]
        fig.add_scatter(
            x=labels[: len(aligned)],
            y=aligned[measure] / divisor,
            name=t("chart.monthly.comparison", lang),
            mode="lines+markers",
            line={"color": COMPARISON, "width": 3, "dash": "dot"},
            customdata=[f"{_period_label(p, grain, lang)}: {fmt(v)}" for p, v in zip(aligned["period_start"], aligned[measure])],
            hovertemplate="%{customdata}<extra></extra>",
        )
    y_title = t("chart.revenue_axis", lang, unit=unit) if is_money else t("chart.volume_axis", lang)
    fig.update_layout(title=title, xaxis_title=t(f"chart.trend.x.{grain}", lang), yaxis_title=y_title, height=440)
    return fig


def build_target_figure(
    frame: pd.DataFrame, *, dimension: str, title: str, lang: str, key_column: str = "key", target_column: str = "revenue_target"
) -> go.Figure | None:
    """Horizontal bars of actual revenue per key with the target as a black tick, largest on top."""
    frame = frame[(frame["revenue"] != 0) | frame[target_column].notna()]
    if frame.empty:
        return None
    ordered = frame.iloc[::-1]
    labels = [segment_label(dimension, k, lang) for k in ordered[key_column]]
    targets = [None if v is None or pd.isna(v) else float(v) for v in ordered[target_column]]
    largest = max(frame["revenue"].max(), max((v for v in targets if v is not None), default=0))
    divisor, unit = money_unit(largest, lang)
    completion = [None if tgt in (None, 0) else r / tgt for r, tgt in zip(ordered["revenue"], targets)]
    colors = [PRIMARY if c is None or c >= 1 else NEGATIVE for c in completion]
    fig = go.Figure()
    fig.add_bar(
        x=ordered["revenue"] / divisor,
        y=labels,
        orientation="h",
        name=t("chart.actual", lang),
        marker_color=colors,
        text=[
            f"{format_money(r, lang)}" + ("" if c is None else f" · {format_percent(c)}")
            for r, c in zip(ordered["revenue"], completion)
        ],
        textposition="outside",
        cliponaxis=False,
        customdata=list(ordered[key_column]),
        hovertemplate="%{y}: %{text}<extra></extra>",
    )
    if any(v is not None for v in targets):
        fig.add_scatter(
            x=[None if v is None else v / divisor for v in targets],
            y=labels,
            mode="markers",
            name=t("chart.target", lang),
            marker={"symbol": "line-ns", "size": 34, "line": {"width": 4, "color": "#1B2631"}},
            customdata=[format_money(v, lang) for v in targets],
            hovertemplate="%{y}: " + t("chart.target", lang) + " %{customdata}<extra></extra>",
        )
    fig.update_layout(
        title=title,
        xaxis_title=t("chart.revenue_axis", lang, unit=unit),
        height=max(340, 90 + 52 * len(frame)),
        yaxis={"automargin": True},
        xaxis={"range": [0, largest / divisor * 1.3]},  # room for the labels outside the bars
    )
    return fig


def target_title(frame: pd.DataFrame, *, dimension: str, level_label: str, lang: str) -> str:
    """"Owner targets: 4 of 6 met; 王强 is furthest behind (92.9 %)" for a compute_target_by frame."""
    with_target = frame[frame["completion"].notna()]
    if with_target.empty:
        return level_label
    worst = with_target.loc[with_target["completion"].astype(float).idxmin()]
    return t(
        "chart.targets.title",
        lang,
        level=level_label,
        met=int((with_target["completion"].astype(float) >= 1).sum()),
        total=len(with_target),
        worst=segment_label(dimension, worst["key"], lang),
        completion=format_percent(worst["completion"]),
    )


def build_bridge_figure(bridge: pd.DataFrame, *, dimension: str, lang: str) -> go.Figure | None:
    """A waterfall from the comparison total through each segment's change to this period's total."""
    if bridge.empty or (bridge["change"].abs().sum() == 0):
        return None
    first, last = bridge.iloc[0]["change"], bridge.iloc[-1]["change"]
    segments = bridge[bridge["kind"] == "segment"]
    if segments.empty:
        return None
    title = _bridge_title(segments, last - first, dimension=dimension, lang=lang)
    labels, measures = _bridge_steps(bridge, dimension=dimension, lang=lang)
    divisor, unit = money_unit(max(abs(first), abs(last)), lang)
    values = [None if m == "total" else v / divisor for v, m in zip(bridge["change"], measures)]
    texts = [
        format_money(v, lang) if m != "relative" else ("+" if v >= 0 else "") + format_money(v, lang)
        for v, m in zip(bridge["change"], measures)
    ]
    fig = go.Figure(
        go.Waterfall(
            x=labels,
            y=values,
            measure=measures,
            text=texts,
            textposition="outside",
            cliponaxis=False,
            connector={"line": {"color": "#BFC9D1"}},
            increasing={"marker": {"color": POSITIVE}},
            decreasing={"marker": {"color": NEGATIVE}},
            totals={"marker": {"color": PRIMARY}},
            hovertemplate="%{x}: %{text}<extra></extra>",
        )
    )
    # the totals dwarf the changes: zoom the axis onto the running totals so each change is visible
    levels = bridge["change"].iloc[:-1].cumsum().tolist() + [last]
    low, high = min(levels), max(levels)
    pad = max((high - low) * 0.35, abs(high) * 0.02)
    fig.update_layout(
        title=title,
        yaxis_title=t("chart.revenue_axis", lang, unit=unit),
        height=480,
        showlegend=False,
        yaxis={"range": [max(0.0, low - pad) / divisor, (high + pad) / divisor]},
    )
    return fig


def _bridge_title(segments: pd.DataFrame, change: float, *, dimension: str, lang: str) -> str:
    """The bridge's title: the total change and the segment that moved most in its direction."""
    if change >= 0:
        leader = segments.loc[segments["change"].idxmax()]
        key = "chart.bridge.title_up"
    else:
        leader = segments.loc[segments["change"].idxmin()]
        key = "chart.bridge.title_down"
    return t(
        key,
        lang,
        change=format_money(abs(change), lang),
        segment=segment_label(dimension, leader["segment"], lang),
        segment_change=("+" if leader["change"] >= 0 else "") + format_money(leader["change"], lang),
    )


def _bridge_steps(bridge: pd.DataFrame, *, dimension: str, lang: str) -> tuple[list[str], list[str]]:
    """Each bar's label and waterfall measure: the comparison total absolute, the current total a total,
    the segments and the remainder relative."""
    labels, measures = [], []
    for kind, segment in zip(bridge["kind"], bridge["segment"]):
        if kind in ("comparison", "current"):
            labels.append(t(f"chart.bridge.{kind}", lang))
            measures.append("absolute" if kind == "comparison" else "total")
        elif kind == "others":
            labels.append(t("chart.bridge.others", lang))
            measures.append("relative")
        else:
            labels.append(segment_label(dimension, segment, lang))
            measures.append("relative")
    return labels, measures


def build_breakdown_figure(frame: pd.DataFrame, *, dimension: str, lang: str) -> go.Figure | None:
    """Horizontal bars of revenue per segment (this period dark, comparison grey); the bars carry the
    raw segment value as customdata so a click can filter by it."""
    frame = frame[(frame["revenue"] != 0) | (frame["comparison_revenue"] != 0)]
    if frame.empty or frame["revenue"].sum() == 0:
        return None
    leader = frame.iloc[0]
    title = t(
        "chart.breakdown.title",
        lang,
        dimension=t(f"dim.{dimension}", lang),
        segment=segment_label(dimension, leader["segment"], lang),
        share=format_percent(leader["share"]),
    )
    ordered = frame.iloc[::-1]
    labels = [segment_label(dimension, s, lang) for s in ordered["segment"]]
    divisor, unit = money_unit(max(frame["revenue"].max(), frame["comparison_revenue"].max()), lang)
    fig = go.Figure()
    fig.add_bar(
        x=ordered["comparison_revenue"] / divisor,
        y=labels,
        orientation="h",
        name=t("chart.monthly.comparison", lang),
        marker_color=COMPARISON,
        customdata=list(ordered["segment"]),
        hovertext=[format_money(v, lang) for v in ordered["comparison_revenue"]],
        hovertemplate="%{y}: %{hovertext}<extra></extra>",
    )
    fig.add_bar(
        x=ordered["revenue"] / divisor,
        y=labels,
        orientation="h",
        name=t("chart.monthly.this", lang),
        marker_color=PRIMARY,
        customdata=list(ordered["segment"]),
        text=[
            f"{format_money(v, lang)} ({format_percent(g, signed=True)})"
            for v, g in zip(ordered["revenue"], ordered["growth"])
        ],
        textposition="auto",
        hovertemplate="%{y}: %{text}<extra></extra>",
    )
    fig.update_layout(
        title=title,
        barmode="group",
        bargap=0.25,
        xaxis_title=t("chart.revenue_axis", lang, unit=unit),
        height=max(340, 80 + 52 * len(frame)),
        yaxis={"automargin": True},
    )
    return fig


def build_margin_figure(trend: pd.DataFrame, *, margin: float | None, grain: str, lang: str) -> go.Figure | None:
    """Gross margin per month or quarter as a line; None when no line has a cost."""
    if trend.empty or margin is None or trend["gross_margin"].isna().all():
        return None
    known = trend[trend["gross_margin"].notna()]
    best = known.loc[known["gross_margin"].astype(float).idxmax()]
    title = t(
        "chart.margin.title",
        lang,
        margin=format_percent(margin),
        best=_period_label(best["period_start"], grain, lang),
        best_margin=format_percent(best["gross_margin"]),
    )
    labels = [_period_label(p, grain, lang) for p in known["period_start"]]
    values = [float(v) * 100 for v in known["gross_margin"]]
    fig = go.Figure(
        go.Scatter(
            x=labels,
            y=values,
            mode="lines+markers+text",
            line={"color": PRIMARY, "width": 3},
            text=[format_percent(v / 100) for v in values],
            textposition="top center",
            hovertemplate="%{x}: %{text}<extra></extra>",
        )
    )
    fig.update_layout(
        title=title,
        xaxis_title=t(f"chart.trend.x.{grain}", lang),
        yaxis_title=t("chart.margin_axis", lang),
        height=380,
        yaxis={"rangemode": "tozero"},
    )
    return fig


def build_pareto_figure(pareto: pd.DataFrame, abc_summary: pd.DataFrame, *, a_share: float, b_share: float, lang: str) -> go.Figure | None:
    """Cumulative share of 12-month revenue against the share of accounts, coloured by ABC class, with
    the A and B thresholds as dashed lines."""
    if pareto.empty:
        return None
    a_row = abc_summary[abc_summary["abc_class"] == "A"]
    n_a = int(a_row["count_accounts"].iloc[0]) if not a_row.empty else 0
    share_a = a_row["share_12m"].iloc[0] if not a_row.empty else None
    share_accounts = a_row["account_share"].iloc[0] if not a_row.empty else None
    title = t(
        "chart.pareto.title",
        lang,
        n_a=f"{n_a:,}",
        share_accounts=format_percent(share_accounts),
        share_a=format_percent(share_a),
    )
    fig = go.Figure()
    for cls in ("A", "B", "C"):
        part = pareto[pareto["abc_class"] == cls]
        if part.empty:
            continue
        fig.add_scatter(
            x=part["account_share"] * 100,
            y=part["cumulative_share"] * 100,
            mode="markers" if len(pareto) > 60 else "lines+markers",
            name=t(f"abc.{cls}", lang),
            marker={"color": ABC_COLORS[cls], "size": 8},
            line={"color": ABC_COLORS[cls], "width": 3},
            customdata=[f"{n} · {format_money(v, lang)}" for n, v in zip(part["account_name"], part["revenue_12m"])],
            hovertemplate="%{customdata}<br>%{y:.1f}%<extra></extra>",
        )
    for share in (a_share, b_share):
        fig.add_hline(
            y=share * 100,
            line={"dash": "dash", "color": "#5D6D7E", "width": 2},
            annotation_text=t("chart.pareto.line", lang, share=format_percent(share, decimals=0)),
            annotation_position="bottom right",
        )
    fig.update_layout(
        title=title,
        xaxis_title=t("chart.accounts_share_axis", lang),
        yaxis_title=t("chart.share_axis", lang),
        yaxis={"range": [0, 102]},
        xaxis={"range": [0, 101]},
        height=460,
    )
    return fig


def build_matrix_figure(
    matrix: pd.DataFrame, *, rows: str, columns: str, measure: str, lang: str
) -> go.Figure | None:
    """A heatmap of accounts (or revenue) by two attributes, the count written in each cell."""
    if matrix.empty:
        return None
    pivot = matrix.pivot_table(index="row_value", columns="column_value", values=measure, aggfunc="sum", fill_value=0)
    leader = matrix.loc[matrix["count_accounts"].idxmax()]
    title = t(
        "chart.matrix.title",
        lang,
        rows=t(f"dim.{rows}", lang),
        columns=t(f"dim.{columns}", lang),
        row=segment_label(rows, leader["row_value"], lang),
        column=segment_label(columns, leader["column_value"], lang),
        n=int(leader["count_accounts"]),
    )
    if measure == "revenue":
        divisor, unit = money_unit(float(pivot.values.max()), lang)
        texts = [[format_money(v, lang) for v in row] for row in pivot.values]
    else:
        divisor, unit = 1.0, ""
        texts = [[f"{int(v):,}" for v in row] for row in pivot.values]
    fig = go.Figure(
        go.Heatmap(
            z=pivot.values / divisor,
            x=[segment_label(columns, c, lang) for c in pivot.columns],
            y=[segment_label(rows, r, lang) for r in pivot.index],
            text=texts,
            texttemplate="%{text}",
            textfont={"size": 16},
            colorscale=[[0, "#F4F6F8"], [1, PRIMARY]],
            showscale=False,
            hovertemplate="%{y} · %{x}: %{text}<extra></extra>",
        )
    )
    fig.update_layout(
        title=title,
        xaxis_title=t(f"dim.{columns}", lang),
        yaxis_title=t(f"dim.{rows}", lang) + (f" ({unit})" if unit else ""),
        height=max(320, 110 + 48 * len(pivot.index)),
        yaxis={"automargin": True, "autorange": "reversed"},
    )
    return fig


def build_groups_figure(groups: pd.DataFrame, *, lang: str, limit: int = 15) -> go.Figure | None:
    """Horizontal bars of the largest groups' revenue with their share."""
    groups = groups[groups["revenue"] != 0].head(limit)
    if groups.empty:
        return None
    leader = groups.iloc[0]
    title = t("chart.groups.title", lang, group=leader["group_name"], share=format_percent(leader["share"]))
    return _ranked_bars_figure(groups, "group_name", title=title, lang=lang, height=max(320, 80 + 44 * len(groups)))


def build_account_trend_figure(this_year: pd.DataFrame, last_year: pd.DataFrame, *, lang: str) -> go.Figure | None:
    """An account's monthly revenue over the last 12 months (bars) against the 12 months before (line)."""
    if this_year.empty and last_year.empty:
        return None
    total, previous = float(this_year["revenue"].sum()), float(last_year["revenue"].sum())
    if previous == 0:
        title = t("chart.a360.title_flat", lang, total=format_money(total, lang))
    else:
        change = (total - previous) / previous
        key = "chart.a360.title_up" if change >= 0 else "chart.a360.title_down"
        title = t(key, lang, total=format_money(total, lang), growth=format_percent(abs(change)))
    divisor, unit = money_unit(max(this_year["revenue"].max() if not this_year.empty else 0,
                                   last_year["revenue"].max() if not last_year.empty else 0), lang)
    fig = go.Figure()
    fig.add_bar(
        x=[format_month(m, lang) for m in this_year["month"]],
        y=this_year["revenue"] / divisor,
        name=t("chart.a360.this", lang),
        marker_color=PRIMARY,
        text=[format_money(v, lang) for v in this_year["revenue"]],
        textposition="outside",
        cliponaxis=False,
        hovertemplate="%{x}: %{text}<extra></extra>",
    )
    if not last_year.empty:
        from kam_metrics.domain.filters import shift_years

        fig.add_scatter(
            x=[format_month(shift_years(m, 1), lang) for m in last_year["month"]],
            y=last_year["revenue"] / divisor,
            name=t("chart.a360.last", lang),
            mode="lines+markers",
            line={"color": COMPARISON, "width": 3, "dash": "dot"},
            customdata=[f"{format_month(m, lang)}: {format_money(v, lang)}" for m, v in zip(last_year["month"], last_year["revenue"])],
            hovertemplate="%{customdata}<extra></extra>",
        )
    fig.update_layout(
        title=title,
        xaxis_title=t("chart.monthly.x", lang),
        yaxis_title=t("chart.revenue_axis", lang, unit=unit),
        height=420,
        xaxis={"categoryorder": "array", "categoryarray": [format_month(m, lang) for m in this_year["month"]]},
    )
    return fig


def build_products_figure(products: pd.DataFrame, *, lang: str, limit: int = 12) -> go.Figure | None:
    """Horizontal bars of the products an account bought, largest on top."""
    products = products[products["revenue"] != 0].head(limit)
    if products.empty:
        return None
    names = [
        (p or t("dim.none", lang)) + (f" · {pl}" if pl else "") for p, pl in zip(products["product"], products["product_line"])
    ]
    leader = products.iloc[0]
    title = t("chart.products.title", lang, product=names[0], share=format_percent(leader["share"]))
    ordered_names = names[::-1]
    ordered = products.iloc[::-1]
    divisor, unit = money_unit(products["revenue"].max(), lang)
    fig = go.Figure(
        go.Bar(
            x=ordered["revenue"] / divisor,
            y=ordered_names,
            orientation="h",
            marker_color=PRIMARY,
            text=[f"{format_money(v, lang)} · {format_percent(s)}" for v, s in zip(ordered["revenue"], ordered["share"])],
            textposition="auto",
            hovertemplate="%{y}: %{text}<extra></extra>",
        )
    )
    fig.update_layout(
        title=title, xaxis_title=t("chart.revenue_axis", lang, unit=unit), height=max(320, 80 + 44 * len(products)),
        yaxis={"automargin": True},
    )
    return fig


def build_team_figure(team: pd.DataFrame, *, lang: str) -> go.Figure | None:
    """Revenue per account manager with the pro-rated target as a tick."""
    frame = team.rename(columns={"owner": "key"})
    if frame.empty or frame["revenue"].sum() == 0:
        return None
    leader = frame.iloc[0]
    with_target = frame[frame["target_completion"].notna()]
    if with_target.empty:
        title = t("chart.team.title_no_target", lang, top=leader["key"] or t("dim.none", lang), revenue=format_money(leader["revenue"], lang))
    else:
        title = t(
            "chart.team.title",
            lang,
            top=leader["key"] or t("dim.none", lang),
            revenue=format_money(leader["revenue"], lang),
            met=int((with_target["target_completion"].astype(float) >= 1).sum()),
            total=len(with_target),
        )
    return build_target_figure(frame, dimension="owner", title=title, lang=lang)


def build_contacts_figure(team: pd.DataFrame, *, lang: str) -> go.Figure | None:
    """Visits and calls per account manager in the period, grouped bars."""
    if team.empty or not bool(team["has_interactions"].any()):
        return None
    visits, calls = int(team["count_visits"].sum()), int(team["count_calls"].sum())
    leader = team.loc[team["count_visits"].astype(float).idxmax()]
    title = t("chart.contacts.title", lang, visits=f"{visits:,}", calls=f"{calls:,}", top=leader["owner"] or t("dim.none", lang))
    labels = [o or t("dim.none", lang) for o in team["owner"]]
    fig = go.Figure()
    fig.add_bar(x=labels, y=team["count_visits"], name=t("col.count_visits", lang), marker_color=PRIMARY,
                text=[f"{int(v)}" for v in team["count_visits"]], textposition="outside", cliponaxis=False)
    fig.add_bar(x=labels, y=team["count_calls"], name=t("col.count_calls", lang), marker_color=PALETTE[1],
                text=[f"{int(v)}" for v in team["count_calls"]], textposition="outside", cliponaxis=False)
    fig.update_layout(title=title, barmode="group", xaxis_title=t("dim.owner", lang), yaxis_title=t("chart.count_axis", lang), height=400)
    return fig
