"""Figure builders of the Satisfaction page: small aggregated frames in, a figure whose title states the
finding out, or None when there is nothing to draw (the page then shows its empty state)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from kam_metrics.i18n import format_percent, t

from kam_app.theme import COMPARISON, NEGATIVE, PALETTE, POSITIVE, PRIMARY, register_template

register_template()

LIKERT_COLORS = {1: "#B2182B", 2: "#EF8A62", 3: "#BFC9D1", 4: "#67A9CF", 5: "#2166AC"}
QUADRANT_COLORS = {"fix_first": NEGATIVE, "keep_up": POSITIVE, "low_priority": COMPARISON, "overkill": PALETTE[1]}


def item_label(row, lang: str) -> str:
    """The item's label in ``lang`` (falling back to the other language, then the code)."""
    first, second = ("label_zh", "label_en") if lang == "zh" else ("label_en", "label_zh")
    for column in (first, second):
        value = getattr(row, column, None) if not isinstance(row, dict) else row.get(column)
        if isinstance(value, str) and value.strip():
            return value
    return row["item_code"] if isinstance(row, dict) else row.item_code


def build_dimension_figure(dimensions: pd.DataFrame, *, lang: str) -> go.Figure | None:
    """Horizontal bars of dimension satisfaction (0-100) with each dimension's target as a marker."""
    if dimensions.empty:
        return None
    frame = dimensions.sort_values("satisfaction", ascending=False)
    names = [f"{t(f'sat.dim.{d}', lang)} (n={n})" for d, n in zip(frame["dimension"], frame["n"])]
    weakest = frame.iloc[-1]
    weakest_name = t(f"sat.dim.{weakest['dimension']}", lang)
    if weakest["gap_target"] < 0:
        title = t("sat.chart.dim.title", lang, weakest=weakest_name, score=f"{weakest['satisfaction']:.1f}",
                  gap=f"{abs(weakest['gap_target']):.1f}")
    else:
        title = t("sat.chart.dim.title_ok", lang, weakest=weakest_name, score=f"{weakest['satisfaction']:.1f}")
    fig = go.Figure()
    fig.add_bar(
        y=names[::-1], x=frame["satisfaction"][::-1], orientation="h", name=t("sat.chart.score", lang),
        marker_color=[NEGATIVE if g < 0 else PRIMARY for g in frame["gap_target"][::-1]],
        text=[f"{s:.1f}" for s in frame["satisfaction"][::-1]],
        textposition="inside", insidetextanchor="end",
    )
    fig.add_scatter(
        y=names[::-1], x=frame["target_index"][::-1], mode="markers", name=t("sat.chart.target", lang),
        marker={"symbol": "line-ns", "size": 26, "line": {"width": 3, "color": "#1B2631"}},
    )
    fig.update_layout(title=title, xaxis={"title": t("sat.chart.index_axis", lang), "range": [0, 100]},
                      height=max(280, 60 * len(frame) + 120))
    return fig


def build_ipa_figure(items: pd.DataFrame, *, lang: str) -> go.Figure | None:
    """Importance-performance scatter: derived importance (x) against satisfaction (y), split at the
    means, quadrants labelled in ``lang``."""
    frame = items.dropna(subset=["importance"])
    if len(frame) < 2:
        return None
    fix = frame[frame["quadrant"] == "fix_first"]
    fix_names = [item_label(r, lang) for r in fix.to_dict("records")]
    if fix_names:
        title = t("sat.chart.ipa.title", lang, n=len(fix_names), items="、".join(fix_names[:3]) if lang == "zh" else ", ".join(fix_names[:3]))
    else:
        title = t("sat.chart.ipa.title_none", lang)
    imp_mid, sat_mid = frame["importance"].mean(), frame["satisfaction"].mean()
    # alternate labels above and below the points in satisfaction order so neighbours do not overlap
    order = frame["satisfaction"].rank(method="first").astype(int)
    positions = {i: ("top center" if rank % 2 else "bottom center") for i, rank in order.items()}
    fig = go.Figure()
    for quadrant, color in QUADRANT_COLORS.items():
        part = frame[frame["quadrant"] == quadrant]
        if part.empty:
            continue
        fig.add_scatter(
            x=part["importance"], y=part["satisfaction"], mode="markers+text", name=t(f"sat.quadrant.{quadrant}", lang),
            text=[item_label(r, lang) for r in part.to_dict("records")], textposition=[positions[i] for i in part.index],
            marker={"size": 13, "color": color},
            customdata=part["n"], hovertemplate="%{text}: %{y:.1f}, r=%{x:.2f}, n=%{customdata}<extra></extra>",
        )
    fig.add_vline(x=imp_mid, line={"dash": "dot", "color": "#7F7F7F"})
    fig.add_hline(y=sat_mid, line={"dash": "dot", "color": "#7F7F7F"})
    x0, x1 = frame["importance"].min(), frame["importance"].max()
    y0, y1 = frame["satisfaction"].min(), frame["satisfaction"].max()
    pad_x, pad_y = max((x1 - x0) * 0.15, 0.05), max((y1 - y0) * 0.15, 2)
    corners = {"fix_first": (x1 + pad_x, y0 - pad_y, "right", "bottom"), "keep_up": (x1 + pad_x, y1 + pad_y, "right", "top"),
               "low_priority": (x0 - pad_x, y0 - pad_y, "left", "bottom"), "overkill": (x0 - pad_x, y1 + pad_y, "left", "top")}
    for quadrant, (x, y, xanchor, yanchor) in corners.items():
        fig.add_annotation(x=x, y=y, text=f"<b>{t(f'sat.quadrant.{quadrant}', lang)}</b>", showarrow=False,
                           xanchor=xanchor, yanchor=yanchor, font={"color": QUADRANT_COLORS[quadrant], "size": 14})
    fig.update_layout(
        title=title, height=480,
        xaxis={"title": t("sat.chart.importance_axis", lang), "range": [x0 - pad_x * 1.2, x1 + pad_x * 1.2], "showgrid": True, "gridcolor": "#E5E9EE"},
        yaxis={"title": t("sat.chart.index_axis", lang), "range": [y0 - pad_y * 1.4, y1 + pad_y * 1.4]},
    )
    return fig


