"""How every page reads the database: one unit of work per call, cached by the database file's state.

``@cached_query`` turns ``work(con, *args)`` (a function of an open connection) into ``loader(*args)``:
the loader opens the file for one unit of work, runs ``work``, closes it, and caches the small result
with ``st.cache_data`` under (database path, file version, args). The file version (:func:`db_version`)
changes whenever the file or its write-ahead log changes, so an import from the command line shows on
the next rerun. When another process holds the file, the page says "data is being updated" and offers a
retry (:func:`guarded`).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import streamlit as st

from kam_app.state import t
from kam_metrics.store.connection import DatabaseLocked, DatabaseTooNew, newer_schema, open_db, resolve_db_path

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


def with_connection(path_text: str, work: Callable[..., T], *args: Any) -> T:
    """``work(con, *args)`` in one unit of work on the file at ``path_text``."""
    with open_db(path_text, wait_seconds=LOCK_WAIT_SECONDS, allow_newer=True) as con:  # reads only
        return work(con, *args)


def guarded(loader: Callable[..., T], *args: Any) -> T:
    """Run a cached loader; on a locked database show the notice and a retry button, then stop."""
    try:
        return loader(*args)
    except DatabaseLocked:
        st.warning(t("db.updating"), icon="⏳")
        st.button(t("db.retry"))
        st.stop()


def write_unit(work: Callable[..., T], *args: Any) -> T:
    """``work(con, *args)`` as one write; on a locked database show the notice and stop (nothing written)."""
    try:
        with open_db(str(db_path()), wait_seconds=LOCK_WAIT_SECONDS) as con:
            return work(con, *args)
    except DatabaseLocked:
        st.warning(t("db.updating"), icon="⏳")
        st.stop()
    except DatabaseTooNew as exc:
        st.error(t("db.too_new", found=exc.found, known=exc.known), icon="🔒")
        st.stop()


@st.cache_data(show_spinner=False, max_entries=4)
def _newer_schema(path_text: str, version: tuple) -> int | None:
    with open_db(path_text, wait_seconds=LOCK_WAIT_SECONDS, allow_newer=True) as con:
        return newer_schema(con)


def newer_schema_version() -> int | None:
    """The database's schema version when a newer version of the product wrote it (the app then only
    reads it), else None; None too while there is no database or another process holds it."""
    path = db_path()
    if not path.exists():
        return None
    try:
        return _newer_schema(str(path), db_version(path))
    except DatabaseLocked:
        return None


def cached_query(*, max_entries: int = 128, none_without_file: bool = False):
    """Decorator: ``work(con, *args)`` becomes the cached loader ``loader(*args)`` (see the module).

    ``none_without_file``: the loader returns None when the database file does not exist (instead of
    creating it). ``loader.clear()`` empties its cache; ``loader.work`` is ``work`` itself. Each decorated function has a cache of its own
    (``st.cache_data`` keys on the function's module, qualified name and source, so the inner function
    takes the decorated function's names)."""

    def decorate(work: Callable[..., T]) -> Callable[..., T]:
        def run(path_text: str, version: tuple, *args: Any) -> T:
            return with_connection(path_text, work, *args)

        run.__module__ = work.__module__
        run.__name__ = work.__name__
        run.__qualname__ = f"{work.__qualname__}.cached"
        cached = st.cache_data(show_spinner=False, max_entries=max_entries)(run)

        def loader(*args: Any) -> T:
            path = db_path()
            if none_without_file and not path.exists():
                return None  # type: ignore[return-value]
            return guarded(cached, str(path), db_version(path), *args)

        loader.__module__ = work.__module__
        loader.__name__ = work.__name__
        loader.__qualname__ = work.__qualname__
        loader.__doc__ = work.__doc__
        loader.clear = cached.clear  # type: ignore[attr-defined]
        loader.work = work  # type: ignore[attr-defined]  # the uncached function of a connection (tests)
        return loader

    return decorate
