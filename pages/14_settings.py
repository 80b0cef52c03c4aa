"""设置 Settings: the targets editor (a data editor with validation; targets can also be imported) and the
satisfaction settings (blank rules, thresholds, survey-item dimensions, weights and targets); for admins,
the users and the audit log. Each section is editable only by the roles kam_metrics.access.policy allows, and
each save handler checks the role again before writing (a viewer calling the page gets no action)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from kam_app import auth
from kam_app.data import records as loaders_records
from kam_app.data import sales as loaders
from kam_app.data import satisfaction as loaders_satisfaction
from kam_app.sections.churn import render_churn_settings
from kam_app.sections.settings_forms import render_operations_settings
from kam_app.state import ensure_router, t
from kam_app.widgets.components import render_download_table
from kam_metrics.access.policy import PermissionDenied, escape_markdown
from kam_metrics.access.users import MIN_PASSWORD_LENGTH, UserError
from kam_metrics.domain.enums import ROLES
from kam_metrics.metrics.satisfaction import SurveyItemsInvalid
from kam_metrics.records.targets import TARGET_LEVELS, TargetsInvalid
from kam_metrics.store.connection import SURVEY_DIMENSIONS


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
    if not auth.can("edit_targets"):
        st.caption(t("access.read_only", role=t("access.role.editor")))
        st.dataframe(targets, width="stretch", hide_index=True)
        render_satisfaction_settings()
        render_operations_settings()
        render_churn_settings()
        render_access_sections()
        return
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
    if st.button(t("targets.save"), type="primary", icon=":material/save:", key="targets_save"):
        try:
            actor = auth.require_action("edit_targets")  # checked again here, not only by hiding the editor
            counts = loaders.save_targets(edited, actor)
        except PermissionDenied as denied:
            auth.show_denied(denied)
        except TargetsInvalid as exc:
            lines = [
                t("targets.problem", row=p.row, column=t(f"targets.col.{p.column}"), message=t(p.message_key, **p.fields))
                for p in exc.problems
            ]
            st.error(t("targets.invalid") + "\n\n" + "\n".join(f"- {line}" for line in lines), icon="⚠️")
        else:
            st.success(t("targets.saved", **counts), icon="✅")
    render_satisfaction_settings()
    render_operations_settings()
    render_churn_settings()
    render_access_sections()


def render_satisfaction_settings() -> None:
    """Blank rules, thresholds and survey items; stored in the database and used everywhere at once."""
    data = loaders_satisfaction.load_satisfaction_settings()
    if data is None:
        return
    st.subheader(t("sat.settings.heading"))
    st.caption(t("sat.settings.help"))
    if not render_satisfaction_rules(data["settings"]):
        return
    render_survey_items(data["items"], float(data["settings"]["target_index"]))


def render_satisfaction_rules(s: dict) -> bool:
    """The blank rules and thresholds with their save button (read only without the right to edit
    settings); False when a save was refused, after saying so, and nothing more is drawn."""
    locked = not auth.can("edit_settings")
    if locked:
        st.caption(t("access.read_only", role=t("access.role.admin")))
    left, right = st.columns(2)
    impute = left.number_input(t("sat.settings.impute"), min_value=1, max_value=5, step=1,
                               value=int(s["survey_blank_impute_score"]), key="sat_set_impute", disabled=locked)
    max_blanks = right.number_input(t("sat.settings.max_blanks"), min_value=0, max_value=20, step=1,
                                    value=int(s["survey_max_imputed_blanks"]), key="sat_set_max_blanks", disabled=locked)
    satisfied_index = left.number_input(t("sat.settings.satisfied_index"), min_value=0.0, max_value=100.0, step=0.5,
                                        value=float(s["satisfied_index"]), key="sat_set_satisfied_index", disabled=locked)
    rate_target = right.number_input(t("sat.settings.satisfied_rate_target"), min_value=0.0, max_value=100.0, step=1.0,
                                     value=float(s["satisfied_rate_target"]) * 100, key="sat_set_rate_target", disabled=locked)
    target_index = left.number_input(t("sat.settings.target_index"), min_value=0.0, max_value=100.0, step=1.0,
                                     value=float(s["target_index"]), key="sat_set_target_index", disabled=locked)
    if not locked and st.button(t("sat.settings.save"), key="sat_set_save", icon=":material/save:"):
        try:
            actor = auth.require_action("edit_settings")  # checked again before writing
        except PermissionDenied as denied:
            auth.show_denied(denied)
            return False
        values = {
            "survey_blank_impute_score": int(impute),
            "survey_max_imputed_blanks": int(max_blanks),
            "satisfied_index": float(satisfied_index),
            "satisfied_rate_target": float(rate_target) / 100,
            "target_index": float(target_index),
        }
        loaders_satisfaction.save_satisfaction_settings(values, actor)
        st.success(t("sat.settings.saved"), icon="✅")
    return True


def render_survey_items(items, default_target: float) -> None:
    """The survey items: a table for a viewer, an editor with its save button for who may edit them."""
    st.markdown(f"**{t('sat.settings.items')}**")
    if items.empty:
        st.info(t("sat.settings.items_empty"), icon="ℹ️")
        return
    columns = _survey_item_columns(default_target)
    if not auth.can("edit_survey_items"):
        st.dataframe(items, width="stretch", hide_index=True, column_config=columns)
        return
    edited = st.data_editor(
        items, width="stretch", hide_index=True, key="sat_items_editor",
        disabled=["item_code", "label_zh", "label_en", "scale_min", "scale_max"], column_config=columns,
    )
    if st.button(t("sat.settings.items_save"), key="sat_items_save", icon=":material/save:"):
        try:
            actor = auth.require_action("edit_survey_items")
            count = loaders_satisfaction.save_survey_items(edited, actor)
        except PermissionDenied as denied:
            auth.show_denied(denied)
        except SurveyItemsInvalid as exc:
            st.error(t("sat.settings.items_invalid", problem=t(exc.key, **exc.fields)), icon="⚠️")
        else:
            st.success(t("sat.settings.items_saved", n=count), icon="✅")


def _survey_item_columns(default_target: float) -> dict:
    """Column labels in the user's language for the survey-items table (viewer) and editor (editor)."""
    return {
        "item_code": st.column_config.TextColumn(t("sat.col.item_code")),
        "label_zh": st.column_config.TextColumn(t("sat.col.label_zh")),
        "label_en": st.column_config.TextColumn(t("sat.col.label_en")),
        "dimension": st.column_config.SelectboxColumn(t("sat.col.dimension"), options=list(SURVEY_DIMENSIONS), required=True,
                                                      format_func=lambda d: t(f"sat.dim.{d}")),
        "weight": st.column_config.NumberColumn(t("sat.col.weight"), min_value=0.0, format="%.2f", required=True),
        "scale_min": st.column_config.NumberColumn(t("sat.col.scale_min"), format="%d"),
        "scale_max": st.column_config.NumberColumn(t("sat.col.scale_max"), format="%d"),
        "target_index": st.column_config.NumberColumn(
            t("sat.col.target"), min_value=0.0, max_value=100.0, format="%.0f",
            help=t("sat.col.target_help", default=f"{default_target:g}")),
    }


