"""Every code list of the domain, declared once: its codes (what the database stores), the foreign
labels an import accepts for each code (Chinese and English, matched after lower-casing), and the
catalogue key prefix of its display labels (``t(f"{label_key}.{code}")``).

The store's CHECK constraints, the importer's recoding (``kam_metrics.ingest.spec.ENUMS``), the editors'
select boxes and the pages' labels all read these lists, so a code added here is known everywhere
(docs/data-model.md#code-lists).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class CodeList:
    """One closed vocabulary: ``codes`` in display order, ``aliases`` (foreign label -> code) and the
    catalogue prefix ``label_key`` (empty when the codes are not shown by label)."""

    name: str
    codes: tuple[str, ...]
    aliases: Mapping[str, str] = field(default_factory=dict)
    label_key: str = ""

    def __iter__(self) -> Iterator[str]:
        return iter(self.codes)

    def __contains__(self, code: object) -> bool:
        return code in self.codes

    def recoding(self) -> dict[str, str]:
        """Every accepted spelling -> code: each code itself and every alias."""
        return {**{code: code for code in self.codes}, **dict(self.aliases)}


SCALE = CodeList("scale", ("large", "medium", "small"), {
    "大型": "large", "大": "large", "中型": "medium", "中": "medium", "小型": "small", "小": "small",
}, "scale")
ACCOUNT_STATUS = CodeList("account_status", ("active", "churned"), {
    "活跃": "active", "正常": "active", "合作中": "active", "流失": "churned", "已流失": "churned", "lost": "churned",
}, "status")
#: target levels, broadest first (the targets editor offers them in this order)
TARGET_LEVEL = CodeList("level", ("company", "owner", "region", "product_line", "account"), {
    "公司": "company", "客户经理": "owner", "负责人": "owner", "客户": "account", "区域": "region",
    "product line": "product_line", "产品线": "product_line",
}, "level")
SURVEY_DIMENSION = CodeList("dimension", ("product", "tech_support", "service", "process", "price", "overall"), {
    "产品": "product", "技术支持": "tech_support", "tech support": "tech_support", "服务": "service",
    "合作流程": "process", "流程": "process", "价格": "price", "总体": "overall", "总体满意度": "overall",
}, "sat.dim")
PROJECT_STATUS = CodeList("project_status", ("planned", "in_progress", "completed", "on_hold", "blocked", "cancelled"), {
    "计划中": "planned", "未开始": "planned", "in progress": "in_progress", "进行中": "in_progress",
    "已完成": "completed", "完成": "completed", "on hold": "on_hold", "暂停": "on_hold", "受阻": "blocked",
    "阻塞": "blocked", "canceled": "cancelled", "取消": "cancelled", "已取消": "cancelled",
}, "project_status")
INTERACTION_KIND = CodeList("kind", ("visit", "call", "complaint", "request", "care"), {
    "拜访": "visit", "面对面拜访": "visit", "电话回访": "call", "电话": "call", "回访": "call", "投诉": "complaint",
    "服务请求": "request", "客户关怀": "care", "关怀": "care",
    # what ticket and CRM systems call them
    "上门拜访": "visit", "meeting": "visit", "site visit": "visit", "phone call": "call", "phone": "call",
    "致电": "call", "客户投诉": "complaint", "投诉工单": "complaint", "咨询": "request", "报修": "request",
    "故障报修": "request", "售后服务": "request", "service request": "request", "inquiry": "request",
    "enquiry": "request", "incident": "request", "question": "request", "回访关怀": "care",
}, "kind")
#: the six stages of the key-account sales process, then lost; the first five are open
PIPELINE_STAGE = CodeList("stage", ("lead", "initiation", "proposal", "bidding", "negotiation", "won", "lost"), {
    "客户开发": "lead", "立项": "initiation", "提案": "proposal", "招投标": "bidding", "投标": "bidding",
    "商务谈判": "negotiation", "谈判": "negotiation", "签约实施": "won", "签约": "won", "赢单": "won", "丢单": "lost",
    # the default stages of common CRMs: Salesforce, HubSpot (labels and internal ids), 纷享销客, 销售易
    "prospecting": "lead", "appointment scheduled": "lead", "appointmentscheduled": "lead", "验证客户": "lead",
    "初步接洽": "lead", "线索": "lead", "qualification": "initiation", "needs analysis": "initiation",
    "qualified to buy": "initiation", "qualifiedtobuy": "initiation", "需求确定": "initiation", "需求分析": "initiation",
    "value proposition": "proposal", "id. decision makers": "proposal", "perception analysis": "proposal",
    "proposal/price quote": "proposal", "presentation scheduled": "proposal", "presentationscheduled": "proposal",
    "方案/报价": "proposal", "方案报价": "proposal", "报价": "proposal", "招标": "bidding",
    "negotiation/review": "negotiation", "decision maker bought-in": "negotiation",
    "decisionmakerboughtin": "negotiation", "contract sent": "negotiation", "contractsent": "negotiation",
    "谈判审核": "negotiation", "closed won": "won", "closedwon": "won", "成交": "won", "已成交": "won",
    "赢单关闭": "won", "closed lost": "lost", "closedlost": "lost", "输单": "lost", "输单关闭": "lost",
}, "stage")
BOOLEAN = CodeList("bool", ("true", "false"), {
    "yes": "true", "y": "true", "1": "true", "是": "true", "重点": "true", "√": "true",
    "no": "false", "n": "false", "0": "false", "否": "false", "": "false",
})
ROLE = CodeList("role", ("viewer", "editor", "admin"), label_key="access.role")
RISK_BAND = CodeList("band", ("red", "amber", "green"), label_key="churn.band")
ACTION_STATUS = CodeList("action_status", ("open", "in_progress", "done", "dropped"), label_key="report.status")
IMPORT_MODE = CodeList("import_mode", ("append", "upsert", "replace"))
IMPORT_STATUS = CodeList("import_status", ("committed", "rejected", "undone"))

#: the code lists an import recodes, by the name a column's ``enum`` gives
IMPORTABLE: dict[str, CodeList] = {cl.name: cl for cl in (
    SCALE, ACCOUNT_STATUS, TARGET_LEVEL, SURVEY_DIMENSION, PROJECT_STATUS, INTERACTION_KIND, PIPELINE_STAGE, BOOLEAN)}

# the code tuples under the names the rest of the code uses
#: the words of a five-point Likert answer -> its score on 1-5 (an import recodes them with a notice)
LIKERT_WORDS: Mapping[str, int] = {
    "非常满意": 5, "很满意": 5, "满意": 4, "比较满意": 4, "较满意": 4, "一般": 3, "中立": 3, "不太满意": 2,
    "不满意": 2, "非常不满意": 1, "很不满意": 1,
    "非常同意": 5, "同意": 4, "不同意": 2, "非常不同意": 1,
    "very satisfied": 5, "satisfied": 4, "neutral": 3, "dissatisfied": 2, "very dissatisfied": 1,
    "strongly agree": 5, "agree": 4, "neither agree nor disagree": 3, "disagree": 2, "strongly disagree": 1,
}

SCALES = SCALE.codes
ACCOUNT_STATUSES = ACCOUNT_STATUS.codes
TARGET_LEVELS = TARGET_LEVEL.codes
SURVEY_DIMENSIONS = SURVEY_DIMENSION.codes
PROJECT_STATUSES = PROJECT_STATUS.codes
INTERACTION_KINDS = INTERACTION_KIND.codes
PIPELINE_STAGES = PIPELINE_STAGE.codes
OPEN_STAGES = PIPELINE_STAGES[:5]
ROLES = ROLE.codes
BANDS = RISK_BAND.codes
ACTION_STATUSES = ACTION_STATUS.codes
IMPORT_MODES = IMPORT_MODE.codes
IMPORT_STATUSES = IMPORT_STATUS.codes
