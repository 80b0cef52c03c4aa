"""Importing CSV / TSV / XLSX files into the database: map, parse, validate, preview, commit, undo.

The flow (the import page and ``python -m kam_metrics import`` share it):

1. :func:`stage_file` reads the file into an in-memory DuckDB (kam_metrics.ingest.read), guesses the
   mapping of its headers onto the table's canonical columns (aliases in kam_metrics.ingest.spec, fuzzy
   matches, a remembered mapping for the same headers, the user's overrides), parses every value in SQL
   (dates in their one consistent order, amounts with ¥, 万, 亿, %, thousands separators, parenthesised
   negatives and full-width digits), and validates every row at once. Nothing touches the database file
   except short read-only look-ups (existing accounts, survey scales, earlier imports).
2. :func:`commit_staged` writes the staged rows in ONE transaction (append, upsert or replace) and keeps
   the previous version of every row it updates or deletes in the table's backup twin, so
3. :func:`undo_import` returns the database exactly to its state before that import.

Validation runs as SQL over the staged rows rather than as a pandera schema over a pandas frame: a
one-million-row file would otherwise have to sit in pandas memory, and the checks are the same (every
problem of every row is collected at once, lazily, and reported with row, column, value and fix).
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import rapidfuzz

from kam_metrics.ingest import profiles, surveys
from kam_metrics.ingest.read import MAX_PROBLEMS, ImportRejected, Problem, RawTable, read_into_staging, reject, sql_literal
from kam_metrics.ingest.spec import ENUMS, TABLES, Column, TableSpec, known_headers, money_rank, normalise_header
from kam_metrics.store import connection as store

MODES = ("append", "upsert", "replace")
#: how similar (0-100) a header must be to a column's name or alias for a fuzzy guess
FUZZY_CUTOFF = 85
#: a number whose magnitude reaches this is no amount, quantity or score of any business: a problem
IMPLAUSIBLE_NUMBER = 1e15

_CLEAN_MACROS = [
    # full-width digits and punctuation to ASCII, trimmed, empty -> NULL
    "create or replace macro kam_clean(v) as nullif(trim(translate(v::varchar, "
    "'０１２３４５６７８９．，－＋（）％　：／', '0123456789.,-+()% :/')), '')",
    "create or replace macro kam_numtext(v) as "
    "regexp_replace(kam_clean(v), '[¥￥$,\\s]|元|RMB|CNY', '', 'g')",
    "create or replace macro kam_number_text(v) as ("
    " case when kam_clean(v) is null or kam_clean(v) in ('-', '--', '—', 'N/A', 'NA', 'n/a') then null"
    " else try_cast(rtrim(trim(kam_numtext(v), '()'), '亿万%') as double)"
    "  * (case when rtrim(trim(kam_numtext(v), '()'), '') like '%亿' then 100000000"
    "          when rtrim(trim(kam_numtext(v), '()'), '') like '%万' then 10000"
    "          when kam_numtext(v) like '%\\%%' escape '\\' then 0.01 else 1 end)"
    "  * (case when kam_numtext(v) like '(%)' then -1 else 1 end) end)",
    # NaN, inf and magnitudes no amount or quantity reaches (1e308) are never stored: NULL, then a problem
    "create or replace macro kam_finite(x) as case when isfinite(x) and abs(x) < " + repr(IMPLAUSIBLE_NUMBER) + " then x end",
    "create or replace macro kam_nonfinite(v) as coalesce(not (isfinite(try_cast(kam_numtext(v) as double)) "
    "and abs(try_cast(kam_numtext(v) as double)) < " + repr(IMPLAUSIBLE_NUMBER) + "), false)",
    # fast path first (CASE is evaluated lazily, COALESCE is not): plain numbers cast directly
    "create or replace macro kam_number(v) as case when try_cast(v as double) is not null then kam_finite(try_cast(v as double)) "
    "else kam_finite(kam_number_text(v)) end",
    # a direct cast reads 22-04-15 as the year 22 and inf as the end of time: those go through the formats
    "create or replace macro kam_sane_timestamp(t) as case when isfinite(t) and year(t) >= 1000 then t end",
    # exports write the weekday after the date: 2018-01-01 星期五, 2018-01-01 (周一), 1/5/2025 Mon
    "create or replace macro kam_date_clean(v) as regexp_replace(kam_clean(v), "
    "'\\s*\\(?(星期|周|礼拜)[一二三四五六日天]\\)?$|\\s*\\(?(mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(day|nesday|sday|urday)?\\.?\\)?$', '', 'i')",
    # text keeps full-width characters (they are content); only blanks become NULL
    "create or replace macro kam_text(v) as nullif(trim(v), '')",
    "create or replace macro kam_is_blank(v) as (kam_clean(v) is null or kam_clean(v) in ('-', '--', '—', 'N/A', 'NA', 'n/a'))",
]
_ISO_FORMATS = [
    "%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d", "%d-%b-%y", "%d-%b-%Y", "%d %b %Y",
    "%b %d, %Y", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M",
    "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S.%f", "%Y年%m月%d日 %H:%M",
]
# two-digit years are tried before every other form: %Y would read 15/04/22 or 22-04-15 as the year 22
_TWO_DIGIT_YEAR_FORMATS = {
    "dmy": ["%d/%m/%y", "%d-%m-%y", "%d.%m.%y", "%d/%m/%y %H:%M"],
    "mdy": ["%m/%d/%y", "%m-%d-%y", "%m/%d/%y %H:%M"],
}
_ORDERED_FORMATS = {
    "dmy": ["%d/%m/%Y", "%d.%m.%Y", "%d-%m-%Y", "%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S", "%d.%m.%Y %H:%M"],
    "mdy": ["%m/%d/%Y", "%m-%d-%Y", "%m.%d.%Y", "%m/%d/%Y %H:%M", "%m/%d/%Y %H:%M:%S"],
}
_DATE_MACROS = [
    # fast path first: ISO dates and timestamps cast directly; only other forms go through the formats
    "create or replace macro kam_timestamp_" + order + "(v) as case when kam_sane_timestamp(try_cast(v as timestamp)) is not null "
    "then try_cast(v as timestamp) else kam_timestamp_text_" + order + "(v) end"
    for order in ("dmy", "mdy")
]
_DATE_TEXT_MACROS = [
    "create or replace macro kam_timestamp_text_" + order + "(v) as ("
    " case when kam_clean(v) is null then null"
    " when regexp_full_match(kam_clean(v), '[0-9]{5}(\\.[0-9]+)?') and try_cast(kam_clean(v) as double) between 1 and 80000"
    "  then timestamp '1899-12-30' + to_microseconds(cast(round(try_cast(kam_clean(v) as double) * 86400000000) as bigint))"
    " else try_strptime(kam_date_clean(v), [" + ", ".join("'" + f + "'" for f in _TWO_DIGIT_YEAR_FORMATS[order] + _ISO_FORMATS + _ORDERED_FORMATS[order]) + "]) end)"
    for order in ("dmy", "mdy")
]
_ORDER_SQL = """
select
    count(*) filter (where regexp_full_match(x, '[0-9]{1,2}[/.-][0-9]{1,2}[/.-][0-9]{2,4}( .*)?')) as count_ambiguous_form,
    max(try_cast(regexp_extract(x, '^([0-9]{1,2})[/.-][0-9]{1,2}[/.-]', 1) as integer)) as max_first,
    max(try_cast(regexp_extract(x, '^[0-9]{1,2}[/.-]([0-9]{1,2})[/.-]', 1) as integer)) as max_second
