"""Layout pieces shared by pages: KPI cards, charts with an empty state, downloadable tables."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from kam_app.state import t


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


def render_download_table(frame: pd.DataFrame, *, file_name: str, column_config: dict | None = None) -> None:
    """A table with a CSV download (UTF-8 with BOM so Excel on Chinese Windows opens it correctly)."""
    st.dataframe(frame, width="stretch", hide_index=True, column_config=column_config)
    st.download_button(
        t("download.csv"),
        data=frame.to_csv(index=False).encode("utf-8-sig"),
        file_name=file_name,
        mime="text/csv",
        icon=":material/download:",
    )
