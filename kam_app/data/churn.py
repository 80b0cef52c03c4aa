"""Cached loaders of the Churn risk page and of the risk column / section on Accounts and Account 360.
Scores are computed once per database state and as-of day (kam_metrics.churn.scoring.score_accounts)
and then filtered or joined, so the account list never re-scores on a rerun (:mod:`kam_app.data.cache`)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any

import pandas as pd

from kam_app.data.cache import cached_query, write_unit
from kam_metrics import commands
from kam_metrics.churn.results import ChurnScores
from kam_metrics.churn.scoring import band_counts, early_warning, score_accounts, scoring_day, unscored
from kam_metrics.domain.filters import Filters
from kam_metrics.metrics.accounts import load_account_options
from kam_metrics.store.settings import load_settings


@cached_query(max_entries=64)
def _scoring_day(con, end: date) -> date | None:
    return scoring_day(con, end)


@dataclass(frozen=True, eq=False)
class ChurnPage:
    """What the Churn risk page shows for its filters."""

    """The churn result of the period end, its ``scores`` narrowed to the filtered accounts."""
    result: ChurnScores
    """Those accounts' early-warning list (highest revenue at risk first) and counts per band."""
    warnings: pd.DataFrame
    bands: pd.DataFrame


@dataclass(frozen=True)
class AccountRisk:
    """One account's churn risk for the Account 360 section."""

    """The account's row of the scores (as a dict)."""
    row: dict[str, Any]
    """The health-score weights, the method and the day of the scores it comes from."""
    weights: dict[str, float]
    method: str | None
    as_of: date | None


@cached_query(max_entries=8)
def _scores(con, as_of: date | None) -> ChurnScores:
    # a frozen dataclass of plain values and DataFrames: st.cache_data pickles it (kam_app.data.cache)
    if as_of is None:  # no order up to the period end: nothing to score (not the latest day of all data)
        return unscored(con, None)
    return score_accounts(con, as_of)


def load_churn(end: date) -> ChurnScores:
    """Every account's churn scores as of the latest order date up to ``end`` (kam_metrics.churn.scoring.score_accounts),
    computed once per database state and as-of day: periods ending on other days with the same latest
    order date share the result."""
    return _scores(_scoring_day(end))


@cached_query(max_entries=64)
def _filtered_ids(con, filters: Filters) -> list[str]:
    return load_account_options(con, filters)["account_id"].tolist()


def load_churn_page(filters: Filters) -> ChurnPage:
    """The churn result for the period end with ``scores`` narrowed to the filtered accounts, plus
    ``warnings`` (the early-warning list) and ``bands`` (counts per band) of those accounts."""
    result = load_churn(filters.end)
    if filters.has_segments:
        ids = set(_filtered_ids(filters))
        result = replace(result, scores=result.scores[result.scores["account_id"].isin(ids)].reset_index(drop=True))
    return ChurnPage(result=result, warnings=early_warning(result.scores), bands=band_counts(result.scores))


def load_account_risk(account_id: str, end: date) -> AccountRisk | None:
    """One account's row of the scores (as a dict) with the weights and method; None when not scored."""
    result = load_churn(end)
    rows = result.scores[result.scores["account_id"] == account_id]
    if rows.empty:
        return None
    return AccountRisk(row=rows.iloc[0].to_dict(), weights=result.weights, method=result.method, as_of=result.as_of)


def save_churn_settings(weights: dict[str, float], alert: float, actor) -> None:
    """Store the health-score weights and the alert probability as ``actor`` (kam_metrics.commands:
    checked role, audit entry in the same transaction; one unit of work)."""
    write_unit(commands.save_settings, actor, {"churn_weights": weights, "churn_alert_probability": round(float(alert), 4)})


@cached_query(max_entries=8)
def load_churn_settings(con) -> dict[str, Any]:
    """The current churn settings (weights, alert probability, horizon)."""
    s = load_settings(con)
    return {"weights": dict(s["churn_weights"]), "alert": float(s["churn_alert_probability"]),
            "horizon": int(s["churn_horizon_days"])}
