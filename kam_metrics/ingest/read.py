"""Reading an uploaded file into a DuckDB staging table of text: CSV, TSV and the workbook formats
(XLSX, XLSM, XLS, XLSB, ODS).

Detects the kind of file from its bytes (never from its name alone), the encoding (UTF-8 with or without
BOM, then GB18030, UTF-16, then detection; docs/data-model.md), the delimiter, the header row (title lines
above it are skipped) and totals rows (合计, 总计, Total: left out with a notice). UTF-8 text is read by
DuckDB's own CSV reader; other encodings are decoded in Python and handed to DuckDB as UTF-8. Workbooks
are read with python-calamine (cached values of formulas, merged cells filled) after checks of their
size and of each sheet's area, made from the zip directory and the format's own records before calamine
sees the file: a small file that unpacks to gigabytes, or announces a sheet of billions of cells, is
refused instead of exhausting memory (MAX_UNCOMPRESSED_BYTES, MAX_COMPRESSION_RATIO, MAX_CELLS).

Every problem raises :class:`ImportRejected` with messages that say what is wrong, where and how to fix
it, in both languages.
"""

from __future__ import annotations

import csv
import datetime
import html
import io
import os
import posixpath
import re
import struct
import tempfile
import xml.etree.ElementTree as ET
import zipfile
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from kam_metrics.ingest.spec import normalise_header

#: how many leading rows are searched for the header row
HEADER_SEARCH_ROWS = 30
#: the kinds :func:`sniff_kind` gives workbooks, all read with python-calamine
WORKBOOK_KINDS = ("xlsx", "xlsm", "xlsb", "xls", "ods")
#: a zip-based workbook whose parts unpack to more than this in all is refused (save the sheet as CSV)
MAX_UNCOMPRESSED_BYTES = 512 * 1024 * 1024
#: a part of more than RATIO_CHECKED_ABOVE_BYTES unpacked may be at most this many times its packed size
MAX_COMPRESSION_RATIO = 100
RATIO_CHECKED_ABOVE_BYTES = 4 * 1024 * 1024
#: the most cells (rows × columns between the outermost cells holding a value) a sheet may span
MAX_CELLS = 50_000_000
#: the largest workbook metadata part (content types, workbook, relationships) that is parsed whole
_MAX_META_BYTES = 16 * 1024 * 1024
TOTAL_WORDS = ("合计", "总计", "小计", "总合计", "total", "grand total", "totals", "subtotal", "sum")
_MAGIC = {
    b"\x89PNG": "PNG image",
    b"\xff\xd8\xff": "JPEG image",
    b"GIF8": "GIF image",
    b"%PDF": "PDF document",
    b"\x7fELF": "program",
    b"MZ": "Windows program",
}


@dataclass
class Problem:
    """One problem with the input: where, what, how to fix; texts in both languages."""

    row: int | None
    column: str | None
    value: str | None
    problem_zh: str
    problem_en: str
    fix_zh: str = ""
    fix_en: str = ""

    def as_dict(self, lang: str) -> dict:
        return {
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "problem": self.problem_zh if lang == "zh" else self.problem_en,
            "fix": self.fix_zh if lang == "zh" else self.fix_en,
        }


class ImportRejected(Exception):
    """The input cannot be imported; nothing was written. ``problems`` lists every problem found."""

    def __init__(self, file_name: str, problems: list[Problem]):
        self.file_name = file_name
        self.problems = problems
        first = problems[0] if problems else None
        where = f" (row {first.row}, column {first.column})" if first and first.row else ""
        super().__init__(
            f"{file_name}: {len(problems)} problem(s){where}: {first.problem_en if first else ''} "
            f"{first.fix_en if first else ''}".strip()
        )

    def message(self, lang: str) -> str:
        first = self.problems[0]
        if lang == "zh":
            where = f"(第 {first.row} 行,列「{first.column}」)" if first.row else ""
            return f"{self.file_name}:发现 {len(self.problems)} 个问题{where}:{first.problem_zh} {first.fix_zh}".strip()
        where = f" (row {first.row}, column {first.column})" if first.row else ""
        return f"{self.file_name}: {len(self.problems)} problem(s){where}: {first.problem_en} {first.fix_en}".strip()


#: at most this many problems are collected and listed for one file
MAX_PROBLEMS = 5000


def sql_literal(text: str) -> str:
    """A SQL string literal (DuckDB strings have no backslash escapes: a quote is doubled)."""
    return "'" + text.replace("'", "''") + "'"


def reject(file_name: str, problem_zh: str, problem_en: str, fix_zh: str = "", fix_en: str = "", *,
           row: int | None = None, column: str | None = None, value: str | None = None) -> ImportRejected:
    return ImportRejected(file_name, [Problem(row, column, value, problem_zh, problem_en, fix_zh, fix_en)])


@dataclass
class RawTable:
    """A file read into the staging connection as table ``raw``: text columns c0, c1, ... (the file's
    headers are kept here, never used as SQL identifiers), plus ``_row``, the row's line number in the file as a spreadsheet shows it (header row = its own)."""

    headers: list[str]
    rows: int
    kind: str  # csv, tsv, or one of WORKBOOK_KINDS
    encoding: str | None
    delimiter: str | None
    header_row: int
    sheet: str | None = None
    sheets: list[str] = field(default_factory=list)
    notices: list[tuple[str, str]] = field(default_factory=list)  # (zh, en)


def sniff_kind(data: bytes, file_name: str) -> str:
    """'xlsx', 'xlsm', 'xlsb', 'ods' (a zip: told apart by its ``mimetype`` or ``[Content_Types].xml``,
    so ``data`` must be the whole file), 'xls' (an OLE2 compound file), or 'text'; raise for other zips,
    binaries, images and empty files."""
    if data.startswith(_ZIP_MAGIC):
        return _zip_kind(data, file_name)
    if data.startswith(_OLE_MAGIC):
        return "xls"  # a password-protected .xlsx is an OLE2 file too: reading it says so
    if not data.strip():
        raise reject(file_name, "文件是空的。", "The file is empty.", "请重新导出包含表头和数据的文件。",
                     "Export the data again, with a header row and data rows.")
    for magic, what in _MAGIC.items():
        if data.startswith(magic):
            raise reject(file_name, f"这不是表格文件,而是{what}。", f"This is not a table but a {what}.",
                         "请上传 CSV、TSV、XLSX、XLS、XLSB 或 ODS 文件。", "Upload a CSV, TSV, XLSX, XLS, XLSB or ODS file.")
    head = data[:8192]
    utf16 = head.startswith((b"\xff\xfe", b"\xfe\xff"))
    if not utf16 and b"\x00" in head:
        raise reject(file_name, "这是二进制文件,不是文本表格。", "This is a binary file, not a text table.",
                     "请上传 CSV、TSV、XLSX、XLS、XLSB 或 ODS 文件。", "Upload a CSV, TSV, XLSX, XLS, XLSB or ODS file.")
    return "text"


def decode_text(data: bytes, file_name: str, encoding: str | None = None) -> tuple[str, str]:
    """(text, encoding): UTF-16 by its BOM, UTF-8 (BOM or not) or GB18030, strictly: a file none of them
    decodes cleanly, or that mixes UTF-8 with another encoding, is refused naming its first bad line (a
    guess would store every name as mojibake); so is a NUL character anywhere. ``encoding`` overrides."""
    if encoding:
        try:
            return _without_nul(data.decode(encoding), file_name), encoding
        except (LookupError, UnicodeDecodeError) as exc:
            raise reject(file_name, f"无法按编码 {encoding} 读取文件:{exc}", f"Cannot read the file as {encoding}: {exc}",
                         "去掉编码参数让系统自动识别,或指定正确的编码(如 gb18030)。",
                         "Leave out the encoding to detect it, or give the right one (e.g. gb18030).") from None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return _without_nul(data.decode("utf-16"), file_name), "utf-16"
        except UnicodeDecodeError as exc:
            raise _undecodable(file_name, data, exc.start, "UTF-16") from None
    body, used = (data[3:], "utf-8-sig") if data.startswith(b"\xef\xbb\xbf") else (data, "utf-8")
    try:
        return _without_nul(body.decode("utf-8"), file_name), used
    except UnicodeDecodeError as not_utf8:
        if used == "utf-8-sig" or _has_utf8_text(body[:not_utf8.start]):
            # UTF-8 Chinese before the first bad byte: two encodings in one file; decoding the rest as
            # GB18030 would turn one half into mojibake without a word
            raise _undecodable(file_name, body, not_utf8.start, "UTF-8", mixed=True) from None
        try:
            return _without_nul(body.decode("gb18030"), file_name), "gb18030"
        except UnicodeDecodeError as exc:
            raise _undecodable(file_name, body, exc.start, "UTF-8 / GB18030") from None


