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
from kam_app.widgets import columns
from kam_app.widgets.components import KpiCard, render_chart, render_download_table, render_kpi_cards, segment_text
from kam_metrics.access.policy import escape_markdown
from kam_metrics.i18n import format_date, format_percent, format_points
from kam_metrics.metrics.satisfaction import BootstrapDifference, SatisfactionPage, SatisfactionResult


def _score(value) -> str:
    return "—" if value is None or value != value else f"{value:.1f}"


def _significance(change: BootstrapDifference) -> str:
    if change.significant is None:
        return t("sat.untestable")
    key = "sat.significant" if change.significant else "sat.not_significant"
    return t(key, lower=format_points(change.lower), upper=format_points(change.upper))


def _rate_significance(change: BootstrapDifference) -> str:
    if change.significant is None:
        return t("sat.rate_untestable")
    key = "sat.significant" if change.significant else "sat.not_significant"
    return t(key, lower=f"{format_points(change.lower * 100)} pp", upper=f"{format_points(change.upper * 100)} pp")


def _pp(current, previous) -> str | None:
    if current is None or previous is None:
        return None
    return f"{format_points((current - previous) * 100)} pp"


def _points_change(current: float | None, previous: float | None) -> str | None:
    """The change of an index or score in points; None without both values."""
    if current is None or previous is None:
        return None
    return format_points(current - previous)


def _previous(prev: SatisfactionResult | None, field: str):
    """A field of the previous wave's figures; None without a previous wave."""
    return getattr(prev, field) if prev is not None else None


def render_page() -> None:
    st.title(t("sat.heading"))
    filters = current_filters()
    first = loaders.load_satisfaction_page(None, filters)
    if first is None:
        st.info(t("db.missing"), icon="ℹ️")
        return
    if first.page is None:
        st.info(t("sat.empty"), icon="ℹ️")
        return
    waves = list(first.page.waves)
    wave = st.selectbox(t("sat.wave"), options=waves, index=waves.index(first.page.wave), key="sat_wave")
    loaded = first if wave == first.page.wave else loaders.load_satisfaction_page(wave, filters)
    data = loaded.page
    render_scope(data, loaded.settings, filters)
    render_cards(data)
    st.subheader(t("sat.dimensions"))
    render_chart(charts.build_dimension_figure(data.dimensions, lang=language()), t("sat.empty.items"))
    render_items(data)
    render_ipa(data)
    st.subheader(t("sat.likert"))
    items = data.items
    render_chart(charts.build_likert_figure(data.likert, items, lang=language()) if not items.empty else None,
                 t("sat.empty.items"))
    render_waves(data)
    render_coverage(data)
    render_accounts(data)
    render_comments(data)


def render_scope(data: SatisfactionPage, settings: dict, filters) -> None:
    """The wave's counts, the blank rule, the segment the figures cover and a low-sample warning."""
    cur, segment = data.current, data.segment
    st.caption(t("sat.caption", wave=escape_markdown(data.wave), returned=cur.n_returned, valid=cur.n_valid,
                 previous=escape_markdown(data.previous_wave) if data.previous_wave else t("sat.none"),
                 impute=settings["survey_blank_impute_score"], max_blanks=settings["survey_max_imputed_blanks"]))
    if segment is None:
        st.caption(t("sat.scope.all"))
    else:
        st.caption(t("sat.scope.segment", filters=segment_text(filters), accounts=segment.count_accounts,
                     n_all=segment.n_all, n_segment=segment.n_segment, n_anonymous=segment.n_anonymous,
                     as_of=format_date(segment.as_of, language()) if segment.as_of else "—"))
    if cur.is_low_sample:
        st.warning(t("sat.low_sample", n=cur.n_valid), icon="⚠️")


