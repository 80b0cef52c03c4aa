"""客户详情 Account 360: one account's profile, its sales against its own last year, the products it buys
and its loyalty figures. Reached from the account list (a selected row) or by the address
``?account=C00001``; later issues add satisfaction, projects, service and risk sections."""

from __future__ import annotations

import streamlit as st

from kam_app.charts import sales as charts
from kam_app.data import sales as loaders
from kam_app.sections.forecast import render_account_forecast
from kam_app.state import current_filters, ensure_router, language, t
from kam_app.widgets.components import (
    KpiCard,
    percent_delta,
    render_chart,
    render_download_table,
    render_kpi_cards,
    render_period_caption,
)
from kam_metrics.access.policy import escape_markdown
from kam_metrics.i18n import format_date, format_money


def choose_account(filters) -> str | None:
    """The account to show: the selectbox, seeded from ``?account=`` so a shared or clicked link opens it."""
    options = loaders.load_account_options(filters)
    ids = options["account_id"].tolist()
    names = dict(zip(options["account_id"], options["account_name"]))
    wanted = st.query_params.get("account")
    if wanted and wanted not in names:
        ids.insert(0, wanted)  # outside the filters (or unknown): still selectable, the page says which
    # a new address (a clicked row, a shared link) wins over the previous choice, once
    if wanted and wanted != st.session_state.get("a360_seen"):
        st.session_state["a360_pick"] = wanted
        st.session_state["a360_seen"] = wanted
    if not ids:
        return None
    chosen = st.selectbox(
        t("a360.pick"),
        ids,
        format_func=lambda account_id: f"{account_id} · {names.get(account_id, '?')}",
        key="a360_pick",
    )
    if st.query_params.get("account") != chosen:
        st.query_params["account"] = chosen
        st.session_state["a360_seen"] = chosen
    return chosen


def render_profile(p: dict, lang: str) -> None:
    name, account_id = escape_markdown(p["account_name"]), escape_markdown(p["account_id"])  # data shown as text
    st.subheader(f"{name}({account_id})" if lang == "zh" else f"{name} ({account_id})")
    yes_no = {True: t("a360.yes"), False: t("a360.no")}
    status = (
        t("a360.churned_on", date=format_date(p["churned_on"], lang))
        if p["status"] == "churned"
        else t(f"status.{p['status']}")
    )
    rank = (
        t("a360.rank", cls=charts.segment_label("abc_class", p["abc_class"], lang), rank=p["revenue_rank"], n=p["count_ranked"])
        if p["abc_class"]
        else "—"
    )
    fields = [
        ("a360.field.industry", p["industry"] or "—"),
        ("a360.field.scale", charts.segment_label("scale", p["scale"], lang)),
        ("a360.field.region", " / ".join(v for v in (p["region"], p["city"]) if v) or "—"),
        ("a360.field.owner", p["owner"] or "—"),
        ("a360.field.group", p["group_name"] or "—"),
        ("a360.field.since", format_date(p["cooperation_start"], lang)),
        ("a360.field.tenure", charts.segment_label("tenure_band", p["tenure_band"], lang)),
        ("a360.field.class", rank),
        ("a360.field.key", yes_no[bool(p["is_key_account"])]),
        ("a360.field.status", status),
        ("a360.field.referred_by", p["referred_by_name"] or p["referred_by"] or "—"),
        ("a360.field.referred", t("a360.n_accounts", n=p["count_referred"])),
    ]
    for offset in range(0, len(fields), 4):
        for column, (key, value) in zip(st.columns(4), fields[offset : offset + 4]):
            column.markdown(f"<span style='color:#5D6D7E'>{t(key)}</span><br><span style='font-size:1.25rem'>{escape_markdown(value)}</span>", unsafe_allow_html=True)


