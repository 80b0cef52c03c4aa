"""Satisfaction on real public surveys from ../shared/realdata (skipped when the folder is absent)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from pytest import approx

from kam_metrics.metrics.satisfaction import compute_satisfaction
from kam_metrics.store.connection import open_db

ROOT = Path(__file__).resolve().parents[2]
REALDATA = ROOT.parent / "shared" / "realdata"
pytestmark = pytest.mark.skipif(not REALDATA.is_dir(), reason=f"real data folder {REALDATA} is not present")


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kam_metrics", *args], cwd=ROOT, capture_output=True, text=True, timeout=600)


def test_somerville_derived_importance_of_x1_to_x6_against_y(tmp_path):
    db = tmp_path / "kam.duckdb"
    items = tmp_path / "items.csv"
    items.write_text("item_code,dimension,weight,scale_min,scale_max\n"
                     + "".join(f"X{i},service,1,1,5\n" for i in range(1, 7)) + "Y,overall,1,0,1\n", encoding="utf-8")
    assert cli("import", "survey_items", str(items), "--db", str(db)).returncode == 0
    result = cli("import", "survey_responses", str(REALDATA / "somerville_happiness_survey_2015.csv"), "--db", str(db),
                 "--wave", "2015", "--survey-date", "2015-06-30", "--json")
    assert result.returncode == 0, result.stderr[-2000:]
    with open_db(db, read_only=True) as con:
        r = compute_satisfaction(con, wave="2015")
    raw = pd.read_csv(REALDATA / "somerville_happiness_survey_2015.csv", encoding="utf-8-sig")
    items = r.items.set_index("item_code")
    assert set(items["outcome_item"]) == {"Y"}  # no 1-5 overall item: the 0-1 outcome is used
    for code in (f"X{i}" for i in range(1, 7)):
        # the index value is a linear rescaling of the answer, so the correlation equals pandas' on the raw file
        assert items.loc[code, "importance"] == approx(raw[code].corr(raw["Y"]))
        assert items.loc[code, "satisfaction"] == approx(raw[code].mean() * 20)
        assert items.loc[code, "n"] == 143
    # X1 (availability of information about city services) matters most for happiness in this survey
    assert items["importance"].idxmax() == "X1"
    assert r.n_valid == 143 and r.accounts.empty  # anonymous: counts in items, not in accounts


def test_plspm_0_to_10_items_are_scored_on_their_own_scale(tmp_path):
    # imported with an explicit 0-10 scale the items are reported on their own, never as 1-5 index items
    db = tmp_path / "kam.duckdb"
    header = pd.read_csv(REALDATA / "plspm_satisfaction_survey.csv", nrows=0).columns
    codes = [c for c in header if c != "gender"]
    items = tmp_path / "items.csv"
    items.write_text("item_code,dimension,weight,scale_min,scale_max\n"
                     + "".join(f"{c},{'overall' if c.startswith(('sat', 'loy')) else 'product'},1,0,10\n" for c in codes),
                     encoding="utf-8")
    assert cli("import", "survey_items", str(items), "--db", str(db)).returncode == 0
    data = tmp_path / "plspm.csv"
    pd.read_csv(REALDATA / "plspm_satisfaction_survey.csv")[["loy1"]].to_csv(data, index=False)
    result = cli("import", "survey_responses", str(data), "--db", str(db), "--wave", "2020", "--survey-date", "2020-01-31", "--json")
    assert result.returncode == 0, result.stderr[-2000:]
    with open_db(db, read_only=True) as con:
        r = compute_satisfaction(con, wave="2020")
    loy1 = pd.read_csv(REALDATA / "plspm_satisfaction_survey.csv")["loy1"]
    assert r.items.empty and r.overall_index is None  # not scored as 1-5
    # NPS on the 0-10 scale: % 9-10 − % 0-6
    expected = ((loy1 >= 9).mean() - (loy1 <= 6).mean()) * 100
    assert r.nps.nps == approx(expected) and r.nps.count_answers == len(loy1)