def _has_utf8_text(prefix: bytes) -> bool:
    """Whether ``prefix`` (valid UTF-8) holds characters beyond ASCII."""
    return any(byte >= 0x80 for byte in prefix)


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def _undecodable(file_name: str, data: bytes, offset: int, tried: str, mixed: bool = False) -> ImportRejected:
    """The refusal of a text file that is not cleanly UTF-8, GB18030 or UTF-16, naming its first bad line."""
    line = _line_of(data, offset)
    if mixed:
        return reject(file_name, f"文件混用了两种编码:前面是 UTF-8,第 {line} 行不是。",
                      f"The file mixes two encodings: UTF-8 at first, but line {line} is not.",
                      "请在 Excel 中打开后整体另存为“CSV UTF-8”,或检查是否把两个文件拼接在一起。",
                      'Open it in Excel and save it as a whole as "CSV UTF-8", or check whether two files were joined.',
                      row=line)
    return reject(file_name, f"第 {line} 行无法按 {tried} 读取。", f"Line {line} cannot be read as {tried}.",
                  "请另存为“CSV UTF-8”后再上传;若知道文件的编码,请指定(命令行:--encoding cp1252 等)。",
                  'Save it as "CSV UTF-8" and upload again; if you know its encoding, give it (command line: --encoding cp1252, ...).',
                  row=line)


def _without_nul(text: str, file_name: str) -> str:
    """``text``, or the refusal naming the first line with a NUL character (anywhere in the file)."""
    at = text.find("\x00")
    if at < 0:
        return text
    line = text.count("\n", 0, at) + 1
    raise reject(file_name, f"第 {line} 行含有空字符(NUL),这不是正常的文本表格。",
                 f"Line {line} holds a NUL character: this is not a plain text table.",
                 "请在 Excel 中另存为“CSV UTF-8”后再上传。", 'Save it from Excel as "CSV UTF-8" and upload again.', row=line)


def sniff_delimiter(sample: str) -> str:
    lines = [line for line in sample.splitlines()[:50] if line.strip()]
    try:
        return csv.Sniffer().sniff("\n".join(lines), delimiters=",\t;|").delimiter
    except csv.Error:
        counts = {d: sum(line.count(d) for line in lines) for d in ",\t;|"}
        return max(counts, key=lambda d: counts[d]) if max(counts.values()) else ","


def find_header_row(rows: Sequence[Sequence[str | None]], known: set[str]) -> int:
    """Index of the header row: the first row where most filled cells are known column names, else the
    first row that is filled like the rows below it and mostly not numbers."""
    best, best_score = None, 0.0
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        cells = [str(c) for c in row if str(c or "").strip()]
        if len(cells) < 2 and len(row) > 1:
            continue
        score = sum(normalise_header(c) in known for c in cells) / max(len(cells), 1)
        if score >= 0.5:
            return index
        if score > best_score:
            best, best_score = index, score
    if best is not None:
        return best
    widths = [sum(1 for c in row if str(c or "").strip()) for row in rows[:HEADER_SEARCH_ROWS]]
    widest = max(widths) if widths else 0
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        cells = [str(c).strip() for c in row if str(c or "").strip()]
        numeric = sum(bool(re.fullmatch(r"[-+¥￥$,.\d%]+", c)) for c in cells)
        if widths[index] >= max(2, widest * 0.6) and numeric <= len(cells) / 3:
            return index
    return 0


def unique_headers(cells: Sequence[str | None]) -> list[str]:
    out: list[str] = []
    for position, cell in enumerate(cells):
        name = str(cell).strip() if cell is not None and str(cell).strip() else f"column_{position + 1}"
        base, n = name, 2
        while name in out:
            name, n = f"{base}_{n}", n + 1
        out.append(name)
    return out


def is_total_row(cells: list) -> bool:
    for cell in cells[:3]:
        text = str(cell or "").strip().lower().rstrip(":：")
        if text in TOTAL_WORDS:
            return True
    return False


def read_into_staging(
    con: duckdb.DuckDBPyConnection,
    data: bytes,
    file_name: str,
    known_headers: set[str],
    *,
    sheet: str | None = None,
    encoding: str | None = None,
    path: str | os.PathLike | None = None,
) -> RawTable:
    """Read ``data`` (the file's bytes) into table ``raw`` of the staging connection ``con``.

    ``known_headers`` (normalised) helps to find the header row under title lines. When ``path`` is a
    UTF-8 file on disk, DuckDB reads it in place (no copy in Python memory).
    """
    kind = sniff_kind(data[:65536] if path and not data.startswith(_ZIP_MAGIC) else data, file_name)
    notices: list[tuple[str, str]] = []
    if kind in WORKBOOK_KINDS:
        return _read_workbook_into_staging(con, data, file_name, kind, known_headers, sheet, notices)

    text, used_encoding = decode_text(data, file_name, encoding)
    delimiter = sniff_delimiter(text[:65536])
    headers, header_index = _text_header(text, file_name, known_headers, delimiter)
    kind = "tsv" if delimiter == "\t" else "csv"
    _note_title_lines(notices, header_index)
    utf8_in_place = path is not None and used_encoding in ("utf-8", "utf-8-sig")
    temp_path = None
    try:
        if utf8_in_place:
            source = str(path)
        else:
            temp_path = source = _write_temp_csv(text)
        del text
        _load_csv(con, source, file_name, headers, header_index, delimiter, used_encoding)
    finally:
        if temp_path:
            os.unlink(temp_path)
    rows = con.execute("select count(*) from raw").fetchall()[0][0]
    raw = RawTable(headers, rows, kind, used_encoding, delimiter, header_index + 1, notices=notices)
    _drop_totals(con, raw)
    return raw


def _read_workbook_into_staging(con, data: bytes, file_name: str, kind: str, known_headers: set[str], sheet: str | None,
                                notices: list[tuple[str, str]]) -> RawTable:
    """Read a workbook's sheet (its non-empty rows, as text) into table ``raw`` under its header row."""
    rows, numbers, sheet, sheets = _read_workbook(data, file_name, kind, sheet)
    if not rows:
        raise reject(file_name, "工作表是空的。", "The sheet is empty.", "请选择有数据的工作表。", "Choose a sheet with data.")
    header_index = find_header_row(rows, known_headers)
    return _stage_rows(con, rows, numbers, header_index, file_name, kind, sheet, sheets, notices)


def _text_header(text: str, file_name: str, known_headers: set[str], delimiter: str) -> tuple[list[str], int]:
    """(the unique headers, the header row's index) of a text table; rejects a file without a header row
    or without data rows below it."""
    head_rows = list(csv.reader(io.StringIO("\n".join(text[:200000].splitlines()[:HEADER_SEARCH_ROWS])), delimiter=delimiter))
    if not head_rows:
        raise reject(file_name, "文件没有内容。", "The file has no content.", "", "")
    header_index = find_header_row(head_rows, known_headers)
    headers = unique_headers(head_rows[header_index])
    _require_named_headers(headers, file_name)
    if not any(line.strip() for line in text.splitlines()[header_index + 1:header_index + 50]):
        raise reject(file_name, "文件只有表头,没有数据行。", "The file has a header but no data rows.",
                     "请导出包含数据的文件。", "Export a file that holds data rows.")
    return headers, header_index


def _require_named_headers(headers: list[str], file_name: str) -> None:
    """Reject a header row none of whose cells names a column."""
    if not any(h and not h.startswith("column_") for h in headers):
        raise reject(file_name, "找不到表头行。", "No header row was found.",
                     "第一行应是列名(如 客户编号、订单日期、金额);可下载模板参考。",
                     "The first row should name the columns (e.g. account id, order date, amount); see the templates.")


def _note_title_lines(notices: list[tuple[str, str]], header_index: int) -> None:
    """A notice that the title lines above the header row were skipped (when there were any)."""
    if header_index:
        notices.append((f"跳过了表头上方的 {header_index} 行标题。", f"Skipped {header_index} title line(s) above the header."))


