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

# "成交金额" is no known header: the user maps it to amount on the page
GBK_SALES = "订单号,客户编号,订单日期,产品,数量,成交金额\nSO-TEST-1,C00001,2026/9/30,智能阀门,5,\"1,000万\"\n"


def choose(page, label: str, option: str) -> None:
    box = page.locator('[data-testid="stSelectbox"]').filter(has_text=label).first
    box.click()
    page.get_by_role("option", name=option, exact=True).click()
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
        choose(page, "成交金额", "amount")
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