def render_cards(data: SatisfactionPage) -> None:
    """Overall index, satisfied rate against target, response and validity rates, NPS and coverage, each
    with its change since the previous wave, then whether the changes are significant."""
    cur, prev, coverage = data.current, data.previous, data.coverage
    significance = _significance(data.change)
    target_text = format_percent(cur.satisfied_rate_target)
    response_help = (t("sat.kpi.response_help_segment") if data.segment is not None else
                     t("sat.kpi.response_help", returned=cur.n_returned, sent="—" if cur.n_sent is None else cur.n_sent))
    cards = [
        KpiCard(t("sat.kpi.overall"), _score(cur.overall_index),
                _points_change(cur.overall_index, _previous(prev, "overall_index")),
                t("sat.kpi.overall_help", n=cur.n_valid, significance=significance)),
        KpiCard(t("sat.kpi.satisfied_rate") + " · " + t("sat.target_suffix", target=target_text), format_percent(cur.satisfied_rate),
                _pp(cur.satisfied_rate, _previous(prev, "satisfied_rate")),
                t("sat.kpi.satisfied_help", threshold=f"{cur.satisfied_index:g}", satisfied=cur.count_satisfied,
                  surveyed=cur.count_surveyed, target=target_text) + " · " + _rate_significance(data.rate_change)),
        KpiCard(t("sat.kpi.response_rate"), format_percent(cur.response_rate),
                _pp(cur.response_rate, _previous(prev, "response_rate")), response_help),
        KpiCard(t("sat.kpi.validity_rate"), format_percent(cur.validity_rate),
                _pp(cur.validity_rate, _previous(prev, "validity_rate")),
                t("sat.kpi.validity_help", valid=cur.n_valid, returned=cur.n_returned)),
        KpiCard(t("sat.kpi.nps"), _score(cur.nps.nps),
                _points_change(cur.nps.nps, prev.nps.nps if prev is not None else None),
                t("sat.kpi.nps_help", n=cur.nps.count_answers)),
        KpiCard(t("sat.kpi.coverage"), format_percent(coverage.coverage), None,
                t("sat.kpi.coverage_help", as_of=format_date(coverage.as_of, language()) if coverage.as_of else "—")),
    ]
    render_kpi_cards(cards, per_row=3)
    if data.change.difference is not None:
        st.caption(t("sat.change_caption", delta=format_points(data.change.difference), significance=significance))
    rate_change = data.rate_change
    if rate_change.difference is not None:
        st.caption(t("sat.rate_change_caption", delta=f"{format_points(rate_change.difference * 100)} pp",
                     significance=_rate_significance(rate_change)))


def render_items(data: SatisfactionPage) -> None:
    """Every item with its satisfaction, n, gaps to target, competitor and previous wave, importance."""
    st.subheader(t("sat.items"))
    items, lang = data.items, language()
    if items.empty:
        st.info(t("sat.empty.items"), icon="ℹ️")
        return
    table = items.assign(
        item=[charts.item_label(r, lang) for r in items.to_dict("records")],
        dimension=[t(f"sat.dim.{d}") for d in items["dimension"]],
        quadrant=[t(f"sat.quadrant.{q}") if isinstance(q, str) else "—" for q in items["quadrant"]],
    )[["item_code", "item", "dimension", "weight", "satisfaction", "n", "target_index", "gap_target",
       "competitor_index", "gap_competitor", "gap_previous", "importance", "quadrant"]]
    render_download_table(table, file_name=f"satisfaction_items_{data.wave}.csv", column_config={
        "item_code": columns.text("sat.col.item_code"), "item": columns.text("sat.col.item"),
        "dimension": columns.text("sat.col.dimension"), "weight": columns.decimal("sat.col.weight", 2),
        "satisfaction": columns.decimal("sat.col.satisfaction"), "n": columns.count("sat.col.n"),
        "target_index": columns.decimal("sat.col.target", 0), "gap_target": columns.decimal("sat.col.gap_target", signed=True),
        "competitor_index": columns.decimal("sat.col.competitor"),
        "gap_competitor": columns.decimal("sat.col.gap_competitor", signed=True),
        "gap_previous": columns.decimal("sat.col.gap_previous", signed=True),
        "importance": columns.decimal("sat.col.importance", 2), "quadrant": columns.text("sat.col.quadrant"),
    })
    render_left_out(data)


def render_left_out(data: SatisfactionPage) -> None:
    """The items answered but left out of the index, each with its reason (a number never moves silently)."""
    if data.current.left_out:
        listed = "; ".join(
            f"{escape_markdown(item.item_code)} ({item.scale_min}-{item.scale_max}): {t(f'sat.left_out.{item.reason}')}"
            for item in data.current.left_out)
        st.caption(t("sat.left_out", items=listed))


