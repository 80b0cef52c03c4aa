"""Loyalty KPIs (docs/kpis.md#loyalty): retention, churn rate, net and gross revenue retention, mean
days between orders, lost accounts, referrals and NPS.

Repeat purchase rate and purchase frequency come with the sales summary (kam_metrics.metrics.sales), as they
aggregate the same period rows.
"""

from __future__ import annotations

from typing import Any

import duckdb
import pandas as pd

from kam_metrics.domain.filters import Filters
from kam_metrics.metrics.sales import ratio, segment_sql
from kam_metrics.sql.segments import SEGMENT_CTES, filter_params, query_df, query_row
from kam_metrics.store.settings import load_settings

RETENTION_SQL = (
    "with"
    + SEGMENT_CTES
    + """,
current_accounts as (
    select account_id, sum(amount) as revenue
    from sales
    where order_date between $start and $end
      and account_id in (select account_id from filtered_accounts)
    group by account_id
),
comparison_accounts as (
    select account_id, sum(amount) as revenue
    from sales
    where order_date between $cmp_start and $cmp_end
      and account_id in (select account_id from filtered_accounts)
    group by account_id
)
select
    count(*) as comparison_accounts,
    count(c.account_id) as retained_accounts,
    sum(p.revenue) as comparison_revenue,
    sum(coalesce(c.revenue, 0)) as retained_revenue,
    sum(least(coalesce(c.revenue, 0), p.revenue)) as capped_revenue
from comparison_accounts as p
left join current_accounts as c using (account_id)
"""
)


def compute_retention(con: duckdb.DuckDBPyConnection, filters: Filters) -> dict[str, Any]:
    """Retention of the comparison period's active accounts into this period.

    Keys: comparison_accounts, retained_accounts, retention_rate (retained / comparison accounts),
    churn_rate (1 − retention), net_revenue_retention (this period's revenue of those accounts / their
    comparison revenue), gross_revenue_retention (the same with each account capped at its comparison
    revenue). Rates are None when the comparison period has no active account.
    """
    params = filter_params(filters, load_settings(con))
    row = query_row(con, segment_sql(RETENTION_SQL, filters), params)
    retention = ratio(row["retained_accounts"], row["comparison_accounts"])
    return {
        "comparison_accounts": int(row["comparison_accounts"] or 0),
        "retained_accounts": int(row["retained_accounts"] or 0),
        "retention_rate": retention,
        "churn_rate": None if retention is None else 1.0 - retention,
        "net_revenue_retention": ratio(row["retained_revenue"], row["comparison_revenue"]),
        "gross_revenue_retention": ratio(row["capped_revenue"], row["comparison_revenue"]),
    }


ORDER_INTERVALS_SQL = (
    "with"
    + SEGMENT_CTES
    + """,
orders as (
    -- one row per order of the period: an order's date is its earliest line's date
    select s.account_id, s.order_id, min(s.order_date) as order_date
    from sales as s
    where s.order_date between $start and $end
      and s.account_id in (select account_id from filtered_accounts)
    group by s.account_id, s.order_id
),
per_account as (
    -- an account's gaps between consecutive orders add up to (last − first), so the mean over all
    -- gaps is Σ(last − first) / Σ(orders − 1): no sort per account needed
    select
        account_id,
        date_diff('day', min(order_date), max(order_date)) as span_days,
        count(*) - 1 as count_intervals
    from orders
    group by account_id
)
select
    sum(span_days) / nullif(sum(count_intervals), 0) as mean_days_between_orders,
    coalesce(sum(count_intervals), 0) as count_intervals,
    count(*) filter (where count_intervals > 0) as count_accounts
from per_account
"""
)


def compute_order_intervals(con: duckdb.DuckDBPyConnection, filters: Filters) -> dict[str, Any]:
    """Mean days between consecutive orders of the same account, over the period's orders.

    Every pair of consecutive orders of one account in the period is one interval (two orders on the
    same day give 0 days). Keys: mean_days_between_orders (None when no account ordered twice),
    count_intervals, count_accounts (accounts with at least one interval).
    """
    row = query_row(con, segment_sql(ORDER_INTERVALS_SQL, filters), filter_params(filters, load_settings(con)))
    mean = row["mean_days_between_orders"]
    return {
        "mean_days_between_orders": None if mean is None else float(mean),
        "count_intervals": int(row["count_intervals"] or 0),
        "count_accounts": int(row["count_accounts"] or 0),
    }


