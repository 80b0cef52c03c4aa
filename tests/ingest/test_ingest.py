"""The importer on real files in real DuckDB databases: formats, encodings, parsing, every kind of bad
input (database unchanged, checked by checksums), modes, and exact undo."""

from __future__ import annotations

import io
import zipfile
from datetime import date
from pathlib import Path

import duckdb
import openpyxl
import pytest

from kam_metrics.ingest.stage import ImportRejected, UndoRefused, commit_staged, import_history, stage_file, undo_import
from kam_metrics.store import connection as store

ACCOUNTS_CSV = "客户编号,客户名称,行业,合作规模,区域,客户经理,合作开始日期\nK1,甲公司,制造业,大型,华东,张三,2019/3/5\nK2,乙公司,零售,小型,华南,李四,2024年1月15日\n"
SALES_CSV = (
    "订单号,客户编号,订单日期,产品,数量,销售额,成本\n"
    "S1,K1,2025/1/5,阀门,10,\"¥1,234.50\",800\n"
    "S1,K1,2025/1/5,泵,2,12.5万,(300)\n"
    "S2,K2,2025年2月15日,阀门,３,￥99,\n"
)


def checksums(path: Path) -> dict[str, tuple]:
    """Row count and an order-independent hash of every row, for every table of the database."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        tables = [r[0] for r in con.execute("select table_name from information_schema.tables order by 1").fetchall()]
        return {t: con.execute("select count(*), sum(hash(x)) from " + t + " x").fetchall()[0] for t in tables}
    finally:
        con.close()


@pytest.fixture()
def db(tmp_path) -> Path:
    path = tmp_path / "kam.duckdb"
    with store.open_db(path):
        pass
    return path


def stage(db, text_or_bytes, table, name="file.csv", **options):
    data = text_or_bytes.encode("utf-8") if isinstance(text_or_bytes, str) else text_or_bytes
    return stage_file(data, name, table, db=db, **options)


def load(db, text_or_bytes, table, name="file.csv", mode="append", **options):
    staged = stage(db, text_or_bytes, table, name, **options)
    assert staged.ok, staged.problem_rows("en")[:5]
    return commit_staged(db, staged, mode=mode)


def query(db, sql, params=None):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def test_chinese_headers_dates_and_amounts_are_parsed(db):
    load(db, ACCOUNTS_CSV, "accounts")
    record = load(db, SALES_CSV, "sales")
    assert record["rows_inserted"] == 3
    rows = query(db, "select order_id, line_no, order_date, quantity, amount, cost from sales order by order_id, line_no")
    assert rows == [
        ("S1", 1, date(2025, 1, 5), 10.0, 1234.5, 800.0),
        ("S1", 2, date(2025, 1, 5), 2.0, 125000.0, -300.0),  # 12.5万, (300)
        ("S2", 1, date(2025, 2, 15), 3.0, 99.0, None),  # full-width ３, ￥99
    ]
    accounts = query(db, "select account_id, scale, cooperation_start from accounts order by 1")
    assert accounts == [("K1", "large", date(2019, 3, 5)), ("K2", "small", date(2024, 1, 15))]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk", "utf-16"])
def test_encodings(db, encoding):
    staged = stage(db, ACCOUNTS_CSV.encode(encoding), "accounts")
    assert staged.ok
    assert staged.rows.num_rows == 2
    assert staged.rows.column("account_name").to_pylist() == ["甲公司", "乙公司"]


@pytest.mark.parametrize("delimiter", ["\t", ";", "|"])
def test_delimiters(db, delimiter):
    staged = stage(db, ACCOUNTS_CSV.replace(",", delimiter), "accounts", "file.tsv")
    assert staged.ok and staged.rows.num_rows == 2


def test_title_lines_and_totals_rows_are_left_out_with_a_notice(db):
    text = "2025年客户销售明细\n导出时间 2025-03-01\n" + SALES_CSV + "合计,,,,15,\"¥126,333.50\",\n"
    load(db, ACCOUNTS_CSV, "accounts")
    staged = stage(db, text, "sales")
    assert staged.ok, staged.problem_rows("en")
    assert staged.rows.num_rows == 3
    notices = " ".join(en for _, en in staged.notices)
    assert "2 title line" in notices and "totals row" in notices
    assert staged.rows.column("_row").to_pylist() == [4, 5, 6]  # spreadsheet line numbers


def test_us_dates_are_read_month_first_when_a_day_is_above_12(db):
    text = "order id,customer id,order date,quantity,sales\nA,K1,11/8/2020,1,10\nB,K1,11/28/2020,1,10\n"
    load(db, ACCOUNTS_CSV, "accounts")
    staged = stage(db, text, "sales")
    assert staged.ok
    assert staged.date_orders == {"order_date": "mdy"}
    assert staged.rows.column("order_date").to_pylist() == [date(2020, 11, 8), date(2020, 11, 28)]


def test_ambiguous_dates_are_flagged_then_read_as_chosen(db):
    text = "order id,customer id,order date,quantity,sales\nA,K1,1/2/2025,1,10\nB,K1,3/4/2025,1,10\n"
    load(db, ACCOUNTS_CSV, "accounts")
    flagged = stage(db, text, "sales")
    assert not flagged.ok and flagged.rows.num_rows == 0
    assert "day-first or month-first" in flagged.problems[0].problem_en
    assert "--date-order" in flagged.problems[0].fix_en
    dmy = stage(db, text, "sales", date_order="dmy")
    assert dmy.rows.column("order_date").to_pylist() == [date(2025, 2, 1), date(2025, 4, 3)]
    mdy = stage(db, text, "sales", date_order="mdy")
    assert mdy.rows.column("order_date").to_pylist() == [date(2025, 1, 2), date(2025, 3, 4)]


def xlsx_bytes(rows, *, formula=None, merged=None) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "明细"
    for row in rows:
        sheet.append(row)
    if formula:
        sheet[formula[0]] = formula[1]
    if merged:
        sheet.merge_cells(merged)
    book.create_sheet("说明").append(["这是说明页"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_xlsx_with_excel_serial_dates_merged_cells_and_a_sheet_choice(db):
    load(db, ACCOUNTS_CSV, "accounts")
    data = xlsx_bytes(
        [["销售明细"], ["订单号", "客户编号", "订单日期", "数量", "金额"], ["X1", "K1", 45662, 1, 100], ["X2", None, 45663, 2, 200]],
        merged="B3:B4",
    )
    staged = stage(db, data, "sales", "book.xlsx", sheet="明细")
    assert staged.ok, staged.problem_rows("en")
    assert staged.raw.sheets == ["明细", "说明"]
    assert staged.rows.column("order_date").to_pylist() == [date(2025, 1, 5), date(2025, 1, 6)]  # serials 45662, 45663
    assert staged.rows.column("account_id").to_pylist() == ["K1", "K1"]  # merged cell filled down


def test_amount_derived_from_quantity_and_unit_price_and_one_order_per_day(db):
    load(db, ACCOUNTS_CSV, "accounts")
    text = "客户编号,日期,数量,单价\nK1,2025-01-05,3,2.5\nK1,2025-01-05,1,10\nK2,2025-01-06,-2,4\n"
    staged = stage(db, text, "sales")
    assert staged.ok, staged.problem_rows("en")
    assert staged.rows.column("amount").to_pylist() == [7.5, 10.0, -8.0]
    assert staged.rows.column("order_id").to_pylist() == ["K1/2025-01-05", "K1/2025-01-05", "K2/2025-01-06"]
    assert staged.rows.column("line_no").to_pylist() == [1, 2, 1]


def test_every_problem_is_reported_with_row_column_value_and_fix(db):
    load(db, ACCOUNTS_CSV, "accounts")
    text = "订单号,客户编号,订单日期,数量,销售额\nA,K1,2025-01-05,1,abc\nB,K1,not a date,1,5\nB,K1,2025-01-07,1,5\nC,K1,1890-01-01,,5\n"
    staged = stage(db, text, "sales")
    problems = staged.problem_rows("zh")
    found = {(p["row"], p["column"]) for p in problems}
    assert {(2, "amount"), (3, "order_date"), (5, "order_date"), (5, "quantity")} <= found
    bad_amount = next(p for p in problems if p["row"] == 2)
    assert bad_amount["value"] == "abc" and "数字" in bad_amount["problem"] and "12.5万" in bad_amount["fix"]


BAD_INPUTS = {
    "empty file": (b"", "empty"),
    "image renamed .csv": (b"\x89PNG\r\n\x1a\n" + bytes(200), "PNG image"),
    "binary": (bytes(range(256)) * 4, "binary"),
    "password-protected xlsx": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500), "password"),
    "corrupt xlsx": (b"PK\x03\x04" + b"garbage" * 50, "damaged"),
    "header only": ("订单号,客户编号,订单日期,数量,销售额\n".encode(), "no data rows"),
    "another table's file": (ACCOUNTS_CSV.encode(), "Accounts table"),
    "required column missing": ("订单号,客户编号,数量,销售额\nA,K1,1,5\n".encode(), "order_date is missing"),
    "every row invalid": ("订单号,客户编号,订单日期,数量,销售额\nA,K1,x,y,z\nB,K1,x,y,z\n".encode(), "Every row"),
    "second header row": (SALES_CSV.encode() + "订单号,客户编号,订单日期,产品,数量,销售额,成本\nS9,K1,2025-01-09,阀门,1,1,1\n".encode(), "second header"),
    "cut off in the middle of a line": ((SALES_CSV + "S3,K1,2025-03-01,阀").encode(), "number of columns"),
    "unknown account": ("订单号,客户编号,订单日期,数量,销售额\nA,NOPE,2025-01-05,1,5\n".encode(), "not in the accounts table"),
    "duplicate keys": ("订单号,行号,客户编号,订单日期,数量,销售额\nA,1,K1,2025-01-05,1,5\nA,1,K1,2025-01-05,1,6\n".encode(), "more than once"),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_input_is_rejected_with_a_message_and_the_database_unchanged(db, case):
    load(db, ACCOUNTS_CSV, "accounts")
    before = checksums(db)
    data, expected = BAD_INPUTS[case]
    name = "book.xlsx" if "xlsx" in case else "file.csv"
    try:
        staged = stage(db, data, "sales", name)
        problems = staged.problems
    except ImportRejected as rejected:
        problems = rejected.problems
        assert rejected.message("zh") and rejected.message("en")
    assert problems, f"{case} was not rejected"
    text = " ".join(p.problem_en + " " + p.fix_en for p in problems)
    assert expected in text, text
    assert all(p.problem_zh and p.problem_en for p in problems)
    assert checksums(db) == before


def test_formulas_without_values_are_rejected(db):
    data = xlsx_bytes([["客户编号", "客户名称"], ["K9", "丙公司"]], formula=("C2", "=SUM(A1:A2)"))
    with pytest.raises(ImportRejected, match="formula"):
        stage(db, data, "accounts", "book.xlsx")


def test_scores_outside_the_item_scale_are_rejected(db):
    load(db, "题号,维度,权重\nQ1,产品,1\n", "survey_items")
    text = "问卷编号,题号,调查日期,得分\nR1,Q1,2025-06-01,4\nR2,Q1,2025-06-01,9\n"
    staged = stage(db, text, "survey_responses")
    assert [(p.row, p.column) for p in staged.problems] == [(3, "score")]
    assert "outside its scale 1-5" in staged.problems[0].problem_en
    # a defined item's scale changes through the items table; 9 fits 0-10; or 9 means "not applicable"
    assert "0-10" in staged.problems[0].fix_en and "--na-values 9" in staged.problems[0].fix_en


def test_append_refuses_existing_keys_and_upsert_updates_them(db):
    load(db, ACCOUNTS_CSV, "accounts")
    before = checksums(db)
    with pytest.raises(ImportRejected, match="already in the database"):
        load(db, ACCOUNTS_CSV, "accounts")
    assert checksums(db) == before
    changed = ACCOUNTS_CSV.replace("甲公司", "甲公司(新)") + "K3,丙公司,能源,中型,华北,王五,2020-01-01\n"
    record = load(db, changed, "accounts", mode="upsert")
    assert (record["rows_inserted"], record["rows_updated"], record["rows_unchanged"]) == (1, 1, 1)
    assert query(db, "select account_name from accounts where account_id = 'K1'") == [("甲公司(新)",)]


def test_undo_restores_every_table_exactly(db):
    load(db, ACCOUNTS_CSV, "accounts")
    load(db, SALES_CSV, "sales")
    before = checksums(db)
    replacement = "订单号,客户编号,订单日期,数量,销售额\nR1,K2,2025-01-01,5,500\nR2,K2,2025-01-31,1,50\n"
    record = load(db, replacement, "sales", mode="replace")  # the file's range, January: S1's two lines
    assert record["rows_replaced"] == 2
    assert query(db, "select order_id from sales order by 1") == [("R1",), ("R2",), ("S2",)]
    undo_import(db, record["import_id"])
    after = checksums(db)
    changed = {t for t in before if before[t] != after[t]}
    assert changed <= {"imports", "import_mappings", "import_profiles"}  # only the history (and what was learned) differ
    history = import_history(duckdb.connect(str(db), read_only=True))
    assert history[-1]["status"] == "undone"


def test_undo_of_an_upsert_and_refusals(db):
    first = load(db, ACCOUNTS_CSV, "accounts")
    before = checksums(db)
    second = load(db, ACCOUNTS_CSV.replace("张三", "赵六"), "accounts", mode="upsert")
    with pytest.raises(UndoRefused, match="undo it first"):
        undo_import(db, first["import_id"])
    undo_import(db, second["import_id"])
    after = checksums(db)
    assert {t for t in before if before[t] != after[t]} <= {"imports", "import_mappings", "import_profiles"}
    with pytest.raises(UndoRefused):
        undo_import(db, second["import_id"])  # already undone
    with pytest.raises(UndoRefused):
        undo_import(db, 999)


def test_create_missing_accounts_for_sales(db):
    text = "订单号,客户编号,客户名称,订单日期,数量,销售额\nA,N1,新客户,2025-01-05,1,5\n"
    staged = stage(db, text, "sales", create_accounts=True)
    assert staged.ok and staged.missing_accounts == ["N1"]
    record = commit_staged(db, staged)
    assert record["accounts_created"] == 1
    assert query(db, "select account_id, account_name from accounts") == [("N1", "新客户")]
    undo_import(db, record["import_id"])
    assert query(db, "select count(*) from accounts") == [(0,)]


def test_a_remembered_mapping_is_reused_for_the_same_headers(db):
    load(db, ACCOUNTS_CSV, "accounts")
    text = "Kunde,Name\nZ1,某公司\n"
    first = stage(db, text, "accounts", mapping={"Kunde": "account_id", "Name": "account_name"})
    commit_staged(db, first)
    again = stage(db, "Kunde,Name\nZ2,另一公司\n", "accounts")
    assert again.mapping == {"Kunde": "account_id", "Name": "account_name"}


def test_same_file_twice_is_recognised(db):
    load(db, ACCOUNTS_CSV, "accounts")
    staged = stage(db, ACCOUNTS_CSV, "accounts")
    assert any("already imported" in en for _, en in staged.notices)
    assert staged.preview["unchanged"] == 2 and staged.preview["new"] == 0


def test_zip_that_is_not_a_workbook(db):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "hi")
    with pytest.raises(ImportRejected, match="damaged"):
        stage(db, buffer.getvalue(), "accounts", "book.xlsx")


@pytest.mark.parametrize("table", sorted(store.DATA_TABLES))
@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_every_template_imports_as_it_is(tmp_path, table, lang, fmt):
    from kam_metrics.ingest.spec import build_template

    db = tmp_path / "kam.duckdb"
    with store.open_db(db) as con:  # the examples refer to account C00001 and item P1
        con.execute("insert into accounts (account_id, account_name) values ('C00001', '示例')")
        con.execute("insert into survey_items (item_code, dimension, weight) values ('P1', 'product', 1)")
    data = build_template(table, lang, fmt)
    staged = stage_file(data, f"template.{fmt}", table, db=db, date_order="dmy")
    assert staged.ok, staged.problem_rows("en")
    assert staged.rows.num_rows == 1
    assert all(column for column in staged.mapping.values()), staged.mapping  # every header maps


def test_a_projects_file_without_status_or_start_date_gets_its_status_from_the_dates(db):
    load(db, "客户编号,客户名称\nK1,甲公司\n", "accounts")
    text = "项目编号,客户编号,项目名称,计划完成日期,实际完成日期\nP1,K1,改造一期,2025-03-31,2025-03-20\nP2,K1,改造二期,2025-09-30,\n"
    staged = stage(db, text, "projects")
    assert staged.ok, staged.problem_rows("en")
    assert staged.rows.column("status").to_pylist() == ["completed", "planned"]  # actual end set; no start date


def test_projects_can_create_their_accounts_from_a_mapped_column(db):
    text = "ID,Country,Item Description,Scheduled Delivery Date,Delivered to Client Date\n1,Kenya,Test kits,02-Jun-06,05-Jun-06\n2,Haiti,Lab reagents,10-Jul-07,01-Jul-07\n"
    mapping = {"ID": "project_id", "Country": "account_id", "Item Description": "project_name"}
    rejected = stage(db, text, "projects", mapping=mapping)
    assert {p.value for p in rejected.problems} == {"Kenya", "Haiti"}  # unknown accounts, unless asked to create them
    staged = stage(db, text, "projects", mapping=mapping, create_accounts=True)
    assert staged.ok, staged.problem_rows("en")
    record = commit_staged(db, staged)
    assert record["accounts_created"] == 2
    assert query(db, "select account_id, account_name from accounts order by 1") == [("Haiti", "Haiti"), ("Kenya", "Kenya")]
    assert query(db, "select project_id, status, actual_end - planned_end from projects order by 1") == [
        ("1", "completed", 3), ("2", "completed", -9)]


def test_import_and_undo_write_their_audit_entry_in_the_same_transaction(db):
    """commands.commit_import / commands.undo_import: the audit entry is written inside the import's (the
    undo's) transaction, so a failure while writing it leaves the database exactly as it was, and a
    success leaves both the rows and the entry."""
    from kam_metrics import commands
    from kam_metrics.access import policy as access

    editor = access.Actor("Ed", "editor")
    before = checksums(db)
    staged = stage(db, ACCOUNTS_CSV, "accounts")

    def broken(con, summary):
        raise RuntimeError("audit log unavailable")

    with pytest.raises(RuntimeError):
        commit_staged(db, staged, on_commit=broken)
    assert checksums(db) == before

    record = commands.commit_import(db, staged, editor)
    assert query(db, "select count(*) from accounts")[0][0] == 2
    entries = query(db, "select user_name, role, action, target from audit_log order by audit_id")
    assert entries == [("Ed", "editor", "import", f"import {record['import_id']}")]

    after_import = checksums(db)
    with pytest.raises(RuntimeError):
        undo_import(db, record["import_id"], on_commit=broken)
    assert checksums(db) == after_import
    commands.undo_import(db, record["import_id"], editor)
    assert query(db, "select count(*) from accounts")[0][0] == 0
    assert query(db, "select action from audit_log order by audit_id") == [("import",), ("undo_import",)]


def test_a_header_written_with_a_middle_dot_is_found_and_mapped(db):
    """Header-row detection and column mapping share one normalisation, which drops '·': 客户·编号 is
    客户编号 both when the header row is searched for under a title line and when it is mapped."""
    from kam_metrics.ingest.read import find_header_row
    from kam_metrics.ingest.spec import known_headers

    rows = [["销售报表", "华东区"], ["客户·编号", "客户·名称"], ["K9", "丙公司"]]
    assert find_header_row(rows, known_headers()) == 1
    staged = stage(db, "销售报表,华东区\n客户·编号,客户·名称\nK9,丙公司\n", "accounts")
    assert staged.ok, staged.problem_rows("en")
    assert staged.raw.header_row == 2
    assert staged.mapping == {"客户·编号": "account_id", "客户·名称": "account_name"}
    assert staged.rows.column("account_id").to_pylist() == ["K9"]
    assert staged.rows.column("account_name").to_pylist() == ["丙公司"]
