"""The command line (design.md §7): ``python -m kam_metrics COMMAND ...``.

Exit status: 0 done; 2 wrong usage; 3 input rejected (nothing written); 1 anything else.
``--json`` prints one JSON object on stdout: fractions as decimals, ratios without a denominator as
null, dates ISO.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import date
from typing import Any

from kam_metrics.store import DatabaseLocked, describe_tables, open_db, resolve_db_path, schema_version

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_REJECTED = 0, 1, 2, 3


class UsageError(Exception):
    """Arguments that parse but make no sense (exit 2)."""


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date; write it as YYYY-MM-DD") from None


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} must be at least 1")
    return value


def _json_default(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def _print_json(payload: dict) -> None:
    print(json.dumps(payload, ensure_ascii=False, default=_json_default, allow_nan=False))


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", help="database file (default: $KAM_DB, then data/kam.duckdb)")

    parser = argparse.ArgumentParser(
        prog="python -m kam_metrics", description="KAM Dashboard command line", parents=[common]
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = commands.add_parser("init-demo", parents=[common], help="build the demo database")
    demo.add_argument("--accounts", type=_positive_int, default=120)
    demo.add_argument("--years", type=_positive_int, default=3)
    demo.add_argument("--seed", type=int, default=42)
    demo.add_argument("--force", action="store_true", help="replace the data of an existing database")
    demo.add_argument("--json", action="store_true")

    info = commands.add_parser("info", parents=[common], help="tables, row counts, date ranges")
    info.add_argument("--json", action="store_true")

    kpi = commands.add_parser("kpi", parents=[common], help="headline KPIs of a period")
    kpi.add_argument("--start", type=_iso_date, required=True)
    kpi.add_argument("--end", type=_iso_date, required=True)
    kpi.add_argument("--compare", choices=("previous", "yoy"), default="previous")
    kpi.add_argument("--json", action="store_true")
    return parser


def _cmd_init_demo(args: argparse.Namespace) -> int:
    from kam_metrics.demo import build_demo_database

    path = resolve_db_path(args.db)

    def progress(fraction: float, message: str) -> None:
        if not args.json:
            print(f"\r{fraction:6.1%} {message:<60}", end="", file=sys.stderr, flush=True)

    try:
        counts = build_demo_database(
            path, accounts=args.accounts, years=args.years, seed=args.seed, force=args.force, progress=progress
        )
    except FileExistsError as exc:
        print(f"\n{exc}", file=sys.stderr)
        return EXIT_REJECTED
    except ValueError as exc:  # sizes the generator cannot honour (e.g. fewer than 10 accounts)
        raise UsageError(str(exc)) from exc
    if not args.json:
        print(file=sys.stderr)
    if args.json:
        _print_json({"db": str(path), "rows": counts})
    else:
        print(f"Demo database {path}:")
        for table, rows in counts.items():
            print(f"  {table:<18} {rows:>12,}")
    return EXIT_OK


def _cmd_info(args: argparse.Namespace) -> int:
    path = resolve_db_path(args.db)
    with open_db(path, read_only=True) as con:
        tables = describe_tables(con)
        version = schema_version(con)
    if args.json:
        _print_json({"db": str(path), "schema_version": version, "tables": tables})
    else:
        print(f"{path} (schema version {version})")
        for row in tables:
            span = f"{row['first_date']} .. {row['last_date']}" if row["first_date"] else ""
            print(f"  {row['table']:<18} {row['rows']:>12,}  {span}")
    return EXIT_OK


def _cmd_kpi(args: argparse.Namespace) -> int:
    from kam_metrics.filters import Filters
    from kam_metrics.kpi import compute_kpis

    if args.end < args.start:
        raise UsageError(f"--end {args.end} is before --start {args.start}")
    filters = Filters(start=args.start, end=args.end, compare=args.compare)
    with open_db(args.db, read_only=True) as con:
        result = compute_kpis(con, filters)
    if args.json:
        _print_json(result)
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


COMMANDS = {"init-demo": _cmd_init_demo, "info": _cmd_info, "kpi": _cmd_kpi}


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse: 2 for usage errors, 0 for --help
        return int(exc.code or 0)
    try:
        return COMMANDS[args.command](args)
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except DatabaseLocked as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ERROR
