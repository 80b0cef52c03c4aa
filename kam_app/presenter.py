"""Presenter mode (docs/pages.md) and the on-screen view of review-report sections.

Presenter mode is a sidebar switch (app.py calls :func:`render_toggle` and :func:`apply`): it hides the
sidebar and Streamlit's chrome with CSS and enlarges the type; on the Review report page the sections
are shown one at a time, paged with buttons that answer ← / → (Streamlit shortcuts) and PageUp /
PageDown (a tiny script that clicks them, for presentation clickers)."""

from __future__ import annotations

import json

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from kam_app.state import language, t
from kam_app.theme import COMPARISON, PALETTE, PRIMARY
from kam_app.widgets.components import render_chart, render_download_button
from kam_metrics.access.masking import mask_frame
from kam_metrics.access.policy import escape_markdown
from kam_metrics.i18n import money_unit
from kam_metrics.report.masking import NameMasker
from kam_metrics.report.model import Chart, Report, Section, Table, format_value

KEY = "presenter_mode"
INDEX_KEY = "presenter_index"

CSS = """
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stHeader"],
[data-testid="stToolbar"], [data-testid="stDecoration"], [data-testid="stStatusWidget"], footer { display: none !important; }
.block-container, [data-testid="stMainBlockContainer"] { padding-top: 1.2rem !important; max-width: 100% !important; }
html, body, [data-testid="stAppViewContainer"] p, [data-testid="stMarkdownContainer"] li { font-size: 1.25rem; }
[data-testid="stMarkdownContainer"] h1 { font-size: 2.6rem; }
[data-testid="stMarkdownContainer"] h2 { font-size: 2.1rem; }
[data-testid="stMetricValue"] { font-size: 2.6rem !important; }
[data-testid="stMetricLabel"] p { font-size: 1.15rem !important; }
</style>
"""


def is_active() -> bool:
    return bool(st.session_state.get(KEY, False))


def render_toggle() -> None:
    """The presenter-mode switch in the sidebar."""
    st.sidebar.toggle(t("report.presenter"), key=KEY, help=t("report.presenter_help"))


def apply() -> None:
    """While presenter mode is on: hide the sidebar and chrome, enlarge the type, and offer the way out
    (a button, or Esc) on every page, as the sidebar's switch is hidden."""
    if is_active():
        st.markdown(CSS, unsafe_allow_html=True)
        st.button(t("report.presenter.exit"), on_click=_exit, key="presenter_exit", shortcut="Esc",
                  icon=":material/close_fullscreen:")


def _exit() -> None:
    st.session_state[KEY] = False


def _step(delta: int, total: int) -> None:
    st.session_state[INDEX_KEY] = min(max(st.session_state.get(INDEX_KEY, 0) + delta, 0), total - 1)


def _keyboard(next_label: str, previous_label: str) -> None:
    """PageDown / PageUp click the next / previous buttons (← / → are the buttons' own shortcuts)."""
    import streamlit.components.v1 as components

    labels = json.dumps({"PageDown": next_label, "PageUp": previous_label}, ensure_ascii=False)
    components.html(
        f"""<script>
const doc = window.parent.document;
doc.__kamPagerLabels = {labels};
if (!doc.__kamPager) {{
  doc.__kamPager = true;
  doc.addEventListener('keydown', (event) => {{
    const label = (doc.__kamPagerLabels || {{}})[event.key];
    if (!label) return;
    const button = Array.from(doc.querySelectorAll("button")).find((b) => b.innerText.includes(label));
    if (button) {{ event.preventDefault(); button.click(); }}
  }});
}}
</script>""",
        height=0,
    )


def render_presentation(report: Report) -> None:
    """One section at a time, with paging buttons, the position, the masking switch and an exit."""
    sections = report.sections
    total = len(sections)
    index = min(st.session_state.get(INDEX_KEY, 0), total - 1)
    st.session_state[INDEX_KEY] = index
    left, middle, right, mask = st.columns([1, 2, 1, 3], vertical_alignment="center")
    left.button(t("report.presenter.previous"), icon=":material/arrow_back:", shortcut="Left",
                on_click=_step, args=(-1, total), disabled=index == 0, key="presenter_previous")
    middle.markdown(t("report.presenter.position", n=index + 1, total=total))
    right.button(t("report.presenter.next"), icon=":material/arrow_forward:", shortcut="Right",
                 on_click=_step, args=(1, total), disabled=index == total - 1, key="presenter_next")
    mask.toggle(t("report.mask"), key="report_mask", help=t("report.mask_help"))
    _keyboard(t("report.presenter.next"), t("report.presenter.previous"))
    render_section(report, sections[index], presenting=True)
    st.caption(report.footer)


