"""Layout pieces shared by pages: KPI cards, charts with an empty state, downloadable tables."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from kam_app.state import t
from kam_metrics.access.export_safety import neutralise_frame
from kam_metrics.access.policy import escape_markdown


@dataclass(frozen=True)
class KpiCard:
    label: str
    value: str
    delta: str | None = None
    help: str | None = None
    delta_color: str = "normal"


def render_kpi_cards(cards: list[KpiCard], per_row: int = 4) -> None:
    """KPI cards in rows of ``per_row``, each with its delta against the comparison period."""
    for offset in range(0, len(cards), per_row):
        columns = st.columns(per_row)
        for column, card in zip(columns, cards[offset : offset + per_row]):
            column.metric(
                card.label,
                card.value,
                delta=card.delta,
                help=card.help,
                border=True,
                delta_color=card.delta_color if card.delta else "off",
            )


def render_chart(figure: go.Figure | None, empty_message: str | None = None) -> None:
    """A Plotly chart at full width, or an explanation of why there is nothing to draw."""
    if figure is None:
        st.info(empty_message or t("chart.empty"), icon="ℹ️")
        return
    st.plotly_chart(figure, width="stretch", config={"displaylogo": False})


def render_download_table(frame: pd.DataFrame, *, file_name: str, column_config: dict | None = None,
                          masked_frame: pd.DataFrame | None = None) -> None:
    """A table with a CSV download (UTF-8 with BOM so Excel on Chinese Windows opens it correctly; text
    cells that Excel would run as formulas are neutralised). A viewer's download (also a remote visitor of a
    single-user app) has the customer names masked (kam_metrics.access.masking.mask_frame; ``masked_frame``, when
    given, is the version to mask and download instead, for names held outside the name columns); every
    download is recorded in the audit log."""
    st.dataframe(frame, width="stretch", hide_index=True, column_config=column_config)
    render_download_button(frame, file_name=file_name, masked_frame=masked_frame)


def render_download_button(frame: pd.DataFrame, *, file_name: str, masked_frame: pd.DataFrame | None = None) -> None:
    """The CSV download of a table shown some other way: neutralised, masked for a viewer (kam_app.auth.
    downloads_masked), and recorded in the audit log (see render_download_table)."""
    from kam_app import auth
    from kam_metrics.access.masking import mask_frame

    masked = auth.downloads_masked()
    export = mask_frame(frame if masked_frame is None else masked_frame) if masked else frame
    st.download_button(
        t("download.csv") + (t("access.download_masked") if masked else ""),
        data=neutralise_frame(export).to_csv(index=False).encode("utf-8-sig"),
        file_name=file_name,
        mime="text/csv",
        icon=":material/download:",
        on_click=auth.record_export,
        args=(file_name, len(frame), masked),
    )


def start_page(heading_key: str, *, needs_sales: bool = True):
    """A page's title, then its data check: returns the sidebar's Filters, or None after showing why
    there is nothing to show (no database yet, or no sales to anchor the period on). Pages about other
    activity (projects, service, pipeline) pass ``needs_sales=False``: without sales their period is
    anchored on the latest activity date instead."""
    from kam_app.data import sales as loaders
    from kam_app.state import current_filters

    st.title(t(heading_key))
    context = loaders.load_context()
    if context is None:
        st.info(t("db.missing"), icon="ℹ️")
        return None
    filters = current_filters()
    if filters is None or (needs_sales and not context["has_sales"]):
        st.info(t("empty.no_sales"), icon="ℹ️")
        return None
    render_period_caption(filters)
    return filters


def render_period_caption(filters) -> None:
    """The period, its comparison period and the active segment filters, under a page title."""
    from kam_app.state import language
    from kam_metrics.i18n import format_date

    lang = language()
    cmp_start, cmp_end = filters.comparison
    st.caption(
        t(
            "overview.period_caption",
            start=format_date(filters.start, lang),
            end=format_date(filters.end, lang),
            cmp_start=format_date(cmp_start, lang),
            cmp_end=format_date(cmp_end, lang),
            compare=t(f"compare.short.{filters.compare}"),
        )
    )
    text = segment_text(filters)
    st.caption(t("active_filters", filters=text) if text else t("active_filters.none"))


def segment_text(filters) -> str:
    """The active account filters in words, e.g. "客户经理 张三 · ABC 分类 A 类"; "" when there are none.
    Values from the data (an industry, a region, an owner) are markdown-escaped: captions render markdown."""
    from kam_app.state import language

    labelled = (
        ("filter.industry", filters.industries, None),
        ("filter.scale", filters.scales, "scale"),
        ("filter.tenure", filters.tenure_bands, "tenure"),
        ("filter.region", filters.regions, None),
        ("filter.owner", filters.owners, None),
        ("filter.abc", filters.abc_classes, "abc"),
        ("col.account_id", filters.accounts, None),
    )
    separator = "、" if language() == "zh" else ", "
    return " · ".join(
        f"{t(label)} {separator.join(t(f'{prefix}.{v}') if prefix else escape_markdown(v) for v in values)}"
        for label, values, prefix in labelled if values
    )


def percent_delta(value: float | None) -> str | None:
    """A signed percentage for a card's delta, or None when there is nothing to compare."""
    from kam_metrics.i18n import format_percent

    return None if value is None else format_percent(value, signed=True)


def points_delta(current: float | None, previous: float | None) -> str | None:
    """The change of a fraction in percentage points, e.g. "+2.5 pp"; None when either is missing."""
    from kam_metrics.i18n import format_points

    if current is None or previous is None:
        return None
    return f"{format_points((current - previous) * 100)} pp"


def drill_to_filter(chart_key: str, filter_key: str) -> None:
    """A chart's on_select callback: the clicked bar's segment (its customdata) becomes the sidebar
    filter ``filter_key`` for every page. Runs before the rerun, so the sidebar widget takes it."""
    event = st.session_state.get(chart_key)
    points = (event or {}).get("selection", {}).get("points", []) if isinstance(event, dict) else []
    if not points and event is not None and hasattr(event, "selection"):
        points = event.selection.get("points", [])
    values = [p.get("customdata") for p in points if p.get("customdata") not in (None, "")]
    if values:
        value = values[0][0] if isinstance(values[0], list) else values[0]
        st.session_state[filter_key] = [value]


def render_drill_chart(figure: go.Figure | None, *, key: str, filter_key: str | None, empty_message: str) -> None:
    """A chart whose bars filter the pages when clicked (``filter_key`` is the sidebar widget's key);
    a plain chart when ``filter_key`` is None."""
    if figure is None:
        st.info(empty_message, icon="ℹ️")
        return
    if filter_key is None:
        st.plotly_chart(figure, width="stretch", config={"displaylogo": False}, key=key)
        return
    st.plotly_chart(
        figure,
        width="stretch",
        config={"displaylogo": False},
        key=key,
        on_select=lambda: drill_to_filter(key, filter_key),
        selection_mode="points",
    )
    st.caption(t("drill.hint"))
