"""Service quality and relationship cadence (docs/kpis.md#service-and-relationship),
as of the period end.

Service tickets are the interactions of kind complaint or request opened in the period by the filtered
accounts. A response or resolution stamped after the period end does not count yet (as of the end).

- first-response and resolution hours: median and 90th percentile (``quantile_cont``, linear
  interpolation) over the answered / resolved tickets; unanswered tickets are counted and listed;
- SLA compliance = tickets answered within ``sla_hours`` (24) / all tickets, unanswered counting as late;
- complaints per active account = complaints / accounts with ≥ 1 order in the period;
- cadence: every key account (is_key_account, otherwise class A) gets a call at most ``cadence_call_days``
  (31) and a visit at most ``cadence_visit_days`` (92) days before the period end; compliance = key
  accounts meeting both / key accounts.
"""

from __future__ import annotations

from typing import Any

import duckdb
import pandas as pd

from kam_metrics.domain.filters import Filters
from kam_metrics.metrics.sales import ratio
from kam_metrics.sql.segments import SEGMENT_CTES, bind, filter_params, query_df
from kam_metrics.store.settings import load_settings

#: One row per service ticket (complaint or request) opened in the period by a filtered account.
TICKET_CTES = (
    "with"
    + SEGMENT_CTES
    + """,
tickets as (
    select
        i.interaction_id, i.account_id, f.account_name, coalesce(i.owner, f.owner) as owner, i.kind,
        i.opened_at,
        case when i.first_response_at < $end::date + 1 then i.first_response_at end as first_response_at,
        case when i.resolved_at < $end::date + 1 then i.resolved_at end as resolved_at,
        i.note
    from interactions as i
    join filtered_accounts as f using (account_id)
    where i.kind in ('complaint', 'request')
      and i.opened_at >= $start::date and i.opened_at < $end::date + 1
),
ticket_hours as (
    select
        *,
        date_trunc('month', opened_at)::date as month,
        epoch(first_response_at - opened_at) / 3600.0 as response_hours,
        epoch(resolved_at - opened_at) / 3600.0 as resolution_hours
    from tickets
)
"""
)

_TICKET_AGGREGATES = """
    count(*) as count_tickets,
    count(*) filter (where kind = 'complaint') as count_complaints,
    count(*) filter (where response_hours is null) as count_unanswered,
    count(*) filter (where resolution_hours is null) as count_unresolved,
    count(*) filter (where response_hours <= $sla_hours) as count_within_sla,
    quantile_cont(response_hours, 0.5) as median_response_hours,
    quantile_cont(response_hours, 0.9) as p90_response_hours,
    quantile_cont(resolution_hours, 0.5) as median_resolution_hours,
    quantile_cont(resolution_hours, 0.9) as p90_resolution_hours"""

SERVICE_SUMMARY_SQL = (
    TICKET_CTES
    + """,
active as (
    select count(distinct s.account_id) as count_active_accounts
    from sales as s
    where s.order_date between $start and $end
      and s.account_id in (select account_id from filtered_accounts)
)
select"""
    + _TICKET_AGGREGATES
    + """,
    (select count_active_accounts from active) as count_active_accounts
from ticket_hours
"""
)

SERVICE_MONTHLY_SQL = (
    TICKET_CTES
    + "select month,"
    + _TICKET_AGGREGATES
    + """
from ticket_hours
group by month
order by month
"""
)

COMPLAINTS_BY_ACCOUNT_SQL = (
    TICKET_CTES
    + """
select account_id, any_value(account_name) as account_name,
       any_value(owner) as owner,"""
    + _TICKET_AGGREGATES
    + """
from ticket_hours
group by account_id
having count(*) filter (where kind = 'complaint') > 0
order by count_complaints desc, count_unanswered desc, account_id
"""
)

UNANSWERED_SQL = (
    TICKET_CTES
    + """
select interaction_id, account_id, account_name, owner, kind, opened_at,
       epoch($end::date + 1 - opened_at) / 3600.0 as hours_open, note
from ticket_hours
where response_hours is null
order by opened_at, interaction_id
"""
)

CADENCE_SQL = (
    "with"
    + SEGMENT_CTES
    + """,
last_contacts as (
    select
        i.account_id,
        max(i.opened_at) filter (where i.kind = 'call') as last_call_at,
        max(i.opened_at) filter (where i.kind = 'visit') as last_visit_at
    from interactions as i
    where i.kind in ('call', 'visit')
      and i.opened_at < $end::date + 1
      and i.account_id in (select account_id from filtered_accounts where is_key_account)
    group by i.account_id
),
cadence as (
    select
        f.account_id, f.account_name, f.owner, f.abc_class,
        c.last_call_at, c.last_visit_at,
        datediff('day', c.last_call_at::date, $end::date) as days_since_call,
        datediff('day', c.last_visit_at::date, $end::date) as days_since_visit
    from filtered_accounts as f
    left join last_contacts as c using (account_id)
    where f.is_key_account
)
select
    *,
    coalesce(days_since_call <= $call_days, false) as is_call_ok,
    coalesce(days_since_visit <= $visit_days, false) as is_visit_ok,
    coalesce(days_since_call <= $call_days and days_since_visit <= $visit_days, false) as is_compliant
from cadence
order by is_compliant, days_since_call desc nulls first, days_since_visit desc nulls first, account_id
"""
)


