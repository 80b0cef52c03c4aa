"""A buy-till-you-die benchmark for the churn back-test: the BG/NBD model (Fader, Hardie and Lee 2005,
"Counting your customers the easy way"), fitted by maximum likelihood on the purchase history up to the
scoring day, the same split the churn model is back-tested on.

Per account: x = repeat purchase days (purchase days − 1), t_x = days from the first to the last purchase
day, T = days from the first purchase day to the scoring day. Purchases while alive follow a Poisson
process with rate λ ~ Gamma(r, α); after each purchase the account drops out with probability
p ~ Beta(a, b). The probability of no purchase in the next H days is

    1 − P(alive | x, t_x, T) × (1 − ((α + T) / (α + T + H))^(r + x)),

with P(alive) = 1 / (1 + [x > 0] a / (b + x − 1) × ((α + T) / (α + t_x))^(r + x)).

The Pareto/NBD model (Schmittlein, Morrison and Colombo 1987; Fader, Hardie and Lee 2005) is fitted on
the same split as a second benchmark: λ ~ Gamma(r, α) as above, and an exponential lifetime with rate
μ ~ Gamma(s, β). Its likelihood is usually written with the Gauss hypergeometric function; here the
equivalent one-dimensional integral over the dropout time τ ∈ (t_x, T] is used,

    L = Γ(r + x) α^r β^s / Γ(r) × [ (α + T)^−(r+x) (β + T)^−s + s ∫ (α + τ)^−(r+x) (β + τ)^−(s+1) dτ ],

taken by Gauss-Legendre quadrature after substituting w = ((α + t_x) / (α + τ))^(r+x), which makes the
integrand smooth however many purchases an account has (checked against the ₂F₁ form in the tests).
Given alive at T, λ ~ Gamma(r + x, α + T) and μ ~ Gamma(s, β + T), so

    P(no purchase in H) = 1 − P(alive) × ∫₀^H (r+x)/(α+T) ((α+T)/(α+T+t))^(r+x+1) ((β+T)/(β+T+t))^s dt,

the same substitution turning that integral into ∫ ((β+T)/(β+T+t(w)))^s dw over [((α+T)/(α+T+H))^(r+x), 1].

Both are benchmarks printed beside the model, not part of the product's scores or of the §7 JSON keys.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import minimize
from scipy.special import gammaln

METHOD = "BG/NBD (buy-till-you-die)"
METHOD_PARETO = "Pareto/NBD (buy-till-you-die)"
#: most accounts the Pareto/NBD parameters are fitted on (every account is scored)
FIT_SAMPLE = 2000
#: Gauss-Legendre nodes and weights on [0, 1] for the two integrals of the Pareto/NBD model
_NODES, _WEIGHTS = np.polynomial.legendre.leggauss(32)
_NODES, _WEIGHTS = (_NODES + 1) / 2, _WEIGHTS / 2
DAYS = 7.0  # time unit of the fit: weeks keep the scale parameter near 1


def _negative_log_likelihood(log_params: np.ndarray, x: np.ndarray, tx: np.ndarray, T: np.ndarray) -> float:
    r, alpha, a, b = np.exp(log_params)
    a1 = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
    a2 = gammaln(a + b) + gammaln(b + x) - gammaln(b) - gammaln(a + b + x)
    a3 = -(r + x) * np.log(alpha + T)
    with np.errstate(divide="ignore", invalid="ignore"):
        a4 = np.where(x > 0, np.log(a) - np.log(np.maximum(b + x - 1, 1e-12)) - (r + x) * np.log(alpha + tx), -np.inf)
    return float(-(a1 + a2 + np.logaddexp(a3, a4)).sum())


def _fit_bgnbd(x: np.ndarray, tx: np.ndarray, T: np.ndarray) -> np.ndarray:
    """Maximum-likelihood (r, α, a, b) on log scale (Nelder-Mead from a fixed start: deterministic)."""
    x, tx, T = (np.asarray(v, dtype=float) for v in (x, tx, T))
    result = minimize(_negative_log_likelihood, x0=np.log([0.5, 1.0, 1.0, 1.0]), args=(x, tx / DAYS, T / DAYS),
                      method="Nelder-Mead", options={"maxiter": 4000, "xatol": 1e-6, "fatol": 1e-8})
    return np.exp(result.x)


def _bgnbd_churn_probability(params: np.ndarray, x: np.ndarray, tx: np.ndarray, T: np.ndarray, horizon_days: float) -> np.ndarray:
    """P(no purchase in the next ``horizon_days``) for each account."""
    r, alpha, a, b = params
    x, tx, T = (np.asarray(v, dtype=float) for v in (x, tx, T))
    tx, T, horizon = tx / DAYS, T / DAYS, horizon_days / DAYS
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        odds = np.where(x > 0, a / (b + x - 1) * np.exp((r + x) * (np.log(alpha + T) - np.log(alpha + tx))), 0.0)
    alive = 1.0 / (1.0 + odds)
    buys = 1.0 - np.exp((r + x) * (np.log(alpha + T) - np.log(alpha + T + horizon)))
    return 1.0 - alive * buys


def _pareto_terms(params: np.ndarray, x: np.ndarray, tx: np.ndarray, T: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """log of the two terms of the Pareto/NBD likelihood without the common factor Γ(r+x) α^r / Γ(r),
    the β^s factor folded in (β^s (β+t)^−s = (1 + t/β)^−s, stable when s and β are both large): alive at T,
    (α+T)^−(r+x) (1+T/β)^−s, and dropped out in (t_x, T], s ∫ (α+τ)^−(r+x) (1+τ/β)^−s (β+τ)^−1 dτ."""
    r, alpha, s, beta = params
    k = r + x
    log_alive = -k * np.log(alpha + T) - s * np.log1p(T / beta)
    # w = ((α + t_x) / (α + τ))^k runs from w_T (τ = T) to 1 (τ = t_x); (α+τ)^−k dτ = (α+t_x)^−k (α+τ) dw / k
    w_low = np.exp(k * (np.log(alpha + tx) - np.log(alpha + T)))
    w = w_low[:, None] + (1.0 - w_low)[:, None] * _NODES[None, :]
    scale = alpha + tx
    tau_plus_alpha = scale[:, None] * np.exp(-np.log(w) / k[:, None])
    tau = tau_plus_alpha - alpha
    integrand = tau_plus_alpha * np.exp(-s * np.log1p(tau / beta)) / (beta + tau)
    integral = (1.0 - w_low) * (integrand * _WEIGHTS[None, :]).sum(axis=1)
    with np.errstate(divide="ignore"):
        log_dropped = np.log(s) - k * np.log(scale) - np.log(k) + np.log(integral)
    return log_alive, log_dropped


def _pareto_negative_log_likelihood(log_params: np.ndarray, x: np.ndarray, tx: np.ndarray, T: np.ndarray) -> float:
    r, alpha, s, beta = params = np.exp(log_params)
    log_alive, log_dropped = _pareto_terms(params, x, tx, T)
    common = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
    value = -(common + np.logaddexp(log_alive, log_dropped)).sum()
    return float(value) if np.isfinite(value) else 1e300


def _fit_pareto(x: np.ndarray, tx: np.ndarray, T: np.ndarray, fit_sample: int = FIT_SAMPLE) -> np.ndarray:
    """Maximum-likelihood Pareto/NBD (r, α, s, β), times in weeks: L-BFGS-B from a fixed start, polished
    by Nelder-Mead (deterministic), each log-parameter within ±10 (s → 0 with β large is the no-dropout
    limit, where the model is the NBD and ranks like BG/NBD with a → 0). With more than FIT_SAMPLE
    accounts the four parameters are fitted on an evenly spaced sample of them (in the order given),
    which keeps a 10,000-account back-test fast."""
    x, tx, T = (np.asarray(v, dtype=float) for v in (x, tx, T))
    if len(x) > fit_sample:
        keep = np.linspace(0, len(x) - 1, fit_sample).round().astype(int)
        x, tx, T = x[keep], tx[keep], T[keep]
    args = (x, tx / DAYS, T / DAYS)
    start = minimize(_pareto_negative_log_likelihood, x0=np.log([0.5, 1.0, 0.5, 10.0]), args=args, method="L-BFGS-B",
                     bounds=[(-10.0, 10.0)] * 4)
    result = minimize(_pareto_negative_log_likelihood, x0=start.x, args=args, method="Nelder-Mead",
                      bounds=[(-10.0, 10.0)] * 4, options={"maxiter": 2000, "xatol": 1e-5, "fatol": 1e-6})
    best = result if result.fun <= start.fun else start
    return np.exp(best.x)


def _pareto_alive_weeks(params: np.ndarray, x: np.ndarray, tx: np.ndarray, T: np.ndarray) -> np.ndarray:
    """P(alive at T | x, t_x, T) under Pareto/NBD (times in weeks)."""
    log_alive, log_dropped = _pareto_terms(params, x, tx, T)
    return 1.0 / (1.0 + np.exp(log_dropped - log_alive))


def _pareto_churn_probability(params: np.ndarray, x: np.ndarray, tx: np.ndarray, T: np.ndarray,
                              horizon_days: float) -> np.ndarray:
    """P(no purchase in the next ``horizon_days``) for each account under Pareto/NBD."""
    r, alpha, s, beta = params
    x, tx, T = (np.asarray(v, dtype=float) for v in (x, tx, T))
    tx, T, horizon = tx / DAYS, T / DAYS, horizon_days / DAYS
    alive = _pareto_alive_weeks(params, x, tx, T)
    k = r + x
    # w = ((α+T)/(α+T+t))^k: (r+x)/(α+T) ((α+T)/(α+T+t))^(k+1) dt = −dw; t = (α+T)(w^(−1/k) − 1)
    w_low = np.exp(k * (np.log(alpha + T) - np.log(alpha + T + horizon)))
    w = w_low[:, None] + (1.0 - w_low)[:, None] * _NODES[None, :]
    t = (alpha + T)[:, None] * (np.exp(-np.log(w) / k[:, None]) - 1.0)
    survive = np.exp(s * (np.log(beta + T)[:, None] - np.log(beta + T[:, None] + t)))
    buys = (1.0 - w_low) * (survive * _WEIGHTS[None, :]).sum(axis=1)
    return 1.0 - alive * buys


class BGNBD:
    """The BG/NBD model as an estimator: ``BGNBD().fit(x, tx, T)`` returns the model with its learned
    parameters in ``params_`` (r, α, a, b; times in weeks inside); every time argument is in days.

    x: repeat purchase days (purchase days − 1); tx: days from the first to the last purchase day;
    T: days from the first purchase day to the scoring day."""

    method = METHOD

    def fit(self, x, tx, T) -> BGNBD:
        self.params_ = _fit_bgnbd(x, tx, T)
        return self

    @classmethod
    def with_params(cls, r: float, alpha: float, a: float, b: float) -> BGNBD:
        """A model with known parameters (alpha per week), as if fitted."""
        model = cls()
        model.params_ = np.array([r, alpha, a, b], dtype=float)
        return model

    def churn_probability(self, x, tx, T, horizon_days: float) -> np.ndarray:
        """P(no purchase in the next ``horizon_days``) for each account."""
        return _bgnbd_churn_probability(self.params_, x, tx, T, horizon_days)


class ParetoNBD:
    """The Pareto/NBD model as an estimator, with the interface of :class:`BGNBD`: ``params_`` are
    (r, α, s, β), times in weeks inside, days in every argument. ``fit_sample``: the most accounts the
    parameters are fitted on (an evenly spaced sample; every account is scored)."""

    method = METHOD_PARETO

    def __init__(self, fit_sample: int = FIT_SAMPLE):
        self.fit_sample = fit_sample

    def fit(self, x, tx, T) -> ParetoNBD:
        self.params_ = _fit_pareto(x, tx, T, self.fit_sample)
        return self

    @classmethod
    def with_params(cls, r: float, alpha: float, s: float, beta: float) -> ParetoNBD:
        """A model with known parameters (alpha and beta per week), as if fitted."""
        model = cls()
        model.params_ = np.array([r, alpha, s, beta], dtype=float)
        return model

    def probability_alive(self, x, tx, T) -> np.ndarray:
        """P(alive at T | x, t_x, T) for each account."""
        x, tx, T = (np.asarray(v, dtype=float) for v in (x, tx, T))
        return _pareto_alive_weeks(self.params_, x, tx / DAYS, T / DAYS)

    def churn_probability(self, x, tx, T, horizon_days: float) -> np.ndarray:
        """P(no purchase in the next ``horizon_days``) for each account."""
        return _pareto_churn_probability(self.params_, x, tx, T, horizon_days)


def _rfm(features) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    x = features["count_purchase_days"].to_numpy(dtype=float) - 1
    T = features["tenure_days"].to_numpy(dtype=float)
    tx = T - features["recency_days"].to_numpy(dtype=float)
    return x, tx, T


def score_features(features, horizon_days: int, model: BGNBD | ParetoNBD | None = None) -> np.ndarray:
    """Fit ``model`` (default BG/NBD) on the accounts of ``features`` (kam_metrics.churn.features.
    compute_features as of the scoring day) and return each one's probability of no purchase in the
    horizon."""
    x, tx, T = _rfm(features)
    return (model or BGNBD()).fit(x, tx, T).churn_probability(x, tx, T, horizon_days)
