"""The review report as one self-contained HTML file: inline CSS, charts as inline SVG (no script, no
download), one section per printed A4 landscape page (``@page { size: A4 landscape }``), so the browser's
"Print → Save as PDF" gives a clean PDF. Everything shown comes from a :class:`kam_metrics.report.model.Report`."""

from __future__ import annotations

import math
from dataclasses import dataclass
from html import escape

from kam_metrics.i18n import format_money, format_percent, t
from kam_metrics.report.model import Chart, Report, Section, Table, format_value

PRIMARY = "#1F4E79"
COMPARISON = "#A6B4C2"
ACCENT = "#E07B39"
COLOURS = [PRIMARY, COMPARISON, ACCENT, "#4C9A8A"]
FONT = ('"Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", '
        '"WenQuanYi Micro Hei", Arial, sans-serif')

CSS = """
@page { size: A4 landscape; margin: 10mm 12mm; }
* { box-sizing: border-box; }
body { font-family: FONT; color: #1B2631; margin: 0; background: #F4F6F8; }
.slide { background: white; max-width: 1120px; margin: 16px auto; padding: 22px 30px 14px; position: relative;
         box-shadow: 0 1px 4px rgba(0,0,0,.12); }
.heading { color: #5D6D7E; font-size: 13px; font-weight: bold; }
h1 { color: white; font-size: 34px; margin: 0 0 10px; }
h2 { color: PRIMARY; font-size: 23px; margin: 6px 0 14px; line-height: 1.3; }
h3 { color: PRIMARY; font-size: 15px; margin: 14px 0 6px; }
.cover { background: PRIMARY; color: white; padding: 40px 30px; margin: 40px -30px 24px; }
.cover p { margin: 4px 0; font-size: 16px; }
.figures { display: flex; gap: 10px; margin-bottom: 12px; }
.figure { flex: 1; background: #EEF2F6; padding: 8px 12px; }
.figure .label { color: #5D6D7E; font-size: 12px; }
.figure .value { font-size: 22px; font-weight: bold; }
.figure .cmp { color: #5D6D7E; font-size: 11px; }
.body { display: flex; gap: 20px; align-items: flex-start; }
.body .chart { flex: 3; min-width: 0; }
.body .text { flex: 2; min-width: 0; font-size: 14px; }
.text ul { margin: 0; padding-left: 18px; } .text li { margin-bottom: 6px; line-height: 1.45; }
.hints { background: #EEF2F6; padding: 10px 14px; font-size: 13px; }
.edited { white-space: pre-wrap; font-size: 15px; line-height: 1.5; }
.unavailable { color: #8A5A00; background: #FFF4E0; padding: 6px 10px; font-size: 13px; display: inline-block; }
table { border-collapse: collapse; width: 100%; font-size: 12px; margin-bottom: 8px; }
th { background: PRIMARY; color: white; text-align: left; padding: 5px 7px; }
td { padding: 4px 7px; border-bottom: 1px solid #E5E9EE; vertical-align: top; }
tr:nth-child(even) td { background: #F6F8FA; }
td.num, th.num { text-align: right; white-space: nowrap; }
svg { width: 100%; height: auto; font-family: FONT; }
footer { display: flex; justify-content: space-between; color: #5D6D7E; font-size: 11px; border-top: 1px solid #BFC9D1;
         margin-top: 14px; padding-top: 5px; }
details.notes { font-size: 12px; color: #5D6D7E; margin-top: 8px; }
.masked { color: #8A5A00; font-size: 12px; }
@media print {
  body { background: white; }
  .slide { box-shadow: none; margin: 0; max-width: none; padding: 0; break-after: page; page-break-after: always; }
  .slide:last-child { break-after: auto; page-break-after: auto; }
  details.notes { display: none; }
  thead { display: table-header-group; }
  tr { break-inside: avoid; }
  .cover { margin: 30px 0 16px; padding: 28px 30px; }
  .body .chart svg { max-height: 68mm; }
  .text { font-size: 12px; } .text li { margin-bottom: 3px; } .body .text { font-size: 12px; }
  table { font-size: 10px; } td { padding: 2px 6px; } th { padding: 3px 6px; }
  .figures { margin-bottom: 6px; } .figure { padding: 4px 10px; }
  .contents { font-size: 11px; columns: 2; }
  .extra { display: none; }
  .figure .value { font-size: 18px; }
  h2 { font-size: 20px; margin-bottom: 8px; }
}
.contents { columns: 2; font-size: 13px; }
.more { color: #5D6D7E; font-size: 11px; }
""".replace("FONT", FONT).replace("PRIMARY", PRIMARY)