from (select kam_text(__COL__) as x from raw)
where regexp_full_match(x, '[0-9]{1,2}[/.-][0-9]{1,2}[/.-][0-9]{2,4}( .*)?')
"""


def _q(name: str) -> str:
    """A canonical column name as a quoted SQL identifier (names come from ingest_spec only)."""
    if not all(ch.isalnum() or ch == "_" for ch in name):
        raise ValueError(f"not an identifier: {name!r}")
    return '"' + name + '"'


@dataclass
class StagedImport:
    """A file read, mapped, parsed and validated, ready to preview and commit."""

    table: str
    file_name: str
    sha256: str
    headers: list[str]
    mapping: dict[str, str | None]  # source header -> canonical column (None: not imported)
    rows: pa.Table  # the canonical columns of the valid rows, plus _row
    rows_read: int
    problems: list[Problem]
    notices: list[tuple[str, str]]
    raw: RawTable
    date_orders: dict[str, str] = field(default_factory=dict)
    preview: dict[str, Any] = field(default_factory=dict)
    missing_accounts: list[str] = field(default_factory=list)
    create_accounts: bool = False
    #: the first few values of each source column, for the mapping editor
    samples: dict[str, str] = field(default_factory=dict)
    #: survey items the file answers that the database does not define yet: (code, scale_min, scale_max)
    new_items: list[tuple[str, int, int]] = field(default_factory=list)
    #: per mapped header, how sure its match is, 0-100 (:func:`mapping_confidence`)
    confidence: dict[str, int] = field(default_factory=dict)
    #: the saved profile applied (None: none), the name this import's choices are saved under, and those
    #: choices (kam_metrics.ingest.profiles)
    profile: str | None = None
    profile_name: str | None = None
    options: dict[str, Any] = field(default_factory=dict)
    source_signature: str = ""
    #: survey scales declared at import (``--scale``; key "*" for every new item) and the item codes of
    #: a wide survey turned long (kam_metrics.ingest.surveys)
    scales: dict[str, tuple[int, int]] = field(default_factory=dict)
    wide_items: list[str] = field(default_factory=list)
    #: per coded column (stage, kind, ...), the file's values that are no known code or label, most
    #: frequent first, for the value-mapping table (``--recode``)
    unknown_values: dict[str, list[str]] = field(default_factory=dict)
    #: the user chose to import the valid rows and set the invalid ones aside (``--skip-invalid``)
    skip_invalid: bool = False
    #: the rows set aside with their problems (row, column, value, problem, fix); kept with the import
    skipped: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def problem_rows(self, lang: str) -> list[dict]:
        return [p.as_dict(lang) for p in self.problems]

    @property
    def skipped_rows(self) -> int:
        """How many rows of the file are set aside (skip-invalid), each counted once."""
        return len({p.row for p in self.skipped})

    def skipped_problem_rows(self, lang: str) -> list[dict]:
        return [p.as_dict(lang) for p in self.skipped]


def guess_mapping(
    spec: TableSpec, headers: list[str], remembered: dict[str, str] | None = None,
    overrides: dict[str, str] | None = None,
) -> dict[str, str | None]:
    """Source header -> canonical column: the user's overrides, then a remembered mapping for the same
    headers, then exact aliases, then close fuzzy matches (rapidfuzz, similarity ≥ FUZZY_CUTOFF). Each
    column once."""
    overrides = overrides or {}
    remembered = remembered or {}
    names = {c.name for c in spec.columns}
    mapping: dict[str, str | None] = {h: None for h in headers}
    taken: set[str] = set()
    for header, column in {**remembered, **overrides}.items():
        if header in mapping and column in names:
            mapping[header] = column
    for header, column in overrides.items():
        if column in ("", "-", None) and header in mapping:
            mapping[header] = None
    taken = {c for c in mapping.values() if c}
    alias_index: dict[str, str] = {}
    for spec_column in spec.columns:
        for alias in (spec_column.name, *spec_column.aliases):
            alias_index.setdefault(normalise_header(alias), spec_column.name)
    # exact aliases; of several headers naming the amount, the money received wins (MONEY_FAMILIES)
    free = [h for h in headers if not mapping[h] and h not in overrides]
    for header in sorted(free, key=lambda h: money_rank(h) if alias_index.get(normalise_header(h)) == "amount" else 0):
        found = alias_index.get(normalise_header(header))
        if found and found not in taken:
            mapping[header] = found
            taken.add(found)
    for header in headers:
        if mapping[header] or header in overrides:
            continue
        close = rapidfuzz.process.extractOne(normalise_header(header), list(alias_index), scorer=rapidfuzz.fuzz.ratio,
                                             score_cutoff=FUZZY_CUTOFF)
        if close and alias_index[close[0]] not in taken:
            mapping[header] = alias_index[close[0]]
            taken.add(alias_index[close[0]])
    return mapping


def mapping_confidence(spec: TableSpec, mapping: dict[str, str | None], chosen: Iterable[str] = ()) -> dict[str, int]:
    """For each mapped header, how sure the match is, 0-100: 100 when the header is one of its column's
    names or aliases or the user chose it (``chosen``), else the fuzzy similarity that made the guess
    (shown on the page beside the guess)."""
    out: dict[str, int] = {}
    by_user = {normalise_header(h) for h in chosen}
    for header, column in mapping.items():
        if not column or header.startswith(FILL_HEADER):
            continue
        if normalise_header(header) in by_user:
            out[header] = 100
            continue
        forms = [normalise_header(a) for a in (column, *spec.column(column).aliases)]
        best = rapidfuzz.process.extractOne(normalise_header(header), forms, scorer=rapidfuzz.fuzz.ratio)
        out[header] = int(round(best[1])) if best else 0
    return out


#: required columns an import can derive, so a file lacking them still fits its table
_DERIVABLE = {"sales": {"order_id", "line_no", "amount"}, "projects": {"status"}, "survey_responses": {"response_id"}}


def rank_tables(headers: list[str]) -> list[tuple[str, int]]:
    """The tables whose required columns the headers provide (derivable ones aside), each with how many
    of its columns the headers map to, best first: what ``import auto`` and the page propose."""
    ranked = []
    for name, spec in TABLES.items():
        mapped = {c for c in guess_mapping(spec, headers).values() if c}
        if all(c.name in mapped or c.name in _DERIVABLE.get(name, ()) for c in spec.stored if c.required):
            ranked.append((name, len(mapped)))
    return sorted(ranked, key=lambda pair: -pair[1])


def propose_table(data: bytes, file_name: str, *, sheet: str | None = None,
                  encoding: str | None = None) -> tuple[str | None, list[tuple[str, int]]]:
    """(the table the file's headers point to, or None when no table or several fit equally well; every
    table that fits with its count of mapped columns). Raises :class:`ImportRejected` for an unreadable file."""
    stage = duckdb.connect()
    try:
        raw = read_into_staging(stage, data, file_name, known_headers(), sheet=sheet, encoding=encoding)
    finally:
        stage.close()
    ranked = rank_tables(raw.headers)
    return clear_choice(ranked), ranked


def clear_choice(ranked: list[tuple[str, int]]) -> str | None:
    """The best of :func:`rank_tables` when it maps more columns than the next, else None (a tie)."""
    return ranked[0][0] if ranked and (len(ranked) == 1 or ranked[0][1] > ranked[1][1]) else None


def header_signature(headers: list[str]) -> str:
    return hashlib.sha256("\x1f".join(normalise_header(h) for h in headers).encode()).hexdigest()[:32]


def parse_map_options(items: list[str] | None) -> dict[str, str]:
    """``["Source header=column", ...]`` from the command line."""
    out = {}
    for item in items or []:
        if "=" not in item:
            raise ValueError(f'--map {item!r}: write it as "Source header=column"')
        source, column = item.rsplit("=", 1)
        out[source.strip()] = column.strip()
    return out


def parse_set_options(items: list[str] | None) -> dict[str, str]:
    """``["COLUMN=VALUE", ...]`` (``--set``) from the command line."""
    out = {}
    for item in items or []:
        if "=" not in item:
            raise ValueError(f'--set {item!r}: write it as "column=value", for example kind=complaint')
        column, value = item.split("=", 1)
        out[column.strip()] = value.strip()
    return out


def parse_recode_options(items: list[str] | None) -> dict[str, dict[str, str]]:
    """``["COLUMN:SOURCE=TARGET", ...]`` (``--recode``) from the command line."""
    out: dict[str, dict[str, str]] = {}
    for item in items or []:
        if ":" not in item or "=" not in item.split(":", 1)[1]:
            raise ValueError(f'--recode {item!r}: write it as "column:file value=our value", for example "stage:Closed Won=won"')
        column, rest = item.split(":", 1)
        source, target = rest.rsplit("=", 1)
        out.setdefault(column.strip(), {})[source.strip()] = target.strip()
    return out


def _value_expr(column: Column, source: str, date_order: str) -> tuple[str, str | None]:
    """SQL parsing the text column ``source`` (c0, c1, ...) into ``column``'s type: a fast expression for
    the common forms (plain numbers, ISO dates) and, where other forms exist, a slower one that an UPDATE
    applies only to the rows the fast one could not read (1,234.50, ¥, 万, (300), 2025年1月5日, serials...)."""
    if column.kind == "text":
        if column.name.endswith("_id") or column.name == "referred_by":
            # ids exported by Excel as numbers come back as "17850.0"
            return ("(case when " + source + " like '%.0' then regexp_replace(kam_text(" + source + "), '^([0-9]+)\\.0+$', '\\1') "
                    "else kam_text(" + source + ") end)"), None
        return "kam_text(" + source + ")", None
    if column.kind in ("number", "fraction", "percent", "integer"):
        slow = "kam_number_text(" + source + ")"
        if column.kind == "percent":  # 85% means 85 on a 0-100 column
            slow = "(case when contains(" + source + ", '%') or contains(" + source + ", '％') then " + slow + " * 100 else " + slow + " end)"
        return "kam_finite(try_cast(" + source + " as double))", "kam_finite(" + slow + ")"
    if column.kind in ("date", "timestamp"):
        cast = "::date" if column.kind == "date" else ""
        return "kam_sane_timestamp(try_cast(" + source + " as timestamp))" + cast, "kam_timestamp_text_" + date_order + "(" + source + ")" + cast
    if column.kind in ("enum", "bool"):
        labels = ENUMS[column.enum or "bool"]
        cases = " ".join("when '" + label.replace("'", "''") + "' then '" + code + "'" for label, code in labels.items())
        expr = "(case lower(kam_text(" + source + ")) " + cases + " else null end)"
        return ("(" + expr + " = 'true')" if column.kind == "bool" else expr), None
    raise ValueError(column.kind)


def _problem_texts(code: str, column: Column, spec: TableSpec) -> tuple[str, str, str, str]:
    """(problem zh, problem en, fix zh, fix en) for a problem code."""
    labels = ", ".join(sorted({c for c in ENUMS.get(column.enum or "bool", {}) if c}))[:160]
    texts = {
        "required": ("必填项为空。", "A required value is empty.",
                     f"请填写「{column.name}」。", f"Fill in {column.name}."),
        "number": ("无法识别为数字。", "Not a number.",
                   "请写成 1234.5、¥1,234.50、12.5万 或 (300) 这样的数字。",
                   "Write a number such as 1234.5, ¥1,234.50, 12.5万 or (300)."),
        "not_finite": ("不是有效的数值(NaN、无穷大,或大得不可能)。", "Not a usable number (NaN, infinite, or impossibly large).",
                       "请改为实际数值,或留空。", "Write the actual figure, or leave it blank."),
        "integer": ("应为整数。", "Must be a whole number.", "请填写整数。", "Write a whole number."),
        "date": ("无法识别为日期。", "Not a date.",
                 "请写成 2025-01-05、2025/1/5 或 2025年1月5日。", "Write a date such as 2025-01-05, 2025/1/5 or 2025年1月5日."),
        "enum": ("不是允许的取值。", "Not an allowed value.", f"可用取值:{labels}", f"Allowed values: {labels}"),
        "bool": ("不是“是/否”。", "Not yes or no.", "请填写 是/否 或 yes/no。", "Write yes/no (是/否)."),
        "range": ("超出允许范围。", "Out of the allowed range.",
                  f"允许范围 {column.low if column.low is not None else '-∞'} 至 {column.high if column.high is not None else '∞'}。",
                  f"Allowed range: {column.low if column.low is not None else '-inf'} to {column.high if column.high is not None else 'inf'}."),
        "implausible_date": ("日期不合理(早于 1980 年,或业务日期晚于一年以后)。",
                             "Implausible date (before 1980, or an event more than a year in the future).",
                             "请检查年份和日/月顺序。", "Check the year and the day/month order."),
        "duplicate": ("文件中有重复的主键。", "The file holds this key more than once.",
                      f"主键({', '.join(spec.keys)})在文件中必须唯一;删除或合并重复行。",
                      f"The key ({', '.join(spec.keys)}) must be unique in the file; delete or merge the duplicates."),
    }
    return texts[code]


_EVENT_DATES = {"order_date", "survey_date", "opened_at", "first_response_at", "resolved_at", "stage_changed_on",
                "created_on", "closed_on", "actual_end", "churned_on", "sent_on", "cooperation_start"}


def _check_sql(column: Column, parsed: str, source: str | None) -> list[tuple[str, str]]:
    """(problem code, SQL condition that is true for a bad row)."""
    checks: list[tuple[str, str]] = []
    if source is not None:
        # the cheap test first: conjunctions are evaluated left to right on the rows still selected
        if column.kind in ("number", "fraction", "percent", "integer"):
            checks.append(("not_finite", parsed + " is null and kam_nonfinite(" + source + ")"))
            checks.append(("number", parsed + " is null and not kam_is_blank(" + source + ")"))
        elif column.kind in ("date", "timestamp"):
            checks.append(("date", parsed + " is null and not kam_is_blank(" + source + ")"))
        elif column.kind == "enum":
            checks.append(("enum", parsed + " is null and kam_text(" + source + ") is not null"))
        elif column.kind == "bool":
            checks.append(("bool", "kam_text(" + source + ") is not null and lower(kam_text(" + source + ")) not in ("
                           + ", ".join("'" + k + "'" for k in ENUMS["bool"]) + ")"))
    if column.kind == "integer":
        checks.append(("integer", parsed + " is not null and " + parsed + " <> round(" + parsed + ")"))
    if column.low is not None:
        checks.append(("range", parsed + " < " + repr(float(column.low))))
    if column.high is not None:
        checks.append(("range", parsed + " > " + repr(float(column.high))))
    if column.kind in ("date", "timestamp"):
        limit = "current_date + interval 366 day" if column.name in _EVENT_DATES else "date '2100-12-31'"
        checks.append(("implausible_date", parsed + " < date '1980-01-01' or " + parsed + " > " + limit))
    if column.required and not column.helper:
        checks.append(("required", parsed + " is null"))
    return checks


def _decide_date_order(con, source: str, column: str, file_name: str, requested: str | None) -> tuple[str, Problem | None]:
    n, max_first, max_second = con.execute(_ORDER_SQL.replace("__COL__", source)).fetchone()
    if not n:
        return requested or "dmy", None
    first_is_day = (max_first or 0) > 12
    second_is_day = (max_second or 0) > 12
    if first_is_day and second_is_day:
        return "dmy", Problem(None, column, None, "同一列中既有“日/月/年”又有“月/日/年”的日期。",
                              "The column mixes day-first and month-first dates.",
                              "请统一日期格式(建议 2025-01-05)。", "Use one date format (2025-01-05 is safest).")
    if first_is_day:
        return "dmy", None
    if second_is_day:
        return "mdy", None
    if requested in ("dmy", "mdy"):
        return requested, None
    return "dmy", Problem(None, column, None,
                          "日期既可按“日/月/年”也可按“月/日/年”理解(所有日期的日都不超过 12)。",
                          "The dates could be day-first or month-first (no day is above 12).",
                          "请选择日期顺序(命令行:--date-order dmy 或 mdy)。",
                          "Choose the order (command line: --date-order dmy or mdy).")


def _load_lookups(db: str | os.PathLike | None, spec: TableSpec, signature: str, sha256: str) -> dict[str, Any]:
    """Read-only look-ups in the database for one staging: remembered mapping, the profile saved for these
    headers, earlier imports of the same file."""
    path = store.resolve_db_path(db)
    out: dict[str, Any] = {"remembered": {}, "same_file": [], "profile": None}
    if not path.exists():
        return out
    with store.open_db(path) as con:
        row = con.execute(
            "select mapping_json from import_mappings where table_name = ? and header_signature = ?",
            [spec.name, signature],
        ).fetchone()
        if row:
            out["remembered"] = json.loads(row[0])
        out["profile"] = profiles.for_headers(con, spec.name, signature)
        out["same_file"] = [
            r[0] for r in con.execute(
                "select import_id from imports where sha256 = ? and status = 'committed' order by import_id", [sha256]
            ).fetchall()
        ]
    return out


def stage_file(
    data: bytes,
    file_name: str,
    table: str,
    *,
    db: str | os.PathLike | None = None,
    mapping: dict[str, str] | None = None,
    sheet: str | None = None,
    encoding: str | None = None,
    date_order: str | None = None,
    create_accounts: bool = False,
    wave: str | None = None,
    survey_date: date | None = None,
    path: str | os.PathLike | None = None,
    progress: Callable[[float, str], None] | None = None,
    skip_invalid: bool = False,
    fill: dict[str, str] | None = None,
    recodes: dict[str, dict[str, str]] | None = None,
    scales: dict[str, tuple[int, int]] | None = None,
    na_values: list[str] | None = None,
    profile: str | bool | None = None,
) -> StagedImport:
    """Read, map, parse and validate a file for ``table``; never writes to the database.

    ``progress(fraction, step)`` is told as the work advances (step: read, check, compare).

    Raises :class:`ImportRejected` when the file cannot be read at all; otherwise returns a
    :class:`StagedImport` whose ``problems`` lists every problem (empty when it can be committed). With
    ``skip_invalid`` the rows with a problem are set aside instead (``skipped``) and the rest is staged.
    ``fill`` {column: value} gives every row a value for a column the file lacks (``--set``); ``recodes``
    {column: {file's value: our value}} maps a file's own codes onto ours before parsing (``--recode``).
    Surveys: ``scales`` {item or "*": (low, high)} declares the scales of new items (``--scale``),
    ``na_values`` the "not applicable" codes imported as blanks (``--na-values``). ``profile``: the saved
    choices to apply (kam_metrics.ingest.profiles): a name, None for the one saved for these headers,
    False for none; options given here win over the profile's.

    Long because its signature names every import option, one per line (and this docstring each); the
    body is under 40 lines.
    """
    spec, sha256 = _spec_of(table, file_name), hashlib.sha256(data).hexdigest()
    report = progress or (lambda fraction, step: None)
    given = {"fill": fill, "recodes": recodes, "scales": scales, "na_values": na_values, "sheet": sheet, "date_order": date_order}
    named = profiles.find(db, table, profile) if isinstance(profile, str) else None
    stage = duckdb.connect()
    try:
        raw = _read_file(stage, data, file_name, sheet or (named[1].get("sheet") if named else None), encoding, path, report)
        signature = header_signature(raw.headers)  # of the file as read, before any column is added or turned
        lookups = _load_lookups(db, spec, signature, sha256)
        applied = named or (lookups["profile"] if profile is None else None)
        o = profiles.merged(given, applied[1] if applied else {})
        column_map, wide_items = _columns_of_file(stage, spec, raw, file_name, lookups["remembered"], mapping, o["fill"],
                                                  o["na_values"] or [])
        recodes = _checked_recodes(spec, o["recodes"], file_name)
        if table == "survey_responses":
            surveys.blank_na_values(stage, raw, column_map, o["na_values"] or [])
        constants = {k: v for k, v in {"wave": wave, "survey_date": survey_date}.items() if v is not None and table == "survey_responses"}

        def check() -> StagedImport:
            staged = _stage_rows(stage, spec, raw, column_map, file_name, o["date_order"], create_accounts, constants, recodes)
            staged.sha256, staged.skip_invalid, staged.scales, staged.wide_items = sha256, skip_invalid, dict(o["scales"] or {}), wide_items
            staged.confidence = mapping_confidence(spec, staged.mapping, mapping or {})
            _note_profile(staged, o, applied, profile if isinstance(profile, str) else None)
            staged.source_signature = signature
            _add_file_notices(staged, wide_items, lookups["same_file"], sheet_chosen=o["sheet"] is not None)
            report(0.8, "compare")
            if staged.rows.num_rows:
                _preview_against_database(db, staged, spec)
            return staged

        staged = _set_aside_invalid(stage, raw, check) if skip_invalid else check()
        report(1.0, "done")
        return staged
    except duckdb.Error as exc:  # anything the SQL of a strange file trips over becomes a clear rejection
        raise _unparsable(file_name, exc) from None
    finally:
        stage.close()


def _note_profile(staged: StagedImport, options: dict[str, Any], applied: tuple[str, dict] | None,
                  named: str | None) -> None:
    """Keep on the import the options to save as its profile and the name to save them under; say which
    saved profile was applied and what it set."""
    staged.options = dict(options)
    staged.profile = applied[0] if applied else None
    staged.profile_name = named or staged.profile or profiles.default_name(staged.file_name)
    if applied:
        what_zh, what_en = profiles.describe(applied[1])
        staged.notices.insert(0, (f"已应用保存的导入设置“{applied[0]}”(相同表头的文件):{what_zh}。",
                                  f"Applied the saved import settings {applied[0]!r} (files with these headers): {what_en}."))


def _spec_of(table: str, file_name: str) -> TableSpec:
    """The importable table named ``table``; another name is a rejection listing the tables."""
    if table not in TABLES:
        raise reject(file_name, f"没有名为 {table} 的数据表。", f"There is no table {table!r}.",
                     f"可导入:{', '.join(TABLES)}", f"Importable tables: {', '.join(TABLES)}")
    return TABLES[table]


def _read_file(stage, data: bytes, file_name: str, sheet: str | None, encoding: str | None,
               path: str | os.PathLike | None, report: Callable[[float, str], None]) -> RawTable:
    """The file's cells as table ``raw`` of the staging connection, its macros installed; a file without
    data rows is rejected."""
    _install_macros(stage)
    report(0.05, "read")
    raw = read_into_staging(stage, data, file_name, known_headers(), sheet=sheet, encoding=encoding, path=path)
    report(0.35, "check")
    _require_data_rows(raw, file_name)
    return raw


def _columns_of_file(stage, spec: TableSpec, raw: RawTable, file_name: str, remembered: dict[str, str],
                     mapping: dict[str, str] | None, fill: dict[str, str] | None,
                     na_values: list[str]) -> tuple[dict[str, str | None], list[str]]:
    """Which column each header of the file feeds: the user's ``--map`` (checked against the file), the
    ``--set`` columns (added to the raw table, winning over the file's own), a remembered mapping, then
    the guess; and the item codes of a wide survey turned long."""
    mapping = _checked_overrides(spec, raw.headers, mapping, file_name)
    mapping = _add_fill_columns(stage, spec, raw, _checked_fill(spec, fill, file_name), mapping)
    column_map, wide_items = _map_file_headers(stage, spec, raw, remembered, mapping, na_values)
    return _fill_wins(column_map, fill or {}, raw), wide_items


def _set_aside_invalid(stage, raw: RawTable, check: Callable[[], StagedImport]) -> StagedImport:
    """Skip-invalid: check the file, take the rows with a problem out of it and check the rest again (a
    duplicate key may only show among the remaining rows) until no row has one; the rows taken out are
    the import's ``skipped``, each with its problems. A problem of the file as a whole (a missing column,
    an ambiguous date order) still blocks, and so do MAX_PROBLEMS problems or more (too many to list
    every row set aside)."""
    rows_read, skipped = raw.rows, list[Problem]()
    staged = check()
    for _ in range(4):
        if not staged.problems or any(p.row is None for p in staged.problems):
            break
        if len(staged.problems) >= MAX_PROBLEMS:
            staged.problems.insert(0, Problem(
                None, None, None, f"无效的行太多(至少 {MAX_PROBLEMS} 个问题),无法逐行跳过。",
                f"Too many invalid rows to set aside one by one (at least {MAX_PROBLEMS} problems).",
                "请先检查列的对应关系和日期顺序:通常是整列对应错了。", "Check the column mapping and the date order first: usually a whole column is mapped wrong."))
            break
        skipped.extend(staged.problems)
        bad = sorted({p.row or 0 for p in staged.problems})  # every problem here has a row (checked above)
        stage.execute("delete from raw where _row in (" + ", ".join(str(int(r)) for r in bad) + ")")
        raw.rows = stage.execute("select count(distinct _row) from raw").fetchall()[0][0]
        staged = check()
    skipped.sort(key=lambda p: p.row or 0)
    if skipped and not staged.problems and raw.rows == 0:  # every row set aside: nothing left to import
        staged.problems = [Problem(
            None, None, None, "每一行都无效,跳过无效行后没有可导入的数据。",
            "Every row is invalid: nothing is left to import once the invalid rows are set aside.",
            "请检查下面列出的问题:通常是整列对应错了或日期顺序不对。",
            "See the problems listed below: usually a whole column is mapped wrong or the date order is."), *skipped]
        skipped = []
    staged.skipped, staged.rows_read = skipped, rows_read
    if staged.skipped:
        staged.preview["skipped_rows"] = staged.skipped_rows
    return staged


def _install_macros(stage) -> None:
    """Create the cleaning, number and date parsing macros in the staging connection."""
    for macro in _CLEAN_MACROS + _DATE_TEXT_MACROS + _DATE_MACROS:
        stage.execute(macro)


def _require_data_rows(raw: RawTable, file_name: str) -> None:
    """Reject a file that holds a header but no data rows."""
    if raw.rows == 0:
        raise reject(file_name, "文件只有表头,没有数据行。", "The file has a header but no data rows.",
                     "请导出包含数据的文件。", "Export a file that holds data rows.")


def _checked_overrides(spec: TableSpec, headers: list[str], mapping: dict[str, str] | None,
                       file_name: str) -> dict[str, str] | None:
    """The user's ``--map`` with each source header spelled as in the file (matched like headers are, after
    normalising); a header the file does not have or a column the table does not have is a rejection that
    lists the valid ones, never silently ignored."""
    if not mapping:
        return mapping
    by_form = {normalise_header(h): h for h in headers}
    names = [c.name for c in spec.columns]
    out: dict[str, str] = {}
    for header, column in mapping.items():
        found = header if header in headers else by_form.get(normalise_header(header))
        if found is None:
            listed = ", ".join(headers[:40])
            raise reject(file_name, f"文件中没有表头“{header}”(--map {header}={column})。",
                         f"The file has no header {header!r} (--map {header}={column}).",
                         f"文件的表头:{listed}", f"The file's headers: {listed}")
        if column not in ("", "-") and column not in names:
            listed = ", ".join(names)
            raise reject(file_name, f"表 {spec.name} 没有列“{column}”(--map {header}={column})。",
                         f"Table {spec.name} has no column {column!r} (--map {header}={column}).",
                         f"可用的列:{listed};“-”表示不导入这一列。",
                         f"Its columns: {listed}; \"-\" leaves the header out.")
        out[found] = column
    return out


#: the header of a column added by ``--set`` (no real header starts with it and ends with a column name)
FILL_HEADER = "="


def _checked_fill(spec: TableSpec, fill: dict[str, str] | None, file_name: str) -> dict[str, str]:
    """``--set COLUMN=VALUE``: each column must be one of the table's."""
    names = [c.name for c in spec.columns]
    for column in fill or {}:
        if column not in names:
            listed = ", ".join(names)
            raise reject(file_name, f"表 {spec.name} 没有列“{column}”(--set {column}=…)。",
                         f"Table {spec.name} has no column {column!r} (--set {column}=...).",
                         f"可用的列:{listed}", f"Its columns: {listed}")
    return dict(fill or {})


def _add_fill_columns(stage, spec: TableSpec, raw: RawTable, fill: dict[str, str],
                      mapping: dict[str, str] | None) -> dict[str, str] | None:
    """Give the raw table one more text column per ``--set`` value and map it onto its column: the value
    is then parsed and checked like any cell of the file. Returns the mapping with those columns."""
    if not fill:
        return mapping
    for column, value in fill.items():
        stage.execute("create or replace table raw as select *, ?::varchar as c" + str(len(raw.headers)) + " from raw", [value])
        raw.headers.append(FILL_HEADER + column)
        raw.notices.append((f"{column} 列取自导入设置:每一行都是“{value}”(--set)。",
                            f"Column {column} comes from the import settings: {value!r} on every row (--set)."))
    return {**(mapping or {}), **{FILL_HEADER + column: column for column in fill}}


def _fill_wins(column_map: dict[str, str | None], fill: dict[str, str], raw: RawTable) -> dict[str, str | None]:
    """A column given with ``--set`` is not also read from the file (the file's header is left out)."""
    out = dict(column_map)
    for header, column in column_map.items():
        if column in fill and header != FILL_HEADER + column:
            out[header] = None
    return out


def _checked_recodes(spec: TableSpec, recodes: dict[str, dict[str, str]] | None,
                     file_name: str) -> dict[str, dict[str, str]]:
    """``--recode COLUMN:SOURCE=TARGET``: the column must be the table's and, for a coded column, the
    target one of its codes or known labels; sources are matched case-insensitively, trimmed."""
    out: dict[str, dict[str, str]] = {}
    for name, pairs in (recodes or {}).items():
        if not any(c.name == name for c in spec.columns):
            listed = ", ".join(c.name for c in spec.columns)
            raise reject(file_name, f"表 {spec.name} 没有列“{name}”(--recode)。", f"Table {spec.name} has no column {name!r} (--recode).",
                         f"可用的列:{listed}", f"Its columns: {listed}")
        column = spec.column(name)
        allowed = ENUMS.get(column.enum or "", {}) if column.kind == "enum" else {}
        for source, target in pairs.items():
            if allowed and target.lower() not in allowed:
                codes = ", ".join(dict.fromkeys(allowed.values()))
                raise reject(file_name, f"“{target}”不是 {name} 的取值(--recode {name}:{source}={target})。",
                             f"{target!r} is not a value of {name} (--recode {name}:{source}={target}).",
                             f"可用取值:{codes}", f"Allowed values: {codes}")
        out[name] = {source.strip().lower(): target for source, target in pairs.items()}
    return out


def _recoded(source: str, pairs: dict[str, str]) -> str:
    """SQL of the raw text column ``source`` with the file's values replaced by ours (case-insensitive)."""
    if not pairs:
        return source
    cases = " ".join("when " + sql_literal(k) + " then " + sql_literal(v) for k, v in pairs.items())
    return "(case lower(trim(" + source + ")) " + cases + " else " + source + " end)"



def _map_file_headers(stage, spec: TableSpec, raw: RawTable, remembered: dict[str, str],
                      mapping: dict[str, str] | None, na_values: list[str]) -> tuple[dict[str, str | None], list[str]]:
    """(source header -> canonical column, the item codes of a wide survey turned long, else [])."""
    column_map = guess_mapping(spec, raw.headers, remembered, mapping)
    wide_items: list[str] = []
    if spec.name == "survey_responses" and not {"item_code", "score"} & set(column_map.values()):
        wide_items = surveys.unpivot_wide_survey(stage, raw, column_map, mapping or {}, na_values, raw.notices)
        column_map = guess_mapping(spec, raw.headers, {}, {**(mapping or {}), "item_code": "item_code", "score": "score"})
    return column_map, wide_items


def _add_file_notices(staged: StagedImport, wide_items: list[str], same_file: list[int], *, sheet_chosen: bool) -> None:
    """Notices about the file as a whole: the sheet read when none was chosen, a wide survey turned
    long, the same file imported before."""
    raw = staged.raw
    if not sheet_chosen and len(raw.sheets) > 1:
        others = ", ".join(name for name in raw.sheets if name != raw.sheet)
        staged.notices.insert(0, (f"读取了工作表“{raw.sheet}”;未读取:{others}(用 --sheet 选择其他工作表)。",
                                  f"Read sheet {raw.sheet!r}; not read: {others} (--sheet NAME reads another)."))
    if wide_items:
        staged.notices.append((
            f"宽格式问卷(每题一列)已转为每题一行:{'、'.join(wide_items[:12])}。",
            f"A wide survey (one column per item) was turned into one row per item: {', '.join(wide_items[:12])}."))
    if same_file:
        ids = ", ".join(str(i) for i in same_file)
        staged.notices.append((f"同一文件已于导入 #{ids} 中导入过;重复的行不会被重复计算。",
                               f"This same file was already imported (import #{ids}); overlapping rows are never counted twice."))


def _unparsable(file_name: str, exc: duckdb.Error) -> ImportRejected:
    """The rejection for a file whose content the staging SQL cannot parse."""
    detail = str(exc).splitlines()[0][:300]
    return reject(file_name, f"无法解析这个文件:{detail}", f"The file cannot be parsed: {detail}",
                  "请检查文件内容,或按模板整理后再上传。", "Check the file, or arrange it like the template, and upload again.")


def _stage_rows(stage, spec: TableSpec, raw: RawTable, column_map: dict[str, str | None], file_name: str,
                date_order: str | None, create_accounts: bool, constants: dict[str, Any],
                recodes: dict[str, dict[str, str]] | None = None) -> StagedImport:
    """Map, parse, derive and check the rows of table ``raw`` for ``spec``; the valid rows end up in
    table ``staged`` of ``stage`` and in the returned import, whose problems list everything wrong."""
    notices = list(raw.notices)
    samples = _sample_values(stage, raw)
    source_of = _map_columns(spec, raw, column_map, notices)
    missing = _missing_column_problems(spec, raw, source_of, constants)
    if missing:
        return _unfinished(spec, raw, column_map, file_name, notices, samples, create_accounts, missing)
    date_orders, problems = _pick_date_orders(stage, spec, source_of, file_name, date_order)
    if problems:
        return _unfinished(spec, raw, column_map, file_name, notices, samples, create_accounts, problems)
    parsed = _parse_expressions(spec, source_of, date_orders, recodes or {})
    raw_columns = _parse_into_table(stage, raw, parsed, source_of, constants)
    if spec.name == "survey_responses" and "score" in source_of:
        surveys.value_notices(stage, source_of["score"], notices)
    problems = _run_checks(stage, spec, parsed, source_of)
    unknown = _recoding_notices(stage, spec, source_of, notices)
    stage.execute("create or replace table staged as select * exclude (" + ", ".join(raw_columns) + ") from parsed")
    _derive_columns(stage, spec, notices)
    problems = sorted([*problems, *_constraint_problems(stage, spec, problems)], key=lambda p: p.row or 0)
    if spec.name == "accounts" and not problems:
        _keep_last_row_per_account(stage, notices)
    if spec.keys and not problems:
        problems.extend(_duplicate_key_problems(stage, spec, notices))
    _flag_repeated_header(stage, raw, problems)
    _flag_nothing_importable(stage, problems)
    return StagedImport(
        table=spec.name, file_name=file_name, sha256="", headers=raw.headers, mapping=column_map,
        rows=_build_preview(stage, spec), rows_read=raw.rows, problems=problems, notices=notices, raw=raw,
        date_orders=date_orders, create_accounts=create_accounts, samples=samples, unknown_values=unknown,
    )


def _sample_values(stage, raw: RawTable) -> dict[str, str]:
    """The first few values of each source column, joined, for the mapping editor."""
    first_rows = stage.execute("select * exclude (_row) from raw order by _row limit 3").fetchall()
    return {h: " · ".join(str(r[i]) for r in first_rows if r[i] is not None)[:80] for i, h in enumerate(raw.headers)}


def _unfinished(spec: TableSpec, raw: RawTable, column_map: dict[str, str | None], file_name: str,
                notices: list[tuple[str, str]], samples: dict[str, str], create_accounts: bool,
                found: list[Problem]) -> StagedImport:
    """The file cannot be staged with this mapping or date order: say why, keep what the editor needs."""
    return StagedImport(table=spec.name, file_name=file_name, sha256="", headers=raw.headers, mapping=column_map,
                        rows=pa.table({"_row": pa.array([], pa.int64())}), rows_read=raw.rows, problems=found,
                        notices=notices, raw=raw, samples=samples, create_accounts=create_accounts)


def _map_columns(spec: TableSpec, raw: RawTable, column_map: dict[str, str | None],
                 notices: list[tuple[str, str]]) -> dict[str, str]:
    """Canonical column -> its raw text column (c0, c1, ...); a notice lists the headers not imported."""
    source_of: dict[str, str] = {}
    for index, header in enumerate(raw.headers):
        column = column_map.get(header)
        if column:
            source_of[column] = "c" + str(index)
    unmapped = [h for h, c in column_map.items() if not c]
    amount = next((h for h, c in column_map.items() if c == "amount"), None)
    amount_forms = {normalise_header(a) for a in ("amount", *spec.column("amount").aliases)} if amount else set()
    others = [h for h in unmapped if normalise_header(h) in amount_forms]
    if amount and others:  # the choice among several money columns is told, never silent
        notices.append((f"金额取自“{amount}”;文件中还有:{'、'.join(others[:6])}(可在列的对应关系中改选)。",
                        f"Amount taken from {amount!r}; the file also has {', '.join(others[:6])} (change it in the column mapping)."))
    if unmapped:
        notices.append((f"未导入的列:{'、'.join(unmapped[:12])}", f"Columns not imported: {', '.join(unmapped[:12])}"))
    return source_of


def _missing_column_problems(spec: TableSpec, raw: RawTable, source_of: dict[str, str],
                             constants: dict[str, Any]) -> list[Problem]:
    """One problem per required column neither mapped, given at import nor derivable; a file that looks
    like another table's is named as such."""
    derivable = {"amount": {"quantity", "unit_price"}, "line_no": {"order_id"}, "order_id": {"account_id", "order_date"},
                 "status": set(), "response_id": set()}
    available = set(source_of) | set(constants)
    if spec.name in ("sales", "projects", "survey_responses"):
        for _ in range(2):  # order_id derives from account and date, then line_no from order_id
            available |= {name for name, needs in derivable.items() if needs <= available}
    missing = [c.name for c in spec.stored if c.required and c.name not in available]
    if not missing:
        return []
    best_other = max(
        (t for t in TABLES if t != spec.name),
        key=lambda t: sum(normalise_header(h) in {normalise_header(a) for c in TABLES[t].columns for a in (c.name, *c.aliases)}
                          for h in raw.headers),
    )
    hint_zh = f"这个文件看起来更像「{TABLES[best_other].label_zh}」表。" if _looks_like(raw.headers, best_other) else ""
    hint_en = f" This file looks more like the {TABLES[best_other].label_en} table." if hint_zh else ""
    headers = ", ".join(h for h in raw.headers[:30] if not h.startswith(FILL_HEADER))
    problems = []
    for name in missing:
        near = _nearest_headers(spec.column(name), raw.headers)
        near_zh = f"最接近的列:{', '.join(near)}。" if near else ""
        near_en = f" Closest: {', '.join(near)}." if near else ""
        problems.append(Problem(
            None, name, None, f"缺少必需的列「{name}」。{hint_zh}", f"The required column {name} is missing.{hint_en}",
            f"在映射中把文件的某一列对应到「{name}」(命令行:--map \"源列名={name}\"),或为每一行填同一个值"
            f"(--set {name}=值)。{near_zh}文件的列:{headers}",
            f'Map one of the file\'s columns to {name} (command line: --map "Source header={name}"), or give every row '
            f"one value (--set {name}=VALUE).{near_en} The file's columns: {headers}"))
    return problems


def _nearest_headers(column: Column, headers: list[str]) -> list[str]:
    """The file's headers closest to ``column``'s name and aliases (at most three)."""
    forms = {normalise_header(h): h for h in headers if not h.startswith(FILL_HEADER)}
    near: dict[str, None] = {}
    for alias in (column.name, *column.aliases):
        for match, _, _ in rapidfuzz.process.extract(normalise_header(alias), list(forms), scorer=rapidfuzz.fuzz.ratio,
                                                      limit=2, score_cutoff=60):
            near[forms[match]] = None
    return list(near)[:3]


def _pick_date_orders(stage, spec: TableSpec, source_of: dict[str, str], file_name: str,
                      date_order: str | None) -> tuple[dict[str, str], list[Problem]]:
    """(date column -> 'dmy' or 'mdy', the problems of columns whose order is mixed or undecidable)."""
    date_orders: dict[str, str] = {}
    problems: list[Problem] = []
    for column in spec.columns:
        if column.kind in ("date", "timestamp") and column.name in source_of:
            order, problem = _decide_date_order(stage, source_of[column.name], column.name, file_name, date_order)
            date_orders[column.name] = order
            if problem:
                problems.append(problem)
    return date_orders, problems


def _parse_expressions(spec: TableSpec, source_of: dict[str, str], date_orders: dict[str, str],
                       recodes: dict[str, dict[str, str]]) -> dict[str, tuple[str, str | None]]:
    """Canonical column -> (fast SQL expression, slower fallback or None), for every mapped column; the
    user's recodes apply to the file's text first, then (survey scores) Likert words."""
    parsed: dict[str, tuple[str, str | None]] = {}
    for column in spec.columns:
        if column.name in source_of:
            source = _recoded(source_of[column.name], recodes.get(column.name, {}))
            if spec.name == "survey_responses" and column.name == "score":
                source = surveys.score_source(source)
            parsed[column.name] = _value_expr(column, source, date_orders.get(column.name, "dmy"))
    return parsed


def _recoding_notices(stage, spec: TableSpec, source_of: dict[str, str], notices: list[tuple[str, str]]) -> dict[str, list[str]]:
    """For each coded column: a notice of every label that was recoded to a code (赢单 -> won, Closed Won ->
    won: a value never changes silently), and the values that are no known label (returned, most frequent
    first, for the value-mapping table)."""
    unknown: dict[str, list[str]] = {}
    for column in spec.columns:
        if column.kind != "enum" or column.name not in source_of:
            continue
        name, source = _q(column.name), source_of[column.name]
        found = stage.execute(
            "select kam_text(" + source + ") as v, any_value(" + name + "), count(*) from parsed where kam_text(" + source + ") is not null "
            "and (" + name + " is null or lower(kam_text(" + source + ")) <> " + name + ") group by v order by count(*) desc, v limit 40"
        ).fetchall()
        recoded = [(v, code, n) for v, code, n in found if code is not None]
        if recoded:
            listed = ", ".join(f"{v} → {code} ({n:,})" for v, code, n in recoded[:10])
            notices.append((f"{column.name} 的取值已换成标准代码:{listed}。", f"{column.name} values recoded to our codes: {listed}."))
        if any(code is None for _, code, _ in found):
            unknown[column.name] = [v for v, code, _ in found if code is None]
    return unknown


def _parse_into_table(stage, raw: RawTable, parsed: dict[str, tuple[str, str | None]], source_of: dict[str, str],
                      constants: dict[str, Any]) -> list[str]:
    """Create table ``parsed``: the raw text columns beside the parsed values (constants given at import
    fill missing columns; the slow expressions fill what the fast ones left NULL). Returns the raw columns."""
    raw_columns = ["c" + str(i) for i in range(len(raw.headers))]
    select = ["_row"] + raw_columns + [fast + " as " + _q(name) for name, (fast, _) in parsed.items()]
    params: list[Any] = []
    for name, value in constants.items():  # values given at import (--wave, --survey-date) fill missing columns
        if name not in parsed:
            select.append("?::" + ("date" if name == "survey_date" else "varchar") + " as " + _q(name))
            params.append(value)
    stage.execute("create or replace table parsed as select " + ", ".join(select) + " from raw", params)
    for name, (_, slow) in parsed.items():
        if slow:
            source = source_of[name]
            stage.execute("update parsed set " + _q(name) + " = " + slow + " where " + _q(name) + " is null and "
                          + source + " is not null")
    return raw_columns


def _run_checks(stage, spec: TableSpec, parsed: dict[str, tuple[str, str | None]],
                source_of: dict[str, str]) -> list[Problem]:
    """Row-level problems of table ``parsed``, all at once (the raw text sits beside the parsed value),
    ordered by row and check, at most MAX_PROBLEMS."""
    checks = []
    for column in spec.columns:
        if column.name not in parsed:
            continue
        source = source_of[column.name]
        for code, condition in _check_sql(column, _q(column.name), source):
            checks.append((code, column.name, source, condition))
    union = [
        "select _row, " + str(position) + " as check_no, '" + name + "' as column_name, "
        + (source if source else "null") + "::varchar as value from parsed where " + condition
        for position, (code, name, source, condition) in enumerate(checks)
    ]
    found: list[tuple[int, int, str, str]] = []
    if union:  # each bad cell once, by its first failing check: an unreadable date is not also "empty"
        found = stage.execute(
            "select * from (" + " union all ".join(union) + ") qualify row_number() over "
            "(partition by _row, column_name order by check_no) = 1 order by _row, check_no limit " + str(MAX_PROBLEMS)
        ).fetchall()
    problems: list[Problem] = []
    for row_no, check_no, _, value in found:
        code, name, _, _ = checks[check_no]
        texts = _problem_texts(code, spec.column(name), spec)
        if code == "enum":  # the way out for a file's own code
            texts = (texts[0], texts[1], texts[2] + f";或在页面的“取值对应”中选择,命令行:--recode {name}:{value}=<取值>",
                     texts[3] + f"; or map it in the value mapping (command line: --recode {name}:{value}=CODE)")
        problems.append(Problem(row_no, name, value, *texts))
    return problems


@functools.cache
def _table_rules(table: str) -> tuple[tuple[tuple[tuple[str, ...], str], ...], tuple[tuple[str, str], ...]]:
    """Every CHECK and NOT NULL constraint of ``table`` as the database defines it: (its columns, a SQL
    condition true where a row breaks it), and each column with its default as SQL. Read from the schema itself, so that the preview, ``--dry-run``
    and the commit can never disagree about what the table accepts."""
    con = duckdb.connect()
    try:
        store.ensure_schema(con)
        found = con.execute(
            "select constraint_type, constraint_column_names, expression from duckdb_constraints() "
            "where table_name = ? and constraint_type in ('CHECK', 'NOT NULL') order by constraint_index", [table]
        ).fetchall()
        defaults = dict(con.execute(
            "select column_name, coalesce(column_default, 'null') || '::' || data_type from duckdb_columns() "
            "where table_name = ? order by column_index", [table]).fetchall())
    finally:
        con.close()
    rules: list[tuple[tuple[str, ...], str]] = []
    for kind, columns, expression in found:
        names = tuple(dict.fromkeys(columns))
        rules.append((names, _q(names[0]) + " is null" if kind == "NOT NULL" else "not coalesce(" + expression + ", true)"))
    return tuple(rules), tuple(defaults.items())


def _constraint_problems(stage, spec: TableSpec, problems: list[Problem]) -> list[Problem]:
    """One problem per row of ``staged`` that breaks a rule of the table which the per-column checks do
    not cover (a row with a problem already is not reported again): an opportunity with neither account
    nor prospect, a lost stage on an open one, a response before its ticket was opened."""
    rules, defaults = _table_rules(spec.name)
    present = _staged_columns(stage)
    row_of = ", ".join((_q(name) if name in present else default + " as " + _q(name)) for name, default in defaults)
    known = sorted({p.row for p in problems if p.row})
    union = [
        "select _row, " + str(n) + " as rule_no, " + _q(names[0]) + "::varchar as value from candidate where " + condition
        for n, (names, condition) in enumerate(rules)
    ]
    if not union:
        return []
    skip = " where _row not in (" + ", ".join(str(int(r)) for r in known) + ")" if known else ""
    stage.execute("create or replace temp view candidate as select _row, " + row_of + " from staged" + skip)
    found = stage.execute("select _row, min(rule_no), any_value(value) from (" + " union all ".join(union) + ") "
                          "group by _row order by _row limit " + str(MAX_PROBLEMS)).fetchall()
    return [Problem(row_no, rules[rule][0][0], value, *_rule_texts(spec, rules[rule][0])) for row_no, rule, value in found]


def _rule_texts(spec: TableSpec, columns: tuple[str, ...]) -> tuple[str, str, str, str]:
    """(problem zh, problem en, fix zh, fix en) for a row that breaks the table rule on ``columns``."""
    known: dict[tuple[str, tuple[str, ...]], tuple[str, str, str, str]] = {
        ("opportunities", ("account_id", "prospect_name")): (
            "商机既没有客户编号,也没有潜在客户名称。", "The opportunity has neither an account id nor a prospect name.",
            "请填写客户编号(已有客户)或潜在客户名称(新客户)。", "Fill in the account id (a customer) or the prospect name (a new one)."),
        ("opportunities", ("stage", "lost_at_stage")): (
            "只有输单的商机才有“输在哪个阶段”。", "Only a lost opportunity has a stage it was lost at.",
            "把阶段改为 lost,或清空 lost_at_stage。", "Set the stage to lost, or clear lost_at_stage."),
        ("interactions", ("first_response_at", "opened_at")): (
            "首次响应时间早于创建时间。", "The first response is before the interaction was opened.",
            "请检查这两个时间(是否日期顺序不同)。", "Check both times (a different date order?)."),
        ("interactions", ("resolved_at", "opened_at")): (
            "解决时间早于创建时间。", "It was resolved before it was opened.",
            "请检查这两个时间(是否日期顺序不同)。", "Check both times (a different date order?)."),
        ("targets", ("level", "key")): (
            "公司级目标不能有对象(key)。", "A company target has no key.",
            "清空 key,或选择其他层级。", "Clear the key, or choose another level."),
        ("survey_items", ("scale_min", "scale_max")): (
            "量表下限不小于上限。", "The scale's minimum is not below its maximum.",
            "请写成 1-5 或 0-10 这样的量表。", "Write a scale such as 1-5 or 0-10."),
    }
    listed = ", ".join(columns)
    return known.get((spec.name, columns), (
        f"这一行不符合表 {spec.name} 对 {listed} 的规则。", f"The row breaks table {spec.name}'s rule on {listed}.",
        f"请检查 {listed} 的值。", f"Check the values of {listed}."))


def _keep_last_row_per_account(stage, notices: list[tuple[str, str]]) -> None:
    """An accounts import from a file with several rows per account (an order export): where an account's
    rows agree on its name, its last row is kept, with a notice of how many rows were left out and which
    columns varied between them; rows naming one id with different names stay duplicate-key problems."""
    stage.execute("create or replace temp table folded as select account_id, max(_row) as last_row, count(*) - 1 as n "
                  "from staged group by account_id having count(*) > 1 and count(distinct account_name) = 1")
    accounts, rows = stage.execute("select count(*), coalesce(sum(n), 0) from folded").fetchall()[0]
    if not accounts:
        return
    columns = sorted(_staged_columns(stage) - {"_row", "account_id", "account_name"})
    varied = stage.execute(
        "select " + (", ".join("count(*) filter (where n" + str(i) + " > 1)" for i in range(len(columns))) or "0")
        + " from (select " + (", ".join("count(distinct " + _q(c) + ") as n" + str(i) for i, c in enumerate(columns)) or "1")
        + " from staged where account_id in (select account_id from folded) group by account_id)").fetchall()[0]
    stage.execute("create or replace table staged as select s.* from staged s left join folded f using (account_id) "
                  "where f.account_id is null or s._row = f.last_row")
    changed = [(c, n) for c, n in zip(columns, varied) if n]
    listed_zh = "、".join(f"{c}({n:,} 个客户)" for c, n in changed) or "无"
    listed_en = ", ".join(f"{c} ({n:,} accounts)" for c, n in changed) or "none"
    notices.append((
        f"文件中 {accounts:,} 个客户有多行(订单明细?):每个客户保留最后一行,其余 {rows:,} 行未导入。各行取值不同的列:{listed_zh}。",
        f"{accounts:,} accounts have several rows in the file (an order export?): the last row of each was kept, "
        f"the other {rows:,} rows left out. Columns whose values varied between an account's rows: {listed_en}."))


def _duplicate_key_problems(stage, spec: TableSpec, notices: list[tuple[str, str]]) -> list[Problem]:
    """Rows of table ``staged`` sharing a key: exact repeats are merged (with a notice), the conflicting
    ones are problems."""
    key_list = ", ".join(_q(k) for k in spec.keys)
    duplicate_sql = (
        "select _row, concat_ws(' / ', " + ", ".join(_q(k) + "::varchar" for k in spec.keys) + ") from staged "
        "qualify count(*) over (partition by " + key_list + ") > 1 order by _row limit " + str(MAX_PROBLEMS)
    )
    duplicates = stage.execute(duplicate_sql).fetchall()
    if duplicates:  # rows repeated exactly (same key, same values) are merged; only conflicting ones remain
        value_columns = ", ".join(_q(c) for c in sorted(_staged_columns(stage) - {"_row"}))
        before = stage.execute("select count(*) from staged").fetchall()[0][0]
        stage.execute("create or replace table staged as select * from staged qualify row_number() over "
                      "(partition by " + value_columns + " order by _row) = 1")
        merged = before - stage.execute("select count(*) from staged").fetchall()[0][0]
        if merged:
            notices.append((f"{merged} 行与前面的行完全相同,已合并。", f"{merged} row(s) identical to an earlier row were merged."))
            duplicates = stage.execute(duplicate_sql).fetchall()
    return [Problem(row_no, "+".join(spec.keys), key, *_problem_texts("duplicate", spec.column(spec.keys[0]), spec))
            for row_no, key in duplicates]


def _flag_repeated_header(stage, raw: RawTable, problems: list[Problem]) -> None:
    """Put first a problem for every row in the middle of the file that repeats the header row."""
    if len(raw.headers) < 2:
        return
    condition = " and ".join(
        "coalesce(c" + str(i) + ", '') = ?" for i in range(min(len(raw.headers), 4))
    )
    again = stage.execute("select _row from raw where " + condition + " limit 5", raw.headers[:4]).fetchall()
    for (row_no,) in again:
        problems.insert(0, Problem(row_no, None, None, "文件中间又出现了一行表头。", "A second header row appears in the middle of the file.",
                                   "请删除这一行(可能是两个文件拼接而成)。", "Delete that row (two exports were probably pasted together)."))


def _flag_nothing_importable(stage, problems: list[Problem]) -> None:
    """Put first a summary problem when every staged row has a problem."""
    if problems and not stage.execute("select count(*) from staged where _row not in (select unnest(?::bigint[]))",
                                      [[p.row for p in problems if p.row]]).fetchall()[0][0]:
        problems.insert(0, Problem(None, None, None, "每一行都有问题,没有可导入的数据。", "Every row has a problem; nothing can be imported.",
                                   "请检查列的对应关系和文件内容,或使用模板。", "Check the column mapping and the file, or use the template."))


def _build_preview(stage, spec: TableSpec) -> pa.Table:
    """The staged rows in file order: ``_row`` and only the columns the file gives (or that were derived);
    the database's defaults fill the others, and an upsert leaves the others as they are."""
    present = _staged_columns(stage)
    columns = ["_row"] + [c.name for c in spec.columns if c.name in present]
    selected = ", ".join(_q(name) for name in columns)
    return stage.sql("select " + selected + " from staged order by _row").to_arrow_table()


def _looks_like(headers: list[str], table: str) -> bool:
    spec = TABLES[table]
    aliases = {normalise_header(a) for c in spec.columns if c.required for a in (c.name, *c.aliases)}
    return sum(normalise_header(h) in aliases for h in headers) >= 2


def _staged_columns(stage) -> set[str]:
    return {r[0] for r in stage.execute("select column_name from information_schema.columns where table_name = 'staged'").fetchall()}


def _derive_columns(stage, spec: TableSpec, notices: list[tuple[str, str]]) -> None:
    """Columns a file may lack: sales amount = quantity × unit price, cost = amount − profit, line numbers
    within an order, one order per account and day; project status from its dates (docs/data-model.md)."""
    have = _staged_columns(stage)
    if spec.name == "sales":
        if "amount" not in have and {"quantity", "unit_price"} <= have:
            stage.execute("alter table staged add column amount double")
            stage.execute("update staged set amount = round(quantity * unit_price, 4)")
            notices.append(("金额由 数量 × 单价 计算得出。", "Amount derived as quantity × unit price."))
        if "cost" not in have and "profit" in have and "amount" in _staged_columns(stage):
            stage.execute("alter table staged add column cost double")
            stage.execute("update staged set cost = amount - profit")
            notices.append(("成本由 金额 − 利润 计算得出。", "Cost derived as amount − profit."))
        if "order_id" not in have:
            stage.execute("alter table staged add column order_id varchar")
            stage.execute("update staged set order_id = account_id || '/' || strftime(order_date, '%Y-%m-%d')")
            notices.append(("文件没有订单号:同一客户同一天的购买视为一个订单。",
                            "No order ids: an account's purchases on one day count as one order."))
        if "line_no" not in have:
            stage.execute("alter table staged add column line_no integer")
            stage.execute(
                "update staged set line_no = n.line_no from (select _row, row_number() over (partition by order_id order by _row) "
                "as line_no from staged) n where staged._row = n._row"
            )
            notices.append(("文件没有行号:行号按订单内的先后顺序编排。",
                            "No line numbers: lines are numbered by their position within each order."))
    if spec.name == "sales":
        returns = stage.execute("select count(*) from staged where quantity < 0 or amount < 0").fetchall()[0][0]
        if returns:
            notices.append((f"{returns} 行为退货或取消(数量或金额为负),按负数计入,抵减销售额。",
                            f"{returns} line(s) are returns or cancellations (negative quantity or amount); they are "
                            "imported as negative lines and reduce revenue."))
    if spec.name == "projects" and "status" not in have:
        stage.execute("alter table staged add column status varchar")
        start = "start_date" if "start_date" in have else "null::date"
        actual = "actual_end" if "actual_end" in have else "null::date"
        stage.execute(
            "update staged set status = case when " + actual + " is not null then 'completed' "
            "when " + start + " <= current_date then 'in_progress' else 'planned' end"
        )
        notices.append(("文件没有状态:按日期推断(有实际完成日期为已完成,已开始为进行中,否则为计划中)。",
                        "No status: derived from the dates (actual end: completed; started: in progress; else planned)."))
    if spec.name == "targets" and "key" not in have:
        stage.execute("alter table staged add column \"key\" varchar")
    if spec.name == "targets":
        stage.execute("update staged set \"key\" = coalesce(\"key\", '')")
    if spec.name == "survey_responses":
        if "account_id" not in have:
            stage.execute("alter table staged add column account_id varchar")
        stage.execute("update staged set account_id = coalesce(account_id, '')")
        if "response_id" not in have:
            # anonymous questionnaires: the row number in the file, prefixed by the wave so imports never clash
            stage.execute("alter table staged add column response_id varchar")
            prefix = "coalesce(wave || '-', '')" if "wave" in have else "''"
            stage.execute("update staged set response_id = " + prefix + " || 'R' || lpad(_row::varchar, 6, '0')")
            notices.append(("问卷没有编号:按文件中的行号编号(匿名问卷,不计入客户指标)。",
                            "No questionnaire ids: numbered by their row in the file (anonymous: they count in item "
                            "and overall figures, not in account figures)."))


def _key_join(spec: TableSpec, left: str, right: str) -> str:
    return " and ".join(left + "." + _q(k) + " = " + right + "." + _q(k) for k in spec.keys)


@contextmanager
def _database_for_checks(db) -> Iterator[duckdb.DuckDBPyConnection]:
    """The database staged rows are checked against: the file, or, while it does not exist yet, an empty
    in-memory database with the same schema, so that every check runs the same way whether the path came
    from ``--db``, ``KAM_DB`` or the default, and a preview never creates the file."""
    path = store.resolve_db_path(db)
    if path.exists():
        with store.open_db(path) as con:
            yield con
        return
    con = duckdb.connect()
    try:
        store.ensure_schema(con)
        yield con
    finally:
        con.close()


def _preview_against_database(db, staged: StagedImport, spec: TableSpec) -> None:
    """Counts of new, updated, unchanged rows; the date range; accounts affected; unknown accounts and
    survey scores outside their item's scale (problems)."""
    with _database_for_checks(db) as con:
        con.register("incoming", staged.rows)
        cols = [c.name for c in spec.stored if c.name in staged.rows.column_names]
        differs = " or ".join("i." + _q(c) + " is distinct from t." + _q(c) for c in cols if c not in spec.keys) or "false"
        row = con.execute(
            "select count(*) filter (where t." + _q(spec.keys[0]) + " is null), "
            "count(*) filter (where t." + _q(spec.keys[0]) + " is not null and (" + differs + ")), "
            "count(*) filter (where t." + _q(spec.keys[0]) + " is not null and not (" + differs + ")) "
            "from incoming i left join " + spec.name + " t on " + _key_join(spec, "i", "t")
        ).fetchall()[0]
        staged.preview = {"new": int(row[0]), "updated": int(row[1]), "unchanged": int(row[2]),
                          "rejected_rows": len({p.row for p in staged.problems if p.row})}
        if spec.date_column and spec.date_column in cols:
            first, last = con.execute("select min(" + _q(spec.date_column) + ")::date, max(" + _q(spec.date_column) + ")::date from incoming").fetchall()[0]
            staged.preview["first_date"], staged.preview["last_date"] = first, last
        if "account_id" in cols:
            staged.preview["accounts"] = con.execute(
                "select count(distinct account_id) from incoming where account_id <> ''").fetchall()[0][0]
            if spec.name != "accounts":
                # one problem per account, at its first row; every row of it when its rows are to be set aside
                unknown = con.execute(
                    "select account_id, min(_row) from incoming where account_id <> '' and account_id not in "
                    "(select account_id from accounts) group by " + ("account_id, _row" if staged.skip_invalid else "account_id")
                    + " order by min(_row)"
                ).fetchall()
                staged.missing_accounts = list(dict.fromkeys(u[0] for u in unknown))
                if unknown and not staged.create_accounts:
                    for account_id, row_no in unknown[:MAX_PROBLEMS]:
                        staged.problems.append(Problem(
                            row_no, "account_id", account_id, "客户编号在客户表中不存在。", "This account id is not in the accounts table.",
                            "先导入客户表,或选择“自动创建缺少的客户”(命令行:--create-accounts)。",
                            "Import the accounts first, or choose to create the missing accounts (command line: --create-accounts)."))
        if spec.name == "survey_responses":
            surveys.check_items(con, staged, staged.scales, bool(staged.wide_items))


def commit_staged(
    db: str | os.PathLike | None,
    staged: StagedImport,
    *,
    mode: str = "append",
    replace_scope: str = "range",
    user_name: str | None = None,
    remember_mapping: bool = True,
    on_commit: Callable[[duckdb.DuckDBPyConnection, dict[str, Any]], None] | None = None,
) -> dict[str, Any]:
    """Write the staged rows in one transaction; return the new import's record.

    ``on_commit(con, summary)`` runs inside that transaction just before it commits (summary: import_id,
    table_name, file_name, mode, rows_inserted, rows_updated): the audit entry of kam_metrics.access.policy is
    written with the import or not at all.

    append: a key that exists already rejects the whole import. upsert: rows with an existing key are
    updated (their previous version kept for undo), identical rows left alone. replace: the table's rows in
    the file's date range (``replace_scope="range"``) or all its rows (``"all"``) are replaced.
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}")
    if not staged.ok:
        raise ImportRejected(staged.file_name, staged.problems)
    spec = TABLES[staged.table]
    backup = store.backup_table(spec.name)
    with store.open_db(db) as con:
        con.register("incoming", staged.rows)
        con.execute("begin transaction")
        try:
            import_id = store.start_import(con, spec.name, file_name=staged.file_name, mode=mode,
                                           user_name=user_name, sha256=staged.sha256)
            created_accounts = _create_missing_accounts(con, staged, spec, import_id)
            _create_new_items(con, staged, import_id)
            counts = _write_rows(con, staged, spec, mode, replace_scope, backup, import_id)
            _finish_import(con, staged, spec, import_id, counts, remember_mapping)
            if on_commit is not None:
                on_commit(con, {"import_id": import_id, "table_name": spec.name, "file_name": staged.file_name, "mode": mode,
                                "rows_inserted": counts["inserted"], "rows_updated": counts["updated"]})
            con.execute("commit")
        except duckdb.ConstraintException as exc:
            con.execute("rollback")
            raise _refused_by_database(staged.file_name, exc) from None
        except BaseException:
            con.execute("rollback")
            raise
        record = import_history(con, import_id)[0]
    record.update({"rows_replaced": counts["replaced"], "rows_unchanged": counts["unchanged"],
                   "accounts_created": created_accounts})
    return record


def _create_missing_accounts(con, staged: StagedImport, spec: TableSpec, import_id: int) -> int:
    """When asked to, insert accounts for the ids the staged rows name that are not known yet: the id, and
    the name, industry, region and city where the file maps them, as of each account's latest row; how
    many were created."""
    columns = staged.rows.column_names
    if spec.name == "accounts" or not staged.create_accounts or "account_id" not in columns:
        return 0
    # each account as of its latest row (its last order): name, and the attributes the file carries
    latest = (lambda c: "arg_max(" + c + ", order_date)") if "order_date" in columns else (lambda c: "any_value(" + c + ")")
    kept = [c for c in ("industry", "region", "city") if c in columns]
    name_expr = "coalesce(" + latest("account_name") + ", account_id)" if "account_name" in columns else "account_id"
    return con.execute(
        "insert into accounts (account_id, account_name, " + "".join(c + ", " for c in kept) + "import_id) "
        "select account_id, " + name_expr + ", " + "".join(latest(c) + ", " for c in kept) + "? "
        "from incoming where account_id is not null and account_id <> '' "
        "and account_id not in (select account_id from accounts) group by account_id",
        [import_id],
    ).fetchall()[0][0]


def _create_new_items(con, staged: StagedImport, import_id: int) -> None:
    """Insert, with default settings, the survey items the staged answers use that are not defined yet."""
    for code, low, high in staged.new_items:
        con.execute(
            "insert into survey_items (item_code, dimension, label_zh, label_en, weight, scale_min, scale_max, import_id) "
            "select ?, 'service', ?, ?, 1, ?, ?, ? where ? not in (select item_code from survey_items)",
            [code, code, code, low, high, import_id, code],
        )


def _existing_sql(spec: TableSpec) -> str:
    """SQL condition: the incoming row ``i`` has a key already in the table."""
    return "exists (select 1 from " + spec.name + " t where " + _key_join(spec, "t", "i") + ")"


def _write_rows(con, staged: StagedImport, spec: TableSpec, mode: str, replace_scope: str, backup: str,
                import_id: int) -> dict[str, int]:
    """Write the incoming rows as ``mode`` says; the counts inserted, updated, unchanged and replaced."""
    cols = [c.name for c in spec.stored if c.name in staged.rows.column_names]
    col_list = ", ".join(_q(c) for c in cols)
    counts = {"updated": 0, "unchanged": 0, "replaced": 0}
    if mode == "append":
        to_insert = _append(con, staged, spec, col_list)
    elif mode == "upsert":
        to_insert, counts["updated"], counts["unchanged"] = _upsert(con, spec, cols, col_list, backup, import_id)
    else:
        to_insert, counts["replaced"] = _replace(con, spec, col_list, replace_scope, backup, import_id)
    counts["inserted"] = con.execute(
        "insert into " + spec.name + " (" + col_list + ", import_id) select *, ? from (" + to_insert + ")", [import_id]
    ).fetchall()[0][0]
    return counts


def _append(con, staged: StagedImport, spec: TableSpec, col_list: str) -> str:
    """Append mode: reject the import if any key exists already; the SELECT of the rows to insert."""
    clashes = con.execute("select i._row from incoming i where " + _existing_sql(spec) + " order by i._row limit 20").fetchall()
    if clashes:
        raise ImportRejected(staged.file_name, [Problem(
            r[0], "+".join(spec.keys), None, "数据库中已有相同主键的记录(追加模式不覆盖)。",
            "A row with this key is already in the database (append never overwrites).",
            "改用“更新”模式覆盖已有记录,或删除这些行。", "Use upsert to update existing rows, or leave these rows out.")
            for r in clashes])
    return "select " + col_list + " from incoming"


def _upsert(con, spec: TableSpec, cols: list[str], col_list: str, backup: str, import_id: int) -> tuple[str, int, int]:
    """Upsert mode: back up and update the rows whose key exists and whose values differ; (the SELECT of
    the new rows to insert, rows updated, rows unchanged)."""
    existing = _existing_sql(spec)
    differs = " or ".join("i." + _q(c) + " is distinct from t." + _q(c) for c in cols if c not in spec.keys) or "false"
    changed = "select t.* from " + spec.name + " t join incoming i on " + _key_join(spec, "t", "i") + " where " + differs
    updated = con.execute("insert into " + backup + " select *, ? from (" + changed + ")", [import_id]).fetchall()[0][0]
    unchanged = con.execute("select count(*) from incoming i where " + existing).fetchall()[0][0] - updated
    assignments = ", ".join(_q(c) + " = i." + _q(c) for c in cols if c not in spec.keys)
    if assignments:
        con.execute(
            "update " + spec.name + " as t set " + assignments + ", import_id = ? from incoming i where "
            + _key_join(spec, "t", "i") + " and exists (select 1 from " + backup + " b where b.backup_of_import = ? and "
            + _key_join(spec, "b", "t") + ")",
            [import_id, import_id],
        )
    return "select " + col_list + " from incoming i where not " + existing, updated, unchanged


def _replace(con, spec: TableSpec, col_list: str, replace_scope: str, backup: str, import_id: int) -> tuple[str, int]:
    """Replace mode: back up and delete the table's rows in the file's date range (or all of them) and
    the rows sharing a key with the file; (the SELECT of the rows to insert, rows replaced)."""
    params: list[Any] = [import_id]
    if replace_scope == "all" or not spec.date_column:
        scope = "true"
    else:
        first, last = con.execute("select min(" + _q(spec.date_column) + "), max(" + _q(spec.date_column) + ") from incoming").fetchall()[0]
        scope = "t." + _q(spec.date_column) + " between ? and ?"
        params += [first, last]
    victims = ("select t.* from " + spec.name + " t where (" + scope + ") or exists (select 1 from incoming i where "
               + _key_join(spec, "t", "i") + ")")
    replaced = con.execute("insert into " + backup + " select *, ? from (" + victims + ")", params).fetchall()[0][0]
    con.execute("delete from " + spec.name + " t where exists (select 1 from " + backup + " b where b.backup_of_import = ? and "
                + _key_join(spec, "b", "t") + ")", [import_id])
    return "select " + col_list + " from incoming", replaced


def _finish_import(con, staged: StagedImport, spec: TableSpec, import_id: int, counts: dict[str, int],
                   remember_mapping: bool) -> None:
    """Record the import's counts and, when asked to, remember the mapping for the same headers."""
    con.execute(
        "update imports set rows_read = ?, rows_inserted = ?, rows_updated = ?, rows_rejected = ?, "
        "finished_at = current_timestamp where import_id = ?",
        [staged.rows_read, counts["inserted"], counts["updated"], staged.skipped_rows, import_id],
    )
    if staged.skipped:  # kept with the import: what was set aside, where, and why
        con.executemany(
            "insert into import_rejects values (?, ?, ?, ?, ?, ?, ?, ?)",
            [[import_id, p.row, p.column, p.value, p.problem_zh, p.problem_en, p.fix_zh, p.fix_en] for p in staged.skipped],
        )
    if remember_mapping:
        con.execute(
            "insert or replace into import_mappings values (?, ?, ?, current_timestamp)",
            [spec.name, header_signature(staged.headers), json.dumps({h: c for h, c in staged.mapping.items() if c}, ensure_ascii=False)],
        )
        profiles.save(con, staged.profile_name or profiles.default_name(staged.file_name), spec.name,
                      staged.source_signature or header_signature(staged.headers), staged.options)


def _refused_by_database(file_name: str, exc: duckdb.ConstraintException) -> ImportRejected:
    """The rejection when the database's constraints refuse the rows (nothing was changed)."""
    detail = str(exc).splitlines()[0]
    return ImportRejected(file_name, [Problem(
        None, None, None, f"数据库拒绝了这些数据:{detail}", f"The database refused the data: {detail}",
        "请检查必填项和取值范围;数据库未作任何改动。", "Check required values and ranges; the database was not changed.")])


_HISTORY_SQL = """
select import_id, table_name, file_name, mode, status, rows_read, rows_inserted, rows_updated, rows_rejected,
       started_at, finished_at, user_name, sha256
from imports
where $import_id is null or import_id = $import_id
order by import_id
"""


def import_history(con: duckdb.DuckDBPyConnection, import_id: int | None = None) -> list[dict[str, Any]]:
    """Every import, oldest first (or just ``import_id``), as dicts with ISO timestamps."""
    cursor = con.execute(_HISTORY_SQL, {"import_id": import_id})
    names = [d[0] for d in cursor.description]
    out = []
    for row in cursor.fetchall():
        record = dict(zip(names, row))
        for key in ("started_at", "finished_at"):
            if record[key] is not None:
                record[key] = record[key].isoformat(sep=" ", timespec="seconds")
        out.append(record)
    return out


def import_rejects(con: duckdb.DuckDBPyConnection, import_id: int, lang: str) -> list[dict[str, Any]]:
    """The rows an import set aside (skip-invalid): row, column, value, problem and fix in ``lang``."""
    problem, fix = ("problem_zh", "fix_zh") if lang == "zh" else ("problem_en", "fix_en")
    cursor = con.execute("select row_no as row, column_name as column, value, " + problem + " as problem, " + fix
                         + " as fix from import_rejects where import_id = ? order by row_no, column_name", [import_id])
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, r)) for r in cursor.fetchall()]


