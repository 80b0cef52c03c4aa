"""Churn-risk pieces shown on other pages: the risk section of Account 360 and the churn block
of the Settings page. Data through kam_app.data.churn; texts from kam_metrics.i18n.catalogue.churn."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from kam_app.charts import churn as charts_churn
from kam_app.data import cache
from kam_app.data import churn as loaders_churn
from kam_app.state import language, t
from kam_app.widgets.components import KpiCard, render_chart, render_kpi_cards
from kam_metrics.churn.scoring import COMPONENTS, method_label
from kam_metrics.i18n import format_money, format_percent


def band_label(band) -> str:
    return t(f"churn.band.{band}") if isinstance(band, str) and band else t("churn.band.none")


def render_account_risk(account_id: str, filters) -> None:
    """Account 360: the account's health score, band, churn probability, revenue at risk, its top reasons
    and the waterfall of its health-score components, as of the latest order date up to the period end."""
    lang = language()
    st.subheader(t("churn.a360.heading"))
    risk = loaders_churn.load_account_risk(account_id, filters.end)
    if risk is None:
        st.info(t("churn.a360.not_scored"), icon="ℹ️")
        return
    row = risk.row
    score = row["health_score"]
    render_kpi_cards([
        KpiCard(t("churn.col.health_score"), "—" if score is None or pd.isna(score) else f"{float(score):.1f}"),
        KpiCard(t("churn.col.band"), band_label(row["band"])),
        KpiCard(t("churn.col.probability"), format_percent(row["probability"]), None, method_label(risk.method, lang)),
        KpiCard(t("churn.col.revenue_at_risk"), format_money(row["revenue_at_risk"], lang)),
    ])
    reasons = row["reasons_zh"] if lang == "zh" else row["reasons_en"]
    st.markdown(t("churn.a360.reasons", reasons=reasons) if reasons else t("churn.a360.no_reasons"))
    render_chart(charts_churn.build_waterfall_figure(row, risk.weights, lang=lang), t("churn.a360.not_scored"))


def render_churn_settings() -> None:
    """Settings: the health-score weights and the alert probability (admins edit, others read)."""
    from kam_app import auth
    from kam_metrics.access.policy import PermissionDenied

    if not cache.db_path().exists():
        return
    st.subheader(t("churn.settings.heading"))
    st.caption(t("churn.settings.caption"))
    current = loaders_churn.load_churn_settings()
    locked = not auth.can("edit_settings")
    if locked:
        st.caption(t("access.read_only", role=t("access.role.admin")))
    columns = st.columns(4)
    weights = {}
    for i, component in enumerate(COMPONENTS):
        weights[component] = columns[i % 4].number_input(
            t(f"churn.component.{component}"), min_value=0.0, max_value=10.0, step=0.05,
            value=float(current["weights"].get(component, 0.0)), key=f"churn_w_{component}", disabled=locked)
    alert = st.slider(t("churn.settings.alert"), min_value=0.05, max_value=0.95, step=0.05,
                      value=float(current["alert"]), key="churn_alert", disabled=locked)
    if locked or not st.button(t("churn.settings.save"), key="churn_settings_save", icon=":material/save:"):
        return
    if any(w < 0 for w in weights.values()) or not any(w > 0 for w in weights.values()):
        st.error(t("churn.settings.invalid"), icon="⚠️")
        return
    try:
        actor = auth.require_action("edit_settings")  # checked again before writing
    except PermissionDenied as denied:
        auth.show_denied(denied)
        return
    loaders_churn.save_churn_settings(weights, alert, actor)
    st.success(t("churn.settings.saved"), icon="✅")