def axis_label(value: float, kind: str, lang: str) -> str:
    """A short tick or data label."""
    if kind == "money":
        return format_money(value, lang)
    if kind == "percent":
        return format_percent(value, decimals=0 if abs(value) >= 0.1 else 1)
    if kind in ("count", "days"):
        return f"{value:,.0f}"
    return f"{value:,.1f}"


def _nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    if high == low:
        high = low + 1
    raw = (high - low) / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = min((m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw), default=raw)
    start = math.floor(low / step) * step
    ticks, value = [], start
    while value <= high + step * 1e-9:
        ticks.append(round(value, 10))
        value += step
    if ticks[-1] < high:
        ticks.append(ticks[-1] + step)
    return ticks


def _text(x: float, y: float, text: str, *, size: int = 12, anchor: str = "middle", colour: str = "#1B2631",
          rotate: float | None = None, weight: str = "normal") -> str:
    transform = f' transform="rotate({rotate} {x:.1f} {y:.1f})"' if rotate else ""
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" fill="{colour}" '
            f'font-weight="{weight}"{transform}>{escape(text)}</text>')


@dataclass(frozen=True)
class _PlotArea:
    """The plotting rectangle of a chart and the value range its value axis spans."""

    left: float
    right: float
    top: float
    bottom: float
    vmin: float
    vmax: float

    def value_to_x(self, value: float) -> float:
        """The x coordinate of ``value`` on a horizontal value axis (bar charts)."""
        return self.left + (value - self.vmin) / (self.vmax - self.vmin) * (self.right - self.left)

    def value_to_y(self, value: float) -> float:
        """The y coordinate of ``value`` on a vertical value axis (column and line charts)."""
        return self.bottom - (value - self.vmin) / (self.vmax - self.vmin) * (self.bottom - self.top)


def _svg_legend(chart: Chart, lang: str, width: int) -> list[str]:
    """The legend along the top right: a colour swatch and the name of each series."""
    parts = []
    x: float = width - 10
    for index in reversed(range(len(chart.series))):
        name = chart.series[index].name
        w = 12 * len(name) * (1.0 if lang == "zh" else 0.6) + 22
        x -= w
        parts.append(f'<rect x="{x:.1f}" y="8" width="12" height="12" fill="{COLOURS[index % 4]}"/>')
        parts.append(_text(x + 16, 18, name, size=12, anchor="start"))
    return parts


def _svg_bar_chart(chart: Chart, lang: str, ticks: list[float], width: int, height: int, top: int) -> list[str]:
    """A horizontal bar chart: category names on the left, value grid and labels along the bottom."""
    label_w = min(230, 8 + 13 * max(len(c) for c in chart.categories) * (1.0 if lang == "zh" else 0.6))
    area = _PlotArea(label_w + 10, width - 60, top, height - 30, ticks[0], ticks[-1])
    parts = []
    for tick in ticks:
        x = area.value_to_x(tick)
        parts.append(f'<line x1="{x:.1f}" y1="{area.top}" x2="{x:.1f}" y2="{area.bottom}" stroke="#E5E9EE"/>')
        parts.append(_text(x, area.bottom + 16, axis_label(tick, chart.value_kind, lang), size=11, colour="#5D6D7E"))
    parts += _svg_bars(chart, lang, area)
    zero = area.value_to_x(0.0)
    parts.append(f'<line x1="{zero:.1f}" y1="{area.top}" x2="{zero:.1f}" y2="{area.bottom}" stroke="#BFC9D1"/>')
    return parts


