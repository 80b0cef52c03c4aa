"""Cached loaders of the Projects, Service and Pipeline pages and of their sections on Account 360 and
Team (issue #6). Same pattern as kam_app.data.sales: one unit of work per call, cached by the file's state."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from kam_metrics.domain.filters import Filters

from kam_app.data.sales import _with_connection, db_path, db_version, guarded


def _projects_page(con, filters: Filters) -> dict[str, Any]:
    from kam_metrics.metrics import projects

    return {
        "count_all": projects.count_projects(con),
        "summary": projects.compute_project_summary(con, filters),
        "projects": projects.compute_project_list(con, filters),
    }


def _service_page(con, filters: Filters) -> dict[str, Any]:
    from kam_metrics.metrics import service

    cadence = service.compute_cadence(con, filters)
    return {
        "count_all": service.count_interactions(con),
        "summary": service.compute_service_summary(con, filters),
        "monthly": service.compute_service_monthly(con, filters),
        "complaints": service.compute_complaints_by_account(con, filters),
        "unanswered": service.compute_unanswered_tickets(con, filters),
        "cadence": cadence,
        "cadence_summary": service.summarize_cadence(cadence),
    }


def _pipeline_page(con, filters: Filters) -> dict[str, Any]:
    from kam_metrics.metrics import pipeline

    return {
        "count_all": pipeline.count_opportunities(con),
        "summary": pipeline.compute_pipeline_summary(con, filters),
        "funnel": pipeline.compute_funnel(con, filters),
        "stale": pipeline.compute_stale_opportunities(con, filters),
    }


def _team_pipeline(con, filters: Filters):
    from kam_metrics.metrics import pipeline

    return pipeline.compute_pipeline_by_owner(con, filters)


def _account_operations(con, account_id: str, filters: Filters) -> dict[str, Any]:
    from kam_metrics.metrics import projects
    from kam_metrics.metrics import service

    one = Filters(start=filters.start, end=filters.end, compare=filters.compare, accounts=(account_id,))
    return {
        "projects": projects.compute_project_list(con, one),
        "project_summary": projects.compute_project_summary(con, one),
        "service": service.compute_service_summary(con, one),
        "cadence": service.account_cadence(service.compute_cadence(con, one)),
    }


_WORK: dict[str, Callable[..., Any]] = {
    "projects_page": _projects_page,
    "service_page": _service_page,
    "pipeline_page": _pipeline_page,
    "team_pipeline": _team_pipeline,
    "account_operations": _account_operations,
}


@st.cache_data(show_spinner=False, max_entries=128)
def _load(path_text: str, version: tuple, name: str, *args: Any) -> Any:
    return _with_connection(path_text, _WORK[name], *args)


def _load_guarded(name: str, *args: Any) -> Any:
    path = db_path()
    return guarded(_load, str(path), db_version(path), name, *args)


def load_projects_page(filters: Filters) -> dict[str, Any]:
    """Projects page: count_all (rows in the table), summary and projects (kam_metrics.metrics.projects)."""
    return _load_guarded("projects_page", filters)


def load_service_page(filters: Filters) -> dict[str, Any]:
    """Service page: count_all, summary, monthly, complaints, unanswered, cadence, cadence_summary
    (kam_metrics.metrics.service)."""
    return _load_guarded("service_page", filters)


def load_pipeline_page(filters: Filters) -> dict[str, Any]:
    """Pipeline page: count_all, summary, funnel, stale (kam_metrics.metrics.pipeline)."""
    return _load_guarded("pipeline_page", filters)


def load_team_pipeline(filters: Filters):
    """Team page: the pipeline per account manager (kam_metrics.metrics.pipeline.compute_pipeline_by_owner)."""
    return _load_guarded("team_pipeline", filters)


def load_account_operations(account_id: str, filters: Filters) -> dict[str, Any]:
    """Account 360: the account's projects, project_summary, service summary and cadence row."""
    return _load_guarded("account_operations", account_id, filters)