class UndoRefused(Exception):
    """An import that cannot be undone (unknown, already undone, or a later import depends on it)."""


#: the tables whose rows name an account (an account an undo deletes must not leave them orphaned)
_ACCOUNT_REFERENCES = ("sales", "projects", "interactions", "opportunities", "survey_responses")


def _refuse_losing_later_work(con, import_id: int, touched: set[str]) -> None:
    """Refuse an undo that would silently lose later work: account edits made on the records page after
    the import to accounts it wrote, target edits of keys whose pre-import rows it would put back, and
    rows of other tables that name an account it would delete (they would be orphans). Each refusal
    names what is in the way and what to do first."""
    if "accounts" in touched:
        edits = con.execute(
            "select change_id, account_id, column_name from account_changes where undone_at is null "
            "and changed_at >= (select started_at from imports where import_id = $id) and account_id in "
            "(select account_id from accounts where import_id = $id union select account_id from "
            + store.backup_table("accounts") + " where backup_of_import = $id) order by change_id", {"id": import_id}).fetchall()
        if edits:
            listed = ", ".join(f"#{c} {a}.{col}" for c, a, col in edits[:10])
            raise UndoRefused(
                f"{len(edits)} later edit(s) on the Account records page changed accounts of this import ({listed}): undo those "
                f"changes there first, or keep the import. / 导入后在“客户资料”页修改了本次导入的客户({listed}),共 {len(edits)} 处:"
                "请先在该页撤销这些修改,或保留本次导入。")
        _refuse_orphans(con, import_id)
    if "targets" in touched:
        edited = con.execute(
            # a key the import updated now holds no import id (edited later) or is gone (deleted later)
            "select b.period, b.level, b.key from " + store.backup_table("targets") + " b left join targets t using (period, level, key) "
            "where b.backup_of_import = ? and (t.period is null or t.import_id is null) order by 1, 2, 3", [import_id]).fetchall()
        if edited:
            listed = ", ".join("/".join(map(str, k)) for k in edited[:10])
            raise UndoRefused(
                f"{len(edited)} target(s) of this import were edited or deleted afterwards on the Settings page ({listed}); undoing "
                f"it would overwrite that. Edit them back first, or keep the import. / 本次导入的 {len(edited)} 个目标之后在设置页被修改或删除过"
                f"({listed}),撤销会覆盖这些修改:请先改回,或保留本次导入。")


