"""Every workbook format through the importer (python-calamine): xlsx, xlsm, xls, xlsb and ods stage the
same rows as the same table written as CSV; real files written by Excel and LibreOffice read alike; and
the files that would exhaust memory (zip bombs, sheets announcing billions of cells), malformed sheet
XML and formulas without a computed value are refused with a clear message, before calamine reads them.

Workbooks are written here: xlsx with openpyxl, xls with xlwt, and ods and xlsb by hand (a zip of a few
small parts), so no office suite is needed. ``tests/data/realdata`` holds small workbooks saved by Excel
and LibreOffice (see its README).
"""

from __future__ import annotations

import csv
import io
import re
import struct
import subprocess
import sys
import tracemalloc
import zipfile
from datetime import date, datetime
from pathlib import Path
from xml.sax.saxutils import escape

import duckdb
import openpyxl
import pytest
import xlwt
from rows import database  # tests/support, on the path (tests/conftest.py)

from kam_metrics.ingest import read
from kam_metrics.ingest.stage import ImportRejected, commit_staged, stage_file
from kam_metrics.store import connection as store

ROOT = Path(__file__).resolve().parents[2]
REAL_WORKBOOKS = ROOT / "tests" / "data" / "realdata"
SHARED_REALDATA = ROOT.parent / "shared" / "realdata"
FORMATS = ("xlsx", "xlsm", "xls", "xlsb", "ods")

ACCOUNTS_CSV = "客户编号,客户名称\nK1,甲公司\nK2,乙公司\n"
HEADER = ["订单号", "客户编号", "订单日期", "产品", "数量", "销售额", "成本"]
#: a title line, three order lines (K1 merged over the first two in the workbooks) and a totals row
SALES = [
    ["2025年客户销售明细"],
    HEADER,
    ["S1", "K1", date(2025, 1, 5), "阀门", 10, 1234.5, 800],
    ["S1", None, date(2025, 1, 5), "泵", 2, 125000, -300],
    ["S2", "K2", date(2025, 2, 15), "阀门", 3, 99, None],
    ["合计", None, None, None, 15, 126333.5, None],
]
SALES_MERGED = [(2, 1, 3, 1)]  # (first row, first column, last row, last column), 0-based: B3:B4
SALES_FILLED = [row if index != 3 else [row[0], "K1", *row[2:]] for index, row in enumerate(SALES)]
SALES_CSV = (
    "2025年客户销售明细\n" + ",".join(HEADER) + "\n"
    "S1,K1,2025-01-05,阀门,10,1234.5,800\nS1,K1,2025-01-05,泵,2,125000,-300\nS2,K2,2025-02-15,阀门,3,99,\n合计,,,,15,126333.5,\n"
)


# -- writers ---------------------------------------------------------------------------------------------