def render_access_sections() -> None:
    """Users and the audit log: admins only (the loaders check the role again)."""
    if not auth.can("manage_users"):
        return
    render_users()
    render_audit()


def render_users() -> None:
    st.subheader(t("access.users.heading"))
    st.caption(t("access.users.help", n=MIN_PASSWORD_LENGTH))
    if not auth.is_multi_user():
        st.info(t("access.users.first"), icon="ℹ️")
    users = loaders_records.load_users()
    if users:
        frame = pd.DataFrame(users).assign(role=lambda f: [t(f"access.role.{r}") for r in f["role"]])
        st.dataframe(frame, width="stretch", hide_index=True,
                     column_config={c: st.column_config.Column(t(f"access.users.col.{c}")) for c in frame.columns})
    with st.form("access_add_user", clear_on_submit=True):
        left, middle, right = st.columns(3)
        name = left.text_input(t("access.users.name"))
        role = middle.selectbox(t("access.users.role"), list(ROLES), index=len(ROLES) - 1 if not users else 0,
                                format_func=lambda r: t(f"access.role.{r}"))
        password = right.text_input(t("access.users.password"), type="password", help=t("access.users.password_help"))
        submitted = st.form_submit_button(t("access.users.add"), type="primary")
    if submitted:
        if not users and role != "admin":  # the first user must be able to manage the others
            st.error(t("access.users.first_admin"), icon="⛔")
            return
        try:
            loaders_records.manage_user("add", name, role, password or None)
        except (UserError, PermissionDenied) as exc:
            _user_error(exc)
            return
        st.success(t("access.users.added", name=escape_markdown(name.strip()), role=t(f"access.role.{role}")), icon="✅")
        if not users:
            st.info(t("access.users.now_sign_in"), icon=":material/login:")
    if not users:
        return
    with st.form("access_change_user"):
        left, middle, right = st.columns(3)
        who = left.selectbox(t("access.users.name"), [u["user_name"] for u in users])
        operation = middle.selectbox(t("access.users.operation"), ["role", "password", "disable", "enable"],
                                     format_func=lambda o: t(f"access.users.op.{o}"))
        new_role = right.selectbox(t("access.users.new_role"), list(ROLES), format_func=lambda r: t(f"access.role.{r}"))
        new_password = right.text_input(t("access.users.new_password"), type="password")
        changed = st.form_submit_button(t("access.users.apply"))
    if changed:
        args = {"role": (new_role,), "password": (new_password,)}.get(operation, ())
        try:
            loaders_records.manage_user(operation, who, *args)
        except (UserError, PermissionDenied) as exc:
            _user_error(exc)
            return
        st.success(t("access.users.changed", name=escape_markdown(who)), icon="✅")


def _user_error(exc: Exception) -> None:
    if isinstance(exc, PermissionDenied):
        auth.show_denied(exc)
    else:
        st.error(t(exc.key, **{k: escape_markdown(v) for k, v in exc.fields.items()}), icon="⛔")


def render_audit() -> None:
    st.subheader(t("access.audit.heading"))
    st.caption(t("access.audit.help"))
    log = loaders_records.load_audit()
    if log.empty:
        st.info(t("access.audit.empty"), icon="ℹ️")
        return
    actions = sorted(set(log["action"]))
    chosen = st.multiselect(t("access.audit.filter"), actions, key="audit_actions", placeholder=t("filter.all"))
    shown = log[log["action"].isin(chosen)] if chosen else log
    render_download_table(shown, file_name="audit_log.csv",
                          column_config={c: st.column_config.Column(t(f"access.audit.col.{c}")) for c in shown.columns})


ensure_router()
render_page()
