"""The command line (docs/cli.md): ``python -m kam_metrics COMMAND ...``.

Exit status: 0 done; 2 wrong usage; 3 input rejected (nothing written); 1 anything else.
``--json`` prints one JSON object on stdout: fractions as decimals, ratios without a denominator as
null, dates ISO.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
from collections.abc import Sequence
from datetime import date
from typing import Any

from kam_metrics.store.connection import DATA_TABLES as TABLE_NAMES
from kam_metrics.store.connection import DatabaseLocked, describe_tables, open_db, resolve_db_path, schema_version

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

    imp = commands.add_parser("import", parents=[common], help="import a CSV, TSV or XLSX file into a table")
    imp.add_argument("table", choices=sorted(TABLE_NAMES))
    imp.add_argument("file")
    imp.add_argument("--mode", choices=("append", "upsert", "replace"), default="append")
    imp.add_argument("--map", action="append", default=[], metavar='"Source header=column"')
    imp.add_argument("--sheet")
    imp.add_argument("--encoding")
    imp.add_argument("--date-order", choices=("dmy", "mdy"))
    imp.add_argument("--wave")
    imp.add_argument("--survey-date", type=_iso_date)
    imp.add_argument("--create-accounts", action="store_true",
                     help="create minimal accounts for account ids that do not exist (sales, projects, ...)")
    imp.add_argument("--replace-all", action="store_true",
                     help="replace mode: replace the whole table, not only the file's date range")
    imp.add_argument("--dry-run", action="store_true")
    imp.add_argument("--lang", choices=("zh", "en"), help="language of messages (default: from $LANG)")
    imp.add_argument("--json", action="store_true")

    history = commands.add_parser("imports", parents=[common], help="import history, oldest first")
    history.add_argument("--json", action="store_true")

    undo = commands.add_parser("undo", parents=[common], help="undo an import exactly")
    undo.add_argument("import_id", type=int)
    undo.add_argument("--json", action="store_true")

    kpi = commands.add_parser("kpi", parents=[common], help="headline KPIs of a period")
    kpi.add_argument("--start", type=_iso_date, required=True)
    kpi.add_argument("--end", type=_iso_date, required=True)
    kpi.add_argument("--compare", choices=("previous", "yoy"), default="previous")
    kpi.add_argument("--json", action="store_true")

    sat = commands.add_parser("satisfaction", parents=[common], help="satisfaction of a survey wave or a date range")
    sat.add_argument("--wave")
    sat.add_argument("--start", type=_iso_date)
    sat.add_argument("--end", type=_iso_date)
    sat.add_argument("--json", action="store_true")

    # Each later area of the product registers its own commands from its own module (see EXTENSIONS).
    for module_name in EXTENSIONS:
        module = importlib.import_module(module_name)
        COMMANDS.update(module.add_commands(commands, common))
    return parser


def _cmd_init_demo(args: argparse.Namespace) -> int:
    from kam_metrics.demo.generator import build_demo_database

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
    from kam_metrics.domain.filters import Filters
    from kam_metrics.metrics.kpi import compute_kpis

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
        _print_json({"wave": wave, "start": args.start, "end": args.end, **payload})
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


def _message_language(requested: str | None) -> str:
    if requested:
        return requested
    return "zh" if os.environ.get("LANG", "").lower().startswith("zh") else "en"


def _cmd_import(args: argparse.Namespace) -> int:
    from kam_metrics.ingest.stage import ImportRejected, import_file, parse_map_options

    lang = _message_language(args.lang)
    try:
        mapping = parse_map_options(args.map)
    except ValueError as exc:
        raise UsageError(str(exc)) from exc
    if not os.path.isfile(args.file):
        raise UsageError(f"{args.file}: no such file")
    options = {
        "mapping": mapping, "sheet": args.sheet, "encoding": args.encoding, "date_order": args.date_order,
        "create_accounts": args.create_accounts, "wave": args.wave, "survey_date": args.survey_date,
        "replace_scope": "all" if args.replace_all else "range",
    }
    try:
        staged, record = import_file(args.db, args.file, args.table, mode=args.mode, dry_run=args.dry_run, **options)
    except ImportRejected as exc:
        _report_rejection(args, exc.file_name, [p.as_dict(lang) for p in exc.problems], [], lang)
        return EXIT_REJECTED
    notices = [zh if lang == "zh" else en for zh, en in staged.notices]
    if not staged.ok:
        _report_rejection(args, staged.file_name, staged.problem_rows(lang), notices, lang)
        return EXIT_REJECTED
    payload = {
        "status": "dry_run" if record is None else "committed",
        "table": args.table,
        "file_name": staged.file_name,
        "mode": args.mode,
        "import_id": record["import_id"] if record else None,
        "rows_read": staged.rows_read,
        "rows_inserted": record["rows_inserted"] if record else staged.preview.get("new"),
        "rows_updated": record["rows_updated"] if record else staged.preview.get("updated"),
        "rows_unchanged": record["rows_unchanged"] if record else staged.preview.get("unchanged"),
        "rows_replaced": record["rows_replaced"] if record else None,
        "rows_rejected": 0,
        "accounts_created": record["accounts_created"] if record else len(staged.missing_accounts),
        "mapping": {h: c for h, c in staged.mapping.items() if c},
        "date_orders": staged.date_orders,
        "preview": staged.preview,
        "notices": notices,
    }
    if args.json:
        _print_json(payload)
    else:
        verb = "Would import" if record is None else f"Import {payload['import_id']}:"
        print(f"{verb} {staged.rows_read:,} rows of {staged.file_name} into {args.table} ({args.mode}): "
              f"{payload['rows_inserted']:,} new, {payload['rows_updated']:,} updated, {payload['rows_unchanged']:,} unchanged")
        for notice in notices:
            print(f"  - {notice}")
    return EXIT_OK


def _report_rejection(args, file_name: str, problems: list[dict], notices: list[str], lang: str) -> None:
    if args.json:
        _print_json({"status": "rejected", "file_name": file_name, "rows_rejected": len({p["row"] for p in problems if p["row"]}),
                     "problems": problems[:1000], "problem_count": len(problems), "notices": notices})
        return
    title = "导入被拒绝,数据库未作任何改动" if lang == "zh" else "Import rejected; the database was not changed"
    print(f"{file_name}: {title} ({len(problems)}):", file=sys.stderr)
    for p in problems[:50]:
        where = ", ".join(part for part in (f"row {p['row']}" if p["row"] else "", f"column {p['column']}" if p["column"] else "") if part)
        value = f" value {p['value']!r}" if p["value"] is not None else ""
        print(f"  {where}{value}: {p['problem']} {p['fix']}", file=sys.stderr)
    if len(problems) > 50:
        print(f"  ... {len(problems) - 50} more (use --json for all)", file=sys.stderr)


def _cmd_imports(args: argparse.Namespace) -> int:
    from kam_metrics.ingest.stage import import_history

    with open_db(args.db, read_only=True) as con:
        history = import_history(con)
    if args.json:
        _print_json({"imports": history})
    else:
        for r in history:
            print(f"{r['import_id']:>5} {r['status']:<9} {r['table_name']:<16} {r['mode']:<8} {r['rows_inserted']:>10,} new "
                  f"{r['rows_updated']:>8,} upd  {r['started_at']}  {r['file_name']}")
    return EXIT_OK


def _cmd_undo(args: argparse.Namespace) -> int:
    from kam_metrics.ingest.stage import UndoRefused, undo_import

    try:
        result = undo_import(args.db, args.import_id)
    except UndoRefused as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_REJECTED
    if args.json:
        _print_json(result)
    else:
        print(f"Undid import {result['import_id']}: {result['rows_deleted']:,} rows removed, {result['rows_restored']:,} restored")
    return EXIT_OK


COMMANDS = {
    "init-demo": _cmd_init_demo,
    "info": _cmd_info,
    "import": _cmd_import,
    "imports": _cmd_imports,
    "undo": _cmd_undo,
    "kpi": _cmd_kpi,
    "satisfaction": _cmd_satisfaction,
}

# Modules with ``add_commands(subparsers, common) -> {command: handler}``; handlers return an exit status.
EXTENSIONS = (
    "kam_metrics.cli.forecast",  # forecast
    "kam_metrics.cli.churn",  # churn backtest | score
    "kam_metrics.cli.report",  # report
    "kam_metrics.cli.users",  # user add
)


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
