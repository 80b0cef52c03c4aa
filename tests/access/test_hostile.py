"""Hostile content: names, notes and headers holding HTML, script or markdown are shown as text;
exported cells that a spreadsheet would run as formulas are neutralised (and masked for viewers); an
uploaded file's name is a label, never a path."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from kam_metrics.access.export_safety import neutralise_frame
from kam_metrics.access.masking import mask_frame
from kam_metrics.access.policy import escape_markdown, safe_file_name
from kam_metrics.store.connection import open_db

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = "<script>alert('name')</script>"
IMG = "<img src=x onerror=alert('industry')>"
MARKDOWN = "![pixel](http://127.0.0.1:9/track.png) [click](javascript:alert(1)) :red[big] $x^2$"


@pytest.fixture()
def hostile_db(hand_db: Path) -> Path:
    with open_db(hand_db) as con:
        con.execute("update accounts set account_name = ?, industry = ?, owner = ?, group_name = ? where account_id = 'A1'",
                    [SCRIPT, IMG, MARKDOWN, "=HYPERLINK(\"http://evil\",\"x\")"])
    return hand_db


def test_escape_markdown_leaves_no_markup_active():
    escaped = escape_markdown(SCRIPT + "\n# title " + MARKDOWN)
    for escaped_form in ("\\<script\\>", "\\!\\[pixel\\]", "\\[click\\]\\(", "\\:red\\[", "\\$x", "\\#"):
        assert escaped_form in escaped
    assert "\n" not in escaped
    assert escaped.replace("\\", "") == (SCRIPT + "\n# title " + MARKDOWN).replace("\n", " ")  # the same text


def test_account_360_shows_hostile_profile_fields_as_text(monkeypatch, hostile_db):
    monkeypatch.setenv("KAM_DB", str(hostile_db))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.query_params["account"] = "A1"
    at.run()
    at.switch_page("pages/04_account_360.py").run()
    assert not at.exception, [e.value for e in at.exception]
    html_fields = [m.value for m in at.markdown if "font-size:1.25rem" in m.value]
    industry = next(v for v in html_fields if "onerror" in v)
    assert "\\<img src=x onerror=alert\\('industry'\\)\\>" in industry and "<img" not in industry.replace("\\<img", "")
    owner = next(v for v in html_fields if "pixel" in v)
    assert "![pixel](" not in owner and "\\!\\[pixel\\]" in owner  # no image, no link, no colour
    subheader = at.subheader[0].value
    assert "<script>" not in subheader and "\\<script\\>" in subheader


def test_import_page_takes_file_name_as_a_label_and_escapes_headers(monkeypatch, hand_db, tmp_path):
    """A single-user upload named like a path, with headers holding markup: nothing lands at that path,
    the name is recorded as its last component, the headers appear escaped."""
    monkeypatch.setenv("KAM_DB", str(hand_db))
    monkeypatch.chdir(tmp_path)
    at = AppTest.from_file(str(ROOT / "pages/12_import.py"), default_timeout=90)
    at.run()
    at.selectbox(key="imp_table").set_value("accounts").run()
    name = "../../../tmp/evil_dir/../x/<b>owned</b>.csv"
    body = "客户编号,客户名称,<script>alert(1)</script>\nA8,庚公司,1\n".encode()
    at.get("file_uploader")[0].upload(name, body, "text/csv")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    notices = " ".join(i.value for i in at.info)
    assert "\\<script\\>alert" in notices and "<script>" not in notices  # "Columns not imported: ..." escaped
    labels = [s.label for s in at.selectbox]
    assert any("\\<script\\>" in label for label in labels) and not any("<script>" in label for label in labels)
    at.button(key="imp_commit").click().run()
    assert not at.exception, [e.value for e in at.exception]
    with open_db(hand_db) as con:
        # the last component after any slash, "</b>" included: a label that can never name a directory
        assert con.execute("select file_name from imports").fetchall() == [("b>.csv",)]
    assert not Path("/tmp/evil_dir").exists() and not (tmp_path / "x").exists()
    assert not any("owned" in str(p) or p.name == "b>.csv" for p in tmp_path.rglob("*"))


@pytest.mark.parametrize(
    "name, expected",
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\a\\销售.xlsx", "销售.xlsx"),
        ("/abs/path/x.csv", "x.csv"),
        ("bad\x00name\r\n.csv", "badname.csv"),
        ("", "upload"),
        ("..", ".."),  # a label, never joined to a path
    ],
)
def test_safe_file_name(name, expected):
    assert safe_file_name(name) == expected


def test_viewer_export_is_masked_then_neutralised():
    """What render_download_table writes for a viewer: masked names, then no cell a spreadsheet runs."""
    frame = pd.DataFrame({
        "account_id": ["A1", "@SUM(1)"], "account_name": ["=cmd|' /C calc'!A0", "甲公司"],
        "note": ["+1-2", "-x"], "revenue": [-5.0, 3.0],
    })
    out = neutralise_frame(mask_frame(frame))
    assert out["account_name"].tolist() == ["'=***", "甲***"]
    assert out["account_id"].tolist() == ["A1", "'@SUM(1)"]
    assert out["note"].tolist() == ["'+1-2", "'-x"]
    assert out["revenue"].tolist() == [-5.0, 3.0]  # numbers stay numbers
    csv = out.to_csv(index=False)
    assert not any(line.split(",")[1].startswith(("=", "+", "-", "@")) for line in csv.splitlines()[1:])


# --- in a real browser: nothing runs ---------------------------------------------------------------

CHROMIUM = Path("/usr/bin/chromium")


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed (make test installs it as root)")
def test_hostile_names_run_nothing_in_a_browser(hostile_db):
    from browser_support import ARTIFACTS, chromium, screenshot, streamlit_server, wait_until_idle

    with streamlit_server(hostile_db, "streamlit_hostile.log") as base, chromium() as browser:
        dialogs: list[str] = []
        requests: list[str] = []
        for path in ("/account_360?account=A1&lang=zh", "/records?lang=en"):
            page = browser.new_page(viewport={"width": 1600, "height": 1000}, locale="zh-CN")
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            page.on("request", lambda r: requests.append(r.url))
            page.goto(base + path, wait_until="networkidle")
            page.wait_for_selector('[data-testid="stApp"]', timeout=60_000)
            wait_until_idle(page)
            text = page.locator('[data-testid="stMain"]').inner_text()
            if "account_360" in path:
                assert SCRIPT in text and IMG in text  # shown as text
                screenshot(page, ARTIFACTS / "hostile_account_360.png")
            assert page.locator("img[src='x']").count() == 0 and page.locator("img[alt='pixel']").count() == 0
            assert page.locator("a[href^='javascript']").count() == 0
            page.close()
        assert dialogs == []
        assert not any("track.png" in url for url in requests)


def test_filter_values_from_the_data_are_escaped_in_the_period_caption(monkeypatch, hostile_db):
    """Owner and industry names are data; the caption naming the active filters renders markdown."""
    from kam_metrics.domain.filters import Filters

    monkeypatch.setenv("KAM_DB", str(hostile_db))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.run()
    at.sidebar.multiselect(key="f_owner").set_value([MARKDOWN]).run()
    assert not at.exception, [e.value for e in at.exception]
    filters = at.session_state["kam_filters"]
    assert isinstance(filters, Filters) and filters.owners == (MARKDOWN,)
    caption = next(c.value for c in at.caption if "pixel" in c.value)
    assert "![pixel](" not in caption and "\\!\\[pixel\\]" in caption
