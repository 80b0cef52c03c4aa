"""Satisfaction index (docs/kpis.md#satisfaction).

Rules: rating items are the items of at least three points that are not 0-10 recommendation (NPS)
items, whatever their scale (1-5, 0-5, 1-7...). A questionnaire leaving at most
``survey_max_imputed_blanks`` of its rating items blank counts each blank as "average": the setting
``survey_blank_impute_score`` (3, 一般, on 1-5) at the same place of the item's own scale; more blanks
make it invalid. An answer's index value is score × 100 / scale_max. Index items are the rating items
outside the dimension ``overall``; :func:`items_left_out` names the others and why. Item satisfaction
is the mean index value over valid questionnaires; overall satisfaction is the weight-weighted mean
of item satisfaction.

Segment filters (docs/pages.md: industry, scale, tenure band, region, owner, ABC class): every function
of the Satisfaction page takes ``accounts``, a list of account ids (None = no segment filter, the numbers of the whole
survey). With a list, only the questionnaires of those accounts count: anonymous questionnaires drop
out, the response rate has no denominator (questionnaires are sent per wave, not per segment) and is
None, and coverage is the share of those accounts' revenue. :func:`compute_satisfaction_page` turns the
sidebar's Filters into that list once (:func:`segment_account_ids`), evaluating the segments (tenure
band, ABC class) as of the selected wave's last survey date, and uses the same accounts for the
previous wave and every wave of the history, as Filters.for_comparison does for periods.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

import duckdb
import pandas as pd

from kam_metrics.domain.filters import Filters
from kam_metrics.sql.segments import ABC_CTES, SEGMENT_CTES, filter_params, query_df, query_row
from kam_metrics.store.settings import load_settings

#: an item answered on a rating scale (docs/kpis.md#satisfaction): three points or more, and not a
#: 0-10 recommendation item (those make the NPS)
RATING_ITEM = "(scale_max - scale_min >= 2 and not (scale_min = 0 and scale_max = 10))"
#: a blank answer counted as "average": the 1-5 setting placed on the item's own scale (3 of 1-5 is 3,
#: of 1-7 it is 4, of 0-5 it is 2.5)
IMPUTED_SCORE = "(i.scale_min + ($impute_score - 1) * (i.scale_max - i.scale_min) / 4.0)"

WAVES_SQL = """
select
    wave,
    min(survey_date) as first_survey_date,
    max(survey_date) as last_survey_date,
    count(distinct response_id) as count_returned
from survey_responses
where wave is not null and survey_date <= $as_of
group by wave
order by last_survey_date, wave
"""


def load_waves(con: duckdb.DuckDBPyConnection, as_of: date) -> pd.DataFrame:
    """One row per survey wave whose last answer is on or before ``as_of``, oldest first.

    Columns: wave, first_survey_date, last_survey_date, count_returned.
    """
    return query_df(con, WAVES_SQL, {"as_of": as_of})


WAVE_INDEX_SQL = """
with likert_items as (
    select item_code, dimension, weight, scale_min, scale_max
    from survey_items
    where """ + RATING_ITEM + """
),
answers as (
    select r.response_id, r.account_id, r.item_code, r.score
    from survey_responses as r
    join likert_items using (item_code)
    where r.wave = $wave
),
asked_items as (
    select distinct a.item_code, i.dimension, i.weight, i.scale_min, i.scale_max
    from answers as a
    join likert_items as i using (item_code)
),
questionnaires as (
    select response_id, count(score) as count_answered
    from answers
    where $segment_accounts::varchar[] is null or account_id in (select unnest($segment_accounts::varchar[]))
    group by response_id
),
valid_questionnaires as (
    select response_id
    from questionnaires
    where (select count(*) from asked_items) - count_answered <= $max_blanks
),
index_values as (
    select
        i.item_code,
        i.weight,
        coalesce(a.score, """ + IMPUTED_SCORE + """) * 100.0 / i.scale_max as index_value
    from valid_questionnaires as v
    cross join asked_items as i
    left join answers as a on a.response_id = v.response_id and a.item_code = i.item_code
    where i.dimension <> 'overall'
),
item_satisfaction as (
    select item_code, any_value(weight) as weight, avg(index_value) as satisfaction
    from index_values
    group by item_code
)
select
    (select sum(satisfaction * weight) / nullif(sum(weight), 0) from item_satisfaction) as overall_index,
    (select count(distinct response_id) from survey_responses
     where wave = $wave
       and ($segment_accounts::varchar[] is null
            or account_id in (select unnest($segment_accounts::varchar[])))) as n_returned,
    (select count(*) from valid_questionnaires) as n_valid
