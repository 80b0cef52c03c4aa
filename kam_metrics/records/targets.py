"""Targets (docs/data-model.md ``targets``) as an editable table: load, validate and save the edits of the
Settings page's targets editor. Imports go through kam_metrics.ingest.stage; this module only serves the
editor, writing what changed in one transaction (unchanged rows keep their import_id).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import duckdb
import pandas as pd

from kam_metrics.domain.enums import TARGET_LEVELS

TARGET_COLUMNS = ("period", "level", "key", "revenue_target", "volume_target")
_PERIOD = re.compile(r"[0-9]{4}(Q[1-4]|-(0[1-9]|1[0-2]))?")

LOAD_TARGETS_SQL = """
select period, level, "key", revenue_target, volume_target
from targets
order by period, level, "key"
"""
DELETE_TARGET_SQL = 'delete from targets where period = $period and level = $level and "key" = $key'
UPSERT_TARGET_SQL = """
insert or replace into targets (period, level, "key", revenue_target, volume_target, import_id)
values ($period, $level, $key, $revenue_target, $volume_target, null)
"""


@dataclass(frozen=True)
class TargetProblem:
    """One invalid cell: the row (1-based, as the editor shows it), the column, and a message key of
    the catalogue (messages_sales) with its fields; the message says how to fix it."""

    row: int
    column: str
    message_key: str
    fields: dict[str, Any]


class TargetsInvalid(ValueError):
    """Raised by :func:`save_targets` when the edited table has invalid rows; nothing is written."""

    def __init__(self, problems: list[TargetProblem]):
        super().__init__(f"{len(problems)} invalid target cell(s); first: {problems[0]}")
        self.problems = problems


def load_targets(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every target row: period, level, key, revenue_target, volume_target (one row per target)."""
    return con.execute(LOAD_TARGETS_SQL).df()


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or (isinstance(value, str) and not value.strip())


def normalize_targets(frame: pd.DataFrame) -> pd.DataFrame:
    """The editor's frame with text trimmed, rows left completely empty dropped, and a company key of ''."""
    frame = frame.reindex(columns=list(TARGET_COLUMNS)).copy()
    empty = frame.apply(lambda row: all(_blank(v) for v in row), axis=1) if len(frame) else pd.Series(dtype=bool)
    frame = frame[~empty] if len(frame) else frame
    for column in ("period", "level", "key"):
        frame[column] = [("" if _blank(v) else str(v).strip()) for v in frame[column]]
    frame.loc[frame["level"] == "company", "key"] = ""
    return frame.reset_index(drop=True)


def validate_targets(frame: pd.DataFrame) -> list[TargetProblem]:
    """Every problem of a normalized targets frame (all at once, not only the first)."""
    problems: list[TargetProblem] = []
    seen: dict[tuple, int] = {}
    for index, row in enumerate(frame.itertuples(index=False), start=1):
        if not _PERIOD.fullmatch(row.period):
            problems.append(TargetProblem(index, "period", "targets.bad_period", {"value": row.period}))
        if row.level not in TARGET_LEVELS:
            problems.append(TargetProblem(index, "level", "targets.bad_level", {"value": row.level}))
        elif row.level != "company" and not row.key:
            problems.append(TargetProblem(index, "key", "targets.missing_key", {"level": row.level}))
        for column in ("revenue_target", "volume_target"):
            value = getattr(row, column)
            if _blank(value):
                continue
            try:
                number = float(value)
            except (TypeError, ValueError):
                problems.append(TargetProblem(index, column, "targets.not_a_number", {"value": value}))
                continue
            if number < 0 or math.isinf(number):
                problems.append(TargetProblem(index, column, "targets.negative", {"value": value}))
        if _blank(row.revenue_target) and _blank(row.volume_target):
            problems.append(TargetProblem(index, "revenue_target", "targets.no_value", {}))
        identity = (row.period, row.level, row.key)
        if identity in seen:
            problems.append(TargetProblem(index, "period", "targets.duplicate", {"other": seen[identity]}))
        else:
            seen[identity] = index
    return problems


def _number(value: Any) -> float | None:
    return None if _blank(value) else float(value)


def save_targets(con: duckdb.DuckDBPyConnection, edited: pd.DataFrame,
                 on_commit: Callable[[duckdb.DuckDBPyConnection, dict[str, int]], None] | None = None) -> dict[str, int]:
    """Make the targets table equal to ``edited`` (the whole table as edited), in one transaction;
    ``on_commit(con, counts)`` runs inside it just before it commits (the audit entry).

    Raises :class:`TargetsInvalid` (nothing written) when a row is invalid. Rows whose values did not
    change are left alone; changed and new rows are written without an import_id; rows no longer
    present are deleted. Returns {"inserted", "updated", "deleted"}.
    """
    frame = normalize_targets(edited)
    problems = validate_targets(frame)
    if problems:
        raise TargetsInvalid(problems)
    current = {
        (r.period, r.level, r.key): (_number(r.revenue_target), _number(r.volume_target))
        for r in load_targets(con).itertuples(index=False)
    }
    wanted = {
        (r.period, r.level, r.key): (_number(r.revenue_target), _number(r.volume_target))
        for r in frame.itertuples(index=False)
    }
    deleted = [k for k in current if k not in wanted]
    inserted = [k for k in wanted if k not in current]
    updated = [k for k in wanted if k in current and wanted[k] != current[k]]
    con.execute("begin transaction")
    try:
        for period, level, key in deleted:
            con.execute(DELETE_TARGET_SQL, {"period": period, "level": level, "key": key})
        for period, level, key in inserted + updated:
            revenue, volume = wanted[(period, level, key)]
            con.execute(
                UPSERT_TARGET_SQL,
                {"period": period, "level": level, "key": key, "revenue_target": revenue, "volume_target": volume},
            )
        counts = {"inserted": len(inserted), "updated": len(updated), "deleted": len(deleted)}
        if on_commit is not None:
            on_commit(con, counts)
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    return counts
