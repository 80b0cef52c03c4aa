"""AppTests signed in as each role. Pages are run directly (AppTest.from_file on the page), which
is "calling the page directly": the gate in app.py does not run, so whatever a viewer gets there is what
the page itself allows. A local-account session is set through session_state (kam_app.auth.SESSION_KEY),
exactly what the sign-in form stores; the role comes from the users table, never from the session."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.local_script_runner import LocalScriptRunner

from kam_app.auth import SESSION_KEY
from kam_metrics.access import audit as audit_log
from kam_metrics.access import masking
from kam_metrics.access import users as access_users
from kam_metrics.access.policy import Actor
from kam_metrics.records import accounts as records
from kam_metrics.store.connection import open_db

ROOT = Path(__file__).resolve().parents[2]
ADMIN = Actor("root-admin", "admin")
PASSWORD = "correct horse battery"


@pytest.fixture()
def team_db(hand_db: Path) -> Path:
    """The hand-typed rows plus one user per role (all with the same password) and one committed import."""
    from kam_metrics.ingest.stage import import_file

    with open_db(hand_db) as con:
        for name, role in (("vera", "viewer"), ("eddie", "editor"), ("ada", "admin")):
            access_users.add_user(con, ADMIN, name, role, PASSWORD)
    csv = hand_db.parent / "extra_accounts.csv"
    csv.write_text("客户编号,客户名称,区域\nA9,己贸易有限公司,华东\n", encoding="utf-8")
    import_file(hand_db, csv, "accounts")
    return hand_db


def run_page(monkeypatch, db: Path, page: str, user: str | None = None, secrets: dict | None = None) -> AppTest:
    monkeypatch.setenv("KAM_DB", str(db))
    at = AppTest.from_file(str(ROOT / page), default_timeout=90)
    if secrets:
        at.secrets = secrets
    if user:
        at.session_state[SESSION_KEY] = {"name": user, "source": "local"}
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def keys(at: AppTest, kind: str) -> set:
    return {w.key for w in at.get(kind) if getattr(w, "key", None)}


def labels(at: AppTest) -> list[str]:
    return [b.label for b in at.button]


def audit_actions(db: Path) -> list[tuple]:
    with open_db(db) as con:
        frame = audit_log.read_audit(con)
    return list(zip(frame["user_name"], frame["action"]))


# --- viewer: no import, undo, edit or settings action, even on the page itself ----------------------

def test_viewer_gets_no_import_or_undo_on_the_import_page(monkeypatch, team_db):
    at = run_page(monkeypatch, team_db, "pages/12_import.py", user="vera")
    assert not at.get("file_uploader")  # nothing to upload into
    assert "imp_undo" not in keys(at, "button") and "imp_commit" not in keys(at, "button")
    assert any("编辑" in i.value for i in at.info)  # says which role imports
    assert len(at.dataframe) == 1  # the history is visible


def test_viewer_gets_no_edit_on_the_records_page(monkeypatch, team_db):
    with open_db(team_db) as con:  # a change to undo exists, still no undo for a viewer
        original = records.search_accounts(con, "A1", "account_id")
        edited = original.assign(region=["华南"])
        records.save_edits(con, Actor("eddie", "editor"), original, edited)
    at = run_page(monkeypatch, team_db, "pages/13_records.py", user="vera")
    assert not {"records_save", "records_undo"} & keys(at, "button")
    assert not at.get("arrow_data_frame") or all(not getattr(e.proto, "editing_mode", 0) for e in at.get("arrow_data_frame"))
    assert any("只读" in i.value for i in at.info)
    # the viewer's download is masked, and says so
    assert all("脱敏" in b.label for b in at.get("download_button"))


def test_viewer_gets_no_settings_action(monkeypatch, team_db):
    at = run_page(monkeypatch, team_db, "pages/14_settings.py", user="vera")
    assert not {"targets_save", "sat_set_save", "sat_items_save"} & keys(at, "button")
    assert not at.get("form")  # no user forms
    assert all(n.disabled for n in at.number_input)
    assert not any("审计" in s.value for s in at.subheader)


def test_viewer_calling_the_handlers_directly_is_refused_and_nothing_is_written(monkeypatch, team_db):
    """A crafted call of the page handlers' writers as a viewer: PermissionDenied, database unchanged."""

    def script():
        import streamlit as st

        from kam_app.data import records as loaders_records
        from kam_app.sections import importer
        from kam_metrics.access.policy import PermissionDenied
        from kam_metrics.ingest import stage as ingest
        from kam_metrics.records import accounts as records
        from kam_metrics.store.connection import open_db

        outcomes = []
        with open_db(None) as con:
            original = records.search_accounts(con, "A1", "account_id")
        for name, call in (
            ("edit", lambda: loaders_records.save_edits(original, original.assign(region=["西北"]))),
            ("undo", lambda: importer.undo(1)),
            ("import", lambda: importer.commit(ingest.stage_file("客户编号,客户名称\nA8,庚公司\n".encode(), "x.csv", "accounts"), "append", "range")),
            ("users", lambda: loaders_records.manage_user("add", "mallory", "admin", "password123")),
        ):
            try:
                call()
                outcomes.append(f"{name}:done")
            except PermissionDenied:
                outcomes.append(f"{name}:denied")
        st.write(";".join(outcomes))

    monkeypatch.setenv("KAM_DB", str(team_db))
    at = AppTest.from_function(script, default_timeout=60)
    at.session_state[SESSION_KEY] = {"name": "vera", "source": "local"}
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.markdown[0].value == "edit:denied;undo:denied;import:denied;users:denied"
    with open_db(team_db) as con:
        assert con.execute("select region from accounts where account_id = 'A1'").fetchall() == [("华东",)]
        assert con.execute("select status from imports").fetchall() == [("committed",)]
        assert con.execute("select count(*) from accounts where account_id = 'A8'").fetchall()[0][0] == 0
        assert con.execute("select count(*) from users where user_name = 'mallory'").fetchall()[0][0] == 0


