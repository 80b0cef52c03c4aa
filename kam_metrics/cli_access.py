"""The ``user`` command of the command line (design.md §7)."""

from __future__ import annotations

import argparse
from collections.abc import Callable


def add_commands(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> dict[str, Callable[[argparse.Namespace], int]]:
    """Register this module's sub-commands; returns command name -> handler."""
    return {}