def _refuse_orphans(con, import_id: int) -> None:
    """Refuse undoing an accounts import whose new accounts other rows (not written by it) still name."""
    new_accounts = ("select account_id from accounts where import_id = $id and account_id not in (select account_id from "
                    + store.backup_table("accounts") + " where backup_of_import = $id)")
    referring = con.execute(
        "select t, count(*), list(distinct import_id order by import_id) filter (where import_id is not null) from ("
        + " union all ".join("select '" + t + "' as t, import_id from " + t + " where account_id in (" + new_accounts + ") "
                             "and import_id is distinct from $id" for t in _ACCOUNT_REFERENCES)
        + ") group by t", {"id": import_id}).fetchall()
    if referring:
        order = {t: i for i, t in enumerate(_ACCOUNT_REFERENCES)}
        referring.sort(key=lambda r: order[r[0]])
        found = [f"{t} {n:,}" for t, n, _ in referring]
        imports = sorted({i for _, _, ids in referring for i in ids or []})
        which = f" (imports {', '.join(map(str, imports))})" if imports else ""
        raise UndoRefused(
            f"Rows of other tables name accounts this import created ({', '.join(found)}){which}: undo those first, or keep "
            f"this import. / 其他表中的数据引用了本次导入创建的客户({', '.join(found)}){which}:请先撤销它们,或保留本次导入。")


