"""Constants and recoding: ``--set`` fills a column the file lacks, ``--recode`` maps a file's own codes onto
ours, known synonyms (the CRMs' stage names, ticket kinds) are recoded with a notice, and an unknown value
is a problem that shows the ``--recode`` to use."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from rows import database  # tests/support, on the path (tests/conftest.py)

from kam_metrics.ingest.stage import ImportRejected, commit_staged, parse_recode_options, parse_set_options, stage_file
from kam_metrics.store import connection as store

ROOT = Path(__file__).resolve().parents[2]
PIPELINE = (
    "Opportunity ID,Account ID,Stage,Amount,Created Date\n"
    "P1,K1,Closed Won,100,2025-01-01\nP2,K1,Prospecting,200,2025-01-02\nP3,K1,赢单,300,2025-01-03\n"
    "P4,K1,Stalled,400,2025-01-04\nP5,K1,stalled,500,2025-01-05\n"
)
TICKETS = "工单号,客户编号,创建时间\nT1,K1,2025-01-02 10:00\nT2,K1,2025-01-03 11:00\n"


@pytest.fixture()
def db(tmp_path) -> Path:
    return database(tmp_path / "kam.duckdb", K1="甲公司")


def test_known_crm_stage_names_are_recoded_with_a_notice_and_unknown_ones_are_problems(db):
    staged = stage_file(PIPELINE.encode(), "p.csv", "opportunities", db=db)
    assert [(p.row, p.value) for p in staged.problems] == [(5, "Stalled"), (6, "stalled")]
    assert "--recode stage:Stalled=CODE" in staged.problems[0].fix_en
    assert staged.unknown_values == {"stage": ["Stalled", "stalled"]}
    notice = next(en for _, en in staged.notices if en.startswith("stage values recoded"))
    assert "Closed Won → won (1)" in notice and "Prospecting → lead (1)" in notice and "赢单 → won (1)" in notice


def test_recode_maps_the_files_codes_case_insensitively(db):
    staged = stage_file(PIPELINE.encode(), "p.csv", "opportunities", db=db, recodes={"stage": {"STALLED": "lost"}})
    assert staged.ok, [p.problem_en for p in staged.problems]
    assert staged.rows.column("stage").to_pylist() == ["won", "lead", "won", "lost", "lost"]
    commit_staged(db, staged)
    with store.open_db(db) as con:
        assert con.execute("select stage, count(*), sum(amount) from opportunities group by 1 order by 1").fetchall() == [
            ("lead", 1, 200.0), ("lost", 2, 900.0), ("won", 2, 400.0)]


def test_a_recode_to_no_code_is_refused_listing_the_codes(db):
    with pytest.raises(ImportRejected) as refused:
        stage_file(PIPELINE.encode(), "p.csv", "opportunities", db=db, recodes={"stage": {"Stalled": "paused"}})
    assert "lead, initiation, proposal, bidding, negotiation, won, lost" in refused.value.problems[0].fix_en


def test_set_fills_a_column_the_file_lacks(db):
    missing = stage_file(TICKETS.encode(), "t.csv", "interactions", db=db)
    assert [p.column for p in missing.problems] == ["kind"]
    assert "--set kind=VALUE" in missing.problems[0].fix_en and "工单号, 客户编号, 创建时间" in missing.problems[0].fix_en
    staged = stage_file(TICKETS.encode(), "t.csv", "interactions", db=db, fill={"kind": "投诉"})
    assert staged.ok, [p.problem_en for p in staged.problems]
    assert staged.rows.column("kind").to_pylist() == ["complaint", "complaint"]
    assert any("Column kind comes from the import settings" in en for _, en in staged.notices)


def test_set_is_parsed_and_checked_like_a_cell(db):
    text = "order_id,account_id,order_date,amount\nO1,K1,2025-01-05,10\nO2,K1,2025-01-06,20\n"
    staged = stage_file(text.encode(), "s.csv", "sales", db=db, fill={"quantity": "1"})
    assert staged.ok and staged.rows.column("quantity").to_pylist() == [1.0, 1.0]
    bad = stage_file(text.encode(), "s.csv", "sales", db=db, fill={"quantity": "one"})
    assert {(p.column, p.value) for p in bad.problems} >= {("quantity", "one")}
    with pytest.raises(ImportRejected):
        stage_file(text.encode(), "s.csv", "sales", db=db, fill={"colour": "red"})


def test_the_option_parsers():
    assert parse_set_options(["kind=complaint", " quantity = 1 "]) == {"kind": "complaint", "quantity": "1"}
    assert parse_recode_options(["stage:Closed Won=won", "stage:a=b=lost"]) == {"stage": {"Closed Won": "won", "a=b": "lost"}}
    with pytest.raises(ValueError):
        parse_recode_options(["stage=won"])
    with pytest.raises(ValueError):
        parse_set_options(["kind"])


def test_the_command_line_sets_and_recodes(db, tmp_path):
    (tmp_path / "t.csv").write_text(TICKETS, encoding="utf-8")
    (tmp_path / "p.csv").write_text(PIPELINE, encoding="utf-8")
    base = [sys.executable, "-m", "kam_metrics", "--db", str(db), "import"]
    tickets = subprocess.run([*base, "interactions", str(tmp_path / "t.csv"), "--set", "kind=complaint", "--json"],
                             capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert tickets.returncode == 0, tickets.stdout + tickets.stderr
    assert json.loads(tickets.stdout)["rows_inserted"] == 2
    pipeline = subprocess.run([*base, "opportunities", str(tmp_path / "p.csv"), "--recode", "stage:Stalled=lost", "--json"],
                              capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert pipeline.returncode == 0, pipeline.stdout + pipeline.stderr
    assert json.loads(pipeline.stdout)["rows_inserted"] == 5
    usage = subprocess.run([*base, "opportunities", str(tmp_path / "p.csv"), "--recode", "stage=lost"],
                           capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert usage.returncode == 2 and "stage:Closed Won=won" in usage.stderr
