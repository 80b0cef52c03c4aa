"""Helpers of the browser tests: a real `streamlit run` server on a free port and Debian's Chromium."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = Path("/usr/bin/chromium")
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
SKIP_REASON = "Debian's chromium is not installed (make test installs it as root)"
IDLE_JS = """() => document.querySelector('h1')
    && !document.querySelector('[data-testid="stSkeleton"]')
    && !document.querySelector('[data-testid="stStatusWidget"]')"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def streamlit_server(db: Path, log_name: str):
    """`streamlit run app.py` with KAM_DB=db on a free port; yields its base URL."""
    port = free_port()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with open(ARTIFACTS / log_name, "w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
             "--server.address", "127.0.0.1", "--server.headless", "true"],
            cwd=ROOT, env={**os.environ, "KAM_DB": str(db)}, stdout=log, stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 90
            while True:
                try:
                    with urllib.request.urlopen(base + "/_stcore/health", timeout=2) as response:
                        if response.read().strip() == b"ok":
                            break
                except OSError:
                    if time.monotonic() > deadline:
                        raise RuntimeError(f"streamlit did not start; see tests/artifacts/{log_name}") from None
                    time.sleep(0.5)
            yield base
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


@contextmanager
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def wait_until_idle(page) -> None:
    """Wait until the script has finished: a title, no loading skeleton, no 'running' indicator, twice
    over a short pause (a rerun can start right after the first one ends)."""
    for _ in range(2):
        page.wait_for_function(IDLE_JS, timeout=90_000)
        page.wait_for_timeout(1000)


def open_page(browser, url: str):
    page = browser.new_page(viewport={"width": 1600, "height": 1000}, locale="zh-CN")
    page.goto(url, wait_until="networkidle")
    page.wait_for_selector('[data-testid="stApp"]', timeout=60_000)
    wait_until_idle(page)
    return page


def screenshot(page, path: Path) -> None:
    """The whole page: Streamlit scrolls inside its own container, so fit the viewport to the content."""
    height = page.evaluate("""() => document.querySelector('[data-testid="stMainBlockContainer"]').scrollHeight""")
    page.set_viewport_size({"width": 1600, "height": max(900, int(height) + 120)})
    page.wait_for_timeout(1000)
    page.screenshot(path=str(path))


def metric_value(page, label: str) -> str:
    """The value shown on the KPI card labelled ``label``."""
    card = page.locator('[data-testid="stMetric"]').filter(has_text=label).first
    return card.locator('[data-testid="stMetricValue"]').inner_text().strip()
