"""AppTest of the 汇报 Review report page: the figures shown are the kam_metrics figures, edits are
saved with the report and reopen, masking hides every account name, presenter mode pages the sections."""

from __future__ import annotations

from datetime import date

from app_support import run_app

from kam_metrics.domain.filters import Filters
from kam_metrics.i18n import format_money, format_percent
from kam_metrics.metrics.kpi import compute_kpis
from kam_metrics.report import build as reports
from kam_metrics.report import store as report_store
from kam_metrics.store.connection import open_db

Q2 = Filters(start=date(2025, 4, 1), end=date(2025, 6, 30))
PAGE = "pages/11_report.py"


def _ok(at) -> None:
    assert not at.exception, [e.value for e in at.exception]


def test_report_page_shows_kam_metrics_figures_saves_edits_and_masks(monkeypatch, hand_db):
    with open_db(hand_db, read_only=True) as con:
        kpis = compute_kpis(con, Q2)
        names = [n for (n,) in con.execute("select account_name from accounts").fetchall()]
    at = run_app(monkeypatch, hand_db, PAGE)
    _ok(at)
    cards = {m.label: m.value for m in at.metric}
    assert cards["销售额"] == format_money(kpis["revenue"], "zh") == "¥3,050"
    assert cards["目标完成率"] == format_percent(kpis["target_completion"]) == "101.7%"  # 3050 / 3000
    markdown = " ".join(m.value for m in at.markdown)
    assert "甲机械有限公司" in markdown  # the largest account, by name, before masking
    assert len(at.text_area) == 4  # sections 5-8

    # edit section 5 and save: a saved report holding the text, reopened on the page
    at.text_area[0].input("预算审批慢是主因").run()
    _ok(at)
    next(b for b in at.button if b.label == "保存汇报").click().run()
    _ok(at)
    with open_db(hand_db, read_only=True) as con:
        saved = report_store.load_saved_reports(con)
        assert len(saved) == 1
        body = report_store.load_saved_report(con, int(saved["report_id"][0]))["sections"]["causes"]
    assert body == "预算审批慢是主因"
    assert any("已保存为汇报" in s.value for s in at.success)
    assert at.text_area[0].value == "预算审批慢是主因"  # the reopened report's text

    # masking: no account name anywhere on the page
    at.toggle(key="report_mask").set_value(True).run()
    _ok(at)
    shown = " ".join([m.value for m in at.markdown] + [str(d.value.to_dict()) for d in at.dataframe]
                     + [i.value for i in at.info])
    assert not [n for n in names if n in shown]
    assert "客户A" in shown


def test_presenter_mode_pages_through_the_sections(monkeypatch, hand_db):
    at = run_app(monkeypatch, hand_db, PAGE)
    _ok(at)
    at.toggle(key="presenter_mode").set_value(True).run()
    _ok(at)
    headings = [m.value for m in at.markdown if m.value.startswith("##### ")]
    assert headings == ["##### 1 汇报目标与范围"]  # one section at a time
    assert any("第 1 / 16 页" in m.value for m in at.markdown)
    at.button(key="presenter_next").click().run()
    _ok(at)
    assert [m.value for m in at.markdown if m.value.startswith("##### ")] == ["##### 2 大客户名单及分类"]
    at.button(key="presenter_exit").click().run()
    _ok(at)
    assert len([m for m in at.markdown if m.value.startswith("##### ")]) == 16


def test_a_viewer_reads_the_report_but_cannot_edit_and_exports_masked(monkeypatch, hand_db):
    """Signed in as a viewer:
    no text to edit, no save button, and the exports are masked (export_unmasked needs an editor)."""
    from app_support import ROOT
    from streamlit.testing.v1 import AppTest

    from kam_app.auth import SESSION_KEY
    from kam_metrics.access import users as access_users
    from kam_metrics.access.policy import Actor

    with open_db(hand_db) as con:
        access_users.add_user(con, Actor("root-admin", "admin"), "vera", "viewer", "correct horse battery")
    monkeypatch.setenv("KAM_DB", str(hand_db))
    at = AppTest.from_file(str(ROOT / PAGE), default_timeout=90)
    at.session_state[SESSION_KEY] = {"name": "vera", "source": "local"}
    at.session_state["kam_filters"] = Q2  # what the sidebar would have set
    at.run()
    _ok(at)
    assert {m.label: m.value for m in at.metric}["销售额"] == "¥3,050"
    assert len(at.text_area) == 0
    assert "保存汇报" not in [b.label for b in at.button]
    downloads = [e.proto.label for e in at.get("download_button")]
    assert [label.split("(")[0] for label in downloads[:3]] == ["下载 PowerPoint", "下载 HTML", "下载 Excel"]
    assert all("客户名称已脱敏" in label for label in downloads), downloads  # the tables' CSVs too


def _keep_media(monkeypatch) -> list:
    """The in-memory media stores AppTest creates for each run (it drops its mock runtime afterwards):
    st.download_button with bytes puts the file there and the button carries its URL."""
    from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
    from streamlit.testing.v1 import app_test

    stores: list = []

    class Kept(MemoryMediaFileStorage):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            stores.append(self)

    monkeypatch.setattr(app_test, "MemoryMediaFileStorage", Kept)
    return stores


