"""Accounts: the account list, Pareto and ABC summary, classification matrices, key accounts and groups,
and one account's profile and products (docs/kpis.md#classification; the Accounts and Account 360
pages).

Every function takes a DuckDB connection and a :class:`Filters` (or an account id), aggregates inside
DuckDB and returns a small dict or DataFrame whose grain the docstring states.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import duckdb
import pandas as pd

from kam_metrics.domain.filters import Filters
from kam_metrics.metrics.sales import growth, nullable, ratio, segment_sql
from kam_metrics.sql.segments import PERIOD_ACCOUNTS_CTES, PERIOD_REVENUE_CTE, SEGMENT_CTES, filter_params, query_df, query_row
from kam_metrics.store.settings import load_settings

ACCOUNT_LIST_SQL = (
    "with"
    + SEGMENT_CTES
    + ","
    + PERIOD_ACCOUNTS_CTES
    + """,
last_orders as (
    -- the latest order of all history up to the period end: one narrow scan, no distinct count; every
    -- account is aggregated (cheaper than probing the filter on every row), the join below filters
    select account_id, max(order_date) as last_order_date
    from sales
    where order_date <= $end
    group by account_id
)
select
    f.account_id,
    f.account_name,
    f.abc_class,
    f.is_key_account,
    f.industry,
    f.scale,
    f.tenure_band,
    f.region,
    f.owner,
    a.group_name,
    a.status,
    coalesce(p.revenue, 0) as revenue,
    coalesce(p.comparison_revenue, 0) as comparison_revenue,
    coalesce(p.count_orders, 0) as count_orders,
    l.last_order_date,
    date_diff('day', l.last_order_date, $end::date) as days_since_last_order
from filtered_accounts as f
join accounts as a using (account_id)
left join per_account as p using (account_id)
left join last_orders as l using (account_id)
order by revenue desc, f.account_id
"""
)


def compute_account_list(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """One row per filtered account (with or without sales), largest period revenue first.

    Columns: account_id, account_name, abc_class (as of the period end; None without 12-month
    revenue), is_key_account, industry, scale, tenure_band, region, owner, group_name, status, revenue,
    comparison_revenue, growth (None without comparison revenue), count_orders (in the period),
    last_order_date (latest order up to the period end), days_since_last_order.
    """
    frame = query_df(con, ACCOUNT_LIST_SQL, filter_params(filters, load_settings(con)))
    frame["growth"] = nullable([growth(c, p) for c, p in zip(frame["revenue"], frame["comparison_revenue"])], frame)
    return frame


def search_accounts(frame: pd.DataFrame, text: str) -> pd.DataFrame:
    """The rows of an account list whose id, name, owner, industry, region or group contains ``text``
    (case-insensitive); all rows for blank text."""
    text = (text or "").strip().lower()
    if not text or frame.empty:
        return frame
    columns = [c for c in ("account_id", "account_name", "owner", "industry", "region", "group_name") if c in frame]
    mask = pd.Series(False, index=frame.index)
    for column in columns:
        mask |= frame[column].fillna("").astype(str).str.lower().str.contains(text, regex=False)
    return frame[mask]


PARETO_SQL = (
    "with"
    + SEGMENT_CTES
    + """,
ranked as (
    select
        f.account_id,
        f.account_name,
        f.abc_class,
        abc.revenue_12m,
        row_number() over (order by abc.revenue_12m desc, f.account_id) as revenue_rank,
        sum(abc.revenue_12m) over (order by abc.revenue_12m desc, f.account_id
                                   rows between unbounded preceding and current row)
            / sum(abc.revenue_12m) over () as cumulative_share,
        count(*) over () as count_accounts
    from filtered_accounts as f
    join abc using (account_id)
),
marked as (
    select
        *,
        abc_class is distinct from lag(abc_class) over (order by revenue_rank) as starts_class
    from ranked
)
select account_id, account_name, abc_class, revenue_12m, revenue_rank, cumulative_share,
       revenue_rank / count_accounts as account_share
from marked
-- keep every point of a small chart; thin a large one but keep its first, last and class edges
where count_accounts <= $max_points
   or revenue_rank % ceil(count_accounts / $max_points)::bigint = 0
   or revenue_rank = 1 or revenue_rank = count_accounts or starts_class
