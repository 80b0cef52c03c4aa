"""Sales performance and classification KPIs (docs/kpis.md#sales-performance, #classification).

Every function takes a DuckDB connection and a :class:`Filters`, aggregates inside DuckDB and returns
a small dict or DataFrame whose grain the docstring states.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import duckdb
import pandas as pd

from kam_metrics.domain.filters import Filters
from kam_metrics.sql.segments import ABC_CTES, PERIOD_ACCOUNTS_CTES, SEGMENT_CTES, filter_params, query_df, query_row
from kam_metrics.store.settings import load_settings

#: A stand-in for the ABC CTEs when a query needs neither an ABC filter nor an ABC column: the class
#: costs a scan of 12 months of sales, which a query over one account or one quarter need not pay.
#: the measures of a set of sales lines (s): revenue, volume, orders, and revenue and cost of the lines
#: that carry a cost (gross margin is computed over those only)
SALES_MEASURES = """
    sum(s.amount) as revenue,
    sum(s.quantity) as volume,
    count(distinct s.order_id) as count_orders,
    sum(s.amount) filter (where s.cost is not null) as costed_revenue,
    sum(s.cost) as cost
"""
#: the sales lines of the period ($start .. $end) of the filtered accounts
PERIOD_SALES = """
from sales as s
where s.order_date between $start and $end
  and s.account_id in (select account_id from filtered_accounts)
"""

_NO_ABC_CTES = """
abc as (
    select null::varchar as account_id, null::double as revenue_12m, null::double as cumulative_share,
           null::varchar as abc_class
    where false
)"""
assert ABC_CTES in SEGMENT_CTES
SEGMENT_CTES_WITHOUT_ABC = SEGMENT_CTES.replace(ABC_CTES, _NO_ABC_CTES)


def segment_sql(sql: str, filters: Filters, *, needs_abc: bool = False) -> str:
    """``sql`` (built on SEGMENT_CTES) without the ABC scan when neither the filters nor the query need
    the class; the same statement otherwise. Only for queries that read no abc_class / is_key_account."""
    if needs_abc or filters.abc_classes:
        return sql
    return sql.replace(SEGMENT_CTES, SEGMENT_CTES_WITHOUT_ABC)


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    """numerator / denominator, or None when either is missing or the denominator is zero."""
    if numerator is None or denominator is None or denominator == 0:
        return None
    return float(numerator) / float(denominator)


def growth(current: float | None, previous: float | None) -> float | None:
    """(current − previous) / previous; None without a previous value."""
    if current is None:
        return None
    return ratio(current - previous, previous) if previous is not None else None


def nullable(values: list, frame: pd.DataFrame) -> pd.Series:
    """A column of ``frame`` holding ``values`` as objects, so a ratio without a denominator stays None
    (a float column would turn it into NaN)."""
    return pd.Series(values, index=frame.index, dtype=object)


def load_data_range(con: duckdb.DuckDBPyConnection) -> tuple[date | None, date | None]:
    """First and latest order date in the database (None, None when there are no sales)."""
    first, last = con.execute("select min(order_date), max(order_date) from sales").fetchall()[0]
    return first, last


# Dates on which something happened outside sales: a project started or ended, a service case opened, an
# opportunity was created, moved or closed, a questionnaire came back. Planned and forecast ends are
# left out: they are intentions, and a period anchored on them would lie in the future.
ACTIVITY_RANGE_SQL = """
select min(d), max(d) from (
    select start_date as d from projects
    union all select actual_end from projects
    union all select opened_at::date from interactions
    union all select created_on from opportunities
    union all select stage_changed_on from opportunities
    union all select closed_on from opportunities
    union all select survey_date from survey_responses
) where d is not null
"""


def load_activity_range(con: duckdb.DuckDBPyConnection) -> tuple[date | None, date | None]:
    """First and latest activity date outside sales (projects, service, pipeline, surveys): the period
    anchor of a database holding no sales yet, e.g. only an imported project history."""
    first, last = con.execute(ACTIVITY_RANGE_SQL).fetchall()[0]
    return first, last


SEGMENT_VALUES_SQL = """
select 'industries' as dimension, industry as value from accounts where industry is not null group by industry
union all
select 'scales', scale from accounts where scale is not null group by scale
union all
select 'regions', region from accounts where region is not null group by region
union all
select 'owners', owner from accounts where owner is not null group by owner
order by dimension, value
"""


def load_segment_values(con: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    """The values present for each segment filter: {'industries': [...], 'scales': [...], ...}."""
    frame = con.execute(SEGMENT_VALUES_SQL).df()
    out: dict[str, list[str]] = {"industries": [], "scales": [], "regions": [], "owners": []}
    for dimension, values in frame.groupby("dimension")["value"]:
        out[str(dimension)] = [str(v) for v in values]
    return out


SUMMARY_SQL = (
    "with"
    + SEGMENT_CTES
    + """,
