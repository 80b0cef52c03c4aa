"""Figure builders of the Projects, Service and Pipeline pages.

Small, already-aggregated frames in (from kam_metrics.metrics.projects / .service / .pipeline), a Plotly figure
whose title states the finding out; None when there is nothing to draw. Pure plotly, no streamlit.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from kam_app.theme import COMPARISON, NEGATIVE, PALETTE, POSITIVE, PRIMARY, register_template
from kam_metrics.i18n import format_money, format_month, format_percent, money_unit, t
from kam_metrics.store.connection import PROJECT_STATUSES

register_template()

STATUS_COLORS = {
    "planned": COMPARISON,
    "in_progress": PRIMARY,
    "completed": POSITIVE,
    "on_hold": "#D4A72C",
    "blocked": NEGATIVE,
    "cancelled": "#7F7F7F",
}


def _hours(value) -> str:
    return "—" if value is None or pd.isna(value) else f"{float(value):,.1f}"


# --- projects ----------------------------------------------------------------------------------------


def build_project_status_figure(summary: dict, *, lang: str) -> go.Figure | None:
    """Projects by status as of the period end; the title gives the at-risk count and the on-time rate."""
    if not summary["count_projects"]:
        return None
    statuses = [s for s in PROJECT_STATUSES if summary[f"count_{s}"]]
    counts = [summary[f"count_{s}"] for s in statuses]
    fig = go.Figure(
        go.Bar(
            x=counts,
            y=[t(f"project_status.{s}", lang) for s in statuses],
            orientation="h",
            marker_color=[STATUS_COLORS[s] for s in statuses],
            text=counts,
            textposition="outside",
            cliponaxis=False,
        )
    )
    fig.update_layout(
        title=t(
            "chart.project_status.title",
            lang,
            n=summary["count_projects"],
            at_risk=summary["count_at_risk"],
            on_time=format_percent(summary["on_time_rate"]),
        ),
        xaxis_title=t("chart.count_projects_axis", lang),
        yaxis={"autorange": "reversed"},
        height=max(260, 70 + 42 * len(statuses)),
        showlegend=False,
    )
    return fig


def build_project_timeline_figure(projects: pd.DataFrame, *, lang: str, limit: int = 30) -> go.Figure | None:
    """A Gantt of the scheduled projects: the planned span from start_date to planned_end as a bar, the
    actual or forecast end as a diamond, and the slip as a red segment; at-risk and late ones first."""
    scheduled_rows = projects[projects["start_date"].notna() & projects["planned_end"].notna()]
    scheduled_rows = scheduled_rows[scheduled_rows["status"] != "cancelled"]
    rows = scheduled_rows.head(limit)
    if rows.empty:
        return None
    labels = [f"{name} · {account}" for name, account in zip(rows["project_name"], rows["account_name"].fillna(""))]
    start = pd.to_datetime(rows["start_date"])
    planned = pd.to_datetime(rows["planned_end"])
    ends = pd.to_datetime(rows["end_date"])
    slip = rows["slip_days"]
    fig = go.Figure()
    fig.add_bar(
        y=labels,
        x=(planned - start).dt.total_seconds() * 1000,
        base=start,
        orientation="h",
        marker_color=[NEGATIVE if r else COMPARISON for r in rows["is_at_risk"]],
        opacity=0.55,
        name=t("chart.timeline.planned", lang),
        hovertemplate="%{y}<br>%{base|%Y-%m-%d} → %{x}<extra></extra>",
        customdata=planned,
    )
    late = slip.fillna(0) > 0
    for is_late, color, key in ((False, POSITIVE, "chart.timeline.on_time"), (True, NEGATIVE, "chart.timeline.late")):
        mask = (late == is_late) & ends.notna()
        if mask.any():
            fig.add_scatter(
                y=[label for label, m in zip(labels, mask) if m],
                x=ends[mask],
                mode="markers",
                marker={"symbol": "diamond", "size": 11, "color": color},
                name=t(key, lang),
                text=[f"{int(v):+d}" for v in slip[mask].fillna(0)],
                hovertemplate="%{y}<br>%{x|%Y-%m-%d} (%{text} d)<extra></extra>",
            )
    for label, p_end, end, is_late in zip(labels, planned, ends, late):
        if is_late and pd.notna(end):
            fig.add_shape(type="line", x0=p_end, x1=end, y0=label, y1=label, line={"color": NEGATIVE, "width": 4})
    # the title speaks for every scheduled project, not only the rows drawn
    all_slips = scheduled_rows["slip_days"]
    late_count = int((all_slips.fillna(0) > 0).sum())
    fig.update_layout(
        title=t(
            "chart.timeline.title",
            lang,
            late=late_count,
            n=len(scheduled_rows),
            max_slip=int(all_slips.max()) if late_count else 0,
        ),
        xaxis={"type": "date", "title": t("chart.date_axis", lang)},
        yaxis={"autorange": "reversed", "automargin": True},
        barmode="overlay",
        height=max(340, 90 + 26 * len(rows)),
    )
    return fig


def build_completed_projects_figure(projects: pd.DataFrame, *, lang: str, limit: int = 15) -> go.Figure | None:
    """Contract value of completed projects (largest first) with their feedback score as the label."""
    done = projects[(projects["status"] == "completed") & projects["contract_value"].notna()]
    if done.empty:
        return None
    done = done.sort_values("contract_value", ascending=False).head(limit)
    divisor, unit = money_unit(done["contract_value"].max(), lang)
    total = float(projects.loc[projects["status"] == "completed", "contract_value"].fillna(0).sum())
    scores = projects.loc[projects["status"] == "completed", "feedback_score"].dropna()
    fig = go.Figure(
        go.Bar(
            x=done["contract_value"] / divisor,
            y=[f"{n} · {a}" for n, a in zip(done["project_name"], done["account_name"].fillna(""))],
            orientation="h",
            marker_color=[NEGATIVE if (s is not None and not pd.isna(s) and s < 3) else PRIMARY for s in done["feedback_score"]],
            text=[("—" if pd.isna(s) else f"{s:.1f}/5") for s in done["feedback_score"]],
            textposition="outside",
            cliponaxis=False,
        )
    )
    fig.update_layout(
        title=t(
            "chart.completed.title",
            lang,
            revenue=format_money(total, lang),
            score="—" if scores.empty else f"{scores.mean():.1f}",
        ),
        xaxis_title=t("chart.contract_value_axis", lang, unit=unit),
        yaxis={"autorange": "reversed", "automargin": True},
        height=max(300, 80 + 32 * len(done)),
        showlegend=False,
    )
    return fig


# --- service -----------------------------------------------------------------------------------------


def build_response_time_figure(monthly: pd.DataFrame, summary: dict, *, lang: str) -> go.Figure | None:
    """Median and 90th percentile of first-response and resolution hours per month, with the SLA line."""
    if monthly.empty or monthly["median_response_hours"].isna().all():
        return None
    months = [format_month(m, lang) for m in monthly["month"]]
    fig = go.Figure()
    series = (
        ("median_response_hours", "chart.response.median_response", PRIMARY, "solid"),
        ("p90_response_hours", "chart.response.p90_response", PRIMARY, "dot"),
        ("median_resolution_hours", "chart.response.median_resolution", PALETTE[1], "solid"),
        ("p90_resolution_hours", "chart.response.p90_resolution", PALETTE[1], "dot"),
    )
    for column, key, color, dash in series:
        fig.add_scatter(
            x=months, y=monthly[column], name=t(key, lang), mode="lines+markers", line={"color": color, "dash": dash}
        )
    fig.add_hline(
        y=summary["sla_hours"],
        line={"color": NEGATIVE, "dash": "dash"},
        annotation_text=t("chart.response.sla", lang, hours=_hours(summary["sla_hours"])),
        annotation_position="top left",
    )
    fig.update_layout(
        title=t(
            "chart.response.title",
            lang,
            median=_hours(summary["median_response_hours"]),
            p90=_hours(summary["p90_response_hours"]),
            resolution=_hours(summary["median_resolution_hours"]),
        ),
        xaxis_title=t("chart.month_axis", lang),
        yaxis_title=t("chart.hours_axis", lang),
        height=430,
    )
    return fig


def build_sla_figure(monthly: pd.DataFrame, summary: dict, *, lang: str) -> go.Figure | None:
    """SLA compliance per month (share answered within the SLA hours, unanswered counting as late)."""
    if monthly.empty:
        return None
    months = [format_month(m, lang) for m in monthly["month"]]
    values = [None if v is None else float(v) * 100 for v in monthly["sla_compliance"]]
    fig = go.Figure(
        go.Bar(
            x=months,
            y=values,
            marker_color=PRIMARY,
            text=[format_percent(v) for v in monthly["sla_compliance"]],
            textposition="outside",
            cliponaxis=False,
        )
    )
    fig.update_layout(
        title=t(
            "chart.sla.title",
            lang,
            rate=format_percent(summary["sla_compliance"]),
            hours=_hours(summary["sla_hours"]),
            unanswered=summary["count_unanswered"],
        ),
        xaxis_title=t("chart.month_axis", lang),
        yaxis={"title": t("chart.percent_axis", lang), "range": [0, 110]},
        height=380,
        showlegend=False,
    )
    return fig


def build_complaints_figure(complaints: pd.DataFrame, *, lang: str, limit: int = 10) -> go.Figure | None:
    """Complaints per account in the period, the most first."""
    if complaints.empty:
        return None
    top = complaints.head(limit)
    fig = go.Figure(
        go.Bar(
            x=top["count_complaints"],
            y=top["account_name"],
            orientation="h",
            marker_color=NEGATIVE,
            text=top["count_complaints"],
            textposition="outside",
            cliponaxis=False,
        )
    )
    fig.update_layout(
        title=t(
            "chart.complaints.title",
            lang,
            name=top["account_name"].iloc[0],
            n=int(top["count_complaints"].iloc[0]),
            accounts=len(complaints),
        ),
        xaxis={"title": t("chart.count_complaints_axis", lang), "dtick": 1 if top["count_complaints"].max() <= 10 else None},
        yaxis={"autorange": "reversed", "automargin": True},
        height=max(280, 80 + 34 * len(top)),
        showlegend=False,
    )
    return fig


def build_cadence_figure(cadence: pd.DataFrame, cadence_summary: dict, *, lang: str) -> go.Figure | None:
    """Key accounts by cadence state: both on time, call overdue, visit overdue, both overdue."""
    if cadence.empty:
        return None
    call_ok, visit_ok = cadence["is_call_ok"].astype(bool), cadence["is_visit_ok"].astype(bool)
    groups = (
        ("ok", int((call_ok & visit_ok).sum()), POSITIVE),
        ("call_overdue", int((~call_ok & visit_ok).sum()), "#D4A72C"),
        ("visit_overdue", int((call_ok & ~visit_ok).sum()), "#E07B39"),
        ("both_overdue", int((~call_ok & ~visit_ok).sum()), NEGATIVE),
    )
    fig = go.Figure(
        go.Bar(
            x=[t(f"cadence.{key}", lang) for key, _, _ in groups],
            y=[n for _, n, _ in groups],
            marker_color=[c for _, _, c in groups],
            text=[n for _, n, _ in groups],
            textposition="outside",
            cliponaxis=False,
        )
    )
    fig.update_layout(
        title=t(
            "chart.cadence.title",
            lang,
            compliant=cadence_summary["count_compliant"],
            n=cadence_summary["count_key_accounts"],
            rate=format_percent(cadence_summary["cadence_compliance"]),
        ),
        xaxis_title=t("chart.cadence.x", lang),
        yaxis_title=t("chart.count_accounts_axis", lang),
        height=380,
        showlegend=False,
    )
    return fig


# --- pipeline ----------------------------------------------------------------------------------------


def build_funnel_figure(funnel: pd.DataFrame, *, lang: str) -> go.Figure | None:
    """The six-stage funnel of opportunities by the stage reached, with stage-to-stage conversion."""
    if funnel.empty or not int(funnel["count_reached"].iloc[0]):
        return None
    labels = [
        f"{int(n)}" + ("" if c is None else f" ({format_percent(c, decimals=0)})")
        for n, c in zip(funnel["count_reached"], funnel["conversion"])
    ]
    fig = go.Figure(
        go.Funnel(
            y=[t(f"stage.{s}", lang) for s in funnel["stage"]],
            x=funnel["count_reached"],
            text=labels,
            textinfo="text",
            marker={"color": [PALETTE[6], PALETTE[6], PRIMARY, PRIMARY, PRIMARY, POSITIVE]},
        )
    )
    first, last = int(funnel["count_reached"].iloc[0]), int(funnel["count_reached"].iloc[-1])
    fig.update_layout(
        title=t("chart.funnel.title", lang, n=first, won=last, rate=format_percent(last / first if first else None)),
        xaxis_title=t("chart.count_opportunities_axis", lang),
        height=420,
    )
    return fig


def build_stage_amount_figure(funnel: pd.DataFrame, summary: dict, *, lang: str) -> go.Figure | None:
    """Count and amount of the opportunities now at each stage."""
    if funnel.empty or not int(funnel["count_current"].sum()):
        return None
    divisor, unit = money_unit(funnel["amount_current"].max(), lang)
    fig = go.Figure(
        go.Bar(
            x=[t(f"stage.{s}", lang) for s in funnel["stage"]],
            y=funnel["amount_current"] / divisor,
            marker_color=[POSITIVE if s == "won" else PRIMARY for s in funnel["stage"]],
            text=[f"{format_money(a, lang)} · {int(n)}" for a, n in zip(funnel["amount_current"], funnel["count_current"])],
            textposition="outside",
            cliponaxis=False,
        )
    )
    fig.update_layout(
        title=t(
            "chart.stage_amount.title",
            lang,
            weighted=format_money(summary["weighted_pipeline"], lang),
            open=format_money(summary["amount_open"], lang),
            n=summary["count_open"],
        ),
        xaxis_title=t("chart.stage_axis", lang),
        yaxis_title=t("chart.amount_axis", lang, unit=unit),
        height=420,
        showlegend=False,
    )
    return fig
