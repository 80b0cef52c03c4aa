"""The review report: the model, the three exports, saving, since-last-review, actions, masking,
formula injection and the ``report`` command. The expected figures are computed here through the
kam_metrics functions on the hand-typed rows (tests/conftest.py), not typed in; where a value is typed,
the comment shows the arithmetic."""

from __future__ import annotations

import html
import io
import json
import zipfile
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pptx import Presentation

from kam_metrics.cli.main import main
from kam_metrics.domain.filters import Filters
from kam_metrics.report import build as reports
from kam_metrics.report import data as report_data
from kam_metrics.report import masking as report_masking
from kam_metrics.report import model as report_model
from kam_metrics.report import store as report_store
from kam_metrics.store.connection import open_db

Q1 = Filters(start=date(2025, 1, 1), end=date(2025, 3, 31))
Q2 = Filters(start=date(2025, 4, 1), end=date(2025, 6, 30))

PROJECTS = [
    # project_id, account_id, project_name, status, start_date, planned_end, forecast_end, actual_end, progress_pct,
    # contract_value, feedback_score, issue_note
    ("P1", "A1", "产线改造", "completed", date(2025, 1, 1), date(2025, 3, 31), None, date(2025, 3, 20), 100, 100.0, 5.0, None),
    ("P2", "A2", "仓储系统", "completed", date(2025, 1, 1), date(2025, 4, 30), None, date(2025, 5, 10), 100, 200.0, 3.0, None),
    ("P3", "A1", "数据平台", "blocked", date(2025, 2, 1), date(2025, 8, 31), date(2025, 9, 30), None, 40, None, None, "接口问题"),
]
INTERACTIONS = [
    ("T1", "A1", "complaint", "2025-04-01 08:00", "2025-04-01 10:00", "2025-04-02 08:00"),
    ("T2", "A2", "complaint", "2025-05-10 12:00", None, None),
    ("C1", "A1", "call", "2025-06-01 10:00", None, None),
]


@pytest.fixture()
def report_db(hand_db: Path) -> Path:
    with open_db(hand_db) as con:
        con.executemany(
            "insert into projects (project_id, account_id, project_name, status, start_date, planned_end, forecast_end, "
            "actual_end, progress_pct, contract_value, feedback_score, issue_note) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            PROJECTS,
        )
        con.executemany(
            "insert into interactions (interaction_id, account_id, kind, opened_at, first_response_at, resolved_at) "
            "values (?, ?, ?, ?, ?, ?)",
            INTERACTIONS,
        )
    return hand_db


def account_names(db: Path) -> list[str]:
    with open_db(db, read_only=True) as con:
        return [n for (n,) in con.execute("select account_name from accounts").fetchall()]


def build(db: Path, filters: Filters = Q2, lang: str = "zh", **kwargs) -> report_model.Report:
    with open_db(db, read_only=True) as con:
        return reports.build_report(con, filters, lang, **kwargs)


def chart_on(slide):
    charts = [shape for shape in slide.shapes if shape.has_chart]
    return charts[0].chart if charts else None


def slide_texts(slide) -> list[str]:
    return [shape.text_frame.text for shape in slide.shapes if shape.has_text_frame]


def find_slide(prs, title: str):
    for slide in prs.slides:
        if title in slide_texts(slide):
            return slide
    raise AssertionError(f"no slide titled {title!r}")


def series_values(chart, index: int = 0) -> list[float | None]:
    return list(chart.plots[0].series[index].values)


# --- the model ------------------------------------------------------------------------------------


def test_sections_follow_the_outline_and_are_filled_from_kam_metrics(report_db):
    from kam_metrics.metrics.kpi import compute_kpis

    report = build(report_db)
    keys = [s.key for s in report.sections]
    assert keys == ["scope", "accounts", "sales", "top", "satisfaction", "projects", "loyalty", "churn", "service",
                    "communication", "causes", "improvements", "plan", "summary", "since", "actions"]
    with open_db(report_db, read_only=True) as con:
        kpis = compute_kpis(con, Q2)
    figures = {f.key: f for f in report.section("sales").figures}
    assert figures["revenue"].value == kpis["revenue"] == 3050.0  # 1500 + 800 + 400 + 300 + 50
    assert figures["revenue"].comparison == kpis["comparison"]["revenue"]
    assert figures["target_completion"].value == kpis["target_completion"]
    assert report.period == "2025Q2"
    assert [s.key for s in report.sections if s.editable] == ["causes", "improvements", "plan", "summary"]
    # the hints of section 5 name the weakest survey item (wave W1: 价格 (3+2+5)/3 × 20 = 66.7 is lowest)
    assert any("价格" in hint for hint in report.section("causes").hints)
    # blocked project with its issue note
    assert any("数据平台" in hint and "接口问题" in hint for hint in report.section("causes").hints)


