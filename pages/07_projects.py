"""合作项目 Projects: status as of the period end, on-time rate, a timeline of planned against actual or
forecast ends, the progress table, the at-risk list, and revenue and feedback of completed projects
(docs/kpis.md#projects)."""

from __future__ import annotations

import streamlit as st

from kam_app.charts import operations as charts
from kam_app.data import operations as loaders_operations
from kam_app.state import ensure_router, language, t
from kam_app.widgets.components import KpiCard, render_chart, render_download_table, render_kpi_cards, start_page
from kam_metrics.i18n import format_money, format_percent


def project_columns() -> dict:
    """Column labels and formats shared by the project tables."""
    return {
        "project_id": st.column_config.TextColumn(t("col.project_id")),
        "project_name": st.column_config.TextColumn(t("col.project_name")),
        "account_name": st.column_config.TextColumn(t("col.account_name")),
        "owner": st.column_config.TextColumn(t("col.owner")),
        "status": st.column_config.TextColumn(t("col.project_status")),
        "progress_pct": st.column_config.ProgressColumn(t("col.progress_pct"), format="%.0f%%", min_value=0, max_value=100),
        "elapsed_pct": st.column_config.ProgressColumn(t("col.elapsed_pct"), format="%.0f%%", min_value=0, max_value=100),
        "start_date": st.column_config.DateColumn(t("col.start_date")),
        "planned_end": st.column_config.DateColumn(t("col.planned_end")),
        "end_date": st.column_config.DateColumn(t("col.end_date")),
        "slip_days": st.column_config.NumberColumn(t("col.slip_days"), format="%+d"),
        "risk": st.column_config.TextColumn(t("col.risk")),
        "issue_note": st.column_config.TextColumn(t("col.issue_note")),
        "contract_value": st.column_config.NumberColumn(t("col.contract_value"), format="¥%,.0f"),
        "feedback_score": st.column_config.NumberColumn(t("col.feedback_score"), format="%.1f"),
    }


def risk_reasons(row) -> str:
    reasons = [t(f"risk.{flag}") for flag in ("blocked", "slipping", "behind") if bool(row[f"is_{flag}"])]
    if bool(row["is_unscheduled"]) and bool(row["is_open"]):
        reasons.append(t("risk.unscheduled"))
    return "、".join(reasons) if language() == "zh" else ", ".join(reasons)


def render_page() -> None:
    filters = start_page("projects.heading", needs_sales=False)
    if filters is None:
        return
    with st.spinner(t("loading")):
        data = loaders_operations.load_projects_page(filters)
    if not data["count_all"]:
        st.info(t("projects.empty"), icon="ℹ️")
        return
    s, projects = data["summary"], data["projects"]
    if not s["count_projects"]:
        st.info(t("projects.empty_filters"), icon="ℹ️")
        return
    render_cards(s, language())
    render_status_and_timeline(s, projects)
    table = project_table(projects)
    render_at_risk(table, projects, filters)
    render_progress(table, filters)
    render_completed(table, projects, filters)


def render_cards(s: dict, lang: str) -> None:
    """Projects, in progress, at risk, on-time rate, unscheduled, completed revenue, mean feedback."""
    render_kpi_cards([
        KpiCard(t("projects.kpi.count"), f"{s['count_projects']:,}", None, t("projects.help.count")),
        KpiCard(t("projects.kpi.in_progress"), f"{s['count_in_progress']:,}", None, t("projects.help.in_progress")),
        KpiCard(t("projects.kpi.at_risk"), f"{s['count_at_risk']:,}", None, t("projects.help.at_risk")),
        KpiCard(t("projects.kpi.on_time_rate"), format_percent(s["on_time_rate"]), None,
                t("projects.help.on_time_rate", on_time=s["count_on_time"], n=s["count_completed_scheduled"])),
        KpiCard(t("projects.kpi.unscheduled"), f"{s['count_unscheduled']:,}", None, t("projects.help.unscheduled")),
        KpiCard(t("projects.kpi.completed_revenue"), format_money(s["completed_revenue"], lang), None,
                t("projects.help.completed_revenue")),
        KpiCard(t("projects.kpi.feedback"), "—" if s["mean_feedback_score"] is None else f"{s['mean_feedback_score']:.1f}",
                None, t("projects.help.feedback", n=s["count_feedback"])),
    ], per_row=4)


def render_status_and_timeline(s: dict, projects) -> None:
    """Status as of the period end, then the timeline of planned against actual or forecast ends."""
    lang = language()
    render_chart(charts.build_project_status_figure(s, lang=lang), t("projects.empty_filters"))
    render_chart(charts.build_project_timeline_figure(projects, lang=lang), t("projects.timeline_empty"))


def project_table(projects):
    """The projects with their status and risk reasons in words, blank owners and notes as empty text."""
    return projects.assign(
        status=[t(f"project_status.{v}") for v in projects["status"]],
        risk=[risk_reasons(row) for _, row in projects.iterrows()],
        owner=projects["owner"].fillna(""),
        issue_note=projects["issue_note"].fillna(""),
    )


def render_at_risk(table, projects, filters) -> None:
    """The projects at risk, with why."""
    st.subheader(t("projects.at_risk"))
    at_risk = table[projects["is_at_risk"].astype(bool)]
    if at_risk.empty:
        st.info(t("projects.no_risk"), icon="✅")
        return
    render_download_table(
        at_risk[["project_name", "account_name", "owner", "status", "risk", "progress_pct", "elapsed_pct",
                 "planned_end", "end_date", "slip_days", "issue_note"]],
        file_name=f"projects_at_risk_{filters.end}.csv",
        column_config=project_columns(),
    )


def render_progress(table, filters) -> None:
    """Every project's progress against elapsed time."""
    st.subheader(t("projects.progress"))
    st.caption(t("projects.progress_caption"))
    render_download_table(
        table[["project_id", "project_name", "account_name", "owner", "status", "progress_pct", "elapsed_pct",
               "start_date", "planned_end", "end_date", "slip_days", "issue_note"]],
        file_name=f"projects_{filters.end}.csv",
        column_config=project_columns(),
    )


def render_completed(table, projects, filters) -> None:
    """Revenue and feedback of the completed projects: chart and table."""
    st.subheader(t("projects.completed"))
    render_chart(charts.build_completed_projects_figure(projects, lang=language()), t("projects.completed_empty"))
    completed = table[projects["status"] == "completed"]
    if completed.empty:
        return
    render_download_table(
        completed[["project_name", "account_name", "owner", "planned_end", "end_date", "slip_days", "contract_value",
                   "feedback_score", "issue_note"]],
        file_name=f"projects_completed_{filters.end}.csv",
        column_config=project_columns(),
    )


ensure_router()
render_page()
