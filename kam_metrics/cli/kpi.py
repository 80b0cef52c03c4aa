"""The figures commands: ``kpi`` (the headline KPIs of a period) and ``satisfaction`` (docs/cli.md)."""

from __future__ import annotations

import argparse
from collections.abc import Callable

from kam_metrics.cli.common import EXIT_OK, UsageError, iso_date, print_json
from kam_metrics.store.connection import open_db


def add_commands(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> dict[str, Callable[[argparse.Namespace], int]]:
    kpi = commands.add_parser("kpi", parents=[common], help="headline KPIs of a period")
    kpi.add_argument("--start", type=iso_date, required=True)
    kpi.add_argument("--end", type=iso_date, required=True)
    kpi.add_argument("--compare", choices=("previous", "yoy"), default="previous")
    kpi.add_argument("--json", action="store_true")

    sat = commands.add_parser("satisfaction", parents=[common], help="satisfaction of a survey wave or a date range")
    sat.add_argument("--wave")
    sat.add_argument("--start", type=iso_date)
    sat.add_argument("--end", type=iso_date)
    sat.add_argument("--json", action="store_true")
    return {"kpi": _cmd_kpi, "satisfaction": _cmd_satisfaction}


def _cmd_kpi(args: argparse.Namespace) -> int:
    from kam_metrics.domain.filters import Filters
    from kam_metrics.metrics.kpi import compute_kpis

    if args.end < args.start:
        raise UsageError(f"--end {args.end} is before --start {args.start}")
    filters = Filters(start=args.start, end=args.end, compare=args.compare)
    with open_db(args.db, read_only=True) as con:
        result = compute_kpis(con, filters)
    if args.json:
        print_json(result)
    else:
        from kam_metrics.i18n import format_money, format_percent

        cmp = result["comparison"]
        print(f"{result['start']} .. {result['end']} compared with {cmp['start']} .. {cmp['end']} ({args.compare})")
        for key in ("revenue", "revenue_target"):
            print(f"  {key:<26} {format_money(result[key], 'en'):>12}  {format_money(cmp[key], 'en'):>12}")
        for key in ("volume", "orders", "active_accounts", "active_key_accounts"):
            print(f"  {key:<26} {result[key]:>12,.0f}  {cmp[key]:>12,.0f}")
        for key in (
            "revenue_growth",
            "target_completion",
            "gross_margin",
            "repeat_purchase_rate",
            "retention_rate",
            "net_revenue_retention",
            "top10_share",
        ):
            print(f"  {key:<26} {format_percent(result[key]):>12}  {format_percent(cmp[key]):>12}")
        print("  abc                        " + ", ".join(f"{k}: {len(v)}" for k, v in result["abc"].items()))
    return EXIT_OK


def _cmd_satisfaction(args: argparse.Namespace) -> int:
    from kam_metrics.metrics.satisfaction import compute_satisfaction, load_all_waves, satisfaction_json

    if args.wave and (args.start or args.end):
        raise UsageError("give either --wave or --start/--end, not both")
    if (args.start is None) != (args.end is None):
        raise UsageError("--start and --end go together")
    if args.start and args.end < args.start:
        raise UsageError(f"--end {args.end} is before --start {args.start}")
    with open_db(args.db, read_only=True) as con:
        waves = load_all_waves(con)
        wave = args.wave
        if wave is not None and wave not in set(waves["wave"]):
            raise UsageError(f"no survey wave {wave!r}; waves: {', '.join(waves['wave']) or 'none'}")
        if wave is None and args.start is None:
            answered = waves[waves["last_survey_date"].notna()]["wave"].tolist()
            wave = answered[-1] if answered else None
        result = compute_satisfaction(con, wave=wave, start=args.start, end=args.end)
    payload = satisfaction_json(result)
    if args.json:
        print_json({"wave": wave, "start": args.start, "end": args.end, **payload})
    else:
        scope = f"wave {wave}" if wave else f"{args.start} .. {args.end}" if args.start else "no wave"
        def show(v, pct=False):
            return "—" if v is None else (f"{v:.1%}" if pct else f"{v:.1f}")
        print(f"Satisfaction, {scope}: {payload['n_valid']} valid of {payload['n_returned']} returned")
        print(f"  overall_index   {show(payload['overall_index']):>8}")
        for key in ("satisfied_rate", "response_rate", "validity_rate"):
            print(f"  {key:<15} {show(payload[key], True):>8}")
        for code, item in payload["items"].items():
            print(f"  item {code:<10} {show(item['index']):>8}  n={item['n']}")
    return EXIT_OK