def test_churn_and_forecast_sections_come_from_their_modules(report_db):
    report = build(report_db)
    churn = report.section("churn")
    with open_db(report_db, read_only=True) as con:
        scores = report_data.load_churn_scores(con, Q2, ["A1", "A2", "A3", "A4", "A5"])["scores"]
        forecast = report_data.load_forecast(con, Q2)
    counts = {f.key: f.value for f in churn.figures}
    assert counts["count_red"] == int((scores["band"] == "red").sum())
    assert counts["count_green"] == int((scores["band"] == "green").sum())
    # the forecast months of the plan chart are the module's forecast values
    assert forecast is not None
    values = [p.value for p in forecast.series.forecast]
    assert [v for v in report.section("plan").chart.series[1].values if v is not None] == values


def test_forecast_is_as_of_the_latest_order_up_to_the_period_end_like_the_sales_page(report_db):
    from kam_metrics.forecast import engine as module

    with open_db(report_db) as con:  # the latest order is now 10 July 2025, mid-month
        con.execute("insert into sales (order_id, line_no, account_id, order_date, quantity, amount, cost) "
                    "values ('O11', 1, 'A1', DATE '2025-07-10', 7, 700.0, 400.0)")
    q3 = Filters(start=date(2025, 7, 1), end=date(2025, 9, 30))
    with open_db(report_db, read_only=True) as con:
        ours = report_data.load_forecast(con, q3)
        sales_page = module.forecast_series(con, "company")  # the Sales page: as of the latest order
        before_any_order = report_data.load_forecast(con, Filters(start=date(2024, 1, 1), end=date(2024, 3, 31)))
    assert sales_page.as_of == date(2025, 7, 10)
    # 10 July is 21 days before the month's end (grace 3 days): July is partial, history ends in June; as
    # of 30 September (the period end) September would count as a complete month without sales
    assert sales_page.history_end == date(2025, 6, 1)
    assert ours is not None and ours.history_end == sales_page.history_end
    assert ours.series.forecast[0].month == date(2025, 7, 1)  # the first forecast month is the partial July
    # no order up to the period end (the first is 15 May 2024): no forecast, and the plan says so
    assert before_any_order is None
    plan = build(report_db, filters=Filters(start=date(2024, 1, 1), end=date(2024, 3, 31))).section("plan")
    assert plan.chart is None or plan.chart.key != "forecast"


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        # 同比 of 2025 Q2 is 2024 Q2, whose only sale is O9 (200) on 15 May 2024: it sits under May, not
        # under April (the first position)
        (Filters(start=date(2025, 4, 1), end=date(2025, 6, 30), compare="yoy"), [None, 200.0, None]),
        # 环比 of 2025-01-01..2025-06-30 (181 days, no calendar grain) is 2024-07-04..2024-12-31, whose only
        # sale is O8 (100) on 1 August 2024, one month after the comparison start's month: it sits under
        # February (one month after January), not under January
        (Filters(start=date(2025, 1, 1), end=date(2025, 6, 30)), [None, 100.0, None, None, None, None]),
    ],
    ids=["yoy", "previous_custom"],
)
def test_comparison_revenue_sits_under_its_calendar_month(report_db, filters, expected):
    from kam_metrics.report.export.pptx import render_pptx
    from kam_metrics.report.export.xlsx import render_xlsx

    report = build(report_db, filters=filters)
    sales = report.section("sales")
    # this period's months with sales: Q2 April 1800, May 800, June 450; H1 adds January 300 (O7),
    # February 1000 (O5), March 600 (O6)
    this = [300.0, 1000.0, 600.0, 1800.0, 800.0, 450.0][-len(expected):]
    assert sales.chart.series[0].values == pytest.approx(this)
    assert sales.chart.series[1].values == expected
    table = sales.tables[0]
    assert table.key == "monthly_revenue"
    assert [r["comparison_revenue"] for r in table.rows] == expected
    prs = Presentation(io.BytesIO(render_pptx(report)))
    chart = chart_on(find_slide(prs, sales.title))
    assert series_values(chart, 1) == expected
    wb = load_workbook(io.BytesIO(render_xlsx(report)))
    assert [r["对比期"] for r in sheet_rows(wb["图表 monthly_revenue"])] == expected


