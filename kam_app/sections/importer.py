"""Streamlit-side helpers of the import page: stage an upload once per set of choices, commit, undo,
history. The work itself is kam_metrics.ingest.stage; this module only keeps results in session state and
clears the cached page data after a write."""

from __future__ import annotations

import hashlib
from typing import Any

import pandas as pd
import streamlit as st

from kam_metrics.ingest import stage as ingest
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


def load_rejects(import_id: int, lang: str) -> list[dict[str, Any]]:
    """The rows import ``import_id`` set aside, with their problems in ``lang``."""
    with store.open_db(store.resolve_db_path(None), wait_seconds=8) as con:
        return ingest.import_rejects(con, import_id, lang)


def sample_rows(staged: StagedImport, limit: int = 20) -> pd.DataFrame:
    return staged.rows.slice(0, limit).to_pandas().drop(columns=["_row"], errors="ignore")


def mapping_frame(staged: StagedImport, not_imported: str) -> pd.DataFrame:
    """One row per source column: its header, three sample values and the canonical column it maps to."""
    return pd.DataFrame(
        {
            "source": list(staged.mapping),
            "sample": [staged.samples.get(h, "") for h in staged.mapping],
            "target": [c or not_imported for c in staged.mapping.values()],
        }
    )


def list_sheets(data: bytes) -> list[str]:
    """The sheet names of an XLSX upload (empty when it cannot be opened; staging then says why)."""
    import io
    import zipfile

    import openpyxl

    try:
        return openpyxl.load_workbook(io.BytesIO(data), read_only=True).sheetnames
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        return []
