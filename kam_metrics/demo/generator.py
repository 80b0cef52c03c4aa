"""A deterministic, realistic demo company (B2B supplier, amounts in CNY) at any scale.

``build_demo_database(path)`` fills every data table of docs/data-model.md with a made-up industrial supplier
whose data makes every page worth looking at: heavy-tailed account sizes (ABC gives roughly 20 % A
accounts holding 80 % of revenue), seasonality (Chinese New Year dip, Q4 peak), growing, flat, declining,
churning and new accounts, targets some owners beat and some miss, survey waves with real gaps (price and
tech support weaker, a competitor better on price), blank answers and invalid questionnaires, projects in
every status, service interactions with a long response-time tail, and a six-stage pipeline.

Determinism: everything comes from ``numpy.random.default_rng`` seeded with ``seed`` (sales chunks use
``default_rng([seed, 1, chunk])``) and the data ends on the fixed :data:`DEMO_END_DATE`, never today, so
the same seed gives the same rows forever. No ``hash()``, no set iteration order.

Scale: sales are generated in vectorised numpy chunks of :data:`CHUNK_ACCOUNTS` accounts, each inserted
by DuckDB from a pandas DataFrame; ``accounts=10000, years=5`` gives more than 10 million order lines.

Atomicity: the whole build (including, with ``force=True``, emptying the data tables - dropped and
re-created from their own stored DDL, see :func:`_empty_data_tables` - and the imports table) runs in ONE
DuckDB transaction on the target file, opened with :func:`store.open_db` (so it waits for another holder
of the file like any writer). On any error the transaction is rolled back and the database is left
exactly as it was; nobody ever sees a half-built demo. The settings table is kept. Every table gets one
import (``start_import(con, table, file_name='demo', mode='replace')``) and all its rows carry that id.

Measured (2-core AMD EPYC, bench/results/demo.md): 10000 accounts x 5 years -> 11.7 M sales rows in
about 40-45 s with a peak RSS of about 2.0 GB, primary key on sales kept.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date, timedelta
from os import PathLike
from statistics import NormalDist

import numpy as np
import pandas as pd

from kam_metrics.store import connection as store

#: The last day of the demo data (a quarter end). Fixed, so a seed always gives the same data.
DEMO_END_DATE = date(2026, 9, 30)

#: Accounts per vectorised sales chunk.
CHUNK_ACCOUNTS = 400
#: Average order lines per account-month (10000 accounts x 60 months -> > 10 M lines).
LINES_PER_ACCOUNT_MONTH = 19.5

_EPOCH = date(1970, 1, 1)
_END_DAY = (DEMO_END_DATE - _EPOCH).days

ProgressFn = Callable[[float, str], None]

# --------------------------------------------------------------------------------------------------
# Word pools
# --------------------------------------------------------------------------------------------------

OWNERS = ("张伟", "李娜", "王强", "刘洋", "陈静", "赵磊")

#: region -> (weight, cities, owner mix)
REGIONS: dict[str, tuple[float, tuple[str, ...], tuple[tuple[str, float], ...]]] = {
    "华东": (0.30, ("上海", "杭州", "南京", "苏州", "宁波", "合肥", "济南", "青岛"),
             (("张伟", 0.50), ("李娜", 0.35), ("赵磊", 0.15))),
    "华南": (0.18, ("广州", "深圳", "东莞", "佛山", "厦门", "福州"), (("王强", 0.78), ("赵磊", 0.22))),
    "华北": (0.15, ("北京", "天津", "石家庄", "太原"), (("刘洋", 0.80), ("赵磊", 0.20))),
    "华中": (0.12, ("武汉", "长沙", "郑州", "南昌"), (("李娜", 0.75), ("赵磊", 0.25))),
    "西南": (0.10, ("成都", "重庆", "昆明", "贵阳"), (("陈静", 0.85), ("赵磊", 0.15))),
    "西北": (0.07, ("西安", "兰州", "银川"), (("陈静", 0.80), ("刘洋", 0.20))),
    "东北": (0.08, ("沈阳", "大连", "长春", "哈尔滨"), (("刘洋", 0.85), ("赵磊", 0.15))),
}
REGION_NAMES = tuple(REGIONS)

#: industry -> (weight, name words, product-line preference over PRODUCT_LINES)
INDUSTRIES: dict[str, tuple[float, tuple[str, ...], tuple[float, ...]]] = {
    "制造业": (0.28, ("精密机械", "重工", "装备制造", "机电", "汽车零部件", "模具"), (0.38, 0.16, 0.16, 0.12, 0.18)),
    "电子": (0.15, ("电子", "微电子", "光电", "半导体", "电子科技", "智能硬件"), (0.32, 0.14, 0.14, 0.22, 0.18)),
    "能源": (0.12, ("能源", "电力", "新能源", "燃气", "石化", "热电"), (0.18, 0.38, 0.20, 0.12, 0.12)),
    "医药": (0.10, ("医药", "生物制药", "药业", "医疗器械", "生物科技"), (0.22, 0.26, 0.16, 0.22, 0.14)),
    "物流": (0.10, ("物流", "供应链", "仓储", "运输", "冷链物流"), (0.26, 0.10, 0.22, 0.30, 0.12)),
    "建筑": (0.09, ("建工", "建设工程", "建材", "路桥", "幕墙工程"), (0.20, 0.30, 0.24, 0.08, 0.18)),
    "零售": (0.08, ("商贸", "百货", "连锁超市", "零售", "电商"), (0.14, 0.18, 0.24, 0.34, 0.10)),
    "服务业": (0.08, ("物业服务", "酒店管理", "环境服务", "信息服务", "检测服务"), (0.12, 0.24, 0.32, 0.22, 0.10)),
}
INDUSTRY_NAMES = tuple(INDUSTRIES)

BRANDS = (
    "恒通", "华信", "中联", "东升", "金鼎", "宏达", "天成", "瑞丰", "永盛", "鑫源", "博远", "嘉禾", "明德", "泰和",
    "安达", "立信", "卓越", "盛世", "兴业", "华宇", "国泰", "锦程", "德润", "信达", "远航", "宝城", "新纪元", "长青",
    "汇通", "鼎盛", "中科", "华晨", "凯瑞", "富源", "利民", "海纳", "精工", "昌盛", "天佑", "万达通", "众诚", "和信",
    "启明", "光华", "正元", "同创", "宏图", "元亨", "联合", "诚泰", "华康", "润禾", "金桥", "晨光", "通达", "蓝海",
    "佳和", "睿智", "恒信", "广源", "恒昌", "久安", "大成", "新星", "三友", "北辰", "南方", "星河", "云帆", "振华",
    "腾飞", "世纪", "四方", "美联", "安泰", "长城", "德邦", "天宏", "宇航", "红星",
)
SUFFIXES = ("有限公司", "股份有限公司", "集团股份有限公司", "科技有限公司")
SUFFIX_P = (0.50, 0.20, 0.10, 0.20)

PRODUCT_LINES = ("工业自动化", "智能仪表", "运维服务", "软件平台", "备品备件")
#: product line -> cost ratio (share of amount)
COST_RATIO = (0.72, 0.64, 0.58, 0.56, 0.77)
#: (product, product line index, list price CNY, typical quantity per line)
PRODUCTS = (
    ("PLC控制器 CP-300", 0, 8600.0, 4),
    ("伺服驱动器 SD-20", 0, 4200.0, 6),
    ("变频器 VF-55", 0, 3100.0, 8),
    ("机器人控制柜 RC-1", 0, 68000.0, 1),
    ("触摸屏 HMI-10", 0, 2400.0, 6),
    ("智能电表 EM-3", 1, 680.0, 40),
    ("压力变送器 PT-100", 1, 1500.0, 15),
    ("电磁流量计 FM-50", 1, 5200.0, 5),
    ("温度控制仪 TC-8", 1, 950.0, 20),
    ("气体分析仪 GA-2", 1, 23000.0, 1),
    ("年度维保服务", 2, 36000.0, 1),
    ("现场技术服务(人天)", 2, 2800.0, 5),
    ("远程运维服务(月)", 2, 6000.0, 2),
    ("设备巡检服务", 2, 4500.0, 3),
    ("技术培训(人天)", 2, 3200.0, 2),
    ("MES软件许可", 3, 120000.0, 1),
    ("SCADA软件许可", 3, 56000.0, 1),
    ("能源管理平台订阅", 3, 18000.0, 1),
    ("设备管理APP订阅", 3, 4800.0, 5),
    ("软件升级包", 3, 9000.0, 2),
    ("继电器模块", 4, 180.0, 50),
    ("传感器探头", 4, 420.0, 30),
    ("电源模块", 4, 560.0, 20),
    ("通讯模块", 4, 880.0, 15),
    ("线缆组件", 4, 95.0, 100),
    ("滤网耗材", 4, 60.0, 200),
)
PRODUCT_NAMES = tuple(p[0] for p in PRODUCTS)
CHANNELS = ("直销", "经销商", "线上")

#: Calendar-month seasonality: Chinese New Year dip in Jan/Feb, Q4 peak.
SEASON = np.array([0.80, 0.58, 1.02, 1.00, 1.00, 1.06, 0.94, 0.92, 1.06, 1.02, 1.14, 1.32])

#: (item_code, dimension, label_zh, label_en, weight, scale_min, scale_max, target_index)
SURVEY_ITEMS = (
    ("P1", "product", "产品质量", "Product quality", 1.5, 1, 5, 85.0),
    ("P2", "product", "产品稳定性", "Product reliability", 1.0, 1, 5, None),
    ("P3", "product", "产品功能满足需求", "Product fit to needs", 1.0, 1, 5, None),
    ("T1", "tech_support", "技术支持响应", "Tech support responsiveness", 1.5, 1, 5, 85.0),
    ("T2", "tech_support", "技术人员专业能力", "Engineer competence", 1.0, 1, 5, None),
    ("T3", "tech_support", "问题解决效果", "Problem resolution", 1.0, 1, 5, None),
    ("S1", "service", "交货及时性", "On-time delivery", 1.5, 1, 5, 85.0),
    ("S2", "service", "售后服务", "After-sales service", 1.0, 1, 5, None),
    ("S3", "service", "客户经理沟通", "Account manager communication", 1.0, 1, 5, None),
    ("R1", "process", "订单处理效率", "Order processing efficiency", 1.0, 1, 5, None),
    ("R2", "process", "合同与对账流程", "Contract and billing process", 0.8, 1, 5, None),
    ("J1", "price", "价格竞争力", "Price competitiveness", 1.2, 1, 5, None),
    ("J2", "price", "性价比", "Value for money", 1.0, 1, 5, None),
    ("O1", "overall", "总体满意度", "Overall satisfaction", 1.0, 1, 5, None),
    ("NPS", "overall", "推荐意愿", "Likelihood to recommend", 1.0, 0, 10, None),
)
_DIM_OFFSET = {"product": 0.30, "tech_support": -0.35, "service": 0.15, "process": 0.0, "price": -0.50, "overall": 0.0}
_COMPETITOR_OFFSET = {"product": 0.0, "tech_support": 0.20, "service": -0.10, "process": 0.0, "price": 0.40,
                      "overall": 0.05}
ROLES = ("采购", "技术", "管理层")
COMMENTS_GOOD = (
    "产品质量稳定，希望继续保持。", "客户经理响应及时，沟通顺畅。", "交货准时，整体合作满意。",
    "技术方案专业，对我们帮助很大。", "希望明年在新产线项目上深化合作。",
)
COMMENTS_MID = (
    "整体还可以，价格方面希望再有优惠。", "部分备件交期偏长，希望改进。", "希望提供更多培训资料。",
    "对账流程略繁琐，建议线上化。", "技术支持有时需要等待较久。",
)
COMMENTS_BAD = (
    "价格明显高于竞争对手，正在评估其他供应商。", "技术问题多次反馈仍未彻底解决。", "售后响应太慢，影响生产。",
    "交货多次延误，请重视。", "沟通不及时，问题处理效率低。",
)

PROJECT_BASES = (
    "产线自动化改造", "MES系统升级", "智能仪表替换", "设备运维外包", "备件库存优化", "能源管理平台建设",
    "质量追溯系统", "仓储自动化", "数据采集平台", "SCADA系统改造", "预测性维护试点", "配电智能化改造",
)
PROJECT_PHASES = ("", "一期", "二期", "三期")
ISSUE_NOTES = (
    "技术接口问题待解决", "客户现场条件未就绪", "关键设备到货延迟", "需求变更待确认", "客户预算审批中",
    "第三方系统对接受阻", "验收标准存在分歧",
)
HOLD_NOTES = ("客户预算冻结，项目暂停", "客户组织调整，暂缓实施", "等待客户新厂房建成")

INTERACTION_NOTES = {
    "visit": ("季度拜访，沟通年度采购计划", "拜访采购负责人，介绍新产品", "现场走访产线，了解扩产需求",
              "高层拜访，回顾合作情况", "技术交流会"),
    "call": ("电话回访，了解设备运行情况", "电话回访，确认交货满意度", "电话沟通下季度需求", "回访上次服务请求处理结果"),
    "complaint": ("设备故障频发，要求现场处理", "交货延误，影响生产计划", "发票与合同金额不符", "备件质量问题，申请退换",
                  "技术支持响应慢", "价格上调未提前通知"),
    "request": ("申请现场技术支持", "索取产品技术资料", "申请操作培训", "咨询软件升级", "申请备件加急发货",
                "申请延长质保"),
    "care": ("春节问候及礼品寄送", "中秋节问候", "合作周年致谢", "邀请参加客户答谢会"),
}
PROBABILITY = {"lead": 0.1, "initiation": 0.2, "proposal": 0.4, "bidding": 0.5, "negotiation": 0.7, "won": 1.0,
               "lost": 0.0}


# --------------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------------

def _day(d: date) -> int:
    return (d - _EPOCH).days


def _date(day: int) -> date:
    return _EPOCH + timedelta(days=int(day))


def _add_months(d: date, months: int) -> date:
    y, m = divmod(d.year * 12 + d.month - 1 + months, 12)
    return date(y, m + 1, 1)


def _month_days(first_days: np.ndarray) -> np.ndarray:
    """Days in each month, given the epoch day of each month's first day."""
    firsts = first_days.astype("datetime64[D]")
    nexts = (firsts.astype("datetime64[M]") + 1).astype("datetime64[D]")
    return (nexts - firsts).astype(np.int64)