# --- PowerPoint -------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_pptx_has_native_charts_whose_values_are_the_kam_metrics_figures(report_db, lang):
    from kam_metrics.metrics.kpi import compute_kpis
    from kam_metrics.metrics.projects import compute_project_summary
    from kam_metrics.metrics.sales import compute_monthly_revenue, compute_top_accounts
    from kam_metrics.report.export.pptx import render_pptx

    report = build(report_db, lang=lang)
    prs = Presentation(io.BytesIO(render_pptx(report)))
    # title + 16 sections + a table slide after each charted section whose first table has rows: key
    # accounts, survey items, projects at risk (P3 blocked), complaints (T1, T2), overdue key accounts
    # (A1 and A2 never visited), changes since the last review (movers) = 23; and the early-warning list
    # when the churn score puts an account on it
    churn = report.section("churn")
    warned = churn.chart is not None and bool(churn.tables[0].rows)
    assert len(prs.slides) == 1 + 16 + 6 + warned
    table_slide = prs.slides[3]  # after the title, scope and accounts slides
    assert any(shape.has_table for shape in table_slide.shapes)
    assert table_slide.shapes  # the key-account table lists A1 and A2 (class A)
    rows = [[c.text for c in r.cells] for r in next(s for s in table_slide.shapes if s.has_table).table.rows]
    assert [r[0] for r in rows[1:]] == ["甲机械有限公司", "乙零售有限公司"] or lang == "en"
    with open_db(report_db, read_only=True) as con:
        monthly = compute_monthly_revenue(con, Q2)
        previous = compute_monthly_revenue(con, Q2.for_comparison())
        top = compute_top_accounts(con, Q2, limit=10)
        projects = compute_project_summary(con, Q2)
        kpis = compute_kpis(con, Q2)
    sales = chart_on(find_slide(prs, report.section("sales").title))
    assert sales is not None and sales.chart_type is not None  # a chart object, not a picture
    assert series_values(sales, 0) == pytest.approx(monthly["revenue"].tolist())  # [1800, 800, 450]
    # the comparison (环比: 2025 Q1) under its calendar month: April ↔ January (O7 300), May ↔ February
    # (O5 1000), June ↔ March (O6 600)
    assert series_values(sales, 1) == pytest.approx([300.0, 1000.0, 600.0])
    assert previous["revenue"].tolist() == pytest.approx([300.0, 1000.0, 600.0])
    top_chart = chart_on(find_slide(prs, report.section("top").title))
    assert series_values(top_chart, 0) == pytest.approx(top["revenue"].tolist())
    status = chart_on(find_slide(prs, report.section("projects").title))
    labels = list(status.plots[0].categories)
    by_label = dict(zip(labels, series_values(status, 0)))
    completed_label = reports.t("project_status.completed", lang)
    assert by_label[completed_label] == projects["count_completed"] == 2
    loyalty = chart_on(find_slide(prs, report.section("loyalty").title))
    assert series_values(loyalty, 0)[0] == pytest.approx(kpis["repeat_purchase_rate"])  # 1 of 4 accounts
    # every slide: period and data date, speaker notes; every text run: an East-Asian typeface
    for slide in prs.slides:
        assert any(report.footer in text for text in slide_texts(slide))
        assert slide.has_notes_slide and slide.notes_slide.notes_text_frame.text.strip()
    xml = prs.slides[1].shapes._spTree.xml
    assert 'ea typeface="Microsoft YaHei"' in xml


