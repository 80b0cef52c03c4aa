"""The review report as a PowerPoint deck (python-pptx): one finding per slide, native editable charts
(not pictures), native tables, speaker notes with talking points, the period and data date on every
slide, and an East-Asian font on every run so Chinese renders in PowerPoint, WPS and LibreOffice.

Everything shown comes from a :class:`kam_metrics.report.model.Report`; this module only lays it out."""

from __future__ import annotations

import contextlib
import io
from typing import Any

import xlsxwriter
from lxml import etree
from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.chart.xlsx import CategoryWorkbookWriter
from pptx.dml.color import RGBColor
from pptx.enum.chart import (
    XL_AXIS_CROSSES,
    XL_CHART_TYPE,
    XL_LABEL_POSITION,
    XL_LEGEND_POSITION,
    XL_MARKER_STYLE,
    XL_TICK_LABEL_POSITION,
)
from pptx.enum.dml import MSO_LINE_DASH_STYLE
from pptx.enum.text import MSO_ANCHOR, MSO_AUTO_SIZE, PP_ALIGN
from pptx.oxml.ns import qn
from pptx.util import Emu, Inches, Pt

from kam_metrics.access.export_safety import TRIGGERS
from kam_metrics.i18n import t
from kam_metrics.report.model import TABLE_ROWS, Chart, Report, Section, Table, format_value

#: Latin and East-Asian typefaces; PowerPoint on Chinese Windows has 微软雅黑, LibreOffice substitutes a
#: CJK font it has (Noto Sans CJK SC on Linux)
LATIN_FONT = "Arial"
EA_FONT = "Microsoft YaHei"
PRIMARY = RGBColor(0x1F, 0x4E, 0x79)
COMPARISON = RGBColor(0xA6, 0xB4, 0xC2)
ACCENT = RGBColor(0xE0, 0x7B, 0x39)
TEXT = RGBColor(0x1B, 0x26, 0x31)
GREY = RGBColor(0x5D, 0x6D, 0x7E)
LIGHT = RGBColor(0xEE, 0xF2, 0xF6)
WHITE = RGBColor(0xFF, 0xFF, 0xFF)
SERIES_COLOURS = [PRIMARY, COMPARISON, ACCENT, RGBColor(0x4C, 0x9A, 0x8A)]

SLIDE_W, SLIDE_H = Inches(13.333), Inches(7.5)
MARGIN = Inches(0.5)
CONTENT_W = SLIDE_W - 2 * MARGIN


def _font(run_or_font, size: float | None = None, *, bold: bool | None = None, colour: RGBColor | None = None) -> None:
    """Size, weight, colour and both typefaces (latin and East-Asian ``a:ea``) of a run or font."""
    font = getattr(run_or_font, "font", run_or_font)
    if size is not None:
        font.size = Pt(size)
    if bold is not None:
        font.bold = bold
    if colour is not None:
        font.color.rgb = colour
    font.name = LATIN_FONT
    rpr = font._element  # a:rPr of a run, a:defRPr of a chart or table style
    for tag in ("a:ea", "a:cs"):
        existing = rpr.find(qn(tag))
        if existing is None:
            existing = etree.SubElement(rpr, qn(tag))
        existing.set("typeface", EA_FONT if tag == "a:ea" else LATIN_FONT)
    # schema order: latin, ea, cs must follow fills; move them to the end in that order
    for tag in ("a:latin", "a:ea", "a:cs"):
        node = rpr.find(qn(tag))
        if node is not None:
            rpr.remove(node)
            rpr.append(node)