def _svg_bars(chart: Chart, lang: str, area: _PlotArea) -> list[str]:
    """Each category's name and its bars, one per series, labelled with the value when there is one series."""
    parts = []
    single = len(chart.series) == 1
    band = (area.bottom - area.top) / len(chart.categories)
    bar_h = band * 0.75 / len(chart.series)
    for i, category in enumerate(chart.categories):
        parts.append(_text(area.left - 6, area.top + band * (i + 0.5) + 4, category, size=12, anchor="end"))
        for j, series in enumerate(chart.series):
            v = series.values[i]
            if v is None:
                continue
            y = area.top + band * i + band * 0.125 + bar_h * j
            xa, xb = sorted((area.value_to_x(0.0), area.value_to_x(v)))
            parts.append(f'<rect x="{xa:.1f}" y="{y:.1f}" width="{max(xb - xa, 0.5):.1f}" height="{bar_h:.1f}" '
                         f'fill="{COLOURS[j % 4]}"/>')
            if single:
                parts.append(_text(xb + 4 if v >= 0 else xa - 4, y + bar_h / 2 + 4,
                                   axis_label(v, chart.value_kind, lang), size=11,
                                   anchor="start" if v >= 0 else "end"))
    return parts


def _vertical_plot_area(chart: Chart, ticks: list[float], width: int, height: int, top: int) -> _PlotArea:
    """The plotting area of a column or line chart, leaving more room below for slanted category names."""
    rotate = len(chart.categories) > 8
    return _PlotArea(70, width - 10, top, height - (62 if rotate else 30), ticks[0], ticks[-1])


def _svg_value_grid(chart: Chart, lang: str, ticks: list[float], area: _PlotArea) -> list[str]:
    """Horizontal grid lines at the ticks, each with its value label on the left."""
    parts = []
    for tick in ticks:
        y = area.value_to_y(tick)
        parts.append(f'<line x1="{area.left}" y1="{y:.1f}" x2="{area.right}" y2="{y:.1f}" stroke="#E5E9EE"/>')
        parts.append(_text(area.left - 6, y + 4, axis_label(tick, chart.value_kind, lang), size=11,
                           anchor="end", colour="#5D6D7E"))
    return parts


def _svg_category_labels(chart: Chart, area: _PlotArea) -> list[str]:
    """The category names under the plot, slanted when there are more than eight."""
    parts = []
    n = len(chart.categories)
    band = (area.right - area.left) / n
    for i, category in enumerate(chart.categories):
        cx = area.left + band * (i + 0.5)
        if n > 8:
            parts.append(_text(cx, area.bottom + 14, category, size=11, anchor="end", rotate=-40))
        else:
            parts.append(_text(cx, area.bottom + 18, category, size=12))
    return parts


def _svg_horizontal_axis(area: _PlotArea) -> str:
    """The horizontal axis line: at zero when the value range spans it, else along the bottom."""
    y = area.value_to_y(max(area.vmin, 0.0)) if area.vmin <= 0 <= area.vmax else area.bottom
    return f'<line x1="{area.left}" y1="{y:.1f}" x2="{area.right}" y2="{y:.1f}" stroke="#BFC9D1"/>'


def _svg_column_chart(chart: Chart, lang: str, ticks: list[float], width: int, height: int, top: int) -> list[str]:
    """A column chart: grouped columns per category, labelled with the value when there is one series."""
    area = _vertical_plot_area(chart, ticks, width, height, top)
    parts = _svg_value_grid(chart, lang, ticks, area) + _svg_category_labels(chart, area)
    single = len(chart.series) == 1
    band = (area.right - area.left) / len(chart.categories)
    bar_w = band * 0.75 / len(chart.series)
    for j, series in enumerate(chart.series):
        for i, v in enumerate(series.values):
            if v is None:
                continue
            x = area.left + band * i + band * 0.125 + bar_w * j
            ya, yb = sorted((area.value_to_y(0.0), area.value_to_y(v)))
            parts.append(f'<rect x="{x:.1f}" y="{ya:.1f}" width="{bar_w:.1f}" height="{max(yb - ya, 0.5):.1f}" '
                         f'fill="{COLOURS[j % 4]}"/>')
            if single:
                parts.append(_text(x + bar_w / 2, ya - 4, axis_label(v, chart.value_kind, lang), size=11))
    parts.append(_svg_horizontal_axis(area))
    return parts


