"""The data commands: ``init-demo``, ``info``, ``import``, ``imports`` and ``undo`` (docs/cli.md)."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable

from kam_metrics.cli.common import EXIT_OK, EXIT_REJECTED, UsageError, iso_date, positive_int, print_json
from kam_metrics.store.connection import DATA_TABLES as TABLE_NAMES
from kam_metrics.store.connection import describe_tables, open_db, resolve_db_path, schema_version


def add_commands(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> dict[str, Callable[[argparse.Namespace], int]]:
    demo = commands.add_parser("init-demo", parents=[common], help="build the demo database")
    demo.add_argument("--accounts", type=positive_int, default=120)
    demo.add_argument("--years", type=positive_int, default=3)
    demo.add_argument("--seed", type=int, default=42)
    demo.add_argument("--force", action="store_true", help="replace the data of an existing database")
    demo.add_argument("--json", action="store_true")

    info = commands.add_parser("info", parents=[common], help="tables, row counts, date ranges")
    info.add_argument("--json", action="store_true")

    imp = commands.add_parser("import", parents=[common], help="import a CSV, TSV or workbook (XLSX, XLS, XLSB, ODS) into a table")
    imp.add_argument("table", choices=["auto", *sorted(TABLE_NAMES)],
                     help="the table, or auto: the one the file's headers point to (told; several: listed, exit 2)")
    imp.add_argument("file")
    imp.add_argument("--mode", choices=("append", "upsert", "replace"), default="append")
    imp.add_argument("--map", action="append", default=[], metavar='"Source header=column"')
    imp.add_argument("--set", action="append", default=[], metavar="COLUMN=VALUE",
                     help="fill a column the file lacks, on every row (kind=complaint, quantity=1); repeatable")
    imp.add_argument("--recode", action="append", default=[], metavar='"COLUMN:SOURCE=TARGET"',
                     help='map a value of the file onto ours ("stage:Closed Won=won"); repeatable')
    imp.add_argument("--sheet")
    imp.add_argument("--encoding")
    imp.add_argument("--date-order", choices=("dmy", "mdy"))
    imp.add_argument("--wave")
    imp.add_argument("--survey-date", type=iso_date)
    imp.add_argument("--scale", action="append", default=[], metavar='"1-5" | "ITEM=0-10"',
                     help="survey_responses: the scale of the new items (every one, or one item); default 1-5")
    imp.add_argument("--na-values", action="append", default=[], metavar="CODE[,CODE]",
                     help='survey_responses: answers meaning "not applicable" (0, 99, 不适用), imported as blanks')
    imp.add_argument("--profile", metavar="NAME",
                     help="apply the saved import settings NAME (constants, recodes, scales, sheet...) and save this "
                     "import's under it; without it the settings saved for files with the same headers apply")
    imp.add_argument("--no-profile", action="store_true", help="apply no saved import settings")
    imp.add_argument("--create-accounts", action="store_true",
                     help="create minimal accounts for account ids that do not exist (sales, projects, ...)")
    imp.add_argument("--replace-all", action="store_true",
                     help="replace mode: replace the whole table, not only the file's date range")
    imp.add_argument("--dry-run", action="store_true")
    imp.add_argument("--skip-invalid", action="store_true",
                     help="import the valid rows and set the invalid ones aside (kept with the import); "
                     "default: all or nothing")
    imp.add_argument("--rejects", metavar="FILE",
                     help="write the rows set aside (or, for a rejected file, its problems) to this CSV")
    imp.add_argument("--lang", choices=("zh", "en"), help="language of messages (default: from $LANG)")
    imp.add_argument("--json", action="store_true")

    history = commands.add_parser("imports", parents=[common], help="import history, oldest first")
    history.add_argument("--json", action="store_true")

    undo = commands.add_parser("undo", parents=[common], help="undo an import exactly")
    undo.add_argument("import_id", type=int)
    undo.add_argument("--json", action="store_true")
    return {"init-demo": _cmd_init_demo, "info": _cmd_info, "import": _cmd_import, "imports": _cmd_imports, "undo": _cmd_undo}


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
        print_json({"db": str(path), "rows": counts})
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
        print_json({"db": str(path), "schema_version": version, "tables": tables})
    else:
        print(f"{path} (schema version {version})")
        for row in tables:
            span = f"{row['first_date']} .. {row['last_date']}" if row["first_date"] else ""
            print(f"  {row['table']:<18} {row['rows']:>12,}  {span}")
    return EXIT_OK


def _message_language(requested: str | None) -> str:
    if requested:
        return requested
    return "zh" if os.environ.get("LANG", "").lower().startswith("zh") else "en"


def _cmd_import(args: argparse.Namespace) -> int:
    from kam_metrics.ingest.stage import ImportRejected, import_file, parse_map_options

    lang = _message_language(args.lang)
    mapping = _parsed(parse_map_options, args.map)
    if not os.path.isfile(args.file):
        raise UsageError(f"{args.file}: no such file")
    chosen_from: list[str] = []
    if args.table == "auto":
        try:
            args.table, chosen_from = _auto_table(args, lang)
        except ImportRejected as exc:
            _report_rejection(args, exc.file_name, [p.as_dict(lang) for p in exc.problems], [], lang)
            return EXIT_REJECTED
    options = {
        "mapping": mapping, "sheet": args.sheet, "encoding": args.encoding, "date_order": args.date_order,
        "create_accounts": args.create_accounts, "wave": args.wave, "survey_date": args.survey_date,
        "replace_scope": "all" if args.replace_all else "range", "skip_invalid": args.skip_invalid,
        "profile": False if args.no_profile else args.profile, **_parsed_options(args),
    }
    try:
        staged, record = import_file(args.db, args.file, args.table, mode=args.mode, dry_run=args.dry_run, **options)
    except ImportRejected as exc:
        _write_rejects(args.rejects, [p.as_dict(lang) for p in exc.problems])
        _report_rejection(args, exc.file_name, [p.as_dict(lang) for p in exc.problems], [], lang)
        return EXIT_REJECTED
    notices = [zh if lang == "zh" else en for zh, en in staged.notices]
    if chosen_from:
        notices.insert(0, (f"按表头选择了 {args.table} 表(符合的表:{', '.join(chosen_from)})。" if lang == "zh" else
                           f"Table {args.table}, chosen from the headers (tables that fit: {', '.join(chosen_from)})."))
    if not staged.ok:
        _write_rejects(args.rejects, staged.problem_rows(lang))
        _report_rejection(args, staged.file_name, staged.problem_rows(lang), notices, lang)
        return EXIT_REJECTED
    _write_rejects(args.rejects, staged.skipped_problem_rows(lang))
    payload = _import_payload(args, staged, record, notices, chosen_from, lang)
    if args.json:
        print_json(payload)
    else:
        verb = "Would import" if record is None else f"Import {payload['import_id']}:"
        print(f"{verb} {staged.rows_read:,} rows of {staged.file_name} into {args.table} ({args.mode}): "
              f"{payload['rows_inserted']:,} new, {payload['rows_updated']:,} updated, {payload['rows_unchanged']:,} unchanged")
        if staged.skipped:
            where = f"; the rows are in {args.rejects}" if args.rejects else "; --rejects FILE writes them out"
            print(f"  {staged.skipped_rows:,} invalid rows set aside{where}")
        for notice in notices:
            print(f"  - {notice}")
    return EXIT_OK


def _import_payload(args: argparse.Namespace, staged, record: dict | None, notices: list[str], chosen_from: list[str],
                    lang: str) -> dict:
    """The ``import --json`` payload of an import committed or previewed (docs/cli.md)."""
    return {
        "status": "dry_run" if record is None else "committed",
        "table": args.table,
        "table_candidates": chosen_from,
        "profile": staged.profile,
        "profile_saved": staged.profile_name if record else None,
        "file_name": staged.file_name,
        "mode": args.mode,
        "import_id": record["import_id"] if record else None,
        "rows_read": staged.rows_read,
        "rows_inserted": record["rows_inserted"] if record else staged.preview.get("new"),
        "rows_updated": record["rows_updated"] if record else staged.preview.get("updated"),
        "rows_unchanged": record["rows_unchanged"] if record else staged.preview.get("unchanged"),
        "rows_replaced": record["rows_replaced"] if record else None,
        "rows_rejected": staged.skipped_rows,
        "accounts_created": record["accounts_created"] if record else len(staged.missing_accounts),
        "mapping": {h: c for h, c in staged.mapping.items() if c},
        "date_orders": staged.date_orders,
        "preview": staged.preview,
        "notices": notices,
        "skipped": staged.skipped_problem_rows(lang)[:1000],
    }


def _parsed(parse: Callable, items: list[str]):
    """An option list parsed, its mistakes a usage error (exit 2) saying how to write it."""
    try:
        return parse(items)
    except ValueError as exc:
        raise UsageError(str(exc)) from exc


def _parsed_options(args: argparse.Namespace) -> dict:
    """The import options written as small languages: --set, --recode, --scale, --na-values."""
    from kam_metrics.ingest.stage import parse_recode_options, parse_set_options
    from kam_metrics.ingest.surveys import parse_na_values, parse_scale_options

    return {"fill": _parsed(parse_set_options, args.set), "recodes": _parsed(parse_recode_options, args.recode),
            "scales": _parsed(parse_scale_options, args.scale), "na_values": _parsed(parse_na_values, args.na_values)}


def _auto_table(args: argparse.Namespace, lang: str) -> tuple[str, list[str]]:
    """``import auto``: the table the file's headers point to and every table that fits; none or a tie
    is a usage error (exit 2) listing the candidates, so a script never imports into a guess."""
    from pathlib import Path

    from kam_metrics.ingest.stage import propose_table

    chosen, ranked = propose_table(Path(args.file).read_bytes(), Path(args.file).name, sheet=args.sheet, encoding=args.encoding)
    fits = [f"{name} ({n} columns)" for name, n in ranked]
    if chosen is None:
        listed = "; ".join(fits) or ("没有" if lang == "zh" else "none")
        raise UsageError((f"{args.file}: 无法从表头确定导入到哪张表(符合的表:{listed});请写出表名,例如 import sales FILE。") if lang == "zh"
                         else (f"{args.file}: cannot tell the table from the headers (tables that fit: {listed}); "
                               "name it, for example import sales FILE"))
    return chosen, [name for name, _ in ranked]


def _write_rejects(target: str | None, problems: list[dict]) -> None:
    """``--rejects FILE``: the rows set aside or the problems, as a CSV Excel opens (UTF-8 with BOM); the
    values come from the file, so a formula-like cell is neutralised."""
    if not target:
        return
    import csv

    from kam_metrics.access.export_safety import neutralise

    with open(target, "w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["row", "column", "value", "problem", "fix"])
        for p in problems:
            writer.writerow([p["row"], p["column"], neutralise(p["value"]), p["problem"], p["fix"]])


def _report_rejection(args, file_name: str, problems: list[dict], notices: list[str], lang: str) -> None:
    if args.json:
        print_json({"status": "rejected", "file_name": file_name, "rows_rejected": len({p["row"] for p in problems if p["row"]}),
                     "problems": problems[:1000], "problem_count": len(problems), "notices": notices})
        return
    title = "导入被拒绝,数据库未作任何改动" if lang == "zh" else "Import rejected; the database was not changed"
    print(f"{file_name}: {title} ({len(problems)}):", file=sys.stderr)
    for p in problems[:50]:
        where = ", ".join(part for part in (f"row {p['row']}" if p["row"] else "", f"column {p['column']}" if p["column"] else "") if part)
        value = f" value {p['value']!r}" if p["value"] is not None else ""
        lead = f"{where}{value}: " if where or value else ""
        print(f"  {lead}{p['problem']} {p['fix']}", file=sys.stderr)
    if len(problems) > 50:
        print(f"  ... {len(problems) - 50} more (use --json for all)", file=sys.stderr)


def _cmd_imports(args: argparse.Namespace) -> int:
    from kam_metrics.ingest.stage import import_history

    with open_db(args.db, read_only=True) as con:
        history = import_history(con)
    if args.json:
        print_json({"imports": history})
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
        print_json(result)
    else:
        print(f"Undid import {result['import_id']}: {result['rows_deleted']:,} rows removed, {result['rows_restored']:,} restored")
    return EXIT_OK
