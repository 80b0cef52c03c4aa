"""流失风险 Churn risk: accounts by health band, the early-warning list by revenue at risk with reasons and
owner, one account's health-score waterfall, and the model card (method, training window, back-test on
this database against the recency-only baseline, calibration, feature importance; docs/kpis.md#churn-risk)."""

from __future__ import annotations

import streamlit as st

from kam_app.charts import churn as charts
from kam_app.data import churn as loaders_churn
from kam_app.sections.churn import band_label
from kam_app.state import ensure_router, language, t
from kam_app.widgets.components import KpiCard, render_chart, render_download_table, render_kpi_cards, start_page
from kam_metrics.churn.results import ChurnScores
from kam_metrics.churn.scoring import COMPONENTS, MIN_PER_CLASS, MIN_TRAIN_ACCOUNTS, method_label
from kam_metrics.i18n import format_date, format_money, format_percent


def _ratio(value) -> str:
    return "—" if value is None else f"{value:.3f}"


def score_columns() -> dict:
    return {
        "account_id": st.column_config.TextColumn(t("col.account_id")),
        "account_name": st.column_config.TextColumn(t("col.account_name")),
        "owner": st.column_config.TextColumn(t("col.owner")),
        "band": st.column_config.TextColumn(t("churn.col.band")),
        "health_score": st.column_config.NumberColumn(t("churn.col.health_score"), format="%.1f"),
        "probability": st.column_config.NumberColumn(t("churn.col.probability"), format="%.1f%%"),
        "revenue_12m": st.column_config.NumberColumn(t("churn.col.revenue_12m"), format="¥%,.0f"),
        "revenue_at_risk": st.column_config.NumberColumn(t("churn.col.revenue_at_risk"), format="¥%,.0f"),
        "reasons": st.column_config.TextColumn(t("churn.col.reasons"), width="large"),
    }


def score_table(frame, lang: str):
    return frame.assign(
        band=[band_label(b) for b in frame["band"]],
        probability=frame["probability"] * 100,
        health_score=frame["health_score"].astype(float),
        owner=frame["owner"].fillna(""),
        reasons=frame["reasons_zh" if lang == "zh" else "reasons_en"],
    )[["account_id", "account_name", "owner", "band", "probability", "revenue_at_risk", "reasons", "health_score", "revenue_12m"]]


def render_model_card(data: ChurnScores, lang: str) -> None:
    st.subheader(t("churn.model_card"))
    st.markdown(t("churn.card.method", method=method_label(data.method, lang)))
    training = data.training
    if training is not None:
        st.markdown(t("churn.card.training", features_as_of=format_date(training.features_as_of, lang),
                      labels_from=format_date(training.labels_from, lang), labels_to=format_date(training.labels_to, lang),
                      n=training.n_train, churned=training.n_churned))
    if data.fallback_reason:
        st.warning(t("churn.card.fallback", min_accounts=MIN_TRAIN_ACCOUNTS, min_class=MIN_PER_CLASS), icon="⚠️")
    card = data.backtest
    if card is None:
        st.info(t("churn.card.no_backtest"), icon="ℹ️")
    else:
        st.caption(t("churn.card.backtest", as_of=format_date(card.scored_as_of, lang), days=card.horizon_days,
                     outcome_to=format_date(card.outcome_to, lang)) + " " + t("churn.card.method", method=method_label(card.method, lang)))
        render_kpi_cards([
            KpiCard(t("churn.metric.auc"), _ratio(card.auc), None, t("churn.help.auc")),
            KpiCard(t("churn.metric.baseline"), _ratio(card.baseline_recency_auc), None, t("churn.help.baseline")),
            KpiCard(t("churn.metric.pr_auc"), _ratio(card.pr_auc)),
            KpiCard(t("churn.metric.brier"), _ratio(card.brier), None, t("churn.help.brier")),
            KpiCard(t("churn.metric.lift"), "—" if card.top_decile_lift is None else f"{card.top_decile_lift:.2f}×", None,
                    t("churn.help.lift")),
            KpiCard(t("churn.metric.base_rate"), format_percent(card.base_rate), None, f"n = {card.n_accounts:,}"),
        ], per_row=3)
        for benchmark, message in ((card.btyd, "churn.card.btyd"), (card.pareto_nbd, "churn.card.pareto")):
            if benchmark is not None:
                st.caption(t(message, auc=_ratio(benchmark.auc), pr_auc=_ratio(benchmark.pr_auc), brier=_ratio(benchmark.brier)))
        left, right = st.columns(2)
        with left:
            render_chart(charts.build_calibration_figure(card, lang=lang), t("churn.card.no_backtest"))
        with right:
            render_chart(charts.build_importance_figure(data.importance, lang=lang), t("churn.card.fallback",
                         min_accounts=MIN_TRAIN_ACCOUNTS, min_class=MIN_PER_CLASS))
    if card is None and data.importance is not None:
        render_chart(charts.build_importance_figure(data.importance, lang=lang))