def build_likert_figure(likert: pd.DataFrame, items: pd.DataFrame, *, lang: str) -> go.Figure | None:
    """Diverging stacked bars per item: 1-2 to the left of zero, 4-5 to the right, 3 split around zero;
    shares of the item's answers in %."""
    likert = likert[likert["item_code"].isin(items["item_code"])]  # index items (overall items are outcomes)
    if likert.empty:
        return None
    labels = {r["item_code"]: item_label(r, lang) for r in items.to_dict("records")}
    table = likert.pivot_table(index="item_code", columns="score", values="count_answers", aggfunc="sum", fill_value=0)
    table = table.reindex(columns=[1, 2, 3, 4, 5], fill_value=0)
    shares = table.div(table.sum(axis=1), axis=0) * 100
    shares = shares.assign(_net=shares[4] + shares[5] - shares[1] - shares[2]).sort_values("_net")
    worst = (shares[1] + shares[2]).idxmax()
    title = t("sat.chart.likert.title", lang, item=labels.get(worst, worst), share=format_percent((shares.loc[worst, 1] + shares.loc[worst, 2]) / 100))
    names = [labels.get(code, code) for code in shares.index]
    fig = go.Figure()
    segments = [(3, -0.5), (2, -1), (1, -1), (3, 0.5), (4, 1), (5, 1)]
    shown = set()
    for score, sign in segments:
        values = shares[score] * abs(sign) * (1 if sign > 0 else -1)
        fig.add_bar(
            y=names, x=values, orientation="h", name=t(f"sat.likert.{score}", lang), marker_color=LIKERT_COLORS[score],
            legendgroup=str(score), showlegend=score not in shown, legendrank=score,
            customdata=shares[score], hovertemplate="%{y}: %{customdata:.1f}%<extra>" + t(f"sat.likert.{score}", lang) + "</extra>",
        )
        shown.add(score)
    fig.update_layout(
        title=title, barmode="relative", height=max(320, 34 * len(names) + 160),
        xaxis={"title": t("sat.chart.share_axis", lang), "ticksuffix": "%", "zeroline": True, "zerolinecolor": "#1B2631"},
        legend={"traceorder": "normal", "y": -0.12, "yanchor": "top", "x": 0, "xanchor": "left"},
        margin={"b": 80},
    )
    return fig


def build_waves_figure(history: pd.DataFrame, *, lang: str) -> go.Figure | None:
    """Response and validity rate per wave (lines, %), waves oldest first; missing rates left as gaps."""
    if history.empty:
        return None
    last = history.iloc[-1]
    title = t("sat.chart.waves.title", lang, response=format_percent(last["response_rate"]),
              validity=format_percent(last["validity_rate"]))
    fig = go.Figure()
    for column, key, color in (("response_rate", "sat.col.response_rate", PRIMARY), ("validity_rate", "sat.col.validity_rate", PALETTE[2])):
        values = [None if pd.isna(v) else v * 100 for v in history[column]]
        fig.add_scatter(x=history["wave"], y=values, mode="lines+markers+text", name=t(key, lang),
                        text=[format_percent(None if v is None else v / 100) for v in values], textposition="top center",
                        line={"color": color, "width": 3}, marker={"size": 9})
    fig.update_layout(title=title, height=360, xaxis={"title": t("sat.chart.wave_axis", lang), "type": "category"},
                      yaxis={"title": t("sat.chart.rate_axis", lang), "range": [0, 110], "ticksuffix": "%"})
    return fig
