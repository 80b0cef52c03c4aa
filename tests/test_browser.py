"""Browser smoke test: a real `streamlit run` server, Debian's Chromium driven by Playwright.

Opens every page, asserts that no exception box is shown, switches to English and sees English labels,
and saves screenshots to tests/artifacts/ (git-ignored).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = Path("/usr/bin/chromium")
PAGES = sorted(p.stem.split("_", 1)[1] for p in (ROOT / "pages").glob("[!_]*.py"))
# app.py makes the first page the default one, served at "/"; the others at "/<name>"
FIRST_PAGE = sorted((ROOT / "pages").glob("[!_]*.py"))[0].stem.split("_", 1)[1]


def page_url(base: str, name: str, lang: str) -> str:
    return f"{base}/{'' if name == FIRST_PAGE else name}?lang={lang}"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="Debian's chromium is not installed (make test installs it as root)"
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory) -> Path:
    from kam_metrics.demo import build_demo_database

    path = tmp_path_factory.mktemp("browser") / "demo.duckdb"
    build_demo_database(path)  # the default demo, as `make run` shows it
    return path


@pytest.fixture(scope="module")
def server(demo_db):
    port = free_port()
    env = {**os.environ, "KAM_DB": str(demo_db)}
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    log = open(ARTIFACTS / "streamlit.log", "w")
    process = subprocess.Popen(
        [
            sys.executable, "-m", "streamlit", "run", "app.py",
            "--server.port", str(port), "--server.address", "127.0.0.1", "--server.headless", "true",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(base + "/_stcore/health", timeout=2) as response:
                if response.read().strip() == b"ok":
                    break
        except OSError:
            time.sleep(0.5)
    else:
        process.kill()
        pytest.fail("streamlit did not answer on /_stcore/health within 90 s; see tests/artifacts/streamlit.log")
    yield base
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
    log.close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def open_page(browser, url: str):
    page = browser.new_page(viewport={"width": 1600, "height": 1000}, locale="zh-CN")
    page.goto(url, wait_until="networkidle")
    page.wait_for_selector('[data-testid="stApp"]', timeout=60_000)
    wait_until_idle(page)
    return page


IDLE_JS = """() => document.querySelector('h1')
    && !document.querySelector('[data-testid="stSkeleton"]')
    && !document.querySelector('[data-testid="stStatusWidget"]')"""


def wait_until_idle(page) -> None:
    """Wait until the script has finished: a title, no loading skeleton, no 'running' indicator, twice
    over a short pause (a rerun can start right after the first one ends)."""
    for _ in range(2):
        page.wait_for_function(IDLE_JS, timeout=90_000)
        page.wait_for_timeout(1000)


def screenshot(page, path: Path) -> None:
    """The whole page: Streamlit scrolls inside its own container, so fit the viewport to the content."""
    height = page.evaluate(
        "() => document.querySelector('[data-testid=\"stMainBlockContainer\"]').scrollHeight"
    )
    page.set_viewport_size({"width": 1600, "height": max(900, int(height) + 120)})
    page.wait_for_timeout(1000)
    page.screenshot(path=str(path))


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
        heading = page.locator("h1").first.inner_text()
        if lang == "en":
            assert heading.isascii(), f"English page shows a Chinese heading: {heading}"
        else:
            assert not heading.isascii(), f"Chinese page shows an English heading: {heading}"
    finally:
        page.close()


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
