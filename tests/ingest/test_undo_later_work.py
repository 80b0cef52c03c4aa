"""Undo never destroys later work: it refuses when account edits, target edits or rows of other tables
depend on the import, naming them, and goes through once they are undone."""

from __future__ import annotations

import pandas as pd
import pytest
from rows import query  # tests/support, on the path (tests/conftest.py)

from kam_metrics.access.policy import Actor
from kam_metrics.ingest.stage import UndoRefused, commit_staged, stage_file, undo_import
from kam_metrics.records import accounts as records
from kam_metrics.records import targets as target_records
from kam_metrics.store import connection as store

EDITOR = Actor("eddie", "editor")


def load(db, text, table, mode="append"):
    staged = stage_file(text.encode(), f"{table}.csv", table, db=db)
    assert staged.ok, staged.problem_rows("en")
    return commit_staged(db, staged, mode=mode)["import_id"]


def test_an_accounts_import_with_later_edits_is_not_undone_until_the_edits_are(db):
    import_id = load(db, "客户编号,客户名称,区域\nK1,甲公司,华东\nK2,乙公司,华南\n", "accounts")
    with store.open_db(db) as con:
        original = records.search_accounts(con, "K1", "account_id")
        edited = original.copy().astype(object)
        edited.loc[0, "region"] = "西南"
        change = records.save_edits(con, EDITOR, original, edited)[0]
    with pytest.raises(UndoRefused) as refused:
        undo_import(db, import_id)
    assert f"#{change['change_id']} K1.region" in str(refused.value) and "Account records" in str(refused.value)
    assert query(db, "select account_id, region from accounts order by 1") == [("K1", "西南"), ("K2", "华南")]
    with store.open_db(db) as con:
        records.undo_change(con, EDITOR, change["change_id"])
    undo_import(db, import_id)
    assert query(db, "select count(*) from accounts") == [(0,)]


def test_an_accounts_import_that_other_rows_name_is_not_undone_while_they_do(db):
    accounts = load(db, "客户编号,客户名称\nK1,甲公司\nK2,乙公司\n", "accounts")
    projects = load(db, "项目编号,客户编号,项目名称,开始日期\nP1,K1,改造,2025-01-01\n", "projects")
    calls = load(db, "interaction_id,account_id,kind,opened_at\nI1,K2,call,2025-02-01 10:00\n", "interactions")
    with pytest.raises(UndoRefused) as refused:
        undo_import(db, accounts)
    assert "projects 1, interactions 1" in str(refused.value) and f"imports {projects}, {calls}" in str(refused.value)
    assert query(db, "select count(*) from accounts") == [(2,)]
    undo_import(db, calls)
    undo_import(db, projects)
    undo_import(db, accounts)
    assert query(db, "select count(*) from accounts") == [(0,)]


def test_a_targets_import_whose_updated_targets_were_edited_later_is_not_undone(db):
    load(db, "period,level,key,revenue_target\n2025Q1,owner,张三,100\n2025Q2,owner,张三,200\n", "targets")
    update = load(db, "period,level,key,revenue_target\n2025Q1,owner,张三,150\n", "targets", mode="upsert")
    with store.open_db(db) as con:
        frame = target_records.load_targets(con)
        frame.loc[frame["period"] == "2025Q1", "revenue_target"] = 175.0
        target_records.save_targets(con, pd.DataFrame(frame))
    with pytest.raises(UndoRefused) as refused:
        undo_import(db, update)
    assert "2025Q1/owner/张三" in str(refused.value)
    assert query(db, "select period, revenue_target from targets order by 1") == [("2025Q1", 175.0), ("2025Q2", 200.0)]
