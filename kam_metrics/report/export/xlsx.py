"""The review report as an Excel workbook (openpyxl): a sheet of key figures, one formatted sheet per
table and per chart's data, and a sheet of the sections' text. Every sheet shows its title (the finding)
and the period and data date above a styled header row; panes are frozen under the header; numbers
stay numbers with number formats; text that Excel would run as a formula is neutralised
(kam_metrics.access.export_safety)."""

from __future__ import annotations

import io
import re
from datetime import date
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from kam_metrics.access.export_safety import neutralise
from kam_metrics.i18n import t
from kam_metrics.report.model import Column, Report, Table

HEADER_ROW = 3  # row 1: title, row 2: period and data date, row 3: header, data from row 4
FONT_NAME = "Microsoft YaHei"
HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
HEADER_FONT = Font(name=FONT_NAME, bold=True, color="FFFFFF")
TITLE_FONT = Font(name=FONT_NAME, bold=True, size=13, color="1F4E79")
NOTE_FONT = Font(name=FONT_NAME, size=9, color="5D6D7E")

NUMBER_FORMATS = {
    "money": '"¥"#,##0.00',
    "percent": "0.0%",
    "count": "#,##0",
    "index": "0.0",
    "number": "#,##0.0",
    "points": "+0.0;-0.0;0.0",
    "days": "#,##0",
    "hours": "0.0",
    "date": "yyyy-mm-dd",
}
_INVALID_SHEET = re.compile(r"[\[\]:*?/\\]")


def _display_width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _sheet_name(title: str, used: set[str]) -> str:
    base = _INVALID_SHEET.sub(" ", title).strip()[:28] or "Sheet"
    name, n = base, 2
    while name.lower() in used:
        name = f"{base[:26]} {n}"
        n += 1
    used.add(name.lower())
    return name


def _cell_value(value: Any, kind: str) -> Any:
    if value is None:
        return None
    if isinstance(value, float) and value != value:
        return None
    if kind == "date" or isinstance(value, date):
        return value
    if kind != "text" and isinstance(value, (int, float)):
        return value
    return neutralise(str(value))


def _write_sheet(wb: Workbook, used: set[str], title: str, sheet_title: str, footer: str,
                 columns: list[Column], rows: list[dict[str, Any]]) -> None:
    ws = wb.create_sheet(_sheet_name(sheet_title, used))
    ws.cell(row=1, column=1, value=neutralise(title)).font = TITLE_FONT
    ws.cell(row=2, column=1, value=neutralise(footer)).font = NOTE_FONT
    widths = [_display_width(c.label) + 2 for c in columns]
    for j, column in enumerate(columns, start=1):
        cell = ws.cell(row=HEADER_ROW, column=j, value=neutralise(column.label))
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        cell.alignment = Alignment(horizontal="left" if column.kind in ("text", "date") else "right", vertical="center")
    for i, row in enumerate(rows, start=HEADER_ROW + 1):
        for j, column in enumerate(columns, start=1):
            value = _cell_value(row.get(column.key), column.kind)
            cell = ws.cell(row=i, column=j, value=value)
            if column.kind in NUMBER_FORMATS and value is not None and not isinstance(value, str):
                cell.number_format = NUMBER_FORMATS[column.kind]
            shown = "" if value is None else str(value)
            widths[j - 1] = max(widths[j - 1], min(_display_width(shown) + 2, 60))
    for j, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(j)].width = max(width, 8)
    ws.freeze_panes = ws.cell(row=HEADER_ROW + 1, column=1)
    if rows:
        ws.auto_filter.ref = f"A{HEADER_ROW}:{get_column_letter(len(columns))}{HEADER_ROW + len(rows)}"


def figures_table(report: Report) -> Table:
    """Every section's KPI figures as one table (raw values; the kind says how each is formatted)."""
    lang = report.lang
    rows = []
    for section in report.sections:
        for figure in section.figures:
            rows.append({"section": section.heading, "figure": figure.label, "key": figure.key, "kind": figure.kind,
                         "value": figure.value, "comparison": figure.comparison})
    return Table("figures", t("report.summary_sheet", lang), [
        Column("section", t("report.col.section", lang)), Column("figure", t("report.col.figure", lang)),
        Column("key", "key"), Column("value", t("report.col.value", lang), "number"),
        Column("comparison", t("report.col.comparison", lang), "number"),
    ], rows)


def chart_table(chart, lang: str) -> Table:
    """A chart's data: one row per category, one column per series."""
    columns = [Column("category", t("report.col.category", lang))]
    columns += [Column(f"s{j}", series.name, chart.value_kind) for j, series in enumerate(chart.series)]
    rows = [{"category": category, **{f"s{j}": series.values[i] for j, series in enumerate(chart.series)}}
            for i, category in enumerate(chart.categories)]
    return Table(chart.key, chart.title, columns, rows)


def render_xlsx(report: Report) -> bytes:
    """The workbook as bytes."""
    lang = report.lang
    wb = Workbook()
    wb.remove(wb.active)
    used: set[str] = set()
    footer = report.footer + ((" · " + t("report.masked_badge", lang)) if report.masked else "")
    figures = figures_table(report)
    _write_sheet(wb, used, report.title, figures.title, footer, figures.columns, figures.rows)
    # figures of mixed kinds: format each value cell by its own kind
    ws = wb.worksheets[0]
    for i, row in enumerate(figures.rows, start=HEADER_ROW + 1):
        for j in (4, 5):
            cell = ws.cell(row=i, column=j)
            if cell.value is not None and row["kind"] in NUMBER_FORMATS:
                cell.number_format = NUMBER_FORMATS[row["kind"]]
    for section in report.sections:
        if section.chart is not None:
            data = chart_table(section.chart, lang)
            prefix = "图表 " if lang == "zh" else "Chart "
            _write_sheet(wb, used, section.chart.title, prefix + section.chart.key, footer, data.columns, data.rows)
        for table in section.tables:
            _write_sheet(wb, used, table.title, table.title, footer, table.columns, table.rows)
    text_rows = []
    for section in report.sections:
        text_rows.append({"section": section.heading, "title": section.title,
                          "text": section.text if section.editable else "\n".join(section.bullets),
                          "hints": "\n".join(section.hints), "notes": "\n".join(section.notes)})
    text_columns = [Column("section", t("report.col.section", lang)), Column("title", t("report.col.figure", lang)),
                    Column("text", t("report.edit_label", lang)), Column("hints", t("report.hints", lang)),
                    Column("notes", t("report.talking_points", lang))]
    _write_sheet(wb, used, report.title, t("report.sheet.text", lang), footer, text_columns, text_rows)
    ws = wb.worksheets[-1]
    for row in ws.iter_rows(min_row=HEADER_ROW + 1):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for letter in "CDE":
        ws.column_dimensions[letter].width = 60
    wb.properties.title = report.title
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()

