"""Figure builders of the Satisfaction page: small aggregated frames in, a figure whose title states the
finding out, or None when there is nothing to draw (the page then shows its empty state)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from kam_app.theme import COMPARISON, NEGATIVE, PALETTE, POSITIVE, PRIMARY, register_template
from kam_metrics.i18n import format_percent, t

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
    """Horizontal bars of dimension satisfaction (0-100) with each dimension's target as a marker and, when
    the frame has previous_satisfaction, the previous wave as a second marker."""
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
        textposition="inside", insidetextanchor="start",
    )
    fig.add_scatter(
        y=names[::-1], x=frame["target_index"][::-1], mode="markers", name=t("sat.chart.target", lang),
        marker={"symbol": "line-ns", "size": 26, "line": {"width": 3, "color": "#1B2631"}},
    )
    if "previous_satisfaction" in frame and frame["previous_satisfaction"].notna().any():
        fig.add_scatter(
            y=names[::-1], x=frame["previous_satisfaction"][::-1], mode="markers", name=t("sat.chart.previous", lang),
            marker={"symbol": "diamond", "size": 11, "color": "#7F8C8D", "line": {"width": 1, "color": "#FFFFFF"}},
            customdata=frame["gap_previous"][::-1],
            hovertemplate="%{x:.1f} (%{customdata:+.1f})<extra></extra>",
        )
    fig.update_layout(title=title, xaxis={"title": t("sat.chart.index_axis", lang), "range": [0, 100]},
                      height=max(280, 60 * len(frame) + 120))
    return fig


# Label positions tried in turn, with the offset of the label box from its point in pixels as
# (left, right, bottom, top) given the label's width w and height h.
_LABEL_SLOTS = {
    "top center": lambda w, h: (-w / 2, w / 2, 9, 9 + h),
    "bottom center": lambda w, h: (-w / 2, w / 2, -9 - h, -9),
    "middle right": lambda w, h: (10, 10 + w, -h / 2, h / 2),
    "middle left": lambda w, h: (-10 - w, -10, -h / 2, h / 2),
    "top right": lambda w, h: (4, 4 + w, 6, 6 + h),
    "top left": lambda w, h: (-4 - w, -4, 6, 6 + h),
    "bottom right": lambda w, h: (4, 4 + w, -6 - h, -6),
    "bottom left": lambda w, h: (-4 - w, -4, -6 - h, -6),
}


def _label_width(text: str) -> float:
    """Rough rendered width in pixels at the chart font size: CJK glyphs are about twice as wide."""
    return sum(13.0 if ord(ch) > 0x2E80 else 7.0 for ch in text)


def place_labels(xs: list[float], ys: list[float], labels: list[str], *, x_range: tuple[float, float],
                 y_range: tuple[float, float], width_px: float = 1100, height_px: float = 330) -> list[str]:
    """A Plotly textposition per point such that labels overlap neither each other nor the markers, where
    possible (greedy, left to right; a point with no free slot takes the slot with the least overlap)."""
    sx = width_px / ((x_range[1] - x_range[0]) or 1)
    sy = height_px / ((y_range[1] - y_range[0]) or 1)
    points = [((x - x_range[0]) * sx, (y - y_range[0]) * sy) for x, y in zip(xs, ys)]
    boxes: list[tuple[float, float, float, float]] = [(px - 7, px + 7, py - 7, py + 7) for px, py in points]

    def overlap(a, b) -> float:
        return max(0.0, min(a[1], b[1]) - max(a[0], b[0])) * max(0.0, min(a[3], b[3]) - max(a[2], b[2]))

    chosen: list[str | None] = [None] * len(points)
    for i in sorted(range(len(points)), key=lambda k: points[k]):
        px, py = points[i]
        w, h = _label_width(labels[i]), 16.0
        best, best_cost = "top center", float("inf")
        for name, offsets in _LABEL_SLOTS.items():
            left, right, bottom, top = offsets(w, h)
            box = (px + left, px + right, py + bottom, py + top)
            cost = sum(overlap(box, other) for j, other in enumerate(boxes) if j != i)
            if cost < best_cost:
                best, best_cost = name, cost
                if cost == 0:
                    break
        chosen[i] = best
        left, right, bottom, top = _LABEL_SLOTS[best](w, h)
        boxes.append((px + left, px + right, py + bottom, py + top))
    return [c or "top center" for c in chosen]


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
    x0, x1 = frame["importance"].min(), frame["importance"].max()
    y0, y1 = frame["satisfaction"].min(), frame["satisfaction"].max()
    pad_x, pad_y = max((x1 - x0) * 0.15, 0.05), max((y1 - y0) * 0.15, 2)
    # labels placed so that neighbours do not overlap
    placed = place_labels(frame["importance"].tolist(), frame["satisfaction"].tolist(),
                          [item_label(r, lang) for r in frame.to_dict("records")],
                          x_range=(x0 - pad_x * 1.2, x1 + pad_x * 1.2), y_range=(y0 - pad_y * 1.4, y1 + pad_y * 1.4))
    positions = dict(zip(frame.index, placed))
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
    """Response and validity rate per wave (lines, %), waves oldest first; missing rates left as gaps, the
    response line left out when no wave has one (under an account filter)."""
    if history.empty:
        return None
    last = history.iloc[-1]
    has_response = history["response_rate"].notna().any()  # none under an account filter (sent is per wave)
    if has_response:
        title = t("sat.chart.waves.title", lang, response=format_percent(last["response_rate"]),
                  validity=format_percent(last["validity_rate"]))
    else:
        title = t("sat.chart.waves.title_no_response", lang, validity=format_percent(last["validity_rate"]))
    fig = go.Figure()
    lines = (("response_rate", "sat.col.response_rate", PRIMARY), ("validity_rate", "sat.col.validity_rate", PALETTE[2]))
    for column, key, color in lines[0 if has_response else 1:]:
        values = [None if pd.isna(v) else v * 100 for v in history[column]]
        fig.add_scatter(x=history["wave"], y=values, mode="lines+markers+text", name=t(key, lang),
                        text=[format_percent(None if v is None else v / 100) for v in values], textposition="top center",
                        line={"color": color, "width": 3}, marker={"size": 9})
    fig.update_layout(title=title, height=360, xaxis={"title": t("sat.chart.wave_axis", lang), "type": "category"},
                      yaxis={"title": t("sat.chart.rate_axis", lang), "range": [0, 110], "ticksuffix": "%"})
    return fig
