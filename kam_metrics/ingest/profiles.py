"""Import profiles: the second upload of the same export is one click.

A profile keeps, under a name, the choices an import was committed with beyond the column mapping
(which ``import_mappings`` remembers by headers): the constants (``--set``), the recodes, the survey
scales and "not applicable" codes, the sheet and the date order. It is saved with every commit, for
the file's headers, under the name the user gave (``--profile NAME``) or else the file's name, and the
next file with the same headers gets it applied with a notice (the page lets the user turn it off);
options given explicitly win over the saved ones. May import: json, duckdb (through the caller's
connection), kam_metrics.store.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from kam_metrics.store import connection as store

#: the options a profile keeps
OPTIONS = ("fill", "recodes", "scales", "na_values", "sheet", "date_order")


def _decoded(text: str) -> dict[str, Any]:
    options = json.loads(text)
    if options.get("scales"):
        options["scales"] = {item: tuple(scale) for item, scale in options["scales"].items()}
    return {k: v for k, v in options.items() if k in OPTIONS and v}


def find(db: str | os.PathLike | None, table: str, name: str) -> tuple[str, dict[str, Any]] | None:
    """The profile called ``name`` for ``table``: (name, options); None when there is none or no database."""
    path = store.resolve_db_path(db)
    if not path.exists():
        return None
    with store.open_db(path, read_only=True) as con:
        row = con.execute("select name, options_json from import_profiles where name = ? and table_name = ?",
                          [name, table]).fetchone()
    return (row[0], _decoded(row[1])) if row else None


def for_headers(con, table: str, signature: str) -> tuple[str, dict[str, Any]] | None:
    """The profile saved last for files of ``table`` with these headers, read through the caller's
    connection: (name, options), or None."""
    row = con.execute("select name, options_json from import_profiles where table_name = ? and header_signature = ? "
                      "order by updated_at desc limit 1", [table, signature]).fetchone()
    return (row[0], _decoded(row[1])) if row else None


def merged(given: dict[str, Any], saved: dict[str, Any]) -> dict[str, Any]:
    """The options to stage with: each one given explicitly, else the profile's."""
    return {key: given.get(key) or saved.get(key) for key in OPTIONS}


def save(con, name: str, table: str, signature: str, options: dict[str, Any]) -> None:
    """Keep ``options`` as the profile ``name`` for files of ``table`` with these headers (inside the
    caller's import transaction)."""
    kept = {k: v for k, v in options.items() if k in OPTIONS and v}
    con.execute("insert or replace into import_profiles values (?, ?, ?, ?, current_timestamp)",
                [name, table, signature, json.dumps(kept, ensure_ascii=False, sort_keys=True)])


def default_name(file_name: str) -> str:
    """The name a profile gets when the user gave none: the file's name without its extension."""
    return Path(file_name).stem or file_name


def describe(options: dict[str, Any]) -> tuple[str, str]:
    """What a profile sets, in both languages, for the notice that applies it."""
    parts_zh, parts_en = [], []
    for column, value in (options.get("fill") or {}).items():
        parts_zh.append(f"{column}={value}")
        parts_en.append(f"{column}={value}")
    recodes = sum(len(pairs) for pairs in (options.get("recodes") or {}).values())
    if recodes:
        parts_zh.append(f"{recodes} 个取值对应")
        parts_en.append(f"{recodes} recoding(s)")
    for key, zh, en in (("scales", "量表", "scales"), ("na_values", "不适用代码", "not-applicable codes"),
                        ("sheet", "工作表", "sheet"), ("date_order", "日期顺序", "date order")):
        if options.get(key):
            value = options[key]
            shown = ", ".join(f"{k}={lo}-{hi}" for k, (lo, hi) in value.items()) if key == "scales" else (
                ", ".join(value) if isinstance(value, list) else str(value))
            parts_zh.append(f"{zh} {shown}")
            parts_en.append(f"{en} {shown}")
    return "、".join(parts_zh) or "仅列的对应关系", ", ".join(parts_en) or "the column mapping only"
