"""Churn risk (docs/kpis.md#churn-risk): health score by hand, reasons in both languages,
no leakage past the cutoff, determinism, the fallback on tiny history, the back-test figures."""

from __future__ import annotations

import shutil
from datetime import date, timedelta

import pandas as pd
import pytest
from churn_support import AS_OF, SYNTH_END, build_hand_db, build_synthetic_db

from kam_metrics.churn import scoring as churn
from kam_metrics.churn.features import compute_features, model_frame
from kam_metrics.store.connection import open_db
from kam_metrics.store.settings import DEFAULTS, save_setting

WEIGHTS = DEFAULTS["churn_weights"]


@pytest.fixture()
def churn_hand_db(tmp_path):
    return build_hand_db(tmp_path / "churn_hand.duckdb")


@pytest.fixture(scope="module")
def synthetic_db(tmp_path_factory):
    return build_synthetic_db(tmp_path_factory.mktemp("churn") / "synthetic.duckdb")


def _row(scores: pd.DataFrame, account_id: str) -> dict:
    return scores[scores["account_id"] == account_id].iloc[0].to_dict()


def test_band_edges_and_component_formulas():
    assert [churn.band_of(s) for s in (0, 49.99, 50, 74.99, 75, 100)] == ["red", "red", "amber", "amber", "green", "green"]
    assert churn.band_of(None) is None
    # recency: 100 within the usual interval, 0 at three intervals or more, linear between
    assert churn.recency_score(35, 35) == 100
    assert churn.recency_score(70, 35) == 50  # r = 2: 100 × (3 − 2) / 2
    assert churn.recency_score(142, 35) == 0  # r = 4.06
    assert churn.trend_score(50, 200) == 25 and churn.trend_score(300, 200) == 100
    assert churn.trend_score(10, 0) == 100 and churn.trend_score(0, 0) == 0
    # renormalisation: a component without data is left out
    assert churn.combine({"recency": 0, "revenue_trend": 100, "satisfaction": None}, WEIGHTS) == pytest.approx(
        (0.25 * 0 + 0.20 * 100) / (0.25 + 0.20))


def test_health_score_by_hand_with_renormalisation(churn_hand_db):
    with open_db(churn_hand_db, read_only=True) as con:
        result = churn.score_accounts(con, AS_OF, with_backtest=False)
    scores = result.scores
    h1, h2 = _row(scores, "H1"), _row(scores, "H2")
    # H1 as of 1 Aug 2025: last order 12 Mar (142 days), usual interval 35 → r = 4.06 → recency 0.
    # revenue: last 180 days (3 Feb .. 1 Aug) 5 Feb + 12 Mar = 200, the 180 days before: 1 Jan = 100 → 100.
    # orders: 2 against 1 → 100. satisfaction: W1 all 4s = 80 (W0 was 100). No interactions, projects.
    assert (h1["recency_days"], h1["usual_interval"]) == (142, 35)
    assert (h1["recency"], h1["revenue_trend"], h1["frequency_trend"], h1["satisfaction"]) == (0, 100, 100, 80)
    assert all(h1[c] is None for c in ("complaints", "service_response", "projects", "contact_cadence"))
    # (0.25 × 0 + 0.20 × 100 + 0.15 × 100 + 0.15 × 80) / (0.25 + 0.20 + 0.15 + 0.15) = 47 / 0.75
    assert h1["health_score"] == pytest.approx(47 / 0.75)  # 62.67
    assert h1["band"] == "amber"
    # H2: last order 16 Jul (16 days), usual (16 Jul 2025 − 1 Sep 2024) / 3 = 318 / 3 = 106 → recency 100.
    # revenue 100 + 150 = 250 against 300 + 300 = 600 → 41.67; orders 2 against 2 → 100; no survey.
    assert (h2["recency_days"], h2["usual_interval"]) == (16, 106)
    assert h2["revenue_trend"] == pytest.approx(100 * 250 / 600)
    assert h2["satisfaction"] is None
    # (25 + 0.20 × 41.67 + 15) / (0.25 + 0.20 + 0.15): satisfaction left out, the weights renormalised
    assert h2["health_score"] == pytest.approx((25 + 0.20 * 100 * 250 / 600 + 15) / 0.60)  # 80.56
    assert h2["band"] == "green"
    # revenue at risk = probability × trailing-12-month revenue (H2: 300 + 300 + 100 + 150 = 850)
    assert h2["revenue_12m"] == 850
    assert h2["revenue_at_risk"] == pytest.approx(h2["probability"] * 850)