def _params(con: duckdb.DuckDBPyConnection, filters: Filters) -> dict[str, Any]:
    settings = load_settings(con)
    return {
        **filter_params(filters, settings),
        "sla_hours": float(settings["sla_hours"]),
        "call_days": int(settings["cadence_call_days"]),
        "visit_days": int(settings["cadence_visit_days"]),
    }


def _with_rates(frame: pd.DataFrame) -> pd.DataFrame:
    frame["sla_compliance"] = pd.Series(
        [ratio(w, n) for w, n in zip(frame["count_within_sla"], frame["count_tickets"])], index=frame.index, dtype=object
    )
    return frame


def compute_service_summary(con: duckdb.DuckDBPyConnection, filters: Filters) -> dict[str, Any]:
    """Service tickets opened in the period by the filtered accounts, one dict.

    Keys: count_tickets, count_complaints, count_unanswered, count_unresolved, count_within_sla,
    median_response_hours, p90_response_hours, median_resolution_hours, p90_resolution_hours (None
    without an answered / resolved ticket), sla_compliance (None without a ticket), sla_hours,
    count_active_accounts, complaints_per_active_account (None without an active account).
    """
    params = _params(con, filters)
    cursor = con.execute(SERVICE_SUMMARY_SQL, bind(SERVICE_SUMMARY_SQL, params))
    names = [d[0] for d in cursor.description]
    row = dict(zip(names, cursor.fetchall()[0]))
    row["sla_compliance"] = ratio(row["count_within_sla"], row["count_tickets"])
    row["sla_hours"] = params["sla_hours"]
    row["complaints_per_active_account"] = ratio(row["count_complaints"], row["count_active_accounts"])
    return row


def compute_service_monthly(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """One row per month with a ticket opened: month (first day), the counts and hour quantiles of
    compute_service_summary, and sla_compliance."""
    return _with_rates(query_df(con, SERVICE_MONTHLY_SQL, _params(con, filters)))


def compute_complaints_by_account(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """One row per filtered account with at least one complaint in the period, most complaints first:
    account_id, account_name, owner, the counts and hour quantiles over its tickets, sla_compliance."""
    return _with_rates(query_df(con, COMPLAINTS_BY_ACCOUNT_SQL, _params(con, filters)))


def compute_unanswered_tickets(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """One row per ticket opened in the period without a first response by the period end, oldest first:
    interaction_id, account_id, account_name, owner, kind, opened_at, hours_open (to the end of the
    period's last day), note."""
    return query_df(con, UNANSWERED_SQL, _params(con, filters))


def compute_cadence(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """One row per filtered key account, overdue ones first: account_id, account_name, owner, abc_class,
    last_call_at, last_visit_at (up to the period end), days_since_call, days_since_visit (None when never),
    is_call_ok, is_visit_ok, is_compliant."""
    return query_df(con, CADENCE_SQL, _params(con, filters))


def summarize_cadence(cadence: pd.DataFrame) -> dict[str, Any]:
    """count_key_accounts, count_compliant, cadence_compliance (None without a key account),
    count_call_overdue, count_visit_overdue, from compute_cadence's small frame."""
    total = int(len(cadence))
    compliant = int(cadence["is_compliant"].sum()) if total else 0
    return {
        "count_key_accounts": total,
        "count_compliant": compliant,
        "cadence_compliance": ratio(compliant, total),
        "count_call_overdue": int((~cadence["is_call_ok"]).sum()) if total else 0,
        "count_visit_overdue": int((~cadence["is_visit_ok"]).sum()) if total else 0,
    }


COUNT_INTERACTIONS_SQL = "select count(*) from interactions"


def count_interactions(con: duckdb.DuckDBPyConnection) -> int:
    """Rows in the interactions table whatever the filters, so a page can tell "nothing uploaded" from
    "nothing matches the filters"."""
    return int(con.execute(COUNT_INTERACTIONS_SQL).fetchall()[0][0])


def account_cadence(cadence: pd.DataFrame) -> dict[str, Any] | None:
    """One key account's row of compute_cadence as plain values (days None when never contacted);
    None when the frame is empty (the account is not a key account)."""
    if cadence.empty:
        return None
    row = cadence.iloc[0]
    days = {c: (None if pd.isna(row[c]) else int(row[c])) for c in ("days_since_call", "days_since_visit")}
    return {**days, "is_compliant": bool(row["is_compliant"])}
