"""The review-meeting report (大客户管理汇报, design.md §6; seed 000's outline): one data model that the
page, the PowerPoint, the HTML and the Excel exports all render, so every export shows the same
kam_metrics figures.

``build_report(con, filters, lang, scope, report_id=None, mask_names=False)`` returns a :class:`Report`:
sections in the outline's order (1 scope, 2 accounts and classes, 3 results: sales, satisfaction,
projects, loyalty, 4 problems: churn risk, service, communication, 5 causes, 6 improvements, 7 plan,
8 summary), then "since the last review" and the review actions. Sections 1-4 are filled from data;
5-8 start from data-driven hints and carry the presenter's edited text (saved with the report).

Every section holds its finding as its title, KPI figures, at most one chart (categories and series of
raw kam_metrics values), tables (rows of raw values with a kind per column), talking points (speaker
notes) and hints. Renderers only format; they never compute.

Saved reports (schema migration 3) keep a snapshot of per-account classes and revenue, project end
dates and risk bands, so the next report can say what changed since.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

import duckdb
import pandas as pd

from kam_metrics.domain.filters import Filters, calendar_grain, quarter_start, shift_months
from kam_metrics.i18n import format_date, format_money, format_month, format_percent, t
from kam_metrics.store.schema_report import ACTION_STATUSES

SCOPE_KINDS = ("all", "owner", "region", "accounts")
EDITABLE_SECTIONS = ("causes", "improvements", "plan", "summary")
#: rows of a table shown on a slide / page; exports to Excel keep every row
TABLE_ROWS = 8


# --------------------------------------------------------------------------------------------------
# the model


@dataclass
class Figure:
    """One KPI figure: the raw value, its kind (money, percent, count, index, days, hours, number,
    points) and the comparison value when there is one."""

    key: str
    label: str
    value: float | None
    kind: str
    comparison: float | None = None


@dataclass
class Series:
    name: str
    values: list[float | None]


@dataclass
class Chart:
    """A native chart: ``kind`` column, bar (horizontal) or line; values are raw kam_metrics figures of
    ``value_kind`` (money, percent, count, index, days)."""

    key: str
    title: str
    kind: str
    categories: list[str]
    series: list[Series]
    value_kind: str
    axis_title: str = ""


@dataclass
class Column:
    key: str
    label: str
    kind: str = "text"  # text, money, percent, count, index, number, date, days


@dataclass
class Table:
    key: str
    title: str
    columns: list[Column]
    rows: list[dict[str, Any]]
    #: False for a table that only restates the section's chart: it goes to Excel and HTML, not to a slide
    on_slide: bool = True

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.rows, columns=[c.key for c in self.columns])


@dataclass
class Section:
    key: str
    number: str
    heading: str
    title: str
    bullets: list[str] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    chart: Chart | None = None
    tables: list[Table] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    hints: list[str] = field(default_factory=list)
    editable: bool = False
    text: str = ""
    #: False when the data behind the section does not exist yet (e.g. the churn score); then
    #: ``bullets`` say so and nothing is made up
    available: bool = True


@dataclass
class Report:
    lang: str
    start: date
    end: date
    compare: str
    cmp_start: date
    cmp_end: date
    period: str
    scope: dict[str, Any]
    scope_text: str
    data_date: date | None
    title: str
    sections: list[Section]
    actions: list[dict[str, Any]]
    snapshot: dict[str, Any]
    report_id: int | None = None
    previous_report_id: int | None = None
    previous_period: str | None = None
    masked: bool = False
    #: account name -> alias (客户A / Customer A), largest 12-month revenue first
    aliases: dict[str, str] = field(default_factory=dict)
    #: a reopened report whose data changed since it was saved (imports committed or undone since):
    #: its figures are computed from the data as it is now, and the page says so
    data_changed: bool = False

    def section(self, key: str) -> Section:
        for section in self.sections:
            if section.key == key:
                return section
        raise KeyError(key)

    @property
    def footer(self) -> str:
        return t("report.footer", self.lang, start=format_date(self.start, self.lang),
                 end=format_date(self.end, self.lang), data_date=format_date(self.data_date, self.lang))


# --------------------------------------------------------------------------------------------------
# small helpers


def period_label(start: date, end: date) -> str:
    """2026Q3 / 2026-09 / 2026 for a calendar period, otherwise 2026-07-01_2026-08-15."""
    grain = calendar_grain(start, end)
    if grain == "quarter":
        return f"{start.year}Q{(start.month - 1) // 3 + 1}"
    if grain == "month":
        return f"{start.year}-{start.month:02d}"
    if grain == "year":
        return str(start.year)
    return f"{start.isoformat()}_{end.isoformat()}"


def export_file_name(report: Report, fmt: str) -> str:
    """大客户汇报_2026Q3.pptx in Chinese, KAM_review_2026Q3.pptx in English."""
    stem = "大客户汇报" if report.lang == "zh" else "KAM_review"
    masked = ("_脱敏" if report.lang == "zh" else "_masked") if report.masked else ""
    return f"{stem}_{report.period}{masked}.{fmt}"


def normalize_scope(scope: dict[str, Any] | None) -> dict[str, Any]:
    scope = dict(scope or {"kind": "all"})
    kind = scope.get("kind", "all")
    if kind not in SCOPE_KINDS:
        raise ValueError(f"unknown scope {kind!r}; choose one of {', '.join(SCOPE_KINDS)}")
    values = sorted({str(v) for v in scope.get("values", []) if str(v).strip()})
    if kind != "all" and not values:
        kind = "all"
    return {"kind": kind, "values": values if kind != "all" else []}


def scope_filters(start: date, end: date, compare: str, scope: dict[str, Any]) -> Filters:
    scope = normalize_scope(scope)
    values = tuple(scope["values"])
    return Filters(
        start=start,
        end=end,
        compare=compare,  # type: ignore[arg-type]
        owners=values if scope["kind"] == "owner" else (),
        regions=values if scope["kind"] == "region" else (),
        accounts=values if scope["kind"] == "accounts" else (),
    )


def format_value(value: Any, kind: str, lang: str) -> str:
    """A value as the page and the exports show it."""
    if value is None or (isinstance(value, float) and value != value):
        return "—"
    if kind == "money":
        return format_money(float(value), lang)
    if kind == "percent":
        return format_percent(float(value))
    if kind == "count":
        return f"{float(value):,.0f}"
    if kind in ("index", "number"):
        return f"{float(value):,.1f}"
    if kind == "points":
        return f"{float(value):+,.1f}"
    if kind == "days":
        return t("report.unit.days", lang, n=f"{float(value):,.0f}")
    if kind == "hours":
        return t("report.unit.hours", lang, n=f"{float(value):,.1f}")
    if kind == "date":
        return format_date(value if isinstance(value, date) else pd.Timestamp(value).date(), lang)
    return str(value)


def _f(value: Any) -> float | None:
    """A plain float, or None for missing values (NaN, NaT, None)."""
    if value is None:
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return float(value)


def _d(value: Any) -> date | None:
    if value is None or value is pd.NaT:
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return pd.Timestamp(value).date()


def _join(items: list[str], lang: str) -> str:
    return ("、" if lang == "zh" else ", ").join(items)


def alias_label(index: int, lang: str) -> str:
    """客户A … 客户Z, 客户AA … (Customer A …) for the index-th account (0-based)."""
    letters = ""
    n = index
    while True:
        letters = chr(ord("A") + n % 26) + letters
        n = n // 26 - 1
        if n < 0:
            break
    return t("report.alias", lang, letters=letters)


def _trie_pattern(words: list[str]) -> str:
    """One regular expression matching any of ``words``, longest first, built as a trie so that
    thousands of account names stay fast."""
    trie: dict = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = True

    def walk(node: dict) -> str:
        branches = [re.escape(char) + walk(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if "" in node:
            return "(?:" + body + ")?"
        return body

    return walk(trie)


class NameMasker:
    """Replaces every account name in a text by its alias (longest name first)."""

    def __init__(self, aliases: dict[str, str]):
        names = [n for n in aliases if n]
        self.aliases = aliases
        self.pattern = re.compile(_trie_pattern(names)) if names else None

    def __call__(self, value: Any) -> Any:
        if not isinstance(value, str) or self.pattern is None or not value:
            return value
        return self.pattern.sub(lambda m: self.aliases.get(m.group(0), m.group(0)), value)


def mask_report(report: Report) -> Report:
    """A copy of ``report`` with every account name, wherever it appears (titles, bullets, chart
    categories, table cells, notes, hints, edited text, actions), replaced by its alias."""
    if report.masked:
        return report
    mask = NameMasker(report.aliases)

    def rows(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [{k: mask(v) for k, v in row.items()} for row in items]

    sections = []
    for s in report.sections:
        chart = None
        if s.chart is not None:
            chart = replace(s.chart, title=mask(s.chart.title), categories=[mask(c) for c in s.chart.categories])
        sections.append(
            replace(
                s,
                title=mask(s.title),
                bullets=[mask(b) for b in s.bullets],
                chart=chart,
                tables=[replace(tb, title=mask(tb.title), rows=rows(tb.rows)) for tb in s.tables],
                notes=[mask(n) for n in s.notes],
                hints=[mask(h) for h in s.hints],
                text=mask(s.text),
            )
        )
    return replace(report, sections=sections, actions=rows(report.actions), masked=True,
                   title=mask(report.title), scope_text=mask(report.scope_text))


# --------------------------------------------------------------------------------------------------
# optional modules built by other issues (churn #7, forecast #9): used when they are there


def load_churn_scores(con: duckdb.DuckDBPyConnection, filters: Filters, account_ids: list[str],
                      result: dict[str, Any] | None = None) -> dict[str, Any]:
    """The churn-risk scores of the report's accounts from kam_metrics.churn.scoring (issue #7), as of the same
    day the Churn risk page scores (the latest order up to the period end; ``result`` is that page's
    cached score_accounts result when the caller has it): {"method", "method_text", "fallback_reason",
    "scores" (account_id, account_name, owner, band, probability, revenue_12m, revenue_at_risk, is_alert,
    reasons_zh, reasons_en)}."""
    from kam_metrics.churn import scoring as churn

    if result is None:
        as_of = churn.scoring_day(con, filters.end)
        result = (churn.score_accounts(con, as_of=as_of, with_backtest=False) if as_of is not None
                  else {"method": None, "fallback_reason": None, "scores": churn.empty_scores()})
    scores = result["scores"]
    scores = scores[scores["account_id"].isin(set(account_ids))].reset_index(drop=True)
    labels = {lang: churn.method_label(result.get("method"), lang) for lang in ("zh", "en")}
    return {"method": result.get("method"), "method_text": labels, "fallback_reason": result.get("fallback_reason"),
            "scores": scores}


def load_forecast(con: duckdb.DuckDBPyConnection, filters: Filters) -> dict[str, Any] | None:
    """The scope's monthly revenue forecast for the 12 months after the period end, from
    kam_metrics.forecast.engine (issue #9), with the windows of section 7 (months 1-3, 4-6, 7-12) against
    the pro-rated target; None without history."""
    from kam_metrics.churn import scoring as churn
    from kam_metrics.forecast import engine as module
    from kam_metrics.domain.filters import month_end
    from kam_metrics.metrics.sales import compute_target

    # as of the latest order up to the period end (as the Sales page, which forecasts as of the latest
    # order): a period end after the data would otherwise count a partial month as complete
    as_of = churn.scoring_day(con, filters.end)
    if as_of is None:  # no order up to the period end: nothing to forecast from
        return None
    out = module.forecast_series(con, "company", horizon_months=12, filters=filters if filters.has_segments else None,
                                 include_history=True, as_of=as_of)
    if not out["series"]:
        return None
    series = out["series"][0]
    windows = {}
    for name, (first, last) in module.WINDOWS.items():
        rows = series["forecast"][first - 1 : last]
        if not rows or any(r["value"] is None for r in rows):
            continue
        start, end = _d(rows[0]["month"]), month_end(_d(rows[-1]["month"]))
        total = float(sum(r["value"] for r in rows))
        target = compute_target(con, replace(filters, start=start, end=end, segment_end=None))["revenue_target"]
        windows[name] = {"start": start, "end": end, "forecast": total,
                         "lower": float(sum(r["lower"] or 0.0 for r in rows)),
                         "upper": float(sum(r["upper"] or 0.0 for r in rows)),
                         "target": None if target is None else float(target),
                         "completion": None if not target else total / float(target)}
    settings = out.get("settings") or {}
    # the method named in the report's language (kam_metrics.i18n.catalogue.forecast)
    method_text = {lang: t(f"forecast.method.{series['method']}", lang, n=series.get("history_months"),
                           model=settings.get("forecast_min_months_model"),
                           seasonal=settings.get("forecast_min_months_seasonal"),
                           stopped=settings.get("forecast_stopped_months")) for lang in ("zh", "en")}
    return {**series, "history_end": out["history_end"], "windows": windows, "method_text": method_text}


# --------------------------------------------------------------------------------------------------
# saved reports and actions


def has_report_tables(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether migration 3 has run (a database opened read-only before any write may lack it)."""
    return bool(con.execute(
        "select count(*) from information_schema.tables where table_name = 'review_actions'"
    ).fetchall()[0][0])


def load_scope_options(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """What the report page offers: {"owners", "regions", "accounts" ({account_id: account_name}), "saved"
    (the saved reports: report_id, period, start, end, compare, scope, lang, updated_at)}."""
    from kam_metrics.metrics.sales import load_segment_values

    segments = load_segment_values(con)
    accounts = con.execute("select account_id, account_name from accounts order by account_name, account_id").fetchall()
    saved = load_saved_reports(con)
    return {
        "owners": segments["owners"],
        "regions": segments["regions"],
        "accounts": {a: n for a, n in accounts},
        "saved": [
            {"report_id": int(r.report_id), "period": r.period, "start": pd.Timestamp(r.start_date).date(),
             "end": pd.Timestamp(r.end_date).date(), "compare": r.compare, "scope": json.loads(r.scope_json),
             "lang": r.lang, "updated_at": r.updated_at}
            for r in saved.itertuples(index=False)
        ],
    }


def load_saved_reports(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every saved report, newest first: report_id, period, start_date, end_date, compare, scope_json,
    lang, created_at, updated_at."""
    if not has_report_tables(con):
        return pd.DataFrame(columns=["report_id", "period", "start_date", "end_date", "compare", "scope_json", "lang",
                                     "created_at", "updated_at"])
    return con.execute(
        "select report_id, period, start_date, end_date, compare, scope_json, lang, created_at, updated_at "
        "from reports order by end_date desc, report_id desc"
    ).df()


def load_saved_report(con: duckdb.DuckDBPyConnection, report_id: int) -> dict[str, Any] | None:
    """One saved report: its row (scope as a dict, snapshot as a dict) and sections {section: body}."""
    if not has_report_tables(con):
        return None
    rows = con.execute(
        "select report_id, period, start_date, end_date, compare, scope_json, lang, snapshot_json "
        "from reports where report_id = ?",
        [int(report_id)],
    ).fetchall()
    if not rows:
        return None
    rid, period, start, end, compare, scope_json, lang, snapshot_json = rows[0]
    sections = dict(con.execute("select section, body from report_sections where report_id = ?", [rid]).fetchall())
    return {"report_id": rid, "period": period, "start": start, "end": end, "compare": compare,
            "scope": json.loads(scope_json), "lang": lang, "snapshot": json.loads(snapshot_json),
            "sections": sections}


def find_previous_report(con: duckdb.DuckDBPyConnection, scope: dict[str, Any], end: date,
                         report_id: int | None = None) -> dict[str, Any] | None:
    """The latest saved report of the same scope whose period ended before ``end`` (the last review)."""
    if not has_report_tables(con):
        return None
    scope_json = json.dumps(normalize_scope(scope), ensure_ascii=False, sort_keys=True)
    rows = con.execute(
        "select report_id from reports where scope_json = ? and end_date < ? and report_id <> ? "
        "order by end_date desc, report_id desc limit 1",
        [scope_json, end, int(report_id or -1)],
    ).fetchall()
    return load_saved_report(con, rows[0][0]) if rows else None


ACTION_COLUMNS = ("action_id", "what", "owner", "due_date", "status", "created_report_id", "closed_report_id")


def load_actions(con: duckdb.DuckDBPyConnection, report_id: int | None = None) -> list[dict[str, Any]]:
    """The review actions a report shows, oldest first.

    A new (unsaved) report shows every action not yet closed in a saved report: those agreed at earlier
    reviews are carried into it. A saved report shows the actions created in it or before it that were
    not closed before it (so reopening a report shows what it showed)."""
    if not has_report_tables(con):
        return []
    if report_id is None:
        where, params = "closed_report_id is null", []
    else:
        where = ("coalesce(created_report_id, 0) <= ? and (closed_report_id is null or closed_report_id >= ?)")
        params = [int(report_id), int(report_id)]
    frame = con.execute(
        f"select {', '.join(ACTION_COLUMNS)} from review_actions where {where} order by action_id", params  # noqa: S608 constant columns
    ).df()
    return [
        {
            "action_id": int(r.action_id),
            "what": r.what,
            "owner": r.owner if isinstance(r.owner, str) else "",
            "due_date": _d(r.due_date),
            "status": r.status,
            "created_report_id": None if pd.isna(r.created_report_id) else int(r.created_report_id),
            "closed_report_id": None if pd.isna(r.closed_report_id) else int(r.closed_report_id),
        }
        for r in frame.itertuples(index=False)
    ]


class ActionsInvalid(ValueError):
    """An edited action that cannot be stored; the message names the row and the fix."""


def _clean_actions(actions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for number, action in enumerate(actions, start=1):
        what = str(action.get("what") or "").strip()
        if not what:
            continue  # an empty row of the editor
        status = action.get("status") or "open"
        if status not in ACTION_STATUSES:
            raise ActionsInvalid(f"row {number}: status must be one of {', '.join(ACTION_STATUSES)}")
        due = action.get("due_date")
        if due is None or due is pd.NaT or (not isinstance(due, str) and pd.isna(due)):
            due = None
        elif isinstance(due, datetime):
            due = due.date()
        elif not isinstance(due, date):
            try:
                due = pd.Timestamp(due).date()
            except (TypeError, ValueError):
                raise ActionsInvalid(f"row {number}: due date {due!r} is not a date") from None
        action_id = action.get("action_id")
        action_id = None if action_id is None or pd.isna(action_id) else int(action_id)
        owner = action.get("owner")
        out.append({"action_id": action_id, "what": what,
                    "owner": "" if owner is None or (not isinstance(owner, str) and pd.isna(owner)) else str(owner).strip(),
                    "due_date": due, "status": status})
    return out


def save_report(con: duckdb.DuckDBPyConnection, report: Report, *, texts: dict[str, str] | None = None,
                actions: list[dict[str, Any]] | None = None, user_name: str | None = None,
                on_commit: Callable[[duckdb.DuckDBPyConnection, int], None] | None = None) -> int:
    """Store the report (a new one, or ``report.report_id`` again): its snapshot, the edited text of
    sections 5-8 and the review actions, in one transaction. Actions marked done or dropped are closed
    in this report; new rows are created in it. Returns the report id. The report must not be masked
    (the snapshot keeps account ids, and the text is stored as written). ``on_commit(con, report_id)``
    runs inside the transaction just before it commits (the audit entry)."""
    if report.masked:
        raise ValueError("save the unmasked report; masking is for showing and exporting only")
    texts = texts if texts is not None else {s.key: s.text for s in report.sections if s.editable}
    cleaned = _clean_actions(actions if actions is not None else report.actions)
    scope_json = json.dumps(normalize_scope(report.scope), ensure_ascii=False, sort_keys=True)
    snapshot_json = json.dumps(report.snapshot, ensure_ascii=False, sort_keys=True, default=str)
    con.execute("begin transaction")
    try:
        report_id = report.report_id
        if report_id is None:
            report_id = int(con.execute("select nextval('report_id_seq')").fetchall()[0][0])
            con.execute(
                "insert into reports (report_id, period, start_date, end_date, compare, scope_json, lang, created_at, "
                "updated_at, user_name, snapshot_json) values (?, ?, ?, ?, ?, ?, ?, current_timestamp, "
                "current_timestamp, ?, ?)",
                [report_id, report.period, report.start, report.end, report.compare, scope_json, report.lang,
                 user_name, snapshot_json],
            )
        else:
            con.execute(
                "update reports set lang = ?, snapshot_json = ?, updated_at = current_timestamp where report_id = ?",
                [report.lang, snapshot_json, report_id],
            )
        for key, body in texts.items():
            if key not in EDITABLE_SECTIONS:
                continue
            con.execute(
                "insert or replace into report_sections (report_id, section, body, updated_at) "
                "values (?, ?, ?, current_timestamp)",
                [report_id, key, body or ""],
            )
        for action in cleaned:
            closing = action["status"] in ("done", "dropped")
            if action["action_id"] is None:
                con.execute(
                    "insert into review_actions (action_id, what, owner, due_date, status, created_report_id, "
                    "closed_report_id, created_at, updated_at) values (nextval('review_action_id_seq'), ?, ?, ?, ?, ?, ?, "
                    "current_timestamp, current_timestamp)",
                    [action["what"], action["owner"], action["due_date"], action["status"], report_id,
                     report_id if closing else None],
                )
            else:
                con.execute(
                    "update review_actions set what = ?, owner = ?, due_date = ?, status = ?, "
                    "closed_report_id = case when ? then coalesce(closed_report_id, ?) else null end, "
                    "updated_at = current_timestamp where action_id = ?",
                    [action["what"], action["owner"], action["due_date"], action["status"], closing, report_id,
                     action["action_id"]],
                )
        if on_commit is not None:
            on_commit(con, int(report_id))
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    return int(report_id)


# --------------------------------------------------------------------------------------------------
# building


@dataclass
class _Context:
    con: duckdb.DuckDBPyConnection
    filters: Filters
    lang: str
    data: dict[str, Any]

    def t(self, key: str, **fields: Any) -> str:
        return t(key, self.lang, **fields)

    def v(self, value: Any, kind: str) -> str:
        return format_value(value, kind, self.lang)

    def names(self, items: list[str], limit: int = 5) -> str:
        shown = [str(i) for i in items[:limit]]
        more = len(items) - len(shown)
        text = _join(shown, self.lang)
        return text + (self.t("report.and_more", n=more) if more > 0 else "")


def _load_data(con: duckdb.DuckDBPyConnection, filters: Filters, churn_result: dict[str, Any] | None = None) -> dict[str, Any]:
    from kam_metrics.metrics import accounts
    from kam_metrics.metrics import kpi
    from kam_metrics.metrics import loyalty
    from kam_metrics.metrics import pipeline
    from kam_metrics.metrics import projects
    from kam_metrics.metrics import sales
    from kam_metrics.metrics import satisfaction
    from kam_metrics.metrics import service

    comparison = filters.for_comparison()
    latest = satisfaction.compute_latest_overall(con, filters.end)
    wave = latest["wave"]
    cadence = service.compute_cadence(con, filters)
    account_list = accounts.compute_account_list(con, filters)
    return {
        "kpis": kpi.compute_kpis(con, filters),
        "monthly": sales.compute_monthly_revenue(con, filters),
        "monthly_comparison": sales.compute_monthly_revenue(con, comparison),
        "top": sales.compute_top_accounts(con, filters, limit=10),
        "accounts": account_list,
        "abc_summary": accounts.compute_abc_summary(con, filters),
        "key_accounts": accounts.compute_key_account_summary(con, filters),
        "intervals": loyalty.compute_order_intervals(con, filters),
        "referrals": loyalty.compute_referrals(con, filters),
        "nps": loyalty.compute_nps(con, filters),
        "lost": loyalty.compute_lost_accounts(con, filters),
        "wave": wave,
        "satisfaction": satisfaction.compute_satisfaction(con, wave=wave) if wave else None,
        "previous_wave": (latest.get("previous") or {}).get("wave"),
        "project_summary": projects.compute_project_summary(con, filters),
        "projects": projects.compute_project_list(con, filters),
        "service": service.compute_service_summary(con, filters),
        "service_monthly": service.compute_service_monthly(con, filters),
        "complaints": service.compute_complaints_by_account(con, filters),
        "cadence": cadence,
        "cadence_summary": service.summarize_cadence(cadence),
        "pipeline": pipeline.compute_pipeline_summary(con, filters),
        "funnel": pipeline.compute_funnel(con, filters),
        "stale": pipeline.compute_stale_opportunities(con, filters),
        "churn": load_churn_scores(con, filters, account_list["account_id"].tolist(), churn_result),
        "forecast": load_forecast(con, filters),
        "data_range": sales.load_data_range(con),
    }


def _scope_text(ctx: _Context, scope: dict[str, Any]) -> str:
    if scope["kind"] == "all":
        return ctx.t("report.scope.all")
    values = scope["values"]
    if scope["kind"] == "accounts":
        names = dict(ctx.con.execute(
            "select account_id, account_name from accounts where list_contains(?::varchar[], account_id)", [values]
        ).fetchall())
        values = [names.get(v, v) for v in values]
    # the accounts kind has its own key: "report.scope.accounts" is the scope bullet of section 1
    key = {"owner": "report.scope.owner", "region": "report.scope.region", "accounts": "report.scope.chosen"}
    return ctx.t(key[scope["kind"]], values=ctx.names(values, limit=8))


def _section_scope(ctx: _Context, scope_text: str) -> Section:
    k, ks = ctx.data["kpis"], ctx.data["key_accounts"]
    f = ctx.filters
    accounts = ctx.data["accounts"]
    n_accounts = len(accounts)
    lang = ctx.lang
    title = ctx.t("report.scope.title", start=format_date(f.start, lang), end=format_date(f.end, lang),
                  n=f"{n_accounts:,}", key_n=f"{ks['count_key_accounts']:,}")
    cmp_start, cmp_end = f.comparison
    return Section(
        key="scope", number="1", heading=ctx.t("report.section.scope"), title=title,
        bullets=[
            ctx.t("report.scope.goal"),
            ctx.t("report.scope.period", start=format_date(f.start, lang), end=format_date(f.end, lang),
                  cmp_start=format_date(cmp_start, lang), cmp_end=format_date(cmp_end, lang),
                  compare=ctx.t(f"compare.short.{f.compare}")),
            ctx.t("report.scope.accounts", scope=scope_text, n=f"{n_accounts:,}",
                  key_n=f"{ks['count_key_accounts']:,}", active=f"{k['active_accounts']:,}"),
            ctx.t("report.scope.areas"),
        ],
        figures=[
            Figure("accounts", ctx.t("report.fig.accounts"), n_accounts, "count"),
            Figure("key_accounts", ctx.t("report.fig.key_accounts"), ks["count_key_accounts"], "count"),
            Figure("active_accounts", ctx.t("report.fig.active_accounts"), k["active_accounts"], "count",
                   k["comparison"]["active_accounts"]),
        ],
        notes=[ctx.t("report.notes.scope")],
    )


def _section_accounts(ctx: _Context) -> Section:
    summary = ctx.data["abc_summary"]
    accounts = ctx.data["accounts"]
    classes = [c for c in summary["abc_class"].tolist() if c]
    rows = {r.abc_class: r for r in summary.itertuples(index=False)}
    chart = None
    title = ctx.t("report.accounts.title_none")
    if classes:
        chart = Chart(
            key="abc_revenue", title="", kind="column",
            categories=[ctx.t(f"abc.{c}") for c in classes],
            series=[Series(ctx.t("report.series.revenue_12m"), [_f(rows[c].revenue_12m) for c in classes])],
            value_kind="money", axis_title=ctx.t("report.axis.revenue"),
        )
        if "A" in rows:
            a = rows["A"]
            title = ctx.t("report.accounts.title", n=f"{int(a.count_accounts):,}", share=format_percent(_f(a.share_12m)))
        chart.title = title
    key = accounts[accounts["is_key_account"].fillna(False).astype(bool)]
    bullets = []
    for dimension, prefix in (("industry", None), ("scale", "scale"), ("tenure_band", "tenure")):
        groups = []
        for value, group in key.groupby(key[dimension].fillna(""), sort=False):
            label = (ctx.t(f"{prefix}.{value}") if prefix and value else value) or ctx.t("dim.none")
            groups.append((len(group), label, group["account_name"].tolist()))
        groups.sort(key=lambda g: (-g[0], g[1]))
        if groups:
            parts = [ctx.t("report.accounts.group", label=label, n=n, names=ctx.names(names, limit=2))
                     for n, label, names in groups[:3]]
            bullets.append(ctx.t(f"report.accounts.by_{dimension}", groups="; ".join(parts)))
    if key.empty:
        bullets.append(ctx.t("report.accounts.no_key"))
    table_rows = [
        {"account_name": r.account_name, "abc_class": r.abc_class or "", "industry": r.industry or "",
         "scale": ctx.t(f"scale.{r.scale}") if isinstance(r.scale, str) and r.scale else "",
         "tenure_band": ctx.t(f"tenure.{r.tenure_band}") if isinstance(r.tenure_band, str) and r.tenure_band else "",
         "owner": r.owner or "", "revenue": _f(r.revenue), "comparison_revenue": _f(r.comparison_revenue)}
        for r in key.head(50).itertuples(index=False)
    ]
    table = Table("key_accounts", ctx.t("report.table.key_accounts"), [
        Column("account_name", ctx.t("col.account_name")),
        Column("abc_class", ctx.t("col.abc_class")),
        Column("industry", ctx.t("col.industry")),
        Column("scale", ctx.t("filter.scale")),
        Column("tenure_band", ctx.t("filter.tenure")),
        Column("owner", ctx.t("col.owner")),
        Column("revenue", ctx.t("col.revenue"), "money"),
        Column("comparison_revenue", ctx.t("col.comparison_revenue"), "money"),
    ], table_rows)
    abc_table = Table("abc_summary", ctx.t("report.table.abc_summary"), [
        Column("abc_class", ctx.t("col.abc_class")),
        Column("count_accounts", ctx.t("report.col.count_accounts"), "count"),
        Column("revenue_12m", ctx.t("report.series.revenue_12m"), "money"),
        Column("share_12m", ctx.t("col.share"), "percent"),
        Column("revenue", ctx.t("col.revenue"), "money"),
    ], [{"abc_class": ctx.t(f"abc.{r.abc_class}") if r.abc_class else ctx.t("report.abc.none"),
         "count_accounts": int(r.count_accounts), "revenue_12m": _f(r.revenue_12m), "share_12m": _f(r.share_12m),
         "revenue": _f(r.revenue)} for r in summary.itertuples(index=False)])
    return Section(key="accounts", number="2", heading=ctx.t("report.section.accounts"), title=title,
                   bullets=bullets, chart=chart, tables=[table, abc_table],
                   notes=[ctx.t("report.notes.accounts")] + bullets[:1])


def _month_labels(months: list, lang: str) -> list[str]:
    return [format_month(_d(m), lang) for m in months]


def _comparison_by_month(months: list, previous: pd.DataFrame, filters: Filters) -> list[float | None]:
    """The comparison period's revenue under each current month, matched by calendar (the monthly
    query leaves out months without sales, so matching by position would shift values): the month
    at the same offset from the comparison period's start as the current month from the period's
    start (同比: the same month a year earlier; 环比: the same place in the previous period); None when
    that month had no sales."""
    cmp_start, _ = filters.comparison
    by_month = {_d(m): _f(v) for m, v in zip(previous["month"], previous["revenue"])}
    start = filters.start
    values = []
    for m in months:
        month = _d(m)
        offset = (month.year - start.year) * 12 + month.month - start.month
        values.append(by_month.get(shift_months(cmp_start, offset)))
    return values


def _section_sales(ctx: _Context) -> Section:
    k = ctx.data["kpis"]
    c = k["comparison"]
    lang = ctx.lang
    monthly, previous = ctx.data["monthly"], ctx.data["monthly_comparison"]
    revenue_text = format_money(k["revenue"], lang)
    if k["revenue_growth"] is None:
        title = ctx.t("report.sales.title_flat", revenue=revenue_text)
    else:
        direction = "up" if k["revenue_growth"] >= 0 else "down"
        title = ctx.t(f"report.sales.title_{direction}", revenue=revenue_text,
                      growth=format_percent(abs(k["revenue_growth"])))
    if k["target_completion"] is not None:
        title += ctx.t("report.sales.title_target", completion=format_percent(k["target_completion"]))
    chart = None
    if not monthly.empty:
        months = list(monthly["month"])
        this_values = [_f(v) for v in monthly["revenue"]]
        prev_values = _comparison_by_month(months, previous, ctx.filters)
        series = [Series(ctx.t("chart.monthly.this"), this_values)]
        if any(v is not None for v in prev_values):
            series.append(Series(ctx.t("chart.monthly.comparison"), prev_values))
        chart = Chart("monthly_revenue", title, "column", _month_labels(months, lang), series, "money",
                      ctx.t("report.axis.revenue"))
    over = None if k["target_completion"] is None else k["target_completion"] - 1
    volume_change = k["volume"] - c["volume"]
    bullets = [
        ctx.t("report.sales.revenue", revenue=revenue_text, volume=ctx.v(k["volume"], "count"),
              growth=format_percent(k["revenue_growth"], signed=True)),
    ]
    if k["target_completion"] is not None:
        bullets.append(ctx.t("report.sales.target", target=format_money(k["revenue_target"], lang),
                             completion=format_percent(k["target_completion"]),
                             over=format_percent(over, signed=True)))
    else:
        bullets.append(ctx.t("report.sales.no_target"))
    if k["volume_target_completion"] is not None:
        bullets.append(ctx.t("report.sales.volume_target", over=format_percent(k["volume_target_completion"] - 1, signed=True)))
    bullets.append(ctx.t("report.sales.vs_previous", change=format_money(k["revenue"] - c["revenue"], lang),
                         growth=format_percent(k["revenue_growth"], signed=True),
                         volume=f"{volume_change:+,.0f}", compare=ctx.t(f"compare.short.{ctx.filters.compare}")))
    figures = [
        Figure("revenue", ctx.t("kpi.revenue"), k["revenue"], "money", c["revenue"]),
        Figure("volume", ctx.t("kpi.volume"), k["volume"], "count", c["volume"]),
        Figure("revenue_growth", ctx.t("kpi.revenue_growth"), k["revenue_growth"], "percent", c["revenue_growth"]),
        Figure("target_completion", ctx.t("kpi.target_completion"), k["target_completion"], "percent",
               c["target_completion"]),
        Figure("gross_margin", ctx.t("report.fig.gross_margin"), k["gross_margin"], "percent", c["gross_margin"]),
    ]
    table = Table("monthly_revenue", ctx.t("report.table.monthly"), [
        Column("month", ctx.t("chart.monthly.x")),
        Column("revenue", ctx.t("col.revenue"), "money"),
        Column("comparison_revenue", ctx.t("col.comparison_revenue"), "money"),
    ], on_slide=False, rows=[{"month": label, "revenue": s0, "comparison_revenue": s1}
        for label, s0, s1 in zip(chart.categories if chart else [], chart.series[0].values if chart else [],
                                 chart.series[1].values if chart and len(chart.series) > 1 else [None] * 99)])
    return Section(key="sales", number="3.1", heading=ctx.t("report.section.sales"), title=title, bullets=bullets,
                   figures=figures, chart=chart, tables=[table],
                   notes=bullets + [ctx.t("report.notes.sales")])


def _section_top(ctx: _Context) -> Section:
    top = ctx.data["top"]
    k = ctx.data["kpis"]
    if top.empty:
        return Section(key="top", number="3.1", heading=ctx.t("report.section.top"),
                       title=ctx.t("report.top.title_none"), bullets=[ctx.t("empty.period")], available=False)
    share = _f(k["top10_share"])
    title = ctx.t("report.top.title", share=format_percent(share), name=top.iloc[0]["account_name"])
    chart = Chart("top_accounts", title, "bar", top["account_name"].tolist(),
                  [Series(ctx.t("chart.monthly.this"), [_f(v) for v in top["revenue"]]),
                   Series(ctx.t("chart.monthly.comparison"), [_f(v) for v in top["comparison_revenue"]])],
                  "money", ctx.t("report.axis.revenue"))
    table = Table("top_accounts", ctx.t("overview.top10_table"), [
        Column("account_name", ctx.t("col.account_name")),
        Column("abc_class", ctx.t("col.abc_class")),
        Column("owner", ctx.t("col.owner")),
        Column("revenue", ctx.t("col.revenue"), "money"),
        Column("comparison_revenue", ctx.t("col.comparison_revenue"), "money"),
        Column("share", ctx.t("col.share"), "percent"),
        Column("growth", ctx.t("col.growth"), "percent"),
    ], [{"account_name": r.account_name, "abc_class": r.abc_class or "", "owner": r.owner or "",
         "revenue": _f(r.revenue), "comparison_revenue": _f(r.comparison_revenue), "share": _f(r.share),
         "growth": _f(r.growth)} for r in top.itertuples(index=False)], on_slide=False)
    growers = top[top["growth"].notna()].sort_values("growth")
    bullets = [ctx.t("report.top.share", share=format_percent(share), herfindahl=ctx.v(k["herfindahl"], "number")
                     if k["herfindahl"] is None else f"{k['herfindahl']:.3f}")]
    if not growers.empty:
        low, high = growers.iloc[0], growers.iloc[-1]
        bullets.append(ctx.t("report.top.movers", up=high["account_name"], up_growth=format_percent(high["growth"], signed=True),
                             down=low["account_name"], down_growth=format_percent(low["growth"], signed=True)))
    return Section(key="top", number="3.1", heading=ctx.t("report.section.top"), title=title, bullets=bullets,
                   chart=chart, tables=[table], notes=bullets + [ctx.t("report.notes.top")])


def _section_satisfaction(ctx: _Context) -> Section:
    s = ctx.data["satisfaction"]
    heading = ctx.t("report.section.satisfaction")
    if s is None or s["overall_index"] is None:
        return Section(key="satisfaction", number="3.2", heading=heading, title=ctx.t("report.sat.title_none"),
                       bullets=[ctx.t("report.sat.none")], available=False, notes=[ctx.t("report.sat.none")])
    dims = s["dimensions"].sort_values("satisfaction", ascending=False)
    labels = [ctx.t(f"sat.dim.{d}") for d in dims["dimension"]]
    best, worst = labels[0], labels[-1]
    title = ctx.t("report.sat.title", index=ctx.v(s["overall_index"], "index"), best=best, worst=worst,
                  wave=ctx.data["wave"])
    chart = Chart("dimensions", title, "bar", labels,
                  [Series(ctx.t("report.series.satisfaction"), [_f(v) for v in dims["satisfaction"]]),
                   Series(ctx.t("report.series.target"), [_f(v) for v in dims["target_index"]])],
                  "index", ctx.t("report.axis.index"))
    items = s["items"].sort_values("gap_target")
    label_col = "label_zh" if ctx.lang == "zh" else "label_en"
    item_rows = [{"item": (getattr(r, label_col) or r.item_code), "dimension": ctx.t(f"sat.dim.{r.dimension}"),
                  "satisfaction": _f(r.satisfaction), "target_index": _f(r.target_index), "gap_target": _f(r.gap_target),
                  "n": int(r.n)} for r in items.itertuples(index=False)]
    table = Table("satisfaction_items", ctx.t("report.table.items"), [
        Column("item", ctx.t("report.col.item")), Column("dimension", ctx.t("report.col.dimension")),
        Column("satisfaction", ctx.t("report.series.satisfaction"), "index"),
        Column("target_index", ctx.t("report.series.target"), "index"),
        Column("gap_target", ctx.t("report.col.gap_target"), "points"), Column("n", "n", "count"),
    ], item_rows)
    bullets = [ctx.t("report.sat.overall", index=ctx.v(s["overall_index"], "index"), wave=ctx.data["wave"],
                     n=s["n_valid"], satisfied=format_percent(s["satisfied_rate"]),
                     target=format_percent(s["satisfied_rate_target"]))]
    dim_values = {d: v for d, v in zip(s["dimensions"]["dimension"], s["dimensions"]["satisfaction"])}
    parts = [ctx.t("report.sat.dim", dim=ctx.t(f"sat.dim.{d}"), index=ctx.v(dim_values[d], "index"))
             for d in ("product", "service", "process", "tech_support", "price") if d in dim_values]
    if parts:
        bullets.append(_join(parts, ctx.lang))
    bullets.append(ctx.t("report.sat.strength", best=best, worst=worst))
    if s["response_rate"] is not None:
        bullets.append(ctx.t("report.sat.response", rate=format_percent(s["response_rate"]),
                             validity=format_percent(s["validity_rate"])))
    figures = [
        Figure("overall_index", ctx.t("kpi.overall_satisfaction"), s["overall_index"], "index"),
        Figure("satisfied_rate", ctx.t("sat.kpi.satisfied_rate"), s["satisfied_rate"], "percent"),
        Figure("response_rate", ctx.t("report.fig.response_rate"), s["response_rate"], "percent"),
        Figure("nps", "NPS", s["nps"]["nps"], "number"),
    ]
    if ctx.filters.has_segments:
        bullets.append(ctx.t("report.sat.company_wide"))
    return Section(key="satisfaction", number="3.2", heading=heading, title=title, bullets=bullets, figures=figures,
                   chart=chart, tables=[table], notes=bullets + [ctx.t("report.notes.satisfaction")])


def _project_row(ctx: _Context, r) -> dict[str, Any]:
    return {"project_name": r.project_name, "account_name": r.account_name,
            "status": ctx.t(f"project_status.{r.status}"), "progress_pct": _f(r.progress_pct) / 100 if _f(r.progress_pct) is not None else None,
            "planned_end": _d(r.planned_end), "end_date": _d(r.end_date),
            "slip_days": _f(r.slip_days), "contract_value": _f(r.contract_value),
            "issue_note": r.issue_note if isinstance(r.issue_note, str) else ""}


PROJECT_COLUMNS = ("project_name", "account_name", "status", "progress_pct", "planned_end", "end_date", "slip_days",
                   "contract_value", "issue_note")


def _project_columns(ctx: _Context) -> list[Column]:
    kinds = {"progress_pct": "percent", "planned_end": "date", "end_date": "date", "slip_days": "days",
             "contract_value": "money"}
    labels = {"status": "col.project_status", "progress_pct": "col.progress_pct", "slip_days": "col.slip_days"}
    return [Column(c, ctx.t(labels.get(c, f"col.{c}")), kinds.get(c, "text")) for c in PROJECT_COLUMNS]


def _section_projects(ctx: _Context) -> Section:
    s = ctx.data["project_summary"]
    projects = ctx.data["projects"]
    heading = ctx.t("report.section.projects")
    if not s["count_projects"]:
        return Section(key="projects", number="3.3", heading=heading, title=ctx.t("report.projects.title_none"),
                       bullets=[ctx.t("report.projects.none")], available=False)
    title = ctx.t("report.projects.title", n=s["count_projects"], completed=s["count_completed"],
                  on_time=format_percent(s["on_time_rate"]), at_risk=s["count_at_risk"])
    statuses = ("planned", "in_progress", "completed", "on_hold", "blocked", "cancelled")
    present = [st for st in statuses if s[f"count_{st}"]]
    chart = Chart("project_status", title, "column", [ctx.t(f"project_status.{st}") for st in present],
                  [Series(ctx.t("report.series.projects"), [float(s[f"count_{st}"]) for st in present])], "count",
                  ctx.t("report.axis.projects"))
    bullets = []
    completed = projects[projects["status"] == "completed"].sort_values("contract_value", ascending=False)
    for r in completed.head(1).itertuples(index=False):
        bullets.append(ctx.t("report.projects.completed", name=r.project_name, account=r.account_name,
                             value=format_money(_f(r.contract_value), ctx.lang),
                             feedback="—" if _f(r.feedback_score) is None else f"{r.feedback_score:.1f}"))
    running = projects[projects["status"] == "in_progress"].sort_values("contract_value", ascending=False)
    for r in running.head(1).itertuples(index=False):
        bullets.append(ctx.t("report.projects.running", name=r.project_name, account=r.account_name,
                             progress="—" if _f(r.progress_pct) is None else f"{r.progress_pct:.0f}%",
                             end=format_date(_d(r.end_date) or _d(r.planned_end), ctx.lang)))
    blocked = projects[projects["is_at_risk"].astype(bool)]
    for r in blocked.head(1).itertuples(index=False):
        bullets.append(ctx.t("report.projects.risk", name=r.project_name, account=r.account_name,
                             status=ctx.t(f"project_status.{r.status}"),
                             note=r.issue_note if isinstance(r.issue_note, str) and r.issue_note else "—"))
    bullets.append(ctx.t("report.projects.revenue", value=format_money(s["completed_revenue"], ctx.lang),
                         feedback="—" if s["mean_feedback_score"] is None else f"{s['mean_feedback_score']:.1f}",
                         n=s["count_feedback"]))
    figures = [
        Figure("count_projects", ctx.t("projects.kpi.count"), s["count_projects"], "count"),
        Figure("on_time_rate", ctx.t("projects.kpi.on_time_rate"), s["on_time_rate"], "percent"),
        Figure("count_at_risk", ctx.t("projects.kpi.at_risk"), s["count_at_risk"], "count"),
        Figure("completed_revenue", ctx.t("projects.kpi.completed_revenue"), s["completed_revenue"], "money"),
    ]
    at_risk = Table("projects_at_risk", ctx.t("report.table.projects_at_risk"), _project_columns(ctx),
                    [_project_row(ctx, r) for r in blocked.itertuples(index=False)])
    done = Table("projects_completed", ctx.t("report.table.projects_completed"), _project_columns(ctx),
                 [_project_row(ctx, r) for r in completed.itertuples(index=False)])
    return Section(key="projects", number="3.3", heading=heading, title=title, bullets=bullets, figures=figures,
                   chart=chart, tables=[at_risk, done], notes=bullets + [ctx.t("report.notes.projects")])


def _section_loyalty(ctx: _Context) -> Section:
    k, c = ctx.data["kpis"], ctx.data["kpis"]["comparison"]
    referrals, nps, intervals = ctx.data["referrals"], ctx.data["nps"], ctx.data["intervals"]
    title = ctx.t("report.loyalty.title", repeat=format_percent(k["repeat_purchase_rate"]),
                  retention=format_percent(k["retention_rate"]), nrr=format_percent(k["net_revenue_retention"]))
    keys = ("repeat_purchase_rate", "retention_rate", "net_revenue_retention", "gross_revenue_retention")
    labels = [ctx.t(f"report.loyalty.{key}") for key in keys]
    chart = Chart("loyalty_rates", title, "column", labels,
                  [Series(ctx.t("chart.monthly.this"), [_f(k[key]) for key in keys]),
                   Series(ctx.t("chart.monthly.comparison"), [_f(c[key]) for key in keys])], "percent",
                  ctx.t("report.axis.percent"))
    mean_days = intervals.get("mean_days_between_orders")
    bullets = [
        ctx.t("report.loyalty.repeat", repeat=format_percent(k["repeat_purchase_rate"]),
              frequency="—" if k["purchase_frequency"] is None else f"{k['purchase_frequency']:.1f}",
              days="—" if mean_days is None else f"{float(mean_days):.0f}"),
        ctx.t("report.loyalty.retention", retention=format_percent(k["retention_rate"]),
              churn=format_percent(k["churn_rate"]), nrr=format_percent(k["net_revenue_retention"])),
        ctx.t("report.loyalty.referrals", n=referrals["count_referred"], new=referrals["count_referred_in_period"],
              nps="—" if nps["nps"] is None else f"{nps['nps']:+.0f}"),
    ]
    figures = [Figure(key, label, k[key], "percent", c[key]) for key, label in zip(keys, labels)]
    figures.append(Figure("referrals", ctx.t("report.fig.referrals"), referrals["count_referred"], "count"))
    return Section(key="loyalty", number="3.4", heading=ctx.t("report.section.loyalty"), title=title, bullets=bullets,
                   figures=figures, chart=chart, notes=bullets + [ctx.t("report.notes.loyalty")])


BANDS = ("red", "amber", "green")


def _section_churn(ctx: _Context) -> Section:
    lost = ctx.data["lost"]
    churn = ctx.data["churn"]
    heading = ctx.t("report.section.churn")
    lost_rows = [{"account_name": r.account_name, "owner": r.owner or "",
                  "reason": ctx.t(f"report.lost.{r.reason}"), "comparison_revenue": _f(r.comparison_revenue),
                  "last_order_date": _d(r.last_order_date)} for r in lost.itertuples(index=False)]
    lost_table = Table("lost_accounts", ctx.t("report.table.lost"), [
        Column("account_name", ctx.t("col.account_name")), Column("owner", ctx.t("col.owner")),
        Column("reason", ctx.t("report.col.reason")),
        Column("comparison_revenue", ctx.t("col.comparison_revenue"), "money"),
        Column("last_order_date", ctx.t("report.col.last_order_date"), "date"),
    ], lost_rows)
    lost_revenue = float(lost["comparison_revenue"].fillna(0).sum()) if not lost.empty else 0.0
    bullets = [ctx.t("report.churn.lost", n=len(lost), revenue=format_money(lost_revenue, ctx.lang),
                     names=ctx.names(lost["account_name"].tolist(), 3) if not lost.empty else "—")]
    if churn is None:
        bullets.append(ctx.t("report.churn.unavailable"))
        title = ctx.t("report.churn.title_lost", n=len(lost), revenue=format_money(lost_revenue, ctx.lang))
        return Section(key="churn", number="4.1", heading=heading, title=title, bullets=bullets, tables=[lost_table],
                       notes=bullets + [ctx.t("report.notes.churn")], available=False)
    scores = churn["scores"]
    counts = {band: int((scores["band"] == band).sum()) for band in BANDS}
    warn = scores[scores["is_alert"].astype(bool)]
    at_risk_revenue = float(warn["revenue_at_risk"].fillna(0).sum())
    title = ctx.t("report.churn.title", red=counts["red"], amber=counts["amber"],
                  revenue=format_money(at_risk_revenue, ctx.lang))
    chart = Chart("health_bands", title, "column", [ctx.t(f"report.band.{b}") for b in BANDS],
                  [Series(ctx.t("report.series.accounts"), [float(counts[b]) for b in BANDS])], "count",
                  ctx.t("chart.count_accounts_axis"))
    reasons = f"reasons_{ctx.lang}"
    warn_table = Table("early_warning", ctx.t("report.table.early_warning"), [
        Column("account_name", ctx.t("col.account_name")), Column("owner", ctx.t("col.owner")),
        Column("band", ctx.t("report.col.band")), Column("probability", ctx.t("report.col.probability"), "percent"),
        Column("revenue_at_risk", ctx.t("report.col.revenue_at_risk"), "money"),
        Column("reasons", ctx.t("report.col.reasons")),
    ], [{"account_name": r["account_name"], "owner": r["owner"] if isinstance(r["owner"], str) else "",
         "band": ctx.t(f"report.band.{r['band']}") if isinstance(r["band"], str) else "—",
         "probability": _f(r["probability"]), "revenue_at_risk": _f(r["revenue_at_risk"]),
         "reasons": r[reasons] if isinstance(r.get(reasons), str) else ""}
        for r in warn.to_dict("records")])
    red = scores[scores["band"] == "red"]
    bullets.insert(0, ctx.t("report.churn.bands", red=counts["red"], amber=counts["amber"], green=counts["green"],
                            names=ctx.names(red["account_name"].tolist(), 3) if not red.empty else "—"))
    bullets.insert(1, ctx.t("report.churn.warning", n=len(warn), revenue=format_money(at_risk_revenue, ctx.lang),
                            method=churn.get("method_text", {}).get(ctx.lang) or churn.get("method") or "—"))
    for r in warn.head(3).to_dict("records"):
        if isinstance(r.get(reasons), str) and r[reasons]:
            bullets.append(f"{r['account_name']}: {r[reasons]}")
    figures = [Figure(f"count_{b}", ctx.t(f"report.band.{b}"), counts[b], "count") for b in BANDS]
    figures.append(Figure("revenue_at_risk", ctx.t("report.col.revenue_at_risk"), at_risk_revenue, "money"))
    return Section(key="churn", number="4.1", heading=heading, title=title, bullets=bullets, figures=figures,
                   chart=chart, tables=[warn_table, lost_table], notes=bullets + [ctx.t("report.notes.churn")])


def _section_service(ctx: _Context) -> Section:
    s = ctx.data["service"]
    heading = ctx.t("report.section.service")
    if not s["count_tickets"]:
        return Section(key="service", number="4.2", heading=heading, title=ctx.t("report.service.title_none"),
                       bullets=[ctx.t("report.service.none")], available=False)
    title = ctx.t("report.service.title", sla=format_percent(s["sla_compliance"]), hours=f"{s['sla_hours']:.0f}",
                  complaints=s["count_complaints"], unanswered=s["count_unanswered"])
    monthly = ctx.data["service_monthly"]
    chart = Chart("sla_monthly", title, "line", _month_labels(list(monthly["month"]), ctx.lang),
                  [Series(ctx.t("report.series.sla"), [_f(v) for v in monthly["sla_compliance"]])], "percent",
                  ctx.t("report.axis.percent")) if not monthly.empty else None
    bullets = [
        ctx.t("report.service.response", median=ctx.v(s["median_response_hours"], "hours"),
              p90=ctx.v(s["p90_response_hours"], "hours"), sla=format_percent(s["sla_compliance"])),
        ctx.t("report.service.complaints", n=s["count_complaints"],
              per=("—" if s["complaints_per_active_account"] is None else f"{s['complaints_per_active_account']:.2f}")),
        ctx.t("report.service.open", unanswered=s["count_unanswered"], unresolved=s["count_unresolved"],
              resolution=ctx.v(s["median_resolution_hours"], "hours")),
    ]
    complaints = ctx.data["complaints"]
    table = Table("complaints", ctx.t("report.table.complaints"), [
        Column("account_name", ctx.t("col.account_name")), Column("owner", ctx.t("col.owner")),
        Column("count_complaints", ctx.t("report.col.complaints"), "count"),
        Column("count_unanswered", ctx.t("report.col.unanswered"), "count"),
        Column("median_response_hours", ctx.t("report.col.median_response"), "hours"),
    ], [{"account_name": r.account_name, "owner": r.owner or "", "count_complaints": int(r.count_complaints),
         "count_unanswered": int(r.count_unanswered), "median_response_hours": _f(r.median_response_hours)}
        for r in complaints.itertuples(index=False)])
    figures = [
        Figure("sla_compliance", ctx.t("report.fig.sla"), s["sla_compliance"], "percent"),
        Figure("median_response_hours", ctx.t("report.fig.median_response"), s["median_response_hours"], "hours"),
        Figure("count_complaints", ctx.t("report.col.complaints"), s["count_complaints"], "count"),
        Figure("count_unanswered", ctx.t("report.col.unanswered"), s["count_unanswered"], "count"),
    ]
    return Section(key="service", number="4.2", heading=heading, title=title, bullets=bullets, figures=figures,
                   chart=chart, tables=[table], notes=bullets + [ctx.t("report.notes.service")])


def _section_communication(ctx: _Context) -> Section:
    cadence, cs = ctx.data["cadence"], ctx.data["cadence_summary"]
    heading = ctx.t("report.section.communication")
    if not cs["count_key_accounts"]:
        return Section(key="communication", number="4.3", heading=heading, title=ctx.t("report.comm.title_none"),
                       bullets=[ctx.t("report.comm.none")], available=False)
    overdue = cadence[~cadence["is_compliant"].astype(bool)]
    title = ctx.t("report.comm.title", n=cs["count_key_accounts"], overdue=len(overdue),
                  compliance=format_percent(cs["cadence_compliance"]))
    categories = [ctx.t("cadence.ok"), ctx.t("cadence.call_overdue"), ctx.t("cadence.visit_overdue")]
    chart = Chart("cadence", title, "column", categories,
                  [Series(ctx.t("report.series.accounts"),
                          [float(cs["count_compliant"]), float(cs["count_call_overdue"]), float(cs["count_visit_overdue"])])],
                  "count", ctx.t("chart.count_accounts_axis"))
    settings_call = ctx.t("report.comm.rule")
    bullets = [settings_call,
               ctx.t("report.comm.overdue", call=cs["count_call_overdue"], visit=cs["count_visit_overdue"],
                     names=ctx.names(overdue["account_name"].tolist(), 3) if not overdue.empty else "—")]
    table = Table("cadence_overdue", ctx.t("report.table.cadence"), [
        Column("account_name", ctx.t("col.account_name")), Column("owner", ctx.t("col.owner")),
        Column("days_since_call", ctx.t("report.col.days_since_call"), "days"),
        Column("days_since_visit", ctx.t("report.col.days_since_visit"), "days"),
    ], [{"account_name": r.account_name, "owner": r.owner or "", "days_since_call": _f(r.days_since_call),
         "days_since_visit": _f(r.days_since_visit)} for r in overdue.itertuples(index=False)])
    figures = [Figure("cadence_compliance", ctx.t("report.fig.cadence"), cs["cadence_compliance"], "percent"),
               Figure("count_overdue", ctx.t("report.fig.overdue"), len(overdue), "count")]
    return Section(key="communication", number="4.3", heading=heading, title=title, bullets=bullets, figures=figures,
                   chart=chart, tables=[table], notes=bullets + [ctx.t("report.notes.communication")])


def _hints_causes(ctx: _Context) -> list[str]:
    hints = []
    s = ctx.data["satisfaction"]
    if s is not None and not s["items"].empty:
        label_col = "label_zh" if ctx.lang == "zh" else "label_en"
        weak = s["items"].sort_values("gap_target").head(3)
        hints.append(ctx.t("report.hint.weak_items", items=_join(
            [f"{getattr(r, label_col) or r.item_code} {r.satisfaction:.1f} ({r.gap_target:+.1f})" for r in weak.itertuples()],
            ctx.lang)))
        fix = s["items"][s["items"]["quadrant"] == "fix_first"]
        if not fix.empty:
            hints.append(ctx.t("report.hint.fix_first", items=_join(
                [getattr(r, label_col) or r.item_code for r in fix.itertuples()], ctx.lang)))
    projects = ctx.data["projects"]
    blocked = projects[projects["is_blocked"].astype(bool)]
    if not blocked.empty:
        hints.append(ctx.t("report.hint.blocked", n=len(blocked), items=_join(
            [f"{r.project_name} ({r.account_name}): {r.issue_note if isinstance(r.issue_note, str) and r.issue_note else '—'}"
             for r in blocked.head(3).itertuples()], ctx.lang)))
    svc = ctx.data["service"]
    if svc["count_tickets"]:
        hints.append(ctx.t("report.hint.service", sla=format_percent(svc["sla_compliance"]),
                           median=ctx.v(svc["median_response_hours"], "hours"), unanswered=svc["count_unanswered"]))
    k = ctx.data["kpis"]
    if k["revenue_growth"] is not None and k["revenue_growth"] < 0:
        hints.append(ctx.t("report.hint.decline", growth=format_percent(k["revenue_growth"], signed=True)))
    return hints or [ctx.t("report.hint.none")]


def _hints_improvements(ctx: _Context) -> list[str]:
    hints = []
    cadence = ctx.data["cadence"]
    overdue = cadence[~cadence["is_compliant"].astype(bool)] if not cadence.empty else cadence
    if not overdue.empty:
        hints.append(ctx.t("report.hint.overdue", n=len(overdue), names=ctx.names(overdue["account_name"].tolist(), 5)))
    svc = ctx.data["service"]
    if svc["count_unanswered"]:
        hints.append(ctx.t("report.hint.unanswered", n=svc["count_unanswered"]))
    projects = ctx.data["projects"]
    risky = projects[projects["is_at_risk"].astype(bool)]
    if not risky.empty:
        hints.append(ctx.t("report.hint.at_risk", n=len(risky), names=ctx.names(risky["project_name"].tolist(), 3)))
    stale = ctx.data["stale"]
    if not stale.empty:
        hints.append(ctx.t("report.hint.stale", n=len(stale), days=ctx.data["pipeline"]["stale_days"]))
    lost = ctx.data["lost"]
    if not lost.empty:
        hints.append(ctx.t("report.hint.win_back", n=len(lost), names=ctx.names(lost["account_name"].tolist(), 3)))
    return hints or [ctx.t("report.hint.none")]


def _hints_plan(ctx: _Context) -> list[str]:
    p = ctx.data["pipeline"]
    hints = [ctx.t("report.hint.pipeline", n=p["count_open"], amount=format_money(p["amount_open"], ctx.lang),
                   weighted=format_money(p["weighted_pipeline"], ctx.lang), win=format_percent(p["win_rate"]))]
    funnel = ctx.data["funnel"]
    late = funnel[funnel["stage"].isin(["bidding", "negotiation"])]
    if not late.empty and late["count_current"].sum():
        hints.append(ctx.t("report.hint.late_stage", n=int(late["count_current"].sum()),
                           amount=format_money(float(late["amount_current"].fillna(0).sum()), ctx.lang)))
    forecast = ctx.data["forecast"]
    if forecast is None:
        hints.append(ctx.t("report.forecast.unavailable"))
    else:
        hints.extend(_forecast_hints(ctx, forecast))
    projects = ctx.data["projects"]
    running = projects[projects["status"] == "in_progress"]
    if not running.empty:
        hints.append(ctx.t("report.hint.deliver", n=len(running), names=ctx.names(running["project_name"].tolist(), 3)))
    return hints


def _forecast_hints(ctx: _Context, forecast: dict[str, Any]) -> list[str]:
    out = []
    for name, window in forecast.get("windows", {}).items():
        key = "report.forecast.window_target" if window["target"] else "report.forecast.window"
        out.append(ctx.t(key, window=name, start=format_month(window["start"], ctx.lang),
                         end=format_month(window["end"], ctx.lang), value=format_money(window["forecast"], ctx.lang),
                         lower=format_money(window["lower"], ctx.lang), upper=format_money(window["upper"], ctx.lang),
                         target=format_money(window["target"], ctx.lang), completion=format_percent(window["completion"])))
    method = forecast.get("method_text", {}).get(ctx.lang) or forecast.get("method_note") or forecast.get("method") or "—"
    out.append(ctx.t("report.forecast.method", method=method,
                     mape=format_percent(forecast.get("mape_backtest")),
                     baseline=format_percent(forecast.get("baseline_mape"))))
    return out


def _default_text(ctx: _Context, key: str, hints: list[str]) -> str:
    if key == "plan":
        return "\n".join([ctx.t("report.plan.short"), "", ctx.t("report.plan.mid"), "", ctx.t("report.plan.long")])
    return ""


def _editable(ctx: _Context, key: str, number: str, hints: list[str], saved: dict[str, str],
              chart: Chart | None = None, title: str | None = None) -> Section:
    text = saved.get(key)
    return Section(key=key, number=number, heading=ctx.t(f"report.section.{key}"),
                   title=title or ctx.t(f"report.{key}.title"), hints=hints, editable=True,
                   text=text if text is not None else _default_text(ctx, key, hints), chart=chart,
                   notes=[ctx.t(f"report.notes.{key}")] + hints)


def _section_plan(ctx: _Context, saved: dict[str, str]) -> Section:
    forecast = ctx.data["forecast"]
    chart = None
    title = None
    if forecast is not None and forecast.get("forecast"):
        history = (forecast.get("history") or [])[-12:]
        points = forecast["forecast"]
        n_hist = len(history)
        labels = [format_month(_d(p["month"]), ctx.lang) for p in history + points]
        chart = Chart("forecast", "", "line", labels,
                      [Series(ctx.t("report.series.actual"), [_f(p["value"]) for p in history] + [None] * len(points)),
                       Series(ctx.t("report.series.forecast"), [None] * n_hist + [_f(p["value"]) for p in points]),
                       Series(ctx.t("report.series.lower"), [None] * n_hist + [_f(p.get("lower")) for p in points]),
                       Series(ctx.t("report.series.upper"), [None] * n_hist + [_f(p.get("upper")) for p in points])],
                      "money", ctx.t("report.axis.revenue"))
        first = forecast.get("windows", {}).get("1-3")
        total = first["forecast"] if first else sum(p["value"] or 0.0 for p in points[:3])
        if first and first["completion"] is not None:
            title = ctx.t("report.plan.title_forecast_target", value=format_money(total, ctx.lang),
                          completion=format_percent(first["completion"]))
        else:
            title = ctx.t("report.plan.title_forecast", value=format_money(total, ctx.lang))
        chart.title = title
    else:
        funnel = ctx.data["funnel"]
        open_stages = funnel[~funnel["stage"].isin(["won", "lost"])]
        if not open_stages.empty and open_stages["amount_current"].fillna(0).sum():
            p = ctx.data["pipeline"]
            title = ctx.t("report.plan.title_pipeline", weighted=format_money(p["weighted_pipeline"], ctx.lang))
            chart = Chart("pipeline", title, "column", [ctx.t(f"stage.{s}") for s in open_stages["stage"]],
                          [Series(ctx.t("report.series.amount"), [_f(v) or 0.0 for v in open_stages["amount_current"]])],
                          "money", ctx.t("report.axis.amount"))
    return _editable(ctx, "plan", "7", _hints_plan(ctx), saved, chart=chart, title=title)


def _summary_hints(ctx: _Context) -> list[str]:
    k = ctx.data["kpis"]
    s = ctx.data["satisfaction"]
    ps = ctx.data["project_summary"]
    parts = [ctx.t("report.hint.summary_sales", revenue=format_money(k["revenue"], ctx.lang),
                   growth=format_percent(k["revenue_growth"], signed=True),
                   completion=format_percent(k["target_completion"]))]
    if s is not None and s["overall_index"] is not None:
        parts.append(ctx.t("report.hint.summary_sat", index=f"{s['overall_index']:.1f}"))
    if ps["count_projects"]:
        parts.append(ctx.t("report.hint.summary_projects", on_time=format_percent(ps["on_time_rate"]),
                           at_risk=ps["count_at_risk"]))
    parts.append(ctx.t("report.hint.summary_retention", retention=format_percent(k["retention_rate"])))
    return parts


# --- since the last review -------------------------------------------------------------------------


def data_state(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """The imports behind the figures: how many are committed, the latest committed and the latest of
    any status (an undo or a new import changes it). Stored in the snapshot, compared on reopening."""
    committed, last_committed, last_any = con.execute(
        "select count(*) filter (where status = 'committed'), max(import_id) filter (where status = 'committed'), "
        "max(import_id) from imports").fetchall()[0]
    return {"committed": int(committed), "last_committed": int(last_committed or 0), "last_import": int(last_any or 0)}


def build_snapshot(ctx: _Context) -> dict[str, Any]:
    """What the next review compares against: per account its ABC class and period revenue, per
    project its end date, slip and status, per account its risk band (when the churn score exists);
    and the data state (:func:`data_state`) the figures were computed from."""
    accounts = ctx.data["accounts"]
    projects = ctx.data["projects"]
    churn = ctx.data["churn"]
    k = ctx.data["kpis"]
    return {
        "start": ctx.filters.start.isoformat(),
        "end": ctx.filters.end.isoformat(),
        "revenue": k["revenue"],
        "accounts": {
            r.account_id: {"abc": r.abc_class if isinstance(r.abc_class, str) else None, "revenue": _f(r.revenue)}
            for r in accounts.itertuples(index=False)
            if isinstance(r.abc_class, str) or (_f(r.revenue) or 0) != 0
        },
        "projects": {
            r.project_id: {"end_date": None if _d(r.end_date) is None else _d(r.end_date).isoformat(),
                           "slip_days": _f(r.slip_days), "status": r.status}
            for r in projects.itertuples(index=False)
        },
        "bands": None if churn is None else {a: b for a, b in zip(churn["scores"]["account_id"], churn["scores"]["band"])
                                             if isinstance(b, str)},
        "data_state": data_state(ctx.con),
    }


def _section_since(ctx: _Context, snapshot: dict[str, Any], previous: dict[str, Any] | None) -> Section:
    heading = ctx.t("report.section.since")
    accounts = ctx.data["accounts"].set_index("account_id")
    names = accounts["account_name"].to_dict()
    rows: list[dict[str, Any]] = []
    if previous is None:
        basis = ctx.t("report.since.basis_comparison")
        prev_revenue = {a: _f(r) for a, r in ctx.data["accounts"].set_index("account_id")["comparison_revenue"].items()}
        prev_accounts: dict[str, Any] = {}
    else:
        basis = ctx.t("report.since.basis_report", period=previous["period"])
        prev_accounts = previous["snapshot"].get("accounts", {})
        prev_revenue = {a: v.get("revenue") for a, v in prev_accounts.items()}
    # ABC class changes (only against a saved review: the comparison period has no stored classes)
    changes = []
    if previous is not None:
        for account_id, now in snapshot["accounts"].items():
            before = prev_accounts.get(account_id, {}).get("abc")
            if now["abc"] != before and (now["abc"] or before):
                changes.append((account_id, before, now["abc"]))
        for account_id, before in prev_accounts.items():
            if account_id not in snapshot["accounts"] and before.get("abc") and account_id in names:
                changes.append((account_id, before["abc"], None))
    for account_id, before, now in sorted(changes, key=lambda c: (c[2] or "Z", c[0])):
        rows.append({"kind": ctx.t("report.since.kind.abc"), "name": names.get(account_id, account_id),
                     "before": ctx.t(f"abc.{before}") if before else "—", "after": ctx.t(f"abc.{now}") if now else "—",
                     "change": None})
    # newly red accounts
    newly_red = []
    bands, prev_bands = snapshot.get("bands"), (previous or {}).get("snapshot", {}).get("bands")
    if bands is not None and prev_bands is not None:
        newly_red = [a for a, b in bands.items() if b == "red" and prev_bands.get(a) != "red"]
        for account_id in newly_red:
            rows.append({"kind": ctx.t("report.since.kind.red"), "name": names.get(account_id, account_id),
                         "before": ctx.t(f"report.band.{prev_bands.get(account_id)}") if prev_bands.get(account_id) else "—",
                         "after": ctx.t("report.band.red"), "change": None})
    # biggest movers
    moves = []
    for account_id, now in snapshot["accounts"].items():
        change = (now["revenue"] or 0.0) - (prev_revenue.get(account_id) or 0.0)
        if change:
            moves.append((change, account_id))
    for account_id, before in prev_revenue.items():
        if account_id not in snapshot["accounts"] and before and account_id in names:
            moves.append((-before, account_id))
    moves.sort()
    down = [m for m in moves if m[0] < 0][:5]
    up = [m for m in reversed(moves) if m[0] > 0][:5]
    for change, account_id in up + down:
        rows.append({"kind": ctx.t("report.since.kind.up" if change > 0 else "report.since.kind.down"),
                     "name": names.get(account_id, account_id),
                     "before": format_money(prev_revenue.get(account_id) or 0.0, ctx.lang),
                     "after": format_money(snapshot["accounts"].get(account_id, {}).get("revenue") or 0.0, ctx.lang),
                     "change": ("+" if change > 0 else "") + format_money(change, ctx.lang)})
    # slipped projects
    slipped = []
    if previous is not None:
        prev_projects = previous["snapshot"].get("projects", {})
        projects = ctx.data["projects"].set_index("project_id")
        for project_id, now in snapshot["projects"].items():
            before = prev_projects.get(project_id)
            if not before or now["end_date"] is None or before.get("end_date") is None:
                continue
            if now["end_date"] > before["end_date"] and now["status"] != "cancelled":
                slipped.append(project_id)
                days = (date.fromisoformat(now["end_date"]) - date.fromisoformat(before["end_date"])).days
                rows.append({"kind": ctx.t("report.since.kind.slipped"), "name": projects.loc[project_id, "project_name"]
                             + f" ({projects.loc[project_id, 'account_name']})",
                             "before": format_date(date.fromisoformat(before["end_date"]), ctx.lang),
                             "after": format_date(date.fromisoformat(now["end_date"]), ctx.lang),
                             "change": "+" + format_value(days, "days", ctx.lang)})
    chart = None
    if up or down:
        movers = up + list(reversed(down))
        chart = Chart("movers", "", "bar", [names.get(a, a) for _, a in movers],
                      [Series(ctx.t("report.series.change"), [float(c) for c, _ in movers])], "money",
                      ctx.t("report.axis.revenue"))
    if previous is None:
        title = ctx.t("report.since.title_first", up=len(up), down=len(down))
    else:
        title = ctx.t("report.since.title", period=previous["period"], abc=len(changes), slipped=len(slipped),
                      red=len(newly_red))
    if chart is not None:
        chart.title = title
    bullets = [basis]
    if up:
        bullets.append(ctx.t("report.since.up", names=ctx.names([names.get(a, a) for _, a in up], 3)))
    if down:
        bullets.append(ctx.t("report.since.down", names=ctx.names([names.get(a, a) for _, a in down], 3)))
    if previous is not None:
        bullets.append(ctx.t("report.since.abc", n=len(changes)))
        bullets.append(ctx.t("report.since.slipped", n=len(slipped)))
        if bands is None:
            bullets.append(ctx.t("report.since.red_unavailable"))
        elif prev_bands is None:
            bullets.append(ctx.t("report.since.red_no_previous"))
        else:
            bullets.append(ctx.t("report.since.red", n=len(newly_red)))
    table = Table("since_last_review", ctx.t("report.table.since"), [
        Column("kind", ctx.t("report.col.change_kind")), Column("name", ctx.t("report.col.name")),
        Column("before", ctx.t("report.col.before")), Column("after", ctx.t("report.col.after")),
        Column("change", ctx.t("report.col.change")),
    ], rows)
    return Section(key="since", number="★", heading=heading, title=title, bullets=bullets, chart=chart,
                   tables=[table], notes=bullets + [ctx.t("report.notes.since")])


def action_table(actions: list[dict[str, Any]], lang: str) -> Table:
    return Table("review_actions", t("report.table.actions", lang), [
        Column("what", t("report.col.what", lang)), Column("owner", t("report.col.action_owner", lang)),
        Column("due_date", t("report.col.due_date", lang), "date"), Column("status", t("report.col.status", lang)),
    ], [{"what": a["what"], "owner": a.get("owner") or "", "due_date": a.get("due_date"),
         "status": t(f"report.status.{a.get('status') or 'open'}", lang)} for a in actions])


def _section_actions(lang: str, actions: list[dict[str, Any]], report_id: int | None) -> Section:
    carried = [a for a in actions if a.get("created_report_id") is not None and a.get("created_report_id") != report_id]
    done = [a for a in actions if a.get("status") == "done"]
    if actions:
        title = t("report.actions.title", lang, n=len(actions), carried=len(carried), done=len(done))
    else:
        title = t("report.actions.title_none", lang)
    overdue = [a for a in actions if a.get("status") in ("open", "in_progress") and a.get("due_date")
               and a["due_date"] < date.today()]
    bullets = [t("report.actions.explain", lang)]
    if overdue:
        bullets.append(t("report.actions.overdue", lang, n=len(overdue)))
    return Section(key="actions", number="★", heading=t("report.section.actions", lang), title=title, bullets=bullets,
                   tables=[action_table(actions, lang)], notes=[t("report.notes.actions", lang)] + bullets)


def refresh_actions(report: Report, actions: list[dict[str, Any]]) -> Report:
    """The report with ``actions`` (e.g. edited on the page) in its actions section."""
    cleaned = []
    for a in _clean_actions(actions):
        original = next((o for o in report.actions if o.get("action_id") == a["action_id"] and a["action_id"]), {})
        cleaned.append({**original, **a})
    section = _section_actions(report.lang, cleaned, report.report_id)
    if report.masked:
        mask = NameMasker(report.aliases)
        section = replace(section, tables=[replace(tb, rows=[{k: mask(v) for k, v in r.items()} for r in tb.rows])
                                           for tb in section.tables])
    sections = [section if s.key == "actions" else s for s in report.sections]
    return replace(report, sections=sections, actions=cleaned)


def apply_edits(report: Report, texts: dict[str, str] | None = None,
                actions: list[dict[str, Any]] | None = None) -> Report:
    """The report with the presenter's edited text (sections 5-8) and actions."""
    if texts:
        report = replace(report, sections=[replace(s, text=texts[s.key]) if s.editable and s.key in texts else s
                                           for s in report.sections])
    if actions is not None:
        report = refresh_actions(report, actions)
    return report


def _aliases(con: duckdb.DuckDBPyConnection, accounts: pd.DataFrame, lang: str) -> dict[str, str]:
    """Alias per account name: the report's accounts by period revenue first (客户A is the largest),
    then every other account, so free text naming any account is masked too."""
    order = list(dict.fromkeys(accounts["account_name"].tolist()))
    others = [n for (n,) in con.execute("select account_name from accounts order by account_id").fetchall()]
    seen = set(order)
    order += [n for n in others if n not in seen]
    return {name: alias_label(i, lang) for i, name in enumerate(order)}


def build_report(con: duckdb.DuckDBPyConnection, filters: Filters, lang: str = "zh",
                 scope: dict[str, Any] | None = None, report_id: int | None = None,
                 mask_names: bool = False, churn_result: dict[str, Any] | None = None) -> Report:
    """The review report of ``filters``' period and comparison for ``scope`` ({"kind": all | owner |
    region | accounts, "values": [...]}; the scope replaces the filters' segments). With ``report_id``
    the saved report's edited text and actions are used, and "since the last review" compares with
    the report saved before it. ``churn_result``: an already computed churn.score_accounts result as of
    churn.scoring_day(con, filters.end) (the app passes the Churn risk page's cached one)."""
    scope = normalize_scope(scope)
    saved = load_saved_report(con, report_id) if report_id is not None else None
    if report_id is not None and saved is None:
        raise KeyError(f"no saved report {report_id}")
    filters = scope_filters(filters.start, filters.end, filters.compare, scope)
    ctx = _Context(con=con, filters=filters, lang=lang, data=_load_data(con, filters, churn_result))
    scope_text = _scope_text(ctx, scope)
    saved_texts = saved["sections"] if saved else {}
    snapshot = build_snapshot(ctx)
    previous = find_previous_report(con, scope, filters.end, report_id)
    actions = load_actions(con, report_id)
    sections = [
        _section_scope(ctx, scope_text),
        _section_accounts(ctx),
        _section_sales(ctx),
        _section_top(ctx),
        _section_satisfaction(ctx),
        _section_projects(ctx),
        _section_loyalty(ctx),
        _section_churn(ctx),
        _section_service(ctx),
        _section_communication(ctx),
        _editable(ctx, "causes", "5", _hints_causes(ctx), saved_texts),
        _editable(ctx, "improvements", "6", _hints_improvements(ctx), saved_texts),
        _section_plan(ctx, saved_texts),
        _editable(ctx, "summary", "8", _summary_hints(ctx), saved_texts),
        _section_since(ctx, snapshot, previous),
        _section_actions(lang, actions, report_id),
    ]
    cmp_start, cmp_end = filters.comparison
    period = period_label(filters.start, filters.end)
    report = Report(
        lang=lang, start=filters.start, end=filters.end, compare=filters.compare, cmp_start=cmp_start,
        cmp_end=cmp_end, period=period, scope=scope, scope_text=scope_text,
        data_date=ctx.data["data_range"][1], title=t("report.title", lang, period=_period_title(filters, lang)),
        sections=sections, actions=actions, snapshot=snapshot, report_id=report_id,
        previous_report_id=previous["report_id"] if previous else None,
        previous_period=previous["period"] if previous else None,
        aliases=_aliases(con, ctx.data["accounts"], lang),
        data_changed=bool(saved and saved["snapshot"].get("data_state") not in (None, snapshot["data_state"])),
    )
    return mask_report(report) if mask_names else report


def _period_title(filters: Filters, lang: str) -> str:
    grain = calendar_grain(filters.start, filters.end)
    if grain == "quarter":
        q = (quarter_start(filters.start).month - 1) // 3 + 1
        return f"{filters.start.year}年第{q}季度" if lang == "zh" else f"Q{q} {filters.start.year}"
    if grain == "year":
        return f"{filters.start.year}年" if lang == "zh" else str(filters.start.year)
    if grain == "month":
        return format_month(filters.start, lang)
    return f"{format_date(filters.start, lang)} – {format_date(filters.end, lang)}"


def report_json(report: Report) -> dict[str, Any]:
    """A JSON-ready summary of the report (command line ``--json``)."""
    return {
        "period": report.period, "start": report.start, "end": report.end, "lang": report.lang,
        "scope": report.scope, "masked": report.masked, "report_id": report.report_id,
        "sections": [{"key": s.key, "number": s.number, "title": s.title, "available": s.available,
                      "figures": {f.key: f.value for f in s.figures}} for s in report.sections],
    }


EXPORT_FORMATS = ("pptx", "html", "xlsx")


def render(report: Report, fmt: str) -> bytes:
    """The report exported as ``fmt`` (pptx, html or xlsx), as bytes."""
    if fmt == "pptx":
        from kam_metrics.report.export.pptx import render_pptx

        return render_pptx(report)
    if fmt == "html":
        from kam_metrics.report.export.html import render_html

        return render_html(report).encode("utf-8")
    if fmt == "xlsx":
        from kam_metrics.report.export.xlsx import render_xlsx

        return render_xlsx(report)
    raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(EXPORT_FORMATS)}")
