"""Settings page sections for the thresholds of the projects, service and pipeline pages (docs/kpis.md),
stored in the database's settings table and read by every page and the command line at once."""

from __future__ import annotations

import streamlit as st

from kam_app import auth
from kam_app.data import satisfaction as loaders_satisfaction
from kam_app.state import t
from kam_metrics.access.policy import PermissionDenied

# setting key -> (label key, minimum, maximum, step, whole number?)
OPERATIONS_FIELDS = {
    "sla_hours": ("ops.settings.sla_hours", 1.0, 720.0, 1.0, False),
    "cadence_call_days": ("ops.settings.cadence_call_days", 1, 365, 1, True),
    "cadence_visit_days": ("ops.settings.cadence_visit_days", 1, 730, 1, True),
    "project_behind_points": ("ops.settings.project_behind_points", 0.0, 100.0, 1.0, False),
    "stale_opportunity_days": ("ops.settings.stale_opportunity_days", 1, 730, 1, True),
}


def render_operations_settings() -> None:
    """SLA hours, contact cadence, the project 'behind' margin and the stale-opportunity age."""
    data = loaders_satisfaction.load_satisfaction_settings()
    if data is None:
        return
    st.subheader(t("ops.settings.heading"))
    st.caption(t("ops.settings.help"))
    settings = data["settings"]
    locked = not auth.can("edit_settings")
    if locked:
        st.caption(t("access.read_only", role=t("access.role.admin")))
    columns = st.columns(len(OPERATIONS_FIELDS))
    values = {}
    for column, (key, (label, low, high, step, whole)) in zip(columns, OPERATIONS_FIELDS.items()):
        value = int(settings[key]) if whole else float(settings[key])
        values[key] = column.number_input(t(label), min_value=low, max_value=high, step=step, value=value,
                                          key=f"ops_set_{key}", disabled=locked)
    if locked or not st.button(t("ops.settings.save"), key="ops_set_save", icon=":material/save:"):
        return
    try:
        actor = auth.require_action("edit_settings")  # checked again before writing
    except PermissionDenied as denied:
        auth.show_denied(denied)
        return
    stored = {key: (int(v) if OPERATIONS_FIELDS[key][4] else float(v)) for key, v in values.items()}
    loaders_satisfaction.save_satisfaction_settings(stored, actor)
    st.success(t("ops.settings.saved"), icon="✅")
