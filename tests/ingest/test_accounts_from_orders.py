"""Accounts from what a file has: accounts created by a sales import keep the file's industry, region and
city (as of their latest order); an accounts import from an order export keeps each account's last row
and says which columns varied."""

from __future__ import annotations

from rows import query  # tests/support, on the path (tests/conftest.py)

from kam_metrics.ingest.stage import commit_staged, stage_file

ORDERS = (
    "订单号,客户编号,客户名称,细分,地区,城市,订单日期,数量,销售额\n"
    "S1,K1,甲公司,Consumer,华东,上海,2025-01-05,1,10\n"
    "S2,K2,乙公司,Corporate,华南,广州,2025-01-06,1,20\n"
    "S3,K1,甲公司,Consumer,华北,北京,2025-03-01,1,30\n"   # K1 moved: its latest order is in 华北
    "S4,K1,甲公司,Consumer,华东,上海,2025-02-01,1,40\n"
)


def test_created_accounts_keep_the_files_segment_region_and_city_as_of_their_latest_order(db):
    staged = stage_file(ORDERS.encode(), "orders.csv", "sales", db=db, create_accounts=True)
    assert staged.ok, staged.problem_rows("en")
    record = commit_staged(db, staged)
    assert record["accounts_created"] == 2
    assert query(db, "select account_id, account_name, industry, region, city from accounts order by 1") == [
        ("K1", "甲公司", "Consumer", "华北", "北京"), ("K2", "乙公司", "Corporate", "华南", "广州")]
    # revenue by region now works, by each account's region: 华北 K1 10 + 30 + 40 = 80, 华南 K2 20
    assert query(db, "select a.region, sum(s.amount) from sales s join accounts a using (account_id) group by 1 order by 1") == [
        ("华北", 80.0), ("华南", 20.0)]


def test_an_accounts_import_from_an_order_file_keeps_each_accounts_last_row_and_names_what_varied(db):
    staged = stage_file(ORDERS.encode(), "orders.csv", "accounts", db=db)
    assert staged.ok, staged.problem_rows("en")
    assert staged.rows.num_rows == 2 and staged.rows_read == 4
    notice = next(en for _, en in staged.notices if "several rows" in en)
    assert notice == ("1 accounts have several rows in the file (an order export?): the last row of each was kept, the other "
                      "2 rows left out. Columns whose values varied between an account's rows: city (1 accounts), region (1 accounts).")
    commit_staged(db, staged)
    # the last row of K1 in the file (S4: 华东, 上海)
    assert query(db, "select account_id, region, city from accounts order by 1") == [("K1", "华东", "上海"), ("K2", "华南", "广州")]


def test_one_id_with_two_names_stays_a_duplicate_key_problem(db):
    text = "客户编号,客户名称\nK1,甲公司\nK1,丙公司\n"
    staged = stage_file(text.encode(), "accounts.csv", "accounts", db=db)
    assert [(p.row, p.column) for p in staged.problems if p.row] == [(2, "account_id"), (3, "account_id")]
    assert "more than once" in staged.problems[-1].problem_en
