"""The import page in a real browser: a GBK file with Chinese headers is mapped, previewed and committed,
the overview changes, and undo restores it."""

from __future__ import annotations

import pytest
from browser_support import (
    ARTIFACTS,
    CHROMIUM,
    SKIP_REASON,
    chromium,
    metric_value,
    open_page,
    screenshot,
    streamlit_server,
    wait_until_idle,
)

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason=SKIP_REASON)

# "结算款" is no known header: the user maps it to amount on the page
GBK_SALES = "订单号,客户编号,订单日期,产品,数量,结算款\nSO-TEST-1,C00001,2026/9/30,智能阀门,5,\"1,000万\"\n"


def choose(page, label: str, option: str) -> None:
    box = page.locator('[data-testid="stSelectbox"]').filter(has_text=label).first
    box.click()
    choice = page.get_by_role("option", name=option, exact=True)
    if not choice.is_visible():  # the list opened before the page settled: open it again
        page.keyboard.press("Escape")
        wait_until_idle(page)
        box.click()
    choice.click()
    wait_until_idle(page)


def test_gbk_upload_mapping_preview_commit_and_undo(tmp_path):
    from kam_metrics.demo.generator import build_demo_database

    db = tmp_path / "demo.duckdb"
    build_demo_database(db)
    upload = tmp_path / "销售明细.csv"
    upload.write_bytes(GBK_SALES.encode("gbk"))
    with streamlit_server(db, "streamlit_import.log") as base, chromium() as browser:
        overview = open_page(browser, base + "/?lang=zh")
        before = metric_value(overview, "销售额")
        assert before == "¥2.30亿"
        overview.close()

        page = open_page(browser, base + "/import?lang=zh")
        choose(page, "导入到哪张表", "销售 · sales")
        page.locator('input[type="file"]').set_input_files(str(upload))
        wait_until_idle(page)
        screenshot(page, ARTIFACTS / "import_mapping_zh.png")
        # the problem table is a canvas grid, so check the banner and the disabled commit button
        assert page.get_by_text("发现 1 个问题,修正后才能导入").first.is_visible()
        assert page.get_by_role("button", name="确认导入 0 行").is_disabled()
        choose(page, "结算款", "销售额 (amount)")  # targets in the user's language, with the name --map uses
        commit = page.get_by_role("button", name="确认导入 1 行")
        commit.wait_for(timeout=120_000)  # generous: the suite runs in 2 workers on 2 cores
        assert commit.is_enabled()
        screenshot(page, ARTIFACTS / "import_preview_zh.png")
        commit.click()
        page.get_by_text("导入完成").first.wait_for(timeout=120_000)
        wait_until_idle(page)
        page.close()

        overview = open_page(browser, base + "/?lang=zh")
        assert metric_value(overview, "销售额") == "¥2.40亿"  # + 1,000万 on 2026-09-30, in this quarter
        overview.close()

        page = open_page(browser, base + "/import?lang=zh")
        page.get_by_role("button", name="撤销导入").click()
        page.get_by_text("已撤销导入").first.wait_for(timeout=120_000)
        wait_until_idle(page)
        assert page.locator('[data-testid="stException"]').count() == 0
        page.close()

        overview = open_page(browser, base + "/?lang=zh")
        assert metric_value(overview, "销售额") == before
        overview.close()


# row 3 has an amount no export should hold: with "skip invalid rows" the other row gets in
TWO_ROWS_ONE_BAD = "订单号,客户编号,订单日期,产品,数量,销售额\nSO-TEST-2,C00001,2026/9/30,智能阀门,5,1200\nSO-TEST-3,C00001,2026/9/30,智能阀门,1,NaN\n"


def test_skip_invalid_rows_imports_the_rest_and_keeps_the_skipped_ones(tmp_path):
    from kam_metrics.demo.generator import build_demo_database

    db = tmp_path / "demo.duckdb"
    build_demo_database(db)
    upload = tmp_path / "销售明细.csv"
    upload.write_bytes(TWO_ROWS_ONE_BAD.encode("utf-8"))
    with streamlit_server(db, "streamlit_import_skip.log") as base, chromium() as browser:
        page = open_page(browser, base + "/import?lang=zh")
        choose(page, "导入到哪张表", "销售 · sales")
        page.locator('input[type="file"]').set_input_files(str(upload))
        wait_until_idle(page)
        assert page.get_by_text("发现 1 个问题,修正后才能导入").first.is_visible()
        page.get_by_text("跳过有问题的行", exact=False).first.click()
        page.get_by_text("将导入 1 行,跳过 1 行有问题的行。").first.wait_for(timeout=120_000)
        assert page.get_by_role("button", name="下载跳过的行(CSV)").first.is_visible()
        screenshot(page, ARTIFACTS / "import_skip_invalid_zh.png")
        page.get_by_role("button", name="确认导入 1 行").click()
        page.get_by_text("跳过了 1 行有问题的行").first.wait_for(timeout=120_000)
        wait_until_idle(page)
        assert page.get_by_text("下载哪一次导入跳过的行").first.is_visible()
        assert page.locator('[data-testid="stException"]').count() == 0
        page.close()


