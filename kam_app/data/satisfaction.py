"""Cached loaders of the Satisfaction page, its settings and the satisfaction section of Account 360."""

from __future__ import annotations

from typing import Any

import streamlit as st

from kam_app.data.cache import db_path, db_version, guarded, with_connection, write_unit
from kam_metrics import commands
from kam_metrics.domain.filters import Filters
from kam_metrics.metrics import satisfaction
from kam_metrics.store.settings import load_settings


@st.cache_data(show_spinner=False, max_entries=64)
def _satisfaction_page(path_text: str, version: tuple, wave: str | None, segments: Filters | None) -> dict[str, Any]:
    def work(con):
        data = satisfaction.compute_satisfaction_page(con, wave, segments)
        data["settings"] = load_settings(con)
        return data

    return with_connection(path_text, work)


def load_satisfaction_page(wave: str | None, filters: Filters | None = None) -> dict[str, Any] | None:
    """Satisfaction page data (kam_metrics.metrics.satisfaction.compute_satisfaction_page plus settings) for
    ``wave`` (None: latest) and the sidebar's segment filters (``filters``: kam_app.state.current_filters(),
    None when there are no sales); None when the database file is missing. Cached on the database
    version, the wave and the segments only (the page does not use the sidebar period)."""
    path = db_path()
    if not path.exists():
        return None
    return guarded(_satisfaction_page, str(path), db_version(path), wave, satisfaction.page_segments(filters))


@st.cache_data(show_spinner=False, max_entries=256)
def _account_waves(path_text: str, version: tuple, account_id: str):
    return with_connection(path_text, satisfaction.compute_account_waves, account_id)


def load_account_satisfaction(account_id: str):
    """One account's index per wave (kam_metrics.metrics.satisfaction.compute_account_waves)."""
    path = db_path()
    return guarded(_account_waves, str(path), db_version(path), account_id)


@st.cache_data(show_spinner=False, max_entries=16)
def _settings(path_text: str, version: tuple) -> dict[str, Any]:
    def work(con):
        return {"settings": load_settings(con), "items": satisfaction.load_survey_items(con)}

    return with_connection(path_text, work)


def load_satisfaction_settings() -> dict[str, Any] | None:
    """{'settings': every setting, 'items': survey items}; None when the database file is missing."""
    path = db_path()
    if not path.exists():
        return None
    return guarded(_settings, str(path), db_version(path))


def save_satisfaction_settings(values: dict[str, Any], actor) -> None:
    """Store settings as ``actor`` (kam_metrics.commands.save_settings: all or none, with the audit entry)
    in one unit of work."""
    write_unit(commands.save_settings, actor, values)


def save_survey_items(edited, actor) -> int:
    """Store edited item dimensions, weights and targets as ``actor`` (kam_metrics.access.policy: role checked,
    audited in the same transaction); raises SurveyItemsInvalid."""
    return write_unit(commands.save_survey_items, actor, edited)
