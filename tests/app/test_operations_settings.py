"""The Settings page's projects/service/pipeline thresholds: shown from the database and, when
saved, used by the kam_metrics KPIs at once."""

from __future__ import annotations

from datetime import date

from app_support import ROOT
from streamlit.testing.v1 import AppTest

from kam_metrics.domain.filters import Filters
from kam_metrics.metrics.service import compute_service_summary
from kam_metrics.store.connection import open_db
from kam_metrics.store.settings import load_settings

Q2 = Filters(start=date(2025, 4, 1), end=date(2025, 6, 30))


def test_thresholds_are_saved_from_the_settings_page_and_drive_the_kpis(monkeypatch, hand_db):
    with open_db(hand_db) as con:
        # one complaint answered after 30 hours: late against the default 24 h SLA
        con.execute("insert into interactions (interaction_id, account_id, kind, opened_at, first_response_at) "
                    "values ('T1', 'A1', 'complaint', timestamp '2025-05-01 00:00', timestamp '2025-05-02 06:00')")
        assert compute_service_summary(con, Q2)["sla_compliance"] == 0.0
    # the page file run on its own (AppTest 1.65 drops button clicks after a switch_page); no users and
    # no sign-in configured: single-user mode, where the local user may change settings
    monkeypatch.setenv("KAM_DB", str(hand_db))
    at = AppTest.from_file(str(ROOT / "pages" / "14_settings.py"), default_timeout=90)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.number_input(key="ops_set_sla_hours").value == 24.0
    assert at.number_input(key="ops_set_cadence_call_days").value == 31
    at.number_input(key="ops_set_sla_hours").set_value(48.0).run()
    at.button(key="ops_set_save").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.success, "no confirmation shown"
    with open_db(hand_db, read_only=True) as con:
        assert load_settings(con)["sla_hours"] == 48.0
        assert compute_service_summary(con, Q2)["sla_compliance"] == 1.0  # 30 h is within 48 h


def test_several_settings_are_saved_all_or_none(hand_db):
    import pytest

    from kam_metrics.store.settings import save_settings

    with open_db(hand_db) as con:
        with pytest.raises(KeyError):
            save_settings(con, {"sla_hours": 12.0, "no_such_setting": 1})
        assert load_settings(con)["sla_hours"] == 24.0  # nothing written: the unknown key was refused first
        save_settings(con, {"sla_hours": 12.0, "cadence_call_days": 20})
        stored = load_settings(con)
    assert (stored["sla_hours"], stored["cadence_call_days"]) == (12.0, 20)


def test_settings_saved_through_access_are_audited_in_the_same_transaction(hand_db):
    import pytest

    from kam_metrics import commands
    from kam_metrics.access import policy as access

    admin, editor = access.Actor("ada", "admin"), access.Actor("ed", "editor")
    with open_db(hand_db) as con:
        with pytest.raises(access.PermissionDenied):  # kam_metrics checks the role, not only the page
            commands.save_settings(con, editor, {"sla_hours": 6.0})
        commands.save_settings(con, admin, {"sla_hours": 12.0})
        assert load_settings(con)["sla_hours"] == 12.0
        entries = con.execute("select user_name, action, detail_json from audit_log order by audit_id").fetchall()
        assert entries == [("ada", "edit_settings", '{"sla_hours": 12.0}')]
        # a failing audit write keeps the settings as they were: both or neither
        from kam_metrics.store.settings import save_settings

        def broken(c):
            raise RuntimeError("audit log unavailable")

        with pytest.raises(RuntimeError):
            save_settings(con, {"sla_hours": 3.0}, on_commit=broken)
        assert load_settings(con)["sla_hours"] == 12.0
