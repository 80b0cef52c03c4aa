"""kam_metrics.access.policy: the role policy, local users with argon2 hashes, role resolution for single sign-on,
the audit log, masked exports, and the ``user`` command (password never from argv)."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from kam_metrics import commands
from kam_metrics.access import audit as audit_log
from kam_metrics.access import masking
from kam_metrics.access import policy as access
from kam_metrics.access import users as access_users
from kam_metrics.access.policy import ACTIONS, Actor, PermissionDenied, allowed, require, resolve_role
from kam_metrics.access.users import UserError
from kam_metrics.cli.main import main
from kam_metrics.store.connection import open_db

ROOT = Path(__file__).resolve().parents[2]
ADMIN = Actor("root", "admin")

# the table of the must-show, written out by hand
EXPECTED = {
    "viewer": {"view", "export"},
    "editor": {"view", "export", "export_unmasked", "import", "undo_import", "edit_accounts", "edit_targets",
               "edit_survey_items", "edit_report"},
    "admin": set(ACTIONS),
}


@pytest.mark.parametrize("role", ["viewer", "editor", "admin"])
def test_each_role_may_do_exactly_its_actions(role):
    assert {a for a in ACTIONS if allowed(role, a)} == EXPECTED[role]
    assert set(access.actions_of(role)) == EXPECTED[role]


def test_no_role_and_unknown_roles_may_do_nothing():
    for role in (None, "", "root", "Admin"):
        assert not any(allowed(role, a) for a in ACTIONS)
        with pytest.raises(PermissionDenied):
            require(role, "view")


def test_an_unknown_action_is_an_error_not_a_silent_no():
    with pytest.raises(KeyError):
        allowed("admin", "launch_rockets")


def test_users_are_stored_with_argon2_hashes_and_verified(tmp_path):
    db = tmp_path / "u.duckdb"
    with open_db(db) as con:
        access_users.add_user(con, ADMIN, "Alice", "editor", "long enough pw")
        stored = con.execute("select password_hash from users").fetchall()[0][0]
        assert stored.startswith("$argon2id$") and "long enough pw" not in stored
        assert access_users.verify_login(con, "alice", "long enough pw") == Actor("Alice", "editor")
        assert access_users.verify_login(con, "Alice", "long enough pX") is None
        assert access_users.verify_login(con, "nobody", "long enough pw") is None
        access_users.set_disabled(con, ADMIN, "alice", True)
        assert access_users.verify_login(con, "Alice", "long enough pw") is None
        assert access_users.count_users(con) == 0
        access_users.set_disabled(con, ADMIN, "alice", False)
        access_users.set_role(con, ADMIN, "ALICE", "viewer")
        assert access_users.user_role(con, "alice") == "viewer"
        access_users.add_user(con, ADMIN, "sso@example.com", "admin", None)  # single sign-on only: no password
        assert access_users.verify_login(con, "sso@example.com", "") is None
        with pytest.raises(UserError) as short:
            access_users.add_user(con, ADMIN, "bob", "viewer", "short")
        assert short.value.key == "access.err.short_password"
        with pytest.raises(UserError):
            access_users.add_user(con, ADMIN, "ALICE", "viewer", "long enough pw")  # names are case-insensitive
        with pytest.raises(PermissionDenied):
            access_users.add_user(con, Actor("alice", "editor"), "eve", "admin", "long enough pw")
        actions = audit_log.read_audit(con)["action"].tolist()
    assert actions == ["user_add", "user_role", "user_enable", "user_disable", "user_add"]


@pytest.mark.parametrize(
    "email, groups, expected",
    [
        ("boss@corp.cn", [], "admin"),  # the e-mail itself
        ("BOSS@corp.cn", [], "admin"),  # case-insensitive
        ("li@corp.cn", [], "viewer"),  # the domain
        ("li@corp.cn", ["sales-editors"], "editor"),  # the highest of domain and group
        ("x@other.org", [], None),  # nothing maps it and there is no default
    ],
)
def test_single_sign_on_roles_from_the_map(email, groups, expected):
    mapping = {"boss@corp.cn": "admin", "@corp.cn": "viewer", "sales-editors": "editor", "ignored": "superuser"}
    assert resolve_role(email, groups, mapping) == expected


def test_single_sign_on_role_from_the_users_table_wins_then_the_default():
    assert resolve_role("li@corp.cn", [], {"@corp.cn": "admin"}, db_role="viewer") == "viewer"
    assert resolve_role("x@other.org", [], {}, default_role="viewer") == "viewer"
    assert resolve_role("x@other.org", [], {}, default_role="owner") is None


def test_masked_export_keeps_ids_and_numbers():
    frame = pd.DataFrame({"account_id": ["A1", "A2"], "account_name": ["甲机械有限公司", None],
                          "group_name": ["Acme Group", ""], "revenue": [1.0, 2.0]})
    masked = masking.mask_frame(frame)
    assert masked["account_name"][0] == "甲***" and pd.isna(masked["account_name"][1])
    assert masked["group_name"].tolist() == ["A***", ""]
    assert masked["account_id"].tolist() == ["A1", "A2"] and masked["revenue"].tolist() == [1.0, 2.0]
    assert frame["account_name"][0] == "甲机械有限公司"  # the shown table is untouched


def test_audit_log_reads_newest_first_and_filters(tmp_path):
    db = tmp_path / "a.duckdb"
    audit_log.record(db, Actor("ann", "viewer"), "export", target="top10.csv", detail={"rows": 10, "masked": True})
    audit_log.record(db, Actor("bo", "editor"), "import", target="import 1")
    with open_db(db) as con:
        log = audit_log.read_audit(con)
        only = audit_log.read_audit(con, action="export")
    assert log["action"].tolist() == ["import", "export"]
    assert json.loads(only["detail"][0]) == {"rows": 10, "masked": True}
    assert only["user_name"].tolist() == ["ann"]


def test_cli_user_add_reads_the_password_from_stdin(tmp_path, monkeypatch, capsys):
    db = tmp_path / "cli.duckdb"
    monkeypatch.setattr(sys, "stdin", io.StringIO("a very good password\n"))
    assert main(["user", "add", "carol", "--role", "admin", "--db", str(db)]) == 0
    assert main(["user", "add", "dan", "--role", "viewer", "--sso", "--db", str(db), "--json"]) == 0
    capsys.readouterr()
    assert main(["user", "list", "--json", "--db", str(db)]) == 0
    users = json.loads(capsys.readouterr().out)["users"]
    assert [(u["user_name"], u["role"], u["sso_only"]) for u in users] == [("carol", "admin", False), ("dan", "viewer", True)]
    with open_db(db) as con:
        assert access_users.verify_login(con, "carol", "a very good password") == Actor("carol", "admin")
        who = con.execute("select user_name, role from audit_log order by audit_id").fetchall()
    assert all(name.startswith("cli:") and role == "admin" for name, role in who)  # full rights, recorded
    monkeypatch.setattr(sys, "stdin", io.StringIO("short\n"))
    assert main(["user", "add", "erin", "--role", "editor", "--db", str(db)]) == 3
    assert main(["user", "add", "erin", "--role", "owner", "--db", str(db)]) == 2


def test_cli_has_no_password_argument(tmp_path):
    """The password cannot be given on the command line (it would show in the process list)."""
    result = subprocess.run(
        [sys.executable, "-m", "kam_metrics", "user", "add", "x", "--role", "viewer", "--password", "secret123",
         "--db", str(tmp_path / "p.duckdb")],
        cwd=ROOT, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=60,
    )
    assert result.returncode == 2 and "unrecognized arguments" in result.stderr
    result = subprocess.run(
        [sys.executable, "-m", "kam_metrics", "user", "add", "x", "--role", "viewer", "--db", str(tmp_path / "p.duckdb")],
        cwd=ROOT, input="piped password\n", capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stderr


def test_the_last_enabled_admin_cannot_be_disabled_or_demoted(tmp_path):
    """Disabling or demoting the only enabled admin would leave nobody to manage users (and, before the
    fix, disabling the last user turned sign-in off): refused with a bilingual message, nothing written."""
    from kam_metrics.i18n import CATALOGUE

    db = tmp_path / "last.duckdb"
    with open_db(db) as con:
        access_users.add_user(con, ADMIN, "ada", "admin", "long enough pw")
        access_users.add_user(con, ADMIN, "vera", "viewer", "long enough pw")
        for attempt in (lambda: access_users.set_disabled(con, ADMIN, "ADA", True),
                        lambda: access_users.set_role(con, ADMIN, "ada", "editor")):
            with pytest.raises(UserError) as refused:
                attempt()
            assert refused.value.key == "access.err.last_admin"
        assert con.execute("select role, disabled from users where user_name = 'ada'").fetchall() == [("admin", False)]
        access_users.set_disabled(con, ADMIN, "vera", True)  # a viewer may be disabled, even the last enabled one
        access_users.set_role(con, ADMIN, "ada", "admin")  # staying admin is no demotion
        # a second admin: now either may go
        access_users.add_user(con, ADMIN, "bo", "admin", "long enough pw")
        access_users.set_role(con, ADMIN, "ada", "viewer")
        with pytest.raises(UserError):
            access_users.set_disabled(con, ADMIN, "bo", True)  # bo is now the last enabled admin
        access_users.set_disabled(con, ADMIN, "ada", True)  # no longer an admin: fine
        # a disabled admin does not count: enabling someone else is always possible
        access_users.set_role(con, ADMIN, "vera", "admin")
        access_users.set_disabled(con, ADMIN, "vera", False)
        access_users.set_disabled(con, ADMIN, "bo", True)
    assert set(CATALOGUE["access.err.last_admin"]) == {"zh", "en"}


def test_cli_refuses_to_disable_the_last_admin(tmp_path, monkeypatch, capsys):
    db = tmp_path / "cli_last.duckdb"
    monkeypatch.setattr(sys, "stdin", io.StringIO("a very good password\n"))
    assert main(["user", "add", "carol", "--role", "admin", "--db", str(db)]) == 0
    assert main(["user", "disable", "carol", "--db", str(db)]) == 3
    assert main(["user", "role", "carol", "viewer", "--db", str(db)]) == 3
    assert "last enabled admin" in capsys.readouterr().err
    with open_db(db) as con:
        assert access_users.user_role(con, "carol") == "admin"


def test_masked_change_history_hides_customer_names_in_old_and_new_values():
    """account_changes rows for a name column (account_name, group_name) get old/new masked; other
    columns' values (a region) and every other field stay as they are."""
    changes = pd.DataFrame({
        "change_id": [3, 2, 1], "account_id": ["A1", "A1", "A2"],
        "column_name": ["account_name", "region", "group_name"],
        "old_value": ["甲机械有限公司", "华东", "Acme Group"], "new_value": ["甲机械集团", "华南", None],
    })
    masked = masking.mask_changes(changes)
    assert masked["old_value"].tolist() == ["甲***", "华东", "A***"]
    assert masked["new_value"].tolist()[:2] == ["甲***", "华南"] and pd.isna(masked["new_value"][2])
    assert masked["account_id"].tolist() == ["A1", "A1", "A2"]
    assert changes["old_value"][0] == "甲机械有限公司"  # the shown table is untouched


