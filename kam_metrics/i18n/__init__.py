"""The message catalogue (简体中文 / English) and number, money and date formatting per language.

Every string the app shows comes from ``CATALOGUE``; a test fails when a key lacks either language.
Templates use ``str.format`` fields, e.g. ``t("chart.top10.title", "en", name=..., share=...)``.
"""

from __future__ import annotations

import math
from datetime import date
from typing import Any

from kam_metrics.i18n.catalogue import access as _messages_access
from kam_metrics.i18n.catalogue import churn as _messages_churn
from kam_metrics.i18n.catalogue import forecast as _messages_forecast
from kam_metrics.i18n.catalogue import ingest as _messages_ingest
from kam_metrics.i18n.catalogue import operations as _messages_operations
from kam_metrics.i18n.catalogue import report as _messages_report
from kam_metrics.i18n.catalogue import sales as _messages_sales
from kam_metrics.i18n.catalogue import satisfaction as _messages_satisfaction

LANGUAGES = ("zh", "en")
DEFAULT_LANGUAGE = "zh"
DASH = "—"

CATALOGUE: dict[str, dict[str, str]] = {
    # app shell
    "app.title": {"zh": "大客户管理分析看板", "en": "KAM Dashboard"},
    "app.subtitle": {"zh": "大客户业绩、满意度与风险一览", "en": "How our key accounts are doing"},
    "lang.label": {"zh": "语言 / Language", "en": "Language / 语言"},
    "lang.zh": {"zh": "简体中文", "en": "简体中文"},
    "lang.en": {"zh": "English", "en": "English"},
    "page.overview": {"zh": "总览", "en": "Overview"},
    "db.updating": {
        "zh": "数据正在更新(另一个进程正在导入),请稍候…",
        "en": "Data is being updated (another process is importing); please wait…",
    },
    "db.retry": {"zh": "重试", "en": "Retry"},
    "db.missing": {
        "zh": "还没有数据库。运行 `make run` 会自动生成演示数据,或运行 `python -m kam_metrics init-demo`。",
        "en": "There is no database yet. `make run` builds the demo data, or run `python -m kam_metrics init-demo`.",
    },
    "db.too_new": {
        "zh": "这个数据库由更新版本的 KAM Dashboard 写入(结构版本 {found},本程序支持到 {known}),因此只读:"
        "可以查看,不能导入、编辑或保存。请升级 KAM Dashboard。",
        "en": "This database was written by a newer version of KAM Dashboard (schema version {found}; this one "
        "knows up to {known}), so it is read-only: you can look, not import, edit or save. Upgrade KAM Dashboard.",
    },
    "app.error": {
        "zh": "出了点问题,这一页无法显示。请刷新重试;如果问题仍在,请把错误编号 {error_id} 告诉管理员(详情已写入服务器日志)。",
        "en": "Something went wrong and this page cannot be shown. Reload to try again; if it persists, give your "
        "administrator the error id {error_id} (the details are in the server log).",
    },
    "empty.no_sales": {
        "zh": "数据库中还没有销售数据。请导入销售明细(订单号、客户编号、订单日期、数量、金额),或生成演示数据。",
        "en": "There are no sales in the database yet. Import order lines (order id, account id, order date, "
        "quantity, amount) or build the demo data.",
    },
    "empty.period": {
        "zh": "所选期间和筛选条件下没有销售记录。请扩大期间或清除筛选。",
        "en": "No sales in the chosen period and filters. Widen the period or clear filters.",
    },
    "loading": {"zh": "正在计算…", "en": "Computing…"},
    # sidebar filters
    "filter.header": {"zh": "筛选", "en": "Filters"},
    "filter.period": {"zh": "期间", "en": "Period"},
    "filter.custom_range": {"zh": "自定义日期范围", "en": "Custom date range"},
    "filter.compare": {"zh": "对比", "en": "Compare with"},
    "filter.industry": {"zh": "行业", "en": "Industry"},
    "filter.scale": {"zh": "合作规模", "en": "Scale"},
    "filter.tenure": {"zh": "合作年限", "en": "Tenure"},
    "filter.region": {"zh": "区域", "en": "Region"},
    "filter.owner": {"zh": "客户经理", "en": "Account manager"},
    "filter.abc": {"zh": "ABC 分类", "en": "ABC class"},
    "filter.all": {"zh": "全部", "en": "All"},
    "filter.reset": {"zh": "清除筛选", "en": "Clear filters"},
    "filter.anchor": {
        "zh": "期间以数据中最新订单日期 {date} 为基准",
        "en": "Periods are anchored to the latest order date, {date}",
    },
    "preset.this_quarter": {"zh": "本季度", "en": "This quarter"},
    "preset.last_quarter": {"zh": "上季度", "en": "Last quarter"},
    "preset.ytd": {"zh": "本年至今", "en": "Year to date"},
    "preset.last_12_months": {"zh": "近12个月", "en": "Last 12 months"},
    "preset.custom": {"zh": "自定义", "en": "Custom"},
    "compare.previous": {"zh": "环比(上一期)", "en": "Previous period (环比)"},
    "compare.yoy": {"zh": "同比(去年同期)", "en": "Same period last year (同比)"},
    "compare.short.previous": {"zh": "环比", "en": "vs previous"},
    "compare.short.yoy": {"zh": "同比", "en": "vs last year"},
    # enumerations
    "scale.large": {"zh": "大型", "en": "Large"},
    "scale.medium": {"zh": "中型", "en": "Medium"},
    "scale.small": {"zh": "小型", "en": "Small"},
    "tenure.new": {"zh": "新客户(<1年)", "en": "New (< 1 year)"},
    "tenure.mid": {"zh": "中期合作(1-5年)", "en": "Mid-term (1-5 years)"},
    "tenure.long": {"zh": "长期合作(>5年)", "en": "Long-term (> 5 years)"},
    "abc.A": {"zh": "A 类", "en": "Class A"},
    "abc.B": {"zh": "B 类", "en": "Class B"},
    "abc.C": {"zh": "C 类", "en": "Class C"},
    # overview
    "overview.heading": {"zh": "大客户总览", "en": "Key-account overview"},
    "overview.period_caption": {
        "zh": "期间 {start} 至 {end} · 对比 {cmp_start} 至 {cmp_end}({compare})",
        "en": "Period {start} to {end} · compared with {cmp_start} to {cmp_end} ({compare})",
    },
    "kpi.revenue": {"zh": "销售额", "en": "Revenue"},
    "kpi.volume": {"zh": "销售量", "en": "Volume"},
    "kpi.revenue_growth": {"zh": "销售增长率", "en": "Revenue growth"},
    "kpi.target_completion": {"zh": "目标完成率", "en": "Target completion"},
    "kpi.active_key_accounts": {"zh": "活跃重点客户", "en": "Active key accounts"},
    "kpi.repeat_purchase_rate": {"zh": "重复购买率", "en": "Repeat purchase rate"},
    "kpi.overall_satisfaction": {"zh": "综合满意度", "en": "Overall satisfaction"},
    "kpi.help.revenue": {"zh": "销售额 = Σ 金额", "en": "Revenue = Σ amount"},
    "kpi.help.volume": {"zh": "销售量 = Σ 数量", "en": "Volume = Σ quantity"},
    "kpi.help.revenue_growth": {
        "zh": "(本期 − 对比期) / 对比期;括号内为对比期的增长率",
        "en": "(this − comparison) / comparison; the delta is the change against the comparison period's growth",
    },
    "kpi.help.target_completion": {
        "zh": "实际销售额 / 目标;目标按天数折算到所选期间",
        "en": "Actual revenue / target; targets are pro-rated by days to the chosen period",
    },
    "kpi.help.active_key_accounts": {
        "zh": "期间内至少下过一单的重点客户(未指定时为 A 类客户)",
        "en": "Key accounts (class A unless marked) with at least one order in the period",
    },
    "kpi.help.repeat_purchase_rate": {
        "zh": "下单 ≥2 次的客户 / 下单 ≥1 次的客户",
        "en": "Accounts with ≥ 2 orders / accounts with ≥ 1 order",
    },
    "kpi.help.overall_satisfaction": {
        "zh": "最近一次调查批次 {wave} 的综合满意度(0-100),对比上一批次;有效问卷 {n} 份",
        "en": "Overall index (0-100) of the latest survey wave {wave}, against the wave before; {n} valid questionnaires",
    },
    "kpi.help.overall_satisfaction_segment": {
        "zh": "最近一次调查批次 {wave} 中所选细分客户的综合满意度(0-100,不含匿名问卷),对比上一批次;有效问卷 {n} 份",
        "en": "Overall index (0-100) of the selected segments' accounts in the latest survey wave {wave} (anonymous questionnaires excluded), against the wave before; {n} valid questionnaires",
    },
    "kpi.no_wave": {"zh": "期间结束前没有调查批次", "en": "No survey wave before the period end"},
    "kpi.target_prorated": {
        "zh": "目标按天数从 {level} 目标折算到所选期间。",
        "en": "Target pro-rated by days from the {level} targets to the chosen period.",
    },
    "kpi.no_target": {
        "zh": "当前筛选组合没有对应的目标(目标按公司、客户经理、区域、客户设定)。",
        "en": "No target matches this filter combination (targets exist per company, owner, region and account).",
    },
    "level.company": {"zh": "公司", "en": "company"},
    "level.owner": {"zh": "客户经理", "en": "account-manager"},
    "level.region": {"zh": "区域", "en": "region"},
    "level.account": {"zh": "客户", "en": "account"},
    "level.product_line": {"zh": "产品线", "en": "product-line"},
    "chart.monthly.title_up": {
        "zh": "月度销售额:本期 {total},较对比期增长 {growth}",
        "en": "Monthly revenue: {total} this period, up {growth} on the comparison period",
    },
    "chart.monthly.title_down": {
        "zh": "月度销售额:本期 {total},较对比期下降 {growth}",
        "en": "Monthly revenue: {total} this period, down {growth} on the comparison period",
    },
    "chart.monthly.title_flat": {
        "zh": "月度销售额:本期 {total}(对比期无数据)",
        "en": "Monthly revenue: {total} this period (no comparison data)",
    },
    "chart.monthly.x": {"zh": "月份", "en": "Month"},
    "chart.monthly.this": {"zh": "本期", "en": "This period"},
    "chart.monthly.comparison": {"zh": "对比期", "en": "Comparison period"},
    "chart.top10.title": {
        "zh": "前十大客户贡献 {share} 的销售额,{name} 居首",
        "en": "The top 10 accounts bring {share} of revenue; {name} leads",
    },
    "chart.by_industry.title": {
        "zh": "{segment} 是最大的行业,占 {share}",
        "en": "{segment} is the largest industry, with {share} of revenue",
    },
    "chart.by_region.title": {
        "zh": "{segment} 是最大的区域,占 {share}",
        "en": "{segment} is the largest region, with {share} of revenue",
    },
    "chart.revenue_axis": {"zh": "销售额({unit})", "en": "Revenue ({unit})"},
    "chart.empty": {"zh": "没有可显示的数据", "en": "Nothing to show"},
    "col.account_id": {"zh": "客户编号", "en": "Account ID"},
    "col.account_name": {"zh": "客户名称", "en": "Account"},
    "col.abc_class": {"zh": "ABC 分类", "en": "ABC class"},
    "col.industry": {"zh": "行业", "en": "Industry"},
    "col.region": {"zh": "区域", "en": "Region"},
    "col.owner": {"zh": "客户经理", "en": "Account manager"},
    "col.revenue": {"zh": "销售额", "en": "Revenue"},
    "col.comparison_revenue": {"zh": "对比期销售额", "en": "Comparison revenue"},
    "col.share": {"zh": "占比", "en": "Share"},
    "col.growth": {"zh": "增长率", "en": "Growth"},
    "col.segment": {"zh": "分组", "en": "Segment"},
    "download.csv": {"zh": "下载 CSV", "en": "Download CSV"},
    "overview.top10_table": {"zh": "前十大客户明细", "en": "Top-10 accounts"},
}