def test_complaints_and_service_response_join_the_score_when_recorded(churn_hand_db):
    with open_db(churn_hand_db) as con:
        con.execute("insert into interactions (interaction_id, account_id, kind, opened_at, first_response_at) values "
                    "('I1', 'H2', 'complaint', '2025-07-01 10:00:00', '2025-07-02 12:00:00')")  # answered after 26 h
    with open_db(churn_hand_db, read_only=True) as con:
        scores = churn.score_accounts(con, AS_OF, with_backtest=False).scores
    h1, h2 = _row(scores, "H1"), _row(scores, "H2")
    # interactions are recorded now: H1 has no complaint → 100; no ticket → service response has no data
    assert (h1["complaints"], h1["service_response"]) == (100, None)
    assert h1["health_score"] == pytest.approx((47 + 0.05 * 100) / 0.80)  # 65.0
    # H2: one complaint → 100 − 25 = 75; 0 of 1 ticket within 24 h → 0
    assert (h2["complaints"], h2["service_response"]) == (75, 0)
    assert h2["health_score"] == pytest.approx((25 + 0.20 * 100 * 250 / 600 + 15 + 0.05 * 75 + 0.05 * 0) / 0.70)  # 74.40
    assert h2["band"] == "amber"


def test_reasons_in_both_languages_quote_the_numbers(churn_hand_db):
    with open_db(churn_hand_db, read_only=True) as con:
        scores = churn.score_accounts(con, AS_OF, with_backtest=False).scores
    h1 = _row(scores, "H1")
    # costs: recency 0.25 / 0.75 × 100 = 33.3 points, satisfaction 0.15 / 0.75 × 20 = 4 points
    assert [key for key, _ in h1["reasons"]] == ["churn.reason.recency", "churn.reason.satisfaction_fell"]
    assert h1["reasons_en"] == "no order for 142 days; usually every 35; satisfaction fell 20 points since the last wave (now 80)"
    assert h1["reasons_zh"].startswith("已 142 天未下单，通常每 35 天一单")
    assert "下降 20 分" in h1["reasons_zh"]
    h2 = _row(scores, "H2")
    assert [key for key, _ in h2["reasons"]] == ["churn.reason.revenue_trend"]
    assert "58%" in h2["reasons_en"] and "58%" in h2["reasons_zh"]  # 250 against 600: down 58 %


def test_a_single_order_account_is_told_so():
    row = {"recency_days": 20, "usual_interval": 35, "count_purchase_days": 1, "recency": 100.0,
           "revenue_recent": 80.0, "revenue_before": 0.0, "revenue_trend": 100.0, "orders_recent": 1,
           "orders_before": 0, "frequency_trend": 100.0}
    reasons = churn.reasons_for(row, WEIGHTS)
    assert reasons == [("churn.reason.single_order", {"days": 20})]  # every component at 100: no other reason
    assert churn.reason_text(reasons[0], "en") == "only one order so far (20 days ago)"
    assert churn.reason_text(reasons[0], "zh") == "至今只下过一次单（20 天前）"


def test_tiny_history_falls_back_to_recency_and_frequency(churn_hand_db):
    with open_db(churn_hand_db, read_only=True) as con:
        result = churn.score_accounts(con, AS_OF)
    assert result.method == churn.FALLBACK_METHOD == "fallback: recency and frequency"
    assert result.fallback_reason == "too_little_history"
    scores = result.scores
    # H1: recency 0, frequency 100 with weights 0.25 and 0.15 → (0 + 15) / 0.40 = 37.5 → p = 0.625
    assert _row(scores, "H1")["probability"] == pytest.approx(0.625)
    assert _row(scores, "H2")["probability"] == pytest.approx(0.0)  # both at 100
    assert result.backtest is not None and result.backtest.method == churn.FALLBACK_METHOD
    # early warning: probability ≥ 0.5 or red → H1 only
    assert churn.early_warning(scores)["account_id"].tolist() == ["H1"]