def test_recent_sign_in_failures_are_counted_per_user_from_the_audit_log(tmp_path):
    db = tmp_path / "fail.duckdb"
    with open_db(db) as con:
        for _ in range(3):
            audit_log.audit(con, Actor("Eddie", None), "sign_in_failed")
        audit_log.audit(con, Actor("ada", None), "sign_in_failed")
        audit_log.audit(con, Actor("eddie", "editor"), "sign_in")  # a success is no failure
        old = audit_log.audit(con, Actor("eddie", None), "sign_in_failed")
        con.execute("update audit_log set logged_at = logged_at - interval 10 minute where audit_id = ?", [old])
        assert audit_log.recent_failures(con, " EDDIE ", 300) == 3  # names compare trimmed, case-insensitively
        assert audit_log.recent_failures(con, "eddie", 900) == 4  # the old one is inside a 15-minute window
        assert audit_log.recent_failures(con, "ada", 300) == 1
        assert audit_log.recent_failures(con, "nobody", 300) == 0


def test_editor_writes_are_role_checked_and_audited_in_their_own_transaction(hand_db):
    """Targets, survey items and the review report, saved through kam_metrics.access.policy: a viewer is
    refused by kam_metrics itself; an editor's save leaves exactly one audit entry written in the same
    transaction (a failing audit write would roll the save back: see the on_commit hooks' tests)."""
    from datetime import date

    from kam_metrics.domain.filters import Filters
    from kam_metrics.metrics.satisfaction import load_survey_items
    from kam_metrics.records.targets import load_targets
    from kam_metrics.report import build as reports

    viewer, editor = Actor("vi", "viewer"), Actor("ed", "editor")
    with open_db(hand_db) as con:
        targets = load_targets(con)
        items = load_survey_items(con)
        report = reports.build_report(con, Filters(date(2025, 4, 1), date(2025, 6, 30)), "zh")
        for save, args in ((commands.save_targets, (targets,)), (commands.save_survey_items, (items,)),
                           (commands.save_report, (report, {}, []))):
            with pytest.raises(PermissionDenied):
                save(con, viewer, *args)
        assert con.execute("select count(*) from audit_log").fetchall()[0][0] == 0
        edited = targets.copy()
        edited.loc[0, "revenue_target"] = float(edited.loc[0, "revenue_target"]) + 1
        assert commands.save_targets(con, editor, edited) == {"inserted": 0, "updated": 1, "deleted": 0}
        assert commands.save_survey_items(con, editor, items) == len(items)
        rid = commands.save_report(con, editor, report, {"causes": "交付延迟"}, [])
        entries = con.execute("select user_name, action, target, detail_json from audit_log order by audit_id").fetchall()
        saved_by = con.execute("select user_name from reports where report_id = ?", [rid]).fetchall()[0][0]
    assert entries == [
        ("ed", "edit_targets", None, '{"inserted": 0, "updated": 1, "deleted": 0}'),
        ("ed", "edit_survey_items", None, '{"items": %d}' % len(items)),
        ("ed", "edit_report", f"report {rid}", '{"period": "%s"}' % report.period),
    ]
    assert saved_by == "ed"


