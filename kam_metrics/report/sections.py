"""The report's sections in the outline's order (1 scope, 2 accounts and classes, 3 results: sales, top
accounts, satisfaction, projects, loyalty, 4 problems: churn risk, service, communication; 5-8 causes,
improvements, plan and summary, which start from data-driven hints and carry the presenter's edited text),
and the review actions. Each builder takes the :class:`ReportContext` and returns one :class:`Section`
whose title states the finding (docs/pages.md#review-report)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd

from kam_metrics.domain.enums import BANDS
from kam_metrics.domain.filters import Filters, shift_months
from kam_metrics.i18n import format_date, format_money, format_month, format_percent, t
from kam_metrics.metrics.satisfaction import SatisfactionResult
from kam_metrics.report.data import ReportContext, ReportForecast
from kam_metrics.report.model import Chart, Column, Figure, Section, Series, Table, as_date, as_float, join_words, to_date


def describe_scope(ctx: ReportContext, scope: dict[str, Any]) -> str:
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


def section_scope(ctx: ReportContext, scope_text: str) -> Section:
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


def _key_account_bullets(ctx: ReportContext, key: pd.DataFrame) -> list[str]:
    """The key accounts' three largest groups by industry, scale and tenure, or that there are none."""
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
    return bullets


def _key_accounts_table(ctx: ReportContext, key: pd.DataFrame) -> Table:
    """The first 50 key accounts with their class, industry, scale, tenure, owner and revenue."""
    table_rows = [
        {"account_name": r.account_name, "abc_class": r.abc_class or "", "industry": r.industry or "",
         "scale": ctx.t(f"scale.{r.scale}") if isinstance(r.scale, str) and r.scale else "",
         "tenure_band": ctx.t(f"tenure.{r.tenure_band}") if isinstance(r.tenure_band, str) and r.tenure_band else "",
         "owner": r.owner or "", "revenue": as_float(r.revenue), "comparison_revenue": as_float(r.comparison_revenue)}
        for r in key.head(50).itertuples(index=False)
    ]
    return Table("key_accounts", ctx.t("report.table.key_accounts"), [
        Column("account_name", ctx.t("col.account_name")),
        Column("abc_class", ctx.t("col.abc_class")),
        Column("industry", ctx.t("col.industry")),
        Column("scale", ctx.t("filter.scale")),
        Column("tenure_band", ctx.t("filter.tenure")),
        Column("owner", ctx.t("col.owner")),
        Column("revenue", ctx.t("col.revenue"), "money"),
        Column("comparison_revenue", ctx.t("col.comparison_revenue"), "money"),
    ], table_rows)


def _abc_summary_table(ctx: ReportContext, summary: pd.DataFrame) -> Table:
    """Per ABC class: the number of accounts, 12-month revenue and share, and period revenue."""
    return Table("abc_summary", ctx.t("report.table.abc_summary"), [
        Column("abc_class", ctx.t("col.abc_class")),
        Column("count_accounts", ctx.t("report.col.count_accounts"), "count"),
        Column("revenue_12m", ctx.t("report.series.revenue_12m"), "money"),
        Column("share_12m", ctx.t("col.share"), "percent"),
        Column("revenue", ctx.t("col.revenue"), "money"),
    ], [{"abc_class": ctx.t(f"abc.{r.abc_class}") if r.abc_class else ctx.t("report.abc.none"),
         "count_accounts": int(r.count_accounts), "revenue_12m": as_float(r.revenue_12m), "share_12m": as_float(r.share_12m),
         "revenue": as_float(r.revenue)} for r in summary.itertuples(index=False)])


def section_accounts(ctx: ReportContext) -> Section:
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
            series=[Series(ctx.t("report.series.revenue_12m"), [as_float(rows[c].revenue_12m) for c in classes])],
            value_kind="money", axis_title=ctx.t("report.axis.revenue"),
        )
        if "A" in rows:
            a = rows["A"]
            title = ctx.t("report.accounts.title", n=f"{int(a.count_accounts):,}", share=format_percent(as_float(a.share_12m)))
        chart.title = title
    key = accounts[accounts["is_key_account"].fillna(False).astype(bool)]
    bullets = _key_account_bullets(ctx, key)
    return Section(key="accounts", number="2", heading=ctx.t("report.section.accounts"), title=title,
                   bullets=bullets, chart=chart, tables=[_key_accounts_table(ctx, key), _abc_summary_table(ctx, summary)],
                   notes=[ctx.t("report.notes.accounts")] + bullets[:1])


def _month_labels(months: list, lang: str) -> list[str]:
    return [format_month(to_date(m), lang) for m in months]