# Each area of the product keeps its messages in its own module; they join the one catalogue here.
for _area in (_messages_sales.MESSAGES, _messages_ingest.MESSAGES, _messages_satisfaction.MESSAGES, _messages_operations.MESSAGES,
              _messages_forecast.MESSAGES, _messages_churn.MESSAGES, _messages_report.MESSAGES, _messages_access.MESSAGES):
    _clash = sorted(CATALOGUE.keys() & _area.keys())
    if _clash:
        raise KeyError(f"message keys defined twice: {_clash}")
    CATALOGUE.update(_area)


def t(key: str, lang: str = DEFAULT_LANGUAGE, **fields: Any) -> str:
    """The catalogue text of ``key`` in ``lang``, with ``fields`` filled in."""
    entry = CATALOGUE[key]
    text = entry.get(lang) or entry[DEFAULT_LANGUAGE]
    return text.format(**fields) if fields else text


def normalize_language(value: str | None) -> str:
    """'zh' or 'en' from a query parameter or setting; anything else gives the default."""
    value = (value or "").strip().lower()
    if value.startswith("en"):
        return "en"
    return DEFAULT_LANGUAGE


def _missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and (math.isnan(value) or math.isinf(value)))


def format_number(value: float | None, lang: str = DEFAULT_LANGUAGE, *, decimals: int = 1) -> str:
    """A large number shortened for the language: 12.3万 / 1.2亿 in Chinese, 12.3K / 1.2M / 1.2B in English."""
    if value is None or _missing(value):
        return DASH
    sign = "-" if value < 0 else ""
    magnitude = abs(float(value))
    if lang == "zh":
        if magnitude >= 1e8:
            return f"{sign}{magnitude / 1e8:,.{decimals + 1}f}亿"
        if magnitude >= 1e4:
            return f"{sign}{magnitude / 1e4:,.{decimals}f}万"
    else:
        for size, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "K")):
            if magnitude >= size:
                return f"{sign}{magnitude / size:,.{decimals}f}{suffix}"
    if magnitude == int(magnitude):
        return f"{sign}{magnitude:,.0f}"
    return f"{sign}{magnitude:,.{decimals}f}"


