"""Streamlit-side helpers of the import page: stage an upload once per set of choices, commit, undo,
history. The work itself is kam_metrics.ingest.stage; this module only keeps results in session state and
clears the cached page data after a write."""

from __future__ import annotations

import hashlib
from typing import Any

import pandas as pd
import streamlit as st

from kam_metrics.ingest import stage as ingest
from kam_metrics.ingest.spec import ENUMS, TABLES
from kam_metrics.ingest.stage import ImportRejected, StagedImport
from kam_metrics.store import connection as store

_STAGED_KEY = "imp_staged"


def stage_upload(
    data: bytes, file_name: str, table: str, options: dict[str, Any], progress=None
) -> StagedImport | ImportRejected:
    """The staged import for these bytes and choices, computed once and kept in session state.
    ``progress(fraction, step)`` follows the work (see kam_metrics.ingest.stage.stage_file)."""
    key = (hashlib.sha256(data).hexdigest(), file_name, table, repr(sorted(options.items())))
    cache: dict = st.session_state.setdefault(_STAGED_KEY, {})
    if key in cache:
        return cache[key]
    try:
        result: StagedImport | ImportRejected = ingest.stage_file(
            data, file_name, table, db=store.resolve_db_path(None), progress=progress, **options
        )
    except ImportRejected as rejected:
        result = rejected
    while len(cache) >= 3:  # a few recent choices, so switching back and forth is instant
        cache.pop(next(iter(cache)))
    cache[key] = result
    return result


def forget_staged() -> None:
    st.session_state.pop(_STAGED_KEY, None)


def commit(staged: StagedImport, mode: str, replace_scope: str) -> dict[str, Any]:
    """Write the staged rows as the session's user (kam_metrics.commands.commit_import refuses a role that may
    not import); afterwards every page's cached data is cleared so it shows the new data."""
    from kam_app import auth
    from kam_metrics import commands

    record = commands.commit_import(store.resolve_db_path(None), staged, auth.current_actor(), mode=mode, replace_scope=replace_scope)
    st.cache_data.clear()
    forget_staged()
    return record


def undo(import_id: int) -> dict[str, Any]:
    from kam_app import auth
    from kam_metrics import commands

    result = commands.undo_import(store.resolve_db_path(None), import_id, auth.current_actor())
    st.cache_data.clear()
    return result


def load_history() -> pd.DataFrame:
    """Every import, newest first (an empty frame when the database does not exist yet)."""
    path = store.resolve_db_path(None)
    if not path.exists():
        return pd.DataFrame()
    with store.open_db(path, wait_seconds=8) as con:
        rows = ingest.import_history(con)
    return pd.DataFrame(rows[::-1])


def codes_of(table: str, column: str) -> list[str]:
    """The codes a coded column of ``table`` stores, in their order."""
    from kam_metrics.domain.enums import IMPORTABLE

    return list(IMPORTABLE[TABLES[table].column(column).enum or ""].codes)


def code_label(table: str, column: str, code: str, lang: str) -> str:
    """"won · 赢单": the code with its label in ``lang`` where the catalogue has one."""
    from kam_metrics.domain.enums import IMPORTABLE
    from kam_metrics.i18n import CATALOGUE

    prefix = IMPORTABLE[TABLES[table].column(column).enum or ""].label_key
    label = CATALOGUE.get(f"{prefix}.{code}", {}).get(lang) if prefix else None
    return f"{code} · {label}" if label and label != code else code


def column_label(table: str, column: str, lang: str) -> str:
    """"订单日期 (order_date)" / "Order date (order_date)": a column of the table in the user's language,
    with the name that --map uses; the Chinese label is the column's first Chinese header alias."""
    if lang == "zh":
        label = next((a for a in TABLES[table].column(column).aliases if any("\u4e00" <= ch <= "\u9fff" for ch in a)), None)
    else:
        label = column.replace("_", " ").capitalize()
    return f"{label} ({column})" if label else column


def suggest_code(table: str, column: str, value: str) -> str | None:
    """The code whose code or known label is closest to ``value`` (rapidfuzz similarity 60 or more), else None."""
    import rapidfuzz

    recoding = ENUMS[TABLES[table].column(column).enum or ""]
    match = rapidfuzz.process.extractOne(value.strip().lower(), list(recoding), scorer=rapidfuzz.fuzz.ratio, score_cutoff=60)
    return recoding[match[0]] if match else None


def load_rejects(import_id: int, lang: str) -> list[dict[str, Any]]:
    """The rows import ``import_id`` set aside, with their problems in ``lang``."""
    with store.open_db(store.resolve_db_path(None), wait_seconds=8) as con:
        return ingest.import_rejects(con, import_id, lang)


def sample_rows(staged: StagedImport, limit: int = 20) -> pd.DataFrame:
    return staged.rows.slice(0, limit).to_pandas().drop(columns=["_row"], errors="ignore")


def mapping_frame(staged: StagedImport, not_imported: str) -> pd.DataFrame:
    """One row per source column: its header, three sample values, the canonical column it maps to and
    how sure that match is (0-100; 100 for an exact name or alias, empty when not mapped)."""
    return pd.DataFrame(
        {
            "source": list(staged.mapping),
            "sample": [staged.samples.get(h, "") for h in staged.mapping],
            "target": [c or not_imported for c in staged.mapping.values()],
            "confidence": [staged.confidence.get(h) for h in staged.mapping],
        }
    )


def proposed_table(headers: list[str]) -> str | None:
    """The table these headers point to clearly (its required columns present, more columns mapped than
    any other table), else None (kam_metrics.ingest.stage.rank_tables)."""
    return ingest.clear_choice(ingest.rank_tables(headers))


def list_sheets(data: bytes) -> list[tuple[str, int]]:
    """The sheets of a workbook upload (xlsx, xlsm, xls, xlsb, ods) with their row counts, read with
    python-calamine under the importer's size limits (empty when it cannot be opened; staging then
    says why)."""
    from kam_metrics.ingest.read import list_workbook_sheets

    try:
        return list_workbook_sheets(data)
    except ImportRejected:
        return []
