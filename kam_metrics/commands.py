"""Every write a user makes, as a command: the role is checked (``access.policy.require``), the write
runs, and its audit entry is written in the write's own transaction (an ``on_commit`` hook), so both
happen or neither.

May import: every ``kam_metrics`` package except ``cli``; nothing but ``cli`` and ``kam_app`` imports it.
"""

from __future__ import annotations

from typing import Any

import duckdb

from kam_metrics.access.audit import audit
from kam_metrics.access.policy import Actor, require
from kam_metrics.ingest import stage as ingest
from kam_metrics.metrics import satisfaction
from kam_metrics.records import targets
from kam_metrics.report import store as report_store
from kam_metrics.store import settings


def commit_import(db, staged, actor: Actor, *, mode: str = "append", replace_scope: str = "range") -> dict[str, Any]:
    """kam_metrics.ingest.stage.commit_staged for an editor: the import records the user, and the audit entry
    saying who imported what is written in the import's own transaction (both or neither)."""
    require(actor.role, "import")

    def log(con, summary: dict[str, Any]) -> None:
        audit(con, actor, "import", target=f"import {summary['import_id']}", detail={
            "table": summary["table_name"], "file_name": summary["file_name"], "mode": mode,
            "rows_inserted": summary["rows_inserted"], "rows_updated": summary["rows_updated"]})

    return ingest.commit_staged(db, staged, mode=mode, replace_scope=replace_scope, user_name=actor.name, on_commit=log)


def undo_import(db, import_id: int, actor: Actor) -> dict[str, Any]:
    """kam_metrics.ingest.stage.undo_import for an editor, recorded in the audit log in the undo's transaction."""
    require(actor.role, "undo_import")

    def log(con: duckdb.DuckDBPyConnection, result: dict[str, Any]) -> None:
        audit(con, actor, "undo_import", target=f"import {import_id}", detail=result)

    return ingest.undo_import(db, import_id, on_commit=log)


def save_settings(con: duckdb.DuckDBPyConnection, actor: Actor, values: dict[str, Any]) -> None:
    """kam_metrics.store.settings.save_settings for an admin, with the audit entry in the same transaction."""
    require(actor.role, "edit_settings")

    def log(c: duckdb.DuckDBPyConnection) -> None:
        audit(c, actor, "edit_settings", detail=values)

    settings.save_settings(con, values, on_commit=log)


def save_targets(con: duckdb.DuckDBPyConnection, actor: Actor, edited) -> dict[str, int]:
    """kam_metrics.records.targets.save_targets for an editor, audited in the same transaction."""
    require(actor.role, "edit_targets")

    def log(c: duckdb.DuckDBPyConnection, counts: dict[str, int]) -> None:
        audit(c, actor, "edit_targets", detail=counts)

    return targets.save_targets(con, edited, on_commit=log)


def save_survey_items(con: duckdb.DuckDBPyConnection, actor: Actor, edited) -> int:
    """kam_metrics.metrics.satisfaction.save_survey_item_settings for an editor, audited in the same transaction."""
    require(actor.role, "edit_survey_items")

    def log(c: duckdb.DuckDBPyConnection, n: int) -> None:
        audit(c, actor, "edit_survey_items", detail={"items": n})

    return satisfaction.save_survey_item_settings(con, edited, on_commit=log)


def save_report(con: duckdb.DuckDBPyConnection, actor: Actor, report, texts: dict[str, str],
                actions: list[dict[str, Any]]) -> int:
    """kam_metrics.report.store.save_report for an editor (the report records the user), audited in the same
    transaction."""
    require(actor.role, "edit_report")

    def log(c: duckdb.DuckDBPyConnection, rid: int) -> None:
        audit(c, actor, "edit_report", target=f"report {rid}", detail={"period": report.period})

    return report_store.save_report(con, report, texts=texts, actions=actions, user_name=actor.name, on_commit=log)