# --- HTML ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_html_is_self_contained_and_prints_a4_landscape(report_db, lang):
    from kam_metrics.i18n import format_money
    from kam_metrics.report.export.html import render_html

    report = build(report_db, lang=lang)
    page = render_html(report)
    assert "@page { size: A4 landscape" in page
    assert "<script" not in page and "src=" not in page and 'href="http' not in page  # nothing to fetch
    assert page.count("<svg") == sum(s.chart is not None for s in report.sections)  # charts as inline SVG
    assert page.count('<section class="slide"') == 1 + len(report.sections)  # one printed page each
    assert format_money(3050.0, lang) in page  # the period's revenue, 1500 + 800 + 400 + 300 + 50
    assert page.count(report.footer) >= len(report.sections)  # period and data date on every page


# --- Excel ---------------------------------------------------------------------------------------------


def sheet_rows(ws) -> list[dict]:
    from kam_metrics.report.export.xlsx import HEADER_ROW

    header = [c.value for c in ws[HEADER_ROW]]
    return [dict(zip(header, (c.value for c in row))) for row in ws.iter_rows(min_row=HEADER_ROW + 1)]


def test_xlsx_has_one_formatted_sheet_per_table_with_the_kam_metrics_figures(report_db):
    from kam_metrics.metrics.accounts import compute_account_list
    from kam_metrics.metrics.kpi import compute_kpis
    from kam_metrics.metrics.sales import compute_monthly_revenue
    from kam_metrics.report.export.xlsx import render_xlsx

    report = build(report_db)
    wb = load_workbook(io.BytesIO(render_xlsx(report)))
    with open_db(report_db, read_only=True) as con:
        kpis = compute_kpis(con, Q2)
        accounts = compute_account_list(con, Q2).set_index("account_name")
        monthly = compute_monthly_revenue(con, Q2)
    figures = {r["key"]: r for r in sheet_rows(wb.worksheets[0])}
    assert figures["revenue"]["本期"] == kpis["revenue"]
    assert figures["revenue"]["对比期"] == kpis["comparison"]["revenue"]
    assert figures["retention_rate"]["本期"] == pytest.approx(kpis["retention_rate"])
    key_accounts = {r["客户名称"]: r for r in sheet_rows(wb["重点客户名单"])}
    for name, row in key_accounts.items():
        assert row["销售额"] == pytest.approx(accounts.loc[name, "revenue"])
    chart = sheet_rows(wb["图表 monthly_revenue"])
    assert [r["本期"] for r in chart] == pytest.approx(monthly["revenue"].tolist())
    # one sheet per table of every section (plus figures, each chart's data and the text)
    tables = [tb.title for s in report.sections for tb in s.tables]
    assert len(wb.sheetnames) == 1 + len(tables) + sum(s.chart is not None for s in report.sections) + 1
    ws = wb["重点客户名单"]
    assert ws.freeze_panes == "A4"
    assert ws.cell(row=3, column=1).font.bold and ws.cell(row=3, column=1).fill.fgColor.rgb.endswith("1F4E79")
    assert ws.cell(row=4, column=7).number_format == '"¥"#,##0.00'
    assert ws.column_dimensions["A"].width >= 10
    assert ws.cell(row=2, column=1).value == report.footer


