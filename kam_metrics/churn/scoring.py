"""Churn risk: a transparent health score, a calibrated churn model validated on history, early warning
with reasons in words (docs/kpis.md#churn-risk).

**Time.** "As of D" uses every row dated on or before D and nothing after (kam_metrics.churn.features).
A back-test at cutoff C works as of C − 1 day: nothing dated on or after the cutoff enters a feature or
the training. An account has churned over horizon H when it has no purchase in (D, D + H].

**Model.** Trained as of D on features as of D − H with labels from (D − H, D]; it then scores every
account on features as of D. A scikit-learn Pipeline (median imputation with missing indicators, signed
log, standardisation) ending in a logistic regression (C = 0.1) calibrated by CalibratedClassifierCV
(sigmoid, 5 stratified folds). Chosen by back-test on the UCI Online Retail sample against gradient
boosting and random forests (bench/results/churn.md). Deterministic: no randomness in the pipeline.
With fewer than MIN_TRAIN_ACCOUNTS (50) labelled accounts, or fewer than MIN_PER_CLASS (5) churned or
retained ones, the probability falls back to the health score's transaction components (recency and order
frequency): probability = 1 − that score / 100, and ``method`` says so.

**Health score** (0-100, higher is healthier) = Σ weight × component / Σ weight over the components that
have data (others are left out and the weights renormalised). Components, each 0-100:

- recency: r = days since the last purchase / the usual interval (the account's mean days between
  purchase days; with one purchase day, the median usual interval of all accounts); 100 when r ≤ 1,
  0 when r ≥ 3, linear between: 100 × (3 − r) / 2;
- revenue_trend: 100 × min(1, revenue of the last 180 days / revenue of the 180 days before); 100 when
  only the last 180 days have revenue, 0 when neither window has any;
- frequency_trend: the same with orders;
- satisfaction: the account's index in its latest survey wave up to D (kam_metrics.metrics.satisfaction rules);
- complaints: 100 − 25 × complaints opened in the last 180 days (floor 0); data when any interaction is
  recorded up to D;
- service_response: 100 × tickets (complaints, requests) of the last 180 days answered within the SLA /
  tickets; no data without tickets;
- projects: 100 × (1 − open projects at risk / open projects); no data without open projects;
- contact_cadence: 50 when the last call is within the cadence (31 days) + 50 when the last visit is
  (92 days); key accounts only, when any call or visit is recorded.

Bands: red below 50 (高风险), amber 50 to below 75 (关注), green 75 and above (健康).
**Reasons**: each account's three components that cost it the most (normalised weight × (100 − score)),
in words with their numbers, in both languages.
**Benchmark**: every back-test also scores the same split with the BG/NBD and Pareto/NBD buy-till-you-die models
(kam_metrics.churn.btyd), so the model is compared with the usual customer-base model, not only recency.
**Early warning**: red accounts and accounts whose probability is at least the alert setting (0.5), by
revenue at risk = probability × revenue of the 12 months up to D.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from kam_metrics.churn.features import (
    MODEL_FEATURES,
    TREND_DAYS,
    compute_features,
    compute_labels,
    model_frame,
)
from kam_metrics.churn.results import BacktestCard, BtydScores, ChurnScores, Prediction, TrainedModel, TrainingWindow
from kam_metrics.domain.filters import Filters
from kam_metrics.i18n import t
from kam_metrics.store.settings import load_settings

COMPONENTS = (
    "recency",
    "revenue_trend",
    "frequency_trend",
    "satisfaction",
    "complaints",
    "service_response",
    "projects",
    "contact_cadence",
)
#: the components the fallback uses (docs/kpis.md: "fallback: recency and frequency")
TRANSACTION_COMPONENTS = ("recency", "frequency_trend")
BANDS = ("red", "amber", "green")
MIN_TRAIN_ACCOUNTS = 50
MIN_PER_CLASS = 5  # the five-fold stratified calibration needs at least five of each class
MODEL_METHOD = "logistic regression (calibrated, sigmoid)"
FALLBACK_METHOD = "fallback: recency and frequency"
RANDOM_STATE = 0
#: a component costing the account fewer health points than this gives no reason (noise, not a driver)
MIN_REASON_POINTS = 1.0


# --- health score ----------------------------------------------------------------------------------


def band_of(score: float | None) -> str | None:
    """red below 50, amber 50 to below 75, green 75 and above; None without a score."""
    if score is None or pd.isna(score):
        return None
    return "red" if score < 50 else "amber" if score < 75 else "green"


def recency_score(recency_days: float, usual_interval: float) -> float:
    """100 when the days since the last purchase are within the usual interval, 0 at three intervals or
    more, linear between."""
    ratio = recency_days / usual_interval if usual_interval > 0 else (0.0 if recency_days <= 0 else 3.0)
    return float(min(100.0, max(0.0, 100.0 * (3.0 - ratio) / 2.0)))


def trend_score(recent: float, before: float) -> float | None:
    """100 × min(1, recent / before); 100 when only the recent window has some, 0 when neither has any
    (nothing for two windows is news, not missing data); None when the earlier window was negative
    (returns only) and the recent one has nothing."""
    if before is None or pd.isna(before) or before <= 0:
        if recent > 0:
            return 100.0
        return 0.0 if before == 0 and recent == 0 else None
    return float(100.0 * min(1.0, max(0.0, recent / before)))


def combine(components: dict[str, float | None], weights: dict[str, float]) -> float | None:
    """Σ weight × score / Σ weight over the components with a score (None when none has one)."""
    present = {c: s for c, s in components.items() if s is not None and not pd.isna(s) and weights.get(c, 0) > 0}
    total = sum(weights[c] for c in present)
    if not present or total <= 0:
        return None
    return float(sum(weights[c] * s for c, s in present.items()) / total)


def _satisfaction_by_account(con: duckdb.DuckDBPyConnection, as_of: date) -> pd.DataFrame:
    from kam_metrics.metrics import satisfaction
    from kam_metrics.sql.segments import query_df

    sql = (
        "with"
        + satisfaction.SCORED_CTES
        + """,
