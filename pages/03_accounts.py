"""客户 Accounts: the searchable account list (opens Account 360), the Pareto chart with the ABC lines,
classification matrices, concentration, key accounts and groups, and loyalty with the lost accounts
(docs/kpis.md#classification, #loyalty)."""

from __future__ import annotations

import streamlit as st

from kam_app.charts import sales as charts
from kam_app.data import sales as loaders
from kam_app.state import ensure_router, language, t
from kam_app.widgets.components import (
    KpiCard,
    render_chart,
    render_download_button,
    render_download_table,
    render_kpi_cards,
    start_page,
)
from kam_metrics.i18n import format_percent
from kam_metrics.metrics.accounts import search_accounts

MATRICES = (("industry", "scale"), ("tenure_band", "abc_class"), ("region", "abc_class"), ("owner", "abc_class"))
ACCOUNT_360 = "pages/04_account_360.py"


def open_selected_account(table_key: str, ids: list[str]) -> None:
    """on_select of the account list: remember the chosen account for Account 360."""
    event = st.session_state.get(table_key)
    rows = event["selection"]["rows"] if event else []
    if rows:
        st.session_state["a360_account"] = ids[rows[0]]
        st.session_state["a360_open"] = True


def render_list(data: dict, filters, lang: str) -> None:
    st.subheader(t("accounts.list"))
    text = st.text_input(t("accounts.search"), key="accounts_search")
    frame = search_accounts(data["accounts"], text)
    from kam_app.data.churn import load_churn  # risk band and churn probability, scored once per data state
    from kam_app.sections.churn import band_label
    from kam_metrics.churn.scoring import attach_risk

    frame = attach_risk(frame, load_churn(filters.end).scores)
    st.caption(t("accounts.list_caption", n=f"{len(frame):,}"))
    table = frame.assign(
        scale=[charts.segment_label("scale", v, lang) for v in frame["scale"]],
        tenure_band=[charts.segment_label("tenure_band", v, lang) for v in frame["tenure_band"]],
        status=[t(f"status.{v}") if v in ("active", "churned") else v for v in frame["status"]],
        growth=[None if v is None else v * 100 for v in frame["growth"]],
        group_name=frame["group_name"].fillna(""),
        risk_band=[band_label(b) for b in frame["risk_band"]],
        churn_probability=[None if v is None or v != v else v * 100 for v in frame["churn_probability"]],
    )[
        [
            "account_id", "account_name", "abc_class", "is_key_account", "industry", "scale", "tenure_band",
            "region", "owner", "group_name", "revenue", "comparison_revenue", "growth", "count_orders",
            "last_order_date", "days_since_last_order", "risk_band", "churn_probability", "status",
        ]
    ]
    ids = table["account_id"].tolist()
    st.dataframe(
        table,
        width="stretch",
        hide_index=True,
        height=420,
        key="accounts_table",
        on_select=lambda: open_selected_account("accounts_table", ids),
        selection_mode="single-row",
        column_config={
            "account_id": st.column_config.TextColumn(t("col.account_id")),
            "account_name": st.column_config.TextColumn(t("col.account_name")),
            "abc_class": st.column_config.TextColumn(t("col.abc_class")),
            "is_key_account": st.column_config.CheckboxColumn(t("col.is_key_account")),
            "industry": st.column_config.TextColumn(t("col.industry")),
            "scale": st.column_config.TextColumn(t("col.scale")),
            "tenure_band": st.column_config.TextColumn(t("col.tenure_band")),
            "region": st.column_config.TextColumn(t("col.region")),
            "owner": st.column_config.TextColumn(t("col.owner")),
            "group_name": st.column_config.TextColumn(t("col.group_name")),
            "revenue": st.column_config.NumberColumn(t("col.revenue"), format="¥%,.0f"),
            "comparison_revenue": st.column_config.NumberColumn(t("col.comparison_revenue"), format="¥%,.0f"),
            "growth": st.column_config.NumberColumn(t("col.growth"), format="%+.1f%%"),
            "count_orders": st.column_config.NumberColumn(t("col.count_orders"), format="%d"),
            "last_order_date": st.column_config.DateColumn(t("col.last_order_date")),
            "days_since_last_order": st.column_config.NumberColumn(t("col.days_since_last_order"), format="%d"),
            "risk_band": st.column_config.TextColumn(t("churn.col.band")),
            "churn_probability": st.column_config.NumberColumn(t("churn.col.probability"), format="%.1f%%"),
            "status": st.column_config.TextColumn(t("col.status")),
        },
    )
    # neutralised, masked for viewers, recorded in the audit log
    render_download_button(table, file_name=f"accounts_{filters.start}_{filters.end}.csv")
    if st.session_state.pop("a360_open", False):
        st.switch_page(ACCOUNT_360, query_params={"account": st.session_state["a360_account"], "lang": lang})