def _line_segments(values: list[float | None], area: _PlotArea, band: float) -> list[list[str]]:
    """The "x,y" points of each unbroken run of values (a missing value breaks the line)."""
    segment: list[str] = []
    segments = []
    for i, v in enumerate(values):
        if v is None:
            if segment:
                segments.append(segment)
            segment = []
            continue
        segment.append(f"{area.left + band * (i + 0.5):.1f},{area.value_to_y(v):.1f}")
    if segment:
        segments.append(segment)
    return segments


def _svg_line_chart(chart: Chart, lang: str, ticks: list[float], width: int, height: int, top: int) -> list[str]:
    """A line chart with a marker on each point; a forecast's interval bounds are thin dashed lines."""
    area = _vertical_plot_area(chart, ticks, width, height, top)
    parts = _svg_value_grid(chart, lang, ticks, area) + _svg_category_labels(chart, area)
    band = (area.right - area.left) / len(chart.categories)
    for j, series in enumerate(chart.series):
        colour = ACCENT if chart.key == "forecast" and j >= 1 else COLOURS[j % 4]
        dash = ' stroke-dasharray="5,4"' if chart.key == "forecast" and j >= 2 else ""
        width_line = 1.2 if dash else 2.2
        for points in _line_segments(series.values, area, band):
            parts.append(f'<polyline points="{" ".join(points)}" fill="none" stroke="{colour}" '
                         f'stroke-width="{width_line}"{dash}/>')
            if not dash:
                for point in points:
                    px, py = point.split(",")
                    parts.append(f'<circle cx="{px}" cy="{py}" r="3" fill="{colour}"/>')
    parts.append(_svg_horizontal_axis(area))
    return parts


def svg_chart(chart: Chart, lang: str, width: int = 660, height: int = 360) -> str:
    """An inline SVG of ``chart``: column, horizontal bar or line, with axis, grid, legend and labels."""
    values = [v for s in chart.series for v in s.values if v is not None]
    if not values or not chart.categories:
        return ""
    low, high = min(values), max(values)
    if chart.kind in ("column", "bar"):
        low, high = min(low, 0.0), max(high, 0.0)
    ticks = _nice_ticks(low, high)
    legend = len(chart.series) > 1
    top = 34 if legend else 14
    parts = [f'<svg viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg" role="img" '
             f'aria-label="{escape(chart.title)}">']
    if legend:
        parts += _svg_legend(chart, lang, width)
    if chart.kind == "bar":
        parts += _svg_bar_chart(chart, lang, ticks, width, height, top)
    elif chart.kind == "column":
        parts += _svg_column_chart(chart, lang, ticks, width, height, top)
    else:
        parts += _svg_line_chart(chart, lang, ticks, width, height, top)
    parts.append("</svg>")
    return "".join(parts)


def html_table(table: Table, lang: str, max_rows: int | None = None) -> str:
    rows = table.rows if max_rows is None else table.rows[:max_rows]
    numeric = {c.key: c.kind not in ("text", "date") for c in table.columns}
    head = "".join(f'<th class="{"num" if numeric[c.key] else ""}">{escape(c.label)}</th>' for c in table.columns)
    body = "".join(
        "<tr>" + "".join(f'<td class="{"num" if numeric[c.key] else ""}">{escape(format_value(r.get(c.key), c.kind, lang))}</td>'
                         for c in table.columns) + "</tr>"
        for r in rows
    )
    return f"<h3>{escape(table.title)}</h3><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _footer(report: Report, page: int, total: int) -> str:
    masked = f' · <span class="masked">{escape(t("report.masked_badge", report.lang))}</span>' if report.masked else ""
    return (f"<footer><span>{escape(report.footer)}{masked}</span>"
            f"<span>{escape(t('report.slide_of', report.lang, n=page, total=total))}</span></footer>")


