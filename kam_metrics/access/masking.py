"""Masked customer names in what leaves the app (downloads, change history) for roles that may not
export them unmasked."""

from __future__ import annotations

from typing import Any

import pandas as pd

from kam_metrics.access.policy import allowed

#: columns holding customer names, masked in a viewer's downloads
MASKED_COLUMNS = ("account_name", "referred_by_name", "group_name", "prospect_name")


def mask_name(value: Any) -> Any:
    """A customer name reduced to its first character and three stars ("甲机械有限公司" -> "甲***")."""
    if not isinstance(value, str) or not value.strip():
        return value
    return value.strip()[0] + "***"


def export_masked(role: str | None) -> bool:
    """Whether a download by ``role`` has its customer names masked: every role that may not export
    unmasked, whether sign-in is on or not."""
    return not allowed(role, "export_unmasked")


def mask_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose customer-name columns (:data:`MASKED_COLUMNS`) are masked."""
    masked = frame.copy()
    for column in MASKED_COLUMNS:
        if column in masked.columns:
            masked[column] = masked[column].map(mask_name)
    return masked


def mask_changes(changes: pd.DataFrame) -> pd.DataFrame:
    """A copy of the account change history (kam_metrics.records.accounts.list_changes) whose old and new values are
    masked on the rows that changed a customer-name column (:data:`MASKED_COLUMNS`: account_name, group_name)."""
    masked = mask_frame(changes)
    if "column_name" in masked.columns:
        names = masked["column_name"].isin(MASKED_COLUMNS).tolist()
        for column in ("old_value", "new_value"):
            if column in masked.columns:
                masked[column] = pd.Series([mask_name(v) if n else v for n, v in zip(names, masked[column])],
                                           index=masked.index, dtype=object)
    return masked
