"""The six-stage key-account sales pipeline (docs/kpis.md#pipeline).

Stages in order: lead 客户开发, initiation 立项, proposal 提案, bidding 招投标, negotiation 商务谈判,
won 签约实施; lost 丢单 ones record lost_at_stage. Opportunities of the filtered accounts, plus
prospects (no account) when no segment filter is set; only those created on or before the period end.
Stage is the stored (current) stage.

- stage reached: an open one has reached its stage, a won one every stage, a lost one its lost_at_stage;
  conversion into a stage = reached it / reached the stage before;
- win rate = won / (won + lost) over those closed in the period (closed_on, else stage_changed_on);
- weighted pipeline = Σ amount × probability over open ones (a missing probability counts as 0);
- mean cycle days = mean of closed_on − created_on over those closed in the period;
- stale = open and stage_changed_on more than ``stale_opportunity_days`` (60) days before the period end.
"""

from __future__ import annotations

from typing import Any

import duckdb
import pandas as pd

from kam_metrics.domain.filters import Filters
from kam_metrics.metrics.sales import ratio
from kam_metrics.sql.segments import SEGMENT_CTES, bind, filter_params, query_df
from kam_metrics.store.settings import load_settings

FUNNEL_STAGES = ("lead", "initiation", "proposal", "bidding", "negotiation", "won")

OPPORTUNITY_CTES = (
    "with"
    + SEGMENT_CTES
    + """,
stage_order as (
    select * from (values ('lead', 1), ('initiation', 2), ('proposal', 3), ('bidding', 4),
                          ('negotiation', 5), ('won', 6)) as v(stage, stage_no)
),
opps as (
    select
        o.opportunity_id, o.account_id,
        coalesce(f.account_name, o.prospect_name) as account_name,
        coalesce(f.owner, '') as owner,
        o.stage, o.lost_at_stage, o.stage_changed_on, o.amount, o.probability, o.created_on,
        coalesce(o.closed_on, case when o.stage in ('won', 'lost') then o.stage_changed_on end) as closed_on,
        o.stage not in ('won', 'lost') as is_open,
        coalesce(so.stage_no, 0) as stage_no,
        case when o.stage = 'lost' then lo.stage_no else so.stage_no end as reached_no
    from opportunities as o
    left join filtered_accounts as f using (account_id)
    left join stage_order as so on so.stage = o.stage
    left join stage_order as lo on lo.stage = o.lost_at_stage
    where (f.account_id is not null or (o.account_id is null and $include_prospects))
      and (o.created_on is null or o.created_on <= $end)
)
"""
)

FUNNEL_SQL = (
    OPPORTUNITY_CTES
    + """
select
    s.stage, s.stage_no,
    count(o.opportunity_id) filter (where o.stage = s.stage) as count_current,
    coalesce(sum(o.amount) filter (where o.stage = s.stage), 0) as amount_current,
    count(o.opportunity_id) filter (where o.reached_no >= s.stage_no) as count_reached,
    coalesce(sum(o.amount) filter (where o.reached_no >= s.stage_no), 0) as amount_reached,
    count(o.opportunity_id) filter (where o.stage = 'lost' and o.lost_at_stage = s.stage) as count_lost_here
from stage_order as s
left join opps as o on true
group by s.stage, s.stage_no
order by s.stage_no
"""
)

PIPELINE_SUMMARY_SQL = (
    OPPORTUNITY_CTES
    + """
select
    count(*) as count_opportunities,
    count(*) filter (where is_open) as count_open,
    coalesce(sum(amount) filter (where is_open), 0) as amount_open,
    coalesce(sum(amount * coalesce(probability, 0)) filter (where is_open), 0) as weighted_pipeline,
    count(*) filter (where is_open and probability is null) as count_open_without_probability,
    count(*) filter (where stage = 'won' and closed_on between $start and $end) as count_won,
    count(*) filter (where stage = 'lost' and closed_on between $start and $end) as count_lost,
    coalesce(sum(amount) filter (where stage = 'won' and closed_on between $start and $end), 0) as amount_won,
    avg(datediff('day', created_on, closed_on))
        filter (where stage in ('won', 'lost') and closed_on between $start and $end) as mean_cycle_days,
    count(*) filter (where is_open and stage_changed_on < $end::date - $stale_days::integer) as count_stale
from opps
"""
)