LOST_ACCOUNTS_SQL = (
    "with"
    + SEGMENT_CTES
    + """,
per_account as (
    -- latest order up to the period end, and the two periods' figures, in one narrow scan
    select
        account_id,
        coalesce(sum(amount) filter (where order_date between $cmp_start and $cmp_end), 0) as comparison_revenue,
        count(*) filter (where order_date between $start and $end) as count_lines,
        max(order_date) as last_order_date
    from sales
    where order_date <= $end
      and account_id in (select account_id from filtered_accounts)
    group by account_id
)
select
    f.account_id,
    f.account_name,
    f.owner,
    f.abc_class,
    a.status,
    a.churned_on,
    a.status = 'churned' and a.churned_on between $start and $end as is_churned_in_period,
    coalesce(p.comparison_revenue, 0) as comparison_revenue,
    p.last_order_date,
    case when a.status = 'churned' then 'marked_churned' else 'no_repeat_order' end as reason
from filtered_accounts as f
join accounts as a using (account_id)
left join per_account as p using (account_id)
where (a.status = 'churned' and (a.churned_on is null or a.churned_on <= $end))
   or (coalesce(p.comparison_revenue, 0) > 0 and coalesce(p.count_lines, 0) = 0)
order by coalesce(p.comparison_revenue, 0) desc, f.account_id
"""
)


def compute_lost_accounts(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Lost accounts as of the period end, one row each, largest comparison revenue first.

    An account is listed when it is marked churned (status 'churned', churned on or before the period
    end, or on an unknown day) — reason 'marked_churned' — or when it bought in the comparison period
    but not in this one — reason 'no_repeat_order'. Columns: account_id, account_name, owner,
    abc_class, status, churned_on, is_churned_in_period, comparison_revenue, last_order_date (latest
    order up to the period end), reason.
    """
    return query_df(con, LOST_ACCOUNTS_SQL, filter_params(filters, load_settings(con)))


REFERRALS_SQL = (
    "with"
    + SEGMENT_CTES
    + """
select
    count(*) as count_referred,
    count(*) filter (where a.cooperation_start between $start and $end) as count_referred_in_period,
    count(distinct a.referred_by) as count_referrers
from filtered_accounts as f
join accounts as a using (account_id)
join accounts as referrer on referrer.account_id = a.referred_by and referrer.account_id <> a.account_id
"""
)


def compute_referrals(con: duckdb.DuckDBPyConnection, filters: Filters) -> dict[str, Any]:
    """Referrals (推荐) among the filtered accounts: accounts whose referred_by names another account.

    Keys: count_referred (all such accounts), count_referred_in_period (those whose cooperation started
    in the period), count_referrers (distinct accounts that referred them). A referred_by naming no
    known account, or the account itself, is not a referral.
    """
    row = query_row(con, segment_sql(REFERRALS_SQL, filters), filter_params(filters, load_settings(con)))
    return {key: int(value or 0) for key, value in row.items()}


NPS_SQL = (
    "with"
    + SEGMENT_CTES
    + """
select
    count(*) as count_answers,
    count(*) filter (where r.score >= 9) as count_promoters,
    count(*) filter (where r.score <= 6) as count_detractors
from survey_responses as r
join survey_items as i using (item_code)
where i.scale_min = 0 and i.scale_max = 10
  and r.score is not null
  and r.survey_date between $start and $end
  -- anonymous answers count only when no segment is chosen (they belong to no segment)
  and (r.account_id in (select account_id from filtered_accounts)
       or (r.account_id = '' and not $has_segments))
"""
)


def compute_nps(con: duckdb.DuckDBPyConnection, filters: Filters) -> dict[str, Any]:
    """Net promoter score from the 0-10 items answered in the period: % scoring 9-10 − % scoring 0-6.

    Keys: nps (in points, −100..100; None without an answer), count_answers, count_promoters,
    count_detractors. Anonymous answers count only when no segment filter is chosen.
    """
    params = {**filter_params(filters, load_settings(con)), "has_segments": filters.has_segments}
    row = query_row(con, segment_sql(NPS_SQL, filters), params)
    n = int(row["count_answers"] or 0)
    share = ratio(int(row["count_promoters"] or 0) - int(row["count_detractors"] or 0), n)
    return {
        "nps": None if share is None else share * 100,
        "count_answers": n,
        "count_promoters": int(row["count_promoters"] or 0),
        "count_detractors": int(row["count_detractors"] or 0),
    }
