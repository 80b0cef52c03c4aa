"""Running the real app under Streamlit's AppTest against a given database file."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]


def run_app(monkeypatch, db: Path, page: str | None = None, lang: str | None = None) -> AppTest:
    """app.py with KAM_DB=db, optionally ?lang=, switched to ``page`` (e.g. "pages/01_overview.py")."""
    monkeypatch.setenv("KAM_DB", str(db))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    if lang:
        at.query_params["lang"] = lang
    at.run()
    if page:
        at.switch_page(page)
        at.run()
    return at