def money_unit(largest: float | None, lang: str = DEFAULT_LANGUAGE) -> tuple[float, str]:
    """The divisor and unit label for a money axis whose largest value is ``largest``:
    (1e4, "万元") or (1e8, "亿元") in Chinese, (1e3, "CNY K") or (1e6, "CNY M") in English."""
    magnitude = abs(largest or 0.0)
    steps = ((1e8, "亿元"), (1e4, "万元")) if lang == "zh" else ((1e6, "CNY M"), (1e3, "CNY K"))
    for size, label in steps:
        if magnitude >= size:
            return size, label
    return 1.0, "元" if lang == "zh" else "CNY"


def format_money(value: float | None, lang: str = DEFAULT_LANGUAGE) -> str:
    """Money in CNY: ¥1,234.5万 in Chinese, ¥12.3M in English; "—" when missing."""
    if _missing(value):
        return DASH
    text = format_number(value, lang)
    return f"-¥{text[1:]}" if text.startswith("-") else f"¥{text}"


def format_percent(value: float | None, *, decimals: int = 1, signed: bool = False) -> str:
    """A fraction as a percentage (0.123 -> 12.3%); "—" when missing."""
    if value is None or _missing(value):
        return DASH
    return f"{value * 100:{'+' if signed else ''},.{decimals}f}%"


def format_points(value: float | None, *, decimals: int = 1) -> str:
    """A difference of index points, signed (+2.5)."""
    if _missing(value):
        return DASH
    return f"{value:+,.{decimals}f}"


_EN_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def format_date(value: date | None, lang: str = DEFAULT_LANGUAGE) -> str:
    """2025年1月5日 in Chinese, 5 Jan 2025 in English."""
    if value is None:
        return DASH
    if lang == "zh":
        return f"{value.year}年{value.month}月{value.day}日"
    return f"{value.day} {_EN_MONTHS[value.month - 1]} {value.year}"


def format_month(value: date, lang: str = DEFAULT_LANGUAGE) -> str:
    """2025年1月 in Chinese, Jan 2025 in English."""
    if lang == "zh":
        return f"{value.year}年{value.month}月"
    return f"{_EN_MONTHS[value.month - 1]} {value.year}"
