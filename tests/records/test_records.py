"""kam_metrics.records.accounts (客户资料): search, edits checked exactly like an import, every change recorded with
who/when/old/new, undo of one change, and refusals that write nothing."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from kam_metrics.access import audit as audit_log
from kam_metrics.access.policy import Actor, PermissionDenied
from kam_metrics.ingest import stage as ingest
from kam_metrics.records import accounts as records
from kam_metrics.records.accounts import EditConflict, EditsInvalid
from kam_metrics.store.connection import open_db

EDITOR = Actor("eddie", "editor")


def test_search_by_each_field(hand_db):
    with open_db(hand_db) as con:
        def ids(query, field="all"):
            return records.search_accounts(con, query, field)["account_id"].tolist()

        assert ids("") == ["A1", "A2", "A3", "A4", "A5"]
        assert ids("a3", "account_id") == ["A3"]
        assert ids("物流", "industry") == ["A4", "A5"]
        assert ids("华东", "region") == ["A1", "A3"]
        assert ids("李四", "owner") == ["A2", "A4", "A5"]
        assert ids("机械", "account_name") == ["A1"]
        assert ids("华北") == ["A4", "A5"]  # all fields
        assert ids("%") == [] and ids("_") == []  # LIKE wildcards are searched for literally
        assert records.count_accounts(con, "李四", "owner") == 3
        with pytest.raises(ValueError):
            records.search_accounts(con, "x", "account_name; drop table accounts")


# A bad value for the editor and the same value in an imported accounts file must get the same problem.
BAD_VALUES = [
    ("scale", "huge"),
    ("cooperation_start", "soon"),
    ("cooperation_start", "1975-01-01"),  # implausible
    ("is_key_account", "maybe"),
    ("status", "dormant"),
    ("account_name", "   "),  # required
]


@pytest.mark.parametrize("column, value", BAD_VALUES)
def test_the_editor_refuses_what_the_importer_refuses_with_the_same_message(hand_db, column, value):
    with open_db(hand_db) as con:
        original = records.search_accounts(con, "A2", "account_id")
    edited = original.copy().astype(object)
    edited.loc[0, column] = value
    with pytest.raises(EditsInvalid) as refused:
        with open_db(hand_db) as con:
            records.save_edits(con, EDITOR, original, edited)
    editor_problems = {(p["column"], p["problem_en"], p["fix_en"]) for p in refused.value.problems}
    assert all(p["row"] == 1 and p["account_id"] == "A2" for p in refused.value.problems)

    header = ",".join(records.COLUMNS)
    row = {c: "" for c in records.COLUMNS} | {"account_id": "A2", "account_name": "乙零售有限公司", "status": "active"}
    row[column] = value
    csv = (header + "\n" + ",".join(row[c] for c in records.COLUMNS) + "\n").encode()
    staged = ingest.stage_file(csv, "accounts.csv", "accounts", db=hand_db)
    import_problems = {(p.column, p.problem_en, p.fix_en) for p in staged.problems if p.row}
    assert import_problems  # the importer refuses it too
    assert editor_problems == import_problems
    with open_db(hand_db) as con:  # nothing written
        assert con.execute("select count(*) from account_changes").fetchall()[0][0] == 0
        assert records.search_accounts(con, "A2", "account_id").equals(original)


def test_edits_parse_like_an_import_are_recorded_and_undone_one_by_one(hand_db):
    with open_db(hand_db) as con:
        original = records.search_accounts(con, "华东", "region")  # A1, A3
        edited = original.copy().astype(object)
        edited.loc[0, "scale"] = "中型"  # a Chinese label, read as the code
        edited.loc[0, "is_key_account"] = True
        edited.loc[1, "cooperation_start"] = "2024年2月29日"  # read as a date
        edited.loc[1, "owner"] = "  王五 "  # trimmed like an import
        changes = records.save_edits(con, EDITOR, original, edited)
        assert [(c["account_id"], c["column"], c["old"], c["new"]) for c in changes] == [
            ("A1", "scale", "large", "medium"),
            ("A1", "is_key_account", None, True),
            ("A3", "owner", "张三", "王五"),
            ("A3", "cooperation_start", date(2025, 1, 10), date(2024, 2, 29)),
        ]
        stored = con.execute(
            "select account_id, scale, is_key_account, owner, cooperation_start from accounts where account_id in ('A1', 'A3') "
            "order by account_id").fetchall()
        assert stored == [("A1", "medium", True, "张三", date(2018, 1, 1)), ("A3", "small", None, "王五", date(2024, 2, 29))]
        history = records.list_changes(con)
        assert history["user_name"].unique().tolist() == ["eddie"]
        assert history[["column_name", "old_value", "new_value"]].values.tolist()[0] == ["cooperation_start", "2025-01-10", "2024-02-29"]
        # undo one change: only that value goes back
        records.undo_change(con, EDITOR, changes[3]["change_id"])
        assert con.execute("select cooperation_start, owner from accounts where account_id = 'A3'").fetchall() == [
            (date(2025, 1, 10), "王五")]
        with pytest.raises(EditConflict):  # twice: refused
            records.undo_change(con, EDITOR, changes[3]["change_id"])
        audit = audit_log.read_audit(con)[["user_name", "action"]].values.tolist()
        assert audit == [["eddie", "undo_edit"], ["eddie", "edit_accounts"]]


def test_an_edit_of_a_value_changed_meanwhile_is_refused(hand_db):
    with open_db(hand_db) as con:
        shown = records.search_accounts(con, "A4", "account_id")
        con.execute("update accounts set region = '西北' where account_id = 'A4'")  # someone else, meanwhile
        with pytest.raises(EditConflict):
            records.save_edits(con, EDITOR, shown, shown.assign(region=["东北"]))
        assert con.execute("select region from accounts where account_id = 'A4'").fetchall() == [("西北",)]


def test_undo_refused_after_a_later_change_of_the_same_cell(hand_db):
    with open_db(hand_db) as con:
        first = records.search_accounts(con, "A5", "account_id")
        one = records.save_edits(con, EDITOR, first, first.assign(city=["天津"]))
        second = records.search_accounts(con, "A5", "account_id")
        records.save_edits(con, EDITOR, second, second.assign(city=["北京"]))
        with pytest.raises(EditConflict):
            records.undo_change(con, EDITOR, one[0]["change_id"])
        assert con.execute("select city from accounts where account_id = 'A5'").fetchall() == [("北京",)]


def test_a_viewer_cannot_edit_or_undo(hand_db):
    with open_db(hand_db) as con:
        shown = records.search_accounts(con, "A1", "account_id")
        changes = records.save_edits(con, EDITOR, shown, shown.assign(city=["上海"]))
        viewer = Actor("vera", "viewer")
        with pytest.raises(PermissionDenied):
            records.save_edits(con, viewer, shown, shown.assign(city=["苏州"]))
        with pytest.raises(PermissionDenied):
            records.undo_change(con, viewer, changes[0]["change_id"])
        assert con.execute("select city from accounts where account_id = 'A1'").fetchall() == [("上海",)]


def test_unchanged_rows_write_nothing(hand_db):
    with open_db(hand_db) as con:
        shown = records.search_accounts(con)
        assert records.save_edits(con, EDITOR, shown, shown.copy()) == []
        assert con.execute("select count(*) from audit_log").fetchall()[0][0] == 0


def test_hostile_text_is_stored_as_text(hand_db):
    with open_db(hand_db) as con:
        shown = records.search_accounts(con, "A1", "account_id")
        name = "<script>alert('x')</script>=HYPERLINK(\"http://evil\")"
        records.save_edits(con, EDITOR, shown, shown.assign(account_name=[name]))
        assert con.execute("select account_name from accounts where account_id = 'A1'").fetchall() == [(name,)]
        assert isinstance(records.list_changes(con), pd.DataFrame)