def _to_dates(days: np.ndarray) -> np.ndarray:
    """Epoch days (int, -1 for missing) to datetime64[s] with NaT for missing."""
    out = (np.asarray(days, dtype=np.int64) * 86400).astype("datetime64[s]")
    out[np.asarray(days) < 0] = np.datetime64("NaT")
    return out


class _Namer:
    """Unique Chinese company names: city + brand + industry word + suffix."""

    def __init__(self, rng: np.random.Generator, reserved_brands: tuple[str, ...] = ()):
        self.rng = rng
        self.used: set[str] = set()  # membership tests only, never iterated
        self.brands = tuple(b for b in BRANDS if b not in reserved_brands)

    def name(self, city: str, industry: str, brand: str | None = None) -> str:
        words = INDUSTRIES[industry][1]
        for attempt in range(200):
            b = brand if brand is not None and attempt < 60 else self.brands[self.rng.integers(len(self.brands))]
            word = words[self.rng.integers(len(words))]
            suffix = SUFFIXES[self.rng.choice(len(SUFFIXES), p=SUFFIX_P)]
            if word.endswith("科技") and suffix == "科技有限公司":
                suffix = "有限公司"
            candidate = f"{city}{b}{word}{suffix}"
            if candidate not in self.used:
                self.used.add(candidate)
                return candidate
        # Practically unreachable; still unique and deterministic.
        candidate = f"{city}{brand or self.brands[0]}{words[0]}{len(self.used)}号有限公司"
        self.used.add(candidate)
        return candidate


