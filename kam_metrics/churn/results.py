"""The typed results of churn scoring (kam_metrics.churn.scoring): the training window, the trained model,
one prediction run, the back-test card with its buy-till-you-die benchmarks, and the scored database.

All are frozen dataclasses that pickle (the app's ``st.cache_data`` stores a :class:`ChurnScores`), and
only plain values, dates, DataFrames and numpy arrays. Those holding a DataFrame, an array or a model
compare by identity (``eq=False``): field-wise equality of frames has no single truth value.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

#: the back-test figures of ``churn backtest --json`` and of the ``backtest`` of ``churn score --json``, in that order
BACKTEST_KEYS = ("auc", "pr_auc", "brier", "top_decile_lift", "base_rate", "n_accounts", "method", "baseline_recency_auc")


@dataclass(frozen=True)
class TrainingWindow:
    """What the model is trained on as of a day D with horizon H: features as of D − H, labels from
    (D − H, D]."""

    """The window: features as of ``features_as_of``, labels from ``labels_from`` to ``labels_to``."""
    features_as_of: date
    labels_from: date
    labels_to: date
    """The labelled accounts: how many, how many churned, and the churned share (None without any)."""
    n_train: int
    n_churned: int
    base_rate: float | None

    def as_dict(self) -> dict[str, Any]:
        """The window as the ``training`` object of ``churn score --json`` (fields in order)."""
        return asdict(self)


@dataclass(frozen=True, eq=False)
class TrainedModel:
    """The result of ``train_model``: the fitted model or why there is none, on which window."""

    """The model: a fitted scikit-learn Pipeline, or None with the ``reason`` ("too_little_history")."""
    model: Any | None
    reason: str | None
    """What it was trained on."""
    window: TrainingWindow
    """The logistic regression's standardised coefficients (feature, coefficient), None without a model."""
    importance: pd.DataFrame | None


@dataclass(frozen=True, eq=False)
class Prediction:
    """The result of ``predict``: every account with a purchase by the day, scored as of it."""

    """The inputs: the as-of features and the transaction components of the health score."""
    features: pd.DataFrame
    components: pd.DataFrame
    """The churn probability of each row of ``features`` and the method that gave it (model or fallback)."""
    probability: np.ndarray
    method: str
    """The training behind it (no model when the method is the fallback)."""
    training: TrainedModel


@dataclass(frozen=True)
class BtydScores:
    """A buy-till-you-die benchmark (BG/NBD or Pareto/NBD, kam_metrics.churn.btyd) on the back-test's split."""

    """The model's name and its figures on the same accounts and outcome as the back-test."""
    method: str
    auc: float | None
    pr_auc: float
    brier: float


@dataclass(frozen=True, eq=False)
class BacktestCard:
    """The result of ``backtest_as_of`` / ``backtest``: the model scored as of a day and compared with what
    happened over the horizon after it."""

    """The figures (BACKTEST_KEYS; None where the outcome has one class only or no account)."""
    auc: float | None
    pr_auc: float | None
    brier: float | None
    top_decile_lift: float | None
    base_rate: float | None
    n_accounts: int
    method: str
    baseline_recency_auc: float | None
    """The windows: training, the day scored, the end of the outcome window and the horizon in days."""
    training: TrainingWindow
    scored_as_of: date
    outcome_to: date
    horizon_days: int
    """The diagnostics: calibration bins (bin_low, bin_high, mean_probability, churn_rate, n), the BG/NBD and
    Pareto/NBD benchmarks (None with fewer than two accounts or one class), the model's importance."""
    calibration: pd.DataFrame
    btyd: BtydScores | None
    pareto_nbd: BtydScores | None
    importance: pd.DataFrame | None

    def metrics(self) -> dict[str, Any]:
        """The figures of BACKTEST_KEYS, in that order (the JSON of the command line)."""
        return {key: getattr(self, key) for key in BACKTEST_KEYS}


@dataclass(frozen=True, eq=False)
class ChurnScores:
    """The result of ``score_accounts``: every account's health score, band, churn probability and reasons
    as of a day, with the settings used and the model card."""

    """When and how: the day scored (None when there is nothing to score), the horizon in days, the
    health-score weights per component and the alert probability."""
    as_of: date | None
    horizon_days: int
    weights: dict[str, float]
    alert_probability: float
    """The model: MODEL_METHOD or FALLBACK_METHOD (None when nothing is scored), why the fallback
    ("too_little_history", else None), the training window and the coefficients (None without a model)."""
    method: str | None
    fallback_reason: str | None
    training: TrainingWindow | None
    importance: pd.DataFrame | None
    """The scores: one row per account with a purchase by as_of not marked churned by then, highest revenue at
    risk first (columns in kam_metrics.churn.scoring.score_accounts)."""
    scores: pd.DataFrame
    """The same model back-tested as of as_of − horizon on this database (None when history is too short or
    the back-test was not asked for)."""
    backtest: BacktestCard | None
