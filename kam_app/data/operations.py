"""Cached loaders of the Projects, Service and Pipeline pages and of their sections on Account 360 and
Team (one unit of work per call, cached by the file's state: :mod:`kam_app.data.cache`)."""

from __future__ import annotations

from typing import Any

from kam_app.data.cache import cached_query
from kam_metrics.domain.filters import Filters
from kam_metrics.metrics import pipeline, projects, service


@cached_query()
def load_projects_page(con, filters: Filters) -> dict[str, Any]:
    """Projects page: count_all (rows in the table), summary and projects (kam_metrics.metrics.projects)."""
    return {
        "count_all": projects.count_projects(con),
        "summary": projects.compute_project_summary(con, filters),
        "projects": projects.compute_project_list(con, filters),
    }


@cached_query()
def load_service_page(con, filters: Filters) -> dict[str, Any]:
    """Service page: count_all, summary, monthly, complaints, unanswered, cadence, cadence_summary
    (kam_metrics.metrics.service)."""
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


@cached_query()
def load_pipeline_page(con, filters: Filters) -> dict[str, Any]:
    """Pipeline page: count_all, summary, funnel, stale (kam_metrics.metrics.pipeline)."""
    return {
        "count_all": pipeline.count_opportunities(con),
        "summary": pipeline.compute_pipeline_summary(con, filters),
        "funnel": pipeline.compute_funnel(con, filters),
        "stale": pipeline.compute_stale_opportunities(con, filters),
    }


@cached_query()
def load_team_pipeline(con, filters: Filters):
    """Team page: the pipeline per account manager (kam_metrics.metrics.pipeline.compute_pipeline_by_owner)."""
    return pipeline.compute_pipeline_by_owner(con, filters)


@cached_query()
def load_account_operations(con, account_id: str, filters: Filters) -> dict[str, Any]:
    """Account 360: the account's projects, project_summary, service summary and cadence row."""
    one = Filters(start=filters.start, end=filters.end, compare=filters.compare, accounts=(account_id,))
    return {
        "projects": projects.compute_project_list(con, one),
        "project_summary": projects.compute_project_summary(con, one),
        "service": service.compute_service_summary(con, one),
        "cadence": service.account_cadence(service.compute_cadence(con, one)),
    }
