"""The ``report`` command of the command line (docs/cli.md):

``report --start DATE --end DATE --format pptx|html|xlsx [--lang zh|en] [--mask-names] --out FILE``

builds the review report (kam_metrics.report.build) and writes it. ``--out`` naming a directory writes the
default file name there (大客户汇报_2026Q3.pptx / KAM_review_2026Q3.pptx: the name carries the period).
Optional: ``--compare previous|yoy``, one scope (``--owner``, ``--region`` or ``--accounts``; default
all accounts), ``--report-id`` to export a saved report with its edited text and actions, ``--json``."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

from kam_metrics.cli.common import EXIT_OK, UsageError, iso_date, print_json


def add_commands(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> dict[str, Callable[[argparse.Namespace], int]]:
    """Register this module's sub-commands; returns command name -> handler."""

    parser = commands.add_parser("report", parents=[common], help="export the review report (PowerPoint, HTML, Excel)")
    parser.add_argument("--start", type=iso_date, required=True)
    parser.add_argument("--end", type=iso_date, required=True)
    parser.add_argument("--format", choices=("pptx", "html", "xlsx"), required=True)
    parser.add_argument("--lang", choices=("zh", "en"), default=None, help="default: zh unless $LANG is not Chinese")
    parser.add_argument("--mask-names", action="store_true", help="replace account names by 客户A, 客户B… / Customer A…")
    parser.add_argument("--out", required=True, help="the file to write, or a directory for the default file name")
    parser.add_argument("--compare", choices=("previous", "yoy"), default="previous")
    scope = parser.add_mutually_exclusive_group()
    scope.add_argument("--owner", action="append", help="scope: the accounts of this account manager (repeatable)")
    scope.add_argument("--region", action="append", help="scope: the accounts of this region (repeatable)")
    scope.add_argument("--accounts", nargs="+", metavar="ACCOUNT_ID", help="scope: these accounts")
    parser.add_argument("--report-id", type=int, help="export a saved report (its text, actions and scope)")
    parser.add_argument("--json", action="store_true")
    return {"report": _cmd_report}


def _language(requested: str | None) -> str:
    import os

    if requested:
        return requested
    value = os.environ.get("LANG", "")
    return "en" if value and not value.lower().startswith("zh") and not value.startswith(("C.", "POSIX")) and value != "C" else "zh"


def _cmd_report(args: argparse.Namespace) -> int:
    from kam_metrics.domain.filters import Filters
    from kam_metrics.report import build as reports
    from kam_metrics.report import model as report_model
    from kam_metrics.report import store as report_store
    from kam_metrics.store.connection import open_db

    if args.end < args.start:
        raise UsageError(f"--end {args.end} is before --start {args.start}")
    lang = _language(args.lang)
    if args.owner:
        scope = {"kind": "owner", "values": args.owner}
    elif args.region:
        scope = {"kind": "region", "values": args.region}
    elif args.accounts:
        scope = {"kind": "accounts", "values": args.accounts}
    else:
        scope = {"kind": "all"}
    with open_db(args.db, read_only=True) as con:
        if args.report_id is not None:
            saved = report_store.load_saved_report(con, args.report_id)
            if saved is None:
                raise UsageError(f"no saved report {args.report_id}")
            scope = saved["scope"]
        filters = Filters(start=args.start, end=args.end, compare=args.compare)
        report = reports.build_report(con, filters, lang, scope, report_id=args.report_id, mask_names=args.mask_names)
    out = Path(args.out)
    if out.is_dir() or args.out.endswith(("/", "\\")):
        out = out / report_model.export_file_name(report, args.format)
    elif out.suffix.lower() != f".{args.format}":
        raise UsageError(f"--out {args.out} does not end in .{args.format}; give a .{args.format} file or a directory")
    out.parent.mkdir(parents=True, exist_ok=True)
    data = reports.render(report, args.format)
    out.write_bytes(data)
    if args.json:
        print_json({"file": str(out), "format": args.format, "bytes": len(data), **reports.report_json(report)})
    else:
        print(f"Wrote {out} ({len(data):,} bytes): {report.title}, {len(report.sections)} sections")
    return EXIT_OK

