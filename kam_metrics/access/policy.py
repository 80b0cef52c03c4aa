"""Who may do what (issue #10): roles, the action policy, local users, the audit log, masked exports.

Three roles, each with the rights of the one before it:

* ``viewer`` (查看): every page, search the account records, download tables with masked customer names;
* ``editor`` (编辑): also import, undo imports, edit and undo account records, targets, survey items and
  report texts, and download unmasked tables;
* ``admin`` (管理员): also business settings, users and the audit log.

The policy is :data:`ACTIONS` (action -> the least role allowed). Every function here that writes takes an
:class:`Actor` and calls :func:`require` first, so a page that forgot to hide a button still cannot act;
pages also check :func:`require` in their handlers. The command line acts with full rights (design.md
§7: whoever can run it can read the file anyway): :func:`cli_actor`.

Local passwords are hashed with argon2id (argon2-cffi); a user without a hash signs in only through the
identity provider (``st.login``) and the row just gives the role.
"""

from __future__ import annotations

import getpass
import json
import os
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import duckdb
import pandas as pd
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from kam_metrics.store.schema_access import ROLES

ROLE_RANK = {role: rank for rank, role in enumerate(ROLES)}

#: action -> the least role that may do it
ACTIONS: dict[str, str] = {
    "view": "viewer",  # every page, the account records, the import history
    "export": "viewer",  # table downloads; a viewer's have customer names masked
    "export_unmasked": "editor",
    "import": "editor",
    "undo_import": "editor",
    "edit_accounts": "editor",  # the account records editor and undoing its changes
    "edit_targets": "editor",  # targets are data an editor can import anyway
    "edit_survey_items": "editor",  # likewise importable
    "edit_report": "editor",  # the review report's texts and actions
    "edit_settings": "admin",  # business settings (thresholds, weights, blank rules)
    "manage_users": "admin",
    "view_audit": "admin",
}

MIN_PASSWORD_LENGTH = 8
#: columns holding customer names, masked in a viewer's downloads
MASKED_COLUMNS = ("account_name", "referred_by_name", "group_name", "prospect_name")


class PermissionDenied(PermissionError):
    """The role may not do this action; nothing was done."""

    def __init__(self, role: str | None, action: str):
        self.role = role
        self.action = action
        super().__init__(f"A {role or 'signed-out'} user may not {action.replace('_', ' ')} "
                         f"(needs {ACTIONS.get(action, '?')}).")


class UserError(ValueError):
    """A user name, role or password that cannot be used. ``key`` is a messages_access key."""

    def __init__(self, key: str, message: str, **fields: Any):
        self.key = key
        self.fields = fields
        super().__init__(message)


@dataclass(frozen=True)
class Actor:
    """Who acts: the user name recorded in the audit log and the role that decides what is allowed."""

    name: str | None
    role: str | None


def cli_actor() -> Actor:
    """The command line acts with full rights, recorded under the operating-system user."""
    try:
        who = getpass.getuser()
    except (KeyError, OSError):
        who = str(os.getuid()) if hasattr(os, "getuid") else "unknown"
    return Actor(f"cli:{who}", "admin")


def allowed(role: str | None, action: str) -> bool:
    """Whether ``role`` may do ``action`` (an unknown action is a programming error)."""
    if action not in ACTIONS:
        raise KeyError(f"unknown action {action!r}; known actions: {', '.join(ACTIONS)}")
    if role not in ROLE_RANK:
        return False
    return ROLE_RANK[role] >= ROLE_RANK[ACTIONS[action]]


def require(role: str | None, action: str) -> None:
    """Raise :class:`PermissionDenied` unless ``role`` may do ``action``."""
    if not allowed(role, action):
        raise PermissionDenied(role, action)


def actions_of(role: str | None) -> list[str]:
    """Every action ``role`` may do, in the order of :data:`ACTIONS`."""
    return [action for action in ACTIONS if allowed(role, action)]


