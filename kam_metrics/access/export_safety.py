"""Formula injection: an exported CSV/XLSX cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or
carriage return) would be run as a formula by Excel. Text cells like that get a leading apostrophe, the
OWASP advice; numbers are left as numbers (a negative number is not a formula)."""

from __future__ import annotations

from typing import Any

import pandas as pd

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """The value, with a leading ``'`` when it is text that a spreadsheet would read as a formula."""
    if isinstance(value, str) and value.startswith(TRIGGERS):
        return "'" + value
    return value


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with every text cell and every column name neutralised."""
    safe = frame.copy()
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]):
            safe[column] = safe[column].map(neutralise, na_action="ignore")
    safe.columns = [neutralise(c) if isinstance(c, str) else c for c in safe.columns]
    return safe
