"""汇报 Review report (docs/pages.md#review-report): the sections of the review outline (docs/pages.md#review-report) filled from data for the
sidebar's period and comparison and a scope chosen here; sections 5-8 edited on the page and saved with
the report; since the last review; the review actions; exports to PowerPoint, HTML and Excel; name
masking; presenter mode."""

from __future__ import annotations

import json

import pandas as pd
import streamlit as st

from kam_app import auth, presenter
from kam_app.data import report as loaders_report
from kam_app.state import ensure_router, language, t
from kam_app.widgets.components import start_page
from kam_metrics.access.policy import PermissionDenied, escape_markdown
from kam_metrics.domain.enums import ACTION_STATUSES
from kam_metrics.domain.filters import Filters
from kam_metrics.i18n import format_date
from kam_metrics.report import build as reports
from kam_metrics.report import masking as report_masking
from kam_metrics.report import model as report_model
from kam_metrics.report import store as report_store

SAVED_KEY = "report_saved"
NEW = 0  # the "new report" choice (report ids start at 1)
PENDING_KEY = "report_saved_pending"
MIMES = {
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "html": "text/html",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _scope_label(scope: dict, options: dict) -> str:
    scope = report_model.normalize_scope(scope)
    if scope["kind"] == "all":
        return t("report.scope_kind.all")
    values = scope["values"]
    if scope["kind"] == "accounts":
        values = [options["accounts"].get(v, v) for v in values]
    return t(f"report.scope_kind.{scope['kind']}") + ": " + "、".join(values[:3]) + ("…" if len(values) > 3 else "")


def _choose(filters: Filters, options: dict) -> tuple[Filters, dict, int | None]:
    """Saved report or new one, and the scope; returns the report's filters, scope and id."""
    saved = {s["report_id"]: s for s in options["saved"]}
    if PENDING_KEY in st.session_state:
        st.session_state[SAVED_KEY] = st.session_state.pop(PENDING_KEY)
    if st.session_state.get(SAVED_KEY) not in saved:
        st.session_state[SAVED_KEY] = NEW
    if presenter.is_active():
        chosen = st.session_state.get(SAVED_KEY)
        scope = st.session_state.get("report_scope_value", {"kind": "all"})
    else:
        st.caption(t("report.period_note"))
        first, second, third = st.columns([3, 2, 3])
        lang = language()
        chosen = first.selectbox(
            t("report.saved"),
            options=[NEW] + list(saved),
            format_func=lambda rid: t("report.saved.new") if rid == NEW else t(
                "report.saved.option", id=rid, period=saved[rid]["period"],
                scope=_scope_label(saved[rid]["scope"], options),
                at=format_date(pd.Timestamp(saved[rid]["updated_at"]).date(), lang)),
            key=SAVED_KEY,
        )
        if chosen == NEW:
            kind = second.selectbox(t("report.scope"), options=list(report_model.SCOPE_KINDS),
                                    format_func=lambda k: t(f"report.scope_kind.{k}"), key="report_scope_kind")
            values: list[str] = []
            if kind == "owner":
                values = third.multiselect(t("report.scope_values"), options["owners"], key="report_scope_owner")
            elif kind == "region":
                values = third.multiselect(t("report.scope_values"), options["regions"], key="report_scope_region")
            elif kind == "accounts":
                values = third.multiselect(t("report.scope_values"), list(options["accounts"]),
                                           format_func=lambda a: options["accounts"].get(a, a), key="report_scope_accounts")
            scope = report_model.normalize_scope({"kind": kind, "values": values})
            st.session_state["report_scope_value"] = scope
        else:
            scope = saved[chosen]["scope"]
    if chosen != NEW and chosen in saved:
        row = saved[chosen]
        st.info(t("report.saved.reopened", id=chosen, period=row["period"]), icon="📂")
        return Filters(start=row["start"], end=row["end"], compare=row["compare"]), scope, chosen
    return Filters(start=filters.start, end=filters.end, compare=filters.compare), scope, None


def _identity(report_filters: Filters, scope: dict, report_id: int | None, lang: str) -> str:
    return json.dumps([report_id, report_filters.start.isoformat(), report_filters.end.isoformat(),
                       report_filters.compare, scope, lang], ensure_ascii=False, sort_keys=True)


def _actions_frame(actions: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(actions, columns=["action_id", "what", "owner", "due_date", "status"])
    frame["due_date"] = pd.to_datetime(frame["due_date"])
    frame["action_id"] = frame["action_id"].astype("Int64")
    return frame


def _edit_section(report: report_model.Report, section: report_model.Section, identity: str, store: dict) -> None:
    presenter.render_section(report, section)
    key = f"report_text::{identity}::{section.key}"
    left, right = st.columns([3, 2])
    store[section.key] = left.text_area(t("report.edit_label"), value=store.get(section.key, section.text),
                                        key=key, height=220)
    right.markdown(f"**{t('report.hints')}**")
    right.markdown(presenter.bullet_list(section.hints))


def _edit_actions(report: report_model.Report, section: report_model.Section, identity: str) -> list[dict]:
    st.markdown(f"##### {section.heading}")
    st.markdown(f"### {escape_markdown(section.title)}")
    st.caption(escape_markdown(" ".join(section.bullets)))
    stored = st.session_state.get(f"report_actions_value::{identity}")
    editor_key, base_key = f"report_actions::{identity}", f"report_actions_base::{identity}"
    if editor_key not in st.session_state or base_key not in st.session_state:
        # a fresh editor (first visit, or back from presenter mode): start from the last known actions; the
        # base then stays fixed while the editor's own state holds the edits made on top of it
        st.session_state[base_key] = stored if stored is not None else report.actions
    frame = _actions_frame(st.session_state[base_key])
    st.markdown(f"**{t('report.actions_editor')}**")
    edited = st.data_editor(
        frame,
        key=editor_key,
        num_rows="dynamic",
        hide_index=True,
        width="stretch",
        column_config={
            "action_id": None,
            "what": st.column_config.TextColumn(t("report.col.what"), required=True, width="large"),
            "owner": st.column_config.TextColumn(t("report.col.action_owner")),
            "due_date": st.column_config.DateColumn(t("report.col.due_date"), format="YYYY-MM-DD"),
            "status": st.column_config.SelectboxColumn(t("report.col.status"), options=list(ACTION_STATUSES),
                                                       default="open", required=True,
                                                       format_func=lambda s: t(f"report.status.{s}")),
        },
    )
    records = []
    for row in edited.to_dict("records"):
        if not isinstance(row.get("what"), str) or not row["what"].strip():
            continue
        records.append({"action_id": None if pd.isna(row["action_id"]) else int(row["action_id"]),
                        "what": row["what"], "owner": row.get("owner") if isinstance(row.get("owner"), str) else "",
                        "due_date": None if pd.isna(row["due_date"]) else pd.Timestamp(row["due_date"]).date(),
                        "status": row.get("status") or "open"})
    return records


def _save(report: report_model.Report, identity: str, texts: dict, actions: list[dict] | None) -> None:
    """The save button's callback (runs before the rerun, so a click is never lost): the latest text of
    each section, the actions as last edited, stored with the report; the page then reopens it."""
    texts = {key: st.session_state.get(f"report_text::{identity}::{key}", value) for key, value in texts.items()}
    try:
        actor = auth.require_action("edit_report")  # checked here too, not only by hiding the editors
        final = reports.apply_edits(report, texts, actions)
        new_id = loaders_report.save_report(final, texts, actions if actions is not None else report.actions, actor)
    except PermissionDenied:
        st.session_state["report_save_denied"] = True
        return
    except report_store.ActionsInvalid as exc:
        st.session_state["report_save_error"] = str(exc)
        return
    st.session_state.pop(f"report_texts_value::{identity}", None)
    st.session_state.pop(f"report_actions_value::{identity}", None)
    st.session_state[PENDING_KEY] = new_id
    st.session_state["report_save_message"] = new_id


def _exports(shown: report_model.Report, container) -> None:
    """The three downloads; a viewer's exports (sign-in on, or a remote visitor of a single-user app:
    auth.downloads_masked) have the account names masked, and every download goes to the audit log."""
    forced = auth.downloads_masked() and not shown.masked  # the rule of every table download
    if forced:
        shown = report_masking.mask_report(shown)
    rows = sum(len(tb.rows) for s in shown.sections for tb in s.tables)
    with container:
        st.markdown(f"**{t('report.export')}**")
        columns = st.columns(3)
        for column, fmt in zip(columns, report_model.EXPORT_FORMATS):
            file_name = report_model.export_file_name(shown, fmt)
            column.download_button(
                t(f"report.export.{fmt}") + (t("access.download_masked") if forced else ""),
                data=lambda fmt=fmt: loaders_report.export(shown, fmt),
                file_name=file_name,
                mime=MIMES[fmt],
                icon=":material/download:",
                on_click=auth.record_export,
                args=(file_name, rows, shown.masked),
                key=f"report_export_{fmt}",
            )


def render_page() -> None:
    lang = language()
    filters = start_page("report.heading")
    if filters is None:
        return
    options = loaders_report.load_report_options()
    report_filters, scope, report_id = _choose(filters, options)
    if not presenter.is_active():
        masked = st.toggle(t("report.mask"), key="report_mask", help=t("report.mask_help"))
    else:
        masked = bool(st.session_state.get("report_mask", False))
    with st.spinner(t("loading")):
        report = loaders_report.load_report(report_filters, lang, scope, report_id)
    if not report.section("top").available:  # no revenue in the period: say so above the (empty) sections
        st.info(t("report.no_sales"), icon="ℹ️")
    if report.data_changed and not presenter.is_active():
        st.warning(t("report.data_changed"), icon="⚠️")
    identity = _identity(report_filters, scope, report_id, lang)
    texts: dict = dict(st.session_state.get(f"report_texts_value::{identity}", {}))
    actions = st.session_state.get(f"report_actions_value::{identity}")
    can_edit = auth.can("edit_report")
    if presenter.is_active() or masked or not can_edit:
        render_read_only(report, texts, actions, masked=masked, can_edit=can_edit)
        return
    render_editor(report, identity, texts, actions)


def render_read_only(report: report_model.Report, texts: dict, actions, *, masked: bool, can_edit: bool) -> None:
    """The report with the session's edits applied, names masked when asked: the presentation in presenter
    mode, otherwise the exports and every section with the edited texts and their hints."""
    final = reports.apply_edits(report, texts, actions)
    shown = report_masking.mask_report(final) if masked else final
    if presenter.is_active():
        presenter.render_presentation(shown)
        return
    top = st.container()
    if not can_edit:
        top.caption(t("access.read_only", role=t("access.role.editor")))
    _exports(shown, top)
    for section in shown.sections:
        st.divider()
        presenter.render_section(shown, section, presenting=False)
        if section.editable:
            if section.text.strip():
                st.markdown(presenter.plain_text(section.text))
            st.info(presenter.bullet_list(section.hints), icon="💡")


def render_editor(report: report_model.Report, identity: str, texts: dict, actions) -> None:
    """Every section, the editable ones and the review actions as editors; the edits kept in the session;
    then, above the sections, the save button with its messages and the exports of the edited report."""
    top = st.container()
    for section in report.sections:
        st.divider()
        if section.editable:
            _edit_section(report, section, identity, texts)
        elif section.key == "actions":
            actions = _edit_actions(report, section, identity)
        else:
            presenter.render_section(report, section)
    st.session_state[f"report_texts_value::{identity}"] = texts
    st.session_state[f"report_actions_value::{identity}"] = actions
    try:
        final = reports.apply_edits(report, texts, actions)
    except report_store.ActionsInvalid as exc:
        st.error(t("report.actions_invalid", error=escape_markdown(str(exc))))
        return
    with top:
        _render_save(report, identity, texts, actions)
    _exports(final, top)


def _render_save(report: report_model.Report, identity: str, texts: dict, actions) -> None:
    """The save button and what the last save said (done, denied, invalid actions)."""
    st.button(t("report.save"), type="primary", icon=":material/save:", key="report_save", on_click=_save,
              args=(report, identity, texts, actions))
    if "report_save_message" in st.session_state:
        st.success(t("report.save_done", id=st.session_state.pop("report_save_message")), icon="✅")
    if st.session_state.pop("report_save_denied", False):
        auth.show_denied(action="edit_report")
    if "report_save_error" in st.session_state:
        st.error(t("report.actions_invalid", error=escape_markdown(st.session_state.pop("report_save_error"))))


ensure_router()
render_page()