def _text_box(slide, x, y, w, h, paragraphs: list[tuple[str, dict[str, Any]]], *, anchor=MSO_ANCHOR.TOP,
              fill: RGBColor | None = None, margin: float = 0.05, shrink: bool = False):
    box = slide.shapes.add_textbox(x, y, w, h)
    frame = box.text_frame
    frame.word_wrap = True
    frame.auto_size = MSO_AUTO_SIZE.TEXT_TO_FIT_SHAPE if shrink else MSO_AUTO_SIZE.NONE
    frame.vertical_anchor = anchor
    for side in ("margin_left", "margin_right", "margin_top", "margin_bottom"):
        setattr(frame, side, Inches(margin))
    if fill is not None:
        box.fill.solid()
        box.fill.fore_color.rgb = fill
    for index, (text, style) in enumerate(paragraphs):
        paragraph = frame.paragraphs[0] if index == 0 else frame.add_paragraph()
        paragraph.alignment = style.get("align", PP_ALIGN.LEFT)
        if style.get("space_after"):
            paragraph.space_after = Pt(style["space_after"])
        run = paragraph.add_run()
        run.text = text
        _font(run, style.get("size", 14), bold=style.get("bold", False), colour=style.get("colour", TEXT))
    return box


def number_format(kind: str, lang: str, largest: float | None = None) -> str:
    """An Excel number format for chart values of ``kind``; money is shown in 万/亿 (zh) or K/M (en)
    while the stored values stay in yuan."""
    if kind == "percent":
        return "0.0%"
    if kind == "count":
        return "#,##0"
    if kind in ("index", "number", "hours"):
        return "0.0"
    if kind == "days":
        return "#,##0"
    if kind == "money":
        magnitude = abs(largest or 0.0)
        if lang == "zh":
            # 万 and 亿 are not powers of 1000: divide by 1000 (or a million) with "," and place a literal
            # decimal point one (two) digits from the end; PowerPoint, WPS and LibreOffice all read it
            if magnitude >= 1e8:
                return '0\\.00,,"亿"'
            if magnitude >= 1e4:
                return '0\\.0,"万"'
            return "#,##0"
        if magnitude >= 1e6:
            return '#,##0.0,,"M"'
        if magnitude >= 1e3:
            return '#,##0,"K"'
        return "#,##0"
    return "General"


_CHART_TYPES = {
    "column": XL_CHART_TYPE.COLUMN_CLUSTERED,
    "bar": XL_CHART_TYPE.BAR_CLUSTERED,
    "line": XL_CHART_TYPE.LINE_MARKERS,
}


def _style_value_axis(graphic, chart: Chart, values: list[float], fmt: str) -> None:
    """Grid lines, number format and font of the value axis; column and bar axes start at zero."""
    value_axis = graphic.value_axis
    value_axis.has_major_gridlines = True
    value_axis.major_gridlines.format.line.color.rgb = RGBColor(0xE5, 0xE9, 0xEE)
    if chart.kind in ("column", "bar") and min(values, default=0.0) >= 0:
        value_axis.minimum_scale = 0  # bars start at zero
    value_axis.tick_labels.number_format = fmt
    value_axis.tick_labels.number_format_is_linked = False
    _font(value_axis.tick_labels.font, 11, colour=GREY)


def _style_category_axis(graphic, chart: Chart) -> None:
    """Font, line and label position of the category axis; a bar chart reads from the top."""
    category_axis = graphic.category_axis
    _font(category_axis.tick_labels.font, 11, colour=TEXT)
    category_axis.format.line.color.rgb = RGBColor(0xBF, 0xC9, 0xD1)
    if chart.kind == "bar":
        category_axis.reverse_order = True  # the first category at the top, as read
        category_axis.crosses = XL_AXIS_CROSSES.MAXIMUM  # ... and the value axis stays at the bottom
    category_axis.tick_label_position = XL_TICK_LABEL_POSITION.LOW  # names clear of negative bars
    if chart.kind == "column" and len(chart.categories) > 6:
        category_axis.tick_labels.font.size = Pt(10)


