"""The DuckDB store: where the file is, how to open it for one unit of work, the schema and migrations.

All DDL of docs/data-model.md lives here. Nobody holds the database longer than a unit of work (docs/architecture.md):
``open_db`` is a context manager that opens the file, yields a connection and closes it. When another
process holds the file, it waits (up to ``wait_seconds``) and then raises :class:`DatabaseLocked`
naming the holder, so the app can say "data is being updated" and the command line can exit 1.
"""

from __future__ import annotations

import logging
import os
import re
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import duckdb

from kam_metrics.domain.enums import (
    ACCOUNT_STATUSES,
    IMPORT_MODES,
    IMPORT_STATUSES,
    INTERACTION_KINDS,
    OPEN_STAGES,
    PIPELINE_STAGES,
    PROJECT_STATUSES,
    SCALES,
    SURVEY_DIMENSIONS,
    TARGET_LEVELS,
)
from kam_metrics.store import schema_access, schema_report

DEFAULT_DB_PATH = Path("data") / "kam.duckdb"

#: Enumerations stored as English codes (docs/data-model.md).

#: Tables holding business data, in the order they are listed by ``info``.
DATA_TABLES = (
    "accounts",
    "sales",
    "targets",
    "survey_items",
    "survey_waves",
    "survey_responses",
    "projects",
    "interactions",
    "opportunities",
)


def _in_list(column: str, values: Sequence[str]) -> str:
    """A CHECK clause body; the values are this module's own constants, never user input."""
    return f"{column} in ({', '.join(repr(v) for v in values)})"