def render_page() -> None:
    st.title(t("a360.heading"))
    context = loaders.load_context()
    if context is None:
        st.info(t("db.missing"), icon="ℹ️")
        return
    filters = current_filters()
    if filters is None or not context["has_sales"]:
        st.info(t("empty.no_sales"), icon="ℹ️")
        return
    render_period_caption(filters)
    account_id = choose_account(filters)
    if account_id is None:
        st.info(t("accounts.no_accounts"), icon="ℹ️")
        return
    with st.spinner(t("loading")):
        data = loaders.load_account_360(account_id, filters)
    if data is None:
        st.info(t("a360.not_found", account=account_id), icon="ℹ️")
        return
    render_profile(data["profile"], language())
    render_cards(data)
    render_trend(data)
    render_loyalty(data)
    render_products(data["products"], account_id, filters)
    render_satisfaction_section(account_id)
    render_operations_sections(account_id, filters)
    render_account_forecast(account_id, filters)
    from kam_app.sections.churn import render_account_risk

    render_account_risk(account_id, filters)
    st.caption(t("a360.more_later"))


def render_cards(data: dict) -> None:
    """Revenue over twelve months and lifetime, the last order, the period's revenue against last year."""
    p, s, c, lang = data["profile"], data["summary"], data["comparison_summary"], language()
    render_kpi_cards([
        KpiCard(t("a360.revenue_12m"), format_money(p["revenue_12m"], lang)),
        KpiCard(t("a360.lifetime_revenue"), format_money(p["lifetime_revenue"], lang)),
        KpiCard(t("a360.last_order"), format_date(p["last_order_date"], lang),
                None if p["days_since_last_order"] is None else t("a360.days_since", days=p["days_since_last_order"]),
                delta_color="off"),
        KpiCard(t("kpi.revenue"), format_money(s["revenue"], lang), percent_delta(_growth(s["revenue"], c["revenue"]))),
    ])


def render_trend(data: dict) -> None:
    """The account's monthly sales this year against last year."""
    st.subheader(t("a360.trend"))
    render_chart(
        charts.build_account_trend_figure(data["this_year"], data["last_year"], lang=language()), t("chart.a360.empty")
    )


def render_loyalty(data: dict) -> None:
    """Orders, mean days between orders, volume and gross margin."""
    st.subheader(t("a360.loyalty"))
    s, c, intervals = data["summary"], data["comparison_summary"], data["intervals"]
    mean_days = intervals["mean_days_between_orders"]
    render_kpi_cards([
        KpiCard(t("kpi.orders"), f"{s['orders']:,}", f"{s['orders'] - c['orders']:+,}", t("kpi.help.orders")),
        KpiCard(t("kpi.mean_days_between_orders"), "—" if mean_days is None else f"{mean_days:.1f}", None,
                t("kpi.help.mean_days_between_orders")),
        KpiCard(t("kpi.volume"), f"{s['volume']:,.0f}", percent_delta(_growth(s["volume"], c["volume"])), t("kpi.help.volume")),
        KpiCard(t("kpi.gross_margin"), "—" if s["gross_margin"] is None else f"{s['gross_margin'] * 100:.1f}%", None,
                t("kpi.help.gross_margin")),
    ])


def render_products(products, account_id: str, filters) -> None:
    """The products the account buys: chart and table."""
    st.subheader(t("a360.products"))
    render_chart(charts.build_products_figure(products, lang=language()), t("chart.products.empty"))
    if products.empty:
        return
    render_download_table(
        products.assign(share=[None if v is None else v * 100 for v in products["share"]]),
        file_name=f"products_{account_id}_{filters.start}_{filters.end}.csv",
        column_config={
            "product_line": st.column_config.TextColumn(t("col.product_line")),
            "product": st.column_config.TextColumn(t("col.product")),
            "revenue": st.column_config.NumberColumn(t("col.revenue"), format="¥%,.0f"),
            "volume": st.column_config.NumberColumn(t("col.volume"), format="%,.0f"),
            "count_orders": st.column_config.NumberColumn(t("col.count_orders"), format="%d"),
            "last_order_date": st.column_config.DateColumn(t("col.last_order_date")),
            "share": st.column_config.NumberColumn(t("col.share"), format="%.1f%%"),
        },
    )


