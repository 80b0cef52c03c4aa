"""Shared SQL pieces: the account-segment CTEs every KPI query starts from, and parameter binding.

Queries are constants composed from constants; values are always bound as ``$name`` parameters.
"""

from __future__ import annotations

import re
from typing import Any

import duckdb
import pandas as pd

from kam_metrics.domain.filters import Filters

_PARAM = re.compile(r"\$([a-z_][a-z0-9_]*)")

#: ABC classes as of $segment_end (docs/kpis.md#classification) and the accounts selected by the
#: filters. Grain of ``filtered_accounts``: one row per account matching every segment filter.
ABC_CTES = """
abc_revenue as (
    select account_id, sum(amount) as revenue_12m
    from sales
    where order_date > $segment_end::date - interval 1 year
      and order_date <= $segment_end::date
    group by account_id
    having sum(amount) > 0
),
abc_ranked as (
    select
        account_id,
        revenue_12m,
        (sum(revenue_12m) over (order by revenue_12m desc, account_id
                                rows between unbounded preceding and current row) - revenue_12m)
            / sum(revenue_12m) over () as share_before,
        sum(revenue_12m) over (order by revenue_12m desc, account_id
                               rows between unbounded preceding and current row)
            / sum(revenue_12m) over () as cumulative_share
    from abc_revenue
),
abc as (
    select
        account_id,
        revenue_12m,
        cumulative_share,
        case when share_before < $abc_a_share then 'A'
             when share_before < $abc_b_share then 'B'
             else 'C' end as abc_class
    from abc_ranked
)"""

SEGMENT_CTES = (
    ABC_CTES
    + """,
segment_accounts as (
    select
        a.account_id,
        a.account_name,
        a.industry,
        a.scale,
        a.region,
        a.owner,
        abc.abc_class,
        coalesce(a.is_key_account, abc.abc_class = 'A', false) as is_key_account,
        case when a.cooperation_start is null then null
             when a.cooperation_start > $segment_end::date - interval 1 year then 'new'
             when a.cooperation_start >= $segment_end::date - interval 5 year then 'mid'
             else 'long' end as tenure_band
    from accounts as a
    left join abc using (account_id)
),
filtered_accounts as (
    select *
    from segment_accounts
    where (len($industries::varchar[]) = 0 or list_contains($industries::varchar[], industry))
      and (len($scales::varchar[]) = 0 or list_contains($scales::varchar[], scale))
      and (len($tenure_bands::varchar[]) = 0 or list_contains($tenure_bands::varchar[], tenure_band))
      and (len($regions::varchar[]) = 0 or list_contains($regions::varchar[], region))
      and (len($owners::varchar[]) = 0 or list_contains($owners::varchar[], owner))
      and (len($abc_classes::varchar[]) = 0 or list_contains($abc_classes::varchar[], abc_class))
      and (len($accounts::varchar[]) = 0 or list_contains($accounts::varchar[], account_id))
)
"""
)


#: Each filtered account's revenue and orders in the period and in the comparison period (follows
#: SEGMENT_CTES). Grain of ``per_account``: one row per account with sales in either period.
PERIOD_ACCOUNTS_CTES = """
window_sales as (
    select s.account_id, s.order_id, s.order_date, s.amount
    from sales as s
    where s.order_date between least($start, $cmp_start) and greatest($end, $cmp_end)
      and s.account_id in (select account_id from filtered_accounts)
),
per_account as (
    select
        account_id,
        coalesce(sum(amount) filter (where order_date between $start and $end), 0) as revenue,
        coalesce(sum(amount) filter (where order_date between $cmp_start and $cmp_end), 0) as comparison_revenue,
        count(distinct order_id) filter (where order_date between $start and $end) as count_orders
    from window_sales
    group by account_id
)
"""


#: Each filtered account's revenue in the period (follows SEGMENT_CTES); one row per active account.
PERIOD_REVENUE_CTE = """
period_revenue as (
    select s.account_id, sum(s.amount) as revenue
    from sales as s
    where s.order_date between $start and $end
      and s.account_id in (select account_id from filtered_accounts)
    group by s.account_id
)
"""


def bind(sql: str, params: dict[str, Any]) -> dict[str, Any]:
    """The subset of ``params`` the statement uses (DuckDB refuses unused named parameters)."""
    names = set(_PARAM.findall(sql))
    missing = names - params.keys()
    if missing:
        raise KeyError(f"SQL parameters without a value: {', '.join(sorted(missing))}")
    return {name: params[name] for name in names}


def query_df(con: duckdb.DuckDBPyConnection, sql: str, params: dict[str, Any]) -> pd.DataFrame:
    return con.execute(sql, bind(sql, params)).df()


def query_row(con: duckdb.DuckDBPyConnection, sql: str, params: dict[str, Any]) -> dict[str, Any]:
    cursor = con.execute(sql, bind(sql, params))
    names = [d[0] for d in cursor.description]
    row = cursor.fetchone()
    return dict(zip(names, row)) if row else {name: None for name in names}


def filter_params(filters: Filters, settings: dict[str, Any]) -> dict[str, Any]:
    """Every parameter the segment CTEs and period queries may use."""
    cmp_start, cmp_end = filters.comparison
    return {
        **filters.sql_params(),
        "cmp_start": cmp_start,
        "cmp_end": cmp_end,
        "abc_a_share": float(settings["abc_a_share"]),
        "abc_b_share": float(settings["abc_b_share"]),
    }
