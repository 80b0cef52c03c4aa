"""服务与关系 Service: first-response and resolution hours by month (median, 90th percentile), SLA
compliance, complaints per account, unanswered tickets, and the call and visit cadence of key accounts
with the overdue list (docs/kpis.md#service-and-relationship)."""

from __future__ import annotations

import streamlit as st

from kam_app.charts import operations as charts
from kam_app.data import operations as loaders_operations
from kam_app.state import ensure_router, language, t
from kam_app.widgets import columns
from kam_app.widgets.components import KpiCard, render_chart, render_download_table, render_kpi_cards, start_page
from kam_metrics.i18n import format_percent


def hours(value) -> str:
    return "—" if value is None else f"{value:,.1f} h"


def render_page() -> None:
    filters = start_page("service.heading", needs_sales=False)
    if filters is None:
        return
    with st.spinner(t("loading")):
        data = loaders_operations.load_service_page(filters)
    if not data["count_all"]:
        st.info(t("service.empty"), icon="ℹ️")
        return
    render_cards(data["summary"], data["cadence_summary"])
    render_response(data, filters)
    render_unanswered(data["unanswered"], filters)
    render_complaints(data["complaints"], filters)
    render_cadence(data["cadence"], data["cadence_summary"], filters, language())


def render_cards(s: dict, cs: dict) -> None:
    """Tickets, response and resolution hours, SLA compliance, unanswered, complaints per account, cadence."""
    complaints_per_account = s["complaints_per_active_account"]
    render_kpi_cards([
        KpiCard(t("service.kpi.tickets"), f"{s['count_tickets']:,}", None, t("service.help.tickets")),
        KpiCard(t("service.kpi.median_response"), hours(s["median_response_hours"]), None, t("service.help.quantiles")),
        KpiCard(t("service.kpi.p90_response"), hours(s["p90_response_hours"]), None, t("service.help.quantiles")),
        KpiCard(t("service.kpi.median_resolution"), hours(s["median_resolution_hours"]), None, t("service.help.quantiles")),
        KpiCard(t("service.kpi.sla"), format_percent(s["sla_compliance"]), None,
                t("service.help.sla", hours=f"{s['sla_hours']:g}", within=s["count_within_sla"], n=s["count_tickets"])),
        KpiCard(t("service.kpi.unanswered"), f"{s['count_unanswered']:,}", None, t("service.help.unanswered")),
        KpiCard(t("service.kpi.complaints_per_account"),
                "—" if complaints_per_account is None else f"{complaints_per_account:.2f}", None,
                t("service.help.complaints_per_account", complaints=s["count_complaints"], accounts=s["count_active_accounts"])),
        KpiCard(t("service.kpi.cadence"), format_percent(cs["cadence_compliance"]), None,
                t("service.help.cadence", compliant=cs["count_compliant"], n=cs["count_key_accounts"])),
    ], per_row=4)


def render_response(data: dict, filters) -> None:
    """Response and resolution hours and SLA compliance by month: two charts and the monthly table."""
    st.subheader(t("service.response"))
    s, lang = data["summary"], language()
    if not s["count_tickets"]:
        st.info(t("service.no_tickets"), icon="ℹ️")
        return
    left, right = st.columns([3, 2])
    with left:
        render_chart(charts.build_response_time_figure(data["monthly"], s, lang=lang), t("service.no_answers"))
    with right:
        render_chart(charts.build_sla_figure(data["monthly"], s, lang=lang), t("service.no_tickets"))
    monthly = data["monthly"].assign(sla_compliance=[None if v is None else v * 100 for v in data["monthly"]["sla_compliance"]])
    render_download_table(
        monthly[["month", "count_tickets", "count_unanswered", "median_response_hours", "p90_response_hours",
                 "median_resolution_hours", "p90_resolution_hours", "sla_compliance"]],
        file_name=f"service_monthly_{filters.start}_{filters.end}.csv",
        column_config={
            "month": st.column_config.DateColumn(t("col.month"), format="YYYY-MM"),
            "count_tickets": columns.count("col.count_tickets"), "count_unanswered": columns.count("col.count_unanswered"),
            "median_response_hours": columns.decimal("col.median_response_hours"),
            "p90_response_hours": columns.decimal("col.p90_response_hours"),
            "median_resolution_hours": columns.decimal("col.median_resolution_hours"),
            "p90_resolution_hours": columns.decimal("col.p90_resolution_hours"),
            "sla_compliance": st.column_config.NumberColumn(t("col.sla_compliance"), format="%.1f%%"),
        },
    )


