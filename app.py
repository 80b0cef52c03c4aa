"""KAM Dashboard: the router. Page config, language switch, global filters, navigation over pages/."""

from __future__ import annotations

import logging
import os
import uuid
from pathlib import Path

import streamlit as st

from kam_app import auth, presenter
from kam_app.data import sales as loaders
from kam_app.data.cache import newer_schema_version
from kam_app.state import language, render_language_switch, render_sidebar_filters, t
from kam_app.theme import register_template
from kam_metrics.store.connection import SCHEMA_VERSION, DatabaseTooNew

ROOT = Path(__file__).resolve().parent
PAGE_ICONS = {"overview": ":material/dashboard:", "import": ":material/upload_file:", "records": ":material/contacts:",
              "churn": ":material/crisis_alert:", "report": ":material/slideshow:"}

st.set_page_config(page_title="KAM Dashboard · 大客户管理分析看板", page_icon="📊", layout="wide")
register_template()


def discover_pages() -> list[st.Page]:
    """Every ``pages/NN_name.py`` not starting with ``_``, titled from the i18n catalogue."""
    pages = []
    for index, path in enumerate(sorted((ROOT / "pages").glob("[!_]*.py"))):
        name = path.stem.split("_", 1)[1] if "_" in path.stem else path.stem
        pages.append(
            st.Page(
                str(path.relative_to(ROOT)),
                title=t(f"page.{name}"),
                icon=PAGE_ICONS.get(name),
                url_path=name,
                default=index == 0,
            )
        )
    return pages


def render_app() -> None:
    """Sign-in, the shell (language, filters, presenter mode) and the chosen page."""
    language()
    if not auth.gate():  # sign-in: nothing else runs until the session may see the app
        st.stop()
    navigation = st.navigation(discover_pages(), position="sidebar", expanded=True)
    render_language_switch()
    st.sidebar.markdown(f"**{t('app.title')}**  \n{t('app.subtitle')}")
    newer = newer_schema_version()
    if newer is not None:
        st.warning(t("db.too_new", found=newer, known=SCHEMA_VERSION), icon="🔒")
    context = loaders.load_context()
    if context and context["last"] is not None:
        render_sidebar_filters(context["last"], context["first"], context["segments"])
    presenter.render_toggle()  # presenter mode: hides the sidebar and chrome, larger type
    presenter.apply()
    navigation.run()


try:
    render_app()
except DatabaseTooNew as exc:  # a write refused on a newer version's file (pages only read it)
    st.error(t("db.too_new", found=exc.found, known=exc.known), icon="🔒")
except Exception:  # a message and an error id for the visitor, the details in the server log
    error_id = uuid.uuid4().hex[:8]
    logging.getLogger("kam_dashboard").exception("error %s while rendering the page", error_id)
    st.error(t("app.error", error_id=error_id), icon="⚠️")
    if os.environ.get("KAM_APP_RAISE"):  # the test suite sets it, so a page that fails fails its test
        raise
