"""What a visitor sees when the database cannot be used as it is: a message, never a stack trace."""

from __future__ import annotations

import pytest
from app_support import ROOT, run_app

from kam_metrics.store.connection import SCHEMA_VERSION, open_db

PAGES = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "pages").glob("[!_]*.py"))


@pytest.fixture
def newer_db(hand_db):
    with open_db(hand_db) as con:
        con.execute("insert into schema_version values (?, current_timestamp)", [SCHEMA_VERSION + 1])
    return hand_db


@pytest.mark.parametrize("page", PAGES)
def test_a_newer_database_is_shown_read_only_on_every_page(monkeypatch, newer_db, page):
    before = newer_db.read_bytes()
    at = run_app(monkeypatch, newer_db, page)
    assert not at.exception, [e.value for e in at.exception]
    notices = [w.value for w in at.warning] + [e.value for e in at.error]
    assert any(f"结构版本 {SCHEMA_VERSION + 1}" in n and f"支持到 {SCHEMA_VERSION}" in n for n in notices), notices
    assert newer_db.read_bytes() == before


def test_the_overview_still_shows_the_figures_of_a_newer_database(monkeypatch, newer_db):
    at = run_app(monkeypatch, newer_db, "pages/01_overview.py")
    assert {m.label: m.value for m in at.metric}["销售额"] == "¥3,050"


def test_a_damaged_database_shows_a_message_and_an_error_id_not_a_trace(monkeypatch, hand_db):
    with open_db(hand_db) as con:  # damage no migration can repair: a column of the sales is gone
        con.execute("alter table sales drop column quantity")
    monkeypatch.delenv("KAM_APP_RAISE", raising=False)
    at = run_app(monkeypatch, hand_db, "pages/01_overview.py")
    assert not at.exception, [e.value for e in at.exception]
    errors = [e.value for e in at.error]
    assert any("错误编号" in e for e in errors), errors
    assert not any("Traceback" in e or str(ROOT) in e for e in errors)
