"""客户资料 Account records: search the accounts; editors edit them in place (the importer's validation),
every change is recorded and can be undone (kam_metrics.records.accounts does the work)."""

from __future__ import annotations

import hashlib

import pandas as pd
import streamlit as st

from kam_app import auth
from kam_app.data import records as loaders_records
from kam_app.state import ensure_router, language, t
from kam_app.widgets.components import render_download_table
from kam_metrics.access.masking import mask_changes
from kam_metrics.access.policy import PermissionDenied, escape_markdown
from kam_metrics.records.accounts import COLUMNS, SEARCH_FIELDS, EditConflict, EditsInvalid
from kam_metrics.store.connection import ACCOUNT_STATUSES, SCALES, DatabaseLocked

_ROUND_KEY = "records_round"  # bumped after a save so the editor starts again from the stored values


def column_config() -> dict:
    label = {c: t(f"records.col.{c}") for c in COLUMNS}
    return {
        "account_id": st.column_config.TextColumn(label["account_id"], disabled=True),
        "account_name": st.column_config.TextColumn(label["account_name"], required=True, max_chars=200),
        "industry": st.column_config.TextColumn(label["industry"]),
        "scale": st.column_config.SelectboxColumn(label["scale"], options=list(SCALES), format_func=lambda v: t(f"scale.{v}")),
        "region": st.column_config.TextColumn(label["region"]),
        "city": st.column_config.TextColumn(label["city"]),
        "owner": st.column_config.TextColumn(label["owner"]),
        "group_name": st.column_config.TextColumn(label["group_name"]),
        "is_key_account": st.column_config.CheckboxColumn(label["is_key_account"]),
        "cooperation_start": st.column_config.DateColumn(label["cooperation_start"], format="YYYY-MM-DD"),
        "status": st.column_config.SelectboxColumn(label["status"], options=list(ACCOUNT_STATUSES), required=True,
                                                   format_func=lambda v: t(f"status.{v}")),
        "churned_on": st.column_config.DateColumn(label["churned_on"], format="YYYY-MM-DD"),
        "referred_by": st.column_config.TextColumn(label["referred_by"]),
    }


def render_problems(problems: list[dict]) -> None:
    lang = language()
    lines = []
    for p in problems:
        where = t("records.where", row=p["row"], account=escape_markdown(p["account_id"] or "—"),
                  column=t(f"records.col.{p['column']}") if p["column"] in COLUMNS else escape_markdown(p["column"] or "—")) \
            if p["row"] else ""
        value = t("records.value", value=escape_markdown(str(p["value"]))) if p["value"] not in (None, "") else ""
        lines.append(f"- {where}{value}{p['problem_' + lang]} {p['fix_' + lang]}")
    st.error(t("records.invalid", n=len(problems)) + "\n\n" + "\n".join(lines[:50]), icon="⛔")


def render_editor(rows: pd.DataFrame, query_key: str) -> None:
    round_no = st.session_state.get(_ROUND_KEY, 0)
    edited = st.data_editor(
        rows, width="stretch", hide_index=True, num_rows="fixed", disabled=["account_id"],
        column_config=column_config(), key=f"records_editor_{query_key}_{round_no}",
    )
    if st.button(t("records.save"), type="primary", icon=":material/save:", key="records_save"):
        try:
            changes = loaders_records.save_edits(rows, edited)  # checks the role again (server side)
        except PermissionDenied as denied:
            auth.show_denied(denied)
        except EditsInvalid as invalid:
            render_problems(invalid.problems)
        except EditConflict as conflict:
            st.error(t("records.conflict", account=escape_markdown(conflict.account_id),
                       column=t(f"records.col.{conflict.column}")), icon="⛔")
        except DatabaseLocked:
            st.warning(t("db.updating"), icon="⏳")
        else:
            st.session_state[_ROUND_KEY] = round_no + 1
            st.session_state["records_done"] = t("records.saved", n=len(changes)) if changes else t("records.nothing")
            st.cache_data.clear()
            st.rerun()


def render_changes() -> None:
    st.subheader(t("records.changes"))
    changes = loaders_records.load_changes()
    if changes.empty:
        st.info(t("records.changes_empty"), icon="ℹ️")
        return
    labels = [t(f"records.col.{c}") if c in COLUMNS else c for c in changes["column_name"]]
    shown = changes.assign(column_name=labels)
    render_download_table(  # a viewer's download hides the old and new values of customer-name edits
        shown, file_name="account_changes.csv", masked_frame=mask_changes(changes).assign(column_name=labels),
        column_config={c: st.column_config.Column(t(f"records.change.{c}")) for c in shown.columns},
    )
    if not auth.can("edit_accounts"):
        return
    open_changes = changes.loc[changes["undone_at"].isna()]
    if open_changes.empty:
        return
    labels = {
        int(r.change_id): f"#{r.change_id} · {r.account_id} · {t(f'records.col.{r.column_name}')}: {r.old_value or '—'} → {r.new_value or '—'}"
        for r in open_changes.itertuples()
    }
    left, right = st.columns([3, 1])
    pick = left.selectbox(t("records.undo_pick"), list(labels), format_func=labels.get, key="records_undo_pick")
    if right.button(t("records.undo"), key="records_undo", icon=":material/undo:"):
        try:
            result = loaders_records.undo_change(int(pick))
        except PermissionDenied as denied:
            auth.show_denied(denied)
        except EditConflict as conflict:
            st.error(t("records.undo_conflict", account=escape_markdown(conflict.account_id),
                       column=t(f"records.col.{conflict.column}")), icon="⛔")
        except DatabaseLocked:
            st.warning(t("db.updating"), icon="⏳")
        else:
            st.session_state[_ROUND_KEY] = st.session_state.get(_ROUND_KEY, 0) + 1
            st.session_state["records_done"] = t("records.undone", id=result["change_id"])
            st.cache_data.clear()
            st.rerun()


def render_page() -> None:
    st.title(t("records.heading"))
    st.caption(t("records.intro"))
    if "records_done" in st.session_state:
        st.success(st.session_state.pop("records_done"), icon="✅")
    left, right = st.columns([3, 1])
    query = left.text_input(t("records.search"), key="records_query", placeholder=t("records.search_placeholder"))
    field = right.selectbox(t("records.field"), list(SEARCH_FIELDS), format_func=lambda f: t(f"records.field.{f}"),
                            key="records_field")
    data = loaders_records.search_accounts(query, field)
    if data is None:
        st.info(t("db.missing"), icon="ℹ️")
        return
    rows, total = data["rows"], data["total"]
    if total == 0:
        st.info(t("records.none") if query.strip() else t("records.empty"), icon="ℹ️")
    else:
        st.caption(t("records.count", shown=f"{len(rows):,}", total=f"{total:,}"))
        if auth.can("edit_accounts"):
            st.caption(t("records.edit_help"))
            render_editor(rows, hashlib.sha256(f"{field}\x1f{query}".encode()).hexdigest()[:12])
        else:
            st.info(t("access.records.viewer"), icon=":material/lock:")
            render_download_table(rows, file_name="accounts.csv", column_config=column_config())
    render_changes()


ensure_router()
render_page()
