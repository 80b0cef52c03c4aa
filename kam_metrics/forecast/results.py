"""The typed results of the revenue forecast (kam_metrics.forecast.engine): one run over several series,
each series with its method, back-test scores and months, and the review report's forecast windows.

All are frozen dataclasses of plain values, dates and tuples (no DataFrame, no array), so they pickle
(the app's ``st.cache_data`` stores a :class:`ForecastRun`) and compare field by field (``eq=False`` is not
needed: no field is a frame or an array; a ForecastRun holds its settings dict, so it does not hash). The months of a
series are tuples of small frozen dataclasses (:class:`HistoryPoint`, :class:`BacktestPoint`,
:class:`ForecastPoint`) rather than lists of dicts: a misspelt field is then an error of the type
checker instead of a KeyError in a page, the points are immutable like the series holding them, and
``pd.DataFrame(series.forecast)`` still gives one column per field. ``as_dict()`` gives the dicts the
command line prints (``forecast --json``), keys in that order.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

#: the fields of a series in ``forecast --json``, in that order (its ``forecast`` months follow them)
SERIES_KEYS = (
    "level", "key", "method", "method_note", "history_months", "mape_backtest", "baseline_mape", "bias",
    "baseline_bias", "n_months", "n_zero_months", "baseline_n_months", "interval_coverage", "interval_checks",
)


@dataclass(frozen=True)
class HistoryPoint:
    """One complete month of a series' history: its first day and the revenue."""

    month: date
    value: float

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class BacktestPoint:
    """One back-test month: the one-month-ahead forecast made at the end of the month before."""

    #: the month's first day
    month: date
    #: its revenue; None before the series' first month
    actual: float | None
    #: the forecast from the month before; None without history before it
    forecast: float | None
    #: the seasonal-naive forecast (the same month a year earlier); None when that precedes the series
    baseline: float | None
    #: the method chosen at that origin (engine.METHOD_NAMES)
    method: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class ForecastPoint:
    """One forecast month with its 80 % interval (all None when the series has no forecast)."""

    #: the month's first day
    month: date
    value: float | None
    #: the interval's lower bound (clipped at zero) and upper bound
    lower: float | None
    upper: float | None

    def as_dict(self) -> dict[str, Any]:
        """The month as in ``forecast --json``: month, value, lower, upper."""
        return asdict(self)


@dataclass(frozen=True)
class ForecastSeries:
    """One series (the company, a segment value or a class-A account): the method, its back-test against
    the seasonal-naive baseline, the interval's out-of-sample check and the months (module doc of
    kam_metrics.forecast.engine)."""

    #: engine.LEVELS; the key is '' for the company
    level: str
    key: str
    #: the method at the last complete month (engine.METHOD_NAMES) and in English words
    method: str
    method_note: str
    #: months from the first with revenue to the last complete one
    history_months: int
    #: the back-test: MAPE and bias of the method and of the seasonal-naive baseline (None when nothing
    #: could be scored), months scored, zero-actual months left out, months the baseline scored
    mape_backtest: float | None
    baseline_mape: float | None
    bias: float | None
    baseline_bias: float | None
    n_months: int
    n_zero_months: int
    baseline_n_months: int
    #: share of held-out back-test months whose actual fell inside the interval (None without checks),
    #: and how many months were checked
    interval_coverage: float | None
    interval_checks: int
    #: revenue to date of the month after the last complete one (0 when that month has no order yet)
    partial_month_actual: float
    #: the forecast months after the last complete month
    forecast: tuple[ForecastPoint, ...]
    #: the complete months from the first with revenue, and the back-test months within the history
    #: (both empty when the history was not asked for)
    history: tuple[HistoryPoint, ...]
    backtest: tuple[BacktestPoint, ...]

    def as_dict(self) -> dict[str, Any]:
        """The series as in ``forecast --json``: SERIES_KEYS, then its forecast months."""
        out = {key: getattr(self, key) for key in SERIES_KEYS}
        out["forecast"] = [point.as_dict() for point in self.forecast]
        return out


@dataclass(frozen=True)
class ForecastRun:
    """The result of ``forecast_all`` / ``forecast_series`` / ``forecast_company``: every series asked for,
    forecast from the same month."""

    #: the latest order (None without sales) and the first day of the last complete month (None without
    #: sales or without a series)
    as_of: date | None
    history_end: date | None
    #: by level (engine.LEVELS order), then key
    series: tuple[ForecastSeries, ...]
    #: the settings used (thresholds of the methods, the interval level)
    settings: dict[str, Any]

    def first(self) -> ForecastSeries | None:
        """The first series, None without any (the one series of a company or a one-account run)."""
        return self.series[0] if self.series else None

    def at_level(self, level: str) -> tuple[ForecastSeries, ...]:
        """The series of one level, in order."""
        return tuple(s for s in self.series if s.level == level)

    def as_dict(self) -> dict[str, Any]:
        """The run as ``forecast --json`` prints it: as_of, history_end, series (the settings left out)."""
        return {"as_of": self.as_of, "history_end": self.history_end, "series": [s.as_dict() for s in self.series]}


@dataclass(frozen=True)
class ForecastWindow:
    """The forecast revenue of a run of months against the pro-rated company target (review report
    section 7, ``forecast_windows``)."""

    #: the first day of its first month and the last day of its last month
    start: date
    end: date
    #: the sum of the monthly forecasts (None when a month has none) and of their bounds (a conservative band)
    forecast: float | None
    lower: float | None
    upper: float | None
    #: the pro-rated target (None without one) and forecast / target (None without either)
    target: float | None
    completion: float | None
    #: the series' method and back-test MAPE
    method: str
    mape_backtest: float | None

    def as_dict(self) -> dict[str, Any]:
        """The window as a dict, fields in order."""
        return asdict(self)