def test_features_use_nothing_after_the_day(churn_hand_db):
    with open_db(churn_hand_db, read_only=True) as con:
        frame = compute_features(con, date(2025, 3, 12))
    h1 = frame[frame["account_id"] == "H1"].iloc[0]
    assert (h1["count_purchase_days"], h1["recency_days"], h1["mean_interval"]) == (3, 0, 35)
    assert "H2" in set(frame["account_id"])  # bought in 2024
    with open_db(churn_hand_db, read_only=True) as con:
        assert compute_features(con, date(2024, 8, 31)).empty


def test_adding_rows_after_the_cutoff_changes_no_feature_and_no_score(synthetic_db, tmp_path):
    as_of = date(2025, 9, 30)
    copy = tmp_path / "later.duckdb"
    shutil.copy(synthetic_db, copy)
    with open_db(synthetic_db, read_only=True) as con:
        features = compute_features(con, as_of)
        before = churn.score_accounts(con, as_of)
    assert before.method == churn.MODEL_METHOD  # the model path, not the fallback
    with open_db(copy) as con:
        # orders on the day after, much later, returns, a new account, a complaint and a survey after as_of
        con.execute("insert into accounts (account_id, account_name) values ('NEW', 'new')")
        con.executemany(
            "insert into sales (order_id, line_no, account_id, order_date, quantity, amount) values (?, 1, ?, ?, ?, ?)",
            [("L1", "S000", as_of + timedelta(days=1), 5, 9999.0), ("L2", "S001", date(2025, 12, 31), 1, 50.0),
             ("L3", "S002", as_of + timedelta(days=3), -2, -300.0), ("L4", "NEW", as_of + timedelta(days=2), 1, 10.0)],
        )
        con.execute("insert into interactions (interaction_id, account_id, kind, opened_at) values "
                    "('X1', 'S003', 'complaint', '2025-10-01 08:00:00')")
    with open_db(copy, read_only=True) as con:
        later_features = compute_features(con, as_of)
        after = churn.score_accounts(con, as_of)
    pd.testing.assert_frame_equal(features, later_features)
    columns = ["account_id", "health_score", "band", "probability", "revenue_at_risk", "reasons_en"]
    pd.testing.assert_frame_equal(before.scores[columns], after.scores[columns])
    assert before.training == after.training


def test_same_data_gives_the_same_scores(synthetic_db, tmp_path):
    rebuilt = build_synthetic_db(tmp_path / "again.duckdb")
    with open_db(synthetic_db, read_only=True) as con:
        first = churn.score_accounts(con, SYNTH_END)
        second = churn.score_accounts(con, SYNTH_END)
    with open_db(rebuilt, read_only=True) as con:
        third = churn.score_accounts(con, SYNTH_END)
    assert first.method == churn.MODEL_METHOD
    for other in (second, third):
        assert first.scores["probability"].tolist() == other.scores["probability"].tolist()
        assert first.scores["account_id"].tolist() == other.scores["account_id"].tolist()
        assert first.backtest.auc == other.backtest.auc
    pd.testing.assert_frame_equal(first.importance, third.importance)


def test_backtest_figures_are_the_metrics_of_the_scores(synthetic_db):
    from sklearn.metrics import brier_score_loss, roc_auc_score

    from kam_metrics.churn.features import compute_labels

    cutoff = date(2025, 6, 1)
    with open_db(synthetic_db, read_only=True) as con:
        result = churn.backtest(con, cutoff, 180, WEIGHTS)
        as_of = cutoff - timedelta(days=1)
        features = compute_features(con, as_of)
        labels = compute_labels(con, features["account_id"], as_of, 180)
        model = churn.train_model(con, as_of, 180).model
    probability = model.predict_proba(model_frame(features))[:, 1]
    assert result.n_accounts == len(features)
    assert result.base_rate == pytest.approx(labels.mean())
    assert result.auc == pytest.approx(roc_auc_score(labels, probability))
    assert result.brier == pytest.approx(brier_score_loss(labels, probability))
    assert result.baseline_recency_auc == pytest.approx(roc_auc_score(labels, features["recency_days"]))
    assert result.training.features_as_of == as_of - timedelta(days=180)
    assert result.training.labels_to == as_of
    assert result.calibration["n"].sum() == len(features)
    with open_db(synthetic_db, read_only=True) as con, pytest.raises(ValueError, match="horizon"):
        churn.backtest(con, date(2025, 11, 1), 180, WEIGHTS)  # the outcome window runs past the data


