"""Periods, comparison periods and the `Filters` value every KPI function takes (docs/kpis.md, docs/pages.md).

A period is [start, end], both days included. 环比 (``previous``) is the previous calendar month,
quarter or year when the period is exactly one of those, otherwise the same number of days just before
start. 同比 (``yoy``) is the same calendar month, quarter or year a year earlier when the period is one of
those, otherwise the same dates a year earlier (29 February becomes 28 February).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Literal

Comparison = Literal["previous", "yoy"]
PRESETS = ("this_quarter", "last_quarter", "ytd", "last_12_months", "custom")
TENURE_BANDS = ("new", "mid", "long")
ABC_CLASSES = ("A", "B", "C")


def month_end(day: date) -> date:
    first_next = date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    return first_next - timedelta(days=1)


def quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def quarter_end(day: date) -> date:
    start = quarter_start(day)
    return month_end(date(start.year, start.month + 2, 1))


def shift_years(day: date, years: int) -> date:
    """The same date ``years`` later (negative: earlier); 29 February becomes 28 February."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def shift_months(day: date, months: int) -> date:
    """The first day of the month ``months`` after ``day``'s month."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def calendar_grain(start: date, end: date) -> str | None:
    """'month', 'quarter' or 'year' when [start, end] is exactly one such calendar period, else None."""
    if start.day != 1 or end != month_end(end):
        return None
    if start.year == end.year and start.month == end.month:
        return "month"
    if start == quarter_start(start) and end == quarter_end(start):
        return "quarter"
    if start == date(start.year, 1, 1) and end == date(start.year, 12, 31):
        return "year"
    return None


def comparison_period(start: date, end: date, mode: Comparison) -> tuple[date, date]:
    """The comparison period of [start, end] for 环比 (``previous``) or 同比 (``yoy``)."""
    if end < start:
        raise ValueError(f"period end {end} is before its start {start}")
    grain = calendar_grain(start, end)
    if mode == "yoy":
        if grain is not None:
            new_start = shift_years(start, -1)
            return new_start, _grain_end(new_start, grain)
        return shift_years(start, -1), shift_years(end, -1)
    if mode != "previous":
        raise ValueError(f"comparison must be 'previous' or 'yoy', not {mode!r}")
    if grain == "month":
        new_start = shift_months(start, -1)
    elif grain == "quarter":
        new_start = shift_months(start, -3)
    elif grain == "year":
        new_start = date(start.year - 1, 1, 1)
    else:
        days = (end - start).days + 1
        return start - timedelta(days=days), start - timedelta(days=1)
    return new_start, _grain_end(new_start, grain)


def _grain_end(start: date, grain: str) -> date:
    if grain == "month":
        return month_end(start)
    if grain == "quarter":
        return quarter_end(start)
    return date(start.year, 12, 31)


def preset_period(preset: str, anchor: date) -> tuple[date, date]:
    """A preset period anchored to ``anchor`` (the latest order date in the data, not today).

    this_quarter: the anchor's quarter up to the anchor; last_quarter: the full calendar quarter before
    it; ytd: 1 January to the anchor; last_12_months: the 12 months ending at the anchor.
    """
    if preset == "this_quarter":
        return quarter_start(anchor), anchor
    if preset == "last_quarter":
        start = shift_months(quarter_start(anchor), -3)
        return start, quarter_end(start)
    if preset == "ytd":
        return date(anchor.year, 1, 1), anchor
    if preset == "last_12_months":
        return shift_years(anchor, -1) + timedelta(days=1), anchor
    raise ValueError(f"unknown period preset {preset!r}; choose one of {', '.join(PRESETS[:-1])}")


@dataclass(frozen=True)
class Filters:
    """What every KPI function is asked about: a period, a comparison, and account segments.

    Empty segment tuples mean "all". Segments select accounts as of the period end (tenure band and ABC
    class are evaluated then); the same accounts are used for the comparison period.
    """

    start: date
    end: date
    compare: Comparison = "previous"
    industries: tuple[str, ...] = field(default_factory=tuple)
    scales: tuple[str, ...] = field(default_factory=tuple)
    tenure_bands: tuple[str, ...] = field(default_factory=tuple)
    regions: tuple[str, ...] = field(default_factory=tuple)
    owners: tuple[str, ...] = field(default_factory=tuple)
    abc_classes: tuple[str, ...] = field(default_factory=tuple)
    accounts: tuple[str, ...] = field(default_factory=tuple)
    #: the day segments are evaluated on; None means this period's end
    segment_end: date | None = None

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"period end {self.end} is before its start {self.start}")

    @property
    def comparison(self) -> tuple[date, date]:
        return comparison_period(self.start, self.end, self.compare)

    def for_comparison(self) -> Filters:
        """The same segments over the comparison period (its own comparison is one step further back).

        The segment anchor stays at this period's end so both periods compare the same accounts.
        """
        start, end = self.comparison
        return replace(self, start=start, end=end, segment_end=self.segment_end or self.end)

    @property
    def has_segments(self) -> bool:
        return any(
            (self.industries, self.scales, self.tenure_bands, self.regions, self.owners, self.abc_classes, self.accounts)
        )

    def sql_params(self) -> dict:
        """Named parameters for the SQL of kam_metrics.metrics.sales (lists bind as VARCHAR[])."""
        return {
            "start": self.start,
            "end": self.end,
            "segment_end": self.segment_end or self.end,
            "industries": list(self.industries),
            "scales": list(self.scales),
            "tenure_bands": list(self.tenure_bands),
            "regions": list(self.regions),
            "owners": list(self.owners),
            "abc_classes": list(self.abc_classes),
            "accounts": list(self.accounts),
        }