def render_unanswered(unanswered, filters) -> None:
    """Tickets without a first response, oldest first."""
    st.subheader(t("service.unanswered", n=len(unanswered)))
    if unanswered.empty:
        st.info(t("service.all_answered"), icon="✅")
        return
    render_download_table(
        unanswered.assign(kind=[t(f"kind.{k}") for k in unanswered["kind"]])[
            ["interaction_id", "account_name", "owner", "kind", "opened_at", "hours_open", "note"]],
        file_name=f"service_unanswered_{filters.end}.csv",
        column_config={
            "interaction_id": columns.text("col.interaction_id"), "account_name": columns.account_name(),
            "owner": columns.owner(), "kind": columns.text("col.kind"),
            "opened_at": st.column_config.DatetimeColumn(t("col.opened_at"), format="YYYY-MM-DD HH:mm"),
            "hours_open": columns.decimal("col.hours_open", 0), "note": columns.text("col.note"),
        },
    )


def render_complaints(complaints, filters) -> None:
    """Complaints per account: chart and table."""
    st.subheader(t("service.complaints"))
    render_chart(charts.build_complaints_figure(complaints, lang=language()), t("service.no_complaints"))
    if complaints.empty:
        return
    render_download_table(
        complaints[["account_id", "account_name", "owner", "count_complaints", "count_tickets", "count_unanswered",
                    "median_response_hours"]],
        file_name=f"complaints_{filters.start}_{filters.end}.csv",
        column_config={
            "account_id": columns.account_id(), "account_name": columns.account_name(), "owner": columns.owner(),
            "count_complaints": columns.count("col.count_complaints"), "count_tickets": columns.count("col.count_tickets"),
            "count_unanswered": columns.count("col.count_unanswered"),
            "median_response_hours": columns.decimal("col.median_response_hours"),
        },
    )


def render_cadence(cadence, cs: dict, filters, lang: str) -> None:
    st.subheader(t("service.cadence"))
    st.caption(t("service.cadence_caption"))
    if cadence.empty:
        st.info(t("service.no_key_accounts"), icon="ℹ️")
        return
    render_chart(charts.build_cadence_figure(cadence, cs, lang=lang), t("service.no_key_accounts"))
    overdue = cadence[~cadence["is_compliant"].astype(bool)]
    st.markdown(f"**{t('service.overdue', n=len(overdue))}**")
    if overdue.empty:
        st.info(t("service.none_overdue"), icon="✅")
        return
    render_download_table(
        overdue[["account_id", "account_name", "owner", "abc_class", "days_since_call", "days_since_visit", "last_call_at",
                 "last_visit_at"]],
        file_name=f"cadence_overdue_{filters.end}.csv",
        column_config={
            "account_id": st.column_config.TextColumn(t("col.account_id")),
            "account_name": st.column_config.TextColumn(t("col.account_name")),
            "owner": st.column_config.TextColumn(t("col.owner")),
            "abc_class": st.column_config.TextColumn(t("col.abc_class")),
            "days_since_call": st.column_config.NumberColumn(t("col.days_since_call"), format="%d"),
            "days_since_visit": st.column_config.NumberColumn(t("col.days_since_visit"), format="%d"),
            "last_call_at": st.column_config.DatetimeColumn(t("col.last_call_at"), format="YYYY-MM-DD"),
            "last_visit_at": st.column_config.DatetimeColumn(t("col.last_visit_at"), format="YYYY-MM-DD"),
        },
    )


ensure_router()
render_page()
