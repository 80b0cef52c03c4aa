"""The review report's data model: figures, series, charts, tables, sections and the report itself,
plus the few formatting rules every renderer shares (``format_value``, period labels, file names).

Renderers (the page, :mod:`kam_metrics.report.export`) read only this module: they format, never compute.
Imports nothing from the report package; only the domain and i18n formatting.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import pandas as pd

from kam_metrics.domain.filters import Filters, calendar_grain
from kam_metrics.i18n import format_date, format_money, format_percent, t

SCOPE_KINDS = ("all", "owner", "region", "accounts")


EDITABLE_SECTIONS = ("causes", "improvements", "plan", "summary")


#: rows of a table shown on a slide / page; exports to Excel keep every row
TABLE_ROWS = 8


EXPORT_FORMATS = ("pptx", "html", "xlsx")


@dataclass
class Figure:
    """One KPI figure: the raw value, its kind (money, percent, count, index, days, hours, number,
    points) and the comparison value when there is one."""

    key: str
    label: str
    value: float | None
    kind: str
    comparison: float | None = None


@dataclass
class Series:
    name: str
    values: list[float | None]


@dataclass
class Chart:
    """A native chart: ``kind`` column, bar (horizontal) or line; values are raw kam_metrics figures of
    ``value_kind`` (money, percent, count, index, days)."""

    key: str
    title: str
    kind: str
    categories: list[str]
    series: list[Series]
    value_kind: str
    axis_title: str = ""


@dataclass
class Column:
    key: str
    label: str
    kind: str = "text"  # text, money, percent, count, index, number, date, days


@dataclass
class Table:
    key: str
    title: str
    columns: list[Column]
    rows: list[dict[str, Any]]
    #: False for a table that only restates the section's chart: it goes to Excel and HTML, not to a slide
    on_slide: bool = True

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.rows, columns=[c.key for c in self.columns])


@dataclass
class Section:
    key: str
    number: str
    heading: str
    title: str
    bullets: list[str] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    chart: Chart | None = None
    tables: list[Table] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    hints: list[str] = field(default_factory=list)
    editable: bool = False
    text: str = ""
    #: False when the data behind the section does not exist yet (e.g. the churn score); then
    #: ``bullets`` say so and nothing is made up
    available: bool = True


@dataclass
class Report:
    lang: str
    start: date
    end: date
    compare: str
    cmp_start: date
    cmp_end: date
    period: str
    scope: dict[str, Any]
    scope_text: str
    data_date: date | None
    title: str
    sections: list[Section]
    actions: list[dict[str, Any]]
    snapshot: dict[str, Any]
    report_id: int | None = None
    previous_report_id: int | None = None
    previous_period: str | None = None
    masked: bool = False
    #: account name -> alias (客户A / Customer A), largest 12-month revenue first
    aliases: dict[str, str] = field(default_factory=dict)
    #: a reopened report whose data changed since it was saved (imports committed or undone since):
    #: its figures are computed from the data as it is now, and the page says so
    data_changed: bool = False

    def section(self, key: str) -> Section:
        for section in self.sections:
            if section.key == key:
                return section
        raise KeyError(key)

    @property
    def footer(self) -> str:
        return t("report.footer", self.lang, start=format_date(self.start, self.lang),
                 end=format_date(self.end, self.lang), data_date=format_date(self.data_date, self.lang))


def period_label(start: date, end: date) -> str:
    """2026Q3 / 2026-09 / 2026 for a calendar period, otherwise 2026-07-01_2026-08-15."""
    grain = calendar_grain(start, end)
    if grain == "quarter":
        return f"{start.year}Q{(start.month - 1) // 3 + 1}"
    if grain == "month":
        return f"{start.year}-{start.month:02d}"
    if grain == "year":
        return str(start.year)
    return f"{start.isoformat()}_{end.isoformat()}"


def export_file_name(report: Report, fmt: str) -> str:
    """大客户汇报_2026Q3.pptx in Chinese, KAM_review_2026Q3.pptx in English."""
    stem = "大客户汇报" if report.lang == "zh" else "KAM_review"
    masked = ("_脱敏" if report.lang == "zh" else "_masked") if report.masked else ""
    return f"{stem}_{report.period}{masked}.{fmt}"


def normalize_scope(scope: dict[str, Any] | None) -> dict[str, Any]:
    scope = dict(scope or {"kind": "all"})
    kind = scope.get("kind", "all")
    if kind not in SCOPE_KINDS:
        raise ValueError(f"unknown scope {kind!r}; choose one of {', '.join(SCOPE_KINDS)}")
    values = sorted({str(v) for v in scope.get("values", []) if str(v).strip()})
    if kind != "all" and not values:
        kind = "all"
    return {"kind": kind, "values": values if kind != "all" else []}


def scope_filters(start: date, end: date, compare: str, scope: dict[str, Any]) -> Filters:
    scope = normalize_scope(scope)
    values = tuple(scope["values"])
    return Filters(
        start=start,
        end=end,
        compare=compare,  # type: ignore[arg-type]
        owners=values if scope["kind"] == "owner" else (),
        regions=values if scope["kind"] == "region" else (),
        accounts=values if scope["kind"] == "accounts" else (),
    )


def format_value(value: Any, kind: str, lang: str) -> str:
    """A value as the page and the exports show it."""
    if value is None or (isinstance(value, float) and value != value):
        return "—"
    if kind == "money":
        return format_money(float(value), lang)
    if kind == "percent":
        return format_percent(float(value))
    if kind == "count":
        return f"{float(value):,.0f}"
    if kind in ("index", "number"):
        return f"{float(value):,.1f}"
    if kind == "points":
        return f"{float(value):+,.1f}"
    if kind == "days":
        return t("report.unit.days", lang, n=f"{float(value):,.0f}")
    if kind == "hours":
        return t("report.unit.hours", lang, n=f"{float(value):,.1f}")
    if kind == "date":
        return format_date(value if isinstance(value, date) else pd.Timestamp(value).date(), lang)
    return str(value)


def as_float(value: Any) -> float | None:
    """A plain float, or None for missing values (NaN, NaT, None)."""
    if value is None:
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return float(value)


def as_date(value: Any) -> date | None:
    if value is None or value is pd.NaT:
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return pd.Timestamp(value).date()


def to_date(value: Any) -> date:
    """A date that must be there (a month of a series, an order date): :func:`as_date` that never
    returns None (a missing one is a bug in the caller, raised as ValueError)."""
    day = as_date(value)
    if day is None:
        raise ValueError(f"expected a date, got {value!r}")
    return day


def join_words(items: list[str], lang: str) -> str:
    return ("、" if lang == "zh" else ", ").join(items)