"""


def compute_wave_overall(con: duckdb.DuckDBPyConnection, wave: str,
                         accounts: Sequence[str] | None = None) -> dict[str, Any]:
    """Overall satisfaction of one wave. Keys: wave, overall_index (0-100, None without valid
    questionnaires), n_returned (questionnaires), n_valid (questionnaires passing the blank rule).

    ``accounts`` (None: every questionnaire, anonymous ones included): only those accounts'
    questionnaires count; the items asked in the wave (the blank rule's reference) stay the whole wave's,
    as on the Satisfaction page (:func:`compute_satisfaction`)."""
    settings = load_settings(con)
    params = {
        "wave": wave,
        "segment_accounts": None if accounts is None else list(accounts),
        "max_blanks": int(settings["survey_max_imputed_blanks"]),
        "impute_score": float(settings["survey_blank_impute_score"]),
    }
    row = query_row(con, WAVE_INDEX_SQL, params)
    return {
        "wave": wave,
        "overall_index": row["overall_index"],
        "n_returned": int(row["n_returned"] or 0),
        "n_valid": int(row["n_valid"] or 0),
    }


def compute_latest_overall(con: duckdb.DuckDBPyConnection, as_of: date,
                           filters: Filters | None = None) -> dict[str, Any]:
    """Overall satisfaction of the latest wave finished by ``as_of`` and of the wave before it.

    Keys: the latest wave's figures (see :func:`compute_wave_overall`; wave None when no wave exists),
    ``previous``, the same for the wave before it (or None), and ``is_segment``.

    ``filters`` with segments (the Overview's sidebar): both waves count only the questionnaires of
    the accounts in those segments as of ``as_of`` (anonymous questionnaires drop out), like the other
    Overview KPIs; without segments every questionnaire counts.
    """
    waves = load_waves(con, as_of)["wave"].tolist()
    is_segment = filters is not None and filters.has_segments
    if not waves:
        return {"wave": None, "overall_index": None, "n_returned": 0, "n_valid": 0, "previous": None,
                "is_segment": is_segment}
    accounts = segment_account_ids(con, filters, as_of) if filters is not None and is_segment else None
    latest = compute_wave_overall(con, waves[-1], accounts)
    latest["previous"] = compute_wave_overall(con, waves[-2], accounts) if len(waves) > 1 else None
    latest["is_segment"] = is_segment
    return latest


# --- every rule of docs/kpis.md#satisfaction for a wave or a date range ---------------
#
# SCORED_CTES selects the questionnaires of one wave ($wave) or of a date range ($start..$end; any of
# the three may be null), of the segment's accounts when $segment_accounts is a list (null: every
# questionnaire, anonymous ones included), applies the blank rule per questionnaire against the rating items asked in the
# questionnaire's own wave, and yields one row per valid questionnaire × index item (``index_values``).

SCORED_CTES = """
likert_items as (
    select item_code, dimension, weight, scale_min, scale_max
    from survey_items
    where """ + RATING_ITEM + """
),
selected as (
    select r.*
    from survey_responses as r
    where ($wave::varchar is null or r.wave = $wave::varchar)
      and ($start::date is null or r.survey_date >= $start::date)
      and ($end::date is null or r.survey_date <= $end::date)
      and ($account_id::varchar is null or r.account_id = $account_id::varchar)
      and ($segment_accounts::varchar[] is null
           or r.account_id in (select unnest($segment_accounts::varchar[])))
),
asked_items as (
    select distinct coalesce(r.wave, '') as wave_key, r.item_code, i.dimension, i.weight, i.scale_min, i.scale_max
    from survey_responses as r
    join likert_items as i using (item_code)
    where coalesce(r.wave, '') in (select distinct coalesce(wave, '') from selected)
),
questionnaires as (
    select
        response_id,
        any_value(account_id) as account_id,
        coalesce(any_value(wave), '') as wave_key,
        max(survey_date) as survey_date,
        count(score) filter (where item_code in (select item_code from likert_items)) as count_answered
    from selected
    group by response_id
),
valid_questionnaires as (
    select q.*
    from questionnaires as q
    where (select count(*) from asked_items as a where a.wave_key = q.wave_key) - q.count_answered <= $max_blanks
      and (select count(*) from asked_items as a where a.wave_key = q.wave_key) > 0
),
index_values as (
    select
        v.response_id,
        v.account_id,
        v.wave_key,
        i.item_code,
        i.dimension,
        i.weight,
        coalesce(s.score, """ + IMPUTED_SCORE + """) * 100.0 / i.scale_max as index_value,
        s.score is null as is_imputed,
        s.competitor_score * 100.0 / i.scale_max as competitor_index
    from valid_questionnaires as v
    join asked_items as i on i.wave_key = v.wave_key
    left join selected as s on s.response_id = v.response_id and s.item_code = i.item_code
    where i.dimension <> 'overall'
),
questionnaire_index as (
    select response_id, any_value(account_id) as account_id, any_value(wave_key) as wave_key,
           sum(index_value * weight) / nullif(sum(weight), 0) as questionnaire_index
    from index_values
    group by response_id
)"""

#: one row per index item: its satisfaction, n, competitor index and the target. Grain: item.
ITEMS_SQL = (
    "with"
    + SCORED_CTES
    + """
select
    v.item_code,
    any_value(i.dimension) as dimension,
    any_value(i.label_zh) as label_zh,
    any_value(i.label_en) as label_en,
    any_value(i.weight) as weight,
    coalesce(any_value(i.target_index), $target_index) as target_index,
    avg(v.index_value) as satisfaction,
    count(*) as n,
    count(*) filter (where v.is_imputed) as count_imputed,
    avg(v.competitor_index) as competitor_index,
    count(v.competitor_index) as n_competitor
from index_values as v
join survey_items as i using (item_code)
group by v.item_code
order by v.item_code
"""
)

#: one row per valid questionnaire: response_id, account_id, wave, questionnaire_index.
QUESTIONNAIRES_SQL = (
    "with"
    + SCORED_CTES
    + """
select response_id, account_id, nullif(wave_key, '') as wave, questionnaire_index
from questionnaire_index
order by response_id
"""
)

#: returned and valid questionnaires of the selection and the questionnaires sent in its waves.
COUNTS_SQL = (
    "with"
    + SCORED_CTES
    + """
select
    (select count(*) from questionnaires) as n_returned,
    (select count(*) from valid_questionnaires) as n_valid,
    (select sum(sent) from survey_waves where wave in (select wave from selected)
        or wave = $wave::varchar) as n_sent
"""
)

#: answers of the rating items of valid questionnaires, one row per item × score (imputed ones excluded).
LIKERT_SQL = (
    "with"
    + SCORED_CTES
    + """
select s.item_code, cast(s.score as integer) as score, count(*) as count_answers
from selected as s
join valid_questionnaires as v using (response_id)
join likert_items as i on i.item_code = s.item_code
where s.score is not null
group by all
order by 1, 2
"""
)

#: derived importance: correlation of each index item with the questionnaire's answer to the outcome
#: item: the first 1-5 overall item (by item_code), else the first overall item of another scale (a
#: 0-1 "happy" flag, a 0-10 recommendation), over valid questionnaires that answered it. Grain: item.
IMPORTANCE_SQL = (
    "with"
    + SCORED_CTES
    + """,
outcome_item as (
    select item_code from survey_items
    where dimension = 'overall' and item_code in (select item_code from selected)
    order by (scale_min = 1 and scale_max = 5) desc, item_code
    limit 1
),
outcome as (
    select s.response_id, s.score as outcome_score
    from selected as s
    where s.item_code = (select item_code from outcome_item) and s.score is not null
)
select v.item_code, (select item_code from outcome_item) as outcome_item,
       corr(v.index_value, o.outcome_score) as importance, count(*) as n_importance
from index_values as v
join outcome as o using (response_id)
group by v.item_code
order by v.item_code
"""
)

#: the items answered in the selection that are no index item, with why (docs/kpis.md#satisfaction):
#: a 0-10 recommendation item (NPS), a two-point item (yes/no), an overall item (an outcome).
LEFT_OUT_SQL = (
    "with"
    + SCORED_CTES
    + """
select item_code, label_zh, label_en, dimension, scale_min, scale_max,
       case when scale_min = 0 and scale_max = 10 then 'recommendation'
            when scale_max - scale_min < 2 then 'two_point'
            else 'outcome' end as reason
from survey_items
where item_code in (select item_code from selected)
  and not (""" + RATING_ITEM + """ and dimension <> 'overall')
order by item_code
"""
)

#: NPS of the 0-10 items in the selection: answers, promoters (9-10), detractors (0-6).
NPS_SQL = """
select
    count(r.score) as count_answers,
    count(*) filter (where r.score >= 9) as count_promoters,
    count(*) filter (where r.score <= 6) as count_detractors
from survey_responses as r
join survey_items as i using (item_code)
where i.scale_min = 0 and i.scale_max = 10 and r.score is not null
  and ($wave::varchar is null or r.wave = $wave::varchar)
  and ($start::date is null or r.survey_date >= $start::date)
  and ($end::date is null or r.survey_date <= $end::date)
  and ($account_id::varchar is null or r.account_id = $account_id::varchar)
  and ($segment_accounts::varchar[] is null or r.account_id in (select unnest($segment_accounts::varchar[])))
"""

#: verbatim comments of the selection, newest first.
COMMENTS_SQL = """
select survey_date, wave, account_id, item_code, comment
from survey_responses
where comment is not null and trim(comment) <> ''
  and ($wave::varchar is null or wave = $wave::varchar)
  and ($start::date is null or survey_date >= $start::date)
  and ($end::date is null or survey_date <= $end::date)
  and ($segment_accounts::varchar[] is null or account_id in (select unnest($segment_accounts::varchar[])))
order by survey_date desc, response_id, item_code
"""

#: one row per wave (sent in survey_waves or answered), ordered by its last answer (waves without
#: answers by sent_on). Columns: wave, sent, sent_on, last_survey_date.
ALL_WAVES_SQL = """
with answered as (
    select wave, max(survey_date) as last_survey_date
    from survey_responses where wave is not null group by wave
)
select coalesce(w.wave, a.wave) as wave, w.sent, w.sent_on, a.last_survey_date
from survey_waves as w
full join answered as a using (wave)
order by coalesce(a.last_survey_date, w.sent_on) nulls last, 1
"""

#: trailing-12-month revenue of every account with revenue (of the segment's accounts when
#: $segment_accounts is a list), its ABC class among all accounts and whether it is surveyed.
COVERAGE_SQL = (
    "with"
    + SCORED_CTES
    + ",\n"
    + ABC_CTES
    + """
select abc.account_id, a.account_name, abc.abc_class, abc.revenue_12m,
       abc.account_id in (select account_id from valid_questionnaires) as is_surveyed
from abc
left join accounts as a using (account_id)
where $segment_accounts::varchar[] is null or abc.account_id in (select unnest($segment_accounts::varchar[]))
order by abc.revenue_12m desc, abc.account_id
"""
)

#: account names for the account table.
ACCOUNT_NAMES_SQL = """
select account_id, account_name, owner from accounts where list_contains($account_ids::varchar[], account_id)
"""

#: the selection's last answer over ALL its questionnaires (no segment condition on purpose: under a
#: segment filter the coverage date and the revenue window stay the wave's, the date the segments are
#: evaluated on, even when the segment's accounts answered earlier or not at all).
LATEST_SURVEY_DATE_SQL = """
select max(survey_date) as last_date from survey_responses
where ($wave::varchar is null or wave = $wave::varchar)
  and ($start::date is null or survey_date >= $start::date)
  and ($end::date is null or survey_date <= $end::date)
"""

BOOTSTRAP_SEED = 20260
#: one row per named account × index item of the selection: the mean index value of its valid
#: questionnaires (for derived importance against revenue when the survey has no overall item).
ACCOUNT_ITEM_SQL = (
    "with"
    + SCORED_CTES
    + """
select account_id, item_code, avg(index_value) as index_value
from index_values
where coalesce(account_id, '') <> ''
group by all
order by 1, 2
"""
)

#: each account's revenue in the REVENUE_WINDOW_MONTHS after the selection's last answer and in as many
#: months up to it. Grain: account.
REVENUE_CHANGE_SQL = """
select account_id,
       coalesce(sum(amount) filter (where order_date > $anchor::date
                                    and order_date <= $anchor::date + to_months($months)), 0) as revenue_after,
       coalesce(sum(amount) filter (where order_date > $anchor::date - to_months($months)
                                    and order_date <= $anchor::date), 0) as revenue_before
from sales
where account_id in (select unnest($account_ids::varchar[]))
group by account_id
"""

#: months on each side of the survey for the revenue-change importance fallback
REVENUE_WINDOW_MONTHS = 6

BOOTSTRAP_SAMPLES = 2000
LOW_SAMPLE = 5


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    """numerator / denominator, or None when the denominator is missing or zero."""
    if numerator is None or not denominator:
        return None
    return numerator / denominator


def index_value(score: float, scale_max: float) -> float:
    """An answer's index value: score × 100 / scale_max (a 5 of 5 is 100, a 3 is 60)."""
    return score * 100.0 / scale_max


def load_all_waves(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """One row per wave, oldest first (see ALL_WAVES_SQL): wave, sent, sent_on, last_survey_date."""
    return query_df(con, ALL_WAVES_SQL, {})


def _params(con: duckdb.DuckDBPyConnection, wave: str | None, start: date | None, end: date | None,
            account_id: str | None = None, accounts: Sequence[str] | None = None) -> dict[str, Any]:
    """The SQL parameters of a selection; ``accounts`` (None: no segment filter) becomes
    $segment_accounts, the one condition every query of the selection applies."""
    settings = load_settings(con)
    return {
        "wave": wave,
        "start": start,
        "end": end,
        "account_id": account_id,
        "segment_accounts": None if accounts is None else list(accounts),
        "max_blanks": int(settings["survey_max_imputed_blanks"]),
        "impute_score": float(settings["survey_blank_impute_score"]),
        "target_index": float(settings["target_index"]),
        "abc_a_share": float(settings["abc_a_share"]),
        "abc_b_share": float(settings["abc_b_share"]),
        "satisfied_index": float(settings["satisfied_index"]),
        "satisfied_rate_target": float(settings["satisfied_rate_target"]),
    }


def compute_item_satisfaction(con: duckdb.DuckDBPyConnection, wave: str | None = None,
                              start: date | None = None, end: date | None = None, *,
                              accounts: Sequence[str] | None = None) -> pd.DataFrame:
    """One row per index item (a rating item outside overall) of the selection. Columns: item_code, dimension,
    label_zh, label_en, weight, target_index, satisfaction (0-100), n (valid questionnaires, imputed
    answers included), count_imputed, competitor_index, n_competitor, gap_target (satisfaction −
    target), gap_competitor (satisfaction − competitor_index)."""
    frame = query_df(con, ITEMS_SQL, _params(con, wave, start, end, accounts=accounts))
    frame["gap_target"] = frame["satisfaction"] - frame["target_index"]
    frame["gap_competitor"] = frame["satisfaction"] - frame["competitor_index"]
    return frame


def compute_dimension_satisfaction(items: pd.DataFrame) -> pd.DataFrame:
    """One row per dimension from the item rows: dimension, satisfaction (weight-weighted mean of its
    items), target_index (weight-weighted), gap_target, n (the largest item n), count_items."""
    rows = []
    for dimension, group in items.groupby("dimension", sort=True):
        weight = group["weight"].sum()
        if not weight:
            continue
        sat = float((group["satisfaction"] * group["weight"]).sum() / weight)
        target = float((group["target_index"] * group["weight"]).sum() / weight)
        rows.append({"dimension": dimension, "satisfaction": sat, "target_index": target,
                     "gap_target": sat - target, "n": int(group["n"].max()), "count_items": len(group)})
    return pd.DataFrame(rows, columns=["dimension", "satisfaction", "target_index", "gap_target", "n", "count_items"])


def compute_overall_index(items: pd.DataFrame) -> float | None:
    """综合满意度 = Σ(item satisfaction × weight) / Σ weight; None without items or weights."""
    if items.empty:
        return None
    return ratio(float((items["satisfaction"] * items["weight"]).sum()), float(items["weight"].sum()))


def compute_questionnaire_indexes(con: duckdb.DuckDBPyConnection, wave: str | None = None,
                                  start: date | None = None, end: date | None = None,
                                  account_id: str | None = None, *,
                                  accounts: Sequence[str] | None = None) -> pd.DataFrame:
    """One row per valid questionnaire: response_id, account_id ('' = anonymous), wave,
    questionnaire_index (Σ index value × weight / Σ weight over its index items)."""
    return query_df(con, QUESTIONNAIRES_SQL, _params(con, wave, start, end, account_id, accounts))


def compute_account_satisfaction(questionnaires: pd.DataFrame, satisfied_index: float) -> pd.DataFrame:
    """One row per surveyed account (anonymous questionnaires left out): account_id, account_index
    (mean of its valid questionnaires' indexes), n (questionnaires), is_satisfied (index ≥
    ``satisfied_index``)."""
    named = questionnaires[questionnaires["account_id"].fillna("") != ""]
    frame = (
        named.groupby("account_id", as_index=False)
        .agg(account_index=("questionnaire_index", "mean"), n=("questionnaire_index", "size"))
        .sort_values(["account_index", "account_id"])
    )
    frame["is_satisfied"] = frame["account_index"] >= satisfied_index
    return frame.reset_index(drop=True)


@dataclass(frozen=True)
class NpsScore:
    """NPS of the 0-10 items of a selection (:func:`compute_nps_score`)."""

    #: % of answers scoring 9-10 − % scoring 0-6, in points; None without answers
    nps: float | None
    #: answers to the 0-10 items
    count_answers: int
    #: answers of 9 or 10
    count_promoters: int
    #: answers of 0 to 6
    count_detractors: int


def compute_nps_score(con: duckdb.DuckDBPyConnection, wave: str | None = None, start: date | None = None,
                      end: date | None = None, account_id: str | None = None, *,
                      accounts: Sequence[str] | None = None) -> NpsScore:
    """NPS of the 0-10 items, scored on their own scale: % scoring 9-10 − % scoring 0-6, in points."""
    row = query_row(con, NPS_SQL, _params(con, wave, start, end, account_id, accounts))
    n = int(row["count_answers"] or 0)
    promoters, detractors = int(row["count_promoters"] or 0), int(row["count_detractors"] or 0)
    share = ratio(promoters - detractors, n)
    return NpsScore(nps=None if share is None else share * 100, count_answers=n,
                    count_promoters=promoters, count_detractors=detractors)


def compute_importance(con: duckdb.DuckDBPyConnection, wave: str | None = None, start: date | None = None,
                       end: date | None = None, *, accounts: Sequence[str] | None = None) -> pd.DataFrame:
    """Derived importance, one row per index item: item_code, outcome_item (the overall item used as
    outcome, a 1-5 one first), importance (Pearson correlation of the item's index value with the outcome answer over
    valid questionnaires; None when constant), n_importance."""
    return query_df(con, IMPORTANCE_SQL, _params(con, wave, start, end, accounts=accounts))


def compute_revenue_importance(con: duckdb.DuckDBPyConnection, wave: str | None = None,
                               start: date | None = None, end: date | None = None, *,
                               accounts: Sequence[str] | None = None) -> pd.DataFrame:
    """Derived importance when the survey has no overall item (docs/kpis.md): per index item, the Pearson
    correlation across surveyed accounts of the account's item index with its next-period revenue
    change = revenue in the REVENUE_WINDOW_MONTHS after the selection's last answer / revenue in as
    many months up to it − 1 (accounts without revenue before are left out).

    Columns: item_code, importance (None when fewer than 3 accounts or constant), n_importance.
    """
    params = _params(con, wave, start, end, accounts=accounts)
    columns = ["item_code", "importance", "n_importance"]
    values = query_df(con, ACCOUNT_ITEM_SQL, params)
    anchor = query_row(con, LATEST_SURVEY_DATE_SQL, params)["last_date"]
    if values.empty or anchor is None:
        return pd.DataFrame(columns=columns)
    revenue = query_df(con, REVENUE_CHANGE_SQL, {"anchor": anchor, "months": REVENUE_WINDOW_MONTHS,
                                                 "account_ids": sorted(values["account_id"].unique().tolist())})
    revenue = revenue[revenue["revenue_before"] > 0]
    revenue = revenue.assign(change=revenue["revenue_after"] / revenue["revenue_before"] - 1)
    joined = values.merge(revenue[["account_id", "change"]], on="account_id", how="inner")
    rows = []
    for item_code, group in joined.groupby("item_code", sort=True):
        x, y = group["index_value"].astype(float), group["change"].astype(float)
        importance = None
        if len(group) >= 3 and x.std() > 0 and y.std() > 0:
            importance = float(x.corr(y))
        rows.append({"item_code": item_code, "importance": importance, "n_importance": len(group)})
    return pd.DataFrame(rows, columns=columns)


def classify_quadrants(items: pd.DataFrame) -> pd.Series:
    """Importance-performance quadrant per item, split at the mean importance and mean satisfaction:
    fix_first (important, low), keep_up (important, high), low_priority (less important, low),
    overkill (less important, high); None without an importance."""
    imp, sat = items["importance"].astype(float), items["satisfaction"].astype(float)
    imp_mid, sat_mid = imp.mean(), sat.mean()

    def one(i: float, s: float) -> str | None:
        if pd.isna(i) or pd.isna(s):
            return None
        if i >= imp_mid:
            return "keep_up" if s >= sat_mid else "fix_first"
        return "overkill" if s >= sat_mid else "low_priority"

    return pd.Series([one(i, s) for i, s in zip(imp, sat)], index=items.index, dtype=object)


@dataclass(frozen=True)
class BootstrapDifference:
    """mean(current) − mean(previous) with its 95 % percentile-bootstrap interval
    (:func:`bootstrap_difference`); every field is None when either side has fewer than 2 values."""

    #: mean(current) − mean(previous)
    difference: float | None
    #: the interval's lower end (2.5th percentile of the resampled differences)
    lower: float | None
    #: the interval's upper end (97.5th percentile)
    upper: float | None
    #: the interval excludes 0
    significant: bool | None


def bootstrap_difference(current: Sequence[float], previous: Sequence[float], *, samples: int = BOOTSTRAP_SAMPLES,
                         seed: int = BOOTSTRAP_SEED) -> BootstrapDifference:
    """Is mean(current) − mean(previous) real? A percentile bootstrap (resampling questionnaires within
    each wave, fixed seed): the difference, its 95 % interval and whether the interval excludes 0; None
    values when either side has fewer than 2 questionnaires."""
    import numpy as np

    if len(current) < 2 or len(previous) < 2:
        return BootstrapDifference(difference=None, lower=None, upper=None, significant=None)
    rng = np.random.default_rng(seed)
    a, b = np.asarray(current, dtype=float), np.asarray(previous, dtype=float)
    diffs = (rng.choice(a, (samples, a.size)).mean(axis=1) - rng.choice(b, (samples, b.size)).mean(axis=1))
    lower, upper = np.percentile(diffs, [2.5, 97.5])
    return BootstrapDifference(difference=float(a.mean() - b.mean()), lower=float(lower), upper=float(upper),
                               significant=bool(lower > 0 or upper < 0))


@dataclass(frozen=True, eq=False)
class Coverage:
    """Revenue coverage of a selection (:func:`compute_coverage`). (``eq=False``: a frame field has no
    equality, so instances compare by identity.)"""

    #: share of trailing-12-month revenue from accounts with a valid questionnaire; None without revenue
    coverage: float | None
    #: the end of the 12 months: the selection's last answer (or its ``end``); None without answers
    as_of: date | None
    #: the A accounts without a valid questionnaire: account_id, account_name, revenue_12m
    a_not_surveyed: pd.DataFrame


def compute_coverage(con: duckdb.DuckDBPyConnection, wave: str | None = None, start: date | None = None,
                     end: date | None = None, *, accounts: Sequence[str] | None = None) -> Coverage:
    """Revenue coverage: share of trailing-12-month revenue (ending at the selection's last answer, or
    ``end``) from accounts with a valid questionnaire in the selection (see :class:`Coverage`).

    With ``accounts`` both the revenue and the A accounts are those accounts' only; the ABC class is
    still the account's rank among all accounts, and as_of stays the selection's last answer."""
    params = _params(con, wave, start, end, accounts=accounts)
    as_of = end or query_row(con, LATEST_SURVEY_DATE_SQL, params)["last_date"]
    empty = pd.DataFrame(columns=["account_id", "account_name", "revenue_12m"])
    if as_of is None:
        return Coverage(coverage=None, as_of=None, a_not_surveyed=empty)
    frame = query_df(con, COVERAGE_SQL, {**params, "segment_end": as_of})
    total = float(frame["revenue_12m"].sum()) if not frame.empty else 0.0
    covered = float(frame.loc[frame["is_surveyed"], "revenue_12m"].sum()) if not frame.empty else 0.0
    missing = frame[(frame["abc_class"] == "A") & ~frame["is_surveyed"]][["account_id", "account_name", "revenue_12m"]]
    return Coverage(coverage=ratio(covered, total), as_of=as_of, a_not_surveyed=missing.reset_index(drop=True))


@dataclass(frozen=True, eq=False)
class SatisfactionResult:
    """Every satisfaction figure of one wave or date range (:func:`compute_satisfaction`,
    docs/kpis.md#satisfaction). (``eq=False``: frame fields have no equality, so instances compare by
    identity.)"""

    #: the wave selected (None for a date range)
    wave: str | None
    #: only the questionnaires of a list of accounts count (a segment filter)
    is_segment: bool
    #: overall satisfaction, 0-100: Σ(item satisfaction × weight) / Σ weight; None without items
    overall_index: float | None
    #: share of surveyed accounts whose index is at least ``satisfied_index``; None without accounts
    satisfied_rate: float | None
    #: the satisfied_rate_target setting (0-1)
    satisfied_rate_target: float
    #: the satisfied_index setting: an account's index from which it counts as satisfied
    satisfied_index: float
    #: surveyed accounts that are satisfied
    count_satisfied: int
    #: accounts with a valid questionnaire (anonymous ones left out)
    count_surveyed: int
    #: n_returned / n_sent; None without a number sent (always None under a segment filter)
    response_rate: float | None
    #: n_valid / n_returned; None without returned questionnaires
    validity_rate: float | None
    #: questionnaires sent in the selection's waves; None when unknown or under a segment filter
    n_sent: int | None
    #: questionnaires returned
    n_returned: int
    #: questionnaires passing the blank rule
    n_valid: int
    #: fewer than LOW_SAMPLE (5) valid questionnaires
    is_low_sample: bool
    #: NPS of the 0-10 items
    nps: NpsScore
    #: one row per index item (:func:`compute_item_satisfaction`) with outcome_item, importance,
    #: n_importance and quadrant
    items: pd.DataFrame
    #: where the importance comes from: "overall_item", "revenue_change" (no overall item) or None
    importance_source: str | None
    #: one row per dimension (:func:`compute_dimension_satisfaction`)
    dimensions: pd.DataFrame
    #: one row per surveyed account (:func:`compute_account_satisfaction`)
    accounts: pd.DataFrame
    #: each valid questionnaire's index (the sample of the bootstrap of the change)
    questionnaire_indexes: tuple[float, ...]
    #: the items answered but left out of the index (:func:`items_left_out`)
    left_out: tuple[LeftOutItem, ...] = ()


@dataclass(frozen=True)
class LeftOutItem:
    """An item answered in the selection that does not enter the satisfaction index, and why."""

    item_code: str
    label_zh: str | None
    label_en: str | None
    scale_min: int
    scale_max: int
    #: "recommendation" (0-10, counted in the NPS), "two_point" (a yes/no item) or "outcome" (dimension
    #: overall: reported on its own and used for derived importance)
    reason: str


def items_left_out(con: duckdb.DuckDBPyConnection, wave: str | None = None, start: date | None = None,
                   end: date | None = None, *, accounts: Sequence[str] | None = None) -> tuple[LeftOutItem, ...]:
    """The items answered in the selection that are not index items, each with its reason."""
    frame = query_df(con, LEFT_OUT_SQL, _params(con, wave, start, end, accounts=accounts))
    return tuple(LeftOutItem(r.item_code, r.label_zh, r.label_en, int(r.scale_min), int(r.scale_max), r.reason)
                 for r in frame.itertuples())


def compute_satisfaction(con: duckdb.DuckDBPyConnection, wave: str | None = None, start: date | None = None,
                         end: date | None = None, *, accounts: Sequence[str] | None = None) -> SatisfactionResult:
    """Every satisfaction figure of one wave or date range (docs/kpis.md#satisfaction; see
    :class:`SatisfactionResult`).

    ``accounts`` (None: every questionnaire): only those accounts' questionnaires count; n_sent and
    response_rate are then None, since questionnaires are sent per wave, not per segment.
    """
    params = _params(con, wave, start, end, accounts=accounts)
    counts = query_row(con, COUNTS_SQL, params)
    items = compute_item_satisfaction(con, wave, start, end, accounts=accounts)
    importance = compute_importance(con, wave, start, end, accounts=accounts)
    importance_source = "overall_item" if not importance.empty else None
    if importance.empty:  # no overall item answered: importance from the next-period revenue change
        importance = compute_revenue_importance(con, wave, start, end, accounts=accounts)
        importance_source = "revenue_change" if importance["importance"].notna().any() else None
        importance["outcome_item"] = None
    items = items.merge(importance, on="item_code", how="left")
    items["importance"] = items["importance"].astype(float)
    items["quadrant"] = classify_quadrants(items)
    questionnaires = compute_questionnaire_indexes(con, wave, start, end, accounts=accounts)
    account_frame = compute_account_satisfaction(questionnaires, params["satisfied_index"])
    n_returned, n_valid = int(counts["n_returned"] or 0), int(counts["n_valid"] or 0)
    # sent is known per wave only: under a segment filter there is no denominator for the response rate
    n_sent = None if counts["n_sent"] is None or accounts is not None else int(counts["n_sent"])
    count_satisfied = int(account_frame["is_satisfied"].sum())
    return SatisfactionResult(
        wave=wave,
        is_segment=accounts is not None,
        overall_index=compute_overall_index(items),
        satisfied_rate=ratio(count_satisfied, len(account_frame)),
        satisfied_rate_target=params["satisfied_rate_target"],
        satisfied_index=params["satisfied_index"],
        count_satisfied=count_satisfied,
        count_surveyed=len(account_frame),
        response_rate=ratio(n_returned, n_sent),
        validity_rate=ratio(n_valid, n_returned),
        n_sent=n_sent,
        n_returned=n_returned,
        n_valid=n_valid,
        is_low_sample=n_valid < LOW_SAMPLE,
        nps=compute_nps_score(con, wave, start, end, accounts=accounts),
        items=items,
        importance_source=importance_source,
        dimensions=compute_dimension_satisfaction(items),
        accounts=account_frame,
        questionnaire_indexes=tuple(questionnaires["questionnaire_index"].astype(float).tolist()),
        left_out=items_left_out(con, wave, start, end, accounts=accounts),
    )


def compute_wave_history(con: duckdb.DuckDBPyConnection, *, accounts: Sequence[str] | None = None) -> pd.DataFrame:
    """One row per wave, oldest first: wave, sent, returned, valid, response_rate, validity_rate,
    overall_index, satisfied_rate (of ``accounts``' questionnaires when given: sent and response_rate
    then None)."""
    rows = []
    for wave in load_all_waves(con)["wave"]:
        s = compute_satisfaction(con, wave=wave, accounts=accounts)
        rows.append({"wave": wave, "sent": s.n_sent, "returned": s.n_returned, "valid": s.n_valid,
                     "response_rate": s.response_rate, "validity_rate": s.validity_rate,
                     "overall_index": s.overall_index, "satisfied_rate": s.satisfied_rate})
    return pd.DataFrame(rows, columns=["wave", "sent", "returned", "valid", "response_rate", "validity_rate",
                                       "overall_index", "satisfied_rate"])


def compute_gap_to_previous(current: SatisfactionResult, previous: SatisfactionResult | None) -> pd.DataFrame:
    """The current item frame with previous_satisfaction and gap_previous (satisfaction − previous)."""
    items = current.items.copy()
    if previous is None or previous.items.empty:
        items["previous_satisfaction"] = float("nan")
    else:
        prev = previous.items[["item_code", "satisfaction"]].rename(columns={"satisfaction": "previous_satisfaction"})
        items = items.merge(prev, on="item_code", how="left")
    items["gap_previous"] = items["satisfaction"] - items["previous_satisfaction"]
    return items


def compute_dimension_gap_to_previous(current: SatisfactionResult, previous: SatisfactionResult | None) -> pd.DataFrame:
    """The current dimension frame with previous_satisfaction and gap_previous (satisfaction − previous)."""
    dims = current.dimensions.copy()
    if previous is None or previous.dimensions.empty:
        dims["previous_satisfaction"] = float("nan")
    else:
        prev = previous.dimensions[["dimension", "satisfaction"]].rename(columns={"satisfaction": "previous_satisfaction"})
        dims = dims.merge(prev, on="dimension", how="left")
    dims["gap_previous"] = dims["satisfaction"] - dims["previous_satisfaction"]
    return dims


def satisfied_flags(result: SatisfactionResult | None) -> list[float]:
    """1.0 per satisfied surveyed account and 0.0 per other one: the sample behind the satisfied rate."""
    if result is None:
        return []
    return [1.0 if flag else 0.0 for flag in result.accounts["is_satisfied"]]


#: the accounts matching the segment filters as of $segment_end (kam_metrics.sql.segments.SEGMENT_CTES).
SEGMENT_ACCOUNTS_SQL = "with" + SEGMENT_CTES + "select account_id from filtered_accounts order by account_id"

#: questionnaires of a wave by kind: all, anonymous (no account), of the segment's accounts.
WAVE_QUESTIONNAIRES_SQL = """
select
    count(distinct response_id) as n_all,
    count(distinct response_id) filter (where coalesce(account_id, '') = '') as n_anonymous,
    count(distinct response_id) filter (where account_id in (select unnest($segment_accounts::varchar[]))) as n_segment
from survey_responses
where wave = $wave
"""


def page_segments(filters: Filters | None) -> Filters | None:
    """The part of the sidebar's Filters the Satisfaction page uses: None without segment filters (the
    page then shows every questionnaire), else the Filters with its period set to the segment anchor's
    placeholder (the page's figures depend on the segments only, their anchor is the wave's last
    survey date), so a cache keyed on it does not recompute when only the period changes."""
    if filters is None or not filters.has_segments:
        return None
    return replace(filters, start=date(1970, 1, 1), end=date(1970, 1, 1), compare="previous", segment_end=None)


def segment_account_ids(con: duckdb.DuckDBPyConnection, filters: Filters, as_of: date) -> list[str]:
    """Ids of the accounts matching ``filters``' segments, tenure band and ABC class evaluated as of
    ``as_of`` (one DuckDB query over kam_metrics.sql.segments.SEGMENT_CTES)."""
    params = filter_params(replace(filters, segment_end=as_of), load_settings(con))
    return query_df(con, SEGMENT_ACCOUNTS_SQL, params)["account_id"].tolist()


@dataclass(frozen=True)
class SegmentScope:
    """The segment the Satisfaction page's figures cover under a segment filter (the caption's facts)."""

    #: the date the segments (tenure band, ABC class) are evaluated on: the wave's last survey date
    as_of: date | None
    #: accounts matching the segment filters on that date
    count_accounts: int
    #: the wave's questionnaires: all of them
    n_all: int
    #: the wave's anonymous questionnaires (no account: never in a segment)
    n_anonymous: int
    #: the wave's questionnaires of the segment's accounts (the ones counted)
    n_segment: int


@dataclass(frozen=True, eq=False)
class SatisfactionPage:
    """Everything the Satisfaction page shows for one wave (:func:`compute_satisfaction_page`).
    (``eq=False``: frame fields have no equality, so instances compare by identity.)"""

    #: every wave, sent or answered, oldest first (the wave selector's options)
    waves: tuple[str, ...]
    #: the wave shown
    wave: str
    #: the segment covered under a segment filter; None without one (every questionnaire counts)
    segment: SegmentScope | None
    #: the answered wave before ``wave``; None when there is none
    previous_wave: str | None
    #: the wave's figures
    current: SatisfactionResult
    #: the previous wave's figures over the same accounts; None without a previous wave
    previous: SatisfactionResult | None
    #: current.items with previous_satisfaction and gap_previous (:func:`compute_gap_to_previous`)
    items: pd.DataFrame
    #: the overall index's change since the previous wave (bootstrap of questionnaire indexes)
    change: BootstrapDifference
    #: the satisfied rate's change (the same bootstrap on the accounts' satisfied flags)
    rate_change: BootstrapDifference
    #: months on each side of the survey for the revenue-change importance (REVENUE_WINDOW_MONTHS)
    revenue_window_months: int
    #: current.dimensions with previous_satisfaction and gap_previous
    dimensions: pd.DataFrame
    #: one row per wave (:func:`compute_wave_history`)
    history: pd.DataFrame
    #: answers of valid questionnaires per item × score: item_code, score, count_answers
    likert: pd.DataFrame
    #: revenue coverage of the wave
    coverage: Coverage
    #: current.accounts with account_name and owner
    accounts: pd.DataFrame
    #: the wave's verbatim comments, newest first: survey_date, wave, account_id, item_code, comment
    comments: pd.DataFrame


def _page_segment(con: duckdb.DuckDBPyConnection, all_waves: pd.DataFrame, wave: str,
                  filters: Filters) -> tuple[list[str], SegmentScope]:
    """The segment's account ids as of the wave's last survey date, and the page's :class:`SegmentScope`."""
    own = all_waves[all_waves["wave"] == wave]
    candidates = [own["last_survey_date"].max(), own["sent_on"].max(), all_waves["last_survey_date"].max()]
    as_of = next((d for d in candidates if d is not None and not pd.isna(d)), None)
    as_of = None if as_of is None else pd.Timestamp(as_of).date()
    accounts = segment_account_ids(con, filters, as_of) if as_of is not None else []
    counts = query_row(con, WAVE_QUESTIONNAIRES_SQL, {"wave": wave, "segment_accounts": accounts})
    segment = SegmentScope(as_of=as_of, count_accounts=len(accounts), n_all=int(counts["n_all"] or 0),
                           n_anonymous=int(counts["n_anonymous"] or 0), n_segment=int(counts["n_segment"] or 0))
    return accounts, segment


def compute_satisfaction_page(con: duckdb.DuckDBPyConnection, wave: str | None,
                              filters: Filters | None = None) -> SatisfactionPage | None:
    """Everything the Satisfaction page shows for ``wave`` (None: the latest wave with answers; see
    :class:`SatisfactionPage`); None when there is no wave at all.

    ``filters`` (the sidebar's; only its segments are used): with a segment filter every figure is over
    the questionnaires of the matching accounts only, the segments evaluated as of the wave's last
    survey date (its sent_on, or the last survey date of any wave, when it has no answers); the same
    accounts are used for the previous wave, the change and the history, and ``segment`` says what
    the figures cover (else it is None).
    """
    all_waves = load_all_waves(con)
    answered = all_waves[all_waves["last_survey_date"].notna()]["wave"].tolist()
    waves = all_waves["wave"].tolist()
    if wave is None:
        wave = answered[-1] if answered else (waves[-1] if waves else None)
    if wave is None:
        return None
    accounts, segment = None, None
    if filters is not None and filters.has_segments:
        accounts, segment = _page_segment(con, all_waves, wave, filters)
    current = compute_satisfaction(con, wave=wave, accounts=accounts)
    position = waves.index(wave) if wave in waves else -1
    earlier = [w for w in waves[:position] if w in answered] if position > 0 else []
    previous = compute_satisfaction(con, wave=earlier[-1], accounts=accounts) if earlier else None
    params = _params(con, wave, None, None, accounts=accounts)
    names = query_df(con, ACCOUNT_NAMES_SQL, {"account_ids": current.accounts["account_id"].tolist()})
    return SatisfactionPage(
        waves=tuple(waves),
        wave=wave,
        segment=segment,
        previous_wave=earlier[-1] if earlier else None,
        current=current,
        previous=previous,
        items=compute_gap_to_previous(current, previous),
        change=bootstrap_difference(current.questionnaire_indexes, previous.questionnaire_indexes if previous else ()),
        # the satisfied rate is a mean of 0/1 account flags: the same bootstrap, resampling accounts
        rate_change=bootstrap_difference(satisfied_flags(current), satisfied_flags(previous)),
        revenue_window_months=REVENUE_WINDOW_MONTHS,
        dimensions=compute_dimension_gap_to_previous(current, previous),
        history=compute_wave_history(con, accounts=accounts),
        likert=query_df(con, LIKERT_SQL, params),
        coverage=compute_coverage(con, wave=wave, accounts=accounts),
        accounts=current.accounts.merge(names, on="account_id", how="left"),
        comments=query_df(con, COMMENTS_SQL, params),
    )


def compute_account_waves(con: duckdb.DuckDBPyConnection, account_id: str) -> pd.DataFrame:
    """One account's satisfaction per wave, oldest first: wave, account_index (mean of its valid
    questionnaires' indexes), n."""
    frame = compute_questionnaire_indexes(con, account_id=account_id)
    if frame.empty:
        return pd.DataFrame(columns=["wave", "account_index", "n"])
    order = {w: i for i, w in enumerate(load_all_waves(con)["wave"])}
    out = (frame.groupby("wave", as_index=False, dropna=False)
           .agg(account_index=("questionnaire_index", "mean"), n=("questionnaire_index", "size")))
    return out.sort_values("wave", key=lambda s: s.map(lambda w: order.get(w, len(order)))).reset_index(drop=True)


def satisfaction_json(result: SatisfactionResult) -> dict[str, Any]:
    """The ``satisfaction --json`` payload (docs/cli.md) from :func:`compute_satisfaction`."""
    def num(value):
        return None if value is None or pd.isna(value) else float(value)

    return {
        "overall_index": num(result.overall_index),
        "satisfied_rate": num(result.satisfied_rate),
        "response_rate": num(result.response_rate),
        "validity_rate": num(result.validity_rate),
        "n_returned": result.n_returned,
        "n_valid": result.n_valid,
        "items": {r.item_code: {"index": num(r.satisfaction), "n": int(r.n)} for r in result.items.itertuples()},
        "dimensions": {r.dimension: num(r.satisfaction) for r in result.dimensions.itertuples()},
        "accounts": {r.account_id: num(r.account_index) for r in result.accounts.itertuples()},
        "nps": num(result.nps.nps),
        "items_left_out": {item.item_code: item.reason for item in result.left_out},
    }


SURVEY_ITEMS_SQL = """
select item_code, label_zh, label_en, dimension, weight, scale_min, scale_max, target_index
from survey_items order by item_code
"""

UPDATE_SURVEY_ITEM_SQL = """
update survey_items set dimension = $dimension, weight = $weight, target_index = $target_index
where item_code = $item_code
"""


class SurveyItemsInvalid(ValueError):
    """An edited survey-item row that cannot be stored; the message says which row and how to fix it.
    ``key`` and ``fields`` name the message in the catalogue so the page can show it in either language."""

    def __init__(self, key: str, english: str, **fields: Any) -> None:
        super().__init__(english)
        self.key = key
        self.fields = fields


def load_survey_items(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """One row per survey item: item_code, label_zh, label_en, dimension, weight, scale_min, scale_max,
    target_index (null = the target_index setting)."""
    return query_df(con, SURVEY_ITEMS_SQL, {})


def save_survey_item_settings(con: duckdb.DuckDBPyConnection, edited: pd.DataFrame,
                              on_commit: Callable[[duckdb.DuckDBPyConnection, int], None] | None = None) -> int:
    """Store the dimension, weight and target_index of existing items (all rows or none). Returns the
    number of rows written; raises SurveyItemsInvalid naming the item and the fix. ``on_commit(con, n)``
    runs inside the transaction just before it commits (the audit entry)."""
    from kam_metrics.store.connection import SURVEY_DIMENSIONS

    rows = []
    for row in edited.itertuples(index=False):
        weight = None if pd.isna(row.weight) else float(row.weight)
        target = None if pd.isna(row.target_index) else float(row.target_index)
        if row.dimension not in SURVEY_DIMENSIONS:
            raise SurveyItemsInvalid(
                "sat.settings.bad_dimension", f"{row.item_code}: dimension must be one of {', '.join(SURVEY_DIMENSIONS)}",
                item=row.item_code, options=", ".join(SURVEY_DIMENSIONS))
        if weight is None or weight < 0:
            raise SurveyItemsInvalid("sat.settings.bad_weight", f"{row.item_code}: weight must be a number ≥ 0", item=row.item_code)
        if target is not None and not 0 <= target <= 100:
            raise SurveyItemsInvalid(
                "sat.settings.bad_target", f"{row.item_code}: target must be between 0 and 100, or empty", item=row.item_code)
        rows.append({"item_code": row.item_code, "dimension": row.dimension, "weight": weight, "target_index": target})
    con.execute("begin transaction")
    try:
        for params in rows:
            con.execute(UPDATE_SURVEY_ITEM_SQL, params)
        if on_commit is not None:
            on_commit(con, len(rows))
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    return len(rows)
