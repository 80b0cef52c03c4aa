"""Cached loaders of the Satisfaction page, its settings and the satisfaction section of Account 360
(one unit of work per call, cached by the file's state: :mod:`kam_app.data.cache`)."""

from __future__ import annotations

from typing import Any

from kam_app.data.cache import cached_query, write_unit
from kam_metrics import commands
from kam_metrics.domain.filters import Filters
from kam_metrics.metrics import satisfaction
from kam_metrics.store.settings import load_settings


@cached_query(max_entries=64, none_without_file=True)
def _satisfaction_page(con, wave: str | None, segments: Filters | None) -> dict[str, Any]:
    data = satisfaction.compute_satisfaction_page(con, wave, segments)
    data["settings"] = load_settings(con)
    return data


def load_satisfaction_page(wave: str | None, filters: Filters | None = None) -> dict[str, Any] | None:
    """Satisfaction page data (kam_metrics.metrics.satisfaction.compute_satisfaction_page plus settings) for
    ``wave`` (None: latest) and the sidebar's segment filters (``filters``: kam_app.state.current_filters(),
    None when there are no sales); None when the database file is missing. Cached on the database
    version, the wave and the segments only (the page does not use the sidebar period)."""
    return _satisfaction_page(wave, satisfaction.page_segments(filters))


@cached_query(max_entries=256)
def load_account_satisfaction(con, account_id: str):
    """One account's index per wave (kam_metrics.metrics.satisfaction.compute_account_waves)."""
    return satisfaction.compute_account_waves(con, account_id)


@cached_query(max_entries=16, none_without_file=True)
def load_satisfaction_settings(con) -> dict[str, Any] | None:
    """{'settings': every setting, 'items': survey items}; None when the database file is missing."""
    return {"settings": load_settings(con), "items": satisfaction.load_survey_items(con)}


def save_satisfaction_settings(values: dict[str, Any], actor) -> None:
    """Store settings as ``actor`` (kam_metrics.commands.save_settings: all or none, with the audit entry)
    in one unit of work."""
    write_unit(commands.save_settings, actor, values)


def save_survey_items(edited, actor) -> int:
    """Store edited item dimensions, weights and targets as ``actor`` (kam_metrics.commands: role checked,
    audited in the same transaction); raises SurveyItemsInvalid."""
    return write_unit(commands.save_survey_items, actor, edited)
