"""kam_app.data.cache.cached_query: one cache per loader, keyed by the database file's state and the
arguments, on a real DuckDB file."""

from __future__ import annotations

from kam_app.data.cache import cached_query
from kam_metrics.store.connection import open_db


@cached_query()
def _count_accounts(con, prefix: str) -> int:
    return con.execute("select count(*) from accounts where account_id like $p", {"p": prefix + "%"}).fetchone()[0]


@cached_query()
def _count_sales(con, prefix: str) -> int:
    return con.execute("select count(*) from sales where account_id like $p", {"p": prefix + "%"}).fetchone()[0]


@cached_query(none_without_file=True)
def _maybe(con) -> str:
    return "opened"


def test_two_loaders_with_the_same_arguments_keep_their_own_results(hand_db, monkeypatch):
    monkeypatch.setenv("KAM_DB", str(hand_db))
    # hand rows (tests/conftest.py): 5 accounts A1-A5 and 11 sales lines
    assert _count_accounts("A") == 5
    assert _count_sales("A") == 11
    assert _count_accounts("A") == 5
    assert _count_sales("A1") == 4  # O1 x2, O2, O5


def test_a_change_to_the_file_is_seen_on_the_next_call(hand_db, monkeypatch):
    monkeypatch.setenv("KAM_DB", str(hand_db))
    assert _count_accounts("A") == 5
    with open_db(hand_db) as con:
        con.execute("insert into accounts (account_id, account_name) values ('A9', '新客户')")
    assert _count_accounts("A") == 6


def test_none_without_file_does_not_create_the_database(tmp_path, monkeypatch):
    missing = tmp_path / "none.duckdb"
    monkeypatch.setenv("KAM_DB", str(missing))
    assert _maybe() is None
    assert not missing.exists()
    assert _maybe.__name__ == "_maybe"
