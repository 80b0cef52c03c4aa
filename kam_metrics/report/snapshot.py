"""Since the last review: what a saved report remembers (per-account class and revenue, project end
dates, risk bands, the data state) and the section comparing it with today's figures."""

from __future__ import annotations

from datetime import date
from typing import Any

from kam_metrics.i18n import format_date, format_money
from kam_metrics.report.data import ReportContext
from kam_metrics.report.model import Chart, Column, Section, Series, Table, as_date, as_float, format_value
from kam_metrics.report.store import data_state

Mover = tuple[float, str]  # (revenue change, account id)


def build_snapshot(ctx: ReportContext) -> dict[str, Any]:
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
            r.account_id: {"abc": r.abc_class if isinstance(r.abc_class, str) else None, "revenue": as_float(r.revenue)}
            for r in accounts.itertuples(index=False)
            if isinstance(r.abc_class, str) or (as_float(r.revenue) or 0) != 0
        },
        "projects": {
            r.project_id: {"end_date": None if (end := as_date(r.end_date)) is None else end.isoformat(),
                           "slip_days": as_float(r.slip_days), "status": r.status}
            for r in projects.itertuples(index=False)
        },
        "bands": None if churn is None else {a: b for a, b in zip(churn["scores"]["account_id"], churn["scores"]["band"])
                                             if isinstance(b, str)},
        "data_state": data_state(ctx.con),
    }


def _comparison_revenue(ctx: ReportContext, previous: dict[str, Any] | None) -> dict[str, float | None]:
    """Each account's revenue to compare with: the saved review's, else the comparison period's."""
    if previous is None:
        return {a: as_float(r) for a, r in ctx.data["accounts"].set_index("account_id")["comparison_revenue"].items()}
    prev_accounts = previous["snapshot"].get("accounts", {})
    return {a: v.get("revenue") for a, v in prev_accounts.items()}


def _class_change_rows(ctx: ReportContext, snapshot: dict[str, Any], previous: dict[str, Any] | None,
                       names: dict[str, str]) -> list[dict[str, Any]]:
    """One row per ABC class change since the saved review (the comparison period has no stored classes)."""
    if previous is None:
        return []
    prev_accounts = previous["snapshot"].get("accounts", {})
    changes = []
    for account_id, now in snapshot["accounts"].items():
        before = prev_accounts.get(account_id, {}).get("abc")
        if now["abc"] != before and (now["abc"] or before):
            changes.append((account_id, before, now["abc"]))
    for account_id, was in prev_accounts.items():
        if account_id not in snapshot["accounts"] and was.get("abc") and account_id in names:
            changes.append((account_id, was["abc"], None))
    return [{"kind": ctx.t("report.since.kind.abc"), "name": names.get(account_id, account_id),
             "before": ctx.t(f"abc.{before}") if before else "—", "after": ctx.t(f"abc.{after}") if after else "—",
             "change": None}
            for account_id, before, after in sorted(changes, key=lambda c: (c[2] or "Z", c[0]))]


def _newly_red_rows(ctx: ReportContext, bands: dict[str, str] | None, prev_bands: dict[str, str] | None,
                    names: dict[str, str]) -> list[dict[str, Any]]:
    """One row per account red in today's risk bands and not red at the saved review."""
    if bands is None or prev_bands is None:
        return []
    newly_red = [a for a, b in bands.items() if b == "red" and prev_bands.get(a) != "red"]
    return [{"kind": ctx.t("report.since.kind.red"), "name": names.get(account_id, account_id),
             "before": ctx.t(f"report.band.{prev_bands.get(account_id)}") if prev_bands.get(account_id) else "—",
             "after": ctx.t("report.band.red"), "change": None}
            for account_id in newly_red]


def _biggest_movers(snapshot: dict[str, Any], prev_revenue: dict[str, float | None],
                    names: dict[str, str]) -> tuple[list[Mover], list[Mover]]:
    """The five largest revenue rises (largest first) and falls (largest first) as (change, account id)."""
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
    return up, down


def _mover_rows(ctx: ReportContext, snapshot: dict[str, Any], prev_revenue: dict[str, float | None],
                names: dict[str, str], movers: list[Mover]) -> list[dict[str, Any]]:
    """One row per riser or faller: its revenue before and after, and the change."""
    return [{"kind": ctx.t("report.since.kind.up" if change > 0 else "report.since.kind.down"),
             "name": names.get(account_id, account_id),
             "before": format_money(prev_revenue.get(account_id) or 0.0, ctx.lang),
             "after": format_money(snapshot["accounts"].get(account_id, {}).get("revenue") or 0.0, ctx.lang),
             "change": ("+" if change > 0 else "") + format_money(change, ctx.lang)}
            for change, account_id in movers]