def resolve_role(
    email: str | None,
    groups: list[str] | tuple[str, ...] | None,
    role_map: dict[str, str] | None,
    default_role: str | None = None,
    db_role: str | None = None,
) -> str | None:
    """The role of a user signed in through the identity provider.

    A row in the users table named by the e-mail wins (admins manage it on the Settings page); otherwise
    the highest role that ``role_map`` gives the e-mail (case-insensitive), its domain (``"@example.com"``)
    or one of its groups; otherwise ``default_role``; otherwise None (signed in, but no rights)."""
    if db_role in ROLE_RANK:
        return db_role
    mapping = {str(k).strip().lower(): str(v).strip().lower() for k, v in (role_map or {}).items()}
    candidates = []
    address = (email or "").strip().lower()
    if address:
        candidates.append(mapping.get(address))
        if "@" in address:
            candidates.append(mapping.get("@" + address.split("@", 1)[1]))
    for group in groups or ():
        candidates.append(mapping.get(str(group).strip().lower()))
    found = [c for c in candidates if c in ROLE_RANK]
    if found:
        return max(found, key=ROLE_RANK.__getitem__)
    return default_role if default_role in ROLE_RANK else None


# --- local users ----------------------------------------------------------------------------------

_HASHER = PasswordHasher()
# verified against when the user does not exist, so a wrong name takes as long as a wrong password
_DUMMY_HASH = _HASHER.hash("kam-dashboard-no-such-user")