def undo_import(db: str | os.PathLike | None, import_id: int,
                on_commit: Callable[[duckdb.DuckDBPyConnection, dict[str, Any]], None] | None = None) -> dict[str, Any]:
    """Return the database exactly to its state before ``import_id``: delete the rows it wrote and put back
    every row it updated or replaced. Later imports of the same tables must be undone first.
    ``on_commit(con, result)`` runs inside the undo's transaction just before it commits."""
    with store.open_db(db, create=False) as con:
        found = import_history(con, import_id)
        if not found:
            raise UndoRefused(f"There is no import {import_id}. / 没有编号为 {import_id} 的导入。")
        record = found[0]
        if record["status"] != "committed":
            raise UndoRefused(f"Import {import_id} is {record['status']}, not committed. / 导入 {import_id} 的状态是 {record['status']},无法撤销。")
        touched = [t for t in store.DATA_TABLES
                   if con.execute("select count(*) from " + t + " where import_id = ?", [import_id]).fetchall()[0][0]
                   or con.execute("select count(*) from " + store.backup_table(t) + " where backup_of_import = ?", [import_id]).fetchall()[0][0]]
        touched_set = set(touched) | {record["table_name"]}
        later = con.execute(
            "select import_id, table_name from imports where import_id > ? and status = 'committed' order by import_id desc", [import_id]
        ).fetchall()
        blocking = [i for i, t in later if t in touched_set or (t == "sales" and "accounts" in touched_set)]
        if blocking:
            raise UndoRefused(
                f"Import {blocking[0]} came later and changed the same data: undo it first. / 导入 {blocking[0]} 在其后修改了相同的数据,请先撤销它。"
            )
        _refuse_losing_later_work(con, import_id, touched_set)
        con.execute("begin transaction")
        try:
            deleted = restored = 0
            for table in store.DATA_TABLES:
                deleted += con.execute("delete from " + table + " where import_id = ?", [import_id]).fetchall()[0][0]
            for table in store.DATA_TABLES:
                backup = store.backup_table(table)
                restored += con.execute("insert into " + table + " select * exclude (backup_of_import) from " + backup
                                        + " where backup_of_import = ?", [import_id]).fetchall()[0][0]
                con.execute("delete from " + backup + " where backup_of_import = ?", [import_id])
            con.execute("update imports set status = 'undone', finished_at = current_timestamp where import_id = ?", [import_id])
            if on_commit is not None:
                on_commit(con, {"import_id": import_id, "rows_deleted": deleted, "rows_restored": restored})
            con.execute("commit")
        except BaseException:
            con.execute("rollback")
            raise
    return {"import_id": import_id, "rows_deleted": deleted, "rows_restored": restored}


def import_file(
    db: str | os.PathLike | None, path: str | os.PathLike, table: str, *, mode: str = "append", dry_run: bool = False,
    replace_scope: str = "range", **options: Any,
) -> tuple[StagedImport, dict[str, Any] | None]:
    """Stage a file from disk and, unless ``dry_run`` or it has problems, commit it."""
    data = Path(path).read_bytes()
    staged = stage_file(data, Path(path).name, table, db=db, path=path, **options)
    if dry_run or not staged.ok:
        return staged, None
    return staged, commit_staged(db, staged, mode=mode, replace_scope=replace_scope)


__all__ = [
    "ImportRejected", "Problem", "StagedImport", "UndoRefused", "MODES", "commit_staged", "guess_mapping",
    "import_file", "import_history", "import_rejects", "mapping_confidence", "propose_table", "rank_tables", "clear_choice", "parse_map_options", "parse_recode_options", "parse_set_options", "stage_file", "undo_import",
]