# --- editor: import, undo, edit; no settings or users -----------------------------------------------

def test_editor_imports_and_undoes_on_the_import_page(monkeypatch, team_db):
    at = run_page(monkeypatch, team_db, "pages/12_import.py", user="eddie")
    assert "imp_undo" in keys(at, "button")
    at.get("file_uploader")[0].upload("新客户.csv", "客户编号,客户名称,区域\nA7,庚制造有限公司,华北\n".encode(), "text/csv")
    at.run()
    at.button(key="imp_commit").click().run()
    assert not at.exception, [e.value for e in at.exception]
    with open_db(team_db) as con:
        assert con.execute("select import_id, user_name, file_name from imports where import_id = 2").fetchall() == [
            (2, "eddie", "新客户.csv")]
        assert con.execute("select account_name from accounts where account_id = 'A7'").fetchall() == [("庚制造有限公司",)]
    at.selectbox(key="imp_undo_pick").set_value(2)
    at.button(key="imp_undo").click().run()
    assert not at.exception, [e.value for e in at.exception]
    with open_db(team_db) as con:
        assert con.execute("select status from imports where import_id = 2").fetchall() == [("undone",)]
        assert con.execute("select count(*) from accounts where account_id = 'A7'").fetchall()[0][0] == 0
    assert [a for a in audit_actions(team_db) if a[0] == "eddie"][:2] == [("eddie", "undo_import"), ("eddie", "import")]


def test_editor_edits_records_and_undoes_a_change_on_the_page(monkeypatch, team_db):
    at = run_page(monkeypatch, team_db, "pages/13_records.py", user="eddie")
    assert "records_save" in keys(at, "button")
    assert all("脱敏" not in b.label for b in at.get("download_button"))
    # AppTest 1.65 cannot type into a data editor: the edit is made by kam_metrics (as the page's save
    # does), then the page offers to undo it and its undo button restores the old value
    with open_db(team_db) as con:
        original = records.search_accounts(con, "A2", "account_id")
        records.save_edits(con, Actor("eddie", "editor"), original, original.assign(owner=["王五"]))
    at.run()
    at.button(key="records_undo").click().run()
    assert not at.exception, [e.value for e in at.exception]
    with open_db(team_db) as con:
        assert con.execute("select owner from accounts where account_id = 'A2'").fetchall() == [("李四",)]
        assert con.execute("select undone_by from account_changes").fetchall() == [("eddie",)]


