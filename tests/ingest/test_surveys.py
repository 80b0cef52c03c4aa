"""Survey imports: scales are declared, never guessed; "not applicable" codes become blanks; Likert
words become scores; a wide survey keeps only its score columns, and every change is told."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from rows import query  # tests/support, on the path (tests/conftest.py)

from kam_metrics.ingest.stage import commit_staged, stage_file
from kam_metrics.ingest.surveys import parse_na_values, parse_scale_options
from kam_metrics.metrics.satisfaction import compute_satisfaction

ROOT = Path(__file__).resolve().parents[2]
# a wide airline-style survey: 0 means "not applicable" on 1-5 items; gender and class hold no scores
WIDE = (
    "id,Gender,Class,Seat comfort,Food,Wifi\n"
    "1,Male,Eco,5,0,3\n"
    "2,Female,Business,4,4,0\n"
    "3,Female,Eco,2,3,1\n"
)


def stage(db, text, **options):
    return stage_file(text.encode(), "survey.csv", "survey_responses", db=db, wave="W", survey_date=None, **options)


def test_the_options_parse_and_bad_ones_say_how_to_write_them():
    assert parse_scale_options(["1-5", "Wifi=0-10", "Food = 1~7"]) == {"*": (1, 5), "Wifi": (0, 10), "Food": (1, 7)}
    assert parse_na_values(["0", "99,不适用"]) == ["0", "99", "不适用"]
    for bad in ("5-1", "1-11", "x", "Item=1-1"):
        with pytest.raises(ValueError, match="--scale"):
            parse_scale_options([bad])


def test_a_zero_on_a_1_to_5_item_is_a_problem_naming_the_column_and_the_ways_out(db):
    staged = stage(db, WIDE, mapping={"id": "response_id"}, fill={"survey_date": "2025-06-01"})
    assert not staged.ok
    assert [(p.row, p.column, p.value) for p in staged.problems] == [(2, "Food", "0"), (3, "Wifi", "0")]
    assert "--na-values 0" in staged.problems[0].fix_en and '--scale "Food=0-5"' in staged.problems[0].fix_en
    # gender and class are no scores: left out with a notice, not turned into items
    notices = " ".join(en for _, en in staged.notices)
    assert "hold no scores were left out: Gender, Class" in notices


def test_na_values_make_blanks_with_a_notice_and_the_index_counts_every_item(db):
    staged = stage(db, WIDE, mapping={"id": "response_id"}, fill={"survey_date": "2025-06-01"}, na_values=["0"])
    assert staged.ok, staged.problem_rows("en")
    notices = " ".join(en for _, en in staged.notices)
    assert "2 answer(s) coded as not applicable (0) were imported as blanks" in notices
    assert "the default scale 1-5 where none was declared" in notices
    commit_staged(db, staged)
    assert query(db, "select item_code, scale_min, scale_max from survey_items order by 1") == [
        ("Food", 1, 5), ("Seat comfort", 1, 5), ("Wifi", 1, 5)]
    assert query(db, "select count(*) from survey_responses where score is null") == [(2,)]
    # one blank each (questionnaires 1 and 2) is allowed and counts as 3. Index values:
    # Seat comfort (100+80+40)/3 = 73.33; Food (60 imputed+80+60)/3 = 66.67; Wifi (60+60 imputed+20)/3 = 46.67
    # overall (equal weights) (73.33+66.67+46.67)/3 = 62.22
    con = duckdb.connect(str(db), read_only=True)
    try:
        result = compute_satisfaction(con, wave="W")
    finally:
        con.close()
    assert result.overall_index == pytest.approx((220 / 3 + 200 / 3 + 140 / 3) / 3)


def test_a_declared_scale_is_used_and_a_contradicting_one_refused(db):
    staged = stage(db, WIDE, mapping={"id": "response_id"}, fill={"survey_date": "2025-06-01"}, scales={"*": (0, 5)})
    assert staged.ok and sorted(staged.new_items) == [("Food", 0, 5), ("Seat comfort", 0, 5), ("Wifi", 0, 5)]
    assert "scales as declared with --scale" in " ".join(en for _, en in staged.notices)
    commit_staged(db, staged)
    again = stage(db, WIDE.replace("\n1,", "\n4,").replace("\n2,", "\n5,").replace("\n3,", "\n6,"),
                  mapping={"id": "response_id"}, fill={"survey_date": "2025-06-01"}, scales={"Wifi": (1, 10)})
    assert [(p.row, p.column, p.value) for p in again.problems] == [(None, "item_code", "Wifi")]
    assert "defined with the scale 0-5; --scale says 1-10" in again.problems[0].problem_en
    unknown = stage(db, WIDE, mapping={"id": "response_id"}, fill={"survey_date": "2025-06-01"}, scales={"Legroom": (1, 5)})
    assert any("--scale names item Legroom, which the file does not answer" in p.problem_en for p in unknown.problems)


def test_a_column_left_out_with_a_dash_is_no_item(db):
    staged = stage(db, WIDE, mapping={"id": "response_id", "Wifi": "-"}, fill={"survey_date": "2025-06-01"},
                   na_values=["0"])
    assert staged.ok and staged.wide_items == ["Seat comfort", "Food"]


def test_likert_words_are_recoded_to_scores_with_a_notice(db):
    text = "问卷编号,题号,调查日期,得分\nR1,Q1,2025-06-01,非常满意\nR1,Q2,2025-06-01,一般\nR2,Q1,2025-06-01,Satisfied\n"
    staged = stage(db, text)
    assert staged.ok, staged.problem_rows("en")
    assert staged.rows.column("score").to_pylist() == [5.0, 3.0, 4.0]
    notices = " ".join(en for _, en in staged.notices)
    assert "Likert words recoded to 1-5 scores: " in notices and "非常满意 → 5 (1)" in notices and "satisfied → 4 (1)" in notices


def test_the_command_line_takes_scale_and_na_values(db, tmp_path):
    file = tmp_path / "airline.csv"
    file.write_text(WIDE, encoding="utf-8")
    run = [sys.executable, "-m", "kam_metrics", "import", "survey_responses", str(file), "--db", str(db), "--wave", "W",
           "--map", "id=response_id", "--set", "survey_date=2025-06-01", "--json"]
    refused = subprocess.run(run, capture_output=True, text=True, cwd=ROOT)
    assert refused.returncode == 3 and {p["column"] for p in json.loads(refused.stdout)["problems"]} == {"Food", "Wifi"}
    bad = subprocess.run([*run, "--scale", "5-1"], capture_output=True, text=True, cwd=ROOT)
    assert bad.returncode == 2 and "--scale" in bad.stderr
    done = subprocess.run([*run, "--scale", "1-5", "--na-values", "0"], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["rows_inserted"] == 9
    assert query(db, "select count(*) from survey_responses where score is null") == [(2,)]


def test_a_wide_surveys_id_column_is_the_questionnaire_not_an_item(db):
    """Survey tools export the respondent's number as "id" or 序号: it identifies the questionnaire, so it
    never becomes an item of a wide survey."""
    staged = stage(db, WIDE, fill={"survey_date": "2025-06-01"}, na_values=["0"])
    assert staged.ok, staged.problem_rows("en")
    assert staged.wide_items == ["Seat comfort", "Food", "Wifi"]
    assert sorted(set(staged.rows.column("response_id").to_pylist())) == ["1", "2", "3"]