def _comparison_by_month(months: list, previous: pd.DataFrame, filters: Filters) -> list[float | None]:
    """The comparison period's revenue under each current month, matched by calendar (the monthly
    query leaves out months without sales, so matching by position would shift values): the month
    at the same offset from the comparison period's start as the current month from the period's
    start (同比: the same month a year earlier; 环比: the same place in the previous period); None when
    that month had no sales."""
    cmp_start, _ = filters.comparison
    by_month = {as_date(m): as_float(v) for m, v in zip(previous["month"], previous["revenue"])}
    start = filters.start
    values = []
    for m in months:
        month = to_date(m)
        offset = (month.year - start.year) * 12 + month.month - start.month
        values.append(by_month.get(shift_months(cmp_start, offset)))
    return values


def section_sales(ctx: ReportContext) -> Section:
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
        this_values = [as_float(v) for v in monthly["revenue"]]
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


def section_top(ctx: ReportContext) -> Section:
    top = ctx.data["top"]
    k = ctx.data["kpis"]
    if top.empty:
        return Section(key="top", number="3.1", heading=ctx.t("report.section.top"),
                       title=ctx.t("report.top.title_none"), bullets=[ctx.t("empty.period")], available=False)
    share = as_float(k["top10_share"])
    title = ctx.t("report.top.title", share=format_percent(share), name=top.iloc[0]["account_name"])
    chart = Chart("top_accounts", title, "bar", top["account_name"].tolist(),
                  [Series(ctx.t("chart.monthly.this"), [as_float(v) for v in top["revenue"]]),
                   Series(ctx.t("chart.monthly.comparison"), [as_float(v) for v in top["comparison_revenue"]])],
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
         "revenue": as_float(r.revenue), "comparison_revenue": as_float(r.comparison_revenue), "share": as_float(r.share),
         "growth": as_float(r.growth)} for r in top.itertuples(index=False)], on_slide=False)
    growers = top[top["growth"].notna()].sort_values("growth")
    bullets = [ctx.t("report.top.share", share=format_percent(share), herfindahl=ctx.v(k["herfindahl"], "number")
                     if k["herfindahl"] is None else f"{k['herfindahl']:.3f}")]
    if not growers.empty:
        low, high = growers.iloc[0], growers.iloc[-1]
        bullets.append(ctx.t("report.top.movers", up=high["account_name"], up_growth=format_percent(high["growth"], signed=True),
                             down=low["account_name"], down_growth=format_percent(low["growth"], signed=True)))
    return Section(key="top", number="3.1", heading=ctx.t("report.section.top"), title=title, bullets=bullets,
                   chart=chart, tables=[table], notes=bullets + [ctx.t("report.notes.top")])