STALE_SQL = (
    OPPORTUNITY_CTES
    + """
select opportunity_id, account_id, account_name, owner, stage, stage_changed_on,
       datediff('day', stage_changed_on, $end::date) as days_in_stage, amount, probability, created_on
from opps
where is_open and stage_changed_on < $end::date - $stale_days::integer
order by days_in_stage desc, amount desc nulls last, opportunity_id
"""
)

BY_OWNER_SQL = (
    OPPORTUNITY_CTES
    + """
select
    owner,
    count(*) filter (where is_open) as count_open,
    coalesce(sum(amount) filter (where is_open), 0) as amount_open,
    coalesce(sum(amount * coalesce(probability, 0)) filter (where is_open), 0) as weighted_pipeline,
    count(*) filter (where stage = 'won' and closed_on between $start and $end) as count_won,
    count(*) filter (where stage = 'lost' and closed_on between $start and $end) as count_lost,
    coalesce(sum(amount) filter (where stage = 'won' and closed_on between $start and $end), 0) as amount_won,
    count(*) filter (where is_open and stage_changed_on < $end::date - $stale_days::integer) as count_stale
from opps
group by owner
order by weighted_pipeline desc, owner
"""
)


def _params(con: duckdb.DuckDBPyConnection, filters: Filters) -> dict[str, Any]:
    settings = load_settings(con)
    return {
        **filter_params(filters, settings),
        "include_prospects": not filters.has_segments,
        "stale_days": int(settings["stale_opportunity_days"]),
    }


def compute_funnel(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """One row per funnel stage (lead … won, in order): stage, stage_no, count_current / amount_current
    (opportunities now at the stage), count_reached / amount_reached (that reached it), count_lost_here
    (lost with lost_at_stage = the stage), conversion (reached / reached the stage before; None for the
    first stage or without a denominator)."""
    frame = query_df(con, FUNNEL_SQL, _params(con, filters))
    reached = [int(v) for v in frame["count_reached"]]
    frame["conversion"] = pd.Series(
        [None] + [ratio(reached[i], reached[i - 1]) for i in range(1, len(reached))], index=frame.index, dtype=object
    )
    return frame


def compute_pipeline_summary(con: duckdb.DuckDBPyConnection, filters: Filters) -> dict[str, Any]:
    """The pipeline as of the period end, one dict.

    Keys: count_opportunities, count_open, amount_open, weighted_pipeline, count_open_without_probability,
    count_won, count_lost, amount_won (closed in the period), win_rate (None without a closed one),
    mean_cycle_days (None without a closed one with both dates), count_stale, stale_days.
    """
    params = _params(con, filters)
    cursor = con.execute(PIPELINE_SUMMARY_SQL, bind(PIPELINE_SUMMARY_SQL, params))
    names = [d[0] for d in cursor.description]
    row = dict(zip(names, cursor.fetchall()[0]))
    row["win_rate"] = ratio(row["count_won"], row["count_won"] + row["count_lost"])
    row["stale_days"] = params["stale_days"]
    return row


def compute_stale_opportunities(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """One row per stale open opportunity, longest in its stage first: opportunity_id, account_id,
    account_name (or prospect_name), owner, stage, stage_changed_on, days_in_stage, amount, probability,
    created_on."""
    return query_df(con, STALE_SQL, _params(con, filters))


def compute_pipeline_by_owner(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """One row per account manager ('' for prospects and accounts without one): owner, count_open,
    amount_open, weighted_pipeline, count_won, count_lost, amount_won, count_stale, win_rate."""
    frame = query_df(con, BY_OWNER_SQL, _params(con, filters))
    frame["win_rate"] = pd.Series(
        [ratio(w, w + lo) for w, lo in zip(frame["count_won"], frame["count_lost"])], index=frame.index, dtype=object
    )
    return frame


COUNT_OPPORTUNITIES_SQL = "select count(*) from opportunities"


def count_opportunities(con: duckdb.DuckDBPyConnection) -> int:
    """Rows in the opportunities table whatever the filters, so a page can tell "nothing uploaded" from
    "nothing matches the filters"."""
    return int(con.execute(COUNT_OPPORTUNITIES_SQL).fetchall()[0][0])