def _slipped_project_rows(ctx: ReportContext, snapshot: dict[str, Any],
                          previous: dict[str, Any] | None) -> list[dict[str, Any]]:
    """One row per project (not cancelled) whose end date moved later since the saved review."""
    if previous is None:
        return []
    rows = []
    prev_projects = previous["snapshot"].get("projects", {})
    projects = ctx.data["projects"].set_index("project_id")
    for project_id, now in snapshot["projects"].items():
        before = prev_projects.get(project_id)
        if not before or now["end_date"] is None or before.get("end_date") is None:
            continue
        if now["end_date"] > before["end_date"] and now["status"] != "cancelled":
            days = (date.fromisoformat(now["end_date"]) - date.fromisoformat(before["end_date"])).days
            rows.append({"kind": ctx.t("report.since.kind.slipped"), "name": projects.loc[project_id, "project_name"]
                         + f" ({projects.loc[project_id, 'account_name']})",
                         "before": format_date(date.fromisoformat(before["end_date"]), ctx.lang),
                         "after": format_date(date.fromisoformat(now["end_date"]), ctx.lang),
                         "change": "+" + format_value(days, "days", ctx.lang)})
    return rows


def _movers_chart(ctx: ReportContext, up: list[Mover], down: list[Mover], names: dict[str, str]) -> Chart | None:
    """A bar chart of the revenue changes: the risers, then the fallers from the smallest fall."""
    if not (up or down):
        return None
    movers = up + list(reversed(down))
    return Chart("movers", "", "bar", [names.get(a, a) for _, a in movers],
                 [Series(ctx.t("report.series.change"), [float(c) for c, _ in movers])], "money",
                 ctx.t("report.axis.revenue"))


def _review_bullets(ctx: ReportContext, n_changes: int, n_slipped: int, n_red: int,
                    bands: dict[str, str] | None, prev_bands: dict[str, str] | None) -> list[str]:
    """The bullets only a saved review allows: class changes, slipped projects, newly red accounts."""
    bullets = [ctx.t("report.since.abc", n=n_changes), ctx.t("report.since.slipped", n=n_slipped)]
    if bands is None:
        bullets.append(ctx.t("report.since.red_unavailable"))
    elif prev_bands is None:
        bullets.append(ctx.t("report.since.red_no_previous"))
    else:
        bullets.append(ctx.t("report.since.red", n=n_red))
    return bullets


def _since_table(ctx: ReportContext, rows: list[dict[str, Any]]) -> Table:
    """The table of every change listed: its kind, the account or project, before, after and change."""
    return Table("since_last_review", ctx.t("report.table.since"), [
        Column("kind", ctx.t("report.col.change_kind")), Column("name", ctx.t("report.col.name")),
        Column("before", ctx.t("report.col.before")), Column("after", ctx.t("report.col.after")),
        Column("change", ctx.t("report.col.change")),
    ], rows)


def section_since(ctx: ReportContext, snapshot: dict[str, Any], previous: dict[str, Any] | None) -> Section:
    heading = ctx.t("report.section.since")
    accounts = ctx.data["accounts"].set_index("account_id")
    names = accounts["account_name"].to_dict()
    if previous is None:
        basis = ctx.t("report.since.basis_comparison")
    else:
        basis = ctx.t("report.since.basis_report", period=previous["period"])
    prev_revenue = _comparison_revenue(ctx, previous)
    bands, prev_bands = snapshot.get("bands"), (previous or {}).get("snapshot", {}).get("bands")
    abc_rows = _class_change_rows(ctx, snapshot, previous, names)
    red_rows = _newly_red_rows(ctx, bands, prev_bands, names)
    up, down = _biggest_movers(snapshot, prev_revenue, names)
    slipped_rows = _slipped_project_rows(ctx, snapshot, previous)
    rows = abc_rows + red_rows + _mover_rows(ctx, snapshot, prev_revenue, names, up + down) + slipped_rows
    chart = _movers_chart(ctx, up, down, names)
    if previous is None:
        title = ctx.t("report.since.title_first", up=len(up), down=len(down))
    else:
        title = ctx.t("report.since.title", period=previous["period"], abc=len(abc_rows), slipped=len(slipped_rows),
                      red=len(red_rows))
    if chart is not None:
        chart.title = title
    bullets = [basis]
    if up:
        bullets.append(ctx.t("report.since.up", names=ctx.names([names.get(a, a) for _, a in up], 3)))
    if down:
        bullets.append(ctx.t("report.since.down", names=ctx.names([names.get(a, a) for _, a in down], 3)))
    if previous is not None:
        bullets += _review_bullets(ctx, len(abc_rows), len(slipped_rows), len(red_rows), bands, prev_bands)
    return Section(key="since", number="★", heading=heading, title=title, bullets=bullets, chart=chart,
                   tables=[_since_table(ctx, rows)], notes=bullets + [ctx.t("report.notes.since")])
