"""Browser smoke test: a real `streamlit run` server, Debian's Chromium driven by Playwright.

Opens every page, asserts that no exception box is shown, switches to English and sees English labels,
and saves screenshots to tests/artifacts/ (git-ignored).
"""

from __future__ import annotations

import pytest
from browser_support import (
    ARTIFACTS,
    CHROMIUM,
    ROOT,
    SKIP_REASON,
    chromium,
    open_page,
    screenshot,
    streamlit_server,
    wait_until_idle,
)

PAGES = sorted(p.stem.split("_", 1)[1] for p in (ROOT / "pages").glob("[!_]*.py"))
# app.py makes the first page the default one, served at "/"; the others at "/<name>"
FIRST_PAGE = sorted((ROOT / "pages").glob("[!_]*.py"))[0].stem.split("_", 1)[1]

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason=SKIP_REASON)


def page_url(base: str, name: str, lang: str) -> str:
    return f"{base}/{'' if name == FIRST_PAGE else name}?lang={lang}"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from kam_metrics.demo.generator import build_demo_database

    path = tmp_path_factory.mktemp("browser") / "demo.duckdb"
    build_demo_database(path)  # the default demo, as `make run` shows it
    with streamlit_server(path, "streamlit.log") as base:
        yield base


@pytest.fixture(scope="module")
def browser():
    with chromium() as launched:
        yield launched


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_page_renders_without_exception(server, browser, name, lang):
    page = open_page(browser, page_url(server, name, lang))
    try:
        screenshot(page, ARTIFACTS / f"{name}_{lang}.png")
        assert page.locator('[data-testid="stException"]').count() == 0, page.locator(
            '[data-testid="stException"]'
        ).first.inner_text()
        if name == "overview":
            assert page.locator('[data-testid="stMetric"]').count() == 7
        if lang == "zh":
            assert_tables_offer_no_export(page)
        heading = page.locator("h1").first.inner_text()
        if lang == "en":
            assert heading.isascii(), f"English page shows a Chinese heading: {heading}"
        else:
            assert not heading.isascii(), f"Chinese page shows an English heading: {heading}"
    finally:
        page.close()


def assert_tables_offer_no_export(page) -> None:
    """The tables' own toolbar has no "Download as CSV" (it would hand out unmasked names and live formulas
    without an audit entry); their search button shows that the toolbar itself is there."""
    tables = page.locator('[data-testid="stDataFrame"]')
    shown = [tables.nth(i) for i in range(tables.count()) if tables.nth(i).is_visible()]  # not those in closed tabs
    for table in shown[:3]:
        table.scroll_into_view_if_needed()
        table.hover()
        toolbar = page.locator('[data-testid="stElementToolbar"]').filter(has=page.locator('button[aria-label="Search"]'))
        toolbar.first.wait_for(state="visible", timeout=10_000)
        assert page.locator('button[aria-label="Download as CSV"]').count() == 0


def test_switching_language_in_the_sidebar_shows_english_labels(server, browser):
    page = open_page(browser, server)
    try:
        assert page.get_by_text("销售额", exact=True).first.is_visible()
        page.get_by_text("English", exact=True).first.click()
        page.wait_for_function("() => document.body.innerText.includes('Key-account overview')", timeout=60_000)
        wait_until_idle(page)
        assert page.get_by_text("Revenue", exact=True).first.is_visible()
        assert page.get_by_text("Target completion", exact=True).first.is_visible()
        assert "lang=en" in page.url
        assert page.locator('[data-testid="stException"]').count() == 0
    finally:
        page.close()
