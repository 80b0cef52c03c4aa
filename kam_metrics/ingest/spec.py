"""What each importable table accepts: canonical columns, their kinds, required ones, keys, and the
Chinese and English header aliases (and enumeration labels) that map a foreign file onto them."""

from __future__ import annotations

import re
from dataclasses import dataclass

from kam_metrics.domain.enums import IMPORTABLE
from kam_metrics.store import connection as store


@dataclass(frozen=True)
class Column:
    name: str
    kind: str  # text, date, timestamp, number, integer, percent (0-100), fraction (0-1), bool, enum
    required: bool = False
    aliases: tuple[str, ...] = ()
    enum: str | None = None
    low: float | None = None
    high: float | None = None
    #: a pseudo column: accepted in a mapping to derive canonical columns, never stored
    helper: bool = False


@dataclass(frozen=True)
class TableSpec:
    name: str
    label_zh: str
    label_en: str
    keys: tuple[str, ...]
    columns: tuple[Column, ...]
    #: the column whose range "replace the rows of the file's date range" uses
    date_column: str | None = None

    @property
    def stored(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if not c.helper)

    def column(self, name: str) -> Column:
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(name)


#: accepted spelling -> code, per code list (kam_metrics.domain.enums declares them)
ENUMS: dict[str, dict[str, str]] = {name: codes.recoding() for name, codes in IMPORTABLE.items()}

_ACCOUNT_ID = ("客户编号", "客户代码", "客户id", "客户号", "客户编码", "customer id", "customerid", "customer_id",
               "account id", "account_id", "accountid", "client id")
_ACCOUNT_NAME = ("客户名称", "客户", "公司名称", "企业名称", "customer name", "customer", "company", "account name",
                 "account", "client")
_OWNER = ("客户经理", "负责人", "销售", "业务员", "销售代表", "owner", "account manager", "sales rep", "salesperson")

_INDUSTRY = ("行业", "所属行业", "细分", "客户细分", "industry", "segment")
_REGION = ("区域", "地区", "大区", "region")
_CITY = ("城市", "city")

