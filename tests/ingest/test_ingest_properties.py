"""Property-based tests (hypothesis): random bytes and random CSVs never raise anything but a clear
rejection, and a rejected file never changes the database."""

from __future__ import annotations

import string

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kam_metrics.ingest.stage import ImportRejected, commit_staged, stage_file
from kam_metrics.store import connection as store

HEADERS = ["订单号", "客户编号", "订单日期", "数量", "销售额", "成本", "产品", "备注"]
CELLS = st.one_of(
    st.text(alphabet=string.printable + "¥￥万亿合计，。、（）", max_size=12),
    st.sampled_from(["2025/1/5", "2025年1月5日", "11/8/2020", "45662", "¥1,234.50", "12.5万", "(300)", "３", "", "合计", "K1"]),
)


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    path = tmp_path_factory.mktemp("props") / "kam.duckdb"
    with store.open_db(path) as con:
        con.execute("insert into accounts (account_id, account_name) values ('K1', '甲公司')")
    return path


def fingerprint(path) -> list:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return [con.execute("select count(*), sum(hash(x)) from " + t + " x").fetchall()[0] for t in store.DATA_TABLES]
    finally:
        con.close()


def stage_or_reject(db, data: bytes, name: str):
    try:
        return stage_file(data, name, "sales", db=db)
    except ImportRejected as rejected:
        assert rejected.problems and rejected.problems[0].problem_en and rejected.problems[0].problem_zh
        return None


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=2048), name=st.sampled_from(["x.csv", "x.xlsx", "x.tsv"]))
def test_random_bytes_never_crash_and_never_write(db, data, name):
    before = fingerprint(db)
    staged = stage_or_reject(db, data, name)
    if staged is not None and not staged.ok:
        with pytest.raises(ImportRejected):
            commit_staged(db, staged)
    assert fingerprint(db) == before


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    columns=st.lists(st.sampled_from(HEADERS), min_size=1, max_size=6, unique=True),
    rows=st.lists(st.lists(CELLS, min_size=0, max_size=7), min_size=0, max_size=8),
    delimiter=st.sampled_from([",", "\t", ";"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]),
)
def test_random_csvs_are_staged_or_rejected_and_rejections_never_write(db, columns, rows, delimiter, encoding):
    lines = [delimiter.join(columns)] + [delimiter.join(c.replace(delimiter, " ").replace("\n", " ").replace('"', "") for c in row) for row in rows]
    data = "\n".join(lines).encode(encoding, errors="replace")
    before = fingerprint(db)
    staged = stage_or_reject(db, data, "x.csv")
    if staged is not None and not staged.ok:
        with pytest.raises(ImportRejected):
            commit_staged(db, staged)
        assert fingerprint(db) == before
    elif staged is not None:
        assert staged.rows.num_rows <= len(rows)
