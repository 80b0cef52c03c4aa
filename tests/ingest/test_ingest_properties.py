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


OPPORTUNITY_CELLS = {
    "account_id": st.sampled_from(["K1", "", "K1"]),
    "prospect_name": st.sampled_from(["", "新客户", ""]),
    "stage": st.sampled_from(["proposal", "won", "lost", "赢单", "lead", ""]),
    "lost_at_stage": st.sampled_from(["", "", "bidding", "lead"]),
    "amount": st.sampled_from(["100", "-5", "", "1e3"]),
    "created_at": st.sampled_from(["2025-01-01", "2025-02-30", ""]),
}
INTERACTION_CELLS = {
    "account_id": st.sampled_from(["K1", ""]),
    "kind": st.sampled_from(["visit", "complaint", "", "call"]),
    "opened_at": st.sampled_from(["2025-01-05 10:00", "2025-01-05", ""]),
    "first_response_at": st.sampled_from(["", "2025-01-04 09:00", "2025-01-06 09:00"]),
    "resolved_at": st.sampled_from(["", "2025-01-01", "2025-01-07"]),
}


def random_file(cells: dict, id_column: str):
    row = st.fixed_dictionaries(cells)
    return st.lists(row, min_size=1, max_size=8).map(lambda rows: (
        ",".join([id_column, *cells]) + "\n"
        + "".join(",".join([f"X{i}", *r.values()]) + "\n" for i, r in enumerate(rows))).encode())


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=st.one_of(
    random_file(OPPORTUNITY_CELLS, "opportunity_id").map(lambda b: ("opportunities", b)),
    random_file(INTERACTION_CELLS, "interaction_id").map(lambda b: ("interactions", b)),
), skip=st.booleans())
def test_the_dry_run_is_the_commit(tmp_path_factory, case, skip):
    """Whatever the preview (and ``--dry-run``) accepts, the commit accepts; what it rejects, the commit
    rejects with the same rows: every rule the table holds is checked before writing. With skip-invalid,
    the commit sets aside exactly the rows the dry run said it would."""
    table, data = case
    path = tmp_path_factory.mktemp("dry") / "kam.duckdb"
    with store.open_db(path) as con:
        con.execute("insert into accounts (account_id, account_name) values ('K1', '甲公司')")
    try:
        staged = stage_file(data, "x.csv", table, db=path, skip_invalid=skip)
    except ImportRejected:
        return  # a file rejected as a whole is rejected by both the same way
    rejected_rows = {p.row for p in staged.problems}
    if staged.ok:
        record = commit_staged(path, staged)  # a raw CHECK failure here would fail the test
        assert record["rows_inserted"] + record["rows_updated"] == staged.rows.num_rows > 0
        assert record["rows_rejected"] == staged.skipped_rows
        assert record["rows_inserted"] + record["rows_rejected"] == staged.rows_read
    else:
        with pytest.raises(ImportRejected) as refused:
            commit_staged(path, staged)
        assert {p.row for p in refused.value.problems} == rejected_rows
