"""Concurrent use: eight sessions read every page's data while another process imports and
undoes; no error, and each read sees the data before or after an import, never a mix. And the command-line
importer run while the app holds the file either waits and works or fails with a clear message.

The sessions are threads that each open the database read-only for one unit of work (as docs/architecture.md
prescribes) and run the same kam_metrics calls as the pages' cached loaders (the ``work`` of every cached loader of
kam_app.data.sales and kam_app.data.operations, and the overview, satisfaction, records and import-history calls). The writer is a real second process
running the command line (import, then undo, three times).
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import threading
import time
from datetime import date
from pathlib import Path

import pytest

from kam_app.data import operations as loaders_operations
from kam_app.data import sales as loaders
from kam_metrics.access import audit as audit_log
from kam_metrics.domain.filters import Filters
from kam_metrics.ingest import stage as ingest
from kam_metrics.metrics import kpi, sales, satisfaction
from kam_metrics.metrics.accounts import MATRIX_DIMENSIONS
from kam_metrics.records import accounts as records
from kam_metrics.store.connection import WAITING_SUFFIX, DatabaseLocked, open_db
from kam_metrics.store.settings import load_settings

ROOT = Path(__file__).resolve().parents[2]
SESSIONS = 8
CYCLES = 3
NEW_ROWS = 2000

WRITER = """
import sys, time
from kam_metrics.cli.main import main
db, csv, cycles = sys.argv[1], sys.argv[2], int(sys.argv[3])
for cycle in range(cycles):
    assert main(["import", "sales", csv, "--db", db]) == 0
    time.sleep(1.5)  # the imported data stays a moment before someone undoes it
    assert main(["undo", str(cycle + 1), "--db", db]) == 0
    time.sleep(0.5)
"""

EVERYTHING = Filters(start=date(2000, 1, 1), end=date(2030, 12, 31))
Q2 = Filters(start=date(2025, 4, 1), end=date(2025, 6, 30))


def _page_units() -> list:
    """One callable per page's loader (con -> None): what one rerun of that page reads."""
    units = [
        lambda con: loaders.load_sales_page.work(con, Q2, "month"),
        lambda con: loaders.load_breakdown.work(con, Q2, "industry"),
        lambda con: loaders.load_accounts_page.work(con, Q2),
        lambda con: loaders.load_matrix.work(con, Q2, *list(MATRIX_DIMENSIONS)[:2]),
        lambda con: loaders.load_account_options.work(con, Q2),
        lambda con: loaders.load_account_360.work(con, "A1", Q2),
        lambda con: loaders.load_team.work(con, Q2),
        lambda con: loaders.load_targets.work(con),
        lambda con: loaders_operations.load_projects_page.work(con, Q2),
        lambda con: loaders_operations.load_service_page.work(con, Q2),
        lambda con: loaders_operations.load_pipeline_page.work(con, Q2),
        lambda con: loaders_operations.load_team_pipeline.work(con, Q2),
        lambda con: loaders_operations.load_account_operations.work(con, "A1", Q2),
    ]
    units += [
        lambda con: (sales.load_data_range(con), sales.load_segment_values(con)),  # the sidebar
        lambda con: (kpi.compute_kpis(con, Q2), sales.compute_monthly_revenue(con, Q2),  # overview
                     sales.compute_top_accounts(con, Q2, limit=10), satisfaction.compute_latest_overall(con, Q2.end)),
        lambda con: (satisfaction.compute_satisfaction_page(con, None), load_settings(con)),
        lambda con: satisfaction.compute_account_waves(con, "A1"),
        lambda con: (records.search_accounts(con, "", "all"), records.list_changes(con)),
        lambda con: audit_log.read_audit(con),
    ]
    return units


PAGES = _page_units()


def snapshot(con) -> tuple:
    """What a unit of work saw of the data: (revenue of all time, sales rows, committed imports)."""
    revenue = kpi.compute_kpis(con, EVERYTHING)["revenue"]
    rows = con.execute("select count(*) from sales").fetchall()[0][0]
    committed = sum(1 for r in ingest.import_history(con) if r["status"] == "committed")
    return round(revenue, 2), rows, committed