def render_page() -> None:
    lang = language()
    filters = start_page("churn.heading")
    if filters is None:
        return
    with st.spinner(t("loading")):
        page = loaders_churn.load_churn_page(filters)
    data = page.result
    if data.as_of is None:
        st.info(t("churn.no_scores"), icon="ℹ️")
        return
    st.caption(t("churn.as_of", date=format_date(data.as_of, lang), days=data.horizon_days))
    scores, warnings = data.scores, page.warnings
    if scores.empty:
        st.info(t("churn.no_filtered"), icon="ℹ️")
        return
    alert = format_percent(data.alert_probability, decimals=0)
    red = int((scores["band"] == "red").sum())
    render_kpi_cards([
        KpiCard(t("churn.kpi.scored"), f"{len(scores):,}", None, t("churn.help.scored")),
        KpiCard(t("churn.kpi.red"), f"{red:,}", None, t("churn.help.red")),
        KpiCard(t("churn.kpi.alerts"), f"{len(warnings):,}", None, t("churn.help.alerts", alert=alert)),
        KpiCard(t("churn.kpi.revenue_at_risk"), format_money(float(warnings["revenue_at_risk"].sum()), lang), None,
                t("churn.help.revenue_at_risk")),
    ])
    st.subheader(t("churn.distribution"))
    render_chart(charts.build_band_figure(page.bands, lang=lang), t("churn.no_filtered"))
    weights = data.weights
    st.caption(t("churn.weights_caption", weights=("、" if lang == "zh" else ", ").join(
        f"{t(f'churn.component.{c}')} {weights[c]:g}" for c in COMPONENTS)))

    st.subheader(t("churn.warning_list"))
    st.caption(t("churn.warning_caption", alert=alert))
    if warnings.empty:
        st.info(t("churn.warning_none"), icon="✅")
    else:
        render_download_table(score_table(warnings, lang), file_name=f"churn_warnings_{data.as_of}.csv",
                              column_config=score_columns())

    st.subheader(t("churn.waterfall"))
    ids = (warnings if not warnings.empty else scores)["account_id"].tolist()
    ids += [a for a in scores["account_id"] if a not in set(ids)]
    names = dict(zip(scores["account_id"], scores["account_name"]))
    chosen = st.selectbox(t("churn.waterfall_pick"), ids, format_func=lambda a: f"{a} · {names.get(a) or ''}", key="churn_pick")
    row = scores[scores["account_id"] == chosen].iloc[0].to_dict()
    render_chart(charts.build_waterfall_figure(row, weights, lang=lang))

    render_model_card(data, lang)

    st.subheader(t("churn.all_scores"))
    render_download_table(score_table(scores, lang), file_name=f"churn_scores_{data.as_of}.csv", column_config=score_columns())


ensure_router()
render_page()