def section_satisfaction(ctx: ReportContext) -> Section:
    s: SatisfactionResult | None = ctx.data["satisfaction"]
    heading = ctx.t("report.section.satisfaction")
    if s is None or s.overall_index is None:
        return Section(key="satisfaction", number="3.2", heading=heading, title=ctx.t("report.sat.title_none"),
                       bullets=[ctx.t("report.sat.none")], available=False, notes=[ctx.t("report.sat.none")])
    dims = s.dimensions.sort_values("satisfaction", ascending=False)
    labels = [ctx.t(f"sat.dim.{d}") for d in dims["dimension"]]
    best, worst = labels[0], labels[-1]
    title = ctx.t("report.sat.title", index=ctx.v(s.overall_index, "index"), best=best, worst=worst,
                  wave=ctx.data["wave"])
    chart = Chart("dimensions", title, "bar", labels,
                  [Series(ctx.t("report.series.satisfaction"), [as_float(v) for v in dims["satisfaction"]]),
                   Series(ctx.t("report.series.target"), [as_float(v) for v in dims["target_index"]])],
                  "index", ctx.t("report.axis.index"))
    items = s.items.sort_values("gap_target")
    label_col = "label_zh" if ctx.lang == "zh" else "label_en"
    item_rows = [{"item": (getattr(r, label_col) or r.item_code), "dimension": ctx.t(f"sat.dim.{r.dimension}"),
                  "satisfaction": as_float(r.satisfaction), "target_index": as_float(r.target_index), "gap_target": as_float(r.gap_target),
                  "n": int(r.n)} for r in items.itertuples(index=False)]
    table = Table("satisfaction_items", ctx.t("report.table.items"), [
        Column("item", ctx.t("report.col.item")), Column("dimension", ctx.t("report.col.dimension")),
        Column("satisfaction", ctx.t("report.series.satisfaction"), "index"),
        Column("target_index", ctx.t("report.series.target"), "index"),
        Column("gap_target", ctx.t("report.col.gap_target"), "points"), Column("n", "n", "count"),
    ], item_rows)
    bullets = [ctx.t("report.sat.overall", index=ctx.v(s.overall_index, "index"), wave=ctx.data["wave"],
                     n=s.n_valid, satisfied=format_percent(s.satisfied_rate),
                     target=format_percent(s.satisfied_rate_target))]
    dim_values = {d: v for d, v in zip(s.dimensions["dimension"], s.dimensions["satisfaction"])}
    parts = [ctx.t("report.sat.dim", dim=ctx.t(f"sat.dim.{d}"), index=ctx.v(dim_values[d], "index"))
             for d in ("product", "service", "process", "tech_support", "price") if d in dim_values]
    if parts:
        bullets.append(join_words(parts, ctx.lang))
    bullets.append(ctx.t("report.sat.strength", best=best, worst=worst))
    if s.response_rate is not None:
        bullets.append(ctx.t("report.sat.response", rate=format_percent(s.response_rate),
                             validity=format_percent(s.validity_rate)))
    figures = [
        Figure("overall_index", ctx.t("kpi.overall_satisfaction"), s.overall_index, "index"),
        Figure("satisfied_rate", ctx.t("sat.kpi.satisfied_rate"), s.satisfied_rate, "percent"),
        Figure("response_rate", ctx.t("report.fig.response_rate"), s.response_rate, "percent"),
        Figure("nps", "NPS", s.nps.nps, "number"),
    ]
    if ctx.filters.has_segments:
        bullets.append(ctx.t("report.sat.company_wide"))
    return Section(key="satisfaction", number="3.2", heading=heading, title=title, bullets=bullets, figures=figures,
                   chart=chart, tables=[table], notes=bullets + [ctx.t("report.notes.satisfaction")])


def _project_row(ctx: ReportContext, r) -> dict[str, Any]:
    return {"project_name": r.project_name, "account_name": r.account_name,
            "status": ctx.t(f"project_status.{r.status}"), "progress_pct": None if (pct := as_float(r.progress_pct)) is None else pct / 100,
            "planned_end": as_date(r.planned_end), "end_date": as_date(r.end_date),
            "slip_days": as_float(r.slip_days), "contract_value": as_float(r.contract_value),
            "issue_note": r.issue_note if isinstance(r.issue_note, str) else ""}


PROJECT_COLUMNS = ("project_name", "account_name", "status", "progress_pct", "planned_end", "end_date", "slip_days",
                   "contract_value", "issue_note")


def _project_columns(ctx: ReportContext) -> list[Column]:
    kinds = {"progress_pct": "percent", "planned_end": "date", "end_date": "date", "slip_days": "days",
             "contract_value": "money"}
    labels = {"status": "col.project_status", "progress_pct": "col.progress_pct", "slip_days": "col.slip_days"}
    return [Column(c, ctx.t(labels.get(c, f"col.{c}")), kinds.get(c, "text")) for c in PROJECT_COLUMNS]


def section_projects(ctx: ReportContext) -> Section:
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
                             value=format_money(as_float(r.contract_value), ctx.lang),
                             feedback="—" if as_float(r.feedback_score) is None else f"{r.feedback_score:.1f}"))
    running = projects[projects["status"] == "in_progress"].sort_values("contract_value", ascending=False)
    for r in running.head(1).itertuples(index=False):
        bullets.append(ctx.t("report.projects.running", name=r.project_name, account=r.account_name,
                             progress="—" if as_float(r.progress_pct) is None else f"{r.progress_pct:.0f}%",
                             end=format_date(as_date(r.end_date) or as_date(r.planned_end), ctx.lang)))
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


