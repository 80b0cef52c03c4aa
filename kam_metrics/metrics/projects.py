"""Cooperation projects (docs/kpis.md#projects), as of the period end.

A project's status is read as of the period end: a project completed after the end was still in progress
then, and one starting after the end was still planned. Projects of the filtered accounts only.

- on-time rate = completed with actual_end ≤ planned_end / completed with a planned_end;
- slip days = (actual_end or forecast_end) − planned_end; no planned_end → "unscheduled" (slip None);
- at risk (open projects only: planned, in progress, on hold, blocked) = blocked, or slip > 0, or
  progress more than ``project_behind_points`` (15) points behind the share of the planned span
  elapsed between start_date and the period end;
- revenue (Σ contract_value) and mean feedback_score of completed projects.
"""

from __future__ import annotations

from typing import Any

import duckdb
import pandas as pd

from kam_metrics.domain.filters import Filters
from kam_metrics.metrics.sales import ratio
from kam_metrics.sql.segments import SEGMENT_CTES, bind, filter_params, query_df
from kam_metrics.store.settings import load_settings

OPEN_STATUSES = ("planned", "in_progress", "on_hold", "blocked")

#: One row per project of the filtered accounts, with its status as of $end and the risk flags.
PROJECT_CTES = (
    "with"
    + SEGMENT_CTES
    + """,
project_rows as (
    select
        p.project_id, p.project_name, p.account_id, f.account_name, f.owner,
        case when p.status = 'completed' and p.actual_end > $end::date then 'in_progress'
             when p.status <> 'cancelled' and p.start_date > $end::date then 'planned'
             else p.status end as status,
        p.start_date, p.planned_end, p.forecast_end,
        case when p.actual_end <= $end::date then p.actual_end end as actual_end,
        p.progress_pct, p.contract_value, p.feedback_score, p.issue_note
    from projects as p
    join filtered_accounts as f using (account_id)
),
project_measures as (
    select
        *,
        coalesce(actual_end, forecast_end) as end_date,
        datediff('day', planned_end, coalesce(actual_end, forecast_end)) as slip_days,
        planned_end is null as is_unscheduled,
        status in ('planned', 'in_progress', 'on_hold', 'blocked') as is_open,
        case when start_date is not null and planned_end > start_date
             then 100.0 * greatest(0, least(1, datediff('day', start_date, $end::date)
                                                / datediff('day', start_date, planned_end)))
        end as elapsed_pct
    from project_rows
),
project_flags as (
    select
        *,
        is_open and status = 'blocked' as is_blocked,
        is_open and coalesce(slip_days > 0, false) as is_slipping,
        is_open and coalesce(elapsed_pct - coalesce(progress_pct, 0) > $behind_points, false) as is_behind
    from project_measures
),
project_list as (
    select *, is_blocked or is_slipping or is_behind as is_at_risk
    from project_flags
)
"""
)

PROJECT_LIST_SQL = (
    PROJECT_CTES
    + """
select project_id, project_name, account_id, account_name, owner, status, start_date, planned_end,
       forecast_end, actual_end, end_date, progress_pct, elapsed_pct, slip_days, is_unscheduled, is_open,
       is_blocked, is_slipping, is_behind, is_at_risk, contract_value, feedback_score, issue_note
from project_list
order by is_at_risk desc, slip_days desc nulls last, planned_end nulls last, project_id
"""
)

PROJECT_SUMMARY_SQL = (
    PROJECT_CTES
    + """
select
    count(*) as count_projects,
    count(*) filter (where status = 'planned') as count_planned,
    count(*) filter (where status = 'in_progress') as count_in_progress,
    count(*) filter (where status = 'completed') as count_completed,
    count(*) filter (where status = 'on_hold') as count_on_hold,
    count(*) filter (where status = 'blocked') as count_blocked,
    count(*) filter (where status = 'cancelled') as count_cancelled,
    count(*) filter (where is_unscheduled) as count_unscheduled,
    count(*) filter (where status = 'completed' and planned_end is not null and actual_end is not null)
        as count_completed_scheduled,
    count(*) filter (where status = 'completed' and actual_end <= planned_end) as count_on_time,
    count(*) filter (where is_at_risk) as count_at_risk,
    count(*) filter (where is_open and slip_days > 0) as count_slipping,
    avg(slip_days) filter (where status = 'completed' and slip_days > 0) as mean_late_slip_days,
    coalesce(sum(contract_value) filter (where status = 'completed'), 0) as completed_revenue,
    avg(feedback_score) filter (where status = 'completed') as mean_feedback_score,
    count(feedback_score) filter (where status = 'completed') as count_feedback
from project_list
"""
)


def _params(con: duckdb.DuckDBPyConnection, filters: Filters) -> dict[str, Any]:
    settings = load_settings(con)
    return {**filter_params(filters, settings), "behind_points": float(settings["project_behind_points"])}


def compute_project_list(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """One row per project of the filtered accounts, at-risk ones first, then the largest slip.

    Columns: project_id, project_name, account_id, account_name, owner, status (as of the period end),
    start_date, planned_end, forecast_end, actual_end (None when after the end), end_date (actual or
    forecast), progress_pct, elapsed_pct (share of the planned span elapsed at the end, 0-100; None
    without start_date or planned_end), slip_days (None when unscheduled or without an end date),
    is_unscheduled, is_open, is_blocked, is_slipping, is_behind, is_at_risk, contract_value,
    feedback_score, issue_note.
    """
    return query_df(con, PROJECT_LIST_SQL, _params(con, filters))


def compute_project_summary(con: duckdb.DuckDBPyConnection, filters: Filters) -> dict[str, Any]:
    """The projects of the filtered accounts as of the period end, one dict.

    Keys: count_projects, count_<status> for the six statuses, count_unscheduled,
    count_completed_scheduled (completed with a planned_end), count_on_time, on_time_rate (None without
    a completed scheduled project), count_at_risk, count_slipping (open with slip > 0),
    mean_late_slip_days (completed late ones), completed_revenue, mean_feedback_score, count_feedback.
    """
    cursor = con.execute(PROJECT_SUMMARY_SQL, bind(PROJECT_SUMMARY_SQL, _params(con, filters)))
    names = [d[0] for d in cursor.description]
    row = dict(zip(names, cursor.fetchall()[0]))
    row["on_time_rate"] = ratio(row["count_on_time"], row["count_completed_scheduled"])
    return row



COUNT_PROJECTS_SQL = "select count(*) from projects"


def count_projects(con: duckdb.DuckDBPyConnection) -> int:
    """Rows in the projects table whatever the filters, so a page can tell "nothing uploaded" from
    "nothing matches the filters"."""
    return int(con.execute(COUNT_PROJECTS_SQL).fetchall()[0][0])
