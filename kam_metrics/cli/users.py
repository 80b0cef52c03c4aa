"""The ``user`` command of the command line (docs/cli.md).

``user add NAME --role viewer|editor|admin`` reads the password from the terminal (asked twice, never
echoed) or, when stdin is not a terminal, from one line of stdin; never from the command line, where
other users could read it in the process list. ``--sso`` adds a user who signs in only through the
identity provider (the row just gives the role). The command line acts with full rights.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Callable

from kam_metrics.cli.common import EXIT_OK, EXIT_REJECTED, UsageError, print_json
from kam_metrics.domain.enums import ROLES


def add_commands(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> dict[str, Callable[[argparse.Namespace], int]]:
    """Register this module's sub-commands; returns command name -> handler."""
    user = commands.add_parser("user", parents=[common], help="local users and their roles")
    actions = user.add_subparsers(dest="user_command", required=True, metavar="ACTION")
    add = actions.add_parser("add", parents=[common], help="add a user (password from the terminal or stdin)")
    add.add_argument("name")
    add.add_argument("--role", choices=ROLES, required=True)
    add.add_argument("--sso", action="store_true", help="no password: signs in through the identity provider only")
    add.add_argument("--json", action="store_true")
    listing = actions.add_parser("list", parents=[common], help="users and roles")
    listing.add_argument("--json", action="store_true")
    passwd = actions.add_parser("passwd", parents=[common], help="set a user's password (terminal or stdin)")
    passwd.add_argument("name")
    role = actions.add_parser("role", parents=[common], help="change a user's role")
    role.add_argument("name")
    role.add_argument("role", choices=ROLES)
    for name in ("disable", "enable"):
        action = actions.add_parser(name, parents=[common], help=f"{name} a user")
        action.add_argument("name")
    return {"user": _cmd_user}


def read_password(prompt: str = "Password: ") -> str:
    """The password: asked twice on a terminal, else the first line of stdin (without its line end)."""

    if sys.stdin.isatty():
        first = getpass.getpass(prompt)
        if getpass.getpass("Repeat the password: ") != first:
            raise UsageError("the two passwords differ")
        return first
    line = sys.stdin.readline()
    if not line:
        raise UsageError("no password on stdin (pipe one line, or run in a terminal)")
    return line.rstrip("\r\n")


def _cmd_user(args: argparse.Namespace) -> int:
    from kam_metrics.access import policy as access
    from kam_metrics.access import users as access_users
    from kam_metrics.store.connection import open_db

    actor = access.cli_actor()
    try:
        if args.user_command == "list":
            with open_db(args.db, read_only=True) as con:
                users = access_users.list_users(con)
            if args.json:
                print_json({"users": [{**u, "created_at": u["created_at"].isoformat(sep=" ", timespec="seconds")} for u in users]})
            else:
                for u in users:
                    flags = ", ".join(f for f, on in (("sso only", u["sso_only"]), ("disabled", u["disabled"])) if on)
                    print(f"{u['user_name']:<32} {u['role']:<7} {flags}")
            return EXIT_OK
        if args.user_command == "add":
            password = None if args.sso else read_password()
            with open_db(args.db) as con:
                access_users.add_user(con, actor, args.name, args.role, password)
            if args.json:
                print_json({"user_name": args.name.strip(), "role": args.role, "sso_only": bool(args.sso)})
            else:
                print(f"Added {args.role} {args.name.strip()}")
            return EXIT_OK
        if args.user_command == "passwd":
            password = read_password("New password: ")
            with open_db(args.db) as con:
                access_users.set_password(con, actor, args.name, password)
            print(f"Password of {args.name} changed")
            return EXIT_OK
        with open_db(args.db) as con:
            if args.user_command == "role":
                access_users.set_role(con, actor, args.name, args.role)
                print(f"{args.name} is now {args.role}")
            else:
                access_users.set_disabled(con, actor, args.name, args.user_command == "disable")
                print(f"{args.name} {args.user_command}d")
        return EXIT_OK
    except access_users.UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_REJECTED
