"""Dates and numbers as real exports write them: weekdays after the date, two-digit years, month names,
times; NaN, inf and impossible magnitudes are problems, never stored; each bad cell is reported once."""

from __future__ import annotations

from datetime import date

import pytest

from kam_metrics.ingest.stage import stage_file
from kam_metrics.store import connection as store


@pytest.fixture()
def db(tmp_path):
    path = tmp_path / "kam.duckdb"
    with store.open_db(path) as con:
        con.execute("insert into accounts (account_id, account_name) values ('K1', '甲公司')")
    return path


def sales(db, dates_and_amounts, **options):
    lines = ["order_id,account_id,order_date,quantity,amount"]
    lines += [f"S{i},K1,{d},1,{a}" for i, (d, a) in enumerate(dates_and_amounts, start=1)]
    return stage_file(("\n".join(lines) + "\n").encode(), "x.csv", "sales", db=db, **options)


@pytest.mark.parametrize(("text", "order", "expected"), [
    ("2018-01-01 星期五", None, date(2018, 1, 1)),
    ("2018-01-01（周一）", None, date(2018, 1, 1)),
    ("2018/1/1 0:00", None, date(2018, 1, 1)),
    ("22-Apr-15", None, date(2015, 4, 22)),
    ("22-04-15", "dmy", date(2015, 4, 22)),
    ("15/04/22", "dmy", date(2022, 4, 15)),
    ("04/15/22", "mdy", date(2022, 4, 15)),
    ("1/5/2025 Mon", "mdy", date(2025, 1, 5)),
])
def test_dates_as_exports_write_them(db, text, order, expected):
    staged = sales(db, [(text, 10)], date_order=order)
    assert staged.ok, [p.problem_en for p in staged.problems]
    assert staged.rows.column("order_date").to_pylist() == [expected]


def test_an_impossible_date_is_one_problem_of_its_row(db):
    staged = sales(db, [("2018-02-29", 10), ("2018-03-01", 10)])
    assert [(p.row, p.column, p.value, p.problem_en) for p in staged.problems] == [(2, "order_date", "2018-02-29", "Not a date.")]


@pytest.mark.parametrize("value", ["NaN", "nan", "inf", "-inf", "Infinity", "1e308", "-1e300", "1e15"])
def test_nan_inf_and_impossible_magnitudes_are_problems_never_stored(db, value):
    staged = sales(db, [("2025-01-05", value), ("2025-01-06", "99.5")])
    assert [(p.row, p.column, p.value) for p in staged.problems] == [(2, "amount", value)]
    assert "NaN" in staged.problems[0].problem_en
    assert "NaN" in staged.problems[0].problem_zh


def test_large_real_amounts_still_import(db):
    staged = sales(db, [("2025-01-05", "987654321012.5"), ("2025-01-06", "12.5万")])
    assert staged.ok
    assert staged.rows.column("amount").to_pylist() == [987654321012.5, 125000.0]
