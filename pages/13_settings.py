"""设置 Settings: the targets editor (a data editor with validation; targets can also be imported).
Weights, thresholds and users join this page in later issues."""

from __future__ import annotations

import streamlit as st

from kam_app import loaders
from kam_app.state import ensure_router, t
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


ensure_router()
render_page()
