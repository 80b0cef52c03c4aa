"""满意度 Satisfaction: overall index and satisfied-customer rate against target with the change since the
previous wave (bootstrap), dimensions, items with gaps, importance-performance, answer distribution,
response and validity per wave, revenue coverage, per-account satisfaction and verbatim comments.

The sidebar's account filters (industry, scale, tenure band, region, owner, ABC class) apply to every
figure: only the matching accounts' questionnaires count (anonymous ones drop out, their number is in
the caption), tenure band and ABC class evaluated as of the selected wave's last survey date; the
response rate is "—" then (questionnaires sent are known per wave only). The sidebar period does not
apply: the page is by survey wave."""

from __future__ import annotations

import streamlit as st

from kam_app.charts import satisfaction as charts
from kam_app.data import satisfaction as loaders
from kam_app.state import current_filters, ensure_router, language, t
from kam_app.widgets.components import KpiCard, render_chart, render_download_table, render_kpi_cards, segment_text
from kam_metrics.access.policy import escape_markdown
from kam_metrics.i18n import format_date, format_percent, format_points


def _score(value) -> str:
    return "—" if value is None or value != value else f"{value:.1f}"


def _significance(change: dict) -> str:
    if change["significant"] is None:
        return t("sat.untestable")
    key = "sat.significant" if change["significant"] else "sat.not_significant"
    return t(key, lower=format_points(change["lower"]), upper=format_points(change["upper"]))


def _rate_significance(change: dict) -> str:
    if change["significant"] is None:
        return t("sat.rate_untestable")
    key = "sat.significant" if change["significant"] else "sat.not_significant"
    return t(key, lower=f"{format_points(change['lower'] * 100)} pp", upper=f"{format_points(change['upper'] * 100)} pp")


def _pp(current, previous) -> str | None:
    if current is None or previous is None:
        return None
    return f"{format_points((current - previous) * 100)} pp"


