"""The audit log: who did what, when, to which target (the ``audit_log`` table), written in the
transaction of the change it records."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

import duckdb
import pandas as pd

from kam_metrics.access.policy import Actor


def has_table(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    return bool(con.execute(
        "select count(*) from information_schema.tables where table_name = ?", [table]).fetchall()[0][0])



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
    if not key or not has_table(con, "audit_log"):
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
    if not has_table(con, "audit_log"):
        return pd.DataFrame(columns=columns)
    rows = con.execute(
        "select audit_id, logged_at, user_name, role, action, target, detail_json from audit_log "
        "where ($action is null or action = $action) and ($user is null or user_name = $user) "
        "order by audit_id desc limit $limit",
        {"action": action, "user": user_name, "limit": int(limit)},
    ).fetchall()
    return pd.DataFrame(rows, columns=columns)


def record(db, actor: Actor | None, action: str, *, target: str | None = None, detail: dict[str, Any] | None = None,
           wait_seconds: float | None = None) -> int:
    """Open the database for one audit entry (downloads, sign-ins)."""
    from kam_metrics.store import connection as store

    with store.open_db(db, wait_seconds=wait_seconds) as con:
        return audit(con, actor, action, target=target, detail=detail)