def _style_line_series(series, chart: Chart, index: int, colour: RGBColor) -> None:
    """A line series' colour, width and markers; a forecast's interval bounds are thin dashed lines."""
    interval = chart.key == "forecast" and index >= 2  # the interval's bounds: thin dashed lines
    colour = ACCENT if chart.key == "forecast" and index >= 1 else colour
    series.format.line.color.rgb = colour
    series.format.line.width = Pt(1.0 if interval else 2.25)
    if interval:
        series.format.line.dash_style = MSO_LINE_DASH_STYLE.DASH
    series.smooth = False
    if interval:
        series.marker.style = XL_MARKER_STYLE.NONE
    else:
        series.marker.format.fill.solid()
        series.marker.format.fill.fore_color.rgb = colour
        series.marker.format.line.color.rgb = colour


def _style_plot(plot, chart: Chart, fmt: str) -> None:
    """Bar spacing, series colours and, for one series of at most 12 columns or bars, data labels."""
    if chart.kind in ("column", "bar"):
        plot.gap_width = 60
        plot.overlap = -10 if len(chart.series) > 1 else 0
    for index, series in enumerate(plot.series):
        colour = SERIES_COLOURS[index % len(SERIES_COLOURS)]
        if chart.kind == "line":
            _style_line_series(series, chart, index, colour)
        else:
            series.format.fill.solid()
            series.format.fill.fore_color.rgb = colour
    if len(chart.series) == 1 and chart.kind in ("column", "bar") and len(chart.categories) <= 12:
        plot.has_data_labels = True
        labels = plot.data_labels
        labels.number_format = fmt
        labels.number_format_is_linked = False
        labels.position = XL_LABEL_POSITION.OUTSIDE_END
        _font(labels.font, 11, colour=TEXT)