def test_a_failing_audit_write_rolls_the_editor_write_back(hand_db):
    from datetime import date

    from kam_metrics.domain.filters import Filters
    from kam_metrics.metrics.satisfaction import load_survey_items, save_survey_item_settings
    from kam_metrics.records.targets import load_targets, save_targets
    from kam_metrics.report import build as reports
    from kam_metrics.report import store as report_store

    def broken(con, result):
        raise RuntimeError("audit log unavailable")

    with open_db(hand_db) as con:
        targets, items = load_targets(con), load_survey_items(con)
        report = reports.build_report(con, Filters(date(2025, 4, 1), date(2025, 6, 30)), "zh")
        edited_targets = targets.copy()
        edited_targets.loc[0, "revenue_target"] = 1.0
        edited_items = items.copy()
        edited_items.loc[0, "weight"] = 9.0
        for write in (lambda: save_targets(con, edited_targets, on_commit=broken),
                      lambda: save_survey_item_settings(con, edited_items, on_commit=broken),
                      lambda: report_store.save_report(con, report, on_commit=broken)):
            with pytest.raises(RuntimeError):
                write()
        pd.testing.assert_frame_equal(load_targets(con), targets)
        pd.testing.assert_frame_equal(load_survey_items(con), items)
        assert con.execute("select count(*) from reports").fetchall()[0][0] == 0