def render_page() -> None:
    lang = language()
    st.title(t("sat.heading"))
    filters = current_filters()
    first = loaders.load_satisfaction_page(None, filters)
    if first is None:
        st.info(t("db.missing"), icon="ℹ️")
        return
    if not first["waves"]:
        st.info(t("sat.empty"), icon="ℹ️")
        return
    waves = first["waves"]
    wave = st.selectbox(t("sat.wave"), options=waves, index=waves.index(first["wave"]), key="sat_wave")
    data = first if wave == first["wave"] else loaders.load_satisfaction_page(wave, filters)
    cur, prev, settings = data["current"], data["previous"], data["settings"]
    st.caption(t("sat.caption", wave=escape_markdown(data["wave"]), returned=cur["n_returned"], valid=cur["n_valid"],
                 previous=escape_markdown(data["previous_wave"]) if data["previous_wave"] else t("sat.none"), impute=settings["survey_blank_impute_score"],
                 max_blanks=settings["survey_max_imputed_blanks"]))
    segment = data["segment"]
    if segment is None:
        st.caption(t("sat.scope.all"))
    else:
        st.caption(t("sat.scope.segment", filters=segment_text(filters), accounts=segment["count_accounts"],
                     n_all=segment["n_all"], n_segment=segment["n_segment"], n_anonymous=segment["n_anonymous"],
                     as_of=format_date(segment["as_of"], lang) if segment["as_of"] else "—"))
    if cur["is_low_sample"]:
        st.warning(t("sat.low_sample", n=cur["n_valid"]), icon="⚠️")

    change = data["change"]
    significance = _significance(change)
    target_text = format_percent(cur["satisfied_rate_target"])
    coverage = data["coverage"]
    cards = [
        KpiCard(t("sat.kpi.overall"), _score(cur["overall_index"]),
                None if cur["overall_index"] is None or prev is None or prev["overall_index"] is None
                else format_points(cur["overall_index"] - prev["overall_index"]),
                t("sat.kpi.overall_help", n=cur["n_valid"], significance=significance)),
        KpiCard(t("sat.kpi.satisfied_rate") + " · " + t("sat.target_suffix", target=target_text), format_percent(cur["satisfied_rate"]),
                _pp(cur["satisfied_rate"], prev["satisfied_rate"] if prev else None),
                t("sat.kpi.satisfied_help", threshold=f"{cur['satisfied_index']:g}", satisfied=cur["count_satisfied"],
                  surveyed=cur["count_surveyed"], target=target_text) + " · " + _rate_significance(data["rate_change"])),
        KpiCard(t("sat.kpi.response_rate"), format_percent(cur["response_rate"]),
                _pp(cur["response_rate"], prev["response_rate"] if prev else None),
                t("sat.kpi.response_help_segment") if segment is not None else
                t("sat.kpi.response_help", returned=cur["n_returned"], sent="—" if cur["n_sent"] is None else cur["n_sent"])),
        KpiCard(t("sat.kpi.validity_rate"), format_percent(cur["validity_rate"]),
                _pp(cur["validity_rate"], prev["validity_rate"] if prev else None),
                t("sat.kpi.validity_help", valid=cur["n_valid"], returned=cur["n_returned"])),
        KpiCard(t("sat.kpi.nps"), _score(cur["nps"]["nps"]),
                None if prev is None or cur["nps"]["nps"] is None or prev["nps"]["nps"] is None
                else format_points(cur["nps"]["nps"] - prev["nps"]["nps"]),
                t("sat.kpi.nps_help", n=cur["nps"]["count_answers"])),
        KpiCard(t("sat.kpi.coverage"), format_percent(coverage["coverage"]), None,
                t("sat.kpi.coverage_help", as_of=format_date(coverage["as_of"], lang) if coverage["as_of"] else "—")),
    ]
    render_kpi_cards(cards, per_row=3)
    if change["difference"] is not None:
        st.caption(t("sat.change_caption", delta=format_points(change["difference"]), significance=significance))
    rate_change = data["rate_change"]
    if rate_change["difference"] is not None:
        st.caption(t("sat.rate_change_caption", delta=f"{format_points(rate_change['difference'] * 100)} pp",
                     significance=_rate_significance(rate_change)))

    items = data["items"]
    st.subheader(t("sat.dimensions"))
    render_chart(charts.build_dimension_figure(data["dimensions"], lang=lang), t("sat.empty.items"))

    st.subheader(t("sat.items"))
    if items.empty:
        st.info(t("sat.empty.items"), icon="ℹ️")
    else:
        table = items.assign(
            item=[charts.item_label(r, lang) for r in items.to_dict("records")],
            dimension=[t(f"sat.dim.{d}") for d in items["dimension"]],
            quadrant=[t(f"sat.quadrant.{q}") if isinstance(q, str) else "—" for q in items["quadrant"]],
        )[["item_code", "item", "dimension", "weight", "satisfaction", "n", "target_index", "gap_target",
           "competitor_index", "gap_competitor", "gap_previous", "importance", "quadrant"]]
        render_download_table(
            table, file_name=f"satisfaction_items_{data['wave']}.csv",
            column_config={
                "item_code": st.column_config.TextColumn(t("sat.col.item_code")),
                "item": st.column_config.TextColumn(t("sat.col.item")),
                "dimension": st.column_config.TextColumn(t("sat.col.dimension")),
                "weight": st.column_config.NumberColumn(t("sat.col.weight"), format="%.2f"),
                "satisfaction": st.column_config.NumberColumn(t("sat.col.satisfaction"), format="%.1f"),
                "n": st.column_config.NumberColumn(t("sat.col.n"), format="%d"),
                "target_index": st.column_config.NumberColumn(t("sat.col.target"), format="%.0f"),
                "gap_target": st.column_config.NumberColumn(t("sat.col.gap_target"), format="%+.1f"),
                "competitor_index": st.column_config.NumberColumn(t("sat.col.competitor"), format="%.1f"),
                "gap_competitor": st.column_config.NumberColumn(t("sat.col.gap_competitor"), format="%+.1f"),
                "gap_previous": st.column_config.NumberColumn(t("sat.col.gap_previous"), format="%+.1f"),
                "importance": st.column_config.NumberColumn(t("sat.col.importance"), format="%.2f"),
                "quadrant": st.column_config.TextColumn(t("sat.col.quadrant")),
            },
        )

    st.subheader(t("sat.ipa"))
    render_chart(charts.build_ipa_figure(items, lang=lang) if not items.empty else None, t("sat.empty.ipa"))
    if not items.empty and items["outcome_item"].notna().any():
        st.caption(t("sat.ipa_caption", outcome=escape_markdown(items["outcome_item"].dropna().iloc[0])))
    elif cur.get("importance_source") == "revenue_change":
        st.caption(t("sat.ipa_caption_revenue", months=data["revenue_window_months"]))

    st.subheader(t("sat.likert"))
    render_chart(charts.build_likert_figure(data["likert"], items, lang=lang) if not items.empty else None, t("sat.empty.items"))

    st.subheader(t("sat.waves"))
    history = data["history"]
    render_chart(charts.build_waves_figure(history, lang=lang), t("sat.empty"))
    sent_column = st.column_config.NumberColumn(t("sat.col.sent"), format="%d")
    response_column = st.column_config.NumberColumn(t("sat.col.response_rate"), format="percent")
    if segment is not None:  # no per-account number sent: the two columns say "—", not an empty cell
        st.caption(t("sat.waves_segment"))
        history = history.assign(sent="—", response_rate="—")
        sent_column = st.column_config.TextColumn(t("sat.col.sent"))
        response_column = st.column_config.TextColumn(t("sat.col.response_rate"))
    render_download_table(
        history, file_name="satisfaction_waves.csv",
        column_config={
            "wave": st.column_config.TextColumn(t("sat.col.wave")),
            "sent": sent_column,
            "returned": st.column_config.NumberColumn(t("sat.col.returned"), format="%d"),
            "valid": st.column_config.NumberColumn(t("sat.col.valid"), format="%d"),
            "response_rate": response_column,
            "validity_rate": st.column_config.NumberColumn(t("sat.col.validity_rate"), format="percent"),
            "overall_index": st.column_config.NumberColumn(t("sat.col.overall_index"), format="%.1f"),
            "satisfied_rate": st.column_config.NumberColumn(t("sat.kpi.satisfied_rate"), format="percent"),
        },
    )

    st.subheader(t("sat.coverage"))
    missing = coverage["a_not_surveyed"]
    if missing.empty:
        st.success(t("sat.coverage_ok"), icon="✅")
    else:
        st.markdown(t("sat.coverage_missing", n=len(missing)))
        render_download_table(
            missing, file_name=f"a_accounts_not_surveyed_{data['wave']}.csv",
            column_config={
                "account_id": st.column_config.TextColumn(t("col.account_id")),
                "account_name": st.column_config.TextColumn(t("col.account_name")),
                "revenue_12m": st.column_config.NumberColumn(t("col.revenue"), format="¥%,.0f"),
            },
        )

    st.subheader(t("sat.accounts"))
    accounts = data["accounts"]
    if accounts.empty:
        st.info(t("sat.empty.items"), icon="ℹ️")
    else:
        table = accounts.assign(link=[f"/account_360?account={a}&lang={lang}" for a in accounts["account_id"]])[
            ["account_id", "account_name", "owner", "account_index", "n", "is_satisfied", "link"]]
        render_download_table(
            table, file_name=f"satisfaction_accounts_{data['wave']}.csv",
            column_config={
                "account_id": st.column_config.TextColumn(t("col.account_id")),
                "account_name": st.column_config.TextColumn(t("col.account_name")),
                "owner": st.column_config.TextColumn(t("col.owner")),
                "account_index": st.column_config.NumberColumn(t("sat.col.account_index"), format="%.1f"),
                "n": st.column_config.NumberColumn(t("sat.col.n"), format="%d"),
                "is_satisfied": st.column_config.CheckboxColumn(t("sat.col.is_satisfied")),
                "link": st.column_config.LinkColumn(t("sat.col.link"), display_text="360 →"),
            },
        )

    st.subheader(t("sat.comments"))
    comments = data["comments"]
    if comments.empty:
        st.info(t("sat.no_comments"), icon="ℹ️")
    else:
        render_download_table(
            comments, file_name=f"satisfaction_comments_{data['wave']}.csv",
            column_config={
                "survey_date": st.column_config.DateColumn(t("sat.col.survey_date")),
                "wave": st.column_config.TextColumn(t("sat.col.wave")),
                "account_id": st.column_config.TextColumn(t("col.account_id")),
                "item_code": st.column_config.TextColumn(t("sat.col.item_code")),
                "comment": st.column_config.TextColumn(t("sat.col.comment"), width="large"),
            },
        )


ensure_router()
render_page()