_SCHEMA_V1 = [
    """
    create table if not exists imports (
        import_id      bigint primary key,
        table_name     varchar not null,
        file_name      varchar,
        sha256         varchar,
        mode           varchar not null check ("""
    + _in_list("mode", IMPORT_MODES)
    + """),
        rows_read      bigint not null default 0 check (rows_read >= 0),
        rows_inserted  bigint not null default 0 check (rows_inserted >= 0),
        rows_updated   bigint not null default 0 check (rows_updated >= 0),
        rows_rejected  bigint not null default 0 check (rows_rejected >= 0),
        started_at     timestamp not null,
        finished_at    timestamp,
        user_name      varchar,
        status         varchar not null check ("""
    + _in_list("status", IMPORT_STATUSES)
    + """)
    )
    """,
    "create sequence if not exists import_id_seq start 1",
    """
    create table if not exists accounts (
        account_id        varchar primary key,
        account_name      varchar not null check (length(trim(account_name)) > 0),
        industry          varchar,
        scale             varchar check (scale is null or """
    + _in_list("scale", SCALES)
    + """),
        region            varchar,
        city              varchar,
        owner             varchar,
        group_name        varchar,
        is_key_account    boolean,
        cooperation_start date,
        status            varchar not null default 'active' check ("""
    + _in_list("status", ACCOUNT_STATUSES)
    + """),
        churned_on        date,
        referred_by       varchar,
        import_id         bigint
    )
    """,
    """
    create table if not exists sales (
        order_id     varchar not null,
        line_no      integer not null check (line_no >= 1),
        account_id   varchar not null,
        order_date   date not null,
        product      varchar,
        product_line varchar,
        channel      varchar,
        quantity     double not null,
        amount       double not null,
        cost         double,
        import_id    bigint,
        primary key (order_id, line_no)
    )
    """,
    """
    create table if not exists targets (
        period          varchar not null check (regexp_full_match(period, '[0-9]{4}(Q[1-4]|-(0[1-9]|1[0-2]))?')),
        level           varchar not null check ("""
    + _in_list("level", TARGET_LEVELS)
    + """),
        "key"           varchar not null default '',
        revenue_target  double check (revenue_target is null or revenue_target >= 0),
        volume_target   double check (volume_target is null or volume_target >= 0),
        import_id       bigint,
        primary key (period, level, "key"),
        check (level <> 'company' or "key" = '')
    )
    """,
    """
    create table if not exists survey_items (
        item_code    varchar primary key,
        dimension    varchar not null check ("""
    + _in_list("dimension", SURVEY_DIMENSIONS)
    + """),
        label_zh     varchar,
        label_en     varchar,
        weight       double not null default 1 check (weight >= 0),
        scale_min    integer not null default 1,
        scale_max    integer not null default 5,
        target_index double check (target_index is null or target_index between 0 and 100),
        import_id    bigint,
        check (scale_min < scale_max)
    )
    """,
    """
    create table if not exists survey_waves (
        wave      varchar primary key,
        sent      integer not null check (sent >= 0),
        sent_on   date,
        import_id bigint
    )
    """,
    """
    create table if not exists survey_responses (
        response_id      varchar not null,
        item_code        varchar not null,
        account_id       varchar not null default '',
        survey_date      date not null,
        wave             varchar,
        respondent_role  varchar,
        score            double check (score is null or score between 0 and 10),
        competitor_score double check (competitor_score is null or competitor_score between 0 and 10),
        comment          varchar,
        import_id        bigint,
        primary key (response_id, item_code)
    )
    """,
    """
    create table if not exists projects (
        project_id     varchar primary key,
        account_id     varchar not null,
        project_name   varchar not null,
        status         varchar not null check ("""
    + _in_list("status", PROJECT_STATUSES)
    + """),
        start_date     date,
        planned_end    date,
        forecast_end   date,
        actual_end     date,
        progress_pct   double check (progress_pct is null or progress_pct between 0 and 100),
        contract_value double,
        feedback_score double check (feedback_score is null or feedback_score between 1 and 5),
        issue_note     varchar,
        import_id      bigint
    )
    """,
    """
    create table if not exists interactions (
        interaction_id    varchar primary key,
        account_id        varchar not null,
        kind              varchar not null check ("""
    + _in_list("kind", INTERACTION_KINDS)
    + """),
        opened_at         timestamp not null,
        first_response_at timestamp check (first_response_at is null or first_response_at >= opened_at),
        resolved_at       timestamp check (resolved_at is null or resolved_at >= opened_at),
        owner             varchar,
        note              varchar,
        import_id         bigint
    )
    """,
    """
    create table if not exists opportunities (
        opportunity_id   varchar primary key,
        account_id       varchar,
        prospect_name    varchar,
        stage            varchar not null check ("""
    + _in_list("stage", PIPELINE_STAGES)
    + """),
        lost_at_stage    varchar check (lost_at_stage is null or """
    + _in_list("lost_at_stage", OPEN_STAGES)
    + """),
        stage_changed_on date,
        amount           double check (amount is null or amount >= 0),
        probability      double check (probability is null or probability between 0 and 1),
        created_on       date,
        closed_on        date,
        import_id        bigint,
        check (account_id is not null or prospect_name is not null),
        check (stage = 'lost' or lost_at_stage is null)
    )
    """,
    """
    create table if not exists settings (
        setting_key varchar primary key,
        value_json  varchar not null,
        updated_at  timestamp not null default current_timestamp
    )
    """,
]

def backup_table(table: str) -> str:
    """The table keeping the rows an import overwrote or deleted, for an exact undo."""
    if table not in DATA_TABLES:
        raise ValueError(f"not a data table: {table!r}")
    return "backup_" + table


# v2: undo and remembered mappings. Each data table gets a constraint-free twin holding the previous
# version of every row an import updated or replaced (with the id of that import), so undo restores
# the database exactly; import_mappings remembers a confirmed mapping per set of headers.
_SCHEMA_V2 = [
    "create table if not exists " + backup_table(t) + " as select *, null::bigint as backup_of_import from " + t
    + " where false"
    for t in DATA_TABLES
] + [
    """
    create table if not exists import_mappings (
        table_name       varchar not null,
        header_signature varchar not null,
        mapping_json     varchar not null,
        updated_at       timestamp not null default current_timestamp,
        primary key (table_name, header_signature)
    )
    """
]