class _SafeWorkbookWriter(CategoryWorkbookWriter):
    """The workbook python-pptx embeds behind a chart ("Edit Data" in PowerPoint), with every string
    written as text: XlsxWriter would otherwise store a category such as ``=HYPERLINK(...)`` as a live
    formula and a URL as a link; a category that a spreadsheet would read as a formula also gets
    Excel's quote prefix, so it stays text when the cell is edited. The slide's own labels are unchanged."""

    @contextlib.contextmanager
    def _open_worksheet(self, xlsx_file):
        workbook = xlsxwriter.Workbook(xlsx_file, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
        worksheet = workbook.add_worksheet()
        yield workbook, worksheet
        workbook.close()

    def _write_categories(self, workbook, worksheet):
        self._quoted = workbook.add_format({"quote_prefix": True})
        super()._write_categories(workbook, worksheet)

    def _write_cat_column(self, worksheet, col, level, num_format):
        worksheet.set_column(col, col, 10)
        for off, name in level:
            if isinstance(name, str) and name.startswith(TRIGGERS):
                worksheet.write_string(off + 1, col, name, self._quoted)
            else:
                worksheet.write(off + 1, col, name, num_format)


class _SafeChartData(CategoryChartData):
    """Chart data whose embedded workbook is written by :class:`_SafeWorkbookWriter`."""

    @property
    def _workbook_writer(self):
        return _SafeWorkbookWriter(self)


def add_chart(slide, chart: Chart, x, y, w, h, lang: str):
    """A native chart of ``chart`` (series values are the model's raw values; the embedded workbook holds
    text, never a formula: :class:`_SafeWorkbookWriter`)."""
    data = _SafeChartData()
    data.categories = chart.categories
    values = [v for s in chart.series for v in s.values if v is not None]
    largest = max((abs(v) for v in values), default=0.0)
    fmt = number_format(chart.value_kind, lang, largest)
    for series in chart.series:
        data.add_series(series.name, series.values, number_format=fmt)
    frame = slide.shapes.add_chart(_CHART_TYPES[chart.kind], x, y, w, h, data)
    graphic = frame.chart
    graphic.has_title = False
    graphic.font.size = Pt(12)
    _font(graphic.font, 12, colour=TEXT)
    graphic.has_legend = len(chart.series) > 1
    if graphic.has_legend:
        graphic.legend.position = XL_LEGEND_POSITION.TOP
        graphic.legend.include_in_layout = False
        _font(graphic.legend.font, 12, colour=TEXT)
    _style_value_axis(graphic, chart, values, fmt)
    _style_category_axis(graphic, chart)
    _style_plot(graphic.plots[0], chart, fmt)
    return frame


def add_table(slide, table: Table, x, y, w, h, lang: str, max_rows: int = TABLE_ROWS):
    """A native table of the first ``max_rows`` rows, values formatted as on the page."""
    rows = table.rows[:max_rows]
    n_rows, n_cols = len(rows) + 1, len(table.columns)
    row_h = Inches(0.36)
    shape = slide.shapes.add_table(n_rows, n_cols, x, y, w, min(h, row_h * n_rows))
    grid = shape.table
    texts = [[format_value(r.get(c.key), c.kind, lang) for c in table.columns] for r in rows]
    weights = []
    for j, column in enumerate(table.columns):
        longest = max([len(column.label)] + [len(texts[i][j]) for i in range(len(rows))])
        weights.append(min(max(longest, 4), 28))
    total = sum(weights)
    for j, weight in enumerate(weights):
        grid.columns[j].width = Emu(int(w * weight / total))
    size = 11 if n_cols <= 6 else 10
    for j, column in enumerate(table.columns):
        cell = grid.cell(0, j)
        cell.fill.solid()
        cell.fill.fore_color.rgb = PRIMARY
        _cell_text(cell, column.label, size, bold=True, colour=WHITE, numeric=column.kind not in ("text", "date"))
    for i, row in enumerate(texts, start=1):
        for j, column in enumerate(table.columns):
            cell = grid.cell(i, j)
            cell.fill.solid()
            cell.fill.fore_color.rgb = LIGHT if i % 2 == 0 else WHITE
            _cell_text(cell, row[j], size, numeric=column.kind not in ("text", "date"))
        grid.rows[i].height = row_h
    grid.rows[0].height = row_h
    return shape


def _cell_text(cell, text: str, size: float, *, bold: bool = False, colour: RGBColor = TEXT, numeric: bool = False):
    cell.margin_left = cell.margin_right = Inches(0.06)
    cell.margin_top = cell.margin_bottom = Inches(0.03)
    cell.vertical_anchor = MSO_ANCHOR.MIDDLE
    frame = cell.text_frame
    frame.word_wrap = True
    paragraph = frame.paragraphs[0]
    paragraph.alignment = PP_ALIGN.RIGHT if numeric else PP_ALIGN.LEFT
    run = paragraph.add_run()
    run.text = text
    _font(run, size, bold=bold, colour=colour)


def _frame(slide, report: Report, section: Section | None, page: int, total: int) -> None:
    """Heading, footer (period, data date, masking) and page number of a slide."""
    if section is not None:
        _text_box(slide, MARGIN, Inches(0.25), CONTENT_W, Inches(0.35),
                  [(section.heading, {"size": 12, "colour": GREY, "bold": True})])
        _text_box(slide, MARGIN, Inches(0.55), CONTENT_W, Inches(0.95),
                  [(section.title, {"size": 24, "bold": True, "colour": PRIMARY})], anchor=MSO_ANCHOR.MIDDLE)
    footer = report.footer + ((" · " + t("report.masked_badge", report.lang)) if report.masked else "")
    _text_box(slide, MARGIN, Inches(7.0), Inches(10), Inches(0.3), [(footer, {"size": 10, "colour": GREY})])
    _text_box(slide, SLIDE_W - MARGIN - Inches(2), Inches(7.0), Inches(2), Inches(0.3),
              [(t("report.slide_of", report.lang, n=page, total=total), {"size": 10, "colour": GREY, "align": PP_ALIGN.RIGHT})])
    line = slide.shapes.add_connector(1, MARGIN, Inches(6.95), SLIDE_W - MARGIN, Inches(6.95))
    line.line.color.rgb = RGBColor(0xBF, 0xC9, 0xD1)


def _figures(slide, report: Report, section: Section, y) -> Any:
    figures = section.figures[:5]
    if not figures:
        return y
    gap = Inches(0.15)
    width = int((CONTENT_W - gap * (len(figures) - 1)) / len(figures))
    for index, figure in enumerate(figures):
        x = MARGIN + index * (width + gap)
        paragraphs = [(figure.label, {"size": 12, "colour": GREY}),
                      (format_value(figure.value, figure.kind, report.lang), {"size": 22, "bold": True, "colour": TEXT})]
        if figure.comparison is not None:
            paragraphs.append((t("report.vs", report.lang, value=format_value(figure.comparison, figure.kind, report.lang)),
                               {"size": 10, "colour": GREY}))
        _text_box(slide, x, y, width, Inches(1.0), paragraphs, fill=LIGHT, margin=0.1)
    return y + Inches(1.15)


def _bullets(slide, x, y, w, h, items: list[str], size: float = 15, heading: str | None = None, fill=None):
    paragraphs = []
    if heading:
        paragraphs.append((heading, {"size": size - 1, "bold": True, "colour": PRIMARY, "space_after": 4}))
    paragraphs += [("• " + item, {"size": size, "space_after": 6}) for item in items]
    return _text_box(slide, x, y, w, h, paragraphs, fill=fill, margin=0.1, shrink=True)


def _text_lines(text: str) -> list[tuple[str, dict[str, Any]]]:
    return [(line, {"size": 15, "space_after": 4}) for line in (text.splitlines() or [""])]


def _section_slide(prs, report: Report, section: Section, page: int, total: int) -> None:
    slide = prs.slides.add_slide(prs.slide_layouts[6])
    _frame(slide, report, section, page, total)
    y = _figures(slide, report, section, Inches(1.6))
    bottom = Inches(6.85)
    body_h = bottom - y
    left_w = Inches(7.4)
    right_x = MARGIN + left_w + Inches(0.25)
    right_w = CONTENT_W - left_w - Inches(0.25)
    lang = report.lang
    if section.editable:
        # the presenter's text; until written, the data-driven hints are the slide's content
        written = section.text.strip() and any(line.strip().rstrip(":：") for line in section.text.splitlines()
                                               if not line.strip().endswith((":", "：")))
        if section.chart is not None:
            add_chart(slide, section.chart, MARGIN, y, left_w, body_h, lang)
            if written:
                _text_box(slide, right_x, y, right_w, body_h, _text_lines(section.text), fill=LIGHT, margin=0.12, shrink=True)
            else:
                _bullets(slide, right_x, y, right_w, body_h, section.hints[:6], size=12,
                         heading=t("report.hints", lang), fill=LIGHT)
        elif written:
            _text_box(slide, MARGIN, y, left_w, body_h, _text_lines(section.text), margin=0.12, shrink=True)
            _bullets(slide, right_x, y, right_w, body_h, section.hints[:6], size=12,
                     heading=t("report.hints", lang), fill=LIGHT)
        else:
            _bullets(slide, MARGIN, y, CONTENT_W, body_h, section.hints[:8], size=16,
                     heading=t("report.hints", lang))
    elif section.chart is not None:
        add_chart(slide, section.chart, MARGIN, y, left_w, body_h, lang)
        _bullets(slide, right_x, y, right_w, body_h, section.bullets[:5], size=13)
    elif section.tables and section.tables[0].rows:
        bullets_h = Inches(0.45) * min(len(section.bullets), 3)
        if section.bullets:
            _bullets(slide, MARGIN, y, CONTENT_W, bullets_h, section.bullets[:3], size=14)
        add_table(slide, section.tables[0], MARGIN, y + bullets_h + Inches(0.1), CONTENT_W,
                  bottom - y - bullets_h - Inches(0.1), lang)
    else:
        _bullets(slide, MARGIN, y, CONTENT_W, body_h, section.bullets, size=16)
    notes = list(section.notes)
    if not section.available:
        notes.insert(0, t("report.unavailable", lang))
    slide.notes_slide.notes_text_frame.text = "\n".join(notes)
    for paragraph in slide.notes_slide.notes_text_frame.paragraphs:
        for run in paragraph.runs:
            _font(run, 12)


def _table_slide(prs, report: Report, section: Section, table: Table, page: int, total: int) -> None:
    """A section's table on a slide of its own (when the section's slide already holds a chart)."""
    slide = prs.slides.add_slide(prs.slide_layouts[6])
    long_text = any(len(str(v)) > 40 for row in table.rows[:12] for v in row.values())
    shown = min(len(table.rows), 7 if long_text else 12)
    key = "report.table_slide" if shown == len(table.rows) else "report.table_slide_first"
    title = t(key, report.lang, title=table.title, n=len(table.rows), shown=shown)
    titled = Section(key=section.key, number=section.number, heading=section.heading, title=title)
    _frame(slide, report, titled, page, total)
    add_table(slide, table, MARGIN, Inches(1.65), CONTENT_W, Inches(5.1), report.lang, max_rows=shown)
    slide.notes_slide.notes_text_frame.text = "\n".join(section.notes[:3])


def _title_slide(prs, report: Report, total: int) -> None:
    slide = prs.slides.add_slide(prs.slide_layouts[6])
    band = slide.shapes.add_shape(1, 0, Inches(2.2), SLIDE_W, Inches(2.4))
    band.fill.solid()
    band.fill.fore_color.rgb = PRIMARY
    band.line.fill.background()
    lang = report.lang
    _text_box(slide, MARGIN, Inches(2.35), CONTENT_W, Inches(1.2),
              [(report.title, {"size": 36, "bold": True, "colour": WHITE})], anchor=MSO_ANCHOR.MIDDLE)
    _text_box(slide, MARGIN, Inches(3.55), CONTENT_W, Inches(0.9),
              [(report.scope_text, {"size": 18, "colour": WHITE}),
               (report.footer, {"size": 14, "colour": WHITE})])
    if report.masked:
        _text_box(slide, MARGIN, Inches(5.0), CONTENT_W, Inches(0.4),
                  [(t("report.masked_badge", lang), {"size": 14, "colour": GREY})])
    contents = [s.heading for s in report.sections if s.number not in ("★",)]
    _text_box(slide, MARGIN, Inches(5.4), CONTENT_W, Inches(1.4),
              [(t("report.contents", lang) + ": " + " · ".join(dict.fromkeys(h.split(" · ")[0] for h in contents)),
                {"size": 12, "colour": GREY})])
    _frame(slide, report, None, 1, total)
    slide.notes_slide.notes_text_frame.text = t("report.notes.scope", lang)


def slide_plan(report: Report) -> list[tuple[str, Section | None, Table | None]]:
    """The deck's slides in order: ("title", None, None), then one ("section", s, None) per section and a
    ("table", s, table) after a charted section whose first table has rows."""
    plan: list[tuple[str, Section | None, Table | None]] = [("title", None, None)]
    for section in report.sections:
        plan.append(("section", section, None))
        if (section.chart is not None and section.tables and section.tables[0].rows and section.tables[0].on_slide
                and not section.editable):
            plan.append(("table", section, section.tables[0]))
    return plan


def render_pptx(report: Report) -> bytes:
    """The deck as bytes."""
    prs = Presentation()
    prs.slide_width, prs.slide_height = SLIDE_W, SLIDE_H
    plan = slide_plan(report)
    total = len(plan)
    for page, (kind, section, table) in enumerate(plan, start=1):
        if kind == "title":
            _title_slide(prs, report, total)
        elif kind == "section" and section is not None:
            _section_slide(prs, report, section, page, total)
        elif section is not None and table is not None:
            _table_slide(prs, report, section, table, page, total)
    prs.core_properties.title = report.title
    prs.core_properties.subject = report.footer
    out = io.BytesIO()
    prs.save(out)
    return out.getvalue()