TABLES: dict[str, TableSpec] = {
    "accounts": TableSpec("accounts", "客户", "Accounts", ("account_id",), (
        Column("account_id", "text", True, _ACCOUNT_ID),
        Column("account_name", "text", True, _ACCOUNT_NAME),
        Column("industry", "text", False, _INDUSTRY),
        Column("scale", "enum", False, ("合作规模", "规模", "客户规模", "scale", "size"), "scale"),
        Column("region", "text", False, _REGION),
        Column("city", "text", False, _CITY),
        Column("owner", "text", False, _OWNER),
        Column("group_name", "text", False, ("所属集团", "集团", "集团客户", "group", "group name")),
        Column("is_key_account", "bool", False, ("重点客户", "是否重点客户", "key account", "is key account"), "bool"),
        Column("cooperation_start", "date", False, ("合作开始日期", "合作日期", "首次合作日期", "合作开始", "since",
                                                     "cooperation start", "customer since")),
        Column("status", "enum", False, ("状态", "客户状态", "status"), "account_status"),
        Column("churned_on", "date", False, ("流失日期", "churned on", "churn date")),
        Column("referred_by", "text", False, ("推荐人", "推荐客户", "referred by", "referrer")),
    ), "cooperation_start"),
    "sales": TableSpec("sales", "销售", "Sales", ("order_id", "line_no"), (
        Column("order_id", "text", True, ("订单号", "订单编号", "单号", "销售单号", "order id", "orderid", "order",
                                          "invoice", "invoiceno", "invoice no", "invoice number")),
        Column("line_no", "integer", True, ("行号", "明细行号", "序号", "line", "line no", "line number"), low=1),
        Column("account_id", "text", True, _ACCOUNT_ID),
        Column("order_date", "date", True, ("订单日期", "日期", "下单日期", "销售日期", "order date", "invoicedate",
                                            "invoice date", "date")),
        Column("product", "text", False, ("产品", "产品名称", "商品", "商品名称", "product", "product name", "description")),
        Column("product_line", "text", False, ("产品线", "品类", "产品类别", "类别", "product line", "category")),
        Column("channel", "text", False, ("渠道", "销售渠道", "channel")),
        Column("quantity", "number", True, ("数量", "销量", "销售量", "quantity", "qty")),
        Column("amount", "number", True, ("销售额", "金额", "销售金额", "收入", "含税金额", "amount", "sales", "revenue",
                                            "实收金额", "实付金额", "实际支付金额", "买家实际支付金额", "实付款", "成交金额",
                                            "应收金额", "订单金额", "总金额", "买家应付货款", "应付金额", "net sales",
                                            "gross sales", "total")),
        Column("cost", "number", False, ("成本", "销售成本", "cost", "cogs")),
        Column("unit_price", "number", False, ("单价", "unit price", "unitprice", "price"), helper=True),
        Column("profit", "number", False, ("利润", "毛利", "profit", "gross profit"), helper=True),
        Column("account_name", "text", False, _ACCOUNT_NAME, helper=True),
        # kept on the accounts that --create-accounts creates (revenue by region works after a sales import)
        Column("industry", "text", False, _INDUSTRY, helper=True),
        Column("region", "text", False, _REGION, helper=True),
        Column("city", "text", False, _CITY, helper=True),
    ), "order_date"),
    "targets": TableSpec("targets", "目标", "Targets", ("period", "level", "key"), (
        Column("period", "text", True, ("期间", "周期", "目标期间", "period")),
        Column("level", "enum", True, ("层级", "目标层级", "level"), "level"),
        Column("key", "text", False, ("对象", "名称", "目标对象", "key", "name")),
        Column("revenue_target", "number", False, ("销售目标", "目标销售额", "销售额目标", "revenue target", "target")),
        Column("volume_target", "number", False, ("销量目标", "目标销量", "销售量目标", "volume target")),
    )),
    "survey_items": TableSpec("survey_items", "调查项目", "Survey items", ("item_code",), (
        Column("item_code", "text", True, ("项目编号", "题号", "题目编号", "item", "item code", "code")),
        Column("dimension", "enum", True, ("维度", "dimension"), "dimension"),
        Column("label_zh", "text", False, ("中文名称", "项目名称", "题目", "label zh", "label_zh")),
        Column("label_en", "text", False, ("英文名称", "label en", "label_en", "label")),
        Column("weight", "number", True, ("权重", "weight"), low=0),
        Column("scale_min", "integer", False, ("最低分", "最小值", "scale min", "scale_min")),
        Column("scale_max", "integer", False, ("最高分", "最大值", "scale max", "scale_max")),
        Column("target_index", "number", False, ("目标值", "目标指数", "target index", "target"), low=0, high=100),
    )),
    "survey_waves": TableSpec("survey_waves", "调查批次", "Survey waves", ("wave",), (
        Column("wave", "text", True, ("调查批次", "批次", "wave")),
        Column("sent", "integer", True, ("发放数", "发出问卷数", "发放问卷数", "sent"), low=0),
        Column("sent_on", "date", False, ("发放日期", "sent on", "sent date")),
    )),
    "survey_responses": TableSpec("survey_responses", "满意度问卷", "Survey responses", ("response_id", "item_code"), (
        Column("response_id", "text", True, ("问卷编号", "答卷编号", "序号", "答卷序号", "response id", "response", "respondent id", "respondent", "id")),
        Column("item_code", "text", True, ("项目编号", "题号", "item", "item code")),
        Column("account_id", "text", False, _ACCOUNT_ID),
        Column("survey_date", "date", True, ("调查日期", "填写日期", "日期", "survey date", "date")),
        Column("wave", "text", False, ("调查批次", "批次", "wave")),
        Column("respondent_role", "text", False, ("受访者角色", "职位", "角色", "respondent role", "role")),
        Column("score", "number", False, ("得分", "分数", "评分", "score"), low=0, high=10),
        Column("competitor_score", "number", False, ("竞品得分", "竞争对手得分", "competitor score"), low=0, high=10),
        Column("comment", "text", False, ("意见", "评论", "建议", "备注", "comment", "comments")),
    ), "survey_date"),
    "projects": TableSpec("projects", "合作项目", "Projects", ("project_id",), (
        Column("project_id", "text", True, ("项目编号", "project id", "project code", "id")),
        Column("account_id", "text", True, _ACCOUNT_ID),
        Column("project_name", "text", True, ("项目名称", "项目", "project name", "project")),
        Column("status", "enum", True, ("状态", "项目状态", "status"), "project_status"),
        Column("start_date", "date", False, ("开始日期", "启动日期", "start date", "start")),
        Column("planned_end", "date", False, ("计划完成日期", "计划完成", "计划交付日期", "planned end",
                                              "scheduled delivery date")),
        Column("forecast_end", "date", False, ("预计完成", "预计完成日期", "forecast end")),
        Column("actual_end", "date", False, ("实际完成日期", "实际完成", "实际交付日期", "actual end",
                                             "delivered to client date")),
        Column("progress_pct", "percent", False, ("进度", "完成比例", "完成进度", "progress"), low=0, high=100),
        Column("contract_value", "number", False, ("项目收益", "合同金额", "项目金额", "contract value",
                                                    "line item value")),
        Column("feedback_score", "number", False, ("客户反馈", "反馈评分", "feedback", "feedback score"), low=1, high=5),
        Column("issue_note", "text", False, ("问题说明", "问题", "issue", "issue note")),
    ), "start_date"),
    "interactions": TableSpec("interactions", "服务与回访", "Service and contacts", ("interaction_id",), (
        Column("interaction_id", "text", True, ("编号", "记录编号", "工单号", "工单编号", "投诉编号", "interaction id", "ticket", "ticket id", "case number", "case id")),
        Column("account_id", "text", True, _ACCOUNT_ID),
        Column("kind", "enum", True, ("类型", "方式", "联系方式", "工单类型", "服务类型", "kind", "type", "case type", "ticket type"), "kind"),
        Column("opened_at", "timestamp", True, ("发生时间", "开始时间", "日期", "时间", "创建时间", "建单时间", "受理时间", "提交时间", "opened at", "date", "opened", "date/time opened", "created at")),
        Column("first_response_at", "timestamp", False, ("首次响应时间", "响应时间", "首次回复时间", "first response", "first response at", "first response time")),
        Column("resolved_at", "timestamp", False, ("解决时间", "处理完成时间", "关闭时间", "resolved at", "resolved", "date/time closed", "closed at")),
        Column("owner", "text", False, _OWNER),
        Column("note", "text", False, ("备注", "内容", "说明", "note", "notes")),
    ), "opened_at"),
    "opportunities": TableSpec("opportunities", "商机", "Opportunities", ("opportunity_id",), (
        Column("opportunity_id", "text", True, ("商机编号", "商机id", "opportunity id", "opportunity", "id", "deal id", "record id")),
        Column("account_id", "text", False, _ACCOUNT_ID),
        Column("prospect_name", "text", False, ("潜在客户", "潜在客户名称", "prospect", "prospect name")),
        Column("stage", "enum", True, ("阶段", "销售阶段", "商机阶段", "stage", "deal stage"), "stage"),
        Column("lost_at_stage", "enum", False, ("丢单阶段", "lost at stage"), "stage"),
        Column("stage_changed_on", "date", False, ("阶段变更日期", "stage changed on", "last stage change")),
        Column("amount", "number", False, ("金额", "预计金额", "商机金额", "预计成交金额", "amount", "deal amount"), low=0),
        Column("probability", "fraction", False, ("赢率", "概率", "成交概率", "赢单率", "probability", "probability (%)"), low=0, high=1),
        Column("created_on", "date", False, ("创建日期", "创建时间", "created on", "created", "created date", "create date")),
        Column("closed_on", "date", False, ("关闭日期", "结单日期", "closed on", "closed", "close date")),
    ), "created_on"),
}
assert set(TABLES) == set(store.DATA_TABLES)


