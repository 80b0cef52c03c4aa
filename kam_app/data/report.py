"""Cached loaders of the Review report page: the report model, the choices of scope and saved
reports, saving, and the exports. One unit of work per call, cached by the database file's state."""

from __future__ import annotations

import json
from typing import Any

import streamlit as st

from kam_app.data.cache import cached_query, db_path, db_version, guarded, with_connection, write_unit
from kam_metrics import commands
from kam_metrics.domain.filters import Filters
from kam_metrics.report import build as reports
from kam_metrics.report import model as report_model
from kam_metrics.report import store as report_store


# not @cached_query: the churn scores come from their own cached loader, read before this unit of work
# opens the file, and are not part of the cache key
@st.cache_data(show_spinner=False, max_entries=32)
def _report(path_text: str, version: tuple, filters: Filters, lang: str, scope_json: str, report_id: int | None):
    from kam_app.data.churn import load_churn

    churn_result = load_churn(filters.end)  # the Churn risk page's cached scores, not a second scoring run

    def work(con):
        return reports.build_report(con, filters, lang, json.loads(scope_json), report_id=report_id,
                                    churn_result=churn_result)

    return with_connection(path_text, work)


def load_report(filters: Filters, lang: str, scope: dict[str, Any], report_id: int | None) -> report_model.Report:
    """The unmasked report (kam_metrics.report.build.build_report) with the saved text and actions of
    ``report_id`` when given."""
    path = db_path()
    scope_json = json.dumps(report_model.normalize_scope(scope), ensure_ascii=False, sort_keys=True)
    return guarded(_report, str(path), db_version(path), filters, lang, scope_json, report_id)


@cached_query(max_entries=16)
def load_report_options(con) -> dict[str, Any]:
    """Scope choices (owners, regions, accounts {id: name}) and the saved reports, newest first."""
    return report_store.load_scope_options(con)


def save_report(report: report_model.Report, texts: dict[str, str], actions: list[dict[str, Any]], actor) -> int:
    """Store the report with its edited text and actions as ``actor`` (kam_metrics.commands.save_report:
    role checked, the user recorded, audited in the same transaction); the cached loaders see it on the
    next rerun as the database file changes. Raises ActionsInvalid."""
    return write_unit(commands.save_report, actor, report, texts, actions)


def export(report: report_model.Report, fmt: str) -> bytes:
    """The report as pptx, html or xlsx bytes (nothing cached: the page's edits are part of it)."""
    return reports.render(report, fmt)
