"""Cached loaders of the Churn risk page and of the risk column / section on Accounts and Account 360.
Scores are computed once per database state and as-of day (kam_metrics.churn.scoring.score_accounts)
and then filtered or joined, so the account list never re-scores on a rerun."""

from __future__ import annotations

from datetime import date
from typing import Any

import streamlit as st

from kam_app.data.cache import LOCK_WAIT_SECONDS, db_path, db_version, guarded, with_connection
from kam_metrics.domain.filters import Filters


def _scores(con, as_of: date | None) -> dict[str, Any]:
    from kam_metrics.churn.scoring import empty_scores, score_accounts

    if as_of is None:  # no order up to the period end: nothing to score (not the latest day of all data)
        return {"as_of": None, "scores": empty_scores(), "method": None, "weights": {}, "horizon_days": None,
                "alert_probability": None, "training": None, "importance": None, "backtest": None, "fallback_reason": None}
    return score_accounts(con, as_of)


@st.cache_data(show_spinner=False, max_entries=64)
def _load_as_of(path_text: str, version: tuple, end: date) -> date | None:
    from kam_metrics.churn.scoring import scoring_day

    return with_connection(path_text, scoring_day, end)


@st.cache_data(show_spinner=False, max_entries=8)
def _load_scores(path_text: str, version: tuple, as_of: date | None) -> dict[str, Any]:
    return with_connection(path_text, _scores, as_of)


def load_churn(end: date) -> dict[str, Any]:
    """Every account's churn scores as of the latest order date up to ``end`` (kam_metrics.churn.scoring.score_accounts),
    computed once per database state and as-of day: periods ending on other days with the same latest
    order date share the result."""
    path = db_path()
    as_of = guarded(_load_as_of, str(path), db_version(path), end)
    return guarded(_load_scores, str(path), db_version(path), as_of)


def _filtered_ids(con, filters: Filters) -> list[str]:
    from kam_metrics.metrics.accounts import load_account_options

    return load_account_options(con, filters)["account_id"].tolist()


@st.cache_data(show_spinner=False, max_entries=64)
def _load_filtered_ids(path_text: str, version: tuple, filters: Filters) -> list[str]:
    return with_connection(path_text, _filtered_ids, filters)


def load_churn_page(filters: Filters) -> dict[str, Any]:
    """The churn result for the period end with ``scores`` narrowed to the filtered accounts, plus
    ``warnings`` (the early-warning list) and ``bands`` (counts per band) of those accounts."""
    from kam_metrics.churn.scoring import band_counts, early_warning

    result = dict(load_churn(filters.end))
    if filters.has_segments:
        path = db_path()
        ids = set(guarded(_load_filtered_ids, str(path), db_version(path), filters))
        result["scores"] = result["scores"][result["scores"]["account_id"].isin(ids)].reset_index(drop=True)
    result["warnings"] = early_warning(result["scores"])
    result["bands"] = band_counts(result["scores"])
    return result


def load_account_risk(account_id: str, end: date) -> dict[str, Any] | None:
    """One account's row of the scores (as a dict) with the weights and method; None when not scored."""
    result = load_churn(end)
    rows = result["scores"][result["scores"]["account_id"] == account_id]
    if rows.empty:
        return None
    return {"row": rows.iloc[0].to_dict(), "weights": result["weights"], "method": result["method"], "as_of": result["as_of"]}


def save_churn_settings(weights: dict[str, float], alert: float, actor) -> None:
    """Store the health-score weights and the alert probability as ``actor`` (kam_metrics.access.policy:
    checked role, audit entry in the same transaction; one unit of work)."""
    from kam_app.state import t
    from kam_metrics import commands
    from kam_metrics.store.connection import DatabaseLocked, open_db

    try:
        with open_db(str(db_path()), wait_seconds=LOCK_WAIT_SECONDS) as con:
            commands.save_settings(con, actor, {"churn_weights": weights, "churn_alert_probability": round(float(alert), 4)})
    except DatabaseLocked:
        st.warning(t("db.updating"), icon="⏳")
        st.stop()


def load_churn_settings() -> dict[str, Any]:
    """The current churn settings (weights, alert probability, horizon)."""
    path = db_path()
    return guarded(_load_settings, str(path), db_version(path))


@st.cache_data(show_spinner=False, max_entries=8)
def _load_settings(path_text: str, version: tuple) -> dict[str, Any]:
    def work(con):
        from kam_metrics.store.settings import load_settings

        s = load_settings(con)
        return {"weights": dict(s["churn_weights"]), "alert": float(s["churn_alert_probability"]),
                "horizon": int(s["churn_horizon_days"])}

    return with_connection(path_text, work)