def test_xlsx_neutralises_formula_injection(report_db):
    from kam_metrics.report.export.xlsx import render_xlsx

    with open_db(report_db) as con:
        con.execute("update accounts set account_name = '=HYPERLINK(\"http://x\",\"y\")', owner = '+cmd' where account_id = 'A1'")
        con.execute("update projects set issue_note = '@SUM(1,2)' where project_id = 'P3'")
    report = build(report_db)
    wb = load_workbook(io.BytesIO(render_xlsx(report)))
    texts = [c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert "'=HYPERLINK(\"http://x\",\"y\")" in texts
    assert "'+cmd" in texts
    assert any(v.startswith("'@SUM") for v in texts)
    assert not [v for v in texts if v.startswith(("=", "+", "-", "@"))]


# --- masking ---------------------------------------------------------------------------------------------


def _all_text(data: bytes, fmt: str) -> str:
    if fmt == "html":
        return html.unescape(data.decode("utf-8"))
    parts = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            content = archive.read(name)
            if name.endswith(".xlsx"):  # a chart's embedded workbook
                parts.append(_all_text(content, "xlsx"))
            elif name.endswith((".xml", ".rels")):
                # openpyxl writes non-ASCII text as character references (&#23458;): unescape before searching
                parts.append(html.unescape(content.decode("utf-8")))
    return "\n".join(parts)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_masked_exports_contain_no_account_name(report_db, lang):
    names = account_names(report_db)
    with open_db(report_db) as con:  # an account named in free text: the edited section and an action
        rid = report_store.save_report(con, reports.build_report(con, Q2, lang),
                                  texts={"causes": f"{names[0]} 的预算审批拖延"},
                                  actions=[{"what": f"拜访 {names[1]}", "owner": "张三", "status": "open"}])
    report = build(report_db, lang=lang, report_id=rid, mask_names=True)
    plain = build(report_db, lang=lang, report_id=rid)
    alias = report_masking.alias_label(0, lang)
    for fmt in report_model.EXPORT_FORMATS:
        text = _all_text(reports.render(report, fmt), fmt)
        found = [n for n in names if n in text]
        assert not found, f"{fmt} contains {found}"
        assert alias in text
        # the unmasked export does name them (the test would catch a masking that removed everything)
        assert names[0] in _all_text(reports.render(plain, fmt), fmt)
    # the same alias everywhere: the largest account of the period (A1, ¥2,300) is 客户A / Customer A
    assert report.section("top").chart.categories[0] == alias
    assert report.section("causes").text.startswith(alias)


# --- saving, since the last review, actions ----------------------------------------------------------------


def test_saved_edits_reopen_and_export_again(report_db):
    with open_db(report_db) as con:
        report = reports.build_report(con, Q2, "zh")
        rid = report_store.save_report(con, report, texts={"causes": "交付延迟是主因", "plan": "短期:完成数据平台"})
    reopened = build(report_db, report_id=rid)
    assert reopened.section("causes").text == "交付延迟是主因"
    assert reopened.section("plan").text == "短期:完成数据平台"
    assert reopened.section("summary").text == ""  # never edited
    assert "交付延迟是主因" in _all_text(reports.render(reopened, "pptx"), "pptx")
    with open_db(report_db) as con:  # saving the reopened report again updates it, it adds no report
        report_store.save_report(con, reports.apply_edits(reopened, {"causes": "改写"}), texts={"causes": "改写"})
        assert con.execute("select count(*) from reports").fetchall()[0][0] == 1
    assert build(report_db, report_id=rid).section("causes").text == "改写"


def test_a_reopened_report_says_when_the_data_changed_since_it_was_saved(report_db, tmp_path):
    from kam_metrics.ingest.stage import import_file, undo_import

    with open_db(report_db) as con:
        rid = report_store.save_report(con, reports.build_report(con, Q2, "zh"))
    assert build(report_db, report_id=rid).data_changed is False
    extra = tmp_path / "more.csv"
    extra.write_text("order_id,account_id,order_date,quantity,amount\nX1,A1,2025-05-10,1,700\n", encoding="utf-8")
    staged, record = import_file(report_db, extra, "sales")
    assert record is not None, staged.problem_rows("en")
    changed = build(report_db, report_id=rid)
    assert changed.data_changed is True
    revenue = next(f.value for f in changed.section("sales").figures if f.key == "revenue")
    assert revenue == pytest.approx(3050 + 700)  # today's data (hand rows' Q2 3050 + the new order), not frozen
    undo_import(report_db, record["import_id"])
    assert build(report_db, report_id=rid).data_changed is True  # an undo is a change too
    again = build(report_db, report_id=rid)
    with open_db(report_db) as con:  # saving again makes today's data the basis
        report_store.save_report(con, again)
    assert build(report_db, report_id=rid).data_changed is False
    assert build(report_db).data_changed is False  # a new report has nothing to differ from


def test_actions_are_carried_into_the_next_report_until_closed(report_db):
    with open_db(report_db) as con:
        q1 = reports.build_report(con, Q1, "zh")
        first = report_store.save_report(con, q1, actions=[
            {"what": "回访乙零售", "owner": "李四", "due_date": date(2025, 4, 30), "status": "open"},
            {"what": "修订报价单", "owner": "张三", "status": "done"},
        ])
    draft = build(report_db, Q2)
    assert [a["what"] for a in draft.actions] == ["回访乙零售"]  # the done one was closed in Q1's review
    assert draft.section("actions").tables[0].rows[0]["what"] == "回访乙零售"
    carried = draft.actions[0]
    assert carried["created_report_id"] == first
    with open_db(report_db) as con:
        second = report_store.save_report(con, draft, actions=[{**carried, "status": "done"},
                                                          {"what": "补充技术支持", "status": "open"}])
    assert [a["what"] for a in build(report_db, Filters(date(2025, 7, 1), date(2025, 9, 30))).actions] == ["补充技术支持"]
    # reopening the reports shows what each showed
    assert sorted(a["what"] for a in build(report_db, Q1, report_id=first).actions) == ["修订报价单", "回访乙零售"]
    assert [a["what"] for a in build(report_db, Q2, report_id=second).actions] == ["回访乙零售", "补充技术支持"]


def test_since_last_review_compares_with_the_previous_saved_report(report_db):
    with open_db(report_db) as con:
        report_store.save_report(con, reports.build_report(con, Q1, "zh"))
        # after the Q1 review the blocked project's forecast end moves a month later
        con.execute("update projects set forecast_end = date '2025-10-31' where project_id = 'P3'")
    report = build(report_db, Q2)
    since = report.section("since")
    rows = since.tables[0].rows
    kinds = {}
    for row in rows:
        kinds.setdefault(row["kind"], []).append(row["name"])
    # ABC as of 2025-03-31: A1 1000 (A), A2 800 (A, 1000/2200 before it), A4 400 (B, 1800/2200 = 0.818 before it);
    # as of 2025-06-30: A1 3300 A, A2 1000 A, A4 400 B, A3 300 B (4700/5050 = 0.931 before it), A5 50 C
    assert sorted(kinds["分类变化"]) == ["丙电子有限公司", "戊运输有限公司"]
    # revenue Q2 against the Q1 snapshot: A1 +1300, A3 +300, A5 +50 up; A4 −300, A2 −200 down
    assert kinds["增长"] == ["甲机械有限公司", "丙电子有限公司", "戊运输有限公司"]
    assert kinds["下降"] == ["丁物流有限公司", "乙零售有限公司"]
    assert since.chart.series[0].values == [1300.0, 300.0, 50.0, -200.0, -300.0]
    assert kinds["项目延期"] == ["数据平台 (甲机械有限公司)"]  # 2025-09-30 → 2025-10-31
    assert "2025Q1" in since.title
    # newly red: red in the churn score as of 2025-06-30 and not red as of the Q1 review (when it exists)
    ids = ["A1", "A2", "A3", "A4", "A5"]
    with open_db(report_db, read_only=True) as con:
        now, before = report_data.load_churn_scores(con, Q2, ids), report_data.load_churn_scores(con, Q1, ids)
    if now is not None:
        red_now = set(now["scores"].loc[now["scores"]["band"] == "red", "account_name"])
        red_before = set(before["scores"].loc[before["scores"]["band"] == "red", "account_name"])
        assert sorted(kinds.get("新增高风险", [])) == sorted(red_now - red_before)


# --- the command line --------------------------------------------------------------------------------------


def test_report_command_writes_each_format_with_the_period_in_the_name(report_db, tmp_path, capsys):
    for fmt in report_model.EXPORT_FORMATS:
        code = main(["report", "--db", str(report_db), "--start", "2025-04-01", "--end", "2025-06-30",
                     "--format", fmt, "--lang", "zh", "--out", str(tmp_path) + "/", "--json"])
        assert code == 0
        payload = json.loads(capsys.readouterr().out)
        path = Path(payload["file"])
        assert path.name == f"大客户汇报_2025Q2.{fmt}" and path.stat().st_size == payload["bytes"] > 0
    code = main(["report", "--db", str(report_db), "--start", "2025-04-01", "--end", "2025-06-30", "--format", "pptx",
                 "--lang", "en", "--mask-names", "--out", str(tmp_path / "out.pptx")])
    assert code == 0 and (tmp_path / "out.pptx").exists()
    assert capsys.readouterr().out.startswith("Wrote ")
    assert not [n for n in account_names(report_db) if n in _all_text((tmp_path / "out.pptx").read_bytes(), "pptx")]
    code = main(["report", "--db", str(report_db), "--start", "2025-04-01", "--end", "2025-06-30", "--format", "xlsx",
                 "--owner", "张三", "--out", str(tmp_path) + "/", "--json"])
    assert code == 0
    payload = json.loads(capsys.readouterr().out)
    sales = next(s for s in payload["sections"] if s["key"] == "sales")
    assert sales["figures"]["revenue"] == 2600.0  # 张三 owns A1 (2300) and A3 (300)


def test_a_report_of_chosen_accounts_names_them_in_its_scope(report_db, tmp_path, capsys):
    # "report.scope.accounts" was defined twice in messages_report.py: the scope bullet replaced the
    # "chosen accounts: {values}" text, so an accounts scope failed with KeyError 'scope'
    report = build(report_db, scope={"kind": "accounts", "values": ["A1", "A3"]})
    assert report.scope_text.startswith("选定客户:")
    assert "甲机械有限公司" in report.scope_text and "丙电子有限公司" in report.scope_text
    scope_bullet = report.section("scope").bullets[2]
    assert report.scope_text in scope_bullet and "共 2 家客户" in scope_bullet  # A1 and A3
    sales = {f.key: f for f in report.section("sales").figures}
    assert sales["revenue"].value == 2600.0  # A1 1500 + 800, A3 300
    english = build(report_db, lang="en", scope={"kind": "accounts", "values": ["A1"]})
    assert english.scope_text.startswith("chosen accounts: ")
    code = main(["report", "--db", str(report_db), "--start", "2025-04-01", "--end", "2025-06-30", "--format", "html",
                 "--accounts", "A1", "--out", str(tmp_path / "r.html")])
    assert code == 0 and "甲机械有限公司" in (tmp_path / "r.html").read_text(encoding="utf-8")
    capsys.readouterr()


def test_report_command_exit_codes(report_db, tmp_path, capsys):
    base = ["report", "--db", str(report_db), "--format", "pptx", "--out", str(tmp_path / "r.pptx")]
    assert main([*base, "--start", "2025-06-30", "--end", "2025-04-01"]) == 2  # end before start
    assert main(["report", "--db", str(report_db), "--start", "2025-04-01", "--end", "2025-06-30", "--format", "pptx",
                 "--out", str(tmp_path / "r.xlsx")]) == 2  # the file name does not match the format
    assert main([*base, "--start", "2025-04-01", "--end", "2025-06-30", "--report-id", "99"]) == 2  # no such report
    assert main(["report", "--start", "2025-04-01", "--end", "2025-06-30", "--format", "doc", "--out", "x"]) == 2
    assert main(["report", "--db", str(tmp_path / "missing.duckdb"), "--start", "2025-04-01", "--end", "2025-06-30",
                 "--format", "pptx", "--out", str(tmp_path / "r.pptx")]) == 1
    assert not (tmp_path / "r.pptx").exists()
    capsys.readouterr()


def test_pptx_chart_workbooks_hold_text_never_a_formula(report_db):
    """The workbook behind each chart ("Edit Data" in PowerPoint) stores a formula-like category as text
    with Excel's quote prefix, never as a live formula; the slide still shows the name as it is."""
    from kam_metrics.report.export.pptx import render_pptx

    with open_db(report_db) as con:
        con.execute("update accounts set account_name = '=HYPERLINK(\"http://x\",\"y\")' where account_id = 'A1'")
    data = render_pptx(build(report_db))
    cells = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        embedded = [n for n in archive.namelist() if n.endswith(".xlsx")]
        assert embedded  # the deck has native charts
        for name in embedded:
            book = load_workbook(io.BytesIO(archive.read(name)))
            cells += [c for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value is not None]
        slides_xml = "".join(html.unescape(archive.read(n).decode("utf-8")) for n in archive.namelist() if n.startswith("ppt/charts/"))
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    hyperlink = [c for c in cells if c.value == '=HYPERLINK("http://x","y")']
    assert hyperlink and all(c.data_type == "s" and c.quotePrefix for c in hyperlink)
    assert '=HYPERLINK("http://x","y")' in slides_xml and "'=HYPERLINK" not in slides_xml