per_account as (
    -- one row per active account; an order belongs to one account, so orders add up across accounts
    select s.account_id, """ + SALES_MEASURES + PERIOD_SALES + """
    group by s.account_id
),
ranked as (
    select *, row_number() over (order by revenue desc, account_id) as revenue_rank
    from per_account
)
select
    coalesce(sum(r.revenue), 0) as revenue,
    coalesce(sum(r.volume), 0) as volume,
    coalesce(sum(r.count_orders), 0) as orders,
    count(*) as active_accounts,
    sum(r.costed_revenue) as costed_revenue,
    sum(r.cost) as cost,
    count(*) filter (where r.count_orders >= 2) as repeat_accounts,
    count(*) filter (where f.is_key_account) as active_key_accounts,
    sum(r.revenue) filter (where r.revenue_rank <= 10) as top10_revenue,
    sum(r.revenue * r.revenue) as revenue_squares
from ranked as r
join filtered_accounts as f using (account_id)
"""
)


def compute_sales_summary(con: duckdb.DuckDBPyConnection, filters: Filters) -> dict[str, Any]:
    """One period's sales figures for the filtered accounts.

    Keys: revenue, volume, orders, active_accounts, active_key_accounts, repeat_accounts,
    repeat_purchase_rate, purchase_frequency, gross_margin (over lines with a cost; None without
    costs), top10_share, herfindahl.
    """
    params = filter_params(filters, load_settings(con))
    row = query_row(con, SUMMARY_SQL, params)
    revenue = float(row["revenue"] or 0)
    costed = row["costed_revenue"]
    return {
        "revenue": revenue,
        "volume": float(row["volume"] or 0),
        "orders": int(row["orders"] or 0),
        "active_accounts": int(row["active_accounts"] or 0),
        "active_key_accounts": int(row["active_key_accounts"] or 0),
        "repeat_accounts": int(row["repeat_accounts"] or 0),
        "repeat_purchase_rate": ratio(row["repeat_accounts"], row["active_accounts"]),
        "purchase_frequency": ratio(row["orders"], row["active_accounts"]),
        "gross_margin": ratio(costed - row["cost"], costed) if costed is not None else None,
        "top10_share": ratio(row["top10_revenue"], revenue),
        "herfindahl": ratio(row["revenue_squares"], revenue * revenue) if revenue else None,
    }


#: Target rows of one level overlapping the period, each with its overlap and span in days, kept at
#: the finest grain present per key (months before quarters before years). Grain of ``finest_targets``:
#: one row per target row that counts.
TARGET_CTES = """
target_rows as (
    select
        "key",
        revenue_target,
        volume_target,
        case when length(period) = 4 then 3 when period[5] = 'Q' then 2 else 1 end as grain,
        case when length(period) = 4 then make_date(period::integer, 1, 1)
             when period[5] = 'Q' then make_date(period[1:4]::integer, (period[6]::integer - 1) * 3 + 1, 1)
             else make_date(period[1:4]::integer, period[6:7]::integer, 1) end as period_start
    from targets
    where level = $level
      and (len($keys::varchar[]) = 0 or list_contains($keys::varchar[], "key"))
),
spans as (
    select
        *,
        (case grain when 3 then period_start + interval 1 year
                    when 2 then period_start + interval 3 month
                    else period_start + interval 1 month end)::date - 1 as period_end
    from target_rows
),
overlapping as (
    select
        *,
        date_diff('day', greatest(period_start, $start::date), least(period_end, $end::date)) + 1 as overlap_days,
        date_diff('day', period_start, period_end) + 1 as span_days
    from spans
    where period_start <= $end and period_end >= $start
),
finest as (
    select "key", min(grain) as grain from overlapping group by "key"
),
finest_targets as (
    select o.*
    from overlapping as o
    join finest using ("key", grain)
)"""

TARGET_SQL = (
    "with"
    + TARGET_CTES
    + """
select
    sum(revenue_target * overlap_days / span_days) as revenue_target,
    sum(volume_target * overlap_days / span_days) as volume_target,
    coalesce(bool_or(overlap_days < span_days), false) as is_prorated,
    count(*) as count_rows
