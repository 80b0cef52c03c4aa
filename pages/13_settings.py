"""设置 Settings: the targets editor (a data editor with validation; targets can also be imported) and the
satisfaction settings (blank rules, thresholds, survey-item dimensions, weights and targets).
Users join this page in a later issue."""

from __future__ import annotations

import streamlit as st

from kam_app import loaders
from kam_app import loaders_satisfaction
from kam_app.state import ensure_router, t
from kam_metrics.satisfaction import SurveyItemsInvalid
from kam_metrics.store import SURVEY_DIMENSIONS
from kam_metrics.targets import TARGET_LEVELS, TargetsInvalid


def render_page() -> None:
    st.title(t("settings.heading"))
    st.subheader(t("targets.heading"))
    targets = loaders.load_targets()
    if targets is None:
        st.info(t("db.missing"), icon="ℹ️")
        return
    st.caption(t("targets.help"))
    if targets.empty:
        st.info(t("targets.empty"), icon="ℹ️")
    edited = st.data_editor(
        targets,
        num_rows="dynamic",
        width="stretch",
        hide_index=True,
        key="targets_editor",
        column_config={
            "period": st.column_config.TextColumn(t("targets.col.period"), help=t("targets.col.period_help"), required=True),
            "level": st.column_config.SelectboxColumn(
                t("targets.col.level"), options=list(TARGET_LEVELS), required=True, help=t("targets.col.level_help")
            ),
            "key": st.column_config.TextColumn(t("targets.col.key"), help=t("targets.col.key_help")),
            "revenue_target": st.column_config.NumberColumn(t("targets.col.revenue_target"), min_value=0.0, format="%,.2f"),
            "volume_target": st.column_config.NumberColumn(t("targets.col.volume_target"), min_value=0.0, format="%,.2f"),
        },
    )
    if st.button(t("targets.save"), type="primary", icon=":material/save:"):
        try:
            counts = loaders.save_targets(edited)
        except TargetsInvalid as exc:
            lines = [
                t("targets.problem", row=p.row, column=t(f"targets.col.{p.column}"), message=t(p.message_key, **p.fields))
                for p in exc.problems
            ]
            st.error(t("targets.invalid") + "\n\n" + "\n".join(f"- {line}" for line in lines), icon="⚠️")
        else:
            st.success(t("targets.saved", **counts), icon="✅")
    render_satisfaction_settings()


def render_satisfaction_settings() -> None:
    """Blank rules, thresholds and survey items; stored in the database and used everywhere at once."""
    data = loaders_satisfaction.load_satisfaction_settings()
    if data is None:
        return
    st.subheader(t("sat.settings.heading"))
    st.caption(t("sat.settings.help"))
    s = data["settings"]
    left, right = st.columns(2)
    impute = left.number_input(t("sat.settings.impute"), min_value=1, max_value=5, step=1,
                               value=int(s["survey_blank_impute_score"]), key="sat_set_impute")
    max_blanks = right.number_input(t("sat.settings.max_blanks"), min_value=0, max_value=20, step=1,
                                    value=int(s["survey_max_imputed_blanks"]), key="sat_set_max_blanks")
    satisfied_index = left.number_input(t("sat.settings.satisfied_index"), min_value=0.0, max_value=100.0, step=0.5,
                                        value=float(s["satisfied_index"]), key="sat_set_satisfied_index")
    rate_target = right.number_input(t("sat.settings.satisfied_rate_target"), min_value=0.0, max_value=100.0, step=1.0,
                                     value=float(s["satisfied_rate_target"]) * 100, key="sat_set_rate_target")
    target_index = left.number_input(t("sat.settings.target_index"), min_value=0.0, max_value=100.0, step=1.0,
                                     value=float(s["target_index"]), key="sat_set_target_index")
    if st.button(t("sat.settings.save"), key="sat_set_save", icon=":material/save:"):
        loaders_satisfaction.save_satisfaction_settings({
            "survey_blank_impute_score": int(impute),
            "survey_max_imputed_blanks": int(max_blanks),
            "satisfied_index": float(satisfied_index),
            "satisfied_rate_target": float(rate_target) / 100,
            "target_index": float(target_index),
        })
        st.success(t("sat.settings.saved"), icon="✅")

    st.markdown(f"**{t('sat.settings.items')}**")
    items = data["items"]
    if items.empty:
        st.info(t("sat.settings.items_empty"), icon="ℹ️")
        return
    edited = st.data_editor(
        items, width="stretch", hide_index=True, key="sat_items_editor",
        disabled=["item_code", "label_zh", "label_en", "scale_min", "scale_max"],
        column_config={
            "item_code": st.column_config.TextColumn(t("sat.col.item_code")),
            "dimension": st.column_config.SelectboxColumn(t("sat.col.dimension"), options=list(SURVEY_DIMENSIONS), required=True),
            "weight": st.column_config.NumberColumn(t("sat.col.weight"), min_value=0.0, format="%.2f", required=True),
            "target_index": st.column_config.NumberColumn(t("sat.col.target"), min_value=0.0, max_value=100.0, format="%.0f"),
        },
    )
    if st.button(t("sat.settings.items_save"), key="sat_items_save", icon=":material/save:"):
        try:
            count = loaders_satisfaction.save_survey_items(edited)
        except SurveyItemsInvalid as exc:
            st.error(t("sat.settings.items_invalid", problem=str(exc)), icon="⚠️")
        else:
            st.success(t("sat.settings.items_saved", n=count), icon="✅")


ensure_router()
render_page()
