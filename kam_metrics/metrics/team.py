"""Team: per account manager (owner) revenue, target completion, growth, accounts by ABC class, repeat
purchase rate, and visits and calls when interactions exist (the Team page).
"""

from __future__ import annotations

import duckdb
import pandas as pd

from kam_metrics.domain.filters import Filters
from kam_metrics.metrics.sales import TARGET_CTES, growth, nullable, ratio, target_applies
from kam_metrics.sql.segments import PERIOD_ACCOUNTS_CTES, SEGMENT_CTES, filter_params, query_df
from kam_metrics.store.settings import load_settings

TEAM_SQL = (
    "with"
    + SEGMENT_CTES
    + ","
    + TARGET_CTES
    + ","
    + PERIOD_ACCOUNTS_CTES
    + """,
contacts as (
    -- visits and calls to each account in the period
    select
        i.account_id,
        count(*) filter (where i.kind = 'visit') as count_visits,
        count(*) filter (where i.kind = 'call') as count_calls
    from interactions as i
    where i.opened_at >= $start::date and i.opened_at < $end::date + 1
      and i.account_id in (select account_id from filtered_accounts)
    group by i.account_id
),
per_owner as (
    select
        coalesce(f.owner, '') as owner,
        count(*) as count_accounts,
        count(*) filter (where f.abc_class = 'A') as count_a,
        count(*) filter (where f.abc_class = 'B') as count_b,
        count(*) filter (where f.abc_class = 'C') as count_c,
        count(*) filter (where f.is_key_account) as count_key_accounts,
        count(*) filter (where p.count_orders >= 1) as count_active_accounts,
        count(*) filter (where p.count_orders >= 2) as count_repeat_accounts,
        coalesce(sum(p.count_orders), 0)::bigint as count_orders,
        coalesce(sum(p.revenue), 0) as revenue,
        coalesce(sum(p.comparison_revenue), 0) as comparison_revenue,
        coalesce(sum(c.count_visits), 0)::bigint as count_visits,
        coalesce(sum(c.count_calls), 0)::bigint as count_calls
    from filtered_accounts as f
    left join per_account as p using (account_id)
    left join contacts as c using (account_id)
    group by 1
),
owner_targets as (
    select "key" as owner, sum(revenue_target * overlap_days / span_days) as revenue_target,
           bool_or(overlap_days < span_days) as is_prorated
    from finest_targets
    group by "key"
)
select o.*, t.revenue_target, coalesce(t.is_prorated, false) as is_prorated,
       (select count(*) from interactions) > 0 as has_interactions
from per_owner as o
left join owner_targets as t using (owner)
order by o.revenue desc, o.owner
"""
)


def compute_team(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """One row per account manager (owner; '' for accounts without one) of the filtered accounts,
    largest period revenue first.

    Columns: owner, count_accounts, count_a / count_b / count_c (accounts by ABC class as of the period
    end), count_key_accounts, count_active_accounts, count_repeat_accounts, count_orders, revenue,
    comparison_revenue, growth, revenue_target (owner targets pro-rated by days; None without a row or
    when other segment filters make it not comparable), is_prorated, target_completion,
    repeat_purchase_rate (accounts with ≥ 2 orders / with ≥ 1), count_visits and count_calls (to the
    owner's accounts in the period), has_interactions (whether the interactions table holds any row,
    so a page can tell "no visits" from "no data").
    """
    params = {
        **filter_params(filters, load_settings(con)),
        "level": "owner" if target_applies(filters, "owner") else "",
        "keys": list(filters.owners),
    }
    frame = query_df(con, TEAM_SQL, params)
    targets = [None if pd.isna(t) else float(t) for t in frame["revenue_target"]]
    frame["revenue_target"] = nullable(targets, frame)
    frame["growth"] = nullable([growth(c, p) for c, p in zip(frame["revenue"], frame["comparison_revenue"])], frame)
    frame["target_completion"] = nullable([ratio(r, t) for r, t in zip(frame["revenue"], targets)], frame)
    frame["repeat_purchase_rate"] = nullable(
        [ratio(r, a) for r, a in zip(frame["count_repeat_accounts"], frame["count_active_accounts"])], frame
    )
    return frame