from finest_targets
"""
)


def target_level(filters: Filters) -> tuple[str, tuple[str, ...]] | None:
    """The target level and keys matching the filters, or None when no target level fits them.

    No segment: company. Only owners, only regions or only accounts selected: that level's rows.
    """
    segments = {
        "owner": filters.owners,
        "region": filters.regions,
        "account": filters.accounts,
    }
    others = (filters.industries, filters.scales, filters.tenure_bands, filters.abc_classes)
    chosen = [(level, keys) for level, keys in segments.items() if keys]
    if any(others) or len(chosen) > 1:
        return None
    if not chosen:
        return ("company", ())
    return chosen[0]


def compute_target(con: duckdb.DuckDBPyConnection, filters: Filters) -> dict[str, Any]:
    """Revenue and volume target of the period at the level the filters select (docs/kpis.md).

    Each target row counts with the share of its own period that overlaps this period, using the
    finest-grained rows present per key. A company figure with no company rows is the sum of the owner
    rows. Keys: revenue_target, volume_target (None when no row applies), level, is_prorated.
    """
    chosen = target_level(filters)
    empty = {"revenue_target": None, "volume_target": None, "level": None, "is_prorated": False}
    if chosen is None:
        return empty
    level, keys = chosen
    params = {"start": filters.start, "end": filters.end, "level": level, "keys": list(keys)}
    row = query_row(con, TARGET_SQL, params)
    if not row["count_rows"] and level == "company":
        level = "owner"
        row = query_row(con, TARGET_SQL, {**params, "level": level})
    if not row["count_rows"]:
        return empty
    return {
        "revenue_target": row["revenue_target"],
        "volume_target": row["volume_target"],
        "level": level,
        "is_prorated": bool(row["is_prorated"]),
    }


MONTHLY_SQL = (
    "with"
    + SEGMENT_CTES
    + """
select
    date_trunc('month', s.order_date)::date as month,
    sum(s.amount) as revenue,
    sum(s.quantity) as volume
from sales as s
where s.order_date between $start and $end
  and s.account_id in (select account_id from filtered_accounts)
group by 1
order by 1
"""
)


def compute_monthly_revenue(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """One row per calendar month of the period with sales: month (first day), revenue, volume."""
    params = filter_params(filters, load_settings(con))
    return query_df(con, segment_sql(MONTHLY_SQL, filters), params)


#: Breakdown dimensions and the SQL expression of each (an allow-list: never a widget's text).
BREAKDOWN_EXPRESSIONS = {
    "industry": "coalesce(f.industry, '')",
    "scale": "coalesce(f.scale, '')",
    "region": "coalesce(f.region, '')",
    "owner": "coalesce(f.owner, '')",
    "tenure_band": "coalesce(f.tenure_band, '')",
    "abc_class": "coalesce(f.abc_class, '')",
    "product_line": "coalesce(s.product_line, '')",
    "channel": "coalesce(s.channel, '')",
    "account": "s.account_id",
}

_BREAKDOWN_TEMPLATE = (
    "with"
    + SEGMENT_CTES
    + """,
window_sales as (
    select __DIMENSION__ as segment, s.order_date, s.amount
    from sales as s
    join filtered_accounts as f using (account_id)
    where s.order_date between least($start, $cmp_start) and greatest($end, $cmp_end)
)
select
    segment,
    coalesce(sum(amount) filter (where order_date between $start and $end), 0) as revenue,
    coalesce(sum(amount) filter (where order_date between $cmp_start and $cmp_end), 0) as comparison_revenue
from window_sales
group by segment
order by revenue desc, segment
"""
)
BREAKDOWN_SQL = {
    name: _BREAKDOWN_TEMPLATE.replace("__DIMENSION__", expression)
    for name, expression in BREAKDOWN_EXPRESSIONS.items()
}


def compute_revenue_by(con: duckdb.DuckDBPyConnection, filters: Filters, dimension: str) -> pd.DataFrame:
    """One row per value of ``dimension``: segment, revenue, comparison_revenue, growth, share.

    Ordered by revenue, largest first. ``share`` is the segment's share of the period's revenue;
    ``growth`` is None where the comparison revenue is zero.
    """
    if dimension not in BREAKDOWN_SQL:
        raise ValueError(f"unknown breakdown {dimension!r}; choose one of {', '.join(BREAKDOWN_SQL)}")
    params = filter_params(filters, load_settings(con))
    frame = query_df(con, segment_sql(BREAKDOWN_SQL[dimension], filters, needs_abc=dimension == "abc_class"), params)
    total = frame["revenue"].sum()
    frame["share"] = [ratio(value, total) for value in frame["revenue"]]
    frame["growth"] = [growth(c, p) for c, p in zip(frame["revenue"], frame["comparison_revenue"])]
    return frame


TOP_ACCOUNTS_SQL = (
    "with"
    + SEGMENT_CTES
    + ","
    + PERIOD_ACCOUNTS_CTES
    + """
