"""Session state shared by every page: the language and the global filters of the sidebar.

``app.py`` renders the language switch and the filters once per rerun (so their widget state survives
page switches) and stores the resulting :class:`Filters`; pages read it with :func:`current_filters`.
"""

from __future__ import annotations

from datetime import date

import streamlit as st

from kam_metrics import i18n
from kam_metrics.domain.filters import ABC_CLASSES, PRESETS, TENURE_BANDS, Filters, preset_period

_FILTERS_KEY = "kam_filters"
_SEGMENT_WIDGETS = ("f_industry", "f_scale", "f_tenure", "f_region", "f_owner", "f_abc")


def language() -> str:
    """'zh' or 'en': the session's choice, first taken from ``?lang=`` in the address."""
    if "lang" not in st.session_state:
        st.session_state["lang"] = i18n.normalize_language(st.query_params.get("lang"))
    return st.session_state["lang"]


def t(key: str, **fields) -> str:
    """The catalogue text of ``key`` in the session's language."""
    return i18n.t(key, language(), **fields)


def render_language_switch() -> str:
    """The language radio in the sidebar; keeps ``?lang=`` in the address in step for shared links."""
    lang = language()
    st.sidebar.radio(
        i18n.t("lang.label", lang),
        options=list(i18n.LANGUAGES),
        format_func=lambda code: i18n.t(f"lang.{code}", code),
        key="lang",
        horizontal=True,
    )
    lang = st.session_state["lang"]
    if st.query_params.get("lang") != lang:
        st.query_params["lang"] = lang
    return lang


def _reset_segments() -> None:
    for key in _SEGMENT_WIDGETS:
        st.session_state[key] = []


def render_sidebar_filters(anchor: date, first: date, segment_values: dict[str, list[str]]) -> Filters:
    """The global filters of docs/pages.md; returns the Filters every page uses and stores it."""
    sb = st.sidebar
    sb.header(t("filter.header"))
    preset = sb.selectbox(
        t("filter.period"),
        options=list(PRESETS),
        format_func=lambda p: t(f"preset.{p}"),
        key="f_preset",
    )
    if preset == "custom":
        default = preset_period("this_quarter", anchor)
        picked = sb.date_input(
            t("filter.custom_range"),
            value=st.session_state.get("f_custom_value", default),
            min_value=min(first, default[0]),
            max_value=anchor,
            key="f_custom",
        )
        if isinstance(picked, (tuple, list)) and len(picked) == 2:
            start, end = picked
            st.session_state["f_custom_value"] = (start, end)
        else:  # the user has picked only the first day so far
            start, end = st.session_state.get("f_custom_value", default)
    else:
        start, end = preset_period(preset, anchor)
    compare = sb.radio(
        t("filter.compare"),
        options=["previous", "yoy"],
        format_func=lambda c: t(f"compare.{c}"),
        key="f_compare",
        horizontal=True,
    )
    sb.caption(t("filter.anchor", date=i18n.format_date(anchor, language())))

    def multi(label_key: str, options: list[str], key: str, format_func=str) -> tuple[str, ...]:
        chosen = sb.multiselect(
            t(label_key), options=options, format_func=format_func, key=key, placeholder=t("filter.all")
        )
        return tuple(chosen)

    filters = Filters(
        start=start,
        end=end,
        compare=compare,
        industries=multi("filter.industry", segment_values.get("industries", []), "f_industry"),
        scales=multi("filter.scale", segment_values.get("scales", []), "f_scale", lambda s: t(f"scale.{s}")),
        tenure_bands=multi("filter.tenure", list(TENURE_BANDS), "f_tenure", lambda b: t(f"tenure.{b}")),
        regions=multi("filter.region", segment_values.get("regions", []), "f_region"),
        owners=multi("filter.owner", segment_values.get("owners", []), "f_owner"),
        abc_classes=multi("filter.abc", list(ABC_CLASSES), "f_abc", lambda c: t(f"abc.{c}")),
    )
    if filters.has_segments:
        sb.button(t("filter.reset"), on_click=_reset_segments)
    st.session_state[_FILTERS_KEY] = filters
    return filters


def current_filters() -> Filters | None:
    """The Filters set by the sidebar in this rerun (None when there is no data to filter)."""
    return st.session_state.get(_FILTERS_KEY)


def ensure_router() -> None:
    """Make sure the page runs inside app.py's router.

    Until some session has called ``st.navigation``, Streamlit treats a ``pages/`` folder as a legacy
    multipage app: a first visit straight to ``/overview`` on a fresh server would run the page alone,
    without the sidebar, filters or language. Every page calls this first; in that case it switches
    Streamlit to the router and reruns, which runs app.py and then the requested page.
    """
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()
