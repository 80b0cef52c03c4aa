"""客户资料 Account records: search the accounts, edit them in place with the importer's own
validation, record every changed cell (who, when, old, new) and undo one change.

Validation is the importer's: the edited rows go, as text, through the same SQL that parses and checks
an imported accounts file (kam_metrics.ingest.stage: the cleaning macros, ``_stage_rows`` with its parsing
expressions and row checks), so "大型" is read as large, "2025/1/5" as a date, and a bad value is
refused with the importer's problem text and fix, naming the row and column. Nothing is written unless
every edited row passes.
"""

from __future__ import annotations

import json
import math
from datetime import date, datetime
from typing import Any

import duckdb
import pandas as pd

from kam_metrics.access import audit as audit_log
from kam_metrics.access import policy as access
from kam_metrics.access.policy import Actor
from kam_metrics.ingest.read import Problem

#: the columns the editor shows, in order; account_id is the key and cannot be edited
COLUMNS = ("account_id", "account_name", "industry", "scale", "region", "city", "owner", "group_name",
           "is_key_account", "cooperation_start", "status", "churned_on", "referred_by")
EDITABLE = COLUMNS[1:]
DATE_COLUMNS = ("cooperation_start", "churned_on")
#: what the search box can look in
SEARCH_FIELDS = ("all", "account_id", "account_name", "region", "industry", "owner")
MAX_ROWS = 1000


class EditsInvalid(Exception):
    """Edited rows that the importer would refuse; nothing was written."""

    def __init__(self, problems: list[dict[str, Any]]):
        self.problems = problems
        first = problems[0] if problems else {}
        super().__init__(f"{len(problems)} problem(s); first: row {first.get('row')}, column {first.get('column')}: "
                         f"{first.get('problem_en')}")


class EditConflict(Exception):
    """The value changed in the database since it was shown (or since the change being undone)."""

    def __init__(self, account_id: str, column: str, shown: Any, current: Any):
        self.account_id, self.column, self.shown, self.current = account_id, column, shown, current
        super().__init__(f"{account_id}.{column} is now {current!r}, not {shown!r}: reload and edit again.")


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _where(query: str, field: str) -> tuple[str, list[Any]]:
    text = (query or "").strip()
    if not text:
        return "true", []
    if field not in SEARCH_FIELDS:
        raise ValueError(f"search field must be one of {', '.join(SEARCH_FIELDS)}")
    fields = SEARCH_FIELDS[1:] if field == "all" else (field,)
    pattern = "%" + _like_escape(text.lower()) + "%"
    # identifiers come from SEARCH_FIELDS, a fixed allow-list; the text is a parameter
    return "(" + " or ".join(f"lower(coalesce({f}, '')) like ? escape '\\'" for f in fields) + ")", [pattern] * len(fields)


def search_accounts(con: duckdb.DuckDBPyConnection, query: str = "", field: str = "all", limit: int = MAX_ROWS) -> pd.DataFrame:
    """Accounts whose id, name, region, industry or owner (``field``, or all of them) contains ``query``
    (case-insensitive), ordered by account id, at most ``limit`` rows."""
    where, params = _where(query, field)
    sql = "select " + ", ".join(COLUMNS) + " from accounts where " + where + " order by account_id limit ?"  # noqa: S608 allow-listed
    frame = con.execute(sql, params + [int(limit)]).df()
    for column in DATE_COLUMNS:
        frame[column] = [None if _is_missing(v) else pd.Timestamp(v).date() for v in frame[column]]
    frame["is_key_account"] = frame["is_key_account"].astype("boolean")
    return frame


def count_accounts(con: duckdb.DuckDBPyConnection, query: str = "", field: str = "all") -> int:
    where, params = _where(query, field)
    return int(con.execute("select count(*) from accounts where " + where, params).fetchall()[0][0])  # noqa: S608


# --- normalising values ---------------------------------------------------------------------------

def _is_missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    try:
        return bool(pd.isna(value)) if not isinstance(value, (str, bytes, list, tuple, dict)) else False
    except (TypeError, ValueError):
        return False


def normalise(column: str, value: Any) -> Any:
    """A cell as plain Python, comparable with what the database holds: None, str, bool or date."""
    if _is_missing(value):
        return None
    if column in DATE_COLUMNS:
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        if isinstance(value, pd.Timestamp):
            return value.date()
        return str(value)  # typed text: parsed by the importer's rules
    if column == "is_key_account":
        if isinstance(value, str):
            return value
        return bool(value)
    if hasattr(value, "item"):
        value = value.item()
    return value if isinstance(value, str) else str(value)


