"""One Plotly template, ``kam``, used by every chart: fonts that render Chinese, projector-sized text,
a restrained palette where the brand colour marks "this period" and grey marks the comparison."""

from __future__ import annotations

import plotly.graph_objects as go
import plotly.io as pio

FONT_FAMILY = (
    '"Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", '
    '"WenQuanYi Micro Hei", sans-serif'
)
PRIMARY = "#1F4E79"
COMPARISON = "#A6B4C2"
POSITIVE = "#2E7D32"
NEGATIVE = "#C62828"
PALETTE = ["#1F4E79", "#E07B39", "#4C9A8A", "#B5446E", "#8C7AA9", "#D4A72C", "#5B8DB8", "#7F7F7F"]
ABC_COLORS = {"A": "#1F4E79", "B": "#5B8DB8", "C": "#A6B4C2"}

TEMPLATE_NAME = "kam"


def register_template() -> None:
    """Register ``kam`` and make it Plotly's default (idempotent)."""
    if TEMPLATE_NAME in pio.templates:
        pio.templates.default = TEMPLATE_NAME
        return
    template = go.layout.Template(
        layout=go.Layout(
            font={"family": FONT_FAMILY, "size": 15, "color": "#1B2631"},
            title={"font": {"size": 19, "color": "#1B2631"}, "x": 0, "xanchor": "left"},
            colorway=PALETTE,
            paper_bgcolor="white",
            plot_bgcolor="white",
            margin={"l": 10, "r": 10, "t": 60, "b": 10},
            xaxis={
                "showgrid": False,
                "linecolor": "#BFC9D1",
                "ticks": "outside",
                "tickcolor": "#BFC9D1",
                "automargin": True,
            },
            yaxis={"gridcolor": "#E5E9EE", "zerolinecolor": "#BFC9D1", "automargin": True},
            legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "xanchor": "right", "x": 1},
            hoverlabel={"font": {"family": FONT_FAMILY, "size": 14}},
            separators=".,",
        )
    )
    pio.templates[TEMPLATE_NAME] = template
    pio.templates.default = TEMPLATE_NAME
