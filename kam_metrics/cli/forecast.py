"""The ``forecast`` command of the command line (docs/cli.md).

``forecast [--level company|industry|region|owner|product_line|account] [--horizon-months N] [--json]``
prints, per series, the method, the forecast (month, value, lower, upper; 80 % interval), the
back-test MAPE, the seasonal-naive baseline MAPE and the bias (kam_metrics.forecast.engine). Without
``--level`` every level is printed (the company, each segment value, each class-A account).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from kam_metrics.cli.common import EXIT_OK, UsageError, positive_int, print_json

if TYPE_CHECKING:
    from kam_metrics.forecast.results import ForecastRun

MAX_HORIZON = 12


def add_commands(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> dict[str, Callable[[argparse.Namespace], int]]:
    """Register this module's sub-commands; returns command name -> handler."""
    from kam_metrics.forecast.engine import LEVELS

    parser = commands.add_parser(
        "forecast", parents=[common], help="monthly revenue forecast with its back-test error, per series"
    )
    parser.add_argument("--level", choices=LEVELS, help="one level only (default: every level)")
    parser.add_argument("--horizon-months", type=positive_int, default=MAX_HORIZON, metavar="N",
                        help=f"months ahead, 1 to {MAX_HORIZON} (default {MAX_HORIZON})")
    parser.add_argument("--json", action="store_true")
    return {"forecast": _cmd_forecast}


def _cmd_forecast(args: argparse.Namespace) -> int:
    from kam_metrics.forecast.engine import LEVELS, forecast_all
    from kam_metrics.store.connection import open_db

    if args.horizon_months > MAX_HORIZON:
        raise UsageError(f"--horizon-months {args.horizon_months}: forecasts go at most {MAX_HORIZON} months ahead")
    levels = (args.level,) if args.level else LEVELS
    with open_db(args.db, read_only=True) as con:
        result = forecast_all(con, levels, horizon_months=args.horizon_months)
    if not result.series:
        print("no sales: nothing to forecast", file=sys.stderr)
    if args.json:
        print_json(result.as_dict())
        return EXIT_OK
    _print_text(result)
    return EXIT_OK


def _print_text(result: ForecastRun) -> None:
    """The run as text: one line per series (method, back-test errors, interval check), then its months."""

    def pct(value: float | None) -> str:
        return "—" if value is None else f"{value:.1%}"

    print(f"Forecast from {result.history_end} (latest order {result.as_of}), 80 % interval")
    for s in result.series:
        name = s.level if not s.key else f"{s.level} {s.key}"
        print(f"{name}: {s.method_note}; back-test MAPE {pct(s.mape_backtest)} "
              f"(seasonal naive {pct(s.baseline_mape)}), bias {pct(s.bias)}; "
              f"80 % interval held {pct(s.interval_coverage)} of {s.interval_checks} held-out months")
        for row in s.forecast:
            if row.value is None:
                continue
            print(f"  {row.month:%Y-%m} {row.value:>16,.0f}  [{row.lower:,.0f} .. {row.upper:,.0f}]")
