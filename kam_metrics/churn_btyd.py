"""A buy-till-you-die benchmark for the churn back-test: the BG/NBD model (Fader, Hardie and Lee 2005,
"Counting your customers the easy way"), fitted by maximum likelihood on the purchase history up to the
scoring day, the same split the churn model is back-tested on.

Per account: x = repeat purchase days (purchase days − 1), t_x = days from the first to the last purchase
day, T = days from the first purchase day to the scoring day. Purchases while alive follow a Poisson
process with rate λ ~ Gamma(r, α); after each purchase the account drops out with probability
p ~ Beta(a, b). The probability of no purchase in the next H days is

    1 − P(alive | x, t_x, T) × (1 − ((α + T) / (α + T + H))^(r + x)),

with P(alive) = 1 / (1 + [x > 0] a / (b + x − 1) × ((α + T) / (α + t_x))^(r + x)).

It is the closed-form cousin of Pareto/NBD (which needs the Gauss hypergeometric function) and usually
ranks customers much like it. It is a benchmark printed beside the model, not part of the product's
scores or of the §7 JSON keys.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import minimize
from scipy.special import gammaln

METHOD = "BG/NBD (buy-till-you-die)"
DAYS = 7.0  # time unit of the fit: weeks keep the scale parameter near 1


def _negative_log_likelihood(log_params: np.ndarray, x: np.ndarray, tx: np.ndarray, T: np.ndarray) -> float:
    r, alpha, a, b = np.exp(log_params)
    a1 = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
    a2 = gammaln(a + b) + gammaln(b + x) - gammaln(b) - gammaln(a + b + x)
    a3 = -(r + x) * np.log(alpha + T)
    with np.errstate(divide="ignore", invalid="ignore"):
        a4 = np.where(x > 0, np.log(a) - np.log(np.maximum(b + x - 1, 1e-12)) - (r + x) * np.log(alpha + tx), -np.inf)
    return float(-(a1 + a2 + np.logaddexp(a3, a4)).sum())


def fit(x: np.ndarray, tx: np.ndarray, T: np.ndarray) -> np.ndarray:
    """Maximum-likelihood (r, α, a, b) on log scale (Nelder-Mead from a fixed start: deterministic)."""
    x, tx, T = (np.asarray(v, dtype=float) for v in (x, tx, T))
    result = minimize(_negative_log_likelihood, x0=np.log([0.5, 1.0, 1.0, 1.0]), args=(x, tx / DAYS, T / DAYS),
                      method="Nelder-Mead", options={"maxiter": 4000, "xatol": 1e-6, "fatol": 1e-8})
    return np.exp(result.x)


def churn_probability(params: np.ndarray, x: np.ndarray, tx: np.ndarray, T: np.ndarray, horizon_days: float) -> np.ndarray:
    """P(no purchase in the next ``horizon_days``) for each account."""
    r, alpha, a, b = params
    x, tx, T = (np.asarray(v, dtype=float) for v in (x, tx, T))
    tx, T, horizon = tx / DAYS, T / DAYS, horizon_days / DAYS
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        odds = np.where(x > 0, a / (b + x - 1) * np.exp((r + x) * (np.log(alpha + T) - np.log(alpha + tx))), 0.0)
    alive = 1.0 / (1.0 + odds)
    buys = 1.0 - np.exp((r + x) * (np.log(alpha + T) - np.log(alpha + T + horizon)))
    return 1.0 - alive * buys


def score_features(features, horizon_days: int) -> np.ndarray:
    """Fit on the accounts of ``features`` (kam_metrics.churn_features.compute_features as of the scoring
    day) and return each one's probability of no purchase in the horizon."""
    x = features["count_purchase_days"].to_numpy(dtype=float) - 1
    T = features["tenure_days"].to_numpy(dtype=float)
    tx = T - features["recency_days"].to_numpy(dtype=float)
    params = fit(x, tx, T)
    return churn_probability(params, x, tx, T, horizon_days)
