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
