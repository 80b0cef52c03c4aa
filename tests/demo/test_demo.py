"""The demo database: deterministic, realistic enough for every page, refuses to overwrite data.

Real DuckDB files in tmp dirs, no mocks. Builds are small (30 accounts x 2 years, and the default
120 accounts x 3 years) so the whole module runs in a few seconds.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest

from kam_metrics.demo.generator import DEMO_END_DATE, build_demo_database
from kam_metrics.store import connection as store

SMALL = {"accounts": 30, "years": 2}


def checksums(path: Path) -> dict[str, tuple]:
    """Row count and an order-independent hash of every row (import_id aside), per data table."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        return {
            table: con.execute(
                f"select count(*), sum(hash(t)) from (select * exclude (import_id) from {table}) t"  # noqa: S608
            ).fetchone()
            for table in store.DATA_TABLES
        }
    finally:
        con.close()


def query(path: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


@pytest.fixture(scope="module")
def small_db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "small.duckdb"
    build_demo_database(path, seed=42, **SMALL)
    return path


@pytest.fixture(scope="module")
def default_db(tmp_path_factory) -> tuple[Path, dict]:
    path = tmp_path_factory.mktemp("demo") / "default.duckdb"
    fractions: list[float] = []
    counts = build_demo_database(path, progress=lambda fraction, message: fractions.append(fraction))
    assert fractions[0] == 0.0 and fractions[-1] == 1.0
    assert fractions == sorted(fractions)
    return path, counts


# --------------------------------------------------------------------------------------------------
# Determinism
# --------------------------------------------------------------------------------------------------

def test_same_seed_gives_identical_tables(small_db: Path, tmp_path: Path) -> None:
    again = tmp_path / "again.duckdb"
    build_demo_database(again, seed=42, **SMALL)
    first, second = checksums(small_db), checksums(again)
    assert first == second
    assert all(rows > 0 for rows, _ in first.values())


def test_other_seed_gives_other_sales(small_db: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.duckdb"
    build_demo_database(other, seed=43, **SMALL)
    assert checksums(other)["sales"] != checksums(small_db)["sales"]


# --------------------------------------------------------------------------------------------------
# Realism (default shape: 120 accounts, 3 years)
# --------------------------------------------------------------------------------------------------

def test_row_counts_returned_match_tables(default_db) -> None:
    path, counts = default_db
    assert list(counts) == list(store.DATA_TABLES)
    assert {t: rows for t, (rows, _) in checksums(path).items()} == counts
    assert counts["accounts"] == 120
    assert 20_000 <= counts["sales"] <= 200_000


def test_sales_span_ends_on_demo_end_date(default_db) -> None:
    path, _ = default_db
    first, last = query(path, "select min(order_date), max(order_date) from sales")[0]
    assert last == DEMO_END_DATE
    assert first >= date(2023, 10, 1)
    # line numbers run 1..k (k <= 6) within every order
    bad = query(path, "select count(*) from (select order_id, max(line_no) m, count(*) c from sales group by 1) "
                      "where m <> c or m > 6")[0][0]
    assert bad == 0
    assert query(path, "select count(*) from sales where quantity <> round(quantity) or quantity = 0")[0][0] == 0


def test_every_row_carries_a_demo_import(default_db) -> None:
    path, _ = default_db
    for table in store.DATA_TABLES:
        missing = query(path, f"select count(*) from {table} t left join imports i using (import_id) "  # noqa: S608
                              "where i.import_id is null or i.file_name <> 'demo' or i.table_name <> ?", [table])
        assert missing[0][0] == 0, table


def test_pipeline_has_every_stage(default_db) -> None:
    path, _ = default_db
    stages = {row[0] for row in query(path, "select distinct stage from opportunities")}
    assert stages == set(store.PIPELINE_STAGES)
    lost_at = {row[0] for row in query(path, "select distinct lost_at_stage from opportunities where stage = 'lost'")}
    assert "bidding" in lost_at and None not in lost_at


def test_projects_have_every_status(default_db) -> None:
    path, _ = default_db
    statuses = {row[0] for row in query(path, "select distinct status from projects")}
    assert statuses == set(store.PROJECT_STATUSES)
    assert query(path, "select count(*) from projects where planned_end is null")[0][0] >= 1
    assert query(path, "select count(*) from projects where status = 'completed' and progress_pct <> 100")[0][0] == 0


def test_all_tenure_bands_exist(default_db) -> None:
    path, _ = default_db
    rows = query(
        path,
        """
        select distinct case
            when cooperation_start > ?::date - interval 1 year then 'new'
            when cooperation_start > ?::date - interval 5 year then 'mid'
            else 'long' end
        from accounts
        """,
        [DEMO_END_DATE, DEMO_END_DATE],
    )
    assert {r[0] for r in rows} == {"new", "mid", "long"}


def test_churned_accounts_stopped_buying(default_db) -> None:
    path, _ = default_db
    rows = query(
        path,
        """
        select a.account_id, a.churned_on, max(s.order_date)
        from accounts a join sales s using (account_id)
        where a.status = 'churned' group by all
        """,
    )
    assert len(rows) >= 3
    for _, churned_on, last_order in rows:
        assert last_order < DEMO_END_DATE
        assert last_order < churned_on <= DEMO_END_DATE


def test_survey_blanks_and_items(default_db) -> None:
    path, _ = default_db
    assert query(path, "select count(*) from survey_responses where score is null")[0][0] > 0
    blanks = dict(
        query(
            path,
            """
            select blanks, count(*) from (
                select response_id, count(*) filter (where score is null) as blanks
                from survey_responses group by 1
            ) group by 1
            """,
        )
    )
    assert blanks.get(1, 0) >= 1
    assert sum(n for b, n in blanks.items() if b >= 2) >= 1
    nps = query(path, "select dimension, scale_min, scale_max from survey_items where item_code = 'NPS'")
    assert nps == [("overall", 0, 10)]
    dims = {r[0] for r in query(path, "select distinct dimension from survey_items")}
    assert dims == set(store.SURVEY_DIMENSIONS)
    waves = query(path, "select count(*), min(sent) from survey_waves")[0]
    assert waves[0] == 4 and waves[1] > 0


def test_six_owners(default_db) -> None:
    path, _ = default_db
    assert query(path, "select count(distinct owner) from accounts")[0][0] == 6


def test_revenue_is_concentrated(default_db) -> None:
    path, _ = default_db
    top_share = query(
        path,
        """
        with r as (select account_id, sum(amount) as rev from sales group by 1),
        ranked as (select rev, row_number() over (order by rev desc) as rk, count(*) over () as n from r)
        select sum(rev) filter (where rk <= n * 0.2) / sum(rev) from ranked
        """,
    )[0][0]
    assert top_share > 0.6


# --------------------------------------------------------------------------------------------------
# Refusing and replacing
# --------------------------------------------------------------------------------------------------

def test_refuses_populated_database_without_force(tmp_path: Path) -> None:
    path = tmp_path / "kam.duckdb"
    first = build_demo_database(path, seed=1, **SMALL)
    before = checksums(path)
    with pytest.raises(FileExistsError):
        build_demo_database(path, seed=2, **SMALL)
    assert checksums(path) == before

    again = build_demo_database(path, seed=1, force=True, **SMALL)
    assert again == first
    assert checksums(path) == before
    with store.open_db(path) as con:
        # the imports of the first build are gone; one import per table remains
        assert con.execute("select count(*) from imports").fetchone()[0] == len(store.DATA_TABLES)


def test_failed_rebuild_leaves_database_unchanged(tmp_path: Path) -> None:
    path = tmp_path / "kam.duckdb"
    build_demo_database(path, seed=1, **SMALL)
    before = checksums(path)

    def explode(fraction: float, message: str) -> None:
        if fraction > 0.9:
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        build_demo_database(path, seed=2, force=True, progress=explode, **SMALL)
    assert checksums(path) == before
