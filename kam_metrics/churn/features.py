"""Churn features and labels computed inside DuckDB (docs/kpis.md#churn-risk).

"As of day D" means: every sales row dated on or before D, nothing after. A *purchase* is a sales line
with a positive amount; returns and cancellations (negative lines) count as returns, not as orders. An
account's *purchase days* are the distinct days it bought something; its *usual interval* is the mean
number of days between consecutive purchase days ((last − first) / (purchase days − 1)).

The label of an account as of D with horizon H is 1 (churned) when it has no purchase in (D, D + H].

Everything aggregates in one SQL statement per as-of day, so 10 million rows stay inside DuckDB; the
result has one row per account that bought at least once by D.
"""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd

#: the window of the trend features and of the health score's trend components, in days
TREND_DAYS = 180

FEATURES_SQL = """
with lines as (
    select account_id, order_id, order_date, amount, quantity, product
    from sales
    where order_date <= $as_of::date
),
purchase_days as (
    select account_id, order_date, sum(amount) as amount, count(distinct order_id) as count_orders
    from lines
    where amount > 0
    group by account_id, order_date
),
gaps as (
    select
        *,
        datediff('day', lag(order_date) over (partition by account_id order by order_date), order_date) as gap
    from purchase_days
),
purchases as (
    select
        account_id,
        min(order_date) as first_order_date,
        max(order_date) as last_order_date,
        count(*) as count_purchase_days,
        sum(count_orders) as count_orders,
        sum(amount) as purchase_amount,
        avg(gap) as mean_interval,
        stddev_samp(gap) as std_interval,
        max(gap) as max_interval,
        coalesce(sum(count_orders) filter (where order_date > $as_of::date - 90), 0) as orders_90,
        coalesce(sum(count_orders) filter (where order_date > $as_of::date - $trend_days), 0) as orders_recent,
        coalesce(sum(count_orders) filter (where order_date > $as_of::date - 2 * $trend_days
                                           and order_date <= $as_of::date - $trend_days), 0) as orders_before,
        coalesce(sum(amount) filter (where order_date > $as_of::date - 90), 0) as purchases_90
    from gaps
    group by account_id
),
line_stats as (
    select
        account_id,
        count(*) as count_lines,
        count(*) filter (where amount < 0 or quantity < 0) as count_return_lines,
        count(distinct product) as count_products,
        coalesce(sum(amount) filter (where order_date > $as_of::date - $trend_days), 0) as revenue_recent,
        coalesce(sum(amount) filter (where order_date > $as_of::date - 2 * $trend_days
                                     and order_date <= $as_of::date - $trend_days), 0) as revenue_before,
        coalesce(sum(amount) filter (where order_date > $as_of::date - interval 1 year), 0) as revenue_12m
    from lines
    group by account_id
)
select
    p.account_id,
    p.first_order_date,
    p.last_order_date,
    datediff('day', p.last_order_date, $as_of::date) as recency_days,
    datediff('day', p.first_order_date, $as_of::date) as tenure_days,
    p.count_purchase_days,
    p.count_orders,
    p.purchase_amount,
    p.purchase_amount / p.count_orders as mean_order_amount,
    p.mean_interval,
    p.std_interval,
    p.max_interval,
    p.orders_90,
    p.orders_recent,
    p.orders_before,
    p.purchases_90,
    l.count_lines,
    l.count_return_lines,
    l.count_return_lines / l.count_lines as return_line_share,
    l.count_products,
    l.revenue_recent,
    l.revenue_before,
    l.revenue_12m
from purchases as p
join line_stats as l using (account_id)
order by p.account_id
"""

LABELS_SQL = """
select distinct account_id
from sales
where amount > 0 and order_date > $as_of::date and order_date <= $as_of::date + $horizon_days
"""

#: model inputs (numeric columns of FEATURES_SQL and ones derived from them in :func:`model_frame`)
MODEL_FEATURES = (
    "recency_days",
    "tenure_days",
    "count_purchase_days",
    "count_orders",
    "purchase_amount",
    "mean_order_amount",
    "mean_interval",
    "std_interval",
    "max_interval",
    "recency_ratio",
    "orders_90",
    "orders_recent",
    "orders_before",
    "purchases_90",
    "revenue_recent",
    "revenue_before",
    "return_line_share",
    "count_products",
    "orders_per_year",
)


def compute_features(con: duckdb.DuckDBPyConnection, as_of: date) -> pd.DataFrame:
    """One row per account with a purchase on or before ``as_of`` (sorted by account_id), computed from
    the sales rows dated on or before ``as_of`` only. Columns: see FEATURES_SQL."""
    frame = con.execute(FEATURES_SQL, {"as_of": as_of, "trend_days": TREND_DAYS}).df()
    for column in ("first_order_date", "last_order_date"):
        frame[column] = pd.to_datetime(frame[column]).dt.date
    return frame


def compute_labels(con: duckdb.DuckDBPyConnection, accounts: pd.Series, as_of: date, horizon_days: int) -> pd.Series:
    """1 (churned) for each account of ``accounts`` without a purchase in (as_of, as_of + horizon], else 0."""
    buyers = {r[0] for r in con.execute(LABELS_SQL, {"as_of": as_of, "horizon_days": int(horizon_days)}).fetchall()}
    return pd.Series([0 if a in buyers else 1 for a in accounts], index=accounts.index, dtype="int64")


def model_frame(features: pd.DataFrame) -> pd.DataFrame:
    """The model's input columns (MODEL_FEATURES) as floats; missing values (an interval of an account
    with one purchase day) stay NaN for the pipeline's imputer."""
    frame = features.copy()
    frame["recency_ratio"] = frame["recency_days"] / frame["mean_interval"]
    frame["orders_per_year"] = frame["count_orders"] * 365.0 / (frame["tenure_days"] + 30.0)
    return frame[list(MODEL_FEATURES)].astype("float64")
