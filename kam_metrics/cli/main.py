"""The command line (docs/cli.md): ``python -m kam_metrics COMMAND ...``.

One module per command group (:data:`GROUPS`), each with ``add_commands(subparsers, common) ->
{command: handler}``; a handler returns an exit status (:mod:`kam_metrics.cli.common`).
Exit status: 0 done; 2 wrong usage; 3 input rejected (nothing written); 1 anything else.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence

from kam_metrics.cli import churn, data, forecast, kpi, report, users
from kam_metrics.cli.common import EXIT_ERROR, EXIT_REJECTED, EXIT_USAGE, UsageError
from kam_metrics.store.connection import DatabaseLocked, DatabaseTooNew

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
    """Run one command; every failure ends in one line on stderr and a documented status, never a
    traceback (``KAM_DEBUG=1`` re-raises the unexpected ones for a developer)."""
    parser, handlers = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse: 2 for usage errors, 0 for --help
        return int(exc.code or 0)
    try:
        return handlers[args.command](args)
    except BrokenPipeError:
        return _output_closed()
    except Exception as exc:  # noqa: BLE001 - the one place that turns errors into statuses
        status, message = _failure(exc)
        if status == EXIT_ERROR and not isinstance(exc, (DatabaseLocked, FileNotFoundError)) and os.environ.get("KAM_DEBUG"):
            raise
        try:
            print(f"error: {message}", file=sys.stderr)
        except (BrokenPipeError, ValueError):
            pass
        return status


def _failure(exc: Exception) -> tuple[int, str]:
    """The status and the one-line message of a failed command."""
    import duckdb

    if isinstance(exc, UsageError):
        return EXIT_USAGE, str(exc)
    if isinstance(exc, DatabaseTooNew):
        return EXIT_REJECTED, str(exc)
    if isinstance(exc, (DatabaseLocked, FileNotFoundError)):
        return EXIT_ERROR, str(exc)
    first_line = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    if isinstance(exc, (duckdb.IOException, OSError)):
        return EXIT_ERROR, (
            f"the database file could not be read or written ({first_line}). Nothing was changed: every "
            "write is one transaction. Check the disk space and the file's permissions, then try again. / "
            "无法读写数据库文件,未做任何更改;请检查磁盘空间和文件权限后重试。"
        )
    if isinstance(exc, duckdb.Error):
        return EXIT_ERROR, (
            f"the database refused the operation ({type(exc).__name__}: {first_line}); nothing was changed. / "
            "数据库拒绝了该操作,未做任何更改。"
        )
    return EXIT_ERROR, f"unexpected error ({type(exc).__name__}: {first_line}). / 意外错误。"


def _output_closed() -> int:
    """The reader of our output went away (``info | head``): stop quietly, without a traceback at exit."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
    return EXIT_ERROR
