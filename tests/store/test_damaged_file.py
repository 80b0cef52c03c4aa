"""A file lacking tables (dropped, or damaged by another program) is repaired on opening: the missing
tables are recreated empty with a warning naming them, the others keep their rows; never a traceback."""

from __future__ import annotations

import logging

import duckdb

from kam_metrics.cli.main import main
from kam_metrics.store.connection import missing_tables, open_db


def test_missing_tables_are_recreated_empty_and_named(tmp_path, caplog, capsys):
    db = tmp_path / "kam.duckdb"
    with open_db(db) as con:
        con.execute("insert into accounts (account_id, account_name) values ('K1', '甲公司')")
    raw = duckdb.connect(str(db))
    raw.execute("drop table projects")
    raw.execute("drop table settings")
    assert missing_tables(raw) == ["projects", "settings"]
    raw.close()
    with caplog.at_level(logging.WARNING, logger="kam_metrics.store"):
        with open_db(db, read_only=True) as con:  # a reader repairs through a writer first
            assert missing_tables(con) == []
            assert con.execute("select count(*) from projects").fetchall() == [(0,)]
            assert con.execute("select account_name from accounts").fetchall() == [("甲公司",)]
    assert "lacked the tables projects, settings; they were recreated empty" in caplog.text
    assert main(["kpi", "--db", str(db), "--start", "2025-01-01", "--end", "2025-03-31", "--json"]) == 0
    assert "Traceback" not in capsys.readouterr().err
