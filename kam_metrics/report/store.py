"""Saved reports: their edited section texts, snapshots and review actions (the ``reports``,
``report_sections`` and ``review_actions`` tables), and the scope choices offered on the page."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import duckdb
import pandas as pd

from kam_metrics.domain.enums import ACTION_STATUSES
from kam_metrics.report.model import EDITABLE_SECTIONS, Report, as_date, normalize_scope


def has_report_tables(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether migration 3 has run (a database opened read-only before any write may lack it)."""
    return bool(con.execute(
        "select count(*) from information_schema.tables where table_name = 'review_actions'"
    ).fetchall()[0][0])


def load_scope_options(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """What the report page offers: {"owners", "regions", "accounts" ({account_id: account_name}), "saved"
    (the saved reports: report_id, period, start, end, compare, scope, lang, updated_at)}."""
    from kam_metrics.metrics.sales import load_segment_values

    segments = load_segment_values(con)
    accounts = con.execute("select account_id, account_name from accounts order by account_name, account_id").fetchall()
    saved = load_saved_reports(con)
    return {
        "owners": segments["owners"],
        "regions": segments["regions"],
        "accounts": {a: n for a, n in accounts},
        "saved": [
            {"report_id": int(r.report_id), "period": r.period, "start": pd.Timestamp(r.start_date).date(),
             "end": pd.Timestamp(r.end_date).date(), "compare": r.compare, "scope": json.loads(r.scope_json),
             "lang": r.lang, "updated_at": r.updated_at}
            for r in saved.itertuples(index=False)
        ],
    }


def load_saved_reports(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every saved report, newest first: report_id, period, start_date, end_date, compare, scope_json,
    lang, created_at, updated_at."""
    if not has_report_tables(con):
        return pd.DataFrame(columns=["report_id", "period", "start_date", "end_date", "compare", "scope_json", "lang",
                                     "created_at", "updated_at"])
    return con.execute(
        "select report_id, period, start_date, end_date, compare, scope_json, lang, created_at, updated_at "
        "from reports order by end_date desc, report_id desc"
    ).df()


def load_saved_report(con: duckdb.DuckDBPyConnection, report_id: int) -> dict[str, Any] | None:
    """One saved report: its row (scope as a dict, snapshot as a dict) and sections {section: body}."""
    if not has_report_tables(con):
        return None
    rows = con.execute(
        "select report_id, period, start_date, end_date, compare, scope_json, lang, snapshot_json "
        "from reports where report_id = ?",
        [int(report_id)],
    ).fetchall()
    if not rows:
        return None
    rid, period, start, end, compare, scope_json, lang, snapshot_json = rows[0]
    sections = dict(con.execute("select section, body from report_sections where report_id = ?", [rid]).fetchall())
    return {"report_id": rid, "period": period, "start": start, "end": end, "compare": compare,
            "scope": json.loads(scope_json), "lang": lang, "snapshot": json.loads(snapshot_json),
            "sections": sections}


def find_previous_report(con: duckdb.DuckDBPyConnection, scope: dict[str, Any], end: date,
                         report_id: int | None = None) -> dict[str, Any] | None:
    """The latest saved report of the same scope whose period ended before ``end`` (the last review)."""
    if not has_report_tables(con):
        return None
    scope_json = json.dumps(normalize_scope(scope), ensure_ascii=False, sort_keys=True)
    rows = con.execute(
        "select report_id from reports where scope_json = ? and end_date < ? and report_id <> ? "
        "order by end_date desc, report_id desc limit 1",
        [scope_json, end, int(report_id or -1)],
    ).fetchall()
    return load_saved_report(con, rows[0][0]) if rows else None


ACTION_COLUMNS = ("action_id", "what", "owner", "due_date", "status", "created_report_id", "closed_report_id")


def load_actions(con: duckdb.DuckDBPyConnection, report_id: int | None = None) -> list[dict[str, Any]]:
    """The review actions a report shows, oldest first.

    A new (unsaved) report shows every action not yet closed in a saved report: those agreed at earlier
    reviews are carried into it. A saved report shows the actions created in it or before it that were
    not closed before it (so reopening a report shows what it showed)."""
    if not has_report_tables(con):
        return []
    if report_id is None:
        where, params = "closed_report_id is null", []
    else:
        where = ("coalesce(created_report_id, 0) <= ? and (closed_report_id is null or closed_report_id >= ?)")
        params = [int(report_id), int(report_id)]
    frame = con.execute(
        f"select {', '.join(ACTION_COLUMNS)} from review_actions where {where} order by action_id", params  # noqa: S608 constant columns
    ).df()
    return [
        {
            "action_id": int(r.action_id),
            "what": r.what,
            "owner": r.owner if isinstance(r.owner, str) else "",
            "due_date": as_date(r.due_date),
            "status": r.status,
            "created_report_id": None if pd.isna(r.created_report_id) else int(r.created_report_id),
            "closed_report_id": None if pd.isna(r.closed_report_id) else int(r.closed_report_id),
        }
        for r in frame.itertuples(index=False)
    ]


class ActionsInvalid(ValueError):
    """An edited action that cannot be stored; the message names the row and the fix."""


def clean_actions(actions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for number, action in enumerate(actions, start=1):
        what = str(action.get("what") or "").strip()
        if not what:
            continue  # an empty row of the editor
        status = action.get("status") or "open"
        if status not in ACTION_STATUSES:
            raise ActionsInvalid(f"row {number}: status must be one of {', '.join(ACTION_STATUSES)}")
        due = action.get("due_date")
        if due is None or due is pd.NaT or (not isinstance(due, str) and pd.isna(due)):
            due = None
        elif isinstance(due, datetime):
            due = due.date()
        elif not isinstance(due, date):
            try:
                due = pd.Timestamp(due).date()
            except (TypeError, ValueError):
                raise ActionsInvalid(f"row {number}: due date {due!r} is not a date") from None
        action_id = action.get("action_id")
        action_id = None if action_id is None or pd.isna(action_id) else int(action_id)
        owner = action.get("owner")
        out.append({"action_id": action_id, "what": what,
                    "owner": "" if owner is None or (not isinstance(owner, str) and pd.isna(owner)) else str(owner).strip(),
                    "due_date": due, "status": status})
    return out


def _write_report_row(con: duckdb.DuckDBPyConnection, report: Report, user_name: str | None, scope_json: str,
                      snapshot_json: str) -> int:
    """Insert the report's row (a new id) or, for a saved report, update its language and snapshot; its id."""
    report_id = report.report_id
    if report_id is None:
        report_id = int(con.execute("select nextval('report_id_seq')").fetchall()[0][0])
        con.execute(
            "insert into reports (report_id, period, start_date, end_date, compare, scope_json, lang, created_at, "
            "updated_at, user_name, snapshot_json) values (?, ?, ?, ?, ?, ?, ?, current_timestamp, "
            "current_timestamp, ?, ?)",
            [report_id, report.period, report.start, report.end, report.compare, scope_json, report.lang,
             user_name, snapshot_json],
        )
    else:
        con.execute(
            "update reports set lang = ?, snapshot_json = ?, updated_at = current_timestamp where report_id = ?",
            [report.lang, snapshot_json, report_id],
        )
    return report_id


def _write_section_texts(con: duckdb.DuckDBPyConnection, report_id: int, texts: dict[str, str]) -> None:
    """Store the edited text of the editable sections (other keys are ignored)."""
    for key, body in texts.items():
        if key not in EDITABLE_SECTIONS:
            continue
        con.execute(
            "insert or replace into report_sections (report_id, section, body, updated_at) "
            "values (?, ?, ?, current_timestamp)",
            [report_id, key, body or ""],
        )


def _write_actions(con: duckdb.DuckDBPyConnection, report_id: int, cleaned: list[dict[str, Any]]) -> None:
    """Create the new review actions and update the others, closing those done or dropped in this report."""
    for action in cleaned:
        closing = action["status"] in ("done", "dropped")
        if action["action_id"] is None:
            con.execute(
                "insert into review_actions (action_id, what, owner, due_date, status, created_report_id, "
                "closed_report_id, created_at, updated_at) values (nextval('review_action_id_seq'), ?, ?, ?, ?, ?, ?, "
                "current_timestamp, current_timestamp)",
                [action["what"], action["owner"], action["due_date"], action["status"], report_id,
                 report_id if closing else None],
            )
        else:
            con.execute(
                "update review_actions set what = ?, owner = ?, due_date = ?, status = ?, "
                "closed_report_id = case when ? then coalesce(closed_report_id, ?) else null end, "
                "updated_at = current_timestamp where action_id = ?",
                [action["what"], action["owner"], action["due_date"], action["status"], closing, report_id,
                 action["action_id"]],
            )


def save_report(con: duckdb.DuckDBPyConnection, report: Report, *, texts: dict[str, str] | None = None,
                actions: list[dict[str, Any]] | None = None, user_name: str | None = None,
                on_commit: Callable[[duckdb.DuckDBPyConnection, int], None] | None = None) -> int:
    """Store the report (a new one, or ``report.report_id`` again): its snapshot, the edited text of
    sections 5-8 and the review actions, in one transaction. Actions marked done or dropped are closed
    in this report; new rows are created in it. Returns the report id. The report must not be masked
    (the snapshot keeps account ids, and the text is stored as written). ``on_commit(con, report_id)``
    runs inside the transaction just before it commits (the audit entry)."""
    if report.masked:
        raise ValueError("save the unmasked report; masking is for showing and exporting only")
    texts = texts if texts is not None else {s.key: s.text for s in report.sections if s.editable}
    cleaned = clean_actions(actions if actions is not None else report.actions)
    scope_json = json.dumps(normalize_scope(report.scope), ensure_ascii=False, sort_keys=True)
    snapshot_json = json.dumps(report.snapshot, ensure_ascii=False, sort_keys=True, default=str)
    con.execute("begin transaction")
    try:
        report_id = _write_report_row(con, report, user_name, scope_json, snapshot_json)
        _write_section_texts(con, report_id, texts)
        _write_actions(con, report_id, cleaned)
        if on_commit is not None:
            on_commit(con, int(report_id))
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    return int(report_id)


def data_state(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """The imports behind the figures: how many are committed, the latest committed and the latest of
    any status (an undo or a new import changes it). Stored in the snapshot, compared on reopening."""
    committed, last_committed, last_any = con.execute(
        "select count(*) filter (where status = 'committed'), max(import_id) filter (where status = 'committed'), "
        "max(import_id) from imports").fetchall()[0]
    return {"committed": int(committed), "last_committed": int(last_committed or 0), "last_import": int(last_any or 0)}