def xlsx_bytes(sheets: dict[str, list[list]], merged=(), *, macro_enabled: bool = False) -> bytes:
    """An xlsx (or, with ``macro_enabled``, an xlsm: the same parts under the macro-enabled package type)."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for number, (name, rows) in enumerate(sheets.items()):
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
        for first_row, first_column, last_row, last_column in (merged if number == 0 else ()):
            sheet.merge_cells(start_row=first_row + 1, start_column=first_column + 1, end_row=last_row + 1,
                              end_column=last_column + 1)
    buffer = io.BytesIO()
    book.save(buffer)
    if not macro_enabled:
        return buffer.getvalue()
    return rewrite_zip(buffer.getvalue(), {"[Content_Types].xml": lambda body: body.replace(
        b"spreadsheetml.sheet.main+xml", b"ms-excel.sheet.macroEnabled.main+xml")})


def rewrite_zip(data: bytes, changes: dict, rename=lambda name: name) -> bytes:
    """A copy of a zip with ``changes`` {part: bytes -> bytes} applied and its members renamed."""
    source, buffer = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            body = source.read(info)
            target.writestr(rename(info.filename), changes.get(info.filename, lambda b: b)(body))
    return buffer.getvalue()


def xls_bytes(sheets: dict[str, list[list]], merged=()) -> bytes:
    """A BIFF8 .xls written by xlwt; dates carry a date format, as Excel stores them."""
    book = xlwt.Workbook(encoding="utf-8")
    date_style = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    for number, (name, rows) in enumerate(sheets.items()):
        sheet = book.add_sheet(name)
        spans = {(r0, c0): (r1, c1) for r0, c0, r1, c1 in (merged if number == 0 else ())}
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                style = date_style if isinstance(value, date) else xlwt.Style.default_style
                if (r, c) in spans:
                    sheet.write_merge(r, spans[(r, c)][0], c, spans[(r, c)][1], value, style)
                elif value is not None:
                    sheet.write(r, c, value, style)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


ODS_MANIFEST = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
    'manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
    '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>'
)


def ods_bytes(sheets: dict[str, list[list]], merged=(), *, raw_tables: str | None = None) -> bytes:
    """An OpenDocument spreadsheet: ``mimetype`` (first, stored), the manifest and ``content.xml`` with
    one ``table:table`` per sheet (``raw_tables``: that XML instead)."""
    tables = raw_tables if raw_tables is not None else "".join(
        ods_table(name, rows, merged if number == 0 else ()) for number, (name, rows) in enumerate(sheets.items()))
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body><office:spreadsheet>'
        + tables + "</office:spreadsheet></office:body></office:document-content>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet", zipfile.ZIP_STORED)
        archive.writestr("META-INF/manifest.xml", ODS_MANIFEST)
        archive.writestr("content.xml", content)
    return buffer.getvalue()


def ods_table(name: str, rows: list[list], merged=()) -> str:
    spans = {(r0, c0): (r1 - r0 + 1, c1 - c0 + 1) for r0, c0, r1, c1 in merged}
    covered = {(r, c) for r0, c0, r1, c1 in merged for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)} - set(spans)
    xml = [f'<table:table table:name="{escape(name)}">']
    for r, row in enumerate(rows):
        xml.append("<table:table-row>")
        for c, value in enumerate(row):
            if (r, c) in covered:
                xml.append("<table:covered-table-cell/>")
                continue
            span = spans.get((r, c))
            spanned = f' table:number-rows-spanned="{span[0]}" table:number-columns-spanned="{span[1]}"' if span else ""
            xml.append(ods_cell(value, spanned))
        xml.append("</table:table-row>")
    return "".join(xml) + "</table:table>"


def ods_cell(value, spanned: str = "") -> str:
    if value is None:
        return f"<table:table-cell{spanned}/>"
    if isinstance(value, date):
        typed = f'office:value-type="date" office:date-value="{value.isoformat()}"'
    elif isinstance(value, int | float):
        typed = f'office:value-type="float" office:value="{value}"'
    else:
        typed = 'office:value-type="string"'
    return f"<table:table-cell {typed}{spanned}><text:p>{escape(str(value))}</text:p></table:table-cell>"


def xlsb_record(typ: int, payload: bytes = b"") -> bytes:
    """One xlsb record: its type and size as 7-bit variable-length integers, then the payload."""
    head = bytes([typ]) if typ < 0x80 else bytes([(typ & 0x7F) | 0x80, typ >> 7])
    size, length = len(payload), bytearray()
    while True:
        length.append((size & 0x7F) | (0x80 if size > 0x7F else 0))
        size >>= 7
        if not size:
            break
    return head + bytes(length) + payload


def wide(text: str) -> bytes:
    return struct.pack("<I", len(text)) + text.encode("utf-16-le")


def excel_serial(value: date) -> int:
    return (value - date(1899, 12, 30)).days


def xlsb_sheet(rows: list[list], merged=()) -> bytes:
    """A worksheet part: text as BrtCellSt, numbers (dates as Excel serials) as BrtCellReal, then the
    merged ranges."""
    body = [xlsb_record(0x81), xlsb_record(0x94, struct.pack("<IIII", 0, len(rows) - 1, 0, 7)), xlsb_record(0x91)]
    for r, row in enumerate(rows):
        body.append(xlsb_record(0x00, struct.pack("<IIHBBBI", r, 0, 300, 0, 0, 0, 0)))
        for c, value in enumerate(row):
            if value is None:
                continue
            number = excel_serial(value) if isinstance(value, date) else value
            if isinstance(number, int | float):
                body.append(xlsb_record(0x05, struct.pack("<IId", c, 0, float(number))))
            else:
                body.append(xlsb_record(0x06, struct.pack("<II", c, 0) + wide(str(value))))
    body.append(xlsb_record(0x92))
    if merged:
        body.append(xlsb_record(0xB1, struct.pack("<I", len(merged))))
        body += [xlsb_record(0xB0, struct.pack("<IIII", r0, r1, c0, c1)) for r0, c0, r1, c1 in merged]
        body.append(xlsb_record(0xB2))
    return b"".join(body) + xlsb_record(0x82)


def xlsb_bytes(sheets: dict[str, list[list]], merged=()) -> bytes:
    """An xlsb: content types, relationships, workbook.bin (one BrtBundleSh per sheet) and the sheets."""
    names = list(sheets)
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    workbook = b"".join([xlsb_record(0x83), xlsb_record(0x8F)]
                        + [xlsb_record(0x9C, struct.pack("<II", 0, i + 1) + wide(f"rId{i + 1}") + wide(name)) for i, name in enumerate(names)]
                        + [xlsb_record(0x90), xlsb_record(0x84)])
    overrides = "".join(f'<Override PartName="/xl/worksheets/sheet{i + 1}.bin" ContentType="application/vnd.ms-excel.worksheet"/>'
                        for i in range(len(names)))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                         '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                         '<Override PartName="/xl/workbook.bin" ContentType="application/vnd.ms-excel.sheet.binary.macroEnabled.main"/>'
                         + overrides + "</Types>")
        archive.writestr("_rels/.rels", '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                         f'<Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.bin"/></Relationships>')
        archive.writestr("xl/_rels/workbook.bin.rels", '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                         + "".join(f'<Relationship Id="rId{i + 1}" Type="{rel}/worksheet" Target="worksheets/sheet{i + 1}.bin"/>'
                                   for i in range(len(names))) + "</Relationships>")
        archive.writestr("xl/workbook.bin", workbook)
        for i, name in enumerate(names):
            archive.writestr(f"xl/worksheets/sheet{i + 1}.bin", xlsb_sheet(sheets[name], merged if i == 0 else ()))
    return buffer.getvalue()


def workbook_bytes(fmt: str, sheets: dict[str, list[list]], merged=()) -> bytes:
    if fmt in ("xlsx", "xlsm"):
        return xlsx_bytes(sheets, merged, macro_enabled=fmt == "xlsm")
    return {"xls": xls_bytes, "xlsb": xlsb_bytes, "ods": ods_bytes}[fmt](sheets, merged)


# -- fixtures and helpers --------------------------------------------------------------------------------

@pytest.fixture()
def db(tmp_path) -> Path:
    return database(tmp_path / "kam.duckdb", K1="甲公司", K2="乙公司")


def fresh_db(tmp_path: Path, name: str) -> Path:
    path = tmp_path / f"{name}.duckdb"
    with store.open_db(path):
        pass
    return path


def totals(db: Path) -> tuple:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("select count(*), round(sum(amount), 4), round(sum(cost), 4), min(order_date), max(order_date), "
                           "count(distinct account_id) from sales").fetchall()[0]
    finally:
        con.close()


def rejection(data: bytes, name: str, db: Path, **options) -> ImportRejected:
    with pytest.raises(ImportRejected) as caught:
        stage_file(data, name, "sales", db=db, **options)
    assert caught.value.message("zh") and caught.value.message("en")
    return caught.value


def problem_text(exc: ImportRejected) -> str:
    return " ".join(p.problem_en + " " + p.fix_en + " " + p.problem_zh + " " + p.fix_zh for p in exc.problems)


# -- the same rows from every format ---------------------------------------------------------------------

@pytest.mark.parametrize("fmt", FORMATS)
def test_every_workbook_format_stages_the_rows_of_the_same_csv(db, tmp_path, fmt):
    data = workbook_bytes(fmt, {"明细": SALES, "说明": [["这是说明页"]]}, SALES_MERGED)
    assert read.sniff_kind(data, "upload.bin") == fmt  # from the bytes, whatever the name says
    from_csv = stage_file(SALES_CSV.encode(), "sales.csv", "sales", db=db)
    staged = stage_file(data, f"sales.{fmt}", "sales", db=db)
    assert from_csv.ok and staged.ok, staged.problem_rows("en")
    assert staged.rows.equals(from_csv.rows), (staged.rows.to_pylist(), from_csv.rows.to_pylist())
    assert staged.rows.column("account_id").to_pylist() == ["K1", "K1", "K2"]  # the merged cell filled down
    assert staged.rows.column("_row").to_pylist() == [3, 4, 5]  # the rows as the sheet numbers them
    assert (staged.raw.kind, staged.raw.sheet, staged.raw.sheets) == (fmt, "明细", ["明细", "说明"])
    notices = " ".join(en for _, en in staged.notices)
    assert "1 title line" in notices and "totals row" in notices
    committed = {}
    for name, item in (("csv", from_csv), (fmt, staged)):
        target = fresh_db(tmp_path, name)
        with store.open_db(target) as con:
            con.execute("insert into accounts (account_id, account_name) values ('K1', '甲公司'), ('K2', '乙公司')")
        assert commit_staged(target, item)["rows_inserted"] == 3
        committed[name] = totals(target)
    assert committed[fmt] == committed["csv"] == (3, 126333.5, 500.0, date(2025, 1, 5), date(2025, 2, 15), 2)


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_sheet_choice_and_the_sheet_list(db, fmt):
    data = workbook_bytes(fmt, {"说明": [["这是说明页"]], "明细": SALES_FILLED})
    assert read.list_workbook_sheets(data) == [("说明", 1), ("明细", 6)]
    assert stage_file(data, f"book.{fmt}", "sales", db=db, sheet="明细").ok
    missing = rejection(data, f"book.{fmt}", db, sheet="Sheet9")
    assert "'Sheet9'" in missing.problems[0].problem_en and "说明, 明细" in missing.problems[0].problem_en
    assert "说明、明细" in missing.problems[0].problem_zh


def superstore_lines(count: int) -> list[list[str]]:
    with (SHARED_REALDATA / "superstore_sample.csv").open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        return [row for _, row in zip(range(count + 1), reader)]


def as_excel_cell(text: str):
    """What Excel keeps of a CSV field: a number when the text is one (and reads back the same), a date for
    M/D/YYYY, else the text."""
    if re.fullmatch(r"\d{1,2}/\d{1,2}/\d{4}", text):
        return datetime.strptime(text, "%m/%d/%Y").date()
    try:
        number = float(text)
    except ValueError:
        return text
    return number if read._cell_text(number) == text else text


@pytest.mark.skipif(not (SHARED_REALDATA / "superstore_sample.csv").is_file(), reason=f"{SHARED_REALDATA} is not present")
@pytest.mark.parametrize("fmt", FORMATS)
def test_real_superstore_lines_stage_and_commit_alike_from_every_format(tmp_path, fmt):
    lines = superstore_lines(300)
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerows(lines)
    cells = [lines[0]] + [[as_excel_cell(field) for field in row] for row in lines[1:]]
    options = {"mapping": {"Customer Name": "-", "Profit": "profit", "Row ID": "-"}, "create_accounts": True, "date_order": "mdy"}
    results = {}
    for name, data in (("csv", text.getvalue().encode()), (fmt, workbook_bytes(fmt, {"Orders": cells}))):
        target = fresh_db(tmp_path, name)
        staged = stage_file(data, f"superstore.{name}", "sales", db=target, **options)
        assert staged.ok, staged.problem_rows("en")[:3]
        record = commit_staged(target, staged)
        results[name] = (staged.rows, record["rows_inserted"], record["accounts_created"], totals(target))
    assert results[fmt][0].equals(results["csv"][0])
    assert results[fmt][1:] == results["csv"][1:]
    assert results["csv"][1] == 300


# -- real workbooks saved by Excel and LibreOffice -------------------------------------------------------

@pytest.mark.parametrize("name", ["issues.xls", "issues.xlsb", "issues.ods"])
def test_real_workbooks_read_the_same_text_in_every_format(name):
    data = (REAL_WORKBOOKS / name).read_bytes()
    rows, numbers, sheet, sheets = read._read_workbook(data, name, read.sniff_kind(data, name), "datatypes")
    assert {"datatypes", "Sheet1", "issue2", "issue5", "issue6"} <= set(sheets)
    # a whole number, a fraction, text, a boolean, text, a date (a datetime at midnight in the ods)
    assert [row[0] for row in rows] == ["1", "1.5", "ab", "False", "test", "2016-10-20"]
    assert numbers == [1, 2, 3, 4, 5, 6]
    listed = dict(read.list_workbook_sheets(data, name))
    assert listed["datatypes"] == 6 and listed["issue2"] == 3


def test_merged_cells_of_a_real_xls_are_filled_with_their_top_left_value():
    data = (REAL_WORKBOOKS / "merge_cells.xls").read_bytes()
    rows, _, _, _ = read._read_workbook(data, "merge_cells.xls", "xls", None)
    assert rows == [["Row Merge", "Row Merge", "Not Merged"], ["Column Merge", "Chunk Merged", "Chunk Merged"]]


def test_zip_members_written_with_backslashes_are_found(db):
    # some Windows exporters name the parts xl\worksheets\sheet1.xml; Excel and calamine accept them
    data = rewrite_zip(xlsx_bytes({"明细": SALES_FILLED}), {}, rename=lambda name: name.replace("/", "\\"))
    assert "xl\\workbook.xml" in zipfile.ZipFile(io.BytesIO(data)).namelist()
    staged = stage_file(data, "export.xlsx", "sales", db=db)
    assert staged.ok and staged.rows.num_rows == 3


def test_a_workbook_named_as_csv_is_read_as_a_workbook(db):
    staged = stage_file(xls_bytes({"明细": SALES_FILLED}), "sales.csv", "sales", db=db)
    assert staged.ok and staged.raw.kind == "xls"


def test_a_zip_that_is_another_office_document_is_refused(db):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", '<Types><Override PartName="/word/document.xml" '
                         'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')
    assert "holds no workbook" in problem_text(rejection(buffer.getvalue(), "report.docx", db))


# -- refused before calamine reads: sizes, areas -----------------------------------------------------------

@pytest.fixture()
def calamine_calls(monkeypatch) -> list[str]:
    """The python-calamine calls the reader makes (opening the workbook, reading a sheet), recorded after
    the call: a file refused before calamine read its sheets leaves no ``get_sheet_by_name``."""
    calls: list[str] = []
    real = read._calamine_call

    def recorded(file_name, call, *args):
        result = real(file_name, call, *args)
        calls.append(call.__name__)
        return result
    monkeypatch.setattr(read, "_calamine_call", recorded)
    return calls


def write_zip_bomb(path: Path, unpacked_bytes: int) -> None:
    """An xlsx whose one sheet is ``unpacked_bytes`` of the same rows, streamed into the zip (never held in
    memory): a few hundred MB of XML pack into about a megabyte."""
    template = zipfile.ZipFile(io.BytesIO(xlsx_bytes({"明细": [HEADER]})))
    rows = b"<row><c t=\"inlineStr\"><is><t>K1</t></is></c><c><v>12345</v></c><c><v>2</v></c></row>" * 1000
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for info in template.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                archive.writestr(info.filename, template.read(info))
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
            for _ in range(unpacked_bytes // len(rows)):
                sheet.write(rows)
            sheet.write(b"</sheetData></worksheet>")


def test_a_zip_bomb_is_refused_from_the_zip_directory_before_reading(db, tmp_path, calamine_calls):
    path = tmp_path / "bomb.xlsx"
    write_zip_bomb(path, 300 * 1024 * 1024)
    data = path.read_bytes()
    assert len(data) < 4 * 1024 * 1024
    tracemalloc.start()
    try:
        refused = rejection(data, "bomb.xlsx", db)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 64 * 1024 * 1024  # nothing was unpacked
    text = problem_text(refused)
    assert "xl/worksheets/sheet1.xml of bomb.xlsx" in text and "zip bomb" in text and f"{read.MAX_COMPRESSION_RATIO}:1" in text
    assert "MiB unpacked" in text and "压缩炸弹" in text
    assert "Save the sheet as CSV" in text and "另存为 CSV" in text
    assert calamine_calls == []


def test_a_workbook_unpacking_beyond_the_limit_is_refused(db, monkeypatch, calamine_calls):
    monkeypatch.setattr(read, "MAX_UNCOMPRESSED_BYTES", 4096)
    refused = rejection(xlsx_bytes({"明细": SALES_FILLED}), "big.xlsx", db)
    text = problem_text(refused)
    assert "big.xlsx expands to" in text and "above the limit of 0.0 MiB" in text and "解压后有" in text
    assert "split the file" in text
    assert calamine_calls == []


def sparse_xlsx(cells: str, shared_strings: str | None = None) -> bytes:
    """A tiny xlsx whose sheet XML is ``cells`` (and, when given, a sharedStrings.xml)."""
    sheet = ('<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
             f'<dimension ref="A1"/><sheetData>{cells}</sheetData></worksheet>').encode()
    data = rewrite_zip(xlsx_bytes({"S": [["x"]]}), {"xl/worksheets/sheet1.xml": lambda body: sheet})
    if shared_strings is None:
        return data
    buffer = io.BytesIO(data)
    with zipfile.ZipFile(buffer, "a") as archive:
        archive.writestr("xl/sharedStrings.xml", shared_strings)
    return buffer.getvalue()


def test_a_sheet_whose_two_cells_span_billions_of_cells_is_refused(db, calamine_calls):
    # a kilobyte: A1 and XFD1048576; calamine would allocate the 17 billion cells between them
    data = sparse_xlsx('<row r="1"><c r="A1"><v>1</v></c></row><row r="1048576"><c r="XFD1048576"><v>2</v></c></row>')
    assert len(data) < 8192
    text = problem_text(rejection(data, "sparse.xlsx", db))
    assert "The sheet 'S' of sparse.xlsx spans 1,048,576 rows × 16,384 columns = 17,179,869,184 cells" in text
    assert f"above the limit of {read.MAX_CELLS:,}" in text and "个单元格,超过上限" in text
    assert calamine_calls == ["from_filelike"]  # the workbook was opened, the sheet never read


def test_a_shared_string_table_announcing_more_strings_than_it_holds_is_refused(db, calamine_calls):
    strings = ('<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="900000000000">'
               "<si><t>x</t></si></sst>")
    text = problem_text(rejection(sparse_xlsx('<row r="1"><c r="A1"><v>1</v></c></row>', strings), "strings.xlsx", db))
    assert "damaged" in text and "900000000000 strings" in text
    assert calamine_calls == []


def test_an_xls_with_a_cell_far_away_is_refused(db, calamine_calls):
    data = bytearray(xls_bytes({"S": [["订单号", 12.5]]}))
    at = data.find(struct.pack("<HH", 0x027E, 10))  # the RK record of 12.5: move it to row 65000, column 60000
    struct.pack_into("<HH", data, at + 4, 65000, 60000)
    text = problem_text(rejection(bytes(data), "far.xls", db))
    assert "65,001 rows × 60,001 columns" in text
    assert calamine_calls == []  # calamine reads every sheet of an .xls when it opens it


def test_an_xls_whose_dimensions_record_asks_for_billions_of_cells_is_refused(db, calamine_calls):
    data = bytearray(xls_bytes({"S": [["订单号", 12.5]]}))
    at = data.find(struct.pack("<HH", 0x0200, 14))  # DIMENSIONS: calamine reserves rows × columns
    struct.pack_into("<IIHH", data, at + 4, 0, 100_000_000, 0, 200)
    assert "100,000,000 rows × 200 columns" in problem_text(rejection(bytes(data), "dims.xls", db))
    assert calamine_calls == []


def test_an_xlsb_with_a_cell_far_away_is_refused(db, calamine_calls):
    far = (xlsb_record(0x81) + xlsb_record(0x94, bytes(16)) + xlsb_record(0x91)
           + xlsb_record(0x00, struct.pack("<IIHBBBI", 0, 0, 300, 0, 0, 0, 0)) + xlsb_record(0x05, struct.pack("<IId", 0, 0, 1.0))
           + xlsb_record(0x00, struct.pack("<IIHBBBI", 1_000_000, 0, 300, 0, 0, 0, 0)) + xlsb_record(0x05, struct.pack("<IId", 100_000, 0, 2.0))
           + xlsb_record(0x92) + xlsb_record(0x82))
    data = rewrite_zip(xlsb_bytes({"S": [[1]]}), {"xl/worksheets/sheet1.bin": lambda body: far})
    assert "1,000,001 rows × 100,001 columns" in problem_text(rejection(data, "far.xlsb", db))
    assert calamine_calls == ["from_filelike"]


def test_an_ods_repeating_a_row_into_billions_of_cells_is_refused(db, calamine_calls):
    table = ('<table:table table:name="S"><table:table-row table:number-rows-repeated="1000000">'
             '<table:table-cell table:number-columns-repeated="1000" office:value-type="float" office:value="1"/>'
             "</table:table-row></table:table>")
    data = ods_bytes({}, raw_tables=table)
    assert len(data) < 4096
    assert "1,000,000 rows × 1,000 columns" in problem_text(rejection(data, "repeat.ods", db))
    assert calamine_calls == []  # calamine reads every table of an .ods when it opens it


# -- malformed, protected, formulas ----------------------------------------------------------------------

def truncated_xlsx() -> bytes:
    """An xlsx whose sheet XML stops in the middle of a tag (as an interrupted copy leaves it)."""
    return rewrite_zip(xlsx_bytes({"明细": SALES_FILLED}), {"xl/worksheets/sheet1.xml": lambda body: body[:len(body) // 2]})


def test_a_malformed_sheet_xml_is_refused_with_a_clear_message(db):
    text = problem_text(rejection(truncated_xlsx(), "cut.xlsx", db))
    assert "The workbook is damaged: the XML of a sheet is malformed" in text
    assert "工作表的 XML 格式有误" in text and "Open and save it again in Excel, or save it as CSV" in text


def test_the_command_line_exits_3_on_a_malformed_workbook(db, tmp_path):
    path = tmp_path / "cut.xlsx"
    path.write_bytes(truncated_xlsx())
    result = subprocess.run([sys.executable, "-m", "kam_metrics", "import", "sales", str(path), "--db", str(db), "--lang", "en"],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 3, result.stderr
    assert "the XML of a sheet is malformed" in result.stderr + result.stdout
    assert "Traceback" not in result.stderr


def test_an_encrypted_ods_is_refused_as_password_protected(db):
    data = rewrite_zip(ods_bytes({"S": SALES_FILLED}), {"META-INF/manifest.xml": lambda body: body.replace(
        b"</manifest:manifest>", b"<manifest:encryption-data/></manifest:manifest>")})
    assert "password" in problem_text(rejection(data, "secret.ods", db))


def formula_xlsx(cell_xml: str) -> bytes:
    """An accounts sheet whose C2 is ``cell_xml``."""
    data = xlsx_bytes({"客户": [["客户编号", "客户名称", "备注"], ["K9", "丙公司", None]]})
    return rewrite_zip(data, {"xl/worksheets/sheet1.xml": lambda body: body.replace(b"</row></sheetData>", cell_xml.encode() + b"</row></sheetData>")})


def test_formulas_without_a_computed_value_are_refused(db):
    for data, name in ((formula_xlsx('<c r="C2"><f>SUM(A1:A2)</f></c>'), "no_v.xlsx"),
                       (formula_xlsx('<c r="C2"><f>SUM(A1:A2)</f><v></v></c>'), "empty_v.xlsx"),
                       (ods_bytes({}, raw_tables='<table:table table:name="S"><table:table-row><table:table-cell office:value-type="string">'
                                  '<text:p>客户编号</text:p></table:table-cell><table:table-cell table:formula="of:=1+1"/></table:table-row>'
                                  "</table:table>"), "formula.ods")):
        with pytest.raises(ImportRejected, match="formula") as caught:
            stage_file(data, name, "accounts", db=db)
        problem = caught.value.problems[0]
        assert "without a computed value" in problem.problem_en and "没有计算结果" in problem.problem_zh, name
        assert problem.column in ("C", "B")


def test_formulas_with_their_computed_value_are_read(db):
    computed = stage_file(formula_xlsx('<c r="C2"><f>1+1</f><v>2</v></c>'), "computed.xlsx", "accounts", db=db)
    empty_text = stage_file(formula_xlsx('<c r="C2" t="str"><f>IF(1,"","x")</f><v></v></c>'), "empty.xlsx", "accounts", db=db)
    assert computed.ok and empty_text.ok
    assert computed.rows.column("account_id").to_pylist() == ["K9"]


def test_the_import_page_lists_the_sheets_of_every_workbook_format():
    from kam_app.sections.importer import list_sheets

    for fmt in FORMATS:
        assert list_sheets(workbook_bytes(fmt, {"明细": SALES_FILLED, "说明": [["这是说明页"]]})) == [("明细", 6), ("说明", 1)], fmt
    assert list_sheets(b"PK\x03\x04" + b"garbage" * 50) == []
    assert list_sheets(truncated_xlsx()) == []