# --------------------------------------------------------------------------------------------------
# Accounts
# --------------------------------------------------------------------------------------------------

def _account_sizes(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Make every account's heavy-tailed size (mean 1) and its size percentile."""
    # Stratified lognormal quantiles (stable ABC shape for any seed) plus noise.
    nd = NormalDist()
    z = np.array([nd.inv_cdf((k + 0.5) / n) for k in range(n)])
    size = np.exp(2.0 * z[rng.permutation(n)] + rng.normal(0.0, 0.12, n))
    size /= size.mean()
    size_pct = np.empty(n)
    size_pct[np.argsort(size, kind="stable")] = (np.arange(n) + 0.5) / n
    return size, size_pct


def _account_territories(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Make every account's region index, city and owner, with all six owners present."""
    reg_w = np.array([REGIONS[r][0] for r in REGION_NAMES])
    region = rng.choice(len(REGION_NAMES), size=n, p=reg_w / reg_w.sum())
    city = np.empty(n, dtype=object)
    owner = np.empty(n, dtype=object)
    u_city = rng.random(n)
    u_owner = rng.random(n)
    for i in range(n):
        _, cities, district_mix = REGIONS[REGION_NAMES[region[i]]]
        city[i] = cities[min(int(u_city[i] * len(cities)), len(cities) - 1)]
        acc = 0.0
        owner[i] = district_mix[-1][0]
        for name, p in district_mix:
            acc += p
            if u_owner[i] < acc:
                owner[i] = name
                break
    # Exactly six owners: hand any missing owner an account of the busiest owner.
    for o in OWNERS:
        if not (owner == o).any():
            counts = [(int((owner == x).sum()), x) for x in OWNERS]
            busiest = max(counts)[1]
            owner[int(np.flatnonzero(owner == busiest)[-1])] = o
    return region, city, owner


def _account_trajectories(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Make every account's trajectory kind and yearly growth rate."""
    # Trajectories: 0 flat, 1 growing, 2 declining, 3 churned (marked), 4 silent churn (stopped recently),
    # 5 new. Counts are fixed so that a small demo still has every kind.
    order = rng.permutation(n)
    n_churn = max(2, round(0.07 * n))
    n_silent = max(1, round(0.015 * n))
    n_new = max(2, round(0.08 * n))
    kind = np.zeros(n, dtype=np.int8)
    kind[order[:n_churn]] = 3
    kind[order[n_churn:n_churn + n_silent]] = 4
    kind[order[n_churn + n_silent:n_churn + n_silent + n_new]] = 5
    rest = order[n_churn + n_silent + n_new:]
    u = rng.random(len(rest))
    kind[rest] = np.where(u < 0.32, 1, np.where(u < 0.70, 0, 2))
    growth = np.select(
        [kind == 0, kind == 1, kind == 2, kind == 5],
        [rng.uniform(-0.04, 0.06, n), rng.uniform(0.08, 0.35, n), rng.uniform(-0.30, -0.08, n),
         rng.uniform(0.05, 0.40, n)],
        default=rng.uniform(-0.15, 0.03, n),
    )
    return kind, growth


def _account_coop_starts(rng: np.random.Generator, n: int, kind: np.ndarray, data_start: date) -> np.ndarray:
    """Make every account's cooperation start day (new accounts start inside the data window)."""
    # Existing accounts up to 12 years back, new ones inside the data window
    # (about half of them within the last year so the <1 year tenure band exists).
    end = DEMO_END_DATE
    start_day, end_day = _day(data_start), _END_DAY
    oldest = min(_day(end.replace(year=end.year - 12)), start_day - 730)
    coop = rng.integers(oldest, start_day - 30, n)
    new_idx = np.flatnonzero(kind == 5)
    recent_lo = max(start_day + 60, end_day - 330)
    for j, i in enumerate(new_idx.tolist()):
        if j % 2 == 0 or start_day + 60 >= end_day - 365:
            coop[i] = int(rng.integers(recent_lo, end_day - 45))
        else:
            coop[i] = int(rng.integers(start_day + 60, end_day - 365))
    return coop


def _account_order_months(
    rng: np.random.Generator, n: int, kind: np.ndarray, coop: np.ndarray, data_start: date, months: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Make the window's month starts and every account's first and last order month and fade length."""
    # Months (index into the data window) in which each account may order.
    month_first = np.array([_day(_add_months(data_start, m)) for m in range(months + 1)])
    new_idx = np.flatnonzero(kind == 5)
    first_month = np.zeros(n, dtype=np.int64)
    first_month[new_idx] = np.searchsorted(month_first, coop[new_idx], side="right")  # month after coop month
    last_month = np.full(n, months - 1, dtype=np.int64)
    churn_idx = np.flatnonzero(kind == 3)
    lo = min(6, months - 5)
    for i in churn_idx.tolist():
        last_month[i] = int(rng.integers(lo, months - 4))  # last order month; +90 days is before the end
    last_month[kind == 4] = months - 2
    fade_len = rng.integers(6, 10, n)
    return month_first, first_month, last_month, fade_len


def _account_groups(rng: np.random.Generator, n: int) -> tuple[np.ndarray, list[str], np.ndarray]:
    """Make every account's group index (-1 for none), the group brands and every account's group name."""
    # Group membership (~15 %): a few groups of 2-6 accounts sharing a brand.
    group = np.full(n, -1, dtype=np.int64)
    n_grouped_target = max(4, round(0.15 * n))
    cand = rng.permutation(n)
    group_brands: list[str] = []
    brand_order = rng.permutation(len(BRANDS))
    pos = 0
    while pos < n_grouped_target and len(group_brands) < len(BRANDS) // 2:
        k = int(rng.integers(2, 7))
        members = cand[pos:pos + k]
        group[members] = len(group_brands)
        group_brands.append(BRANDS[brand_order[len(group_brands)]])
        pos += k
    group_name = np.array([f"{group_brands[g]}集团" if g >= 0 else None for g in group], dtype=object)
    return group, group_brands, group_name


def _account_names(rng: np.random.Generator, city: np.ndarray, industry: np.ndarray, group: np.ndarray,
                   group_brands: list[str]) -> np.ndarray:
    """Make every account's unique company name, group members carrying their group's brand."""
    namer = _Namer(rng, reserved_brands=tuple(group_brands))
    n = len(city)
    names = np.empty(n, dtype=object)
    for i in range(n):
        brand = group_brands[group[i]] if group[i] >= 0 else None
        names[i] = namer.name(city[i], INDUSTRY_NAMES[industry[i]], brand)
    return names


def _account_referrals(rng: np.random.Generator, n: int, coop: np.ndarray) -> np.ndarray:
    """Make every account's referring account id (~8 %, always one that started earlier) or None."""
    referred_by = np.full(n, None, dtype=object)
    by_start = np.argsort(coop, kind="stable")
    n_ref = max(1, round(0.08 * n))
    pick = rng.choice(np.arange(max(1, n // 5), n), size=min(n_ref, n - max(1, n // 5)), replace=False)
    for r in np.sort(pick):
        i = by_start[r]
        referred_by[i] = f"C{by_start[rng.integers(0, r)] + 1:05d}"
    return referred_by


def _account_commerce(rng: np.random.Generator, n: int, scale: np.ndarray,
                      industry: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Make every account's main channel, product-line mix and discount."""
    main_channel = np.where(
        scale == "large", 0, np.where(scale == "medium", rng.choice(3, n, p=[0.5, 0.4, 0.1]),
                                      rng.choice(3, n, p=[0.2, 0.5, 0.3])))
    mix = np.empty((n, len(PRODUCT_LINES)))
    for i in range(n):
        mix[i] = rng.dirichlet(np.array(INDUSTRIES[INDUSTRY_NAMES[industry[i]]][2]) * 8.0)
    discount = np.where(scale == "large", rng.uniform(0.06, 0.12, n),
                        np.where(scale == "medium", rng.uniform(0.03, 0.08, n), rng.uniform(0.0, 0.05, n)))
    return main_channel, mix, discount


def _make_accounts(rng: np.random.Generator, n: int, years: int) -> dict:
    """Every per-account attribute as numpy arrays (index i is account C{i+1:05d})."""
    data_start = _add_months(DEMO_END_DATE, -12 * years + 1).replace(day=1)
    months = 12 * years
    size, size_pct = _account_sizes(rng, n)
    region, city, owner = _account_territories(rng, n)
    ind_w = np.array([INDUSTRIES[k][0] for k in INDUSTRY_NAMES])
    industry = rng.choice(len(INDUSTRY_NAMES), size=n, p=ind_w / ind_w.sum())

    # Scale code from size, with a little noise.
    noisy = size_pct + rng.normal(0, 0.07, n)
    scale = np.where(noisy > 0.84, "large", np.where(noisy > 0.48, "medium", "small")).astype(object)

    kind, growth = _account_trajectories(rng, n)
    coop = _account_coop_starts(rng, n, kind, data_start)
    month_first, first_month, last_month, fade_len = _account_order_months(rng, n, kind, coop, data_start, months)
    group, group_brands, group_name = _account_groups(rng, n)
    names = _account_names(rng, city, industry, group, group_brands)
    referred_by = _account_referrals(rng, n, coop)
    main_channel, mix, discount = _account_commerce(rng, n, scale, industry)
    return {
        "n": n, "years": years, "months": months, "data_start": data_start, "month_first": month_first,
        "size": size, "size_pct": size_pct, "region": region, "city": city, "owner": owner,
        "industry": industry, "scale": scale, "kind": kind, "growth": growth, "coop": coop,
        "first_month": first_month, "last_month": last_month, "fade_len": fade_len, "group_name": group_name,
        "names": names, "referred_by": referred_by, "main_channel": main_channel, "mix": mix,
        "discount": discount, "ids": np.array([f"C{i + 1:05d}" for i in range(n)], dtype=object),
    }


# --------------------------------------------------------------------------------------------------
# Sales
# --------------------------------------------------------------------------------------------------

_LINES_P = np.array([0.26, 0.22, 0.19, 0.15, 0.10, 0.08])  # 1..6 lines per order
_MEAN_LINES = float((_LINES_P * np.arange(1, 7)).sum())
_ORDER_EXP = 0.75  # orders per month grow with size**0.75, quantities with size**0.25
_QTY_SCALE = 0.8


def _order_counts(rng: np.random.Generator, acc: dict) -> np.ndarray:
    """Orders per (account, month) as an int matrix, with trajectories, seasonality, churn and ramp-up."""
    n, months = acc["n"], acc["months"]
    m = np.arange(months)
    cal_month = (acc["data_start"].month - 1 + m) % 12
    base = acc["size"] ** _ORDER_EXP
    base = np.maximum(base, 0.03 * base.mean())  # even the smallest account orders a few times a year
    trend = (1.0 + acc["growth"][:, None]) ** ((m[None, :] - months / 2) / 12.0)
    lam = base[:, None] * SEASON[cal_month][None, :] * trend
    lam *= np.exp(rng.normal(0.0, 0.15, (n, months)))
    fm, lm = acc["first_month"][:, None], acc["last_month"][:, None]
    ramp = np.clip((m[None, :] - fm + 1) / 6.0, 0.0, 1.0)
    lam *= np.where(acc["kind"][:, None] == 5, ramp, 1.0)
    fade = np.clip((lm - m[None, :]) / acc["fade_len"][:, None], 0.0, 1.0) * 0.85 + 0.15
    lam *= np.where(np.isin(acc["kind"], (3, 4))[:, None], fade, 1.0)
    active = (m[None, :] >= fm) & (m[None, :] <= lm)
    lam *= active
    lam *= LINES_PER_ACCOUNT_MONTH * n * months / _MEAN_LINES / lam.sum()
    counts = rng.poisson(lam)
    # A churner's last order month holds at least one order, so its last order date is known exactly.
    stopping = np.flatnonzero(np.isin(acc["kind"], (3, 4)))
    counts[stopping, acc["last_month"][stopping]] = np.maximum(counts[stopping, acc["last_month"][stopping]], 1)
    return counts


def _chunk_order_days(rng: np.random.Generator, acc: dict, flat: np.ndarray, a_idx: np.ndarray,
                      m_idx: np.ndarray) -> np.ndarray:
    """Make each order's epoch day, sorted by date within its account-month."""
    month_first = acc["month_first"]
    mdays = _month_days(month_first[:-1])
    first = month_first[m_idx]
    ndays = np.minimum(mdays[m_idx], _END_DAY - first + 1)
    day = first + (rng.random(len(a_idx)) * ndays).astype(np.int64)
    # New accounts: never before their cooperation start.
    day = np.maximum(day, acc["coop"][a_idx] + 1)
    day = np.minimum(day, _END_DAY)
    # Order numbers follow the dates within an account-month.
    o = np.lexsort((day, np.repeat(np.arange(len(flat)), flat)))
    return day[o]


def _line_products(rng: np.random.Generator, acc: dict, la: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Make each order line's product-line index (from the account's mix) and product index."""
    n_lines = len(la)
    cum = np.cumsum(acc["mix"][la], axis=1)
    pl = (rng.random(n_lines)[:, None] > cum[:, :-1]).sum(axis=1)
    pl_of_product = np.array([p[1] for p in PRODUCTS])
    pl_start = np.searchsorted(pl_of_product, np.arange(len(PRODUCT_LINES)))
    pl_count = np.bincount(pl_of_product, minlength=len(PRODUCT_LINES))
    prod = pl_start[pl] + (rng.random(n_lines) * pl_count[pl]).astype(np.int64)
    return pl, prod


def _line_amounts(rng: np.random.Generator, acc: dict, la: np.ndarray, pl: np.ndarray,
                  prod: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Make each order line's quantity, amount, cost and sign (-1 for the few return lines)."""
    n_lines = len(la)
    price = np.array([p[2] for p in PRODUCTS])[prod]
    base_qty = np.array([p[3] for p in PRODUCTS], dtype=float)[prod]
    q_scale = acc["size"] ** (1.0 - _ORDER_EXP) * _QTY_SCALE
    qty = np.maximum(1.0, np.round(base_qty * q_scale[la] * rng.lognormal(0.0, 0.5, n_lines)))
    disc = np.clip(acc["discount"][la] + rng.normal(0.0, 0.01, n_lines), 0.0, 0.2)
    amount = np.round(qty * price * (1.0 - disc), 2)
    ratio = np.clip(np.array(COST_RATIO)[pl] + rng.normal(0.0, 0.03, n_lines), 0.55, 0.80)
    cost = np.round(amount * ratio, 2)
    # A few return lines.
    ret = rng.random(n_lines) < 0.002
    sign = np.where(ret, -1.0, 1.0)
    return qty, amount, cost, sign


def _sales_chunk(rng: np.random.Generator, acc: dict, counts: np.ndarray, seq0: np.ndarray,
                 lo: int, hi: int) -> tuple[pd.DataFrame, np.ndarray]:
    """Order lines of accounts lo..hi-1; returns the frame and each account's last order day."""
    months = acc["months"]
    c = counts[lo:hi]
    flat = c.ravel()
    n_orders = int(flat.sum())
    a_idx = np.repeat(np.repeat(np.arange(lo, hi), months), flat)
    m_idx = np.repeat(np.tile(np.arange(months), hi - lo), flat)
    group_start = np.repeat(np.cumsum(flat) - flat, flat)
    k_in_group = np.arange(n_orders) - group_start
    seq = np.repeat(seq0[lo:hi].ravel(), flat) + k_in_group + 1

    day = _chunk_order_days(rng, acc, flat, a_idx, m_idx)
    # The year in an order id is the month's year (orders of a month keep their numbering).
    year = (acc["month_first"][m_idx].astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64)
            + 1970).astype(np.int16)

    u = rng.random(n_orders)
    channel = np.where(u < 0.85, acc["main_channel"][a_idx], rng.integers(0, 3, n_orders))

    k = rng.choice(6, size=n_orders, p=_LINES_P) + 1
    n_lines = int(k.sum())
    line_order = np.repeat(np.arange(n_orders), k)
    line_no = (np.arange(n_lines) - np.repeat(np.cumsum(k) - k, k) + 1).astype(np.int32)
    la = a_idx[line_order]
    pl, prod = _line_products(rng, acc, la)
    qty, amount, cost, sign = _line_amounts(rng, acc, la, pl, prod)

    last_day = np.full(hi - lo, -1, dtype=np.int64)
    np.maximum.at(last_day, a_idx - lo, day)

    frame = pd.DataFrame({
        "oy": year[line_order],
        "oseq": seq[line_order].astype(np.int64),
        "line_no": line_no,
        "account_id": pd.Categorical.from_codes(la, categories=acc["ids"]),
        "od": day[line_order].astype(np.int32),
        "product": pd.Categorical.from_codes(prod, categories=PRODUCT_NAMES),
        "product_line": pd.Categorical.from_codes(pl, categories=PRODUCT_LINES),
        "channel": pd.Categorical.from_codes(channel[line_order], categories=CHANNELS),
        "quantity": qty * sign,
        "amount": amount * sign,
        "cost": cost * sign,
    })
    return frame, last_day


def _order_seq_offsets(acc: dict, counts: np.ndarray) -> np.ndarray:
    """Per (account, month) the order number before its first order, numbered per year by month then account."""
    n, months = counts.shape
    by_month = counts.T.ravel()  # month-major
    excl = (np.cumsum(by_month) - by_month).reshape(months, n)
    month_year = (acc["month_first"][:-1].astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64))
    year_first_month = np.array([int(np.flatnonzero(month_year == y)[0]) for y in month_year])
    return (excl - excl[year_first_month, :1]).T.copy()


def _insert_sales(con, rng_seed: int, acc: dict, import_id: int, progress: ProgressFn) -> tuple[int, np.ndarray]:
    counts = _order_counts(np.random.default_rng([rng_seed, 1, 0]), acc)
    seq0 = _order_seq_offsets(acc, counts)
    n = acc["n"]
    last_day = np.full(n, -1, dtype=np.int64)
    total = 0
    n_chunks = math.ceil(n / CHUNK_ACCOUNTS)
    sql = (
        "insert into sales select printf('SO%04d%06d', oy, oseq), line_no, account_id, "
        "date '1970-01-01' + od, product, product_line, channel, quantity, amount, cost, "
        f"{int(import_id)} from demo_chunk"
    )
    for ci in range(n_chunks):
        lo, hi = ci * CHUNK_ACCOUNTS, min(n, (ci + 1) * CHUNK_ACCOUNTS)
        frame, last = _sales_chunk(np.random.default_rng([rng_seed, 1, ci + 1]), acc, counts, seq0, lo, hi)
        last_day[lo:hi] = last
        con.register("demo_chunk", frame)
        try:
            con.execute(sql)
        finally:
            con.unregister("demo_chunk")
        total += len(frame)
        del frame
        progress(0.05 + 0.75 * (ci + 1) / n_chunks, f"销售明细 sales: {total:,} rows")
    # The data ends exactly on DEMO_END_DATE (a quarter-end order).
    last_row = con.execute("select max(order_date) from sales").fetchone()[0]
    if last_row is not None and last_row < DEMO_END_DATE:
        oid = con.execute(
            "select order_id from sales where order_date = (select max(order_date) from sales) "
            "order by order_id limit 1"
        ).fetchone()[0]
        con.execute("update sales set order_date = ? where order_id = ?", [DEMO_END_DATE, oid])
        acct = con.execute("select any_value(account_id) from sales where order_id = ?", [oid]).fetchone()[0]
        last_day[int(acct[1:]) - 1] = _END_DAY
    return total, last_day


# --------------------------------------------------------------------------------------------------
# Other tables
# --------------------------------------------------------------------------------------------------

def _accounts_frame(acc: dict, last_day: np.ndarray) -> pd.DataFrame:
    churned = (acc["kind"] == 3) & (last_day >= 0) & (last_day + 90 < _END_DAY)
    churned_on = np.where(churned, last_day + 90, -1)
    return pd.DataFrame({
        "account_id": acc["ids"],
        "account_name": acc["names"],
        "industry": np.array(INDUSTRY_NAMES, dtype=object)[acc["industry"]],
        "scale": acc["scale"],
        "region": np.array(REGION_NAMES, dtype=object)[acc["region"]],
        "city": acc["city"],
        "owner": acc["owner"],
        "group_name": acc["group_name"],
        "cooperation_start": _to_dates(acc["coop"]),
        "status": np.where(churned, "churned", "active").astype(object),
        "churned_on": _to_dates(churned_on),
        "referred_by": acc["referred_by"],
    })


def _targets_frame(rng: np.random.Generator, con, acc: dict) -> pd.DataFrame:
    actual = con.execute(
        """
        select level, "key", year(s.order_date) * 10 + quarter(s.order_date) as yq,
               sum(s.amount::decimal(18, 2))::double as rev, sum(s.quantity) as vol
        from sales s join (
            select account_id, 'owner' as level, owner as "key" from accounts
            union all select account_id, 'region', region from accounts
        ) a using (account_id)
        group by all
        """
    ).df()
    lookup = {(r.level, r.key, int(r.yq)): (float(r.rev), float(r.vol)) for r in actual.itertuples()}
    quarters = []
    d = acc["data_start"]
    while d <= _add_months(DEMO_END_DATE, 12):
        quarters.append((d.year, (d.month - 1) // 3 + 1))
        d = _add_months(d, 3)
    last_data_q = (DEMO_END_DATE.year, (DEMO_END_DATE.month - 1) // 3 + 1)
    rows = []
    keys = [("owner", o) for o in OWNERS] + [("region", r) for r in REGION_NAMES]
    for level, key in keys:
        bias = rng.uniform(0.93, 1.07)
        known = [v for (lv, k, _), v in sorted(lookup.items()) if lv == level and k == key and v[0] > 0]
        mean_rev = float(np.mean([v[0] for v in known])) if known else 0.0
        mean_vol = float(np.mean([v[1] for v in known])) if known else 0.0
        for y, q in quarters:
            if (y, q) <= last_data_q:
                rev, vol = lookup.get((level, key, y * 10 + q), (0.0, 0.0))
                f = float(np.clip(bias * rng.uniform(0.92, 1.08), 0.85, 1.15))
            else:
                rev, vol = lookup.get((level, key, (y - 1) * 10 + q), (0.0, 0.0))
                f = rng.uniform(1.05, 1.15)
            if rev <= 0:
                rev, vol = mean_rev, mean_vol
            rows.append((f"{y}Q{q}", level, key, round(max(rev, 0.0) * f, -3), round(max(vol, 0.0) * f)))
    return pd.DataFrame(rows, columns=["period", "level", "key", "revenue_target", "volume_target"])


def _waves() -> list[tuple[str, date]]:
    """The last four half-year waves whose four-week window closes by DEMO_END_DATE."""
    out: list[tuple[str, date]] = []
    y, h = DEMO_END_DATE.year, 2
    while len(out) < 4:
        sent_on = date(y, 6 if h == 1 else 12, 1)
        if sent_on + timedelta(days=27) <= DEMO_END_DATE:
            out.append((f"{y}H{h}", sent_on))
        y, h = (y, 1) if h == 2 else (y - 1, 2)
    return out[::-1]


_HEALTH = np.array([0.05, 0.25, -0.35, -0.70, -0.50, 0.10])  # by trajectory kind


def _wave_questionnaires(rng: np.random.Generator, acc: dict, last_day: np.ndarray,
                         sd: int) -> tuple[int, np.ndarray, np.ndarray, np.ndarray]:
    """Make a wave's sent count and each returned questionnaire's account, respondent number and health."""
    n = acc["n"]
    eligible = (acc["coop"] <= sd - 60) & (last_day >= sd - 60)
    chosen = np.flatnonzero(eligible & (rng.random(n) < 0.2 + 0.7 * acc["size_pct"]))
    n_resp = np.clip(1 + rng.binomial(2, acc["size_pct"][chosen]), 1, 3)
    sent = int(n_resp.sum())
    q_acct = np.repeat(chosen, n_resp)
    q_j = np.arange(sent) - np.repeat(np.cumsum(n_resp) - n_resp, n_resp)
    health = _HEALTH[acc["kind"][q_acct]]
    returned = rng.random(sent) < np.clip(0.78 + 0.15 * health, 0.55, 0.9)
    return sent, q_acct[returned], q_j[returned], health[returned]


def _wave_scores(rng: np.random.Generator, latent: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Make the (questionnaire x item) own and competitor score matrices of one wave, before blanks."""
    nq, n_items = len(latent), len(SURVEY_ITEMS)
    dims = [it[1] for it in SURVEY_ITEMS]
    dim_off = np.array([_DIM_OFFSET[d] for d in dims])
    item_off = rng.normal(0.0, 0.08, n_items)
    raw = latent[:, None] + dim_off[None, :] + item_off[None, :] + rng.normal(0.0, 0.55, (nq, n_items))
    score = np.clip(np.round(raw), 1, 5)
    nps_col = n_items - 1
    score[:, nps_col] = np.clip(np.round((latent - 1.0) * 2.6 + rng.normal(0.0, 1.0, nq)), 0, 10)
    comp_off = np.array([_COMPETITOR_OFFSET[d] for d in dims])
    comp = np.clip(np.round(3.7 + comp_off[None, :] + rng.normal(0.0, 0.7, (nq, n_items))), 1, 5)
    comp[rng.random((nq, n_items)) >= 0.6] = np.nan
    comp[:, nps_col] = np.nan
    return score, comp


def _blank_answers(rng: np.random.Generator, score: np.ndarray, comp: np.ndarray) -> None:
    """Make blank answers in place: ~3 % invalid questionnaires (2-6 blanks), ~28 % with exactly one."""
    nq = len(score)
    likert_idx = np.flatnonzero(np.array([it[6] == 5 for it in SURVEY_ITEMS]))
    perm = rng.permutation(nq)
    n_invalid = max(1, round(0.03 * nq))
    n_one = max(1, round(0.28 * nq)) if nq > n_invalid else 0
    for q in perm[:n_invalid]:
        k = int(rng.integers(2, 7))
        score[q, rng.choice(likert_idx, size=k, replace=False)] = np.nan
    one = perm[n_invalid:n_invalid + n_one]
    score[one, likert_idx[rng.integers(0, len(likert_idx), len(one))]] = np.nan
    comp[np.isnan(score)] = np.nan


def _wave_comments(rng: np.random.Generator, latent: np.ndarray) -> np.ndarray:
    """Make the (questionnaire x item) comment matrix: ~15 % of questionnaires comment on the overall item."""
    nq, n_items = len(latent), len(SURVEY_ITEMS)
    comment = np.full((nq, n_items), None, dtype=object)
    has_comment = rng.random(nq) < 0.15
    o1 = [it[0] for it in SURVEY_ITEMS].index("O1")
    pick = rng.integers(0, 5, nq)
    for q in np.flatnonzero(has_comment):
        pool = COMMENTS_GOOD if latent[q] >= 3.9 else COMMENTS_MID if latent[q] >= 3.2 else COMMENTS_BAD
        comment[q, o1] = pool[pick[q] % len(pool)]
    return comment


def _survey_frames(rng: np.random.Generator, acc: dict, last_day: np.ndarray) -> tuple[pd.DataFrame, pd.DataFrame]:
    n = acc["n"]
    items = SURVEY_ITEMS
    n_items = len(items)
    acct_effect = rng.normal(0.0, 0.35, n)
    role_offset = rng.integers(0, 3, n)
    wave_rows, frames = [], []
    for w, (wave, sent_on) in enumerate(_waves()):
        sd = _day(sent_on)
        sent, q_acct, q_j, health = _wave_questionnaires(rng, acc, last_day, sd)
        nq = len(q_acct)
        wave_rows.append((wave, sent, sent_on))
        if nq == 0:
            continue
        latent = 3.85 + health + acct_effect[q_acct] + 0.04 * w + rng.normal(0.0, 0.3, nq)
        score, comp = _wave_scores(rng, latent)
        _blank_answers(rng, score, comp)
        comment = _wave_comments(rng, latent)
        survey_day = sd + rng.integers(0, 28, nq)
        rid = np.array([f"W{wave}-{q + 1:04d}" for q in range(nq)], dtype=object)
        frames.append(pd.DataFrame({
            "response_id": np.repeat(rid, n_items),
            "item_code": np.tile(np.array([it[0] for it in items], dtype=object), nq),
            "account_id": np.repeat(acc["ids"][q_acct], n_items),
            "survey_date": np.repeat(_to_dates(survey_day), n_items),
            "wave": wave,
            "respondent_role": np.repeat(np.array(ROLES, dtype=object)[(q_j + role_offset[q_acct]) % 3], n_items),
            "score": score.ravel(),
            "competitor_score": comp.ravel(),
            "comment": comment.ravel(),
        }))
    waves = pd.DataFrame(wave_rows, columns=["wave", "sent", "sent_on"])
    waves["sent_on"] = pd.to_datetime(waves["sent_on"])
    return waves, pd.concat(frames, ignore_index=True)


def _project_schedule(rng: np.random.Generator, st: str, duration: int) -> tuple:
    """Make one project's (start, planned, forecast, actual, progress, feedback, note) for its status."""
    end = _END_DAY
    start = planned = forecast = actual = None
    progress = 0.0
    feedback = None
    note = None
    if st == "completed":
        slip = int(rng.integers(-20, 1)) if rng.random() < 0.68 else int(rng.integers(5, 121))
        actual = end - int(rng.integers(5, 900))
        planned = actual - slip
        start = planned - duration
        progress = 100.0
        feedback = float(np.clip(round(rng.normal(4.2 if slip <= 0 else 3.2, 0.7)), 1, 5))
    elif st in ("in_progress", "blocked", "on_hold"):
        start = end - int(rng.integers(30, 540))
        planned = start + duration
        elapsed = min(1.0, (end - start) / duration)
        behind = rng.random() < (0.7 if st == "blocked" else 0.3)
        progress = elapsed * 100 - (rng.uniform(16, 40) if behind else rng.uniform(-5, 10))
        progress = float(np.clip(round(progress), 5, 60 if st == "on_hold" else 95))
        late = behind or planned < end
        forecast = max(planned + (int(rng.integers(15, 150)) if late else int(rng.integers(-10, 1))), end + 7)
        if st == "blocked":
            note = ISSUE_NOTES[rng.integers(len(ISSUE_NOTES))]
        elif st == "on_hold":
            note = HOLD_NOTES[rng.integers(len(HOLD_NOTES))]
            forecast = None
        elif forecast > planned and rng.random() < 0.6:
            note = ISSUE_NOTES[rng.integers(len(ISSUE_NOTES))]
    elif st == "planned":
        start = end + int(rng.integers(7, 180))
        planned = start + duration
    else:  # cancelled
        start = end - int(rng.integers(60, 900))
        planned = start + duration
        progress = float(rng.integers(0, 41))
    return start, planned, forecast, actual, progress, feedback, note


def _projects_frame(rng: np.random.Generator, acc: dict, last_day: np.ndarray) -> pd.DataFrame:
    n = acc["n"]
    n_proj = max(10, n // 2)
    statuses = ("completed", "in_progress", "planned", "on_hold", "blocked", "cancelled")
    p = np.array([0.40, 0.25, 0.10, 0.07, 0.08, 0.10])
    status = list(statuses) + list(rng.choice(statuses, size=n_proj - len(statuses), p=p))
    status = [status[i] for i in rng.permutation(n_proj)]
    weight = acc["size"] ** 0.6
    alive = last_day >= _END_DAY - 120
    open_w = weight * alive
    pick_open = rng.choice(n, size=n_proj, p=open_w / open_w.sum())
    pick_any = rng.choice(n, size=n_proj, p=weight / weight.sum())
    rows = []
    for j, st in enumerate(status):
        a = int(pick_open[j] if st in ("in_progress", "planned", "on_hold", "blocked") else pick_any[j])
        duration = int(rng.integers(60, 420))
        name = f"{PROJECT_BASES[rng.integers(len(PROJECT_BASES))]}{PROJECT_PHASES[rng.integers(len(PROJECT_PHASES))]}"
        value = round(float(rng.lognormal(math.log(600_000), 0.8) * acc["size"][a] ** 0.3), -2)
        start, planned, forecast, actual, progress, feedback, note = _project_schedule(rng, st, duration)
        rows.append((f"P{j + 1:04d}", acc["ids"][a], name, st, start, planned, forecast, actual, progress, value,
                     feedback, note))
    frame = pd.DataFrame(rows, columns=["project_id", "account_id", "project_name", "status", "start_date",
                                        "planned_end", "forecast_end", "actual_end", "progress_pct",
                                        "contract_value", "feedback_score", "issue_note"])
    # A couple of open projects without a planned end ("unscheduled").
    open_idx = np.flatnonzero(frame["status"].isin(["in_progress", "planned"]).to_numpy())
    if len(open_idx):
        frame.loc[rng.choice(open_idx, size=min(2, len(open_idx)), replace=False), "planned_end"] = None
    for col in ("start_date", "planned_end", "forecast_end", "actual_end"):
        frame[col] = _to_dates(frame[col].fillna(-1).astype(np.int64).to_numpy())
    return frame


def _interaction_rates(rng: np.random.Generator, acc: dict, months: int) -> dict[str, np.ndarray]:
    """Make the expected (account x month) count of each interaction kind, with neglected key accounts."""
    n = acc["n"]
    pct = acc["size_pct"]
    big = pct >= 0.8
    mid = (pct >= 0.45) & ~big
    # Some key accounts are neglected lately (overdue calls / visits).
    neglect_call = big & (rng.random(n) < 0.15)
    neglect_visit = big & (rng.random(n) < 0.20)
    trouble = np.isin(acc["kind"], (2, 3, 4))
    rates = {
        "call": np.where(big, 1.15, np.where(mid, 0.45, 0.15)),
        "visit": np.where(big, 0.40, np.where(mid, 0.12, 0.04)),
        "complaint": (0.03 + 0.05 * trouble) * (0.5 + pct),
        "request": 0.06 + 0.12 * pct,
        "care": np.where(big, 0.22, np.where(mid, 0.08, 0.02)),
    }
    m = np.arange(months)
    lams = {}
    for kind, rate in rates.items():
        lam = np.repeat(rate[:, None], months, axis=1)
        if kind == "call":
            lam[neglect_call[:, None] & (m[None, :] >= months - 2)] = 0.0
        if kind == "visit":
            lam[neglect_visit[:, None] & (m[None, :] >= months - 4)] = 0.0
        lams[kind] = lam
    return lams


def _response_times(rng: np.random.Generator, kind: str, opened: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Make the first-response and resolved epoch seconds (-1 for none) of one kind's interactions."""
    total = len(opened)
    first_resp = np.full(total, -1, dtype=np.int64)
    resolved = np.full(total, -1, dtype=np.int64)
    if kind in ("complaint", "request"):
        med = 8.0 if kind == "complaint" else 6.0
        first_resp = opened + (rng.lognormal(math.log(med), 0.95, total) * 3600).astype(np.int64)
        res_days = rng.lognormal(math.log(3.0 if kind == "complaint" else 1.5), 0.9, total)
        resolved = first_resp + (res_days * 86400).astype(np.int64)
        if kind == "complaint" and total:
            unanswered = rng.random(total) < 0.04
            unanswered[int(rng.integers(total))] = True
            first_resp[unanswered] = -1
            resolved[unanswered] = -1
        horizon = _END_DAY * 86400 + 86399
        resolved[(resolved > horizon) | (first_resp < 0)] = -1
        first_resp[first_resp > horizon] = -1
        resolved[first_resp < 0] = -1
    return first_resp, resolved


def _to_timestamps(col: np.ndarray) -> np.ndarray:
    """Make datetime64[s] from epoch seconds, NaT where negative."""
    out = col.astype("datetime64[s]")
    out[col < 0] = np.datetime64("NaT")
    return out


def _interactions_frame(rng: np.random.Generator, acc: dict, last_day: np.ndarray) -> pd.DataFrame:
    n = acc["n"]
    months = 18
    first = _add_months(DEMO_END_DATE, -months + 1).replace(day=1)
    month_first = np.array([_day(_add_months(first, m)) for m in range(months)])
    mdays = _month_days(month_first)
    lams = _interaction_rates(rng, acc, months)
    stop_day = np.where(acc["kind"] == 3, last_day + 90, _END_DAY)
    frames = []
    m = np.arange(months)
    for kind, lam in lams.items():
        cnt = rng.poisson(lam).ravel()
        total = int(cnt.sum())
        a = np.repeat(np.repeat(np.arange(n), months), cnt)
        mm = np.repeat(np.tile(m, n), cnt)
        day = month_first[mm] + (rng.random(total) * mdays[mm]).astype(np.int64)
        hour = rng.uniform(8.5, 18.0, total) if kind in ("visit", "call", "care") else rng.uniform(7.5, 21.5, total)
        opened = day * 86400 + (hour * 3600).astype(np.int64)
        keep = (day >= acc["coop"][a]) & (day <= stop_day[a]) & (opened <= _END_DAY * 86400 + 86399)
        a, opened = a[keep], opened[keep]
        total = len(a)
        first_resp, resolved = _response_times(rng, kind, opened)
        notes = INTERACTION_NOTES[kind]
        frames.append(pd.DataFrame({
            "account_id": acc["ids"][a],
            "kind": kind,
            "opened": opened,
            "first_resp": first_resp,
            "resolved": resolved,
            "owner": acc["owner"][a],
            "note": np.array(notes, dtype=object)[rng.integers(0, len(notes), total)],
        }))
    frame = pd.concat(frames, ignore_index=True)
    frame = frame.sort_values(["opened", "account_id", "kind"], kind="stable").reset_index(drop=True)
    return pd.DataFrame({
        "interaction_id": [f"I{i + 1:07d}" for i in range(len(frame))],
        "account_id": frame["account_id"].to_numpy(),
        "kind": frame["kind"].to_numpy(),
        "opened_at": _to_timestamps(frame["opened"].to_numpy()),
        "first_response_at": _to_timestamps(frame["first_resp"].to_numpy()),
        "resolved_at": _to_timestamps(frame["resolved"].to_numpy()),
        "owner": frame["owner"].to_numpy(),
        "note": frame["note"].to_numpy(),
    })


def _opportunities_frame(rng: np.random.Generator, acc: dict, last_day: np.ndarray, namer: _Namer) -> pd.DataFrame:
    n = acc["n"]
    n_opp = max(14, 2 * n)
    stages = store.PIPELINE_STAGES
    p = np.array([0.15, 0.12, 0.12, 0.10, 0.08, 0.25, 0.18])
    stage = list(stages) + list(rng.choice(stages, size=n_opp - len(stages), p=p))
    stage = [stage[i] for i in rng.permutation(n_opp)]
    lost_p = np.array([0.08, 0.14, 0.24, 0.38, 0.16])
    alive = last_day >= _END_DAY - 180
    weight = acc["size"] ** 0.5 * alive
    weight = weight / weight.sum()
    pick = rng.choice(n, size=n_opp, p=weight)
    end = _END_DAY
    rows = []
    seen_lost = False
    for j, st in enumerate(stage):
        prospect = None
        account = None
        if st == "lead" and rng.random() < 0.55:
            reg = REGION_NAMES[rng.integers(len(REGION_NAMES))]
            cities = REGIONS[reg][1]
            prospect = namer.name(cities[rng.integers(len(cities))],
                                  INDUSTRY_NAMES[rng.integers(len(INDUSTRY_NAMES))])
            size = float(rng.lognormal(-0.5, 0.8))
        else:
            a = int(pick[j])
            account = acc["ids"][a]
            size = float(acc["size"][a])
        amount = round(float(rng.lognormal(math.log(400_000), 0.9) * size ** 0.35), -3)
        lost_at = None
        closed = None
        if st in ("won", "lost"):
            created = end - int(rng.integers(40, 720))
            closed = min(created + int(rng.integers(25, 300)), end - int(rng.integers(0, 10)))
            closed = max(closed, created + 1)
            changed = closed
            if st == "lost":
                lost_at = store.OPEN_STAGES[int(rng.choice(5, p=lost_p))]
                if not seen_lost:  # the first lost deal was lost at bidding, so even a tiny demo shows it
                    lost_at, seen_lost = "bidding", True
        else:
            created = end - int(rng.integers(5, 365))
            if created <= end - 62 and rng.random() < 0.3:  # stale: no stage change for more than 60 days
                changed = int(rng.integers(created, end - 61))
            else:
                changed = int(rng.integers(max(created, end - 50), end + 1))
        rows.append((f"OPP{j + 1:05d}", account, prospect, st, lost_at, changed, amount, PROBABILITY[st], created,
                     closed))
    frame = pd.DataFrame(rows, columns=["opportunity_id", "account_id", "prospect_name", "stage", "lost_at_stage",
                                        "stage_changed_on", "amount", "probability", "created_on", "closed_on"])
    for col in ("stage_changed_on", "created_on", "closed_on"):
        frame[col] = _to_dates(frame[col].fillna(-1).astype(np.int64).to_numpy())
    return frame


def _survey_items_frame() -> pd.DataFrame:
    return pd.DataFrame(list(SURVEY_ITEMS), columns=["item_code", "dimension", "label_zh", "label_en", "weight",
                                                     "scale_min", "scale_max", "target_index"])


# --------------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------------

def _insert_frame(con, table: str, frame: pd.DataFrame) -> int:
    """Insert a frame as one import (file_name 'demo', mode 'replace'); returns its row count."""
    if table not in store.DATA_TABLES:
        raise ValueError(f"not a data table: {table!r}")
    import_id = store.start_import(con, table, file_name="demo", mode="replace")
    # identifiers: an allow-listed table and this module's own frame columns; the id is bound
    cols = ", ".join(f'"{c}"' for c in frame.columns)
    sql = "insert into " + table + " (" + cols + ", import_id) select " + cols + ", ? from demo_frame"
    con.register("demo_frame", frame)
    try:
        con.execute(sql, [import_id])
    finally:
        con.unregister("demo_frame")
    store.finish_import(con, import_id, rows_read=len(frame), rows_inserted=len(frame))
    return len(frame)


def _empty_data_tables(con) -> None:
    """Empty every data table and the imports table, inside the caller's transaction.

    Deleting millions of indexed rows and re-inserting the same keys in one transaction is very slow
    in DuckDB (minutes at 10 M sales rows, most of it at commit), so each data table is dropped and
    re-created from its own stored DDL (``duckdb_tables().sql``, plus any indexes), which is cheap
    and just as transactional. The imports table is small and simply deleted.
    """
    for table in store.DATA_TABLES:
        ddl = con.execute(
            "select sql from duckdb_tables() where schema_name = 'main' and table_name = ?", [table]
        ).fetchone()[0]
        indexes = [
            row[0]
            for row in con.execute(
                "select sql from duckdb_indexes() where schema_name = 'main' and table_name = ? "
                "and sql is not null order by index_name",
                [table],
            ).fetchall()
        ]
        con.execute("drop table " + table)  # table comes from store.DATA_TABLES
        con.execute(ddl)
        for index_sql in indexes:
            con.execute(index_sql)
    con.execute("delete from imports")


def _insert_demo_tables(con, rng: np.random.Generator, seed: int, acc: dict, report: ProgressFn) -> dict[str, int]:
    """Make and insert every data table of the demo (sales first); returns ``{table: rows}``."""
    counts: dict[str, int] = {}
    sales_import = store.start_import(con, "sales", file_name="demo", mode="replace")
    counts["sales"], last_day = _insert_sales(con, seed, acc, sales_import, report)
    store.finish_import(con, sales_import, rows_read=counts["sales"], rows_inserted=counts["sales"])
    report(0.82, "客户 accounts")
    counts["accounts"] = _insert_frame(con, "accounts", _accounts_frame(acc, last_day))
    report(0.85, "目标 targets")
    counts["targets"] = _insert_frame(con, "targets", _targets_frame(rng, con, acc))
    report(0.88, "满意度调查 surveys")
    counts["survey_items"] = _insert_frame(con, "survey_items", _survey_items_frame())
    waves, responses = _survey_frames(rng, acc, last_day)
    counts["survey_waves"] = _insert_frame(con, "survey_waves", waves)
    counts["survey_responses"] = _insert_frame(con, "survey_responses", responses)
    report(0.92, "项目 projects")
    counts["projects"] = _insert_frame(con, "projects", _projects_frame(rng, acc, last_day))
    report(0.94, "服务与回访 interactions")
    counts["interactions"] = _insert_frame(con, "interactions", _interactions_frame(rng, acc, last_day))
    report(0.97, "商机 opportunities")
    namer = _Namer(rng)
    for name in acc["names"]:
        namer.used.add(name)
    counts["opportunities"] = _insert_frame(
        con, "opportunities", _opportunities_frame(rng, acc, last_day, namer)
    )
    return counts


def build_demo_database(
    db_path: str | PathLike,
    *,
    accounts: int = 120,
    years: int = 3,
    seed: int = 42,
    force: bool = False,
    progress: ProgressFn | None = None,
) -> dict:
    """Build the demo company into ``db_path``; return ``{table: rows}`` for every data table.

    ``accounts`` >= 10, ``years`` >= 1, ``seed`` a non-negative integer.

    ``years`` full years of sales ending on :data:`DEMO_END_DATE`. Refuses with ``FileExistsError`` when
    the database already holds data (any data table, e.g. sales) unless ``force``, which empties all
    data tables and the imports table first. Runs as a single transaction (see the module docstring).
    ``progress(fraction, message)`` is called as the build advances (0 to 1).
    """
    if accounts < 10:
        raise ValueError("accounts must be at least 10")
    if years < 1:
        raise ValueError("years must be at least 1")
    report: ProgressFn = progress or (lambda fraction, message: None)
    rng = np.random.default_rng(seed)
    report(0.0, "准备客户 accounts")
    acc = _make_accounts(rng, int(accounts), int(years))

    with store.open_db(db_path) as con:
        held = [row["table"] for row in store.describe_tables(con) if row["rows"]]
        if held and not force:
            raise FileExistsError(
                f"{db_path} already holds data ({', '.join(held)}); use force=True (--force) to replace it"
            )
        con.execute("set enable_progress_bar = false")
        con.execute("begin transaction")
        try:
            if force:
                _empty_data_tables(con)
            counts = _insert_demo_tables(con, rng, seed, acc, report)
            report(0.99, "提交 commit")
            con.execute("commit")
        except BaseException:
            con.execute("rollback")
            raise
    report(1.0, "完成 done")
    return {t: counts[t] for t in store.DATA_TABLES}
