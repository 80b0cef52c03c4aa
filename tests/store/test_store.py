"""The schema on a real DuckDB file: constraints reject bad rows, ensure_schema is idempotent, migrations
apply in order, and a second process waits for (then reports) the lock."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pytest

from kam_metrics.store.connection import (
    DATA_TABLES,
    MIGRATIONS,
    SCHEMA_VERSION,
    DatabaseLocked,
    ensure_schema,
    open_db,
    schema_version,
)

ROOT = Path(__file__).resolve().parents[2]

BAD_ROWS = [
    ("insert into accounts (account_id, account_name, scale) values ('X1', '某公司', 'huge')", "scale"),
    ("insert into accounts (account_id, account_name) values ('X1', NULL)", "account_name"),
    ("insert into accounts (account_id, account_name, status) values ('X1', '某公司', 'gone')", "status"),
    (
        "insert into sales (order_id, line_no, account_id, order_date, quantity, amount) "
        "values ('O1', 0, 'A1', date '2025-01-01', 1, 10)",
        "line_no",
    ),
    (
        "insert into sales (order_id, line_no, account_id, order_date, quantity, amount) "
        "values ('O1', 1, 'A1', NULL, 1, 10)",
        "order_date",
    ),
    ("insert into targets (period, level, \"key\") values ('2025Q5', 'company', '')", "period"),
    ("insert into targets (period, level, \"key\") values ('2025-13', 'owner', 'x')", "period"),
    ("insert into targets (period, level, \"key\") values ('2025', 'team', 'x')", "level"),
    ("insert into targets (period, level, \"key\") values ('2025', 'company', 'x')", "company"),
    ("insert into survey_items (item_code, dimension, weight) values ('Q', 'mood', 1)", "dimension"),
    ("insert into survey_items (item_code, dimension, weight, scale_min, scale_max) values ('Q', 'price', 1, 5, 1)", "scale"),
    (
        "insert into survey_responses (response_id, item_code, survey_date, score) values ('R', 'Q', date '2025-01-01', 11)",
        "score",
    ),
    ("insert into projects (project_id, account_id, project_name, status) values ('P', 'A', 'x', 'late')", "status"),
    (
        "insert into projects (project_id, account_id, project_name, status, progress_pct) values ('P', 'A', 'x', 'planned', 120)",
        "progress_pct",
    ),
    (
        "insert into interactions (interaction_id, account_id, kind, opened_at, first_response_at) "
        "values ('I', 'A', 'complaint', timestamp '2025-01-02 10:00', timestamp '2025-01-01 10:00')",
        "first_response_at",
    ),
    ("insert into interactions (interaction_id, account_id, kind, opened_at) values ('I', 'A', 'email', now())", "kind"),
    ("insert into opportunities (opportunity_id, account_id, stage) values ('OP', 'A', 'dreaming')", "stage"),
    ("insert into opportunities (opportunity_id, stage) values ('OP', 'lead')", "prospect_name"),
    ("insert into opportunities (opportunity_id, account_id, stage, probability) values ('OP', 'A', 'lead', 1.5)", "probability"),
    (
        "insert into opportunities (opportunity_id, account_id, stage, lost_at_stage) values ('OP', 'A', 'won', 'bidding')",
        "lost_at_stage",
    ),
]


@pytest.mark.parametrize(("sql", "why"), BAD_ROWS, ids=[why + str(i) for i, (_, why) in enumerate(BAD_ROWS)])
def test_constraints_reject_bad_rows(tmp_path, sql, why):
    with open_db(tmp_path / "kam.duckdb") as con:
        with pytest.raises(duckdb.ConstraintException):
            con.execute(sql)


def test_primary_keys_reject_duplicates(tmp_path):
    with open_db(tmp_path / "kam.duckdb") as con:
        row = "insert into sales (order_id, line_no, account_id, order_date, quantity, amount) values ('O1', 1, 'A1', date '2025-01-01', 1, 10)"
        con.execute(row)
        with pytest.raises(duckdb.ConstraintException):
            con.execute(row)
        assert con.execute("select count(*) from sales").fetchone()[0] == 1


def test_good_rows_are_accepted(tmp_path):
    with open_db(tmp_path / "kam.duckdb") as con:
        con.execute("insert into accounts (account_id, account_name, scale) values ('A1', '甲公司', 'large')")
        con.execute("insert into targets (period, level, \"key\", revenue_target) values ('2025-03', 'owner', '张三', 100)")
        con.execute(
            "insert into opportunities (opportunity_id, prospect_name, stage, lost_at_stage) values ('OP', '新客户', 'lost', 'bidding')"
        )
        assert con.execute("select status from accounts").fetchone()[0] == "active"


def test_ensure_schema_is_idempotent(tmp_path):
    path = tmp_path / "kam.duckdb"
    with open_db(path) as con:
        con.execute("insert into accounts (account_id, account_name) values ('A1', '甲公司')")
        assert ensure_schema(con) == SCHEMA_VERSION
        assert ensure_schema(con) == SCHEMA_VERSION
    with open_db(path) as con:
        assert schema_version(con) == SCHEMA_VERSION
        assert con.execute("select count(*) from accounts").fetchone()[0] == 1
        tables = {r[0] for r in con.execute("select table_name from information_schema.tables").fetchall()}
    assert set(DATA_TABLES) | {"imports", "settings", "schema_version"} <= tables


def test_migration_upgrades_an_older_database_in_place(tmp_path):
    path = tmp_path / "kam.duckdb"
    con = duckdb.connect(str(path))
    ensure_schema(con, MIGRATIONS[:1])
    con.execute("insert into accounts (account_id, account_name) values ('A1', '甲公司')")
    upgraded = MIGRATIONS + [(SCHEMA_VERSION + 1, ["alter table accounts add column website varchar"])]
    assert ensure_schema(con, upgraded) == SCHEMA_VERSION + 1
    assert con.execute("select account_name, website from accounts").fetchall() == [("甲公司", None)]
    con.close()


def test_failed_migration_leaves_the_database_as_it_was(tmp_path):
    con = duckdb.connect(str(tmp_path / "kam.duckdb"))
    ensure_schema(con)
    broken = MIGRATIONS + [(SCHEMA_VERSION + 1, ["alter table accounts add column extra varchar", "select * from no_such_table"])]
    with pytest.raises(duckdb.CatalogException):
        ensure_schema(con, broken)
    assert schema_version(con) == SCHEMA_VERSION
    columns = [r[0] for r in con.execute("select column_name from information_schema.columns where table_name='accounts'").fetchall()]
    assert "extra" not in columns
    con.close()


def test_a_second_process_waits_then_reports_the_holder(tmp_path):
    path = tmp_path / "kam.duckdb"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(
                f"""
                import sys, time
                from kam_metrics.store.connection import open_db
                with open_db({str(path)!r}) as con:
                    print("holding", flush=True)
                    time.sleep(30)
                """
            ),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "holding"
        with pytest.raises(DatabaseLocked, match=f"process {holder.pid}"):
            with open_db(path, wait_seconds=0.5):
                pass
    finally:
        holder.kill()
        holder.wait()
    with open_db(path, wait_seconds=5) as con:  # free again once the holder has gone
        assert schema_version(con) == SCHEMA_VERSION
