"""The command line (docs/cli.md): ``python -m kam_metrics COMMAND ...``.

One module per command group (:data:`GROUPS`), each with ``add_commands(subparsers, common) ->
{command: handler}``; a handler returns an exit status (:mod:`kam_metrics.cli.common`).
Exit status: 0 done; 2 wrong usage; 3 input rejected (nothing written); 1 anything else.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from kam_metrics.cli import churn, data, forecast, kpi, report, users
from kam_metrics.cli.common import EXIT_ERROR, EXIT_USAGE, UsageError
from kam_metrics.store.connection import DatabaseLocked

#: the command groups, in the order ``--help`` lists them
GROUPS = (data, kpi, forecast, churn, report, users)


def build_parser() -> tuple[argparse.ArgumentParser, dict[str, Callable[[argparse.Namespace], int]]]:
    """The parser of every command and the handler of each command name."""
    db_help = "database file (default: $KAM_DB, then data/kam.duckdb)"
    parser = argparse.ArgumentParser(prog="python -m kam_metrics", description="KAM Dashboard command line")
    parser.add_argument("--db", help=db_help)
    # --db after the command too; SUPPRESS keeps a --db given before the command when none follows it
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", help=db_help, default=argparse.SUPPRESS)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    handlers: dict[str, Callable[[argparse.Namespace], int]] = {}
    for group in GROUPS:
        handlers.update(group.add_commands(commands, common))
    return parser, handlers


def main(argv: Sequence[str] | None = None) -> int:
    parser, handlers = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse: 2 for usage errors, 0 for --help
        return int(exc.code or 0)
    try:
        return handlers[args.command](args)
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except DatabaseLocked as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ERROR