def chart_figure(chart: Chart, lang: str) -> go.Figure:
    """A Plotly figure of a report chart; its title states the finding."""
    values = [v for s in chart.series for v in s.values if v is not None]
    divisor, unit = (money_unit(max((abs(v) for v in values), default=0.0), lang)
                     if chart.value_kind == "money" else (1.0, ""))
    figure = go.Figure()
    for index, series in enumerate(chart.series):
        scaled = [None if v is None else v / divisor for v in series.values]
        colour = (PRIMARY, COMPARISON)[index] if index < 2 else PALETTE[index % len(PALETTE)]
        if chart.key == "forecast" and index >= 1:
            colour = PALETTE[1]  # the forecast and its interval in one accent colour, the bounds dashed
        text = [format_value(v, chart.value_kind, lang) if v is not None else "" for v in series.values]
        if chart.kind == "line":
            dash = "dash" if chart.key == "forecast" and index >= 2 else None
            figure.add_trace(go.Scatter(x=chart.categories, y=scaled, name=series.name, mode="lines+markers",
                                        line={"color": colour, "dash": dash}, hovertext=text, hoverinfo="text+name"))
        elif chart.kind == "bar":
            figure.add_trace(go.Bar(y=chart.categories, x=scaled, name=series.name, orientation="h",
                                    marker_color=colour, hovertext=text, hoverinfo="text+name",
                                    text=text if len(chart.series) == 1 else None, textposition="outside"))
        else:
            figure.add_trace(go.Bar(x=chart.categories, y=scaled, name=series.name, marker_color=colour,
                                    hovertext=text, hoverinfo="text+name",
                                    text=text if len(chart.series) == 1 else None, textposition="outside"))
    axis = f"{chart.axis_title}" if not unit else chart.axis_title.replace("元", unit).replace("CNY", unit)
    tickformat = ".0%" if chart.value_kind == "percent" else None
    figure.update_layout(title=chart.title, height=430, showlegend=len(chart.series) > 1, barmode="group")
    if chart.kind == "bar":
        figure.update_yaxes(autorange="reversed")
        figure.update_xaxes(title=axis, tickformat=tickformat)
    else:
        figure.update_yaxes(title=axis, tickformat=tickformat)
    return figure


def bullet_list(items: list[str]) -> str:
    """Markdown bullets of report text that carries data (account and project names, issue notes):
    each item escaped (kam_metrics.access.policy.escape_markdown), so a name like ``![x](http://…)`` shows as
    text instead of fetching an image. The exports escape for their own formats from the raw text."""
    return "\n".join(f"- {escape_markdown(item)}" for item in items)


def plain_text(text: str) -> str:
    """Edited section text shown as the plain text it is in the exports: every line escaped, the line
    breaks kept."""
    return "  \n".join(escape_markdown(line) for line in text.split("\n"))


def table_frames(report: Report, table: Table, lang: str, *, mask_names: bool) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(shown, download) of a report table, formatted, with the display labels as column names. With
    ``mask_names`` (a session whose role may not export unmasked) the download's customer names are masked: the
    customer-name columns by kam_metrics.access.masking.mask_frame while they still have their internal names
    (after the renaming it would find none), then any account name left inside other cells (a project
    "P (account)", a mover) by the report's aliases."""
    frame = table.frame()
    display = frame.copy()
    for column in table.columns:
        display[column.key] = [format_value(v, column.kind, lang) if column.kind != "text" else (v if v is not None else "")
                               for v in frame[column.key]]
    export = display
    if mask_names and not report.masked:
        alias = NameMasker(report.aliases)
        export = mask_frame(display)
        export = export.apply(lambda values: values.map(alias))
    labels = [c.label for c in table.columns]
    display = display.set_axis(labels, axis=1)
    export = export.set_axis(labels, axis=1)
    return display, export


def render_section(report: Report, section: Section, *, presenting: bool = False, key_prefix: str = "") -> None:
    """A section as the page shows it: heading, the finding, KPI cards, chart, bullets and tables.
    Editable sections are shown read-only here (the page edits them). Text from the data is
    markdown-escaped; a viewer's table downloads (auth.downloads_masked) have the customer names masked."""
    from kam_app import auth

    lang = language()
    st.markdown(f"##### {section.heading}")
    st.markdown(f"{'##' if presenting else '###'} {escape_markdown(section.title)}")
    if not section.available:
        st.caption("ℹ️ " + t("report.unavailable"))
    if section.figures:
        figures = section.figures[:6]
        for column, figure in zip(st.columns(len(figures)), figures):
            delta = None
            if figure.comparison is not None and figure.value is not None:
                delta = t("report.vs", value=format_value(figure.comparison, figure.kind, lang))
            column.metric(figure.label, format_value(figure.value, figure.kind, lang), delta=delta,
                          delta_color="off", delta_arrow="off", border=True)
    if section.chart is not None:
        if section.bullets and not section.editable:
            left, right = st.columns([3, 2])
            with left:
                render_chart(chart_figure(section.chart, lang))
            with right:
                st.markdown(bullet_list(section.bullets))
        else:
            render_chart(chart_figure(section.chart, lang))
    elif section.bullets and not section.editable:
        st.markdown(bullet_list(section.bullets))
    if section.editable and presenting:
        if section.text.strip():
            st.markdown(plain_text(section.text))
        st.info(bullet_list(section.hints), icon="💡")
    if presenting:
        shown = [tb for tb in section.tables if tb.rows and tb.on_slide][:1]
    else:
        shown = [tb for tb in section.tables if tb.rows]
    mask_names = not presenting and auth.downloads_masked()  # the rule render_download_button applies
    for table in shown:
        st.markdown(f"**{escape_markdown(table.title)}**")
        display, export = table_frames(report, table, lang, mask_names=mask_names)
        if presenting:
            st.dataframe(display.head(10), hide_index=True, width="stretch")
        else:
            # render_download_table's own masking looks for internal column names: the masked copy is
            # made above, before the renaming; the button still says it is masked and records the export
            st.dataframe(display, width="stretch", hide_index=True)
            render_download_button(export, file_name=f"{report.period}_{table.key}.csv")