def render_satisfaction_section(account_id: str) -> None:
    """The account's satisfaction index per survey wave, with n."""
    from kam_app.data import satisfaction as loaders_satisfaction

    st.subheader(t("sat.a360.heading"))
    waves = loaders_satisfaction.load_account_satisfaction(account_id)
    if waves.empty:
        st.info(t("sat.a360.empty"), icon="ℹ️")
        return
    settings = loaders_satisfaction.load_satisfaction_settings()["settings"]
    st.caption(t("sat.a360.caption", threshold=f"{float(settings['satisfied_index']):g}"))
    render_download_table(
        waves, file_name=f"satisfaction_{account_id}.csv",
        column_config={
            "wave": st.column_config.TextColumn(t("sat.col.wave")),
            "account_index": st.column_config.NumberColumn(t("sat.col.account_index"), format="%.1f"),
            "n": st.column_config.NumberColumn(t("sat.col.n"), format="%d"),
        },
    )


def render_operations_sections(account_id: str, filters) -> None:
    """The account's projects and its service and contact cadence, as of the period end."""
    from kam_app.data import operations as loaders_operations
    from kam_metrics.i18n import format_percent

    data = loaders_operations.load_account_operations(account_id, filters)
    st.subheader(t("a360.projects"))
    projects = data["projects"]
    if projects.empty:
        st.info(t("a360.no_projects"), icon="ℹ️")
    else:
        ps = data["project_summary"]
        st.caption(
            t("a360.projects_caption", n=ps["count_projects"], at_risk=ps["count_at_risk"], on_time=format_percent(ps["on_time_rate"]))
        )
        render_download_table(
            projects.assign(status=[t(f"project_status.{v}") for v in projects["status"]])[
                ["project_name", "status", "progress_pct", "planned_end", "end_date", "slip_days", "contract_value", "feedback_score", "issue_note"]
            ],
            file_name=f"projects_{account_id}_{filters.end}.csv",
            column_config={
                "project_name": st.column_config.TextColumn(t("col.project_name")),
                "status": st.column_config.TextColumn(t("col.project_status")),
                "progress_pct": st.column_config.ProgressColumn(t("col.progress_pct"), format="%.0f%%", min_value=0, max_value=100),
                "planned_end": st.column_config.DateColumn(t("col.planned_end")),
                "end_date": st.column_config.DateColumn(t("col.end_date")),
                "slip_days": st.column_config.NumberColumn(t("col.slip_days"), format="%+d"),
                "contract_value": st.column_config.NumberColumn(t("col.contract_value"), format="¥%,.0f"),
                "feedback_score": st.column_config.NumberColumn(t("col.feedback_score"), format="%.1f"),
                "issue_note": st.column_config.TextColumn(t("col.issue_note")),
            },
        )
    st.subheader(t("a360.service"))
    s, since = data["service"], data["cadence"]

    def days(column: str) -> str:
        return "—" if since is None or since[column] is None else f"{since[column]}"

    cadence_help = t("a360.cadence_help") if since is not None else t("a360.not_key_account")
    render_kpi_cards(
        [
            KpiCard(t("service.kpi.tickets"), f"{s['count_tickets']:,}", None, t("service.help.tickets")),
            KpiCard(
                t("service.kpi.median_response"),
                "—" if s["median_response_hours"] is None else f"{s['median_response_hours']:,.1f} h",
                None,
                t("service.help.quantiles"),
            ),
            KpiCard(t("service.kpi.sla"), format_percent(s["sla_compliance"]), None, t("service.help.unanswered")),
            KpiCard(t("service.kpi.unanswered"), f"{s['count_unanswered']:,}", None, t("service.help.unanswered")),
            KpiCard(t("col.days_since_call"), days("days_since_call"), None, cadence_help),
            KpiCard(t("col.days_since_visit"), days("days_since_visit"), None, cadence_help),
        ],
        per_row=3,
    )


def _growth(current, previous):
    from kam_metrics.metrics.sales import growth

    return growth(current, previous)


ensure_router()
render_page()