def two_sheet_workbook(path) -> None:
    """A CRM export as offices keep it: a notes sheet first, then the opportunities, whose stages are the
    CRM's own ("Stalled" is none of ours) and one of whose amounts is negative."""
    import openpyxl

    book = openpyxl.Workbook()
    notes = book.active
    notes.title = "说明"
    notes.append(["导出时间", "2026-10-01"])
    data = book.create_sheet("商机")
    data.append(["Opportunity ID", "Account ID", "Stage", "Amount", "Created Date"])
    data.append(["OPP-T1", "C00001", "Closed Won", 1000, "2026-09-01"])
    data.append(["OPP-T2", "C00001", "Stalled", 2000, "2026-09-02"])
    data.append(["OPP-T3", "C00002", "Prospecting", -5, "2026-09-03"])
    book.save(path)


def test_workbook_sheet_choice_recoding_skip_invalid_commit_and_undo(tmp_path):
    from kam_metrics.demo.generator import build_demo_database

    db = tmp_path / "demo.duckdb"
    build_demo_database(db)
    upload = tmp_path / "crm_export.xlsx"
    two_sheet_workbook(upload)
    with streamlit_server(db, "streamlit_import_xlsx.log") as base, chromium() as browser:
        page = open_page(browser, base + "/import?lang=zh")
        choose(page, "导入到哪张表", "商机 · opportunities")
        page.locator('input[type="file"]').set_input_files(str(upload))
        wait_until_idle(page)
        # the largest sheet is proposed, with the row counts of both
        page.get_by_text("Stalled", exact=False).first.wait_for(timeout=120_000)  # the data sheet was read
        sheet = page.locator('[data-testid="stSelectbox"]').filter(has_text="工作表").first
        sheet.click()
        assert page.get_by_role("option", name="说明(1 行)").is_visible()
        page.get_by_role("option", name="商机(4 行)").click()
        wait_until_idle(page)
        # "Stalled" needs a code: the value mapping offers the stages
        page.get_by_text("取值对应", exact=True).first.wait_for(timeout=120_000)
        page.locator('[data-testid="stSelectbox"]').filter(has_text="stage · Stalled").first.wait_for(timeout=120_000)
        wait_until_idle(page)
        choose(page, "stage · Stalled", "lost · 丢单")
        wait_until_idle(page)  # a loaded machine may still be rerunning the page: the button comes back
        page.get_by_role("button", name="应用取值对应").click(timeout=120_000)
        wait_until_idle(page)
        page.get_by_text("发现 1 个问题,修正后才能导入").first.wait_for(timeout=120_000)  # the negative amount
        page.get_by_text("跳过有问题的行", exact=False).first.click()
        page.get_by_text("将导入 2 行,跳过 1 行有问题的行。").first.wait_for(timeout=120_000)
        assert page.get_by_text("Stalled → lost (1)", exact=False).first.is_visible()
        screenshot(page, ARTIFACTS / "import_workbook_recode_zh.png")
        page.get_by_role("button", name="确认导入 2 行").click()
        page.get_by_text("跳过了 1 行有问题的行").first.wait_for(timeout=120_000)
        wait_until_idle(page)
        page.close()

        import duckdb

        with duckdb.connect(str(db), read_only=True) as con:
            assert con.execute("select opportunity_id, stage from opportunities where opportunity_id like 'OPP-T%' "
                               "order by 1").fetchall() == [("OPP-T1", "won"), ("OPP-T2", "lost")]

        page = open_page(browser, base + "/import?lang=zh")
        page.get_by_role("button", name="撤销导入").click()
        page.get_by_text("已撤销导入").first.wait_for(timeout=120_000)
        wait_until_idle(page)
        assert page.locator('[data-testid="stException"]').count() == 0
        page.close()
        with duckdb.connect(str(db), read_only=True) as con:
            assert con.execute("select count(*) from opportunities where opportunity_id like 'OPP-T%'").fetchall() == [(0,)]