#: when several headers could be the amount, the money actually received wins over what was invoiced or
#: ordered: words of each family, best first (matched in the normalised header)
MONEY_FAMILIES = (("实收", "实付", "实际支付", "net"), ("成交", "销售额", "销售金额", "金额", "收入", "amount", "sales", "revenue"),
                  ("应收", "应付", "总金额", "订单金额", "gross", "total"))


def money_rank(header: str) -> int:
    """The family of a money header (0: received or paid, 1: sales, 2: receivable, gross or order total;
    3: none), by the first family whose word it holds."""
    form = normalise_header(header)
    return next((rank for rank, words in enumerate(MONEY_FAMILIES) if any(w in form for w in words)), len(MONEY_FAMILIES))


def normalise_header(text: str) -> str:
    """A header reduced for matching: lower case, no spaces, underscores or punctuation."""
    return re.sub(r"[\s_\-/().()#:：·]+", "", str(text or "")).lower()


def known_headers() -> set[str]:
    """Every alias and canonical name of every table, normalised (helps find the header row)."""
    names: set[str] = set()
    for spec in TABLES.values():
        for column in spec.columns:
            names.add(normalise_header(column.name))
            names.update(normalise_header(a) for a in column.aliases)
    return names


#: one example row per table for the downloadable templates (canonical column -> value)
EXAMPLES: dict[str, dict[str, object]] = {
    "accounts": {"account_id": "C00001", "account_name": "上海示例机械有限公司", "industry": "制造业", "scale": "大型",
                 "region": "华东", "city": "上海", "owner": "张伟", "group_name": "示例集团", "is_key_account": "是",
                 "cooperation_start": "2019-03-01", "status": "活跃", "churned_on": "", "referred_by": ""},
    "sales": {"order_id": "SO2025000001", "line_no": 1, "account_id": "C00001", "order_date": "2025-01-05",
              "product": "智能阀门 V200", "product_line": "工业自动化", "channel": "直销", "quantity": 10,
              "amount": "12,500.00", "cost": "8,100.00"},
    "targets": {"period": "2025Q1", "level": "客户经理", "key": "张伟", "revenue_target": "1,200,000", "volume_target": 900},
    "survey_items": {"item_code": "P1", "dimension": "产品", "label_zh": "产品质量", "label_en": "Product quality",
                     "weight": 1.5, "scale_min": 1, "scale_max": 5, "target_index": 85},
    "survey_waves": {"wave": "2025H1", "sent": 120, "sent_on": "2025-06-01"},
    "survey_responses": {"response_id": "W2025H1-0001", "item_code": "P1", "account_id": "C00001",
                         "survey_date": "2025-06-10", "wave": "2025H1", "respondent_role": "采购", "score": 4,
                         "competitor_score": 3, "comment": "交货及时"},
    "projects": {"project_id": "P0001", "account_id": "C00001", "project_name": "产线自动化改造二期", "status": "进行中",
                 "start_date": "2025-02-01", "planned_end": "2025-09-30", "forecast_end": "2025-10-15", "actual_end": "",
                 "progress_pct": 60, "contract_value": "850,000", "feedback_score": "", "issue_note": "接口调试延期"},
    "interactions": {"interaction_id": "I000001", "account_id": "C00001", "kind": "投诉", "opened_at": "2025-03-03 09:30",
                     "first_response_at": "2025-03-03 11:00", "resolved_at": "2025-03-05 17:00", "owner": "张伟",
                     "note": "交货延迟"},
    "opportunities": {"opportunity_id": "OPP00001", "account_id": "C00001", "prospect_name": "", "stage": "提案",
                      "lost_at_stage": "", "stage_changed_on": "2025-03-10", "amount": "500,000", "probability": "40%",
                      "created_on": "2025-01-20", "closed_on": ""},
}
assert set(EXAMPLES) == set(TABLES)