# v5: the rows an import set aside when the user chose to skip invalid rows, with their problems in both
# languages (docs/cli.md, import), kept with the import and downloadable from its history
_SCHEMA_V5 = [
    """
    create table if not exists import_rejects (
        import_id   bigint not null,
        row_no      bigint,
        column_name varchar,
        value       varchar,
        problem_zh  varchar not null,
        problem_en  varchar not null,
        fix_zh      varchar,
        fix_en      varchar
    )
    """
]

# Import profiles: the choices of an import (constants, recodes, survey scales, not-applicable codes,
# sheet, date order) kept under a name for files with the same headers (docs/data-model.md#import_profiles).
_SCHEMA_V6 = [
    """
    create table if not exists import_profiles (
        name             varchar primary key,
        table_name       varchar not null,
        header_signature varchar not null,
        options_json     varchar not null,
        updated_at       timestamp not null default current_timestamp
    )
    """,
]

#: Ordered migrations: (version, statements). Append new versions; never edit a released one.
MIGRATIONS: list[tuple[int, list[str]]] = [
    (1, _SCHEMA_V1), (2, _SCHEMA_V2), (3, schema_report.STATEMENTS), (4, schema_access.STATEMENTS), (5, _SCHEMA_V5), (6, _SCHEMA_V6),
]

SCHEMA_VERSION = MIGRATIONS[-1][0]


class DatabaseLocked(RuntimeError):
    """Another process holds the database file (DuckDB allows one writer process at a time)."""


class DatabaseTooNew(RuntimeError):
    """The file was written by a newer version of the product (its schema version is above
    :data:`SCHEMA_VERSION`): it may be read, never written, since this code does not know its tables."""

    def __init__(self, path: Path, found: int, known: int = 0):
        self.path, self.found, self.known = path, found, known or SCHEMA_VERSION
        super().__init__(
            f"Database {path} has schema version {found}, newer than this version of KAM Dashboard knows "
            f"({self.known}); it is opened read-only. Upgrade KAM Dashboard to write into it. / "
            f"数据库 {path} 的结构版本为 {found},高于本程序支持的版本 {self.known};只能读取,不能写入。请升级 KAM Dashboard。"
        )


def resolve_db_path(db: str | os.PathLike | None = None) -> Path:
    """`--db`, then the ``KAM_DB`` environment variable, then ``data/kam.duckdb``."""
    if db:
        return Path(db)
    env = os.environ.get("KAM_DB")
    return Path(env) if env else DEFAULT_DB_PATH


def _is_lock_error(exc: Exception) -> bool:
    text = str(exc).lower()
    return "lock" in text and ("conflicting" in text or "could not set lock" in text)


def _lock_holder(exc: Exception) -> str:
    match = re.search(r"PID (\d+)", str(exc))
    return f"process {match.group(1)}" if match else "another process"


#: Opening and closing the file are serialised within a process. Without this, threads opening and closing
#: it at the same moment (sessions of the app) were seen reading a stale copy after another process's
#: import had committed (tests/test_concurrency.py); the likely cause is DuckDB's per-process instance
#: cache together with POSIX record locks, which a process loses on every descriptor of a file when it
#: closes any one of them.
_OPEN_CLOSE_LOCK = threading.Lock()

#: A writer that finds the file held leaves this sibling file (holding its process id) while it waits;
#: other processes do not start a new unit of work while it is fresh, so a busy app (many sessions opening
#: the file in turn) cannot starve a command-line import (tests/store/test_concurrency.py).
WAITING_SUFFIX = ".writer-waiting"
_WAITING_FRESH_SECONDS = 2.0


def _other_writer_waiting(marker: Path) -> bool:
    try:
        if time.time() - marker.stat().st_mtime > _WAITING_FRESH_SECONDS:
            return False  # left behind by a writer that died while waiting
        return marker.read_text().strip() != str(os.getpid())
    except (OSError, ValueError):
        return False


