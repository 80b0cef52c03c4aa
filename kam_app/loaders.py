"""Cached loaders: the only way pages reach data.

Each loader opens the database for one unit of work, calls kam_metrics, closes it and caches the small
result keyed by the database file's state, so an import from the command line shows on the next rerun.
When another process holds the file, the page says "data is being updated" and offers a retry.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import streamlit as st

from kam_metrics import kpi, sales, satisfaction
from kam_metrics.filters import Filters
from kam_metrics.store import DatabaseLocked, open_db, resolve_db_path

from kam_app.state import t

T = TypeVar("T")

#: how long a rerun waits for another process's import before showing "data is being updated"
LOCK_WAIT_SECONDS = 8.0


def db_path() -> Path:
    return resolve_db_path(None)


def db_version(path: Path | None = None) -> tuple:
    """A cache key that changes whenever the database file (or its write-ahead log) changes."""
    path = path or db_path()
    parts: list[Any] = [str(path.resolve())]
    for candidate in (path, path.with_name(path.name + ".wal")):
        try:
            stat = candidate.stat()
            parts += [stat.st_mtime_ns, stat.st_size]
        except FileNotFoundError:
            parts += [None, None]
    return tuple(parts)


def _with_connection(path_text: str, work: Callable[..., T], *args: Any) -> T:
    with open_db(path_text, wait_seconds=LOCK_WAIT_SECONDS) as con:
        return work(con, *args)


def guarded(loader: Callable[..., T], *args: Any) -> T:
    """Run a cached loader; on a locked database show the notice and a retry button, then stop."""
    try:
        return loader(*args)
    except DatabaseLocked:
        st.warning(t("db.updating"), icon="⏳")
        st.button(t("db.retry"))
        st.stop()


@st.cache_data(show_spinner=False, max_entries=64)
def _load_context(path_text: str, version: tuple) -> dict[str, Any]:
    def work(con):
        first, last = sales.load_data_range(con)
        return {"first": first, "last": last, "segments": sales.load_segment_values(con)}

    return _with_connection(path_text, work)


def load_context() -> dict[str, Any] | None:
    """Data range and filter options: {'first', 'last', 'segments'}; None when the file is missing."""
    path = db_path()
    if not path.exists():
        return None
    return guarded(_load_context, str(path), db_version(path))


@st.cache_data(show_spinner=False, max_entries=128)
def _load_overview(path_text: str, version: tuple, filters: Filters) -> dict[str, Any]:
    def work(con):
        comparison = filters.for_comparison()
        return {
            "kpis": kpi.compute_kpis(con, filters),
            "monthly": sales.compute_monthly_revenue(con, filters),
            "monthly_comparison": sales.compute_monthly_revenue(con, comparison),
            "top_accounts": sales.compute_top_accounts(con, filters, limit=10),
            "by_industry": sales.compute_revenue_by(con, filters, "industry"),
            "by_region": sales.compute_revenue_by(con, filters, "region"),
            "satisfaction": satisfaction.compute_latest_overall(con, filters.end),
        }

    return _with_connection(path_text, work)


def load_overview(filters: Filters) -> dict[str, Any]:
    """Everything the Overview page shows for these filters (see kam_metrics.kpi and .sales)."""
    path = db_path()
    return guarded(_load_overview, str(path), db_version(path), filters)
