"""Loyalty KPIs (design.md §4 *Loyalty*): retention, churn rate, net and gross revenue retention.

Repeat purchase rate and purchase frequency come with the sales summary (kam_metrics.sales), as they
aggregate the same period rows.
"""

from __future__ import annotations

from typing import Any

import duckdb

from kam_metrics.filters import Filters
from kam_metrics.sales import ratio
from kam_metrics.settings import load_settings
from kam_metrics.sql import SEGMENT_CTES, filter_params, query_row

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
    row = query_row(con, RETENTION_SQL, params)
    retention = ratio(row["retained_accounts"], row["comparison_accounts"])
    return {
        "comparison_accounts": int(row["comparison_accounts"] or 0),
        "retained_accounts": int(row["retained_accounts"] or 0),
        "retention_rate": retention,
        "churn_rate": None if retention is None else 1.0 - retention,
        "net_revenue_retention": ratio(row["retained_revenue"], row["comparison_revenue"]),
        "gross_revenue_retention": ratio(row["capped_revenue"], row["comparison_revenue"]),
    }