def render_classification(data: dict, filters, lang: str) -> None:
    st.subheader(t("accounts.classification"))
    render_chart(
        charts.build_pareto_figure(
            data["pareto"], data["abc_summary"], a_share=data["abc_a_share"], b_share=data["abc_b_share"], lang=lang
        ),
        t("chart.pareto.empty"),
    )
    summary = data["abc_summary"]
    render_download_table(
        summary.assign(
            abc_class=[charts.segment_label("abc_class", v, lang) for v in summary["abc_class"]],
            share_12m=[None if v is None else v * 100 for v in summary["share_12m"]],
            account_share=[None if v is None else v * 100 for v in summary["account_share"]],
        ),
        file_name=f"abc_{filters.end}.csv",
        column_config={
            "abc_class": st.column_config.TextColumn(t("col.abc_class")),
            "count_accounts": st.column_config.NumberColumn(t("col.count_accounts"), format="%d"),
            "revenue_12m": st.column_config.NumberColumn(t("col.revenue_12m"), format="¥%,.0f"),
            "revenue": st.column_config.NumberColumn(t("col.revenue"), format="¥%,.0f"),
            "share_12m": st.column_config.NumberColumn(t("col.share"), format="%.1f%%"),
            "account_share": st.column_config.NumberColumn(t("col.count_accounts") + " %", format="%.1f%%"),
        },
    )
    left, right = st.columns([3, 1])
    pair = left.selectbox(
        t("accounts.classification"),
        range(len(MATRICES)),
        format_func=lambda i: " × ".join(t(f"dim.{name}") for name in MATRICES[i]),
        key="accounts_matrix",
    )
    measure = right.radio(
        t("accounts.matrix_measure"),
        ("count_accounts", "revenue"),
        format_func=lambda m: t(f"matrix.{m}"),
        key="accounts_matrix_measure",
        horizontal=True,
    )
    rows, columns = MATRICES[pair]
    matrix = loaders.load_matrix(filters, rows, columns)
    render_chart(
        charts.build_matrix_figure(matrix, rows=rows, columns=columns, measure=measure, lang=lang),
        t("chart.matrix.empty"),
    )


def render_concentration(data: dict, lang: str) -> None:
    st.subheader(t("accounts.concentration") + " · " + t("accounts.key_and_groups"))
    s, key = data["summary"], data["key_accounts"]
    render_kpi_cards(
        [
            KpiCard(t("kpi.top10_share"), format_percent(s["top10_share"]), None, t("kpi.help.top10_share")),
            KpiCard(
                t("kpi.herfindahl"),
                "—" if s["herfindahl"] is None else f"{s['herfindahl']:.3f}",
                None,
                t("kpi.help.herfindahl"),
            ),
            KpiCard(
                t("kpi.key_accounts"),
                f"{key['count_key_accounts']:,}",
                None,
                t("kpi.help.key_accounts", active=key["count_active_key_accounts"]),
            ),
            KpiCard(t("kpi.key_share"), format_percent(key["key_share"]), None, t("kpi.help.key_share")),
        ]
    )
    groups = data["groups"]
    if groups.empty:
        st.info(t("accounts.groups_empty"), icon="ℹ️")
        return
    render_chart(charts.build_groups_figure(groups, lang=lang), t("empty.period"))
    render_download_table(
        groups.assign(
            share=[None if v is None else v * 100 for v in groups["share"]],
            growth=[None if v is None else v * 100 for v in groups["growth"]],
        ),
        file_name="groups.csv",
        column_config={
            "group_name": st.column_config.TextColumn(t("col.group_name")),
            "count_accounts": st.column_config.NumberColumn(t("col.count_accounts"), format="%d"),
            "count_key_accounts": st.column_config.NumberColumn(t("col.count_key_accounts"), format="%d"),
            "revenue": st.column_config.NumberColumn(t("col.revenue"), format="¥%,.0f"),
            "comparison_revenue": st.column_config.NumberColumn(t("col.comparison_revenue"), format="¥%,.0f"),
            "share": st.column_config.NumberColumn(t("col.share"), format="%.1f%%"),
            "growth": st.column_config.NumberColumn(t("col.growth"), format="%+.1f%%"),
        },
    )


