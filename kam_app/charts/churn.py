"""Figure builders of the Churn risk page: band distribution, calibration, feature
importance and one account's health-score waterfall. Small frames in, a Plotly figure whose title states
the finding out; None when there is nothing to draw. Pure plotly, no streamlit."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from kam_app.theme import COMPARISON, NEGATIVE, POSITIVE, PRIMARY, register_template
from kam_metrics.churn.results import BacktestCard
from kam_metrics.churn.scoring import COMPONENTS, feature_label
from kam_metrics.i18n import t

register_template()

BAND_COLORS = {"red": NEGATIVE, "amber": "#D4A72C", "green": POSITIVE}


def build_band_figure(bands: pd.DataFrame, *, lang: str) -> go.Figure | None:
    """Accounts per band (red, amber, green); the title counts the red and amber ones."""
    if bands.empty or not bands["count_accounts"].sum():
        return None
    counts = dict(zip(bands["band"], bands["count_accounts"]))
    fig = go.Figure(go.Bar(
        x=[t(f"churn.band.{b}", lang) for b in bands["band"]],
        y=bands["count_accounts"],
        marker_color=[BAND_COLORS[b] for b in bands["band"]],
        text=bands["count_accounts"], textposition="outside", cliponaxis=False,
    ))
    fig.update_layout(title=t("chart.churn_bands.title", lang, red=counts.get("red", 0), amber=counts.get("amber", 0)),
                      yaxis_title=t("chart.churn_bands.axis", lang), height=340, showlegend=False)
    return fig


def build_calibration_figure(card: BacktestCard | None, *, lang: str) -> go.Figure | None:
    """Predicted probability against the observed churn rate per probability bin of the back-test."""
    if card is None or card.calibration is None or card.calibration.empty:
        return None
    bins = card.calibration
    fig = go.Figure()
    fig.add_scatter(x=[0, 1], y=[0, 1], mode="lines", line={"color": COMPARISON, "dash": "dash"},
                    name=t("chart.churn_calibration.ideal", lang))
    fig.add_scatter(x=bins["mean_probability"], y=bins["churn_rate"], mode="lines+markers+text",
                    marker={"size": [8 + min(20, n ** 0.5 * 2) for n in bins["n"]], "color": PRIMARY},
                    text=[f"n={n}" for n in bins["n"]], textposition="top center",
                    name=t("chart.churn_calibration.model", lang))
    brier = "—" if card.brier is None else f"{card.brier:.3f}"
    fig.update_layout(title=t("chart.churn_calibration.title", lang, brier=brier),
                      xaxis={"title": t("chart.churn_calibration.x", lang), "range": [0, 1], "tickformat": ".0%"},
                      yaxis={"title": t("chart.churn_calibration.y", lang), "range": [0, 1.05], "tickformat": ".0%"},
                      height=400, legend={"x": 0.02, "y": 0.98, "xanchor": "left", "yanchor": "top",
                                          "bgcolor": "rgba(255,255,255,0.8)"})
    return fig


def build_importance_figure(importance: pd.DataFrame | None, *, lang: str, top: int = 12) -> go.Figure | None:
    """The model's standardised coefficients, largest magnitude first; red raises churn, green lowers it."""
    if importance is None or importance.empty:
        return None
    rows = importance.head(top)
    fig = go.Figure(go.Bar(
        x=rows["coefficient"], y=[feature_label(f, lang) for f in rows["feature"]], orientation="h",
        marker_color=[NEGATIVE if c > 0 else POSITIVE for c in rows["coefficient"]],
    ))
    fig.update_layout(title=t("chart.churn_importance.title", lang, feature=feature_label(rows["feature"].iloc[0], lang)),
                      xaxis_title=t("chart.churn_importance.axis", lang), yaxis={"autorange": "reversed", "automargin": True},
                      height=max(300, 80 + 26 * len(rows)), showlegend=False)
    return fig


def waterfall_parts(row: dict, weights: dict[str, float]) -> list[tuple[str, float | None]]:
    """(component, contribution in points) for the waterfall: normalised weight × score for each component
    with data (they add up to the health score), None for a component without data."""
    present = {c: row[c] for c in COMPONENTS if row.get(c) is not None and not pd.isna(row[c]) and weights.get(c, 0) > 0}
    total = sum(weights[c] for c in present)
    return [(c, (weights[c] / total * float(present[c])) if c in present and total else None) for c in COMPONENTS]


def build_waterfall_figure(row: dict, weights: dict[str, float], *, lang: str) -> go.Figure | None:
    """One account's health score as the sum of its components' contributions (normalised weight × score)."""
    if row.get("health_score") is None or pd.isna(row["health_score"]):
        return None
    parts = waterfall_parts(row, weights)
    labels = [t(f"churn.component.{c}", lang) + ("" if v is not None else " " + t("chart.churn_waterfall.no_data", lang))
              for c, v in parts]
    values = [0.0 if v is None else v for _, v in parts]
    fig = go.Figure(go.Waterfall(
        x=labels + [t("chart.churn_waterfall.total", lang)],
        y=values + [float(row["health_score"])],
        measure=["relative"] * len(values) + ["total"],
        text=[("—" if v is None else f"{v:.1f}") for _, v in parts] + [f"{float(row['health_score']):.1f}"],
        textposition="outside",
        increasing={"marker": {"color": PRIMARY}}, totals={"marker": {"color": BAND_COLORS.get(row.get("band"), PRIMARY)}},
        connector={"line": {"color": COMPARISON}},
    ))
    fig.update_layout(
        title=t("chart.churn_waterfall.title", lang, name=row.get("account_name") or row["account_id"],
                score=f"{float(row['health_score']):.1f}", band=t(f"churn.band.{row['band']}", lang)),
        yaxis={"title": t("chart.churn_waterfall.axis", lang), "range": [0, 112]},
        height=400, showlegend=False,
    )
    return fig