def test_editor_edits_targets_but_not_settings_or_users(monkeypatch, team_db):
    at = run_page(monkeypatch, team_db, "pages/14_settings.py", user="eddie")
    buttons = keys(at, "button")
    assert "targets_save" in buttons and "sat_items_save" in buttons
    assert "sat_set_save" not in buttons
    assert all(n.disabled for n in at.number_input)
    assert not at.get("form")


# --- admin: settings, users and the audit log -------------------------------------------------------

def test_admin_sees_users_and_the_audit_log(monkeypatch, team_db):
    at = run_page(monkeypatch, team_db, "pages/14_settings.py", user="ada")
    assert {"targets_save", "sat_set_save", "sat_items_save"} <= keys(at, "button")
    assert any(s.value == "用户与角色" for s in at.subheader)
    assert any(s.value == "审计日志" for s in at.subheader)
    at.button(key="sat_set_save").click().run()
    assert ("ada", "edit_settings") in audit_actions(team_db)


# --- signing in through the router ------------------------------------------------------------------

def run_router(monkeypatch, db: Path, **session) -> AppTest:
    monkeypatch.setenv("KAM_DB", str(db))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    for key, value in session.items():
        at.session_state[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_without_users_the_app_is_single_user_with_a_notice(monkeypatch, hand_db):
    at = run_router(monkeypatch, hand_db)
    assert any("登录未启用" in i.value and "Sign-in is off" in i.value for i in at.sidebar.info)
    at.switch_page("pages/13_records.py").run()
    assert "records_save" in keys(at, "button")  # everything allowed


def test_with_users_the_router_asks_to_sign_in_and_records_attempts(monkeypatch, team_db):
    at = run_router(monkeypatch, team_db)
    assert at.title[0].value == "登录"
    assert not at.metric  # no page ran
    at.text_input[0].input("eddie")
    at.text_input[1].input("wrong password")
    at.button[0].click().run()
    assert any("不正确" in e.value for e in at.error)
    at.text_input[0].input("EDDIE")  # names compare case-insensitively
    at.text_input[1].input(PASSWORD)
    at.button[0].click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.session_state[SESSION_KEY] == {"name": "eddie", "source": "local"}
    assert any("eddie" in c.value and "编辑" in c.value for c in at.sidebar.caption)
    assert audit_actions(team_db)[:2] == [("eddie", "sign_in"), ("eddie", "sign_in_failed")]


def test_a_disabled_user_is_signed_out(monkeypatch, team_db):
    with open_db(team_db) as con:
        access_users.set_disabled(con, ADMIN, "eddie", True)
    at = run_router(monkeypatch, team_db, **{SESSION_KEY: {"name": "eddie", "source": "local"}})
    assert at.title[0].value == "登录"


@pytest.fixture()
def oidc_user(monkeypatch):
    """st.user as Streamlit fills it after st.login: AppTest 1.65 hard-codes {"email": "test@example.com"}
    in LocalScriptRunner, so the test sets the runner's user info the same way the server does."""
    holder: dict = {}
    original = LocalScriptRunner.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        self._user_info = dict(holder)

    monkeypatch.setattr(LocalScriptRunner, "__init__", init)
    return holder


SECRETS = {
    "auth": {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x" * 32,
             "client_id": "kam", "client_secret": "s", "server_metadata_url": "https://idp.example/.well-known/openid-configuration"},
    "kam": {"roles": {"boss@example.com": "admin", "@example.com": "viewer", "kam-editors": "editor"}},
}


def test_oidc_roles_come_from_the_secrets_map(monkeypatch, hand_db, oidc_user):
    oidc_user.update({"is_logged_in": True, "email": "lin@example.com", "groups": ["kam-editors"]})
    at = run_page(monkeypatch, hand_db, "pages/13_records.py", secrets=SECRETS)
    assert "records_save" in keys(at, "button")  # the group's editor beats the domain's viewer
    oidc_user.update({"groups": []})
    at = run_page(monkeypatch, hand_db, "pages/13_records.py", secrets=SECRETS)
    assert "records_save" not in keys(at, "button")


def test_oidc_user_without_a_role_may_do_nothing(monkeypatch, hand_db, oidc_user):
    oidc_user.update({"is_logged_in": True, "email": "someone@elsewhere.org"})
    monkeypatch.setenv("KAM_DB", str(hand_db))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.secrets = SECRETS
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("someone@elsewhere" in w.value for w in at.warning)  # (escaped for markdown)
    assert at.title[0].value == "登录"


def test_oidc_signed_out_sees_the_sso_button(monkeypatch, hand_db, oidc_user):
    oidc_user.update({"is_logged_in": False})
    monkeypatch.setenv("KAM_DB", str(hand_db))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.secrets = SECRETS
    at.run()
    assert [b.label for b in at.button] == ["使用单点登录(SSO)"]


def test_downloads_are_recorded_with_the_user(monkeypatch, team_db):
    """render_download_table's on_click (kam_app.auth.record_export) as a viewer's session runs it."""

    def script():
        from kam_app import auth

        auth.record_export("top10.csv", 10, not auth.can("export_unmasked"))

    monkeypatch.setenv("KAM_DB", str(team_db))
    at = AppTest.from_function(script, default_timeout=60)
    at.session_state[SESSION_KEY] = {"name": "vera", "source": "local"}
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    with open_db(team_db) as con:
        entry = audit_log.read_audit(con, action="export")
    assert entry[["user_name", "role", "target", "detail"]].values.tolist() == [
        ["vera", "viewer", "top10.csv", '{"rows": 10, "masked": true}']]


def test_every_download_of_the_accounts_page_is_masked_for_a_viewer(monkeypatch, team_db):
    """The account list (the customer list itself) and every other table of the Accounts page."""
    monkeypatch.setenv("KAM_DB", str(team_db))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.session_state[SESSION_KEY] = {"name": "vera", "source": "local"}
    at.run()
    at.switch_page("pages/03_accounts.py").run()
    assert not at.exception, [e.value for e in at.exception]
    downloads = at.get("download_button")
    assert downloads and all("脱敏" in b.label for b in downloads)


def test_sign_in_stays_on_when_every_user_is_disabled(monkeypatch, hand_db):
    """Disabling the last enabled user must not turn sign-in off (that made every visitor an admin):
    with users in the table, disabled or not, the router asks to sign in and nobody gets in."""
    with open_db(hand_db) as con:
        access_users.add_user(con, ADMIN, "eddie", "editor", PASSWORD)
        access_users.set_disabled(con, ADMIN, "eddie", True)
    at = run_router(monkeypatch, hand_db)
    assert at.title[0].value == "登录"
    assert not any("登录未启用" in i.value for i in at.sidebar.info)
    at.text_input[0].input("eddie")  # the disabled user's right password does not let them in
    at.text_input[1].input(PASSWORD)
    at.button[0].click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "登录" and SESSION_KEY not in at.session_state


def test_a_disabled_oidc_user_gets_no_role(monkeypatch, hand_db, oidc_user):
    """A users row that is disabled locks the identity-provider user out: no fall-back to [kam.roles]
    (which would make boss@example.com an admin) or default_role; a notice and the sign-out button only."""
    with open_db(hand_db) as con:
        access_users.add_user(con, ADMIN, "root", "admin", PASSWORD)  # someone stays admin
        access_users.add_user(con, ADMIN, "Boss@Example.com", "editor", None)
        access_users.set_disabled(con, ADMIN, "boss@example.com", True)
    oidc_user.update({"is_logged_in": True, "email": "boss@example.com"})
    secrets = {**SECRETS, "kam": {**SECRETS["kam"], "default_role": "viewer"}}
    at = run_page(monkeypatch, hand_db, "pages/13_records.py", secrets=secrets)
    assert "records_save" not in keys(at, "button")  # not the editor of the (disabled) row
    assert all("脱敏" in b.label for b in at.get("download_button"))  # nor an admin by the map: masked
    monkeypatch.setenv("KAM_DB", str(hand_db))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.secrets = secrets
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "登录" and not at.metric
    assert any("停用" in w.value and "boss@example" in w.value for w in at.warning)
    assert labels(at) == ["退出登录"]


@pytest.mark.parametrize(
    "ip, role, masked",
    [
        ("203.0.113.7", "viewer", True),  # another machine reaching a single-user app: view, masked downloads
        ("::ffff:10.0.0.2", "viewer", True),
        (None, "admin", False),  # this computer (st.context.ip_address is None for localhost)
        ("127.0.0.1", "admin", False),
        ("::1", "admin", False),
    ],
)
def test_single_user_remote_visitor_downloads_masked(ip, role, masked):
    """The download masking follows the role alone, not whether sign-in is on: before, a remote visitor of
    a single-user app was a viewer yet downloaded customer names unmasked (AppTest cannot set the address,
    so the two pieces the download button uses are checked here)."""
    from kam_app.auth import single_user_actor

    actor = single_user_actor(ip, "kam")
    assert actor.role == role
    assert actor.name == (f"remote:{ip}" if masked else "local:kam")
    assert masking.export_masked(actor.role) is masked


def test_single_user_mode_grants_nothing_through_a_reverse_proxy():
    """Behind nginx or Caddy on the same host every request comes from 127.0.0.1: the proxy's headers, not
    the address, tell that the visitor is not this computer's user."""
    from kam_app.auth import single_user_actor

    assert single_user_actor(None, "kam", "203.0.113.7") == Actor("remote:203.0.113.7 (proxy)", "viewer")
    assert single_user_actor("127.0.0.1", "kam", "proxy").role == "viewer"
    assert single_user_actor("127.0.0.1", "kam", None).role == "admin"


def test_downloads_are_masked_for_every_role_below_editor():
    assert [masking.export_masked(r) for r in (None, "viewer", "editor", "admin")] == [True, True, False, False]


@pytest.fixture()
def downloads(monkeypatch):
    """The bytes of every st.download_button of a run, by file name (taken where Streamlit stores them)."""
    from streamlit.runtime.media_file_manager import MediaFileManager

    saved: dict[str, bytes] = {}
    original = MediaFileManager.add

    def add(self, data, mimetype, coordinates, file_name=None, is_for_static_download=False):
        if file_name:
            saved[file_name] = data
        return original(self, data, mimetype, coordinates, file_name=file_name, is_for_static_download=is_for_static_download)

    monkeypatch.setattr(MediaFileManager, "add", add)
    return saved


def test_viewer_download_of_the_change_history_masks_renamed_customers(monkeypatch, team_db, downloads):
    with open_db(team_db) as con:
        original = records.search_accounts(con, "A1", "account_id")
        old_name = original["account_name"][0]
        records.save_edits(con, Actor("eddie", "editor"), original,
                           original.assign(account_name=["甲新名称有限公司"], region=["华南"]))
    run_page(monkeypatch, team_db, "pages/13_records.py", user="vera")
    text = downloads["account_changes.csv"].decode("utf-8-sig")
    assert old_name not in text and "甲新名称有限公司" not in text
    assert "甲***" in text and "华南" in text  # the region edit stays readable
    run_page(monkeypatch, team_db, "pages/13_records.py", user="eddie")  # an editor's download is not masked
    text = downloads["account_changes.csv"].decode("utf-8-sig")
    assert old_name in text and "甲新名称有限公司" in text


def test_sign_in_throttle_counts_failures_of_other_sessions(monkeypatch, team_db):
    """Five failed sign-ins for a name within five minutes, from any browser session (the audit log), pause
    that name's sign-in: a fresh session with the right password is refused; another user is not."""
    from kam_app.auth import MAX_FAILURES

    with open_db(team_db) as con:
        for _ in range(MAX_FAILURES):
            audit_log.audit(con, Actor("eddie", None), "sign_in_failed")
    at = run_router(monkeypatch, team_db)
    at.text_input[0].input("eddie")
    at.text_input[1].input(PASSWORD)
    at.button[0].click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("次数过多" in e.value for e in at.error) and SESSION_KEY not in at.session_state
    at = run_router(monkeypatch, team_db)
    at.text_input[0].input("ada")
    at.text_input[1].input(PASSWORD)
    at.button[0].click().run()
    assert at.session_state[SESSION_KEY] == {"name": "ada", "source": "local"}