def _connect_when_free(path: Path, *, read_only: bool, wait_seconds: float) -> duckdb.DuckDBPyConnection:
    """Connect to ``path``, retrying every 0.2 s while another process holds it, for up to
    ``wait_seconds``; a waiting writer leaves a marker file so that new readers let it in first."""
    deadline = time.monotonic() + wait_seconds
    marker = path.with_name(path.name + WAITING_SUFFIX)
    waiting = False
    try:
        while True:
            while _other_writer_waiting(marker) and time.monotonic() < deadline:
                time.sleep(0.05)  # let the waiting writer in first
            try:
                with _OPEN_CLOSE_LOCK:
                    con = duckdb.connect(str(path), read_only=read_only)
                return con
            except duckdb.IOException as exc:
                if not _is_lock_error(exc):
                    raise
                if time.monotonic() >= deadline:
                    raise DatabaseLocked(
                        f"Database {path} is held by {_lock_holder(exc)} (an import or another command). "
                        f"Waited {wait_seconds:.0f} s; try again when it has finished."
                    ) from exc
                if not read_only:
                    try:
                        marker.write_text(str(os.getpid()))
                        waiting = True
                    except OSError:
                        pass
                time.sleep(0.2)
    finally:
        if waiting and not _other_writer_waiting(marker):
            marker.unlink(missing_ok=True)