def test_alert_probability_and_weights_are_settings(churn_hand_db):
    with open_db(churn_hand_db) as con:
        save_setting(con, "churn_alert_probability", 0.7)
        save_setting(con, "churn_weights", {**WEIGHTS, "satisfaction": 0.0})
    with open_db(churn_hand_db, read_only=True) as con:
        result = churn.score_accounts(con, AS_OF, with_backtest=False)
    h1 = _row(result.scores, "H1")
    assert result.alert_probability == 0.7
    assert h1["health_score"] == pytest.approx(35 / 0.60)  # satisfaction weighs 0 now: (0 + 20 + 15) / 0.60
    assert not h1["is_alert"]  # 0.625 < 0.7 and amber (58.3)


def test_risk_joins_the_account_list(churn_hand_db):
    from kam_metrics.domain.filters import Filters
    from kam_metrics.metrics.accounts import compute_account_list

    with open_db(churn_hand_db, read_only=True) as con:
        scores = churn.score_accounts(con, AS_OF, with_backtest=False).scores
        accounts = compute_account_list(con, Filters(start=date(2025, 5, 3), end=AS_OF))
    joined = churn.attach_risk(accounts, scores)
    assert len(joined) == len(accounts)
    assert joined.set_index("account_id").loc["H1", "risk_band"] == "amber"
    assert joined.set_index("account_id").loc["H1", "churn_probability"] == pytest.approx(0.625)


def test_bgnbd_benchmark_formulas():

    from kam_metrics.churn import btyd as churn_btyd

    r, alpha, a, b = 0.5, 2.0, 1.0, 3.0
    # one purchase (x = 0): alive for sure; no purchase in 2 weeks = ((α + T) / (α + T + 2))^r, T = 4 weeks
    model = churn_btyd.BGNBD.with_params(r, alpha, a, b)
    p = model.churn_probability([0], [0], [28], 14)
    assert p[0] == pytest.approx((6 / 8) ** 0.5)
    # x = 2, t_x = 2 weeks, T = 4: P(alive) = 1 / (1 + a / (b + 1) × ((α + 4) / (α + 2))^(r + 2))
    alive = 1 / (1 + 1 / 4 * (6 / 4) ** 2.5)
    p = model.churn_probability([2], [14], [28], 14)
    assert p[0] == pytest.approx(1 - alive * (1 - (6 / 8) ** 2.5))


@pytest.mark.parametrize("params", [(0.55, 10.6, 0.61, 11.7), (0.3, 2.0, 0.8, 30.0), (2.0, 5.0, 0.2, 1.0)])
def test_pareto_nbd_likelihood_equals_the_hypergeometric_form(params):
    """The quadrature form of the Pareto/NBD likelihood against Fader, Hardie and Lee's ₂F₁ form
    (α ≥ β and α < β cases), for a one-off buyer, a regular one, a heavy buyer who stopped, and one
    who stopped right after the first week."""
    import numpy as np
    from scipy.special import hyp2f1

    from kam_metrics.churn import btyd as churn_btyd

    r, al, s, be = params
    for x, tx, T in [(0, 0, 38), (2, 30, 38), (50, 10, 60), (7, 35.5, 38.9), (1, 0.5, 70)]:
        if al >= be:
            f = lambda t: hyp2f1(r + s + x, s + 1, r + s + x + 1, (al - be) / (al + t)) / (al + t) ** (r + s + x)
        else:
            f = lambda t: hyp2f1(r + s + x, r + x, r + s + x + 1, (be - al) / (be + t)) / (be + t) ** (r + s + x)
        alive = 1 / ((al + T) ** (r + x) * (be + T) ** s)
        dropped = s / (r + s + x) * (f(tx) - f(T))
        log_alive, log_dropped = churn_btyd._pareto_terms(np.array(params), *(np.array([v], float) for v in (x, tx, T)))
        # the code folds β^s into both terms
        assert np.exp(log_alive[0]) == pytest.approx(alive * be**s, rel=1e-9)
        assert np.exp(log_dropped[0]) == pytest.approx(dropped * be**s, rel=1e-5)