def _as_text(value: Any) -> str | None:
    """The text the importer would have read for this cell."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _to_json(value: Any) -> str:
    return json.dumps(value.isoformat() if isinstance(value, date) else value, ensure_ascii=False)


def _from_json(column: str, text: str | None) -> Any:
    value = None if text is None else json.loads(text)
    if value is not None and column in DATE_COLUMNS:
        return date.fromisoformat(value)
    return value


# --- validation with the importer's checks --------------------------------------------------------

def validate_rows(rows: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[Problem]]:
    """Parse and check full account rows (``COLUMNS`` -> value) exactly as an imported accounts file;
    returns (parsed rows in the same order, problems). A problem's row is the 1-based position in ``rows``."""
    from kam_metrics.ingest import stage as ingest  # the importer's parsing and checks (private helpers, reused on purpose)
    from kam_metrics.ingest.read import RawTable
    from kam_metrics.ingest.spec import TABLES

    spec = TABLES["accounts"]
    stage = duckdb.connect()
    try:
        for macro in ingest._CLEAN_MACROS + ingest._DATE_TEXT_MACROS + ingest._DATE_MACROS:
            stage.execute(macro)
        frame = pd.DataFrame(
            [[_as_text(row.get(c)) for c in COLUMNS] for row in rows],
            columns=[f"c{i}" for i in range(len(COLUMNS))], dtype="object",
        ).astype("string")
        frame["_row"] = range(1, len(rows) + 1)
        stage.register("edited_frame", frame)
        stage.execute("create table raw as select * from edited_frame")
        stage.unregister("edited_frame")
        raw = RawTable(list(COLUMNS), len(rows), "editor", None, None, 0)
        staged = ingest._stage_rows(stage, spec, raw, {c: c for c in COLUMNS}, "records", None, False, {})
    finally:
        stage.close()
    problems = list(staged.problems)
    if any(p.row for p in problems):  # the row problems say it all; drop the importer's file-level summary
        problems = [p for p in problems if p.row or p.column]
    parsed = {r["_row"]: r for r in staged.rows.to_pylist()}
    out: list[dict[str, Any]] = []
    for position in range(1, len(rows) + 1):
        row = parsed.get(position)
        if row is None:
            out.append({})
            continue
        row = {c: row.get(c) for c in COLUMNS}
        if row.get("status") is None and not any(p.row == position and p.column == "status" for p in problems):
            # NOT NULL in the database: an import would be refused there
            problems.append(Problem(position, "status", None, "状态不能为空。", "The status cannot be empty.",
                                    "请选择 active(活跃)或 churned(流失)。", "Choose active or churned."))
        out.append(row)
    return out, problems


def _problem_dicts(problems: list[Problem], account_ids: list[str]) -> list[dict[str, Any]]:
    out = []
    for p in problems:
        out.append({
            "row": p.row, "account_id": account_ids[p.row - 1] if p.row and p.row <= len(account_ids) else None,
            "column": p.column, "value": p.value, "problem_zh": p.problem_zh, "problem_en": p.problem_en,
            "fix_zh": p.fix_zh, "fix_en": p.fix_en,
        })
    return out


def diff_edits(original: pd.DataFrame, edited: pd.DataFrame) -> list[tuple[int, str, dict[str, Any], dict[str, Any]]]:
    """The rows the editor changed: (1-based row in the editor, account_id, {column: (shown, typed)},
    the whole row as shown)."""
    changes = []
    for position, (index, row) in enumerate(edited.iterrows(), start=1):
        if index not in original.index:
            continue
        before = original.loc[index]
        cells = {}
        for column in EDITABLE:
            if column not in edited.columns:
                continue
            shown, typed = normalise(column, before[column]), normalise(column, row[column])
            if shown != typed:
                cells[column] = (shown, typed)
        if cells:
            shown_row = {c: normalise(c, before[c]) for c in COLUMNS if c in original.columns}
            changes.append((position, str(before["account_id"]), cells, shown_row))
    return changes


def _current(con: duckdb.DuckDBPyConnection, account_id: str, column: str) -> tuple[bool, Any]:
    if column not in EDITABLE:
        raise ValueError(f"not an editable column: {column!r}")
    row = con.execute("select " + column + " from accounts where account_id = ?", [account_id]).fetchall()  # noqa: S608
    return (True, normalise(column, row[0][0])) if row else (False, None)


