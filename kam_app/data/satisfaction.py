"""Cached loaders of the Satisfaction page, its settings and the satisfaction section of Account 360
(one unit of work per call, cached by the file's state: :mod:`kam_app.data.cache`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kam_app.data.cache import cached_query, write_unit
from kam_metrics import commands
from kam_metrics.domain.filters import Filters
from kam_metrics.metrics import satisfaction
from kam_metrics.store.settings import load_settings


@dataclass(frozen=True, eq=False)
class SatisfactionPageData:
    """What one rerun of the Satisfaction page reads in one unit of work. (``eq=False``: the page's
    frames have no equality, so instances compare by identity.)"""

    #: the page's figures (kam_metrics.metrics.satisfaction.SatisfactionPage); None when there is no
    #: survey wave yet
    page: satisfaction.SatisfactionPage | None
    #: every setting (kam_metrics.store.settings.load_settings): the captions quote the blank rule
    settings: dict[str, Any]


@cached_query(max_entries=64, none_without_file=True)
def _satisfaction_page(con, wave: str | None, segments: Filters | None) -> SatisfactionPageData:
    return SatisfactionPageData(page=satisfaction.compute_satisfaction_page(con, wave, segments),
                                settings=load_settings(con))


def load_satisfaction_page(wave: str | None, filters: Filters | None = None) -> SatisfactionPageData | None:
    """Satisfaction page data (:class:`SatisfactionPageData`: compute_satisfaction_page plus settings) for
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