def template_headers(table: str, lang: str) -> list[str]:
    """The template's headers: the first Chinese alias in Chinese, the canonical name in English."""
    spec = TABLES[table]
    out = []
    for column in spec.stored:
        chinese = next((a for a in column.aliases if any("\u4e00" <= ch <= "\u9fff" for ch in a)), column.name)
        out.append(chinese if lang == "zh" else column.name)
    return out


def build_template(table: str, lang: str, fmt: str) -> bytes:
    """A template file for ``table``: headers in ``lang`` and one example row, as CSV (UTF-8 with BOM, so
    Excel opens it correctly) or XLSX."""
    spec = TABLES[table]
    headers = template_headers(table, lang)
    row = [EXAMPLES[table].get(c.name, "") for c in spec.stored]
    if fmt == "csv":
        import csv
        import io

        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(headers)
        writer.writerow(row)
        return buffer.getvalue().encode("utf-8-sig")
    if fmt == "xlsx":
        import io

        import openpyxl

        book = openpyxl.Workbook()
        sheet = book.active
        sheet.title = spec.label_zh if lang == "zh" else spec.label_en
        sheet.append(headers)
        sheet.append(row)
        binary = io.BytesIO()
        book.save(binary)
        return binary.getvalue()
    raise ValueError(f"format must be csv or xlsx, not {fmt!r}")
