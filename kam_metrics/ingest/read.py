"""Reading an uploaded file into a DuckDB staging table of text: CSV, TSV and XLSX.

Detects the kind of file from its bytes (never from its name alone), the encoding (UTF-8 with or without
BOM, then GB18030, UTF-16, then detection; docs/data-model.md), the delimiter, the header row (title lines
above it are skipped) and totals rows (合计, 总计, Total: left out with a notice). UTF-8 text is read by
DuckDB's own CSV reader; other encodings are decoded in Python and handed to DuckDB as UTF-8; XLSX is
read with openpyxl (cached values of formulas, merged cells filled).

Every problem raises :class:`ImportRejected` with messages that say what is wrong, where and how to fix
it, in both languages.
"""

from __future__ import annotations

import csv
import io
import os
import re
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from kam_metrics.ingest.spec import normalise_header

#: how many leading rows are searched for the header row
HEADER_SEARCH_ROWS = 30
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


def reject(file_name: str, problem_zh: str, problem_en: str, fix_zh: str = "", fix_en: str = "", *,
           row: int | None = None, column: str | None = None, value: str | None = None) -> ImportRejected:
    return ImportRejected(file_name, [Problem(row, column, value, problem_zh, problem_en, fix_zh, fix_en)])


@dataclass
class RawTable:
    """A file read into the staging connection as table ``raw``: text columns c0, c1, ... (the file's
    headers are kept here, never used as SQL identifiers), plus ``_row``, the row's line number in the file as a spreadsheet shows it (header row = its own)."""

    headers: list[str]
    rows: int
    kind: str  # csv, tsv, xlsx
    encoding: str | None
    delimiter: str | None
    header_row: int
    sheet: str | None = None
    sheets: list[str] = field(default_factory=list)
    notices: list[tuple[str, str]] = field(default_factory=list)  # (zh, en)


def sniff_kind(data: bytes, file_name: str) -> str:
    """'xlsx', 'text', or raise for binaries, images, protected workbooks and empty files."""
    if not data.strip():
        raise reject(file_name, "文件是空的。", "The file is empty.", "请重新导出包含表头和数据的文件。",
                     "Export the data again, with a header row and data rows.")
    if data.startswith(b"PK\x03\x04"):
        return "xlsx"
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise reject(file_name, "这是受密码保护的工作簿或旧版 .xls 文件,无法读取。",
                     "This is a password-protected workbook or an old .xls file, which cannot be read.",
                     "请在 Excel 中取消密码保护,另存为 .xlsx 或 CSV 后再上传。",
                     "Remove the password in Excel and save it as .xlsx or CSV, then upload again.")
    for magic, what in _MAGIC.items():
        if data.startswith(magic):
            raise reject(file_name, f"这不是表格文件,而是{what}。", f"This is not a table but a {what}.",
                         "请上传 CSV、TSV 或 XLSX 文件。", "Upload a CSV, TSV or XLSX file.")
    head = data[:8192]
    utf16 = head.startswith((b"\xff\xfe", b"\xfe\xff"))
    if not utf16 and b"\x00" in head:
        raise reject(file_name, "这是二进制文件,不是文本表格。", "This is a binary file, not a text table.",
                     "请上传 CSV、TSV 或 XLSX 文件。", "Upload a CSV, TSV or XLSX file.")
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


def find_header_row(rows: list[list[str]], known: set[str]) -> int:
    """Index of the header row: the first row where most filled cells are known column names, else the
    first row that is filled like the rows below it and mostly not numbers."""
    best, best_score = None, 0.0
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        cells = [c for c in row if str(c or "").strip()]
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


def unique_headers(cells: list[str]) -> list[str]:
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


