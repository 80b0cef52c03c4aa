"""The review-meeting report (大客户管理汇报): ``build_report`` assembles one :class:`Report` that the page,
the PowerPoint, the HTML and the Excel exports all render, so every export shows the same figures.

``build_report(con, filters, lang, scope, report_id=None, mask_names=False)``: sections in the outline's
order (see :mod:`.sections`), then "since the last review" (:mod:`.snapshot`) and the review actions. With
``report_id`` the saved report's edited text and actions are used. ``render(report, fmt)`` hands the
model to one exporter (:mod:`kam_metrics.report.export`), which imports only :mod:`.model`.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

import duckdb
import pandas as pd

from kam_metrics.domain.filters import Filters, calendar_grain, quarter_start
from kam_metrics.i18n import format_date, format_month, t
from kam_metrics.report.data import ReportContext, load_data
from kam_metrics.report.export.html import render_html
from kam_metrics.report.export.pptx import render_pptx
from kam_metrics.report.export.xlsx import render_xlsx
from kam_metrics.report.masking import NameMasker, alias_label, mask_report
from kam_metrics.report.model import EXPORT_FORMATS, Report, normalize_scope, period_label, scope_filters
from kam_metrics.report.sections import (
    describe_scope,
    editable_section,
    hints_causes,
    hints_improvements,
    section_accounts,
    section_actions,
    section_churn,
    section_communication,
    section_loyalty,
    section_plan,
    section_projects,
    section_sales,
    section_satisfaction,
    section_scope,
    section_service,
    section_top,
    summary_hints,
)
from kam_metrics.report.snapshot import build_snapshot, section_since
from kam_metrics.report.store import clean_actions, find_previous_report, load_actions, load_saved_report

if TYPE_CHECKING:
    from kam_metrics.churn.results import ChurnScores


def refresh_actions(report: Report, actions: list[dict[str, Any]]) -> Report:
    """The report with ``actions`` (e.g. edited on the page) in its actions section."""
    cleaned = []
    for a in clean_actions(actions):
        original = next((o for o in report.actions if o.get("action_id") == a["action_id"] and a["action_id"]), {})
        cleaned.append({**original, **a})
    section = section_actions(report.lang, cleaned, report.report_id)
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
                 mask_names: bool = False, churn_result: ChurnScores | None = None) -> Report:
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
    ctx = ReportContext(con=con, filters=filters, lang=lang, data=load_data(con, filters, churn_result))
    scope_text = describe_scope(ctx, scope)
    saved_texts = saved["sections"] if saved else {}
    snapshot = build_snapshot(ctx)
    previous = find_previous_report(con, scope, filters.end, report_id)
    actions = load_actions(con, report_id)
    sections = [
        section_scope(ctx, scope_text),
        section_accounts(ctx),
        section_sales(ctx),
        section_top(ctx),
        section_satisfaction(ctx),
        section_projects(ctx),
        section_loyalty(ctx),
        section_churn(ctx),
        section_service(ctx),
        section_communication(ctx),
        editable_section(ctx, "causes", "5", hints_causes(ctx), saved_texts),
        editable_section(ctx, "improvements", "6", hints_improvements(ctx), saved_texts),
        section_plan(ctx, saved_texts),
        editable_section(ctx, "summary", "8", summary_hints(ctx), saved_texts),
        section_since(ctx, snapshot, previous),
        section_actions(lang, actions, report_id),
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


def render(report: Report, fmt: str) -> bytes:
    """The report exported as ``fmt`` (pptx, html or xlsx), as bytes."""
    if fmt == "pptx":
        return render_pptx(report)
    if fmt == "html":
        return render_html(report).encode("utf-8")
    if fmt == "xlsx":
        return render_xlsx(report)
    raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(EXPORT_FORMATS)}")