account_waves as (
    select v.account_id, v.wave_key, max(v.survey_date) as last_date, avg(q.questionnaire_index) as account_index
    from valid_questionnaires as v
    join questionnaire_index as q using (response_id)
    where v.account_id <> ''
    group by v.account_id, v.wave_key
),
ranked as (
    select *, row_number() over (partition by account_id order by last_date desc, wave_key desc) as wave_rank
    from account_waves
)
select account_id,
       max(account_index) filter (where wave_rank = 1) as satisfaction_index,
       max(account_index) filter (where wave_rank = 2) as previous_satisfaction_index
from ranked
group by account_id
"""
    )
    return query_df(con, sql, satisfaction._params(con, None, None, as_of))


def _tickets_by_account(con: duckdb.DuckDBPyConnection, as_of: date) -> pd.DataFrame:
    from kam_metrics.metrics import service
    from kam_metrics.sql.segments import query_df

    sql = (
        service.TICKET_CTES
        + """
select account_id,
       count(*) filter (where kind = 'complaint') as count_complaints,
       count(*) as count_tickets,
       count(*) filter (where response_hours <= $sla_hours) as count_within_sla
from ticket_hours
group by account_id
"""
    )
    window = Filters(start=as_of - timedelta(days=TREND_DAYS - 1), end=as_of)
    return query_df(con, sql, service._params(con, window))


def compute_context(con: duckdb.DuckDBPyConnection, as_of: date) -> dict[str, Any]:
    """The non-sales inputs of the health score as of ``as_of``: satisfaction, tickets, projects, cadence
    (small frames keyed by account_id) and whether interactions / contacts are recorded at all."""
    from kam_metrics.metrics import projects, service

    day = Filters(start=as_of, end=as_of)
    recorded = con.execute(
        "select count(*), count(*) filter (where kind in ('call', 'visit')) from interactions where opened_at < ?::date + 1",
        [as_of],
    ).fetchall()[0]
    project_list = projects.compute_project_list(con, day)
    open_projects = project_list[project_list["is_open"].astype(bool)]
    project_counts = (
        open_projects.assign(at_risk=open_projects["is_at_risk"].astype(bool).astype(int))
        .groupby("account_id", as_index=False)
        .agg(count_open_projects=("project_id", "size"), count_projects_at_risk=("at_risk", "sum"))
    )
    cadence = service.compute_cadence(con, day) if recorded[1] else pd.DataFrame(columns=["account_id"])
    settings = load_settings(con)
    return {
        "satisfaction": _satisfaction_by_account(con, as_of),
        "tickets": _tickets_by_account(con, as_of),
        "projects": project_counts,
        "cadence": cadence,
        "has_interactions": bool(recorded[0]),
        "has_contacts": bool(recorded[1]),
        "sla_hours": float(settings["sla_hours"]),
        "satisfied_index": float(settings["satisfied_index"]),
        "call_days": int(settings["cadence_call_days"]),
        "visit_days": int(settings["cadence_visit_days"]),
    }


def health_components(features: pd.DataFrame, context: dict[str, Any] | None = None) -> pd.DataFrame:
    """One row per account of ``features``: every component's score (None without data) and the inputs
    the reasons quote (recency_days, usual_interval, satisfaction indexes, ticket and project counts,
    days since call / visit)."""
    frame = features[["account_id", "recency_days", "count_purchase_days", "mean_interval", "revenue_recent",
                      "revenue_before", "orders_recent", "orders_before", "revenue_12m"]].copy()
    intervals = frame.loc[frame["count_purchase_days"] >= 2, "mean_interval"]
    typical = float(intervals.median()) if len(intervals) else float(TREND_DAYS)
    frame["usual_interval"] = np.where(frame["count_purchase_days"] >= 2, frame["mean_interval"], typical)
    frame["recency"] = [recency_score(r, u) for r, u in zip(frame["recency_days"], frame["usual_interval"])]
    frame["revenue_trend"] = [trend_score(r, b) for r, b in zip(frame["revenue_recent"], frame["revenue_before"])]
    frame["frequency_trend"] = [trend_score(r, b) for r, b in zip(frame["orders_recent"], frame["orders_before"])]
    for column in ("satisfaction", "complaints", "service_response", "projects", "contact_cadence"):
        frame[column] = None
    if context is None:
        return frame
    frame = frame.merge(context["satisfaction"], on="account_id", how="left")
    frame["satisfaction"] = [None if pd.isna(v) else float(v) for v in frame["satisfaction_index"]]
    frame = frame.merge(context["tickets"], on="account_id", how="left")
    for column in ("count_complaints", "count_tickets", "count_within_sla"):
        frame[column] = frame[column].fillna(0).astype(int)
    if context["has_interactions"]:
        frame["complaints"] = [max(0.0, 100.0 - 25.0 * n) for n in frame["count_complaints"]]
    frame["service_response"] = [100.0 * w / n if n else None for w, n in zip(frame["count_within_sla"], frame["count_tickets"])]
    frame = frame.merge(context["projects"], on="account_id", how="left")
    frame["projects"] = [
        None if pd.isna(n) or not n else 100.0 * (1.0 - r / n)
        for n, r in zip(frame["count_open_projects"], frame["count_projects_at_risk"])
    ]
    cadence = context["cadence"]
    if context["has_contacts"] and len(cadence):
        cad = cadence[["account_id", "days_since_call", "days_since_visit", "is_call_ok", "is_visit_ok"]]
        frame = frame.merge(cad, on="account_id", how="left")
        frame["contact_cadence"] = [
            None if pd.isna(c) else 50.0 * bool(c) + 50.0 * bool(v) for c, v in zip(frame["is_call_ok"], frame["is_visit_ok"])
        ]
    return frame


def health_scores(components: pd.DataFrame, weights: dict[str, float]) -> pd.Series:
    """The health score of each row of :func:`health_components` (None when no component has data)."""
    rows = components[list(COMPONENTS)].to_dict("records")
    return pd.Series([combine(r, weights) for r in rows], index=components.index, dtype=object)


# --- reasons ---------------------------------------------------------------------------------------


def _int(value) -> int | None:
    return None if value is None or pd.isna(value) else int(round(float(value)))


def component_reason(component: str, row: dict[str, Any], context: dict[str, Any] | None = None) -> tuple[str, dict]:
    """The message key and fields saying why ``component`` costs this account points."""
    context = context or {}
    if component == "recency":
        return "churn.reason.recency", {"days": _int(row["recency_days"]), "usual": _int(row["usual_interval"])}
    if component == "revenue_trend":
        before = row["revenue_before"]
        change = (row["revenue_recent"] - before) / before if before > 0 else -1.0
        return "churn.reason.revenue_trend", {"days": TREND_DAYS, "change": f"{abs(change) * 100:.0f}%"}
    if component == "frequency_trend":
        return "churn.reason.frequency_trend", {"days": TREND_DAYS, "recent": _int(row["orders_recent"]),
                                                "before": _int(row["orders_before"])}
    if component == "satisfaction":
        previous = row.get("previous_satisfaction_index")
        if previous is not None and not pd.isna(previous) and previous - row["satisfaction_index"] >= 0.5:
            return "churn.reason.satisfaction_fell", {"points": _int(previous - row["satisfaction_index"]),
                                                      "index": _int(row["satisfaction_index"])}
        return "churn.reason.satisfaction_low", {"index": _int(row["satisfaction_index"])}
    if component == "complaints":
        return "churn.reason.complaints", {"n": int(row["count_complaints"]), "days": TREND_DAYS}
    if component == "service_response":
        return "churn.reason.service_response", {"late": int(row["count_tickets"] - row["count_within_sla"]),
                                                 "n": int(row["count_tickets"]),
                                                 "hours": f"{context.get('sla_hours', 24.0):g}"}
    if component == "projects":
        return "churn.reason.projects", {"at_risk": _int(row["count_projects_at_risk"]), "n": _int(row["count_open_projects"])}
    if component == "contact_cadence":
        return "churn.reason.contact_cadence", {"call": _int(row.get("days_since_call")), "visit": _int(row.get("days_since_visit")),
                                                "call_days": context.get("call_days", 31), "visit_days": context.get("visit_days", 92)}
    raise ValueError(component)


def reasons_for(row: dict[str, Any], weights: dict[str, float], context: dict[str, Any] | None = None,
                limit: int = 3) -> list[tuple[str, dict]]:
    """The account's top ``limit`` drivers: the components costing it most (normalised weight × (100 −
    score)), each as (message key, fields); a component costing fewer than MIN_REASON_POINTS points gives
    no reason. An account with a single purchase day also hears so (no usual interval of its own)."""
    present = {c: row[c] for c in COMPONENTS if row.get(c) is not None and not pd.isna(row[c]) and weights.get(c, 0) > 0}
    total = sum(weights[c] for c in present)
    costs = sorted(((weights[c] / total * (100.0 - s), c) for c, s in present.items() if s < 100.0),
                   key=lambda pair: (-pair[0], COMPONENTS.index(pair[1])))
    reasons = [component_reason(c, row, context) for cost, c in costs if cost >= MIN_REASON_POINTS][:limit]
    if len(reasons) < limit and row.get("count_purchase_days") == 1:  # the model's strongest sign for a new buyer
        reasons.append(("churn.reason.single_order", {"days": _int(row["recency_days"])}))
    return reasons


def reason_text(reason: tuple[str, dict], lang: str) -> str:
    """One reason in words in ``lang``."""
    key, fields = reason
    if key == "churn.reason.contact_cadence":
        never = t("churn.reason.never", lang)
        fields = {**fields,
                  "call": never if fields["call"] is None else t("churn.reason.days_ago", lang, n=fields["call"]),
                  "visit": never if fields["visit"] is None else t("churn.reason.days_ago", lang, n=fields["visit"])}
    return t(key, lang, **fields)


def method_label(method: str | None, lang: str) -> str:
    """The method in words in ``lang`` (the command line prints MODEL_METHOD / FALLBACK_METHOD as they are)."""
    if method == MODEL_METHOD:
        return t("churn.method.model", lang)
    if method == FALLBACK_METHOD:
        return t("churn.method.fallback", lang)
    return "—" if method is None else method


def feature_label(feature: str, lang: str) -> str:
    """A model input's name in words ("missing:" marks the imputer's missing-value indicator)."""
    if feature.startswith("missing:"):
        return t("churn.feature.missing", lang, feature=feature_label(feature[len("missing:"):], lang))
    key = f"churn.feature.{feature}"
    from kam_metrics.i18n import CATALOGUE

    return t(key, lang) if key in CATALOGUE else feature


def join_reasons(reasons: list[tuple[str, dict]], lang: str) -> str:
    return ("；" if lang == "zh" else "; ").join(reason_text(r, lang) for r in reasons)


# --- model -----------------------------------------------------------------------------------------


def _signed_log(values):
    return np.sign(values) * np.log1p(np.abs(values))


def build_model():
    """The churn model: a Pipeline of imputation, signed log, scaling and a calibrated logistic regression."""
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import FunctionTransformer, StandardScaler

    return Pipeline([
        ("impute", SimpleImputer(strategy="median", add_indicator=True)),
        ("log", FunctionTransformer(_signed_log, feature_names_out="one-to-one")),
        ("scale", StandardScaler()),
        ("classifier", CalibratedClassifierCV(
            LogisticRegression(C=0.1, max_iter=2000, random_state=RANDOM_STATE),
            method="sigmoid", cv=StratifiedKFold(n_splits=5))),
    ])


def _features(con: duckdb.DuckDBPyConnection, as_of: date, cache: dict | None) -> pd.DataFrame:
    """compute_features, remembered in ``cache`` (one scoring run computes each as-of day once)."""
    if cache is None:
        return compute_features(con, as_of)
    if as_of not in cache:
        cache[as_of] = compute_features(con, as_of)
    return cache[as_of]


def train_model(con: duckdb.DuckDBPyConnection, as_of: date, horizon_days: int, cache: dict | None = None) -> TrainedModel:
    """Train as of ``as_of``: features as of as_of − horizon, labels from (as_of − horizon, as_of].

    The model is None, with the reason "too_little_history", when there is too little labelled history.
    """
    train_as_of = as_of - timedelta(days=horizon_days)
    features = _features(con, train_as_of, cache)
    labels = compute_labels(con, features["account_id"], train_as_of, horizon_days)
    churned = int(labels.sum())
    window = TrainingWindow(
        features_as_of=train_as_of, labels_from=train_as_of + timedelta(days=1), labels_to=as_of,
        n_train=int(len(labels)), n_churned=churned, base_rate=float(labels.mean()) if len(labels) else None,
    )
    if len(labels) < MIN_TRAIN_ACCOUNTS or min(churned, len(labels) - churned) < MIN_PER_CLASS:
        return TrainedModel(model=None, reason="too_little_history", window=window, importance=None)
    model = build_model()
    model.fit(model_frame(features), labels.to_numpy())
    return TrainedModel(model=model, reason=None, window=window, importance=model_importance(model))


def model_importance(model) -> pd.DataFrame:
    """The logistic regression's coefficients on standardised inputs, averaged over the calibration
    folds: feature, coefficient (positive raises the churn probability), largest magnitude first."""
    names = list(model[:-1].get_feature_names_out(list(MODEL_FEATURES)))
    coefs = np.mean([c.estimator.coef_[0] for c in model[-1].calibrated_classifiers_], axis=0)
    frame = pd.DataFrame({"feature": names, "coefficient": coefs})
    frame["feature"] = frame["feature"].str.replace("missingindicator_", "missing:", regex=False)
    return frame.reindex(frame["coefficient"].abs().sort_values(ascending=False).index).reset_index(drop=True)


def fallback_probability(components: pd.DataFrame, weights: dict[str, float]) -> pd.Series:
    """1 − (health score over the transaction components) / 100: not calibrated, said so by ``method``."""
    subset = {c: weights.get(c, 0.0) for c in TRANSACTION_COMPONENTS}
    scores = [combine({c: r[c] for c in TRANSACTION_COMPONENTS}, subset) for r in components.to_dict("records")]
    return pd.Series([None if s is None else 1.0 - s / 100.0 for s in scores], index=components.index, dtype=object)


def predict(con: duckdb.DuckDBPyConnection, as_of: date, horizon_days: int, weights: dict[str, float],
            cache: dict | None = None) -> Prediction:
    """Churn probabilities of every account with a purchase by ``as_of`` (features as of as_of), from a
    model trained as of as_of, or the fallback (components: the transaction ones only)."""
    features = _features(con, as_of, cache)
    training = train_model(con, as_of, horizon_days, cache)
    components = health_components(features)
    if training.model is not None and len(features):
        probability = training.model.predict_proba(model_frame(features))[:, 1]
        method = MODEL_METHOD
    else:
        probability = fallback_probability(components, weights).astype(float).to_numpy()
        method = FALLBACK_METHOD
    return Prediction(features=features, components=components, probability=probability, method=method,
                      training=training)


# --- back-test -------------------------------------------------------------------------------------


def _auc(labels: np.ndarray, scores: np.ndarray) -> float | None:
    from sklearn.metrics import roc_auc_score

    if len(set(labels.tolist())) < 2:
        return None
    return float(roc_auc_score(labels, scores))


def backtest_as_of(con: duckdb.DuckDBPyConnection, as_of: date, horizon_days: int,
                   weights: dict[str, float], cache: dict | None = None) -> BacktestCard:
    """Score every account as of ``as_of`` (trained as of it: features as of as_of − horizon) and compare
    with what happened in (as_of, as_of + horizon]. The §7 figures plus calibration bins and the training
    window. The rows after as_of are read only for the outcome."""
    result = predict(con, as_of, horizon_days, weights, cache)
    features, probability = result.features, np.asarray(result.probability, dtype=float)
    labels = compute_labels(con, features["account_id"], as_of, horizon_days).to_numpy()
    return BacktestCard(
        **_backtest_figures(labels, probability, features["recency_days"].to_numpy(dtype=float)),
        method=result.method,
        training=result.training.window,
        scored_as_of=as_of,
        outcome_to=as_of + timedelta(days=horizon_days),
        horizon_days=int(horizon_days),
        calibration=calibration_bins(labels, probability),
        btyd=_btyd_benchmark(features, labels, horizon_days),
        pareto_nbd=_btyd_benchmark(features, labels, horizon_days, pareto=True),
        importance=result.training.importance,
    )


def _backtest_figures(labels: np.ndarray, probability: np.ndarray, recency_days: np.ndarray) -> dict[str, Any]:
    """auc, pr_auc, brier, top_decile_lift, base_rate, n_accounts and baseline_recency_auc of a back-test
    (None where they are undefined: no account, or no churned one for pr_auc and the lift)."""
    from sklearn.metrics import average_precision_score, brier_score_loss

    n = int(len(labels))
    figures: dict[str, Any] = {"auc": None, "pr_auc": None, "brier": None, "top_decile_lift": None,
                               "base_rate": float(labels.mean()) if n else None, "n_accounts": n,
                               "baseline_recency_auc": None}
    if n:
        figures["auc"] = _auc(labels, probability)
        figures["baseline_recency_auc"] = _auc(labels, recency_days)
        figures["brier"] = float(brier_score_loss(labels, probability, labels=[0, 1]))
        if labels.sum() > 0:
            figures["pr_auc"] = float(average_precision_score(labels, probability))
            top = np.argsort(-probability, kind="stable")[: max(1, int(np.ceil(0.1 * n)))]
            figures["top_decile_lift"] = float(labels[top].mean() / labels.mean())
    return figures


def _btyd_benchmark(features: pd.DataFrame, labels: np.ndarray, horizon_days: int,
                    pareto: bool = False) -> BtydScores | None:
    """The BG/NBD (``pareto``: Pareto/NBD) buy-till-you-die model on the same split
    (kam_metrics.churn.btyd): method, auc, pr_auc, brier; None with fewer than two accounts or one class only."""
    from sklearn.metrics import average_precision_score, brier_score_loss

    from kam_metrics.churn import btyd as churn_btyd

    if len(labels) < 2 or len(set(labels.tolist())) < 2:
        return None
    model = churn_btyd.ParetoNBD() if pareto else churn_btyd.BGNBD()
    probability = churn_btyd.score_features(features, horizon_days, model)
    return BtydScores(method=model.method, auc=_auc(labels, probability),
                      pr_auc=float(average_precision_score(labels, probability)),
                      brier=float(brier_score_loss(labels, probability, labels=[0, 1])))


def calibration_bins(labels: np.ndarray, probability: np.ndarray, bins: int = 10) -> pd.DataFrame:
    """Predicted against observed churn in ``bins`` equal-width probability bins: bin_low, bin_high,
    mean_probability, churn_rate, n (bins without accounts left out)."""
    edges = np.linspace(0, 1, bins + 1)
    index = np.clip(np.digitize(probability, edges[1:-1]), 0, bins - 1)
    rows = []
    for b in range(bins):
        mask = index == b
        if mask.any():
            rows.append({"bin_low": edges[b], "bin_high": edges[b + 1], "mean_probability": float(probability[mask].mean()),
                         "churn_rate": float(labels[mask].mean()), "n": int(mask.sum())})
    return pd.DataFrame(rows, columns=["bin_low", "bin_high", "mean_probability", "churn_rate", "n"])


def backtest(con: duckdb.DuckDBPyConnection, cutoff: date, horizon_days: int = 180,
             weights: dict[str, float] | None = None) -> BacktestCard:
    """The back-test of ``churn backtest``: as of the day before ``cutoff``; raises ValueError when the
    data does not reach cutoff + horizon (the outcome would be unknown) or holds nothing before cutoff."""
    weights = weights or load_settings(con)["churn_weights"]
    first, last = con.execute("select min(order_date), max(order_date) from sales where amount > 0").fetchall()[0]
    if first is None or first >= cutoff:
        raise ValueError(f"no purchase before the cutoff {cutoff}" + (f"; the data starts on {first}" if first else ""))
    as_of = cutoff - timedelta(days=1)
    if as_of + timedelta(days=horizon_days) > last:
        raise ValueError(
            f"the data ends on {last}, before the end of the horizon ({as_of + timedelta(days=horizon_days)}); "
            f"choose a cutoff on or before {last - timedelta(days=horizon_days - 1)} or a shorter --horizon-days"
        )
    return backtest_as_of(con, as_of, horizon_days, weights)


# --- scoring the database ----------------------------------------------------------------------------


def latest_order_date(con: duckdb.DuckDBPyConnection) -> date | None:
    return con.execute("select max(order_date) from sales").fetchall()[0][0]


def scoring_day(con: duckdb.DuckDBPyConnection, end: date) -> date | None:
    """The day a period ending on ``end`` is scored as of: its latest order date on or before ``end``
    (None without one), so periods sharing that day share their scores."""
    return con.execute("select max(order_date) from sales where order_date <= ?", [end]).fetchall()[0][0]


def score_accounts(con: duckdb.DuckDBPyConnection, as_of: date | None = None, *, with_backtest: bool = True) -> ChurnScores:
    """Every account's health score, band, churn probability and reasons as of ``as_of`` (default: the
    latest order date), the early-warning flags, and the model card (kam_metrics.churn.results.ChurnScores;
    ``backtest``: the same model back-tested as of as_of − horizon on this database, None when history
    is too short or without ``with_backtest``). Without any order: :func:`unscored`.

    scores: one row per account with a purchase by as_of that is not marked churned by then, highest
    revenue at risk first; columns account_id, account_name, owner, health_score, band, probability,
    revenue_12m, revenue_at_risk, is_alert, recency_days, usual_interval, the eight component scores,
    reasons (list of (key, fields)), reasons_zh, reasons_en.
    """
    as_of = as_of or latest_order_date(con)
    base = unscored(con, as_of)
    if as_of is None:
        return base
    weights, horizon, alert = base.weights, base.horizon_days, base.alert_probability
    cache: dict = {}  # features as of as_of − horizon serve both the model's training and the back-test's scoring
    result = predict(con, as_of, horizon, weights, cache)
    context = compute_context(con, as_of)
    components = health_components(result.features, context)
    components["health_score"] = health_scores(components, weights)
    components["probability"] = result.probability
    frame = _scores_frame(con, as_of, components, weights, alert, context)
    card = _backtest_card(con, as_of, horizon, weights, cache) if with_backtest else None
    return replace(
        base,
        method=result.method,
        fallback_reason=result.training.reason,
        training=result.training.window,
        importance=result.training.importance,
        scores=frame.reset_index(drop=True),
        backtest=card,
    )


def unscored(con: duckdb.DuckDBPyConnection, as_of: date | None) -> ChurnScores:
    """The result of a day with nothing scored: the current settings (weights of every component,
    horizon, alert probability), no method, no model card and an empty scores frame."""
    settings = load_settings(con)
    return ChurnScores(
        as_of=as_of,
        horizon_days=int(settings["churn_horizon_days"]),
        weights={c: float(settings["churn_weights"].get(c, 0.0)) for c in COMPONENTS},
        alert_probability=float(settings["churn_alert_probability"]),
        method=None,
        fallback_reason=None,
        training=None,
        importance=None,
        scores=empty_scores(),
        backtest=None,
    )


def _scores_frame(con: duckdb.DuckDBPyConnection, as_of: date, components: pd.DataFrame, weights: dict[str, float],
                  alert: float, context: dict[str, Any]) -> pd.DataFrame:
    """The scored accounts not churned by ``as_of``, with band, risk, alert and reasons, highest risk first."""
    accounts = con.execute(
        "select account_id, account_name, owner, status, churned_on from accounts"
    ).df()
    frame = components.merge(accounts, on="account_id", how="left")
    lost = (frame["status"] == "churned") & (frame["churned_on"].isna() | (pd.to_datetime(frame["churned_on"]) <= pd.Timestamp(as_of)))
    frame = frame[~lost].copy()
    for column in (*COMPONENTS, "health_score"):  # no data stays None (not NaN) for the page and the JSON
        frame[column] = pd.Series([None if v is None or pd.isna(v) else float(v) for v in frame[column]],
                                  index=frame.index, dtype=object)
    frame["band"] = [band_of(s) for s in frame["health_score"]]
    frame["probability"] = frame["probability"].astype(float)
    frame["revenue_12m"] = frame["revenue_12m"].astype(float)
    frame["revenue_at_risk"] = frame["probability"] * frame["revenue_12m"].clip(lower=0)
    frame["is_alert"] = (frame["band"] == "red") | (frame["probability"] >= alert)
    records = frame.to_dict("records")
    frame["reasons"] = [reasons_for(r, weights, context) for r in records]
    frame["reasons_zh"] = [join_reasons(r, "zh") for r in frame["reasons"]]
    frame["reasons_en"] = [join_reasons(r, "en") for r in frame["reasons"]]
    return frame.sort_values(["revenue_at_risk", "probability", "account_id"], ascending=[False, False, True])


def _backtest_card(con: duckdb.DuckDBPyConnection, as_of: date, horizon: int, weights: dict[str, float],
                   cache: dict) -> BacktestCard | None:
    """The model back-tested as of ``as_of`` − horizon, or None when sales start after that day."""
    card_as_of = as_of - timedelta(days=horizon)
    first = con.execute("select min(order_date) from sales where amount > 0").fetchall()[0][0]
    if first is not None and first <= card_as_of:
        return backtest_as_of(con, card_as_of, horizon, weights, cache)
    return None


def empty_scores() -> pd.DataFrame:
    """A scores frame without rows (nothing to score as of the day)."""
    return pd.DataFrame(columns=["account_id", "account_name", "owner", "health_score", "band", "probability",
                                 "revenue_12m", "revenue_at_risk", "is_alert", "reasons", "reasons_zh", "reasons_en"])


def early_warning(scores: pd.DataFrame) -> pd.DataFrame:
    """The early-warning list: red accounts and accounts at or above the alert probability, highest
    revenue at risk first (scores are already in that order)."""
    return scores[scores["is_alert"].astype(bool)].reset_index(drop=True)


def band_counts(scores: pd.DataFrame) -> pd.DataFrame:
    """Accounts and 12-month revenue per band (red, amber, green): band, count_accounts, revenue_12m."""
    rows = []
    for band in BANDS:
        part = scores[scores["band"] == band]
        rows.append({"band": band, "count_accounts": int(len(part)), "revenue_12m": float(part["revenue_12m"].sum())})
    return pd.DataFrame(rows)


def attach_risk(accounts: pd.DataFrame, scores: pd.DataFrame) -> pd.DataFrame:
    """The account list with risk_band and churn_probability joined from ``scores`` (None when not scored)."""
    risk = scores[["account_id", "band", "probability"]].rename(columns={"band": "risk_band", "probability": "churn_probability"})
    return accounts.merge(risk, on="account_id", how="left")


def scores_json(result: ChurnScores, limit: int | None = None) -> dict[str, Any]:
    """The ``churn score --json`` payload."""
    scores = result.scores
    rows = scores if limit is None else scores.head(limit)
    accounts = []
    for r in rows.to_dict("records"):
        accounts.append({
            "account_id": r["account_id"], "account_name": r.get("account_name"), "owner": r.get("owner"),
            "health_score": None if r["health_score"] is None or pd.isna(r["health_score"]) else round(float(r["health_score"]), 2),
            "band": r["band"], "probability": None if pd.isna(r["probability"]) else round(float(r["probability"]), 6),
            "revenue_12m": float(r["revenue_12m"]), "revenue_at_risk": float(r["revenue_at_risk"]),
            "is_alert": bool(r["is_alert"]), "reasons": {"zh": [reason_text(x, "zh") for x in r["reasons"]],
                                                         "en": [reason_text(x, "en") for x in r["reasons"]]},
        })
    return {
        "as_of": result.as_of, "horizon_days": result.horizon_days, "method": result.method,
        "training": None if result.training is None else result.training.as_dict(), "weights": result.weights,
        "alert_probability": result.alert_probability,
        "n_accounts": int(len(scores)), "n_alert": int(scores["is_alert"].sum()) if len(scores) else 0,
        "bands": {b: int((scores["band"] == b).sum()) for b in BANDS},
        "backtest": None if result.backtest is None else result.backtest.metrics(),
        "accounts": accounts,
    }