@contextmanager
def open_db(
    db: str | os.PathLike | None = None,
    *,
    read_only: bool = False,
    create: bool = True,
    wait_seconds: float | None = None,
    allow_newer: bool = False,
) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open the database for one unit of work and close it afterwards.

    A writer creates the file and its schema when missing (``create``). When another process holds
    the file, retry every 0.2 s for up to ``wait_seconds`` (default: ``KAM_LOCK_WAIT`` seconds, 60),
    then raise :class:`DatabaseLocked`. A file of a newer schema version than this code knows raises
    :class:`DatabaseTooNew` for a writer; ``allow_newer`` is for a unit of work that only reads through a
    writable connection (the app's pages, which share one connection mode per process): it then opens the
    file without migrating it.
    """
    if wait_seconds is None:
        wait_seconds = float(os.environ.get("KAM_LOCK_WAIT", "60"))
    path = resolve_db_path(db)
    if not path.exists():
        if read_only or not create:
            raise FileNotFoundError(
                f"Database {path} does not exist. Create it with `python -m kam_metrics init-demo` "
                "or import a file."
            )
        path.parent.mkdir(parents=True, exist_ok=True)
    con = _connect_when_free(path, read_only=read_only, wait_seconds=wait_seconds)
    try:
        if read_only and schema_version(con) <= SCHEMA_VERSION and missing_tables(con):
            con.close()  # a damaged file: repair it through a writer first, then read
            with open_db(path, wait_seconds=wait_seconds):
                pass
            con = _connect_when_free(path, read_only=True, wait_seconds=wait_seconds)
        if not read_only:
            found = schema_version(con)
            if found <= SCHEMA_VERSION:
                ensure_schema(con)
                _recreate_missing(con)
            elif not allow_newer:
                raise DatabaseTooNew(path, found)
        yield con
    finally:
        with _OPEN_CLOSE_LOCK:
            con.close()


def schema_version(con: duckdb.DuckDBPyConnection) -> int:
    """The highest migration applied to this database (0 for an empty one)."""
    # fetchall, not fetchone: DuckDB 2 keeps a half-read result open, which blocks register() afterwards
    exists = con.execute(
        "select count(*) from information_schema.tables where table_name = 'schema_version'"
    ).fetchall()[0][0]
    if not exists:
        return 0
    row = con.execute("select max(version) from schema_version").fetchall()[0]
    return int(row[0] or 0)


def newer_schema(con: duckdb.DuckDBPyConnection) -> int | None:
    """The file's schema version when a newer version of the product wrote it (read only here), else None."""
    found = schema_version(con)
    return found if found > SCHEMA_VERSION else None


#: every table the migrations create (a file lacking one was damaged or edited by another program)
_CREATED = re.compile(r"create table if not exists (\w+)", re.IGNORECASE)


def missing_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The tables of the schema that the file lacks."""
    expected = [name for _, statements in MIGRATIONS for statement in statements for name in _CREATED.findall(statement)]
    present = {row[0] for row in con.execute("select table_name from duckdb_tables()").fetchall()}
    return [name for name in expected if name not in present]


def _recreate_missing(con: duckdb.DuckDBPyConnection) -> None:
    """Recreate, empty, the tables a damaged file lacks (every migration statement creates only what is
    not there, so they are run again), in one transaction, with a warning naming them: what a dropped
    table held is gone, the rest of the file stays usable."""
    missing = missing_tables(con)
    if not missing:
        return
    con.execute("begin transaction")
    try:
        for _, statements in sorted(MIGRATIONS, key=lambda m: m[0]):
            for statement in statements:
                con.execute(statement)
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    logging.getLogger("kam_metrics.store").warning(
        "The database lacked the tables %s; they were recreated empty. / 数据库缺少表 %s,已重新创建(为空)。",
        ", ".join(missing), ", ".join(missing))


def ensure_schema(
    con: duckdb.DuckDBPyConnection, migrations: Sequence[tuple[int, Sequence[str]]] | None = None
) -> int:
    """Apply every migration the database has not recorded yet, in version order, each in its own
    transaction (by set, not by "newer than": migrations added out of order are still applied once).

    Safe to call any number of times. Returns the resulting schema version.
    """
    migrations = MIGRATIONS if migrations is None else migrations
    con.execute(
        "create table if not exists schema_version (version integer primary key, applied_at timestamp not null)"
    )
    applied = {row[0] for row in con.execute("select version from schema_version").fetchall()}
    current = schema_version(con)
    for version, statements in sorted(migrations, key=lambda m: m[0]):
        if version in applied:
            continue
        con.execute("begin transaction")
        try:
            for statement in statements:
                con.execute(statement)
            con.execute("insert into schema_version values (?, current_timestamp)", [version])
            con.execute("commit")
        except Exception:
            con.execute("rollback")
            raise
        current = max(current, version)
    return current


def start_import(
    con: duckdb.DuckDBPyConnection,
    table_name: str,
    *,
    file_name: str | None,
    mode: str,
    user_name: str | None = None,
    sha256: str | None = None,
) -> int:
    """Register an import (status committed once the caller's transaction commits); return its id."""
    import_id = con.execute("select nextval('import_id_seq')").fetchall()[0][0]
    con.execute(
        "insert into imports (import_id, table_name, file_name, sha256, mode, started_at, user_name, status) "
        "values (?, ?, ?, ?, ?, current_timestamp, ?, 'committed')",
        [import_id, table_name, file_name, sha256, mode, user_name],
    )
    return int(import_id)


def finish_import(
    con: duckdb.DuckDBPyConnection, import_id: int, *, rows_read: int, rows_inserted: int
) -> None:
    con.execute(
        "update imports set rows_read = ?, rows_inserted = ?, finished_at = current_timestamp "
        "where import_id = ?",
        [rows_read, rows_inserted, import_id],
    )


# Per-table row count and date range for `info`. Table names come from DATA_TABLES, a fixed allow-list.
_DATE_COLUMN = {
    "sales": "order_date",
    "survey_responses": "survey_date",
    "projects": "start_date",
    "interactions": "opened_at",
    "opportunities": "created_on",
    "accounts": "cooperation_start",
}


def describe_tables(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """One dict per data table: table, rows, first and last date (None when the table has no date)."""
    out = []
    for table in DATA_TABLES:
        date_col = _DATE_COLUMN.get(table)
        if date_col:
            sql = f"select count(*), min({date_col})::date, max({date_col})::date from {table}"  # noqa: S608 allow-listed identifiers
        else:
            sql = f"select count(*), null, null from {table}"  # noqa: S608 allow-listed identifier
        rows, first, last = con.execute(sql).fetchall()[0]
        out.append({"table": table, "rows": int(rows), "first_date": first, "last_date": last})
    return out
