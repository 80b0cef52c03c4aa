"""Business settings (thresholds, weights, rules) kept in the database's ``settings`` table.

Every module reads settings through :func:`load_settings`, so the app and the command line use the same
values. A setting never stored in the database has its default below.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import duckdb

DEFAULTS: dict[str, Any] = {
    # Classification (docs/kpis.md): cumulative revenue share that closes class A and class B.
    "abc_a_share": 0.80,
    "abc_b_share": 0.95,
    # Satisfaction (docs/kpis.md)
    "survey_blank_impute_score": 3,  # a single blank 1-5 answer counts as 3 (一般)
    "survey_max_imputed_blanks": 1,  # more blanks than this make a questionnaire invalid
    "satisfied_index": 70.0,  # a satisfied customer has an index at least this
    "satisfied_rate_target": 0.85,
    "target_index": 80.0,
    # Service (docs/kpis.md)
    "sla_hours": 24.0,
    "cadence_call_days": 31,  # a key account gets a call at most this many days before the period end
    "cadence_visit_days": 92,  # ... and a visit at most this many days before it
    # Projects (docs/kpis.md): at risk when progress trails the elapsed share of the plan by more points
    "project_behind_points": 15.0,
    # Pipeline (docs/kpis.md): an open opportunity whose stage has not changed for more days is stale
    "stale_opportunity_days": 60,
    # Churn risk (docs/kpis.md, kam_metrics.churn.scoring): health-score component weights (renormalised
    # over the components an account has data for), the early-warning alert probability, the horizon in days
    "churn_weights": {
        "recency": 0.25, "revenue_trend": 0.20, "frequency_trend": 0.15, "satisfaction": 0.15,
        "complaints": 0.05, "service_response": 0.05, "projects": 0.05, "contact_cadence": 0.10,
    },
    "churn_alert_probability": 0.5,
    "churn_horizon_days": 180,
    # Forecast (docs/kpis.md Forecast, kam_metrics.forecast.engine)
    "forecast_interval": 0.80,  # coverage of the forecast interval
    "forecast_min_months_model": 6,  # fewer months of history: fallback to the mean of the months
    "forecast_min_months_seasonal": 24,  # fewer: exponential smoothing without seasonality
    "forecast_stopped_months": 6,  # this many zero months up to the origin: stopped buying, forecast 0
    "forecast_month_end_grace_days": 3,  # the latest order's month is complete within this many days of its end
}


def load_settings(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """All settings: the stored value where one exists, otherwise the default."""
    values = dict(DEFAULTS)
    for key, value_json in con.execute("select setting_key, value_json from settings").fetchall():
        if key in DEFAULTS:
            values[key] = json.loads(value_json)
    return values


def save_setting(con: duckdb.DuckDBPyConnection, key: str, value: Any) -> None:
    """Store one setting; unknown keys are refused so a typo cannot create a dead setting."""
    if key not in DEFAULTS:
        raise KeyError(f"unknown setting {key!r}; known settings: {', '.join(sorted(DEFAULTS))}")
    con.execute(
        "insert or replace into settings (setting_key, value_json, updated_at) values (?, ?, current_timestamp)",
        [key, json.dumps(value)],
    )


def save_settings(con: duckdb.DuckDBPyConnection, values: dict[str, Any],
                  on_commit: Callable[[duckdb.DuckDBPyConnection], None] | None = None) -> None:
    """Store several settings at once: every key is checked first, then all are written in one
    transaction, so a form saving several values never leaves half of them stored. ``on_commit(con)``
    runs inside that transaction just before it commits (kam_metrics.access.policy writes the audit entry)."""
    unknown = sorted(set(values) - set(DEFAULTS))
    if unknown:
        raise KeyError(f"unknown settings {unknown}; known settings: {', '.join(sorted(DEFAULTS))}")
    con.execute("begin transaction")
    try:
        for key, value in values.items():
            save_setting(con, key, value)
        if on_commit is not None:
            on_commit(con)
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