def _write_temp_csv(text: str) -> str:
    """Write ``text`` to a temporary UTF-8 file for DuckDB's reader; its path (the caller deletes it)."""
    handle = tempfile.NamedTemporaryFile("w", suffix=".csv", encoding="utf-8", delete=False, newline="")
    with handle:
        handle.write(text)
    return handle.name


_CSV_ERROR_LINE = re.compile(r"[Ll]ine:?\s*(\d+)")


def _load_csv(con, source: str, file_name: str, headers: list[str], header_index: int, delimiter: str, encoding: str) -> None:
    columns = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(headers))) + "}"
    try:
        con.execute(
            "create or replace table raw as "
            "select *, (row_number() over ()) + ? as _row from read_csv(?, delim = ?, header = false, skip = ?, "
            "columns = " + columns + ", quote = '\"', escape = '\"', strict_mode = true, "
            "null_padding = false, ignore_errors = false, all_varchar = true, "
            "encoding = 'utf-8', parallel = false)",
            [header_index + 1, source, delimiter, header_index + 1],
        )
    except duckdb.Error as exc:
        text = str(exc)
        match = _CSV_ERROR_LINE.search(text)
        line = int(match.group(1)) if match else None
        if "Expected Number of Columns" in text or "columns" in text.lower():
            raise reject(file_name, "某一行的列数与表头不一致(文件可能在中途被截断,或有多余的分隔符)。",
                         "A row has a different number of columns than the header (the file may stop in the "
                         "middle of a line, or hold an extra delimiter).",
                         "请检查该行,补全或删除后重新导出。", "Check that row, complete or delete it, and export again.",
                         row=line) from None
        raise reject(file_name, f"无法读取 CSV:{text.splitlines()[0]}", f"Cannot read the CSV: {text.splitlines()[0]}",
                     "请在 Excel 中另存为“CSV UTF-8”后再上传。", 'Save it from Excel as "CSV UTF-8" and upload again.',
                     row=line) from None


def _stage_rows(con, rows: list[list[str | None]], numbers: list[int], header_index: int, file_name: str, kind: str,
                sheet: str, sheets: list[str], notices: list[tuple[str, str]]) -> RawTable:
    """Put a sheet's rows below its header row into table ``raw`` (text columns c0, c1, ... and ``_row``,
    the row's number in the sheet)."""
    import pyarrow as pa

    headers = unique_headers(rows[header_index])
    _require_named_headers(headers, file_name)
    width = len(headers)
    body = rows[header_index + 1:]
    columns = [pa.array([row[i] if i < len(row) else None for row in body], type=pa.string()) for i in range(width)]
    table = pa.Table.from_arrays([*columns, pa.array(numbers[header_index + 1:], type=pa.int64())],
                                 names=[*(f"c{i}" for i in range(width)), "_row"])
    con.register("raw_frame", table)
    con.execute("create or replace table raw as select * from raw_frame")
    con.unregister("raw_frame")
    _note_title_lines(notices, header_index)
    raw = RawTable(headers, len(body), kind, None, None, numbers[header_index], sheet, sheets, notices)
    _drop_totals(con, raw)
    return raw


def _drop_totals(con, raw: RawTable) -> None:
    """Leave out totals rows (合计/总计/Total in one of the first three columns) with a notice."""
    words = ", ".join("'" + w + "'" for w in TOTAL_WORDS)  # this module's constants
    # strlen first: a cheap byte count rules out almost every cell before the lower-casing
    condition = " or ".join(
        "(strlen(c" + str(i) + ") <= 20 and lower(trim(c" + str(i) + ", ' :：')) in (" + words + "))"
        for i in range(min(3, len(raw.headers)))
    )
    if not condition:
        return
    totals = [r[0] for r in con.execute("select _row from raw where " + condition + " order by _row").fetchall()]
    if totals:
        con.execute("delete from raw where " + condition)
        raw.rows -= len(totals)
        listed = ", ".join(str(r) for r in totals[:10])
        raw.notices.append((f"已忽略 {len(totals)} 行合计行(第 {listed} 行)。",
                            f"Left out {len(totals)} totals row(s) (row {listed})."))


# -- workbooks ------------------------------------------------------------------------------------------
#
# python-calamine (Rust) reads every format, but it trusts what the file says: it allocates the whole
# rectangle between the first and the last cell holding a value, reserves the string table a file
# announces, and reads every sheet of an .xls or .ods when the workbook is opened. A file of a few
# kilobytes can therefore ask for terabytes, which aborts the whole process (no exception reaches
# Python). So each format is measured first, from its zip directory and its own records, and refused
# above the limits below before calamine sees it.


@dataclass
class _SheetScan:
    """What a pass over one sheet's stored cells found before calamine reads it: the area between the
    first and the last cell that holds a value (what calamine allocates), the merged ranges when calamine
    does not report them for the format, and the first formula stored without a computed value."""

    top: int = -1  # 0-based rows and columns of the area; -1: no cell holds a value
    left: int = -1
    bottom: int = -1
    right: int = -1
    merged: list[tuple[int, int, int, int]] | None = None  # (first row, first column, last row, last column)
    formula: tuple[str, str] | None = None  # (cell, formula)

    def add(self, row: int, first_column: int, last_column: int) -> None:
        """Widen the area to cells ``first_column`` to ``last_column`` of ``row``."""
        if self.top < 0:
            self.top, self.left, self.bottom, self.right = row, first_column, row, last_column
            return
        self.top, self.bottom = min(self.top, row), max(self.bottom, row)
        self.left, self.right = min(self.left, first_column), max(self.right, last_column)

    @property
    def rows(self) -> int:
        return self.bottom - self.top + 1 if self.top >= 0 else 0

    @property
    def columns(self) -> int:
        return self.right - self.left + 1 if self.top >= 0 else 0


@dataclass
class _Workbook:
    """A workbook opened with python-calamine once the checks that must come first have passed.

    ``parts`` maps each sheet of an xlsx/xlsm/xlsb to its zip part (scanned when the sheet is read);
    ``scans`` holds the sheets already scanned at opening (ods: calamine reads them all then)."""

    kind: str
    file_name: str
    book: Any
    archive: zipfile.ZipFile | None
    parts: dict[str, str] = field(default_factory=dict)
    scans: dict[str, _SheetScan] = field(default_factory=dict)

    @property
    def sheets(self) -> list[str]:
        return list(self.book.sheet_names)


_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"
_ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, RuntimeError, EOFError, OSError,
               ValueError, zlib.error)
#: the package types of [Content_Types].xml that tell the OOXML kinds apart, most specific first
_OOXML_TYPES = (
    (b"sheet.binary.macroEnabled.main", "xlsb"),
    (b"sheet.macroEnabled.main+xml", "xlsm"),
    (b"template.macroEnabled.main+xml", "xlsm"),
    (b"spreadsheetml.sheet.main+xml", "xlsx"),
    (b"spreadsheetml.template.main+xml", "xlsx"),
)
_ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
_FIX_DAMAGED = ("请在 Excel 中打开并重新保存,或另存为 CSV 后再上传。", "Open and save it again in Excel, or save it as CSV, then upload again.")
_FIX_TOO_LARGE = ("请把工作表另存为 CSV,或把文件拆分成几个较小的文件后再上传。",
                  "Save the sheet as CSV, or split the file into smaller files, then upload again.")


def _damaged(file_name: str, detail: str) -> ImportRejected:
    """The refusal of a workbook whose structure does not hold together; ``detail`` says where."""
    return reject(file_name, f"工作簿文件已损坏,无法读取({detail})。", f"The workbook file is damaged and cannot be read ({detail}).",
                  *_FIX_DAMAGED)


def _malformed(file_name: str, detail: str) -> ImportRejected:
    """The refusal of a workbook whose sheet XML does not parse (cut short, edited by hand)."""
    return reject(file_name, f"工作簿已损坏:工作表的 XML 格式有误({detail})。",
                  f"The workbook is damaged: the XML of a sheet is malformed ({detail}).", *_FIX_DAMAGED)


def _password_protected(file_name: str) -> ImportRejected:
    """The refusal of an encrypted workbook, or of an OLE2 file too damaged to tell."""
    return reject(file_name, "这个工作簿受密码保护(或已损坏),无法读取。",
                  "This workbook is protected by a password (or damaged) and cannot be read.",
                  "请在 Excel 中取消密码保护并重新保存(或另存为 .xlsx 或 CSV)后再上传。",
                  "Remove the password in Excel and save it again (or as .xlsx or CSV), then upload again.")