def render_ipa(data: SatisfactionPage) -> None:
    """The importance-performance quadrant and where the importance comes from."""
    st.subheader(t("sat.ipa"))
    items = data.items
    render_chart(charts.build_ipa_figure(items, lang=language()) if not items.empty else None, t("sat.empty.ipa"))
    if not items.empty and items["outcome_item"].notna().any():
        st.caption(t("sat.ipa_caption", outcome=escape_markdown(items["outcome_item"].dropna().iloc[0])))
    elif data.current.importance_source == "revenue_change":
        st.caption(t("sat.ipa_caption_revenue", months=data.revenue_window_months))


def render_waves(data: SatisfactionPage) -> None:
    """Response, validity, index and satisfied rate per wave: chart and table."""
    st.subheader(t("sat.waves"))
    history = data.history
    render_chart(charts.build_waves_figure(history, lang=language()), t("sat.empty"))
    sent_column, response_column = columns.count("sat.col.sent"), columns.percent("sat.col.response_rate")
    if data.segment is not None:  # no per-account number sent: the two columns say "—", not an empty cell
        st.caption(t("sat.waves_segment"))
        history = history.assign(sent="—", response_rate="—")
        sent_column, response_column = columns.text("sat.col.sent"), columns.text("sat.col.response_rate")
    render_download_table(history, file_name="satisfaction_waves.csv", column_config={
        "wave": columns.text("sat.col.wave"), "sent": sent_column, "returned": columns.count("sat.col.returned"),
        "valid": columns.count("sat.col.valid"), "response_rate": response_column,
        "validity_rate": columns.percent("sat.col.validity_rate"), "overall_index": columns.decimal("sat.col.overall_index"),
        "satisfied_rate": columns.percent("sat.kpi.satisfied_rate"),
    })


def render_coverage(data: SatisfactionPage) -> None:
    """The A accounts without a questionnaire in the wave."""
    st.subheader(t("sat.coverage"))
    missing = data.coverage.a_not_surveyed
    if missing.empty:
        st.success(t("sat.coverage_ok"), icon="✅")
        return
    st.markdown(t("sat.coverage_missing", n=len(missing)))
    render_download_table(missing, file_name=f"a_accounts_not_surveyed_{data.wave}.csv", column_config={
        "account_id": columns.account_id(), "account_name": columns.account_name(), "revenue_12m": columns.money(),
    })


def render_accounts(data: SatisfactionPage) -> None:
    """Each surveyed account's index, with a link to its Account 360 page."""
    st.subheader(t("sat.accounts"))
    accounts = data.accounts
    if accounts.empty:
        st.info(t("sat.empty.items"), icon="ℹ️")
        return
    table = accounts.assign(link=[f"/account_360?account={a}&lang={language()}" for a in accounts["account_id"]])[
        ["account_id", "account_name", "owner", "account_index", "n", "is_satisfied", "link"]]
    render_download_table(table, file_name=f"satisfaction_accounts_{data.wave}.csv", column_config={
        "account_id": columns.account_id(), "account_name": columns.account_name(), "owner": columns.owner(),
        "account_index": columns.decimal("sat.col.account_index"), "n": columns.count("sat.col.n"),
        "is_satisfied": st.column_config.CheckboxColumn(t("sat.col.is_satisfied")), "link": columns.account_link(),
    })


def render_comments(data: SatisfactionPage) -> None:
    """The verbatim comments of the wave."""
    st.subheader(t("sat.comments"))
    comments = data.comments
    if comments.empty:
        st.info(t("sat.no_comments"), icon="ℹ️")
        return
    render_download_table(comments, file_name=f"satisfaction_comments_{data.wave}.csv", column_config={
        "survey_date": columns.date("sat.col.survey_date"), "wave": columns.text("sat.col.wave"),
        "account_id": columns.account_id(), "item_code": columns.text("sat.col.item_code"),
        "comment": columns.text("sat.col.comment", width="large"),
    })


ensure_router()
render_page()