def test_pareto_nbd_churn_probability_by_direct_integration():
    import numpy as np
    from scipy.integrate import quad

    from kam_metrics.churn import btyd as churn_btyd

    params = np.array([0.55, 10.6, 0.61, 11.7])
    r, al, s, be = params
    x, tx, T, H = 2, 30.0, 38.0, 13.0  # weeks
    k = r + x
    buys = quad(lambda t: k / (al + T) * ((al + T) / (al + T + t)) ** (k + 1) * ((be + T) / (be + T + t)) ** s, 0, H)[0]
    # P(alive) by its definition: the alive term over both terms, with the 2F1 form's dropped term
    model = churn_btyd.ParetoNBD.with_params(*params)
    alive = model.probability_alive([x], [tx * 7], [T * 7])[0]
    assert 0 < alive < 1
    p = model.churn_probability([x], [tx * 7], [T * 7], H * 7)[0]
    assert p == pytest.approx(1 - alive * buys, rel=1e-9)
    # an account that bought on its last day of tenure is alive for sure
    assert model.probability_alive([3.0], [140.0], [140.0])[0] == pytest.approx(1.0)


def test_pareto_nbd_fit_recovers_simulated_parameters():
    """Simulate 2,000 accounts from known (r, α, s, β) and fit them back (times in weeks): the mean
    purchase rate r/α and dropout rate s/β come back within 20 %; the likelihood stays finite at the
    parameter bounds (s and β both large), where a naive form cancels catastrophically."""
    import numpy as np

    from kam_metrics.churn import btyd as churn_btyd

    rng = np.random.default_rng(7)
    r, al, s, be, n = 2.0, 8.0, 1.5, 30.0, 2000
    lam, mu = rng.gamma(r, 1 / al, n), rng.gamma(s, 1 / be, n)
    T = rng.uniform(20, 80, n)
    death = rng.exponential(1 / mu)
    x, tx = np.zeros(n), np.zeros(n)
    for i in range(n):
        times = np.cumsum(rng.exponential(1 / lam[i], 200))
        times = times[times < min(T[i], death[i])]
        x[i], tx[i] = len(times), (times[-1] if len(times) else 0.0)
    model = churn_btyd.ParetoNBD().fit(x, tx * 7, T * 7)
    assert model.fit_sample == churn_btyd.FIT_SAMPLE
    fitted = model.params_
    assert fitted[0] / fitted[1] == pytest.approx(r / al, rel=0.2)
    assert fitted[2] / fitted[3] == pytest.approx(s / be, rel=0.2)
    assert np.isfinite(churn_btyd._pareto_negative_log_likelihood(np.array([1.0, 1.0, 10.0, 10.0]), x, tx, T))


def test_backtest_carries_the_btyd_benchmarks(synthetic_db):
    with open_db(synthetic_db, read_only=True) as con:
        result = churn.backtest(con, date(2025, 6, 1), 180, WEIGHTS)
    assert result.btyd.method.startswith("BG/NBD")
    assert 0.5 < result.btyd.auc <= 1 and 0 <= result.btyd.brier <= 1
    assert result.pareto_nbd.method.startswith("Pareto/NBD")
    assert 0.5 < result.pareto_nbd.auc <= 1 and 0 <= result.pareto_nbd.brier <= 1


@pytest.mark.parametrize("name", ["BGNBD", "ParetoNBD"])
def test_btyd_models_share_the_estimator_interface(name):
    """fit returns the model itself with the learned parameters in params_ (none before fitting); the
    churn probability is a probability per account and ranks a long-silent buyer above a recent one."""
    import numpy as np

    from kam_metrics.churn import btyd as churn_btyd

    rng = np.random.default_rng(3)
    n = 300
    T = rng.uniform(200, 700, n)
    x = rng.poisson(6, n).astype(float)
    tx = np.where(x > 0, T * rng.uniform(0.2, 1.0, n), 0.0)
    model = getattr(churn_btyd, name)()
    assert not hasattr(model, "params_")
    assert model.fit(x, tx, T) is model
    assert model.params_.shape == (4,) and np.isfinite(model.params_).all() and (model.params_ > 0).all()
    assert model.method.startswith(("BG/NBD", "Pareto/NBD"))
    # same history (8 repeat days over 400 days), last purchase yesterday against 300 days ago
    recent, silent = model.churn_probability([8, 8], [399, 100], [400, 400], 180)
    assert 0 <= recent < silent <= 1
