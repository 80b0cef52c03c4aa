"""What every command group shares: exit codes, the usage error, argument types and JSON output.

Exit status: 0 done; 2 wrong usage; 3 input rejected (nothing written); 1 anything else.
``--json`` prints one JSON object on stdout: fractions as decimals, ratios without a denominator as
null, dates ISO.
"""

from __future__ import annotations

import argparse
import json
from datetime import date
from typing import Any

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_REJECTED = 0, 1, 2, 3


class UsageError(Exception):
    """Arguments that parse but make no sense (exit 2)."""


def iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date; write it as YYYY-MM-DD") from None


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} must be at least 1")
    return value


def json_default(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def print_json(payload: dict) -> None:
    print(json.dumps(payload, ensure_ascii=False, default=json_default, allow_nan=False))