def save_edits(con: duckdb.DuckDBPyConnection, actor: Actor, original: pd.DataFrame, edited: pd.DataFrame) -> list[dict[str, Any]]:
    """Validate and write the editor's changes in one transaction; return the recorded changes.

    Raises PermissionDenied (role), EditsInvalid (a value the importer would refuse; nothing written) or
    EditConflict (someone changed a shown value meanwhile; nothing written)."""
    access.require(actor.role, "edit_accounts")
    changed = diff_edits(original, edited)
    if not changed:
        return []
    full_rows = []
    for _, _, cells, shown_row in changed:
        row = dict(shown_row)
        row.update({c: typed for c, (_, typed) in cells.items()})
        full_rows.append(row)
    parsed, problems = validate_rows(full_rows)
    account_ids = [a for _, a, _, _ in changed]
    if problems:
        # the problem's row is the position among the changed rows: report the editor's row instead
        positions = [p for p, _, _, _ in changed]
        found = _problem_dicts(problems, account_ids)
        for item in found:
            if item["row"]:
                item["row"] = positions[item["row"] - 1]
        raise EditsInvalid(found)
    recorded: list[dict[str, Any]] = []
    con.execute("begin transaction")
    try:
        for (_, account_id, cells, _), new_row in zip(changed, parsed):
            for column, (shown, _) in cells.items():
                new = normalise(column, new_row[column])
                exists, current = _current(con, account_id, column)
                if not exists or current != shown:
                    raise EditConflict(account_id, column, shown, current)
                if new == current:
                    continue
                con.execute("update accounts set " + column + " = ? where account_id = ?", [new, account_id])  # noqa: S608
                change_id = con.execute("select nextval('account_change_id_seq')").fetchall()[0][0]
                con.execute(
                    "insert into account_changes (change_id, changed_at, user_name, account_id, column_name, old_value, new_value) "
                    "values (?, current_timestamp, ?, ?, ?, ?, ?)",
                    [change_id, actor.name, account_id, column, _to_json(current), _to_json(new)],
                )
                recorded.append({"change_id": int(change_id), "account_id": account_id, "column": column, "old": current, "new": new})
        if recorded:
            audit_log.audit(con, actor, "edit_accounts", target=", ".join(sorted({r["account_id"] for r in recorded}))[:500],
                         detail={"changes": [r["change_id"] for r in recorded]})
        con.execute("commit")
    except duckdb.ConstraintException as exc:
        con.execute("rollback")
        raise EditsInvalid([{"row": None, "account_id": None, "column": None, "value": None,
                             "problem_zh": f"数据库拒绝了这些数据:{str(exc).splitlines()[0]}",
                             "problem_en": f"The database refused the data: {str(exc).splitlines()[0]}",
                             "fix_zh": "请检查取值;未作任何改动。", "fix_en": "Check the values; nothing was changed."}]) from None
    except BaseException:
        con.execute("rollback")
        raise
    return recorded


def list_changes(con: duckdb.DuckDBPyConnection, *, limit: int = 200, account_id: str | None = None) -> pd.DataFrame:
    """Recorded changes, newest first: change_id, changed_at, user_name, account_id, column_name, old_value,
    new_value (as shown text), undone_at, undone_by."""
    rows = con.execute(
        "select change_id, changed_at, user_name, account_id, column_name, old_value, new_value, undone_at, undone_by "
        "from account_changes where $account is null or account_id = $account order by change_id desc limit $limit",
        {"account": account_id, "limit": int(limit)},
    ).fetchall()
    frame = pd.DataFrame(rows, columns=["change_id", "changed_at", "user_name", "account_id", "column_name",
                                        "old_value", "new_value", "undone_at", "undone_by"])
    for column in ("old_value", "new_value"):
        frame[column] = [None if v is None else _display(json.loads(v)) for v in frame[column]]
    return frame


def _display(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def undo_change(con: duckdb.DuckDBPyConnection, actor: Actor, change_id: int) -> dict[str, Any]:
    """Put back the old value of one recorded change. Refused (EditConflict) when the value is no longer
    the change's new value (a later change or an import came after: undo that first)."""
    access.require(actor.role, "edit_accounts")
    con.execute("begin transaction")
    try:
        row = con.execute(
            "select account_id, column_name, old_value, new_value, undone_at from account_changes where change_id = ?",
            [int(change_id)],
        ).fetchall()
        if not row:
            raise KeyError(f"there is no change {change_id}")
        account_id, column, old_text, new_text, undone_at = row[0]
        if undone_at is not None:
            raise EditConflict(account_id, column, "(undone already)", None)
        old, new = _from_json(column, old_text), _from_json(column, new_text)
        exists, current = _current(con, account_id, column)
        if not exists or current != new:
            raise EditConflict(account_id, column, new, current)
        con.execute("update accounts set " + column + " = ? where account_id = ?", [old, account_id])  # noqa: S608
        con.execute("update account_changes set undone_at = current_timestamp, undone_by = ? where change_id = ?",
                    [actor.name, int(change_id)])
        audit_log.audit(con, actor, "undo_edit", target=account_id, detail={"change_id": int(change_id), "column": column})
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return {"change_id": int(change_id), "account_id": account_id, "column": column, "restored": old}
