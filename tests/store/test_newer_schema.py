"""A file written by a newer version of the product is read, never written (docs/architecture.md)."""

from __future__ import annotations

import pytest

from kam_metrics.store.connection import SCHEMA_VERSION, DatabaseTooNew, newer_schema, open_db


def test_a_writer_refuses_a_newer_file_and_a_reader_may_open_it(hand_db):
    with open_db(hand_db) as con:
        assert newer_schema(con) is None
        con.execute("insert into schema_version values (?, current_timestamp)", [SCHEMA_VERSION + 1])
    before = hand_db.read_bytes()
    with pytest.raises(DatabaseTooNew) as refused:
        with open_db(hand_db) as con:
            con.execute("delete from sales")  # never reached
    assert (refused.value.found, refused.value.known) == (SCHEMA_VERSION + 1, SCHEMA_VERSION)
    assert str(SCHEMA_VERSION + 1) in str(refused.value) and str(SCHEMA_VERSION) in str(refused.value)
    with open_db(hand_db, allow_newer=True) as con:
        assert newer_schema(con) == SCHEMA_VERSION + 1
        assert con.execute("select count(*) from sales").fetchall()[0][0] == 11
    with open_db(hand_db, read_only=True) as con:
        assert con.execute("select count(*) from accounts").fetchall()[0][0] == 5
    assert hand_db.read_bytes() == before