select
    p.account_id,
    f.account_name,
    f.abc_class,
    f.industry,
    f.region,
    f.owner,
    p.revenue,
    p.comparison_revenue,
    p.revenue / nullif(sum(p.revenue) over (), 0) as share
from per_account as p
join filtered_accounts as f using (account_id)
where p.revenue <> 0
order by p.revenue desc, p.account_id
limit $limit
"""
)


def compute_top_accounts(con: duckdb.DuckDBPyConnection, filters: Filters, limit: int = 10) -> pd.DataFrame:
    """The ``limit`` accounts with the most revenue in the period, one row each.

    Columns: account_id, account_name, abc_class, industry, region, owner, revenue,
    comparison_revenue, share (of the filtered accounts' period revenue), growth.
    """
    params = {**filter_params(filters, load_settings(con)), "limit": int(limit)}
    frame = query_df(con, TOP_ACCOUNTS_SQL, params)
    frame["growth"] = [growth(c, p) for c, p in zip(frame["revenue"], frame["comparison_revenue"])]
    return frame


ABC_SQL = (
    "with"
    + ABC_CTES
    + """
select abc.account_id, abc.revenue_12m, abc.cumulative_share, abc.abc_class
from abc
order by abc.revenue_12m desc, abc.account_id
"""
)


def compute_abc_classes(con: duckdb.DuckDBPyConnection, as_of: date) -> pd.DataFrame:
    """ABC class of every account with revenue in the 12 months ending ``as_of``, largest first.

    Columns: account_id, revenue_12m, cumulative_share, abc_class. The accounts whose cumulative share
    reaches the A threshold (including the one crossing it) are A, then B up to the B threshold, the
    rest C; accounts without positive revenue in those months are not listed.
    """
    settings = load_settings(con)
    params = {
        "segment_end": as_of,
        "abc_a_share": float(settings["abc_a_share"]),
        "abc_b_share": float(settings["abc_b_share"]),
    }
    return query_df(con, ABC_SQL, params)


#: Target levels that have a sales dimension to compare against (docs/data-model.md targets.level).
TARGET_LEVEL_DIMENSIONS = {"owner": "owner", "region": "region", "product_line": "product_line", "account": "account"}
#: The Filters field that selects keys of each target level (product lines are not a sidebar filter).
_LEVEL_FILTER = {"owner": "owners", "region": "regions", "account": "accounts", "product_line": None}

_TARGET_BY_KEY_TEMPLATE = (
    "with"
    + SEGMENT_CTES
    + ","
    + TARGET_CTES
    + """,
target_by_key as (
    select
        "key",
        sum(revenue_target * overlap_days / span_days) as revenue_target,
        sum(volume_target * overlap_days / span_days) as volume_target,
        bool_or(overlap_days < span_days) as is_prorated
    from finest_targets
    group by "key"
),
actual as (
    select __DIMENSION__ as "key", sum(s.amount) as revenue, sum(s.quantity) as volume
    from sales as s
    join filtered_accounts as f using (account_id)
    where s.order_date between $start and $end
    group by 1
)
select
    "key",
    coalesce(a.revenue, 0) as revenue,
    coalesce(a.volume, 0) as volume,
    t.revenue_target,
    t.volume_target,
    coalesce(t.is_prorated, false) as is_prorated
from actual as a
full join target_by_key as t using ("key")
order by coalesce(t.revenue_target, 0) + coalesce(a.revenue, 0) desc, "key"
"""
)
TARGET_BY_KEY_SQL = {
    level: _TARGET_BY_KEY_TEMPLATE.replace("__DIMENSION__", BREAKDOWN_EXPRESSIONS[dimension])
    for level, dimension in TARGET_LEVEL_DIMENSIONS.items()
}


def target_applies(filters: Filters, level: str) -> bool:
    """Whether per-key targets of ``level`` describe the filtered sales: only when no segment other than
    the level's own is selected (an owner's target says nothing about that owner's retail accounts)."""
    own = _LEVEL_FILTER[level]
    fields = ("industries", "scales", "tenure_bands", "regions", "owners", "abc_classes", "accounts")
    return not any(getattr(filters, name) for name in fields if name != own)


def compute_target_by(con: duckdb.DuckDBPyConnection, filters: Filters, level: str) -> pd.DataFrame:
    """Actual against target per key of a target level (owner, region, product_line, account).

    One row per key with sales in the period or a target row overlapping it: key, revenue, volume,
    revenue_target, volume_target (pro-rated by days, finest grain per key; None without a row, and for
    every key when other segment filters make the level's targets not comparable), is_prorated,
    completion (revenue / revenue_target; None without a target), gap (revenue − revenue_target).
    """
    if level not in TARGET_BY_KEY_SQL:
        raise ValueError(f"unknown target level {level!r}; choose one of {', '.join(TARGET_BY_KEY_SQL)}")
    own = _LEVEL_FILTER[level]
    params = {
        **filter_params(filters, load_settings(con)),
        # a level no target row has: no targets when they would not describe the filtered sales
        "level": level if target_applies(filters, level) else "",
        "keys": list(getattr(filters, own)) if own else [],
    }
    frame = query_df(con, segment_sql(TARGET_BY_KEY_SQL[level], filters), params)
    targets = [None if pd.isna(t) else float(t) for t in frame["revenue_target"]]
    frame["revenue_target"] = pd.Series(targets, index=frame.index, dtype=object)
    frame["completion"] = nullable([ratio(a, t) for a, t in zip(frame["revenue"], targets)], frame)
    frame["gap"] = nullable([None if t is None else a - t for a, t in zip(frame["revenue"], targets)], frame)
    return frame


#: Trend grains and their truncation (an allow-list: the grain never reaches SQL as text).
TREND_GRAINS = {"month": "date_trunc('month', s.order_date)", "quarter": "date_trunc('quarter', s.order_date)"}

_TREND_TEMPLATE = (
    "with"
    + SEGMENT_CTES
    + """
select __GRAIN__::date as period_start, """ + SALES_MEASURES + PERIOD_SALES + """
group by 1
order by 1
"""
)
TREND_SQL = {grain: _TREND_TEMPLATE.replace("__GRAIN__", expression) for grain, expression in TREND_GRAINS.items()}


def compute_revenue_trend(con: duckdb.DuckDBPyConnection, filters: Filters, grain: str = "month") -> pd.DataFrame:
    """One row per calendar month or quarter of the period with sales.

    Columns: period_start (first day), revenue, volume, count_orders, gross_margin (over lines with a
    cost; None where no line has one).
    """
    if grain not in TREND_SQL:
        raise ValueError(f"unknown trend grain {grain!r}; choose one of {', '.join(TREND_SQL)}")
    frame = query_df(con, segment_sql(TREND_SQL[grain], filters), filter_params(filters, load_settings(con)))
    frame["gross_margin"] = nullable(
        [None if pd.isna(c) else ratio(c - k, c) for c, k in zip(frame["costed_revenue"], frame["cost"])], frame
    )
    return frame.drop(columns=["costed_revenue", "cost"])


def compute_growth_bridge(breakdown: pd.DataFrame, top: int = 8) -> pd.DataFrame:
    """The revenue change from the comparison period split into the segments that drove it.

    ``breakdown`` is a small frame from :func:`compute_revenue_by`. One row per step: the comparison
    period's total (kind 'comparison'), the ``top`` segments with the largest absolute change (kind
    'segment'), the remaining segments together (segment '', kind 'others', only when there are any),
    and this period's total (kind 'current'). Columns: segment, kind, change (for the two totals: the
    total itself).
    """
    if breakdown.empty:
        return pd.DataFrame(columns=["segment", "kind", "change"])
    change = breakdown["revenue"] - breakdown["comparison_revenue"]
    frame = breakdown.assign(change=change, magnitude=change.abs()).sort_values(
        ["magnitude", "segment"], ascending=[False, True]
    )
    leaders, rest = frame.iloc[:top], frame.iloc[top:]
    rows = [{"segment": "", "kind": "comparison", "change": float(breakdown["comparison_revenue"].sum())}]
    rows += [{"segment": s, "kind": "segment", "change": float(c)} for s, c in zip(leaders["segment"], leaders["change"])]
    if not rest.empty:
        rows.append({"segment": "", "kind": "others", "change": float(rest["change"].sum())})
    rows.append({"segment": "", "kind": "current", "change": float(breakdown["revenue"].sum())})
    return pd.DataFrame(rows)