def _read_xlsx(data: bytes, file_name: str, sheet: str | None) -> tuple[list[list], str, list[str]]:
    import openpyxl

    try:
        values_book = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
        formula_book = openpyxl.load_workbook(io.BytesIO(data), data_only=False)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise reject(file_name, f"XLSX 文件已损坏,无法打开({type(exc).__name__})。",
                     f"The XLSX file is damaged and cannot be opened ({type(exc).__name__}).",
                     "请在 Excel 中打开并重新保存,或另存为 CSV。", "Open and save it again in Excel, or save it as CSV.") from None
    sheets = values_book.sheetnames
    if sheet is None:
        sheet = sheets[0]
    if sheet not in sheets:
        raise reject(file_name, f"工作表「{sheet}」不存在;可选:{'、'.join(sheets)}。",
                     f"There is no sheet {sheet!r}; the sheets are: {', '.join(sheets)}.",
                     "请选择一个存在的工作表。", "Choose one of the existing sheets.")
    ws, wf = values_book[sheet], formula_book[sheet]
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    formulas = [list(r) for r in wf.iter_rows(values_only=True)]
    for merged in ws.merged_cells.ranges:
        top = ws.cell(merged.min_row, merged.min_col).value
        for r in range(merged.min_row, merged.max_row + 1):
            for c in range(merged.min_col, merged.max_col + 1):
                if r - 1 < len(rows) and c - 1 < len(rows[r - 1]):
                    rows[r - 1][c - 1] = top
    for r, (vals, forms) in enumerate(zip(rows, formulas), start=1):
        for c, (v, f) in enumerate(zip(vals, forms), start=1):
            if isinstance(f, str) and f.startswith("=") and v is None:
                raise reject(file_name, f"单元格含公式 {f} 但没有计算结果。",
                             f"A cell holds the formula {f} without a computed value.",
                             "请在 Excel 中打开并保存(或复制后“选择性粘贴 → 数值”)再上传。",
                             "Open and save the file in Excel (or copy and paste as values), then upload again.",
                             row=r, column=openpyxl.utils.get_column_letter(c), value=f)
    return rows, sheet, sheets


def _cell_text(value) -> str | None:
    if value is None:
        return None
    if hasattr(value, "isoformat"):
        text = value.isoformat(sep=" ") if hasattr(value, "hour") else value.isoformat()
        return text[:-9] if text.endswith(" 00:00:00") else text
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value).strip()
    return text or None


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
    kind = sniff_kind(data[:65536] if path else data, file_name)
    notices: list[tuple[str, str]] = []
    if kind == "xlsx":
        return _read_xlsx_into_staging(con, data, file_name, known_headers, sheet, notices)

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


def _read_xlsx_into_staging(con, data: bytes, file_name: str, known_headers: set[str], sheet: str | None,
                            notices: list[tuple[str, str]]) -> RawTable:
    """Read a workbook's sheet (its non-empty rows, as text) into table ``raw`` under its header row."""
    rows, sheet, sheets = _read_xlsx(data, file_name, sheet)
    rows = [[_cell_text(v) for v in row] for row in rows]
    rows = [row for row in rows if any(v is not None for v in row)]
    if not rows:
        raise reject(file_name, "工作表是空的。", "The sheet is empty.", "请选择有数据的工作表。", "Choose a sheet with data.")
    header_index = find_header_row(rows, known_headers)
    return _stage_rows(con, rows, header_index, file_name, "xlsx", None, None, sheet, sheets, notices)


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


def _stage_rows(con, rows, header_index, file_name, kind, encoding, delimiter, sheet, sheets, notices) -> RawTable:
    import pandas as pd

    headers = unique_headers(rows[header_index])
    _require_named_headers(headers, file_name)
    width = len(headers)
    body = rows[header_index + 1:]
    frame = pd.DataFrame(
        [list(r[:width]) + [None] * (width - len(r)) for r in body],
        columns=[f"c{i}" for i in range(width)],
        dtype="object",
    ).astype("string")
    frame["_row"] = range(header_index + 2, header_index + 2 + len(body))
    con.register("raw_frame", frame)
    con.execute("create or replace table raw as select * from raw_frame")
    con.unregister("raw_frame")
    _note_title_lines(notices, header_index)
    raw = RawTable(headers, len(body), kind, encoding, delimiter, header_index + 1, sheet, sheets, notices)
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


def read_path(path: str | Path) -> bytes:
    return Path(path).read_bytes()