def _section(report: Report, section: Section, page: int, total: int) -> str:
    lang = report.lang
    out = [f'<section class="slide" id="{escape(section.key)}">',
           f'<div class="heading">{escape(section.heading)}</div>', f"<h2>{escape(section.title)}</h2>"]
    if section.figures:
        out.append('<div class="figures">')
        for figure in section.figures[:6]:
            cmp = ""
            if figure.comparison is not None:
                cmp = f'<div class="cmp">{escape(t("report.vs", lang, value=format_value(figure.comparison, figure.kind, lang)))}</div>'
            out.append(f'<div class="figure"><div class="label">{escape(figure.label)}</div>'
                       f'<div class="value">{escape(format_value(figure.value, figure.kind, lang))}</div>{cmp}</div>')
        out.append("</div>")
    if not section.available:
        out.append(f'<p class="unavailable">{escape(t("report.unavailable", lang))}</p>')
    text_parts = []
    if section.editable:
        if section.text.strip():
            text_parts.append(f'<div class="edited">{escape(section.text)}</div>')
        text_parts.append(f'<div class="hints"><b>{escape(t("report.hints", lang))}</b><ul>'
                          + "".join(f"<li>{escape(h)}</li>" for h in section.hints) + "</ul></div>")
    elif section.bullets:
        text_parts.append("<ul>" + "".join(f"<li>{escape(b)}</li>" for b in section.bullets) + "</ul>")
    chart = svg_chart(section.chart, lang) if section.chart is not None else ""
    if chart:
        out.append(f'<div class="body"><div class="chart">{chart}</div><div class="text">{"".join(text_parts)}</div></div>')
    else:
        out.append(f'<div class="text">{"".join(text_parts)}</div>')
    shown = [table for table in section.tables if table.rows and table.on_slide]
    for index, table in enumerate(shown):
        limit = 6 if chart else 10
        # a printed page holds the section's first table; the others show on screen and in the Excel export
        out.append(f'<div class="{"extra" if index else "first"}">{html_table(table, lang, max_rows=limit)}')
        if len(table.rows) > limit:
            out.append(f'<p class="more">{escape(t("report.more_rows", lang, n=len(table.rows) - limit))}</p>')
        out.append("</div>")
    if section.notes:
        out.append(f'<details class="notes"><summary>{escape(t("report.talking_points", lang))}</summary><ul>'
                   + "".join(f"<li>{escape(n)}</li>" for n in section.notes) + "</ul></details>")
    out.append(_footer(report, page, total))
    out.append("</section>")
    return "".join(out)


def render_html(report: Report) -> str:
    """The whole report as one HTML document (UTF-8 text)."""
    lang = report.lang
    total = len(report.sections) + 1
    cover = [
        '<section class="slide">',
        f'<div class="cover"><h1>{escape(report.title)}</h1><p>{escape(report.scope_text)}</p>'
        f"<p>{escape(report.footer)}</p></div>",
    ]
    if report.masked:
        cover.append(f'<p class="masked">{escape(t("report.masked_badge", lang))}</p>')
    cover.append(f"<h3>{escape(t('report.contents', lang))}</h3><ul class=\"contents\">"
                 + "".join(f'<li><a href="#{escape(s.key)}">{escape(s.heading)}</a></li>'
                           for s in report.sections) + "</ul>")
    cover.append(_footer(report, 1, total))
    cover.append("</section>")
    body = "".join(cover) + "".join(_section(report, s, i, total) for i, s in enumerate(report.sections, start=2))
    html_lang = "zh-CN" if lang == "zh" else "en"
    return (f'<!DOCTYPE html><html lang="{html_lang}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{escape(report.title)}</title><style>{CSS}</style></head><body>{body}</body></html>")