def _has_table(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    return bool(con.execute(
        "select count(*) from information_schema.tables where table_name = ?", [table]).fetchall()[0][0])


def _check_name(name: str) -> str:
    cleaned = (name or "").strip()
    if not cleaned or len(cleaned) > 200 or any(ord(ch) < 32 for ch in cleaned):
        raise UserError("access.err.bad_name", "A user name must be 1-200 printable characters.")
    return cleaned


def _check_role(role: str) -> str:
    if role not in ROLE_RANK:
        raise UserError("access.err.bad_role", f"The role must be one of {', '.join(ROLES)}.", roles=", ".join(ROLES))
    return role


def _check_password(password: str) -> str:
    if password is None or len(password) < MIN_PASSWORD_LENGTH:
        raise UserError("access.err.short_password",
                        f"The password must have at least {MIN_PASSWORD_LENGTH} characters.", n=MIN_PASSWORD_LENGTH)
    return password


def add_user(con: duckdb.DuckDBPyConnection, actor: Actor, name: str, role: str, password: str | None) -> None:
    """Create a user; ``password`` None makes a user who signs in only through the identity provider."""
    require(actor.role, "manage_users")
    name, role = _check_name(name), _check_role(role)
    hashed = None if password is None else _HASHER.hash(_check_password(password))
    if con.execute("select count(*) from users where lower(user_name) = lower(?)", [name]).fetchall()[0][0]:
        raise UserError("access.err.exists", f"There is already a user {name!r}.", name=name)
    con.execute("insert into users (user_name, role, password_hash) values (?, ?, ?)", [name, role, hashed])
    audit(con, actor, "user_add", target=name, detail={"role": role, "password": password is not None})


def _existing(con: duckdb.DuckDBPyConnection, name: str) -> str:
    row = con.execute("select user_name from users where lower(user_name) = lower(?)", [name]).fetchall()
    if not row:
        raise UserError("access.err.no_user", f"There is no user {name!r}.", name=name)
    return row[0][0]


def _keep_an_admin(con: duckdb.DuckDBPyConnection, name: str) -> None:
    """Refuse (UserError) when ``name`` is the last enabled admin: disabling or demoting them would leave
    nobody to manage users (the command line can still do it after adding another admin)."""
    others = con.execute(
        "select count(*) filter (where user_name <> $name), count(*) filter (where user_name = $name) "
        "from users where role = 'admin' and not disabled", {"name": name}).fetchall()[0]
    if others[1] and not others[0]:
        raise UserError("access.err.last_admin",
                        f"{name!r} is the last enabled admin; add or enable another admin first.", name=name)


def set_role(con: duckdb.DuckDBPyConnection, actor: Actor, name: str, role: str) -> None:
    require(actor.role, "manage_users")
    name, role = _existing(con, name), _check_role(role)
    if role != "admin":
        _keep_an_admin(con, name)
    con.execute("update users set role = ?, updated_at = current_timestamp where user_name = ?", [role, name])
    audit(con, actor, "user_role", target=name, detail={"role": role})


def set_password(con: duckdb.DuckDBPyConnection, actor: Actor, name: str, password: str) -> None:
    require(actor.role, "manage_users")
    name = _existing(con, name)
    con.execute("update users set password_hash = ?, updated_at = current_timestamp where user_name = ?",
                [_HASHER.hash(_check_password(password)), name])
    audit(con, actor, "user_password", target=name)


def set_disabled(con: duckdb.DuckDBPyConnection, actor: Actor, name: str, disabled: bool) -> None:
    require(actor.role, "manage_users")
    name = _existing(con, name)
    if disabled:
        _keep_an_admin(con, name)
    con.execute("update users set disabled = ?, updated_at = current_timestamp where user_name = ?", [bool(disabled), name])
    audit(con, actor, "user_disable" if disabled else "user_enable", target=name)


def list_users(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Every user (never the hash): user_name, role, sso_only, disabled, created_at."""
    if not _has_table(con, "users"):
        return []
    rows = con.execute(
        "select user_name, role, password_hash is null, disabled, created_at from users order by user_name").fetchall()
    return [{"user_name": n, "role": r, "sso_only": bool(s), "disabled": bool(d), "created_at": c} for n, r, s, d, c in rows]


def count_users(con: duckdb.DuckDBPyConnection) -> int:
    """Users who are not disabled (0 on a database older than migration 4)."""
    if not _has_table(con, "users"):
        return 0
    return int(con.execute("select count(*) from users where not disabled").fetchall()[0][0])


def user_role(con: duckdb.DuckDBPyConnection, name: str | None) -> str | None:
    """The role of an enabled user (names compare case-insensitively); None otherwise."""
    if not name or not _has_table(con, "users"):
        return None
    row = con.execute("select role from users where lower(user_name) = lower(?) and not disabled", [name]).fetchall()
    return row[0][0] if row else None


def verify_login(con: duckdb.DuckDBPyConnection, name: str, password: str) -> Actor | None:
    """The signed-in actor when ``password`` is right for the enabled user ``name``; None otherwise.
    Rehashes a hash made with weaker parameters (needs a writable connection; skipped otherwise)."""
    if not _has_table(con, "users"):
        return None
    row = con.execute(
        "select user_name, role, password_hash from users where lower(user_name) = lower(?) and not disabled",
        [(name or "").strip()],
    ).fetchall()
    stored = row[0][2] if row and row[0][2] else None
    try:
        _HASHER.verify(stored or _DUMMY_HASH, password or "")
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return None
    if stored is None:
        return None
    if _HASHER.check_needs_rehash(stored):
        try:
            con.execute("update users set password_hash = ? where user_name = ?", [_HASHER.hash(password), row[0][0]])
        except duckdb.Error:
            pass
    return Actor(row[0][0], row[0][1])


# --- audit log ------------------------------------------------------------------------------------

def _json_default(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if hasattr(value, "item"):
        return value.item()
    return str(value)


def audit(
    con: duckdb.DuckDBPyConnection, actor: Actor | None, action: str, *, target: str | None = None,
    detail: dict[str, Any] | None = None,
) -> int:
    """Append one entry to the audit log (in the caller's transaction, if any); returns its id."""
    audit_id = con.execute("select nextval('audit_id_seq')").fetchall()[0][0]
    con.execute(
        "insert into audit_log (audit_id, logged_at, user_name, role, action, target, detail_json) "
        "values (?, current_timestamp, ?, ?, ?, ?, ?)",
        [audit_id, actor.name if actor else None, actor.role if actor else None, action, target,
         None if detail is None else json.dumps(detail, ensure_ascii=False, default=_json_default)],
    )
    return int(audit_id)


def recent_failures(con: duckdb.DuckDBPyConnection, name: str | None, window_seconds: float) -> int:
    """Failed sign-ins ('sign_in_failed' entries) for the user name ``name`` (trimmed, case-insensitive)
    within the last ``window_seconds``, from every browser session: the sign-in throttle."""
    key = (name or "").strip()[:200]
    if not key or not _has_table(con, "audit_log"):
        return 0
    return int(con.execute(
        "select count(*) from audit_log where action = 'sign_in_failed' and lower(user_name) = lower(?) "
        "and logged_at >= cast(current_timestamp as timestamp) - to_seconds(cast(? as double))",
        [key, float(window_seconds)]).fetchall()[0][0])


def read_audit(
    con: duckdb.DuckDBPyConnection, *, limit: int = 1000, action: str | None = None, user_name: str | None = None
) -> pd.DataFrame:
    """The latest audit entries, newest first: audit_id, logged_at, user_name, role, action, target, detail."""
    columns = ["audit_id", "logged_at", "user_name", "role", "action", "target", "detail"]
    if not _has_table(con, "audit_log"):
        return pd.DataFrame(columns=columns)
    rows = con.execute(
        "select audit_id, logged_at, user_name, role, action, target, detail_json from audit_log "
        "where ($action is null or action = $action) and ($user is null or user_name = $user) "
        "order by audit_id desc limit $limit",
        {"action": action, "user": user_name, "limit": int(limit)},
    ).fetchall()
    return pd.DataFrame(rows, columns=columns)


# --- masked exports -------------------------------------------------------------------------------

def mask_name(value: Any) -> Any:
    """A customer name reduced to its first character and three stars ("甲机械有限公司" -> "甲***")."""
    if not isinstance(value, str) or not value.strip():
        return value
    return value.strip()[0] + "***"


def export_masked(role: str | None) -> bool:
    """Whether a download by ``role`` has its customer names masked: every role that may not export
    unmasked, whether sign-in is on or not."""
    return not allowed(role, "export_unmasked")


def mask_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose customer-name columns (:data:`MASKED_COLUMNS`) are masked."""
    masked = frame.copy()
    for column in MASKED_COLUMNS:
        if column in masked.columns:
            masked[column] = masked[column].map(mask_name)
    return masked


def mask_changes(changes: pd.DataFrame) -> pd.DataFrame:
    """A copy of the account change history (kam_metrics.records.accounts.list_changes) whose old and new values are
    masked on the rows that changed a customer-name column (:data:`MASKED_COLUMNS`: account_name, group_name)."""
    masked = mask_frame(changes)
    if "column_name" in masked.columns:
        names = masked["column_name"].isin(MASKED_COLUMNS).tolist()
        for column in ("old_value", "new_value"):
            if column in masked.columns:
                masked[column] = pd.Series([mask_name(v) if n else v for n, v in zip(names, masked[column])],
                                           index=masked.index, dtype=object)
    return masked


# --- imports and undos with the actor's rights ----------------------------------------------------

def commit_import(db, staged, actor: Actor, *, mode: str = "append", replace_scope: str = "range") -> dict[str, Any]:
    """kam_metrics.ingest.stage.commit_staged for an editor: the import records the user, and the audit entry
    saying who imported what is written in the import's own transaction (both or neither)."""
    from kam_metrics.ingest import stage as ingest

    require(actor.role, "import")

    def log(con, summary: dict[str, Any]) -> None:
        audit(con, actor, "import", target=f"import {summary['import_id']}", detail={
            "table": summary["table_name"], "file_name": summary["file_name"], "mode": mode,
            "rows_inserted": summary["rows_inserted"], "rows_updated": summary["rows_updated"]})

    return ingest.commit_staged(db, staged, mode=mode, replace_scope=replace_scope, user_name=actor.name, on_commit=log)


def undo_import(db, import_id: int, actor: Actor) -> dict[str, Any]:
    """kam_metrics.ingest.stage.undo_import for an editor, recorded in the audit log in the undo's transaction."""
    from kam_metrics.ingest import stage as ingest

    require(actor.role, "undo_import")
    return ingest.undo_import(db, import_id, on_commit=lambda con, result: audit(
        con, actor, "undo_import", target=f"import {import_id}", detail=result))


def save_settings(con: duckdb.DuckDBPyConnection, actor: Actor, values: dict[str, Any]) -> None:
    """kam_metrics.store.settings.save_settings for an admin, with the audit entry in the same transaction."""
    from kam_metrics.store import settings

    require(actor.role, "edit_settings")
    settings.save_settings(con, values, on_commit=lambda c: audit(c, actor, "edit_settings", detail=values))


def save_targets(con: duckdb.DuckDBPyConnection, actor: Actor, edited) -> dict[str, int]:
    """kam_metrics.records.targets.save_targets for an editor, audited in the same transaction."""
    from kam_metrics.records import targets

    require(actor.role, "edit_targets")
    return targets.save_targets(con, edited, on_commit=lambda c, counts: audit(c, actor, "edit_targets", detail=counts))


def save_survey_items(con: duckdb.DuckDBPyConnection, actor: Actor, edited) -> int:
    """kam_metrics.metrics.satisfaction.save_survey_item_settings for an editor, audited in the same transaction."""
    from kam_metrics.metrics import satisfaction

    require(actor.role, "edit_survey_items")
    return satisfaction.save_survey_item_settings(
        con, edited, on_commit=lambda c, n: audit(c, actor, "edit_survey_items", detail={"items": n}))


def save_report(con: duckdb.DuckDBPyConnection, actor: Actor, report, texts: dict[str, str],
                actions: list[dict[str, Any]]) -> int:
    """kam_metrics.report.store.save_report for an editor (the report records the user), audited in the same
    transaction."""
    from kam_metrics.report import store as report_store

    require(actor.role, "edit_report")
    return report_store.save_report(con, report, texts=texts, actions=actions, user_name=actor.name, on_commit=lambda c, rid: audit(
        c, actor, "edit_report", target=f"report {rid}", detail={"period": report.period}))


def record(db, actor: Actor | None, action: str, *, target: str | None = None, detail: dict[str, Any] | None = None,
           wait_seconds: float | None = None) -> int:
    """Open the database for one audit entry (downloads, sign-ins)."""
    from kam_metrics.store import connection as store

    with store.open_db(db, wait_seconds=wait_seconds) as con:
        return audit(con, actor, action, target=target, detail=detail)


def safe_file_name(name: str | None) -> str:
    """An uploaded file's name as a label only: its last path component (either slash), without control
    characters, at most 200 characters. It is recorded and shown, never used to build a path."""
    text = str(name or "").replace("\\", "/").rsplit("/", 1)[-1]
    text = "".join(ch for ch in text if ord(ch) >= 32 and ch != "\x7f").strip()
    return text[:200] or "upload"


_MARKDOWN_SPECIAL = set("\\`*_{}[]()#+-.!|<>~$:&")


def escape_markdown(text: Any) -> str:
    """Data (a customer name, a file header, a note) made safe to put into a Streamlit markdown string:
    every markdown and HTML character is backslash-escaped, so ``<script>`` or ``![](http://x)`` shows as
    the text it is; line breaks become spaces so data cannot start a new block."""
    out = []
    for ch in str(text if text is not None else ""):
        if ch in "\r\n":
            out.append(" ")
        elif ch in _MARKDOWN_SPECIAL:
            out.append("\\" + ch)
        else:
            out.append(ch)
    return "".join(out)
