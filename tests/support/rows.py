"""Row builders: put hand-typed rows into a real DuckDB file without writing INSERT statements.

``add(con, "sales", "order_id line_no account_id order_date quantity amount", rows)`` inserts tuples
given in the order of the (space-separated) columns; ``constant`` fills columns every row shares.
The expected values stay in the tests, next to the rows they come from.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any


def add(con, table: str, columns: str, rows: Iterable[Sequence[Any]], **constant: Any) -> int:
    """Insert ``rows`` (tuples in the order of ``columns``) into ``table``, each with the ``constant``
    columns added; returns how many rows went in."""
    names = columns.split() + list(constant)
    values = [tuple(row) + tuple(constant.values()) for row in rows]
    if not values:
        return 0
    quoted = ", ".join(f'"{name}"' for name in names)
    con.executemany(f"insert into {table} ({quoted}) values ({', '.join('?' * len(names))})", values)
    return len(values)


def query(db, sql: str, params: Sequence[Any] | None = None) -> list[tuple]:
    """The rows of ``sql`` over the database file ``db``, read through a read-only connection of its own."""
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, list(params or [])).fetchall()
    finally:
        con.close()


def database(path, **accounts: str):
    """A new database file at ``path`` holding the accounts given as ``id="name"`` (none: empty)."""
    from kam_metrics.store import connection as store

    with store.open_db(path) as con:
        for account_id, name in accounts.items():
            con.execute("insert into accounts (account_id, account_name) values (?, ?)", [account_id, name])
    return path