order by revenue_rank
"""
)


def compute_pareto(con: duckdb.DuckDBPyConnection, filters: Filters, max_points: int = 400) -> pd.DataFrame:
    """Pareto curve of the filtered accounts' revenue in the 12 months ending at the period end (the ABC
    basis), largest first.

    One row per account (thinned to about ``max_points`` rows when there are more, keeping the first,
    the last and every account that starts an ABC class). Columns: account_id, account_name, abc_class,
    revenue_12m, revenue_rank, cumulative_share (of the filtered accounts' 12-month revenue),
    account_share (revenue_rank / number of accounts).
    """
    params = {**filter_params(filters, load_settings(con)), "max_points": int(max_points)}
    return query_df(con, PARETO_SQL, params)


ABC_SUMMARY_SQL = (
    "with"
    + SEGMENT_CTES
    + ","
    + PERIOD_REVENUE_CTE
    + """
select
    coalesce(f.abc_class, '') as class_code,
    count(*) as count_accounts,
    coalesce(sum(f.revenue_12m), 0) as revenue_12m,
    coalesce(sum(p.revenue), 0) as revenue
from (select s.*, abc.revenue_12m from filtered_accounts as s left join abc using (account_id)) as f
left join period_revenue as p using (account_id)
group by 1
order by class_code = '', class_code
"""
)


def compute_abc_summary(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """One row per ABC class among the filtered accounts (A, B, C, then '' for accounts without
    12-month revenue): abc_class, count_accounts, revenue_12m, revenue (period), share_12m (of the
    filtered accounts' 12-month revenue), account_share (of the filtered accounts)."""
    frame = query_df(con, ABC_SUMMARY_SQL, filter_params(filters, load_settings(con)))
    frame = frame.rename(columns={"class_code": "abc_class"})
    total, count = frame["revenue_12m"].sum(), frame["count_accounts"].sum()
    frame["share_12m"] = nullable([ratio(v, total) for v in frame["revenue_12m"]], frame)
    frame["account_share"] = nullable([ratio(v, count) for v in frame["count_accounts"]], frame)
    return frame


#: Account attributes a classification matrix can use (an allow-list of SQL expressions).
MATRIX_DIMENSIONS = {
    "industry": "coalesce(f.industry, '')",
    "scale": "coalesce(f.scale, '')",
    "tenure_band": "coalesce(f.tenure_band, '')",
    "abc_class": "coalesce(f.abc_class, '')",
    "region": "coalesce(f.region, '')",
    "owner": "coalesce(f.owner, '')",
}

_MATRIX_TEMPLATE = (
    "with"
    + SEGMENT_CTES
    + ","
    + PERIOD_REVENUE_CTE
    + """
select
    __ROWS__ as row_value,
    __COLUMNS__ as column_value,
    count(*) as count_accounts,
    count(p.account_id) as count_active_accounts,
    coalesce(sum(p.revenue), 0) as revenue
from filtered_accounts as f
left join period_revenue as p using (account_id)
group by 1, 2
order by 1, 2
"""
)
MATRIX_SQL = {
    (rows, columns): _MATRIX_TEMPLATE.replace("__ROWS__", row_sql).replace("__COLUMNS__", column_sql)
    for rows, row_sql in MATRIX_DIMENSIONS.items()
    for columns, column_sql in MATRIX_DIMENSIONS.items()
    if rows != columns
}


def compute_classification_matrix(
    con: duckdb.DuckDBPyConnection, filters: Filters, rows: str, columns: str
) -> pd.DataFrame:
    """Filtered accounts counted by two attributes (e.g. industry × scale, tenure band × ABC class).

    One row per (row_value, column_value) pair present: row_value, column_value ('' when the attribute
    is missing), count_accounts, count_active_accounts (with an order in the period), revenue (period).
    """
    if (rows, columns) not in MATRIX_SQL:
        raise ValueError(
            f"unknown matrix {rows!r} × {columns!r}; choose two different of {', '.join(MATRIX_DIMENSIONS)}"
        )
    return query_df(con, MATRIX_SQL[(rows, columns)], filter_params(filters, load_settings(con)))


GROUPS_SQL = (
    "with"
    + SEGMENT_CTES
    + ","
    + PERIOD_ACCOUNTS_CTES
    + """,
totals as (
    select sum(revenue) as total_revenue from per_account
)
select
    a.group_name,
    count(*) as count_accounts,
    count(*) filter (where f.is_key_account) as count_key_accounts,
    coalesce(sum(p.revenue), 0) as revenue,
    coalesce(sum(p.comparison_revenue), 0) as comparison_revenue,
    coalesce(sum(p.revenue), 0) / nullif(any_value(totals.total_revenue), 0) as share
from filtered_accounts as f
join accounts as a using (account_id)
left join per_account as p using (account_id)
cross join totals
where coalesce(trim(a.group_name), '') <> ''
group by a.group_name
order by revenue desc, a.group_name
"""
)


def compute_group_rollup(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Groups (集团客户, accounts.group_name) rolled up, largest period revenue first.

    One row per non-empty group_name among the filtered accounts: group_name, count_accounts,
    count_key_accounts, revenue, comparison_revenue, share (of the filtered accounts' period revenue;
    None when it is zero), growth.
    """
    frame = query_df(con, GROUPS_SQL, filter_params(filters, load_settings(con)))
    frame["share"] = nullable([None if pd.isna(v) else float(v) for v in frame["share"]], frame)
    frame["growth"] = nullable([growth(c, p) for c, p in zip(frame["revenue"], frame["comparison_revenue"])], frame)
    return frame


KEY_ACCOUNTS_SQL = (
    "with"
    + SEGMENT_CTES
    + ","
    + PERIOD_REVENUE_CTE
    + """
select
    count(*) filter (where f.is_key_account) as count_key_accounts,
    count(p.account_id) filter (where f.is_key_account) as count_active_key_accounts,
    coalesce(sum(p.revenue) filter (where f.is_key_account), 0) as key_revenue,
    coalesce(sum(p.revenue), 0) as revenue,
    count(*) filter (where a.is_key_account is not null) as count_marked
from filtered_accounts as f
join accounts as a using (account_id)
left join period_revenue as p using (account_id)
"""
)


def compute_key_account_summary(con: duckdb.DuckDBPyConnection, filters: Filters) -> dict[str, Any]:
    """Key accounts among the filtered accounts (is_key_account when given, otherwise class A).

    Keys: count_key_accounts, count_active_key_accounts, key_revenue, key_share (of the period's
    revenue; None when it is zero), count_marked (accounts whose is_key_account is given).
    """
    row = query_row(con, KEY_ACCOUNTS_SQL, filter_params(filters, load_settings(con)))
    return {
        "count_key_accounts": int(row["count_key_accounts"] or 0),
        "count_active_key_accounts": int(row["count_active_key_accounts"] or 0),
        "key_revenue": float(row["key_revenue"] or 0),
        "key_share": ratio(row["key_revenue"], row["revenue"]),
        "count_marked": int(row["count_marked"] or 0),
    }


ACCOUNT_OPTIONS_SQL = (
    "with"
    + SEGMENT_CTES
    + """
select f.account_id, f.account_name
from filtered_accounts as f
left join abc using (account_id)
order by abc.revenue_12m desc nulls last, f.account_id
"""
)


def load_account_options(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """The filtered accounts to choose from (account_id, account_name), largest 12-month revenue first."""
    return query_df(con, ACCOUNT_OPTIONS_SQL, filter_params(filters, load_settings(con)))


PROFILE_SQL = (
    "with"
    + SEGMENT_CTES
    + """,
history as (
    select
        min(order_date) as first_order_date,
        max(order_date) as last_order_date,
        sum(amount) as lifetime_revenue,
        count(distinct order_id) as count_lifetime_orders
    from sales
    where account_id = $account_id and order_date <= $segment_end
),
ranks as (
    select account_id, row_number() over (order by revenue_12m desc, account_id) as revenue_rank,
           count(*) over () as count_ranked
    from abc
)
select
    a.account_id, a.account_name, a.industry, a.scale, a.region, a.city, a.owner, a.group_name,
    s.is_key_account, a.is_key_account as is_key_account_given, a.cooperation_start, a.status,
    a.churned_on, a.referred_by, referrer.account_name as referred_by_name,
    s.abc_class, s.tenure_band, abc.revenue_12m, r.revenue_rank, r.count_ranked,
    h.first_order_date, h.last_order_date, h.lifetime_revenue, h.count_lifetime_orders,
    date_diff('day', h.last_order_date, $segment_end::date) as days_since_last_order,
    (select count(*) from accounts as referred where referred.referred_by = a.account_id
                                                 and referred.account_id <> a.account_id) as count_referred
from accounts as a
join segment_accounts as s using (account_id)
left join abc using (account_id)
left join ranks as r using (account_id)
left join accounts as referrer on referrer.account_id = a.referred_by
cross join history as h
where a.account_id = $account_id
"""
)


def compute_account_profile(con: duckdb.DuckDBPyConnection, account_id: str, as_of: date) -> dict[str, Any] | None:
    """One account's profile as of a day (None when the account does not exist).

    Keys: the accounts columns, is_key_account (effective: given, else class A), is_key_account_given,
    referred_by_name, abc_class, tenure_band, revenue_12m, revenue_rank (by 12-month revenue),
    count_ranked, first_order_date, last_order_date, lifetime_revenue, count_lifetime_orders (up to
    ``as_of``), days_since_last_order, count_referred (accounts it referred).
    """
    filters = Filters(start=as_of, end=as_of, accounts=(account_id,))
    params = {**filter_params(filters, load_settings(con)), "account_id": account_id}
    row = query_row(con, PROFILE_SQL, params)
    return row if row.get("account_id") is not None else None


PRODUCTS_SQL = (
    "with"
    + SEGMENT_CTES
    + """
select
    coalesce(s.product_line, '') as product_line,
    coalesce(s.product, '') as product,
    sum(s.amount) as revenue,
    sum(s.quantity) as volume,
    count(distinct s.order_id) as count_orders,
    max(s.order_date) as last_order_date
from sales as s
where s.order_date between $start and $end
  and s.account_id in (select account_id from filtered_accounts)
group by 1, 2
order by revenue desc, 1, 2
"""
)


def compute_products(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """What the filtered accounts bought in the period: one row per (product_line, product), largest
    revenue first. Columns: product_line, product ('' when missing), revenue, volume, count_orders,
    last_order_date, share (of the period's revenue)."""
    frame = query_df(con, segment_sql(PRODUCTS_SQL, filters), filter_params(filters, load_settings(con)))
    total = frame["revenue"].sum()
    frame["share"] = nullable([ratio(v, total) for v in frame["revenue"]], frame)
    return frame