def section_loyalty(ctx: ReportContext) -> Section:
    k, c = ctx.data["kpis"], ctx.data["kpis"]["comparison"]
    referrals, nps, intervals = ctx.data["referrals"], ctx.data["nps"], ctx.data["intervals"]
    title = ctx.t("report.loyalty.title", repeat=format_percent(k["repeat_purchase_rate"]),
                  retention=format_percent(k["retention_rate"]), nrr=format_percent(k["net_revenue_retention"]))
    keys = ("repeat_purchase_rate", "retention_rate", "net_revenue_retention", "gross_revenue_retention")
    labels = [ctx.t(f"report.loyalty.{key}") for key in keys]
    chart = Chart("loyalty_rates", title, "column", labels,
                  [Series(ctx.t("chart.monthly.this"), [as_float(k[key]) for key in keys]),
                   Series(ctx.t("chart.monthly.comparison"), [as_float(c[key]) for key in keys])], "percent",
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




def section_churn(ctx: ReportContext) -> Section:
    lost = ctx.data["lost"]
    churn = ctx.data["churn"]
    heading = ctx.t("report.section.churn")
    lost_rows = [{"account_name": r.account_name, "owner": r.owner or "",
                  "reason": ctx.t(f"report.lost.{r.reason}"), "comparison_revenue": as_float(r.comparison_revenue),
                  "last_order_date": as_date(r.last_order_date)} for r in lost.itertuples(index=False)]
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
         "probability": as_float(r["probability"]), "revenue_at_risk": as_float(r["revenue_at_risk"]),
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


def section_service(ctx: ReportContext) -> Section:
    s = ctx.data["service"]
    heading = ctx.t("report.section.service")
    if not s["count_tickets"]:
        return Section(key="service", number="4.2", heading=heading, title=ctx.t("report.service.title_none"),
                       bullets=[ctx.t("report.service.none")], available=False)
    title = ctx.t("report.service.title", sla=format_percent(s["sla_compliance"]), hours=f"{s['sla_hours']:.0f}",
                  complaints=s["count_complaints"], unanswered=s["count_unanswered"])
    monthly = ctx.data["service_monthly"]
    chart = Chart("sla_monthly", title, "line", _month_labels(list(monthly["month"]), ctx.lang),
                  [Series(ctx.t("report.series.sla"), [as_float(v) for v in monthly["sla_compliance"]])], "percent",
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
         "count_unanswered": int(r.count_unanswered), "median_response_hours": as_float(r.median_response_hours)}
        for r in complaints.itertuples(index=False)])
    figures = [
        Figure("sla_compliance", ctx.t("report.fig.sla"), s["sla_compliance"], "percent"),
        Figure("median_response_hours", ctx.t("report.fig.median_response"), s["median_response_hours"], "hours"),
        Figure("count_complaints", ctx.t("report.col.complaints"), s["count_complaints"], "count"),
        Figure("count_unanswered", ctx.t("report.col.unanswered"), s["count_unanswered"], "count"),
    ]
    return Section(key="service", number="4.2", heading=heading, title=title, bullets=bullets, figures=figures,
                   chart=chart, tables=[table], notes=bullets + [ctx.t("report.notes.service")])


def section_communication(ctx: ReportContext) -> Section:
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
    ], [{"account_name": r.account_name, "owner": r.owner or "", "days_since_call": as_float(r.days_since_call),
         "days_since_visit": as_float(r.days_since_visit)} for r in overdue.itertuples(index=False)])
    figures = [Figure("cadence_compliance", ctx.t("report.fig.cadence"), cs["cadence_compliance"], "percent"),
               Figure("count_overdue", ctx.t("report.fig.overdue"), len(overdue), "count")]
    return Section(key="communication", number="4.3", heading=heading, title=title, bullets=bullets, figures=figures,
                   chart=chart, tables=[table], notes=bullets + [ctx.t("report.notes.communication")])


