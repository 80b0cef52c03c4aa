"""Benchmark the importer on the same sales rows as CSV, XLSX and XLS: stage + commit, best of N runs.

    python bench/bench_import_formats.py [--rows 10000] [--repeat 3] [--workdir /tmp/kam_bench_formats]

Writes the rows (Chinese headers, 1,000 accounts, dates as date cells in the workbooks) as a UTF-8 CSV,
an XLSX (openpyxl) and, when xlwt is installed (requirements-dev.txt), a BIFF8 XLS, into --workdir. Each
run imports one file through ``kam_metrics.ingest.stage.import_file`` (read, map, validate, commit) into a
fresh database holding the accounts; seeding the database is not timed. Prints the best time of each
format and the ratios XLSX/CSV and XLS/CSV, the figures to publish; nothing is asserted on time.
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kam_metrics.ingest.stage import import_file  # noqa: E402
from kam_metrics.store.connection import open_db  # noqa: E402

HEADER = ["订单号", "行号", "客户编号", "订单日期", "产品", "数量", "销售额", "成本"]
ACCOUNTS = 1000


def make_rows(count: int) -> list[list]:
    """``count`` order lines, three per order, deterministic: the bench_import.py shape at a smaller size."""
    rows = []
    for i in range(count):
        order = i // 3
        rows.append([f"SO{order:09d}", i % 3 + 1, f"A{(order * 7919) % ACCOUNTS:05d}", date(2022, 1, 1) + timedelta(days=order % 1400),
                     f"产品{(i * 31) % 50}", 1 + (i * 7) % 20, round(100 + (i * 13) % 100000 / 10, 2), round(60 + (i * 13) % 60000 / 10, 2)])
    return rows


def write_csv(path: Path, rows: list[list]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows([[v.isoformat() if isinstance(v, date) else v for v in row] for row in rows])


def write_xlsx(path: Path, rows: list[list]) -> None:
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("销售明细")
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    book.save(path)


def write_xls(path: Path, rows: list[list]) -> bool:
    """The rows as a BIFF8 .xls; False when xlwt (a test-only dependency) is not installed."""
    try:
        import xlwt
    except ImportError:
        return False
    book = xlwt.Workbook(encoding="utf-8")
    sheet, dates = book.add_sheet("销售明细"), xlwt.easyxf(num_format_str="YYYY-MM-DD")
    for c, name in enumerate(HEADER):
        sheet.write(0, c, name)
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            sheet.write(r, c, value, dates if isinstance(value, date) else xlwt.Style.default_style)
    book.save(str(path))
    return True


def time_import(path: Path, workdir: Path, rows: int, repeat: int) -> float:
    """The best of ``repeat`` stage + commit runs of ``path``, each into a fresh database."""
    best = float("inf")
    for run in range(repeat):
        db = workdir / f"bench_{path.suffix[1:]}_{run}.duckdb"
        for leftover in (db, db.with_name(db.name + ".wal")):
            leftover.unlink(missing_ok=True)
        with open_db(db) as con:
            con.execute("insert into accounts (account_id, account_name) "
                        "select 'A' || lpad(i::varchar, 5, '0'), '客户' || i from range(?) t(i)", [ACCOUNTS])
        started = time.perf_counter()
        staged, record = import_file(db, path, "sales", mode="append")
        elapsed = time.perf_counter() - started
        if not staged.ok or record is None or record["rows_inserted"] != rows:
            raise SystemExit(f"{path.name}: the import failed: {staged.problem_rows('en')[:3]}")
        best = min(best, elapsed)
        db.unlink(missing_ok=True)
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workdir", default="/tmp/kam_bench_formats")
    args = parser.parse_args(argv)
    work = Path(args.workdir)
    work.mkdir(parents=True, exist_ok=True)
    rows = make_rows(args.rows)
    files = {"CSV": work / "sales.csv", "XLSX": work / "sales.xlsx", "XLS": work / "sales.xls"}
    write_csv(files["CSV"], rows)
    write_xlsx(files["XLSX"], rows)
    if not write_xls(files["XLS"], rows):
        print("xlwt is not installed (pip install -r requirements-dev.txt): XLS left out")
        del files["XLS"]
    print(f"{args.rows:,} sales rows, best of {args.repeat} (stage + commit into a fresh database)")
    best = {}
    for name, path in files.items():
        best[name] = time_import(path, work, args.rows, args.repeat)
        print(f"  {name:<5} {path.stat().st_size / 1e6:6.2f} MB  {best[name]:6.2f} s")
    for name in ("XLSX", "XLS"):
        if name in best:
            print(f"{name}/CSV = {best[name] / best['CSV']:.2f}×")
    return 0


if __name__ == "__main__":
    sys.exit(main())