def _detail(exc: BaseException) -> str:
    """The first line of an error, short enough for a message."""
    text = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    return text if len(text) <= 160 else text[:157] + "..."


def _mib(size: int) -> str:
    """Bytes as MiB with one decimal, for messages."""
    return f"{size / 1048576:,.1f}"


def _too_many_cells(file_name: str, sheet: str, rows: int, columns: int) -> ImportRejected:
    """The refusal of a sheet whose area is above MAX_CELLS."""
    cells = rows * columns
    return reject(file_name,
                  f"{file_name} 的工作表「{sheet}」数据区域为 {rows:,} 行 × {columns:,} 列 = {cells:,} 个单元格,超过上限 {MAX_CELLS:,} 个。",
                  f"The sheet {sheet!r} of {file_name} spans {rows:,} rows × {columns:,} columns = {cells:,} cells, "
                  f"above the limit of {MAX_CELLS:,}.", *_FIX_TOO_LARGE)


def _zip_kind(data: bytes, file_name: str) -> str:
    """'xlsx', 'xlsm', 'xlsb' or 'ods' from a zip's ``mimetype`` or ``[Content_Types].xml``; anything else
    (a damaged zip, a Word document, a plain archive) is refused."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if _zip_member(archive, "mimetype"):
                if _read_part(archive, "mimetype", file_name, 1024).strip() == _ODS_MIMETYPE:
                    return "ods"
                raise _not_a_workbook(file_name)
            has_types = _zip_member(archive, "[Content_Types].xml") is not None
            types = _read_part(archive, "[Content_Types].xml", file_name, _MAX_META_BYTES) if has_types else b""
            plain_workbook = _zip_member(archive, "xl/workbook.xml") is not None
    except _ZIP_ERRORS as exc:
        raise _damaged(file_name, _detail(exc)) from None
    for marker, kind in _OOXML_TYPES:
        if marker in types:
            return kind
    if not types and plain_workbook:
        return "xlsx"
    raise _not_a_workbook(file_name)


def _not_a_workbook(file_name: str) -> ImportRejected:
    """The refusal of a zip that is no workbook (another document, a plain archive)."""
    return reject(file_name, "这个压缩文件里没有工作簿(或工作簿已损坏)。", "This zip file holds no workbook (or the workbook is damaged).",
                  "请上传 CSV、XLSX、XLS、XLSB 或 ODS 文件。", "Upload a CSV, XLSX, XLS, XLSB or ODS file.")


def _read_part(archive: zipfile.ZipFile, name: str, file_name: str, limit: int) -> bytes:
    """A zip part read whole (``name`` found as :func:`_zip_member` finds it); refused above ``limit`` bytes."""
    member = _zip_member(archive, name)
    if member is None:
        raise KeyError(f"no part {name}")
    info = archive.getinfo(member)
    if info.file_size > limit:
        raise reject(file_name, f"{file_name} 中的 {name} 有 {_mib(info.file_size)} MiB,超过上限 {_mib(limit)} MiB。",
                     f"The part {name} of {file_name} holds {_mib(info.file_size)} MiB, above the limit of {_mib(limit)} MiB.",
                     *_FIX_TOO_LARGE)
    return archive.read(info)


def _check_zip_sizes(archive: zipfile.ZipFile, file_name: str) -> None:
    """Refuse a zip whose parts would expand beyond MAX_UNCOMPRESSED_BYTES in all, or a large part that is
    compressed more than MAX_COMPRESSION_RATIO to 1 (a zip bomb), from the zip directory alone."""
    total = 0
    for info in archive.infolist():
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > RATIO_CHECKED_ABOVE_BYTES and ratio > MAX_COMPRESSION_RATIO:
            raise reject(file_name,
                         f"{file_name} 中的 {info.filename} 压缩比为 {ratio:,.0f}:1(解压后 {_mib(info.file_size)} MiB),"
                         f"超过上限 {MAX_COMPRESSION_RATIO}:1,像是“压缩炸弹”。",
                         f"The part {info.filename} of {file_name} is compressed {ratio:,.0f}:1 ({_mib(info.file_size)} MiB "
                         f"unpacked), above the limit of {MAX_COMPRESSION_RATIO}:1: this looks like a zip bomb.", *_FIX_TOO_LARGE)
    if total > MAX_UNCOMPRESSED_BYTES:
        raise reject(file_name, f"{file_name} 解压后有 {_mib(total)} MiB,超过上限 {_mib(MAX_UNCOMPRESSED_BYTES)} MiB。",
                     f"{file_name} expands to {_mib(total)} MiB when unpacked, above the limit of {_mib(MAX_UNCOMPRESSED_BYTES)} MiB.",
                     *_FIX_TOO_LARGE)


def _open_workbook(data: bytes, file_name: str, kind: str) -> _Workbook:
    """Check the workbook as far as calamine would read it at opening, then open it with calamine."""
    import python_calamine

    archive, scans = None, {}
    if kind == "xls":
        _check_xls(data, file_name)
    else:
        try:
            archive = zipfile.ZipFile(io.BytesIO(data))
        except _ZIP_ERRORS as exc:
            raise _damaged(file_name, _detail(exc)) from None
        _check_zip_sizes(archive, file_name)
        if kind == "ods":
            scans = _scan_ods(archive, file_name)
        else:
            _check_shared_strings(archive, file_name)
    book = _calamine_call(file_name, python_calamine.CalamineWorkbook.from_filelike, io.BytesIO(data))
    parts = _ooxml_sheet_parts(archive, kind, file_name) if archive is not None and kind != "ods" else {}
    return _Workbook(kind, file_name, book, archive, parts, scans)


def _calamine_call(file_name: str, call: Callable[..., Any], *args: Any) -> Any:
    """``call(*args)`` into python-calamine with every failure turned into a rejection, a Rust panic (a
    BaseException, not an Exception) included."""
    import python_calamine

    try:
        return call(*args)
    except python_calamine.PasswordError:
        raise _password_protected(file_name) from None
    except python_calamine.XmlError as exc:
        raise _malformed(file_name, _detail(exc)) from None
    except (python_calamine.CalamineError, ValueError, TypeError, KeyError, IndexError, OverflowError, OSError) as exc:
        raise _damaged(file_name, _detail(exc)) from None
    except BaseException as exc:
        if type(exc).__name__ != "PanicException":
            raise
        raise _damaged(file_name, _detail(exc)) from None


class _ChartSheet:
    """Stands in for calamine's sheet of a chart sheet, which holds no cells (and which calamine fails
    to read in an xlsb)."""

    start = end = merged_cell_ranges = None

    def iter_rows(self) -> Iterator[list]:
        return iter(())


def _checked_sheet(workbook: _Workbook, sheet: str) -> tuple[Any, _SheetScan]:
    """(calamine's sheet, its scan) once the sheet's area and formulas have passed the checks."""
    if any(meta.name == sheet and str(meta.typ).endswith("ChartSheet") for meta in workbook.book.sheets_metadata):
        return _ChartSheet(), _SheetScan()
    scan = workbook.scans.get(sheet)
    if scan is None and workbook.kind in ("xlsx", "xlsm", "xlsb"):
        assert workbook.archive is not None
        part = _zip_member(workbook.archive, workbook.parts.get(sheet))
        if part is None:
            raise _damaged(workbook.file_name, f"no part for sheet {sheet!r}")
        scan = (_scan_xlsb_sheet if workbook.kind == "xlsb" else _scan_xlsx_sheet)(workbook.archive, part, workbook.file_name)
    scan = scan or _SheetScan()  # xls: every sheet was checked at opening
    if scan.rows * scan.columns > MAX_CELLS:
        raise _too_many_cells(workbook.file_name, sheet, scan.rows, scan.columns)
    if scan.formula:
        cell, formula = scan.formula
        where = re.fullmatch(r"([A-Za-z]+)([0-9]+)", cell)
        raise reject(workbook.file_name, f"单元格 {cell} 含公式 {formula} 但没有计算结果。",
                     f"The cell {cell} holds the formula {formula} without a computed value.",
                     "请在 Excel 中打开并保存(或复制后“选择性粘贴 → 数值”)再上传。",
                     "Open and save the file in Excel (or copy and paste as values), then upload again.",
                     row=int(where.group(2)) if where else None, column=where.group(1) if where else None, value=formula)
    return _calamine_call(workbook.file_name, workbook.book.get_sheet_by_name, sheet), scan


def _zip_member(archive: zipfile.ZipFile, part: str | None) -> str | None:
    """The zip member named ``part``, compared as Excel and calamine compare them: without case, and with
    the backslashes some Windows programs write read as slashes; None when there is none."""
    if part is None or part in archive.NameToInfo:
        return part
    wanted = part.casefold()
    return next((name for name in archive.NameToInfo if name.replace("\\", "/").casefold() == wanted), None)


def list_workbook_sheets(data: bytes, file_name: str = "workbook") -> list[tuple[str, int]]:
    """(sheet, rows) of every sheet of a workbook, in workbook order; rows counts up to the last row that
    holds a value, title lines included. Raises :class:`ImportRejected` like reading would."""
    kind = sniff_kind(data, file_name)
    if kind not in WORKBOOK_KINDS:
        raise reject(file_name, "这不是工作簿文件。", "This is not a workbook.", "", "")
    workbook = _open_workbook(data, file_name, kind)
    counts = []
    for name in workbook.sheets:
        sheet, _ = _checked_sheet(workbook, name)
        counts.append((name, sheet.end[0] + 1 if sheet.end else 0))
    return counts


def _read_workbook(data: bytes, file_name: str, kind: str, sheet: str | None) -> tuple[list[list[str | None]], list[int], str, list[str]]:
    """(rows as text, each row's 1-based number in the sheet, the sheet read, every sheet) of the chosen
    sheet (default: the first), its merged cells filled with their top-left value and empty rows left out.

    calamine reports merged ranges for xlsx, xlsm and xls; for ods and xlsb they come from this module's
    own scan of the sheet."""
    workbook = _open_workbook(data, file_name, kind)
    sheets = workbook.sheets
    if not sheets:
        raise reject(file_name, "工作簿里没有工作表。", "The workbook holds no sheet.", *_FIX_DAMAGED)
    sheet = sheets[0] if sheet is None else sheet
    if sheet not in sheets:
        raise reject(file_name, f"工作表「{sheet}」不存在;可选:{'、'.join(sheets)}。",
                     f"There is no sheet {sheet!r}; the sheets are: {', '.join(sheets)}.",
                     "请选择一个存在的工作表。", "Choose one of the existing sheets.")
    found, scan = _checked_sheet(workbook, sheet)
    if found.start is None:
        return [], [], sheet, sheets
    top, left = found.start
    padding: list[str | None] = [None] * left  # column A stays the first column, as the sheet shows it
    rows = [padding + _row_text(row) for row in found.iter_rows()]
    merged = scan.merged if scan.merged is not None else [(r0, c0, r1, c1) for (r0, c0), (r1, c1) in found.merged_cell_ranges or []]
    _fill_merged(rows, top, merged, file_name)
    kept = [(top + index + 1, row) for index, row in enumerate(rows) if any(v is not None for v in row)]
    return [row for _, row in kept], [number for number, _ in kept], sheet, sheets


def _fill_merged(rows: list[list[str | None]], top: int, merged: list[tuple[int, int, int, int]], file_name: str) -> None:
    """Give every cell of a merged range the value of its top-left cell (``rows`` start at sheet row
    ``top``); ranges are clipped to the sheet's area, and overlapping ranges that would fill more than
    MAX_CELLS cells are refused."""
    width = len(rows[0]) if rows else 0
    filled = 0
    for first_row, first_column, last_row, last_column in merged:
        if not top <= first_row < top + len(rows) or first_column >= width:
            continue
        value = rows[first_row - top][first_column]
        row_end, column_end = min(last_row, top + len(rows) - 1), min(last_column, width - 1)
        filled += (row_end - first_row + 1) * max(column_end - first_column + 1, 0)
        if filled > MAX_CELLS:
            raise _damaged(file_name, "overlapping merged ranges")
        for row in rows[first_row - top:row_end - top + 1]:
            row[first_column:column_end + 1] = [value] * (column_end - first_column + 1)


def _row_text(row: list) -> list[str | None]:
    """:func:`_cell_text` of each cell of a row, with text, numbers and dates, most cells, converted inline."""
    return [(v.strip() or None) if (kind := type(v)) is str
            else (str(int(v)) if v.is_integer() else repr(v)) if kind is float
            else v.isoformat() if kind is datetime.date
            else _cell_text(v) for v in row]


def _cell_text(value) -> str | None:
    """A cell's value as the text a CSV export of it would hold: dates ISO (``2025-01-05``, a time only
    when there is one), whole floats without ``.0``, text stripped, empty as None."""
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        text = value.isoformat(sep=" ")
        return text[:-9] if text.endswith(" 00:00:00") else text
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value).strip()
    return text or None


# -- the OOXML parts: which zip part holds which sheet -------------------------------------------------

_REL_TYPES_SHEET = ("/worksheet", "/chartsheet", "/dialogsheet", "/macrosheet", "/xlMacrosheet")


def _ooxml_sheet_parts(archive: zipfile.ZipFile, kind: str, file_name: str) -> dict[str, str]:
    """{sheet name: zip part} of an xlsx, xlsm or xlsb, from the workbook part and its relationships."""
    try:
        workbook_part = _office_document_part(archive, file_name) or ("xl/workbook.bin" if kind == "xlsb" else "xl/workbook.xml")
        folder, _, base = workbook_part.rpartition("/")
        rels_name = f"{folder}/_rels/{base}.rels" if folder else f"_rels/{base}.rels"
        targets = _relationship_targets(archive, rels_name, folder, file_name)
        raw = _read_part(archive, workbook_part, file_name, _MAX_META_BYTES)
        sheets = _xlsb_bundle_sheets(raw) if workbook_part.endswith(".bin") else _xlsx_workbook_sheets(raw)
    except (KeyError, ET.ParseError, struct.error, UnicodeDecodeError, *_ZIP_ERRORS) as exc:
        raise _damaged(file_name, _detail(exc)) from None
    return {name: targets[rel_id] for name, rel_id in sheets if rel_id in targets}


def _office_document_part(archive: zipfile.ZipFile, file_name: str) -> str | None:
    """The workbook part the package relationships name (xl/workbook.xml as a rule); None without them."""
    if _zip_member(archive, "_rels/.rels") is None:
        return None
    targets = _relationship_targets(archive, "_rels/.rels", "", file_name, "/officeDocument")
    return next(iter(targets.values()), None)


def _relationship_targets(archive: zipfile.ZipFile, rels_name: str, folder: str, file_name: str,
                          wanted: str | None = None) -> dict[str, str]:
    """{relationship id: zip part} of a .rels part, targets resolved against ``folder``."""
    root = ET.fromstring(_read_part(archive, rels_name, file_name, _MAX_META_BYTES))
    targets = {}
    for rel in root:
        kind, target = rel.get("Type", ""), rel.get("Target", "")
        if wanted is not None and not kind.endswith(wanted):
            continue
        path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
        targets[rel.get("Id", "")] = path
    return targets


def _xlsx_workbook_sheets(raw: bytes) -> list[tuple[str, str]]:
    """(name, relationship id) of each ``<sheet>`` of workbook.xml."""
    found = []
    for element in ET.fromstring(raw).iter():
        if element.tag.rpartition("}")[2] == "sheet":
            rel_id = next((v for k, v in element.attrib.items() if k.rpartition("}")[2] == "id"), "")
            found.append((element.get("name", ""), rel_id))
    return found


def _xlsb_bundle_sheets(raw: bytes) -> list[tuple[str, str]]:
    """(name, relationship id) of each BrtBundleSh record of workbook.bin."""
    found = []
    for typ, start, _end in _xlsb_records(raw):
        if typ == 0x9C:
            rel_id, at = _xlsb_wide_string(raw, start + 8)
            name, _ = _xlsb_wide_string(raw, at)
            found.append((name, rel_id))
    return found


def _xlsb_wide_string(raw: bytes, at: int) -> tuple[str, int]:
    """An XLWideString at ``at`` (u32 character count, UTF-16) and the offset after it."""
    (count,) = struct.unpack_from("<I", raw, at)
    if count == 0xFFFFFFFF:
        return "", at + 4
    return raw[at + 4:at + 4 + 2 * count].decode("utf-16-le"), at + 4 + 2 * count


def _xlsb_records(raw: bytes) -> Iterator[tuple[int, int, int]]:
    """(record type, payload start, payload end) of each record of an xlsb binary part."""
    at, size_of_raw = 0, len(raw)
    while at < size_of_raw:
        typ = raw[at]
        at += 1
        if typ & 0x80:
            typ = (typ & 0x7F) | ((raw[at] & 0x7F) << 7)
            at += 1
        size, shift = 0, 0
        for _ in range(4):
            byte = raw[at]
            at += 1
            size |= (byte & 0x7F) << shift
            shift += 7
            if not byte & 0x80:
                break
        if at + size > size_of_raw:
            raise struct.error("record beyond the end of the part")
        yield typ, at, at + size
        at += size


# -- xlsx / xlsm: one streaming pass over the sheet XML ------------------------------------------------

_XML_CELL_OR_ROW = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(row|c)(?=[\s/>])([^>]*)>")
_XML_REF = re.compile(rb"""\sr\s*=\s*["']([A-Za-z]*)([0-9]*)["']""")
_XML_CELL_REF = re.compile(rb' r="([A-Z]{1,3})([0-9]{1,7})"')
_XML_FORMULA = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f(?=[\s/>])")
_SCAN_CHUNK = 4 * 1024 * 1024


def _xml_pieces(archive: zipfile.ZipFile, part: str) -> Iterator[bytes]:
    """A zip part's decompressed XML in pieces of about _SCAN_CHUNK bytes, each cut before a ``<`` so
    that no tag is split between two pieces."""
    tail = b""
    with archive.open(part) as stream:
        while True:
            chunk = stream.read(_SCAN_CHUNK)
            buffer = tail + chunk
            cut = max(buffer.rfind(b"<"), 0) if chunk else len(buffer)
            tail = buffer[cut:]
            yield buffer[:cut]
            if not chunk:
                return


def _scan_xlsx_sheet(archive: zipfile.ZipFile, part: str, file_name: str) -> _SheetScan:
    """The area of the cells that hold a value, streamed from the decompressed sheet XML so memory stays
    flat. When every ``<c>`` names its cell (``<c r="B7"``, as Excel, WPS and openpyxl write it), one
    regular expression finds the refs (the area of every cell, a bound of that of the cells holding a
    value; only an area above MAX_CELLS is measured again without the empty ``<c .../>``); otherwise the
    cells are followed in order as calamine places them. When the sheet holds an ``<f>``, a second pass
    looks for a formula without its computed value (:func:`_xlsx_formula_without_value`)."""
    scan, has_formula, in_order = _SheetScan(), False, False
    try:
        for piece in _xml_pieces(archive, part):
            has_formula = has_formula or _XML_FORMULA.search(piece) is not None
            refs = _XML_CELL_REF.findall(piece)
            if len(refs) != piece.count(b"<c ") + piece.count(b"<c>") + piece.count(b"<c/"):
                in_order = True
                break
            _add_refs(scan, refs)
        if in_order or scan.rows * scan.columns > MAX_CELLS:
            scan, has_formula = _scan_xlsx_cells_in_order(archive, part, file_name)
    except _ZIP_ERRORS as exc:
        raise _damaged(file_name, _detail(exc)) from None
    if has_formula:
        scan.formula = _xlsx_formula_without_value(archive, part, file_name)
    return scan


def _add_refs(scan: _SheetScan, refs: list[tuple[bytes, bytes]]) -> None:
    """Widen ``scan`` to the cells ``refs`` (column letters, row digits) name."""
    letters, digits = {ref[0] for ref in refs}, {ref[1] for ref in refs}
    if letters:
        columns, rows = [_column_index(c) for c in letters], [int(r) - 1 for r in digits]
        scan.add(min(rows), min(columns), max(columns))
        scan.add(max(rows), min(columns), max(columns))


def _scan_xlsx_cells_in_order(archive: zipfile.ZipFile, part: str, file_name: str) -> tuple[_SheetScan, bool]:
    """(the area, whether a formula occurs) of a sheet some of whose cells do not name themselves: each
    ``<row>`` and ``<c>`` is followed in order, a cell without ``r`` taking the next column and a row
    without ``r`` the next row, as calamine places them."""
    scan, row, column, has_formula = _SheetScan(), -1, -1, False
    for piece in _xml_pieces(archive, part):
        has_formula = has_formula or _XML_FORMULA.search(piece) is not None
        for match in _XML_CELL_OR_ROW.finditer(piece):
            name, attributes = match.groups()
            ref = _XML_REF.search(attributes)
            letters, digits = ref.groups() if ref else (b"", b"")
            if len(letters) > 3 or len(digits) > 7:
                raise _damaged(file_name, f"cell reference {(letters + digits).decode('ascii', 'replace')} out of range")
            if name == b"row":
                row, column = (int(digits) - 1 if digits else row + 1), -1
                continue
            column = _column_index(letters) if letters else column + 1
            row = int(digits) - 1 if digits else row
            if not attributes.endswith(b"/"):
                scan.add(row, column, column)
    return scan, has_formula


def _column_index(letters: bytes) -> int:
    """0-based column of ``A``, ``AB``, ... ."""
    index = 0
    for letter in letters.upper():
        index = index * 26 + letter - 64
    return index - 1


_XML_NAME = rb"(?:[A-Za-z_][\w.-]*:)?"
#: the end of a formula (``</f>`` or ``<f .../>``) directly followed, past an empty ``<v>``, by ``</c>``
_XML_FORMULA_WITHOUT_VALUE = re.compile(
    rb"(?:</" + _XML_NAME + rb"f\s*>|<" + _XML_NAME + rb"f(?=[\s/])[^>]*/>)\s*"
    rb"(?:<" + _XML_NAME + rb"v\s*/>|<" + _XML_NAME + rb"v\s*>\s*</" + _XML_NAME + rb"v\s*>)?\s*</" + _XML_NAME + rb"c\s*>")
_XML_CELL_START = re.compile(rb"<" + _XML_NAME + rb"c(?=[\s>])[^>]*>")
_XML_FILLED_VALUE = re.compile(rb"<" + _XML_NAME + rb"(?:v\s*>\s*[^<\s]|is[\s>])")
_XML_FORMULA_TEXT = re.compile(rb"<" + _XML_NAME + rb"f(?:\s[^>]*)?>(.*?)</" + _XML_NAME + rb"f\s*>", re.DOTALL)
_XML_STR_TYPE = re.compile(rb"""\st\s*=\s*["']str["']""")


def _xlsx_formula_without_value(archive: zipfile.ZipFile, part: str, file_name: str) -> tuple[str, str] | None:
    """(cell, formula) of the first ``<c>`` with an ``<f>`` but no computed value: a formula written by a
    program that does not compute (openpyxl, scripts), whose cell would read as empty. The schema puts
    ``<v>`` right after ``<f>``, so a formula end followed by ``</c>`` (an empty ``<v>`` between allowed
    only for a ``t="str"`` cell, a formula whose result is empty text) is the sign; each such cell is
    confirmed on its own text. Streamed; each piece is searched with the end of the one before."""
    overlap = b""
    try:
        for piece in _xml_pieces(archive, part):
            text = overlap + piece
            for match in _XML_FORMULA_WITHOUT_VALUE.finditer(text):
                starts = list(_XML_CELL_START.finditer(text, max(0, match.start() - 65536), match.start()))
                if not starts:
                    continue
                cell = text[starts[-1].start():match.end()]
                if _XML_FILLED_VALUE.search(cell) or _empty_str_result(starts[-1].group(0), cell):
                    continue
                ref = _XML_REF.search(starts[-1].group(0))
                formula = _XML_FORMULA_TEXT.search(cell)
                body = html.unescape(formula.group(1).decode("utf-8", "replace")) if formula and formula.group(1) else ""
                return (ref.group(1) + ref.group(2)).decode("ascii") if ref else "?", ("=" + body) if body else "(shared formula)"
            overlap = piece[-131072:]
    except _ZIP_ERRORS as exc:
        raise _damaged(file_name, _detail(exc)) from None
    return None


def _empty_str_result(start_tag: bytes, cell: bytes) -> bool:
    """Whether a formula cell holds an empty ``<v>`` and is of type ``str``: a formula whose computed
    result is the empty text, which is a value."""
    return _XML_STR_TYPE.search(start_tag) is not None and re.search(rb"<" + _XML_NAME + rb"v[\s/>]", cell) is not None


_XML_SST_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?sst(?=[\s/>])[^>]*>")
_XML_UNIQUE_COUNT = re.compile(rb"""\suniqueCount\s*=\s*["']([^"']*)["']""")


def _check_shared_strings(archive: zipfile.ZipFile, file_name: str) -> None:
    """Refuse a shared-string table that announces more strings than its part can hold: calamine reserves
    room for the count its ``<sst uniqueCount=...>`` announces when it opens the workbook."""
    for info in archive.infolist():
        if not info.filename.replace("\\", "/").lower().endswith("sharedstrings.xml"):
            continue
        try:
            with archive.open(info) as stream:
                head = stream.read(65536)
        except _ZIP_ERRORS as exc:
            raise _damaged(file_name, _detail(exc)) from None
        tag = _XML_SST_TAG.search(head)
        if tag is None:
            if len(head) == 65536:
                raise _damaged(file_name, "the shared-string table has no <sst> tag where it should begin")
            continue
        count = _XML_UNIQUE_COUNT.search(tag.group(0))
        digits = count.group(1).strip() if count else b""
        if digits.isdigit() and (len(digits) > 12 or int(digits) > info.file_size // 4 + 1):
            raise _damaged(file_name, f"the shared-string table announces {digits.decode('ascii')} strings")


# -- xlsb: the sheet's binary records ------------------------------------------------------------------

def _scan_xlsb_sheet(archive: zipfile.ZipFile, part: str, file_name: str) -> _SheetScan:
    """The area of the cells that hold a value and the merged ranges of an xlsb sheet, from its records
    (BrtRowHdr gives the row, BrtCell*/BrtFmla* the column, BrtMergeCell a merged range), read as
    calamine reads them: cells stop at BrtEndSheetData or at a row beyond Excel's last."""
    scan, row, in_data = _SheetScan(merged=[]), 0, True
    try:
        raw = _read_part(archive, part, file_name, MAX_UNCOMPRESSED_BYTES)
        for typ, start, end in _xlsb_records(raw):
            if typ == 0x0000 and in_data:
                (row,) = struct.unpack_from("<I", raw, start)
                in_data = row <= 0x100000
            elif 0x0002 <= typ <= 0x000B and in_data:
                (column,) = struct.unpack_from("<I", raw, start)
                scan.add(row, column, column)
            elif typ == 0x0092:
                in_data = False
            elif typ == 0x00B0 and end - start >= 16:
                first_row, last_row, first_column, last_column = struct.unpack_from("<IIII", raw, start)
                scan.merged.append((first_row, first_column, last_row, last_column))  # type: ignore[union-attr]
    except (struct.error, IndexError, *_ZIP_ERRORS) as exc:
        raise _damaged(file_name, _detail(exc)) from None
    return scan


# -- ods: content.xml, every table (calamine reads them all when it opens the file) --------------------

_TABLE_NS = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_OFFICE_NS = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
_ODS_TABLE, _ODS_ROW = _TABLE_NS + "table", _TABLE_NS + "table-row"
_ODS_CELLS = (_TABLE_NS + "table-cell", _TABLE_NS + "covered-table-cell")
_ODS_VALUE_TYPE, _ODS_FORMULA = _OFFICE_NS + "value-type", _TABLE_NS + "formula"
_ODS_ROWS_REPEATED, _ODS_COLUMNS_REPEATED = _TABLE_NS + "number-rows-repeated", _TABLE_NS + "number-columns-repeated"
_ODS_ROWS_SPANNED, _ODS_COLUMNS_SPANNED = _TABLE_NS + "number-rows-spanned", _TABLE_NS + "number-columns-spanned"
#: calamine's own cap on an ods row's width
_ODS_MAX_COLUMNS = 16_384


def _scan_ods(archive: zipfile.ZipFile, file_name: str) -> dict[str, _SheetScan]:
    """{table name: scan} of every table of an ods, repeated rows and columns counted as calamine expands
    them; refused when all tables together span more than MAX_CELLS cells (calamine allocates them all
    at opening). Merged ranges come from ``number-columns/rows-spanned``; a cell with a ``table:formula``
    but no ``office:value-type`` is a formula without a computed value. An encrypted file is refused."""
    scans: dict[str, _SheetScan] = {}
    scan, row, column, repeat, left, right, parents = _SheetScan(merged=[]), 0, 0, 1, -1, -1, []
    try:
        manifest = _zip_member(archive, "META-INF/manifest.xml")
        if manifest and b"encryption-data" in _read_part(archive, manifest, file_name, _MAX_META_BYTES):
            raise _password_protected(file_name)
        with archive.open(_zip_member(archive, "content.xml") or "content.xml") as stream:
            for event, element in ET.iterparse(stream, events=("start", "end")):
                tag = element.tag
                if event == "start":
                    parents.append(element)
                    if tag == _ODS_ROW:
                        column, repeat, left, right = 0, _ods_count(element.attrib, _ODS_ROWS_REPEATED), -1, -1
                    continue
                parents.pop()
                if tag in _ODS_CELLS:
                    first, column, valued = column, *_scan_ods_cell(scan, element, row, column)
                    if valued and first < _ODS_MAX_COLUMNS:
                        left, right = (first if left < 0 else left), min(column, _ODS_MAX_COLUMNS) - 1
                elif tag == _ODS_ROW:
                    if left >= 0:
                        scan.add(row, left, right)
                        scan.add(row + repeat - 1, left, right)
                    row += repeat
                elif tag == _ODS_TABLE:
                    scans[element.get(_TABLE_NS + "name", "")] = scan
                    if sum(s.rows * s.columns for s in scans.values()) > MAX_CELLS:
                        raise _too_many_cells(file_name, element.get(_TABLE_NS + "name", ""), scan.rows, scan.columns)
                    scan, row = _SheetScan(merged=[]), 0
                else:
                    continue
                if parents:
                    _drop_done(parents[-1], element)
    except ET.ParseError as exc:
        raise _malformed(file_name, _detail(exc)) from None
    except (KeyError, ValueError, *_ZIP_ERRORS) as exc:
        raise _damaged(file_name, _detail(exc)) from None
    return scans


def _drop_done(parent: ET.Element, element: ET.Element) -> None:
    """Remove ``element`` and its earlier siblings, all parsed and seen, from ``parent``, so that an
    iterparse pass holds only the elements the parser has read ahead, however long the part."""
    for index, child in enumerate(parent):
        if child is element:
            del parent[:index + 1]
            return


def _ods_count(attributes: dict[str, str], name: str) -> int:
    """A repeat or span count of an ods element (1 when absent); more than 9 digits is an error."""
    text = attributes.get(name)
    if text is None:
        return 1
    if len(text) > 9:
        raise ValueError(f"{name.rpartition('}')[2]}={text[:20]}")
    return max(int(text), 1)


def _scan_ods_cell(scan: _SheetScan, element: ET.Element, row: int, column: int) -> tuple[int, bool]:
    """(the column after it, whether it holds a value) of one, maybe repeated, ods cell at ``row`` and
    ``column``; a merged range or a formula without value it starts is noted in ``scan``."""
    attributes = element.attrib
    has_value = _ODS_VALUE_TYPE in attributes
    formula = attributes.get(_ODS_FORMULA)
    if formula and not has_value and scan.formula is None:
        scan.formula = (_cell_name(row, column), formula)
    if (_ODS_ROWS_SPANNED in attributes or _ODS_COLUMNS_SPANNED in attributes) and scan.merged is not None:
        rows, columns = _ods_count(attributes, _ODS_ROWS_SPANNED), _ods_count(attributes, _ODS_COLUMNS_SPANNED)
        if (rows, columns) != (1, 1):
            scan.merged.append((row, column, row + rows - 1, column + columns - 1))
    valued = has_value or formula is not None or len(element) > 0
    after = column + _ods_count(attributes, _ODS_COLUMNS_REPEATED)
    element.clear()
    return after, valued


def _cell_name(row: int, column: int) -> str:
    """``A1``-style name of a 0-based cell."""
    letters, index = "", column + 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return f"{letters}{row + 1}"


# -- xls: the OLE2 compound file and its BIFF records --------------------------------------------------

_OLE_END = 0xFFFFFFFA  # sector ids from here on are markers (end of chain, free, FAT, DIFAT)
#: BIFF records calamine turns into cells: Number, Label, RString, BoolErr, String, Rk, LabelSst, MulRk, Formula
_BIFF_CELLS = frozenset((0x0203, 0x0204, 0x00D6, 0x0205, 0x027E, 0x00FD, 0x00BD, 0x0006))


def _check_xls(data: bytes, file_name: str) -> None:
    """Refuse an .xls any of whose sheets calamine would allocate more than MAX_CELLS cells for (at
    opening, for every sheet): the area between its outermost cell records, and the area its DIMENSIONS
    record asks calamine to reserve. A workbook protected by a password is refused as such."""
    stream = _ole_workbook_stream(data, file_name)
    try:
        positions = []
        for typ, start, _end in _biff_records(stream, 0):
            if typ == 0x002F:  # FilePass: the records are encrypted
                raise _password_protected(file_name)
            if typ == 0x0085:
                positions.append(struct.unpack_from("<I", stream, start)[0])
            elif typ == 0x000A:
                break
        total = 0
        for number, position in enumerate(positions, start=1):
            rows, columns = _xls_sheet_area(stream, position)
            total += rows * columns
            if total > MAX_CELLS:
                raise _too_many_cells(file_name, f"#{number}", rows, columns)
    except (struct.error, IndexError) as exc:
        raise _damaged(file_name, _detail(exc)) from None


def _biff_records(stream: bytes, at: int) -> Iterator[tuple[int, int, int]]:
    """(record type, data start, data end) of each BIFF record from offset ``at``."""
    while at + 4 <= len(stream):
        typ, size = struct.unpack_from("<HH", stream, at)
        if at + 4 + size > len(stream):
            raise struct.error("record beyond the end of the stream")
        yield typ, at + 4, at + 4 + size
        at += 4 + size


def _xls_sheet_area(stream: bytes, position: int) -> tuple[int, int]:
    """(rows, columns) calamine would allocate for the sheet whose substream starts at ``position``: the
    larger of the area its cells span and the area its DIMENSIONS records reserve (computed with
    calamine's 32-bit arithmetic). Embedded substreams (charts) are skipped, as calamine skips them.
    One tight loop: an .xls holds a record per cell."""
    if position >= len(stream):
        raise struct.error("sheet position beyond the end of the stream")
    unpack, length, cells = struct.unpack_from, len(stream), _BIFF_CELLS
    top = left = 1 << 32
    bottom = right = -1
    depth, seen_bof, reserved, at = 0, False, (0, 0), position
    padded = stream + bytes(4)  # a record of fewer than 4 data bytes can still be unpacked as 8
    while at + 4 <= length:
        typ, size, row, first = unpack("<HHHH", padded, at)
        start, at = at + 4, at + 4 + size
        if at > length:
            raise struct.error("record beyond the end of the stream")
        if typ in cells:
            if depth or size < 6:
                continue
            last = max(first, unpack("<H", stream, at - 2)[0]) if typ == 0x00BD else first
            if row < top:
                top = row
            if row > bottom:
                bottom = row
            if first < left:
                left = first
            if last > right:
                right = last
        elif typ == 0x0809:
            depth += seen_bof
            seen_bof = True
        elif typ == 0x000A:
            if not depth:
                break
            depth -= 1
        elif typ == 0x0200 and not depth and size in (10, 14):
            reserved = max(reserved, _biff_dimensions(stream[start:at]), key=lambda area: area[0] * area[1])
    spanned = (bottom - top + 1, right - left + 1) if bottom >= 0 else (0, 0)
    return max(spanned, reserved, key=lambda area: area[0] * area[1])


def _biff_dimensions(record: bytes) -> tuple[int, int]:
    """(rows, columns) a DIMENSIONS record makes calamine reserve."""
    first_row, last_row, first_column, last_column = (
        struct.unpack("<HHHH", record[:8]) if len(record) == 10 else struct.unpack("<IIHH", record[:12]))
    if first_column > 0xFF or last_column < first_column:
        first_column = 0
    if last_row < 1 or last_column < 1:
        return 1, 1
    return ((last_row - 1 - first_row) & 0xFFFFFFFF) + 1, ((last_column - 1 - first_column) & 0xFFFFFFFF) + 1


def _ole_workbook_stream(data: bytes, file_name: str) -> bytes:
    """The Workbook (BIFF8) or Book (BIFF5) stream of an OLE2 compound file. A file too short, or whose
    header, sector chains or directory do not hold together, is refused, as is an encrypted OOXML package
    (a password-protected .xlsx is an OLE2 file too)."""
    try:
        sectors, fat, header = _ole_sectors(data)
        entries = _ole_directory(b"".join(sectors[i] for i in _ole_chain(fat, header["directory"], len(sectors))))
        if "encryptedpackage" in entries:
            raise _password_protected(file_name)
        stream = entries.get("workbook") or entries.get("book")
        if stream is None:
            raise reject(file_name, "这个文件不是 Excel 工作簿(找不到工作簿数据)。",
                         "This file is not an Excel workbook (it holds no workbook stream).",
                         "请上传 CSV、XLSX、XLS、XLSB 或 ODS 文件。", "Upload a CSV, XLSX, XLS, XLSB or ODS file.")
        start, size = stream
        if size < header["cutoff"]:  # small streams live in the mini stream, in 64-byte sectors
            container = b"".join(sectors[i] for i in _ole_chain(fat, entries[""][0], len(sectors)))
            mini_fat = [entry for i in _ole_chain(fat, header["mini_fat"], len(sectors)) for entry in _u32s(sectors[i])]
            body = b"".join(container[i * 64:(i + 1) * 64] for i in _ole_chain(mini_fat, start, len(container) // 64))
        else:
            body = b"".join(sectors[i] for i in _ole_chain(fat, start, len(sectors)))
    except (struct.error, IndexError, KeyError):
        raise _password_protected(file_name) from None
    if len(body) < size:
        raise _password_protected(file_name)
    return body[:size]


def _u32s(raw: bytes) -> tuple[int, ...]:
    """A sector read as little-endian 32-bit ids."""
    return struct.unpack(f"<{len(raw) // 4}I", raw[:len(raw) // 4 * 4])


def _ole_sectors(data: bytes) -> tuple[list[bytes], list[int], dict[str, int]]:
    """(the sectors, the allocation table, header fields) of an OLE2 file; counts the header states
    beyond what the file holds are an error (calamine reserves room for them)."""
    if len(data) < 512 or not data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        raise struct.error("too short for an OLE2 file")
    shift, mini_shift = struct.unpack_from("<HH", data, 30)
    if shift not in (9, 12) or mini_shift != 6:
        raise struct.error("unexpected sector sizes")
    size = 1 << shift
    sectors = [data[at:at + size] for at in range(size, len(data), size)]
    fat_sectors, directory = struct.unpack_from("<II", data, 44)
    cutoff, mini_fat, mini_fat_sectors, difat_at, difat_sectors = struct.unpack_from("<IIIII", data, 56)
    if max(fat_sectors, mini_fat_sectors, difat_sectors) > len(sectors):
        raise struct.error("header counts beyond the file")
    difat = [i for i in struct.unpack_from("<109I", data, 76) if i < _OLE_END]
    for _ in range(difat_sectors):  # further DIFAT sectors: their last entry names the next one
        if difat_at >= _OLE_END:
            break
        entries = _u32s(sectors[difat_at])
        difat += [i for i in entries[:-1] if i < _OLE_END]
        difat_at = entries[-1]
    fat = [entry for index in difat for entry in _u32s(sectors[index])]
    return sectors, fat, {"directory": directory, "cutoff": cutoff, "mini_fat": mini_fat}


def _ole_directory(directory: bytes) -> dict[str, tuple[int, int]]:
    """{casefolded name: (first sector, size)} of the directory entries; the root entry under ``""``."""
    entries: dict[str, tuple[int, int]] = {}
    for at in range(0, len(directory) - 127, 128):
        length = min(struct.unpack_from("<H", directory, at + 64)[0], 64)
        name = directory[at:at + max(length - 2, 0)].decode("utf-16-le", "replace").casefold()
        start, size = struct.unpack_from("<II", directory, at + 116)
        entries.setdefault("" if at == 0 else name, (start, size))
    return entries


def _ole_chain(fat: list[int] | tuple[int, ...], first: int, count: int) -> list[int]:
    """The sector ids of the chain from ``first`` through ``fat``; a loop or an id beyond the ``count``
    sectors of the file is an error."""
    chain: list[int] = []
    index = first
    while index < _OLE_END:
        if index >= count or index >= len(fat) or len(chain) >= count:
            raise struct.error(f"sector {index} beyond the file")
        chain.append(index)
        index = fat[index]
    return chain


def read_path(path: str | Path) -> bytes:
    return Path(path).read_bytes()
