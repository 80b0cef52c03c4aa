"""Periods, presets and comparison periods (docs/kpis.md)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kam_metrics.domain.filters import Filters, calendar_grain, comparison_period, preset_period


@pytest.mark.parametrize(
    ("start", "end", "mode", "expected"),
    [
        # a calendar month, quarter, year: the previous one
        (date(2025, 3, 1), date(2025, 3, 31), "previous", (date(2025, 2, 1), date(2025, 2, 28))),
        (date(2025, 1, 1), date(2025, 3, 31), "previous", (date(2024, 10, 1), date(2024, 12, 31))),
        (date(2025, 1, 1), date(2025, 12, 31), "previous", (date(2024, 1, 1), date(2024, 12, 31))),
        # not a calendar period: the same number of days just before start
        (date(2025, 4, 1), date(2025, 5, 15), "previous", (date(2025, 2, 15), date(2025, 3, 31))),
        # 同比 of a calendar month keeps the whole month (Feb 2025 -> Feb 2024 with 29 days)
        (date(2025, 2, 1), date(2025, 2, 28), "yoy", (date(2024, 2, 1), date(2024, 2, 29))),
        (date(2025, 4, 1), date(2025, 6, 30), "yoy", (date(2024, 4, 1), date(2024, 6, 30))),
        # 同比 of other dates: the same dates a year earlier, 29 February becomes 28 February
        (date(2024, 2, 10), date(2024, 2, 29), "yoy", (date(2023, 2, 10), date(2023, 2, 28))),
    ],
)
def test_comparison_period(start, end, mode, expected):
    assert comparison_period(start, end, mode) == expected


def test_calendar_grain():
    assert calendar_grain(date(2025, 2, 1), date(2025, 2, 28)) == "month"
    assert calendar_grain(date(2025, 4, 1), date(2025, 6, 30)) == "quarter"
    assert calendar_grain(date(2025, 1, 1), date(2025, 12, 31)) == "year"
    assert calendar_grain(date(2025, 1, 1), date(2025, 2, 28)) is None
    assert calendar_grain(date(2025, 4, 1), date(2025, 6, 29)) is None


@pytest.mark.parametrize(
    ("preset", "expected"),
    [
        ("this_quarter", (date(2025, 4, 1), date(2025, 5, 20))),
        ("last_quarter", (date(2025, 1, 1), date(2025, 3, 31))),
        ("ytd", (date(2025, 1, 1), date(2025, 5, 20))),
        ("last_12_months", (date(2024, 5, 21), date(2025, 5, 20))),
    ],
)
def test_presets_are_anchored_to_the_latest_order_date(preset, expected):
    assert preset_period(preset, date(2025, 5, 20)) == expected


def test_unknown_preset_and_reversed_period_are_refused():
    with pytest.raises(ValueError, match="unknown period preset"):
        preset_period("next_year", date(2025, 5, 20))
    with pytest.raises(ValueError, match="before its start"):
        Filters(start=date(2025, 5, 2), end=date(2025, 5, 1))


def test_comparison_filters_keep_segments_and_their_anchor():
    f = Filters(start=date(2025, 4, 1), end=date(2025, 6, 30), owners=("张三",), abc_classes=("A",))
    c = f.for_comparison()
    assert (c.start, c.end) == (date(2025, 1, 1), date(2025, 3, 31))
    assert c.owners == ("张三",) and c.abc_classes == ("A",)
    assert c.sql_params()["segment_end"] == date(2025, 6, 30)


@given(
    st.dates(min_value=date(2001, 1, 1), max_value=date(2090, 12, 31)),
    st.integers(min_value=0, max_value=800),
    st.sampled_from(["previous", "yoy"]),
)
def test_comparison_period_ends_before_the_period_starts(start, days, mode):
    from datetime import timedelta

    end = start + timedelta(days=days)
    cmp_start, cmp_end = comparison_period(start, end, mode)
    assert cmp_start <= cmp_end
    if mode == "previous":
        assert cmp_end < start
        if calendar_grain(start, end) is None:
            assert cmp_end - cmp_start == end - start  # same number of days, just before start
    else:
        assert cmp_start.year == start.year - 1
