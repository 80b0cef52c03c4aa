"""Cached loaders of the forecast sections (Sales page, Account 360). Same pattern as
kam_app.data.sales: one unit of work per call, cached by the database file's state."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

import streamlit as st

from kam_app.data.cache import db_path, db_version, guarded, with_connection
from kam_metrics.domain.filters import Filters

COMPLETION_LEVELS = ("owner", "region")


def segments_only(filters: Filters) -> Filters:
    """The filters' segments with a fixed period: the forecast ignores the period, so changing it must
    not recompute the forecast."""
    return replace(filters, start=date(2000, 1, 1), end=date(2000, 1, 1), compare="previous", segment_end=None)


def _sales_forecast(con, segments: Filters) -> dict[str, Any]:
    from kam_metrics.forecast import engine as forecast

    company = forecast.forecast_series(con, "company", filters=segments if segments.has_segments else None)
    return {
        "as_of": company["as_of"],
        "history_end": company["history_end"],
        "series": company["series"][0] if company["series"] else None,
        "settings": company["settings"],
    }


@st.cache_data(show_spinner=False, max_entries=64)
def _load_sales_forecast(path_text: str, version: tuple, segments: Filters) -> dict[str, Any]:
    return with_connection(path_text, _sales_forecast, segments)


def load_sales_forecast(filters: Filters) -> dict[str, Any]:
    """Sales page: the forecast of the sidebar's accounts: 'series' (a kam_metrics.forecast.engine series dict
    with history and back-test, or None without sales), 'as_of', 'history_end', 'settings'."""
    path = db_path()
    return guarded(_load_sales_forecast, str(path), db_version(path), segments_only(filters))


def _completion(con, period: str) -> dict[str, Any]:
    from kam_metrics.forecast import engine as forecast

    as_of = forecast.latest_order_date(con)
    if as_of is None:
        return {"period": None, "completion": {}}
    # targets describe all accounts: every account's forecast, the three levels in one run
    everything = forecast.forecast_all(con, ("company", *COMPLETION_LEVELS), horizon_months=12)
    completion = {}
    for level in ("company", *COMPLETION_LEVELS):
        series = [s for s in everything["series"] if s["level"] == level]
        completion[level] = forecast.project_completion(con, level, period, series=series)
    return {"period": forecast.completion_period(as_of, period), "completion": completion}


@st.cache_data(show_spinner=False, max_entries=16)
def _load_completion(path_text: str, version: tuple, period: str) -> dict[str, Any]:
    return with_connection(path_text, _completion, period)


def load_projected_completion(period: str = "year") -> dict[str, Any]:
    """Sales page: projected completion of the calendar ``period`` ('year' | 'quarter') holding the
    latest order, over all accounts: 'period' (start, end) and 'completion' {company|owner|region:
    DataFrame of kam_metrics.forecast.engine.project_completion}."""
    path = db_path()
    return guarded(_load_completion, str(path), db_version(path), period)


def _account_forecast(con, account_id: str) -> dict[str, Any]:
    from kam_metrics.forecast import engine as forecast

    out = forecast.forecast_series(con, "account", keys=[account_id])
    return {"series": out["series"][0] if out["series"] else None, "as_of": out["as_of"],
            "history_end": out["history_end"], "settings": out["settings"]}


@st.cache_data(show_spinner=False, max_entries=256)
def _load_account_forecast(path_text: str, version: tuple, account_id: str) -> dict[str, Any]:
    return with_connection(path_text, _account_forecast, account_id)


def load_account_forecast(account_id: str) -> dict[str, Any]:
    """Account 360: {'series' (None without history), 'as_of', 'history_end', 'settings'}."""
    path = db_path()
    return guarded(_load_account_forecast, str(path), db_version(path), account_id)
