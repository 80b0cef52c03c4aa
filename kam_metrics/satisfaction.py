"""Satisfaction index (design.md §4 *Satisfaction*, seed 004 顾客满意度调查统计分析).

Rules: a questionnaire leaving at most ``survey_max_imputed_blanks`` of its 1-5 items blank counts each
blank as ``survey_blank_impute_score`` (3, 一般); more blanks make it invalid. An answer's index value is
score × 100 / scale_max. Index items are the 1-5 items outside the dimension ``overall``. Item
satisfaction is the mean index value over valid questionnaires; overall satisfaction is the
weight-weighted mean of item satisfaction.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import duckdb
import pandas as pd

from kam_metrics.settings import load_settings
from kam_metrics.sql import query_df, query_row

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
    select item_code, dimension, weight, scale_max
    from survey_items
    where scale_min = 1 and scale_max = 5
),
answers as (
    select r.response_id, r.item_code, r.score
    from survey_responses as r
    join likert_items using (item_code)
    where r.wave = $wave
),
asked_items as (
    select distinct a.item_code, i.dimension, i.weight, i.scale_max
    from answers as a
    join likert_items as i using (item_code)
),
questionnaires as (
    select response_id, count(score) as count_answered
    from answers
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
        coalesce(a.score, $impute_score) * 100.0 / i.scale_max as index_value
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
    (select count(distinct response_id) from survey_responses where wave = $wave) as n_returned,
    (select count(*) from valid_questionnaires) as n_valid
"""


def compute_wave_overall(con: duckdb.DuckDBPyConnection, wave: str) -> dict[str, Any]:
    """Overall satisfaction of one wave. Keys: wave, overall_index (0-100, None without valid
    questionnaires), n_returned (questionnaires), n_valid (questionnaires passing the blank rule)."""
    settings = load_settings(con)
    params = {
        "wave": wave,
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


def compute_latest_overall(con: duckdb.DuckDBPyConnection, as_of: date) -> dict[str, Any]:
    """Overall satisfaction of the latest wave finished by ``as_of`` and of the wave before it.

    Keys: the latest wave's figures (see :func:`compute_wave_overall`; wave None when no wave exists)
    and ``previous``, the same for the wave before it (or None).
    """
    waves = load_waves(con, as_of)["wave"].tolist()
    if not waves:
        return {"wave": None, "overall_index": None, "n_returned": 0, "n_valid": 0, "previous": None}
    latest = compute_wave_overall(con, waves[-1])
    latest["previous"] = compute_wave_overall(con, waves[-2]) if len(waves) > 1 else None
    return latest