def test_eight_sessions_read_while_another_process_imports_and_undoes(hand_db, tmp_path):
    csv = tmp_path / "more_sales.csv"
    lines = ["订单号,行号,客户编号,订单日期,数量,销售额"]
    lines += [f"N{i:05d},1,A{1 + i % 5},2025-0{4 + i % 3}-{1 + i % 28:02d},1,{10 + i % 7}" for i in range(NEW_ROWS)]
    csv.write_text("\n".join(lines) + "\n", encoding="utf-8")
    added = sum(10 + i % 7 for i in range(NEW_ROWS))
    with open_db(hand_db, read_only=True) as con:
        for page in PAGES:  # every page's data reads without error before the test starts
            page(con)
        old = snapshot(con)
    new = (round(old[0] + added, 2), old[1] + NEW_ROWS, 1)
    assert old[2] == 0

    seen: list[tuple] = []
    errors: list[BaseException] = []
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(hand_db), str(csv), str(CYCLES)],
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT), "KAM_LOCK_WAIT": "60"},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )

    def session(number: int) -> None:
        """A user going from page to page: each rerun reads one page's data in one unit of work."""
        chance = random.Random(number)
        visit = number
        try:
            while writer.poll() is None:
                with open_db(hand_db, read_only=True, wait_seconds=60) as con:
                    PAGES[visit % len(PAGES)](con)
                    seen.append(snapshot(con))
                visit += 1
                time.sleep(chance.uniform(0.05, 0.3))  # the user looks at the page before the next rerun
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=session, args=(n,)) for n in range(SESSIONS)]
    for thread in threads:
        thread.start()
    out, err = writer.communicate(timeout=240)
    for thread in threads:
        thread.join(timeout=120)
    assert writer.returncode == 0, err.decode()[-2000:]
    assert not errors, errors[:3]
    assert len(seen) >= len(PAGES)  # every page was read at least once during the writes
    assert set(seen) <= {old, new}, set(seen) - {old, new}  # never a mix
    print(f"reads of the data before / after an import: {seen.count(old)} / {seen.count(new)}")
    assert seen.count(new) > 0 and seen.count(old) > 0  # the reads did interleave with the writes
    with open_db(hand_db, read_only=True) as con:
        assert snapshot(con) == old  # undone at the end
        statuses = [r["status"] for r in ingest.import_history(con)]
    assert statuses == ["undone"] * CYCLES


def _cli_import(db: Path, csv: Path, wait: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "kam_metrics", "import", "sales", str(csv), "--db", str(db)],
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT), "KAM_LOCK_WAIT": wait},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


@pytest.fixture()
def one_line(tmp_path) -> Path:
    csv = tmp_path / "one.csv"
    csv.write_text("订单号,行号,客户编号,订单日期,数量,销售额\nZ1,1,A1,2025-06-30,1,5\n", encoding="utf-8")
    return csv


def test_cli_import_while_the_app_holds_the_file_waits_and_works(hand_db, one_line):
    """The app holds the file for one unit of work (a read-write connection, as its loaders open it); the
    command line waits for it and then imports."""
    held = threading.Event()
    saw_waiting = []
    marker = hand_db.with_name(hand_db.name + WAITING_SUFFIX)

    def app_unit_of_work() -> None:
        with open_db(hand_db) as con:
            con.execute("select count(*) from sales").fetchall()
            held.set()
            deadline = time.monotonic() + 60
            while not marker.exists() and time.monotonic() < deadline:  # until the import is seen waiting
                time.sleep(0.05)
            saw_waiting.append(marker.exists())
            time.sleep(0.5)

    app = threading.Thread(target=app_unit_of_work)
    app.start()
    held.wait(30)
    process = _cli_import(hand_db, one_line, "60")
    out, err = process.communicate(timeout=120)
    app.join()
    assert saw_waiting == [True]  # the command line found the file held and waited
    assert process.returncode == 0, err
    assert "Import 1" in out
    assert not marker.exists()  # and cleared its marker once in
    with open_db(hand_db, read_only=True) as con:
        assert con.execute("select count(*) from sales where order_id = 'Z1'").fetchall()[0][0] == 1


def test_cli_import_fails_clearly_when_the_app_holds_the_file_too_long(hand_db, one_line):
    with open_db(hand_db) as con:  # the app's connection, held past the command line's wait
        process = _cli_import(hand_db, one_line, "1")
        out, err = process.communicate(timeout=120)
        assert process.returncode == 1
        assert f"is held by process {os.getpid()}" in err and "try again" in err
        assert con.execute("select count(*) from imports").fetchall()[0][0] == 0  # nothing written
    # the other way round: a process holding the file makes the app's wait end in DatabaseLocked (the
    # pages then say "data is being updated" and offer a retry)
    with pytest.raises(DatabaseLocked, match="is held by process"):
        blocker = subprocess.Popen(
            [sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('held', flush=True); "
             "time.sleep(5)", str(hand_db)], stdout=subprocess.PIPE, text=True)
        try:
            assert blocker.stdout.readline().strip() == "held"
            with open_db(hand_db, read_only=True, wait_seconds=0.5):
                pass
        finally:
            blocker.kill()
            blocker.wait()