def render_loyalty(data: dict, filters, lang: str) -> None:
    """Repeat purchase, frequency, days between orders, retention and churn, revenue retention, referrals
    and NPS, then the accounts lost in the period."""
    st.subheader(t("accounts.loyalty"))
    render_kpi_cards(loyalty_cards(data), per_row=3)
    render_lost(data["lost"], filters)


def loyalty_cards(data: dict) -> list[KpiCard]:
    """The loyalty cards; only referrals carry a change (the referrals made in the period)."""
    s, r, c = data["summary"], data["retention"], data["intervals"]
    referrals, nps = data["referrals"], data["nps"]
    return [
        KpiCard(t("kpi.repeat_purchase_rate"), format_percent(s["repeat_purchase_rate"]), None, t("kpi.help.repeat_purchase_rate")),
        KpiCard(t("kpi.purchase_frequency"), "—" if s["purchase_frequency"] is None else f"{s['purchase_frequency']:.2f}",
                None, t("kpi.help.purchase_frequency")),
        KpiCard(t("kpi.mean_days_between_orders"),
                "—" if c["mean_days_between_orders"] is None else f"{c['mean_days_between_orders']:.1f}",
                None, t("kpi.help.mean_days_between_orders")),
        KpiCard(t("kpi.retention_rate"), format_percent(r["retention_rate"]), None, t("kpi.help.retention_rate")),
        KpiCard(t("kpi.churn_rate"), format_percent(r["churn_rate"]), None, t("kpi.help.churn_rate")),
        KpiCard(t("kpi.net_revenue_retention"), format_percent(r["net_revenue_retention"]), None, t("kpi.help.net_revenue_retention")),
        KpiCard(t("kpi.gross_revenue_retention"), format_percent(r["gross_revenue_retention"]), None,
                t("kpi.help.gross_revenue_retention")),
        KpiCard(t("kpi.referrals"), f"{referrals['count_referred']:,}", f"{referrals['count_referred_in_period']:+,}",
                t("kpi.help.referrals")),
        KpiCard(t("kpi.nps"), "—" if nps["nps"] is None else f"{nps['nps']:+.1f}", None,
                t("kpi.help.nps", n=nps["count_answers"])),
    ]


def render_lost(lost, filters) -> None:
    """The accounts lost in the period, with the reason and their comparison-period revenue."""
    st.markdown(f"**{t('accounts.lost')}**")
    if lost.empty:
        st.info(t("accounts.lost_none"), icon="ℹ️")
        return
    render_download_table(
        lost.assign(
            status=[t(f"status.{v}") if v in ("active", "churned") else v for v in lost["status"]],
            reason=[t(f"reason.{v}") for v in lost["reason"]],
        )[["account_id", "account_name", "owner", "abc_class", "reason", "churned_on", "comparison_revenue", "last_order_date"]],
        file_name=f"lost_accounts_{filters.start}_{filters.end}.csv",
        column_config={
            "account_id": st.column_config.TextColumn(t("col.account_id")),
            "account_name": st.column_config.TextColumn(t("col.account_name")),
            "owner": st.column_config.TextColumn(t("col.owner")),
            "abc_class": st.column_config.TextColumn(t("col.abc_class")),
            "reason": st.column_config.TextColumn(t("col.reason")),
            "churned_on": st.column_config.DateColumn(t("col.churned_on")),
            "comparison_revenue": st.column_config.NumberColumn(t("col.comparison_revenue"), format="¥%,.0f"),
            "last_order_date": st.column_config.DateColumn(t("col.last_order_date")),
        },
    )


def render_page() -> None:
    lang = language()
    filters = start_page("accounts.heading")
    if filters is None:
        return
    with st.spinner(t("loading")):
        data = loaders.load_accounts_page(filters)
    if data["accounts"].empty:
        st.info(t("accounts.no_accounts"), icon="ℹ️")
        return
    render_list(data, filters, lang)
    render_classification(data, filters, lang)
    render_concentration(data, lang)
    render_loyalty(data, filters, lang)


ensure_router()
render_page()
