"""Cached loaders of the forecast sections (Sales page, Account 360): one unit of work per call, cached
by the database file's state (:mod:`kam_app.data.cache`)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from kam_app.data.cache import cached_query
from kam_metrics.domain.filters import Filters
from kam_metrics.forecast import engine as forecast
from kam_metrics.forecast.results import ForecastRun

COMPLETION_LEVELS = ("owner", "region")


def segments_only(filters: Filters) -> Filters:
    """The filters' segments with a fixed period: the forecast ignores the period, so changing it must
    not recompute the forecast."""
    return replace(filters, start=date(2000, 1, 1), end=date(2000, 1, 1), compare="previous", segment_end=None)


@cached_query(max_entries=64)
def _sales_forecast(con, segments: Filters) -> ForecastRun:
    return forecast.forecast_series(con, "company", filters=segments if segments.has_segments else None)


def load_sales_forecast(filters: Filters) -> ForecastRun:
    """Sales page: the forecast of the sidebar's accounts, a kam_metrics.forecast.results.ForecastRun whose
    ``first()`` is the company series with history and back-test (None without sales)."""
    return _sales_forecast(segments_only(filters))


@cached_query(max_entries=16)
def load_projected_completion(con, period: str = "year") -> dict[str, Any]:
    """Sales page: projected completion of the calendar ``period`` ('year' | 'quarter') holding the
    latest order, over all accounts: 'period' (start, end) and 'completion' {company|owner|region:
    DataFrame of kam_metrics.forecast.engine.project_completion}."""
    as_of = forecast.latest_order_date(con)
    if as_of is None:
        return {"period": None, "completion": {}}
    # targets describe all accounts: every account's forecast, the three levels in one run
    everything = forecast.forecast_all(con, ("company", *COMPLETION_LEVELS), horizon_months=12)
    completion = {}
    for level in ("company", *COMPLETION_LEVELS):
        completion[level] = forecast.project_completion(con, level, period, series=everything.at_level(level))
    return {"period": forecast.completion_period(as_of, period), "completion": completion}


@cached_query(max_entries=256)
def load_account_forecast(con, account_id: str) -> ForecastRun:
    """Account 360: the account's ForecastRun; its ``first()`` is the account's series (None without history)."""
    return forecast.forecast_series(con, "account", keys=[account_id])
