"""An import into a database that does not exist yet runs every check, whichever way its path is given
(``--db``, ``KAM_DB`` or the default data/kam.duckdb), and a rejected import or a dry run creates no file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

ROOT = Path(__file__).resolve().parents[2]

SALES = "order_id,account_id,order_date,quantity,amount\nO1,A1,2025-01-05,2,100\nO2,A2,2025-01-06,1,50\n"
RESPONSES = "response_id,wave,survey_date,item_code,score\nR1,2025H1,2025-06-01,Q1,4\nR1,2025H1,2025-06-01,Q2,5\n"


def run(way: str, cwd: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "KAM_DB"}
    env["PYTHONPATH"] = str(ROOT)
    env["LANG"] = "C.UTF-8"
    db_args: list[str] = []
    if way == "--db":
        db_args = ["--db", "x.duckdb"]
    elif way == "KAM_DB":
        env["KAM_DB"] = "x.duckdb"
    return subprocess.run([sys.executable, "-m", "kam_metrics", *db_args, *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


def db_file(way: str, cwd: Path) -> Path:
    return cwd / ("x.duckdb" if way in ("--db", "KAM_DB") else "data/kam.duckdb")


@pytest.mark.parametrize("way", ["--db", "KAM_DB", "default"])
def test_every_check_runs_on_a_new_database_whichever_way_its_path_is_given(tmp_path, way):
    (tmp_path / "s.csv").write_text(SALES, encoding="utf-8")
    (tmp_path / "r.csv").write_text(RESPONSES, encoding="utf-8")

    for dry in ([], ["--dry-run"]):
        result = run(way, tmp_path, "import", "sales", "s.csv", "--json", *dry)
        assert result.returncode == 3, result.stdout + result.stderr
        payload = json.loads(result.stdout)
        assert payload["status"] == "rejected"
        assert {(p["row"], p["column"], p["value"]) for p in payload["problems"]} == {(2, "account_id", "A1"), (3, "account_id", "A2")}
        assert "Traceback" not in result.stderr
        assert not db_file(way, tmp_path).exists(), "a rejected import or a dry run created the database"

    dry = run(way, tmp_path, "import", "survey_responses", "r.csv", "--dry-run", "--json")
    assert dry.returncode == 0, dry.stderr
    assert json.loads(dry.stdout)["preview"]["new"] == 2
    assert not db_file(way, tmp_path).exists()

    done = run(way, tmp_path, "import", "survey_responses", "r.csv", "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["rows_inserted"] == 2
    with duckdb.connect(str(db_file(way, tmp_path)), read_only=True) as con:
        items = con.execute("select item_code, scale_min, scale_max from survey_items order by item_code").fetchall()
    assert items == [("Q1", 1, 5), ("Q2", 1, 5)]


def test_undo_on_a_missing_database_creates_no_file(tmp_path):
    result = run("--db", tmp_path, "undo", "1")
    assert result.returncode == 1
    assert "does not exist" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "x.duckdb").exists()


@pytest.mark.parametrize(("option", "named", "listed"), [
    ("Nope=amount", "'Nope'", "order_id, account_id, order_date, quantity, amount"),
    ("order_id=nope", "'nope'", "order_id, line_no, account_id, order_date"),
])
def test_a_map_naming_what_is_not_there_is_an_error_listing_what_is(tmp_path, option, named, listed):
    (tmp_path / "s.csv").write_text(SALES, encoding="utf-8")
    result = run("--db", tmp_path, "import", "sales", "s.csv", "--map", option, "--create-accounts", "--json")
    assert result.returncode == 3, result.stdout + result.stderr
    problem = json.loads(result.stdout)["problems"][0]
    assert named in problem["problem"] and listed in problem["fix"]
    assert not (tmp_path / "x.duckdb").exists()


def test_a_map_header_matches_like_the_files_headers_do(tmp_path):
    (tmp_path / "s.csv").write_text(SALES, encoding="utf-8")
    result = run("--db", tmp_path, "import", "sales", "s.csv", "--map", "ORDER ID=order_id", "--create-accounts", "--json")
    assert result.returncode == 0, result.stdout + result.stderr
    assert json.loads(result.stdout)["mapping"]["order_id"] == "order_id"