def hints_causes(ctx: ReportContext) -> list[str]:
    hints = []
    s: SatisfactionResult | None = ctx.data["satisfaction"]
    if s is not None and not s.items.empty:
        label_col = "label_zh" if ctx.lang == "zh" else "label_en"
        weak = s.items.sort_values("gap_target").head(3)
        hints.append(ctx.t("report.hint.weak_items", items=join_words(
            [f"{getattr(r, label_col) or r.item_code} {r.satisfaction:.1f} ({r.gap_target:+.1f})" for r in weak.itertuples()],
            ctx.lang)))
        fix = s.items[s.items["quadrant"] == "fix_first"]
        if not fix.empty:
            hints.append(ctx.t("report.hint.fix_first", items=join_words(
                [getattr(r, label_col) or r.item_code for r in fix.itertuples()], ctx.lang)))
    projects = ctx.data["projects"]
    blocked = projects[projects["is_blocked"].astype(bool)]
    if not blocked.empty:
        hints.append(ctx.t("report.hint.blocked", n=len(blocked), items=join_words(
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


def hints_improvements(ctx: ReportContext) -> list[str]:
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


def hints_plan(ctx: ReportContext) -> list[str]:
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


def _forecast_hints(ctx: ReportContext, forecast: ReportForecast) -> list[str]:
    out = []
    for name, window in forecast.windows.items():
        key = "report.forecast.window_target" if window.target else "report.forecast.window"
        out.append(ctx.t(key, window=name, start=format_month(window.start, ctx.lang),
                         end=format_month(window.end, ctx.lang), value=format_money(window.forecast, ctx.lang),
                         lower=format_money(window.lower, ctx.lang), upper=format_money(window.upper, ctx.lang),
                         target=format_money(window.target, ctx.lang), completion=format_percent(window.completion)))
    series = forecast.series
    method = forecast.method_text.get(ctx.lang) or series.method_note or series.method or "—"
    out.append(ctx.t("report.forecast.method", method=method,
                     mape=format_percent(series.mape_backtest),
                     baseline=format_percent(series.baseline_mape)))
    return out


def _default_text(ctx: ReportContext, key: str, hints: list[str]) -> str:
    if key == "plan":
        return "\n".join([ctx.t("report.plan.short"), "", ctx.t("report.plan.mid"), "", ctx.t("report.plan.long")])
    return ""


def editable_section(ctx: ReportContext, key: str, number: str, hints: list[str], saved: dict[str, str],
              chart: Chart | None = None, title: str | None = None) -> Section:
    text = saved.get(key)
    return Section(key=key, number=number, heading=ctx.t(f"report.section.{key}"),
                   title=title or ctx.t(f"report.{key}.title"), hints=hints, editable=True,
                   text=text if text is not None else _default_text(ctx, key, hints), chart=chart,
                   notes=[ctx.t(f"report.notes.{key}")] + hints)


def section_plan(ctx: ReportContext, saved: dict[str, str]) -> Section:
    forecast: ReportForecast | None = ctx.data["forecast"]
    chart = None
    title = None
    if forecast is not None and forecast.series.forecast:
        history = forecast.series.history[-12:]
        points = forecast.series.forecast
        n_hist = len(history)
        labels = [format_month(to_date(month), ctx.lang) for month in [p.month for p in history] + [p.month for p in points]]
        before: list[float | None] = [None] * n_hist
        after: list[float | None] = [None] * len(points)
        chart = Chart("forecast", "", "line", labels,
                      [Series(ctx.t("report.series.actual"), [as_float(p.value) for p in history] + after),
                       Series(ctx.t("report.series.forecast"), before + [as_float(p.value) for p in points]),
                       Series(ctx.t("report.series.lower"), before + [as_float(p.lower) for p in points]),
                       Series(ctx.t("report.series.upper"), before + [as_float(p.upper) for p in points])],
                      "money", ctx.t("report.axis.revenue"))
        first = forecast.windows.get("1-3")
        total = first.forecast if first else sum(p.value or 0.0 for p in points[:3])
        if first and first.completion is not None:
            title = ctx.t("report.plan.title_forecast_target", value=format_money(total, ctx.lang),
                          completion=format_percent(first.completion))
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
                          [Series(ctx.t("report.series.amount"), [as_float(v) or 0.0 for v in open_stages["amount_current"]])],
                          "money", ctx.t("report.axis.amount"))
    return editable_section(ctx, "plan", "7", hints_plan(ctx), saved, chart=chart, title=title)


def summary_hints(ctx: ReportContext) -> list[str]:
    k = ctx.data["kpis"]
    s: SatisfactionResult | None = ctx.data["satisfaction"]
    ps = ctx.data["project_summary"]
    parts = [ctx.t("report.hint.summary_sales", revenue=format_money(k["revenue"], ctx.lang),
                   growth=format_percent(k["revenue_growth"], signed=True),
                   completion=format_percent(k["target_completion"]))]
    if s is not None and s.overall_index is not None:
        parts.append(ctx.t("report.hint.summary_sat", index=f"{s.overall_index:.1f}"))
    if ps["count_projects"]:
        parts.append(ctx.t("report.hint.summary_projects", on_time=format_percent(ps["on_time_rate"]),
                           at_risk=ps["count_at_risk"]))
    parts.append(ctx.t("report.hint.summary_retention", retention=format_percent(k["retention_rate"])))
    return parts


def action_table(actions: list[dict[str, Any]], lang: str) -> Table:
    return Table("review_actions", t("report.table.actions", lang), [
        Column("what", t("report.col.what", lang)), Column("owner", t("report.col.action_owner", lang)),
        Column("due_date", t("report.col.due_date", lang), "date"), Column("status", t("report.col.status", lang)),
    ], [{"what": a["what"], "owner": a.get("owner") or "", "due_date": a.get("due_date"),
         "status": t(f"report.status.{a.get('status') or 'open'}", lang)} for a in actions])


def section_actions(lang: str, actions: list[dict[str, Any]], report_id: int | None) -> Section:
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