def _csv_downloads(at, stores: list) -> dict[str, str]:
    """{file name: text} of every CSV download button of the last run."""
    out = {}
    for element in at.get("download_button"):
        url = element.proto.url
        if url.endswith(".csv"):
            media = stores[-1].get_file(url.rsplit("/", 1)[-1])
            out[media.filename] = bytes(media.content).decode("utf-8-sig")
    return out


def test_a_viewers_table_downloads_on_the_report_page_hold_no_account_name(monkeypatch, hand_db):
    """The tables' CSVs were renamed to their display labels before render_download_table, whose masking
    looks for the column account_name: a viewer downloaded every customer name. Now masked first."""
    from app_support import ROOT
    from streamlit.testing.v1 import AppTest

    from kam_app.auth import SESSION_KEY
    from kam_metrics.access import users as access_users
    from kam_metrics.access.policy import Actor

    with open_db(hand_db) as con:
        access_users.add_user(con, Actor("root-admin", "admin"), "vera", "viewer", "correct horse battery")
        names = [n for (n,) in con.execute("select account_name from accounts").fetchall()]
    monkeypatch.setenv("KAM_DB", str(hand_db))
    stores = _keep_media(monkeypatch)
    at = AppTest.from_file(str(ROOT / PAGE), default_timeout=90)
    at.session_state[SESSION_KEY] = {"name": "vera", "source": "local"}
    at.session_state["kam_filters"] = Q2
    at.run()
    _ok(at)
    # the names are on the screen (a viewer may read the report) ...
    assert "甲机械有限公司" in " ".join(m.value for m in at.markdown)
    csvs = _csv_downloads(at, stores)
    # ... but in no CSV: the key accounts (A1, A2), the top accounts, ... each as "甲***" instead
    assert "2025Q2_key_accounts.csv" in csvs and "2025Q2_top_accounts.csv" in csvs, sorted(csvs)
    assert "甲***" in csvs["2025Q2_key_accounts.csv"]
    leaked = {file: [n for n in names if n in text] for file, text in csvs.items()}
    assert not any(leaked.values()), leaked


HOSTILE = "![x](http://127.0.0.1:9/p.png)"


def test_names_and_notes_from_the_data_are_escaped_on_the_page(monkeypatch, hand_db):
    """An account name or a project's issue note holding markdown is shown as text: no image is fetched."""
    from kam_metrics.access.policy import escape_markdown

    with open_db(hand_db) as con:
        con.execute("update accounts set account_name = ? where account_id = 'A1'", [f"甲{HOSTILE}"])
        con.execute(
            "insert into projects (project_id, account_id, project_name, status, start_date, planned_end, forecast_end, "
            "progress_pct, issue_note) values ('P3', 'A2', '数据平台', 'blocked', DATE '2025-02-01', DATE '2025-08-31', "
            "DATE '2025-09-30', 40, ?)", [HOSTILE])
    escaped = escape_markdown(HOSTILE)
    assert escaped == r"\!\[x\]\(http\://127\.0\.0\.1\:9/p\.png\)"
    at = run_app(monkeypatch, hand_db, PAGE)
    _ok(at)

    def texts() -> list[str]:
        return [m.value for m in at.markdown] + [c.value for c in at.caption] + [i.value for i in at.info]

    def raw(values: list[str]) -> list[str]:
        return [v for v in values if "](http" in v.replace(r"\]\(http", "")]

    shown = texts()
    assert not raw(shown), raw(shown)
    # A1 leads the top 10 (2300): its name is in the section title and bullets, escaped
    assert any(f"甲{escaped}" in v for v in shown)
    # the blocked project's note is a hint of section 5, beside its editor
    assert any("数据平台" in v and escaped in v for v in shown)
    # read-only view (as a viewer sees it, here through the masking switch): the hints in st.info
    at.toggle(key="report_mask").set_value(True).run()
    _ok(at)
    shown = texts()
    assert not raw(shown), raw(shown)
    assert any("数据平台" in v and escaped in v for v in [i.value for i in at.info])


def test_a_reopened_report_warns_when_the_data_changed_since_it_was_saved(monkeypatch, hand_db, tmp_path):
    from kam_metrics.ingest.stage import import_file

    with open_db(hand_db) as con:
        rid = report_store.save_report(con, reports.build_report(con, Q2, "zh"))
    at = run_app(monkeypatch, hand_db, PAGE)
    at.selectbox(key="report_saved").set_value(rid).run()
    _ok(at)
    assert not [w for w in at.warning if "数据已有变化" in w.value]  # nothing changed yet
    extra = tmp_path / "more.csv"
    extra.write_text("order_id,account_id,order_date,quantity,amount\nX1,A1,2025-05-10,1,700\n", encoding="utf-8")
    staged, record = import_file(hand_db, extra, "sales")
    assert record is not None, staged.problem_rows("en")
    at = run_app(monkeypatch, hand_db, PAGE)
    at.selectbox(key="report_saved").set_value(rid).run()
    _ok(at)
    assert [w for w in at.warning if "数据已有变化" in w.value]
    assert {m.label: m.value for m in at.metric}["销售额"] == "¥3,750"  # today's figures: 3050 + 700
