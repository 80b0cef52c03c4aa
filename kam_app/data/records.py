"""Loaders of the Account records page (客户资料) and the access sections of Settings (users, audit log):
one unit of work per call, reads cached by the database file's state, writes as the session's user."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from kam_app import auth
from kam_app.data.cache import LOCK_WAIT_SECONDS, db_path, db_version, guarded, with_connection
from kam_metrics.access import audit as audit_log
from kam_metrics.access import users as access_users
from kam_metrics.records import accounts as records
from kam_metrics.store.connection import open_db


@st.cache_data(show_spinner=False, max_entries=64)
def _search(path_text: str, version: tuple, query: str, field: str) -> dict[str, Any]:
    def work(con):
        return {"rows": records.search_accounts(con, query, field), "total": records.count_accounts(con, query, field)}

    return with_connection(path_text, work)


def search_accounts(query: str, field: str) -> dict[str, Any] | None:
    """{'rows': the matching accounts (at most records.MAX_ROWS), 'total': how many match}; None without a
    database."""
    path = db_path()
    if not path.exists():
        return None
    return guarded(_search, str(path), db_version(path), query, field)


@st.cache_data(show_spinner=False, max_entries=16)
def _changes(path_text: str, version: tuple) -> pd.DataFrame:
    return with_connection(path_text, records.list_changes)


def load_changes() -> pd.DataFrame:
    """The latest recorded account changes, newest first."""
    path = db_path()
    return guarded(_changes, str(path), db_version(path))


def save_edits(original: pd.DataFrame, edited: pd.DataFrame) -> list[dict[str, Any]]:
    """records.save_edits as the session's user (raises PermissionDenied, EditsInvalid, EditConflict,
    DatabaseLocked)."""
    actor = auth.require_action("edit_accounts")
    with open_db(str(db_path()), wait_seconds=LOCK_WAIT_SECONDS) as con:
        return records.save_edits(con, actor, original, edited)


def undo_change(change_id: int) -> dict[str, Any]:
    actor = auth.require_action("edit_accounts")
    with open_db(str(db_path()), wait_seconds=LOCK_WAIT_SECONDS) as con:
        return records.undo_change(con, actor, change_id)


# --- Settings: users and the audit log (admins) ---------------------------------------------------

def load_users() -> list[dict[str, Any]]:
    auth.require_action("manage_users")
    with open_db(str(db_path()), wait_seconds=LOCK_WAIT_SECONDS) as con:
        return access_users.list_users(con)


def manage_user(operation: str, name: str, *args: Any) -> None:
    """add (role, password|None), role (role), password (password), disable, enable, as the session's admin."""
    actor = auth.require_action("manage_users")
    with open_db(str(db_path()), wait_seconds=LOCK_WAIT_SECONDS) as con:
        if operation == "add":
            access_users.add_user(con, actor, name, *args)
        elif operation == "role":
            access_users.set_role(con, actor, name, *args)
        elif operation == "password":
            access_users.set_password(con, actor, name, *args)
        elif operation in ("disable", "enable"):
            access_users.set_disabled(con, actor, name, operation == "disable")
        else:
            raise ValueError(operation)
    st.cache_data.clear()


def load_audit(action: str | None = None, user_name: str | None = None) -> pd.DataFrame:
    auth.require_action("view_audit")
    with open_db(str(db_path()), wait_seconds=LOCK_WAIT_SECONDS) as con:
        return audit_log.read_audit(con, action=action, user_name=user_name)
