"""Shared fixtures: a real DuckDB file in tmp_path holding a few hand-typed rows.

The expected values in the KPI tests are computed by hand from these rows; the comments in
tests/test_kpis.py show the arithmetic.
"""

from __future__ import annotations

import os
import sys
from datetime import date
from pathlib import Path

import pytest

# the shared helpers (app_support, browser_support, churn_support) live in tests/support
sys.path.insert(0, str(Path(__file__).resolve().parent / "support"))

# app.py shows a visitor a message and an error id instead of a failing page; under the suite it then
# re-raises too, so a page that fails fails its test (tests/app/test_app.py unsets it to see the message)
os.environ.setdefault("KAM_APP_RAISE", "1")

from rows import add  # noqa: E402  (tests/support, put on the path just above)

from kam_metrics.store.connection import open_db

# account_id, account_name, industry, scale, region, owner, cooperation_start
HAND_ACCOUNTS = [
    ("A1", "甲机械有限公司", "制造业", "large", "华东", "张三", date(2018, 1, 1)),
    ("A2", "乙零售有限公司", "零售", "medium", "华南", "李四", date(2023, 3, 1)),
    ("A3", "丙电子有限公司", "制造业", "small", "华东", "张三", date(2025, 1, 10)),
    ("A4", "丁物流有限公司", "物流", "small", "华北", "李四", date(2021, 1, 1)),
    ("A5", "戊运输有限公司", "物流", "small", "华北", "李四", date(2024, 12, 1)),
]

# order_id, line_no, account_id, order_date, quantity, amount, cost
HAND_SALES = [
    # 2025 Q2
    ("O1", 1, "A1", date(2025, 4, 10), 10, 1000.0, 600.0),
    ("O1", 2, "A1", date(2025, 4, 10), 5, 500.0, 300.0),
    ("O2", 1, "A1", date(2025, 5, 20), 8, 800.0, None),
    ("O3", 1, "A2", date(2025, 6, 30), 4, 400.0, 200.0),
    ("O4", 1, "A3", date(2025, 4, 1), 2, 300.0, 150.0),
    ("O10", 1, "A5", date(2025, 6, 15), 1, 50.0, 40.0),
    # 2025 Q1
    ("O5", 1, "A1", date(2025, 2, 1), 10, 1000.0, 500.0),
    ("O6", 1, "A2", date(2025, 3, 31), 6, 600.0, 300.0),
    ("O7", 1, "A4", date(2025, 1, 15), 3, 300.0, 200.0),
    # older
    ("O8", 1, "A4", date(2024, 8, 1), 1, 100.0, 50.0),
    ("O9", 1, "A2", date(2024, 5, 15), 2, 200.0, 100.0),
]

# period, level, key, revenue_target, volume_target
HAND_TARGETS = [
    ("2025Q2", "owner", "张三", 2000.0, 20.0),
    ("2025Q2", "owner", "李四", 1000.0, 10.0),
    ("2025", "region", "华东", 12000.0, None),
    ("2025", "region", "华南", 3650.0, None),
    ("2025Q2", "region", "华南", 500.0, None),
]

# item_code, dimension, label_zh, label_en, weight, scale_min, scale_max
HAND_ITEMS = [
    ("Q1", "product", "产品质量", "Product quality", 2.0, 1, 5),
    ("Q2", "service", "服务响应", "Service response", 1.0, 1, 5),
    ("Q3", "price", "价格", "Price", 1.0, 1, 5),
    ("OV", "overall", "总体满意", "Overall", 1.0, 1, 5),
    ("NPS", "overall", "推荐意愿", "Recommend", 1.0, 0, 10),
]

# response_id, account_id, survey_date, wave, {item: score}
HAND_RESPONSES = [
    ("R0", "A1", date(2024, 12, 1), "W0", {"Q1": 3, "Q2": 3, "Q3": 3, "OV": 3, "NPS": 6}),
    ("R1", "A1", date(2025, 6, 1), "W1", {"Q1": 5, "Q2": 4, "Q3": 3, "OV": 4, "NPS": 9}),
    ("R2", "A2", date(2025, 6, 2), "W1", {"Q1": 4, "Q2": None, "Q3": 2, "OV": 3, "NPS": 7}),
    ("R3", "A3", date(2025, 6, 3), "W1", {"Q1": None, "Q2": None, "Q3": 5, "OV": 5, "NPS": 10}),
]


def load_hand_rows(db_path: Path) -> None:
    with open_db(db_path) as con:
        add(con, "accounts", "account_id account_name industry scale region owner cooperation_start", HAND_ACCOUNTS)
        add(con, "sales", "order_id line_no account_id order_date quantity amount cost", HAND_SALES)
        add(con, "targets", "period level key revenue_target volume_target", HAND_TARGETS)
        add(con, "survey_items", "item_code dimension label_zh label_en weight scale_min scale_max", HAND_ITEMS)
        add(con, "survey_waves", "wave sent", [("W0", 2), ("W1", 4)])
        add(con, "survey_responses", "response_id item_code account_id survey_date wave score", [
            (response_id, item, account_id, survey_date, wave, score)
            for response_id, account_id, survey_date, wave, scores in HAND_RESPONSES
            for item, score in scores.items()
        ])


@pytest.fixture()
def hand_db(tmp_path: Path) -> Path:
    """A database file with the hand-typed rows above."""
    path = tmp_path / "hand.duckdb"
    load_hand_rows(path)
    return path


# Extra rows for the Sales / Accounts / Team tests. They go into their own fixture so the
# rows above, and the tests that count them, stay as they are.
# account_id -> (status, churned_on, referred_by, group_name, is_key_account)
EXTRA_ACCOUNT_FIELDS = {
    "A1": ("active", None, None, "甲集团", None),
    "A2": ("active", None, "A2", None, None),  # refers to itself: not a referral
    "A3": ("active", None, "X99", "甲集团", None),  # names no known account: not a referral
    "A4": ("churned", date(2025, 5, 1), None, None, None),  # churned within 2025 Q2
    "A5": ("active", None, "A1", None, True),  # referred by A1; marked key account although class C
}
# (order_id, line_no) -> (product_line, product)
EXTRA_PRODUCTS = {
    ("O1", 1): ("设备", "P1"),
    ("O1", 2): ("服务", "S1"),
    ("O2", 1): ("设备", "P1"),
    ("O3", 1): ("服务", "S1"),
    ("O4", 1): ("设备", "P2"),
}
# period, level, key, revenue_target, volume_target
EXTRA_TARGETS = [
    ("2025Q1", "owner", "张三", 900.0, 9.0),
    ("2025Q2", "product_line", "设备", 2400.0, None),
]
# interaction_id, account_id, kind, opened_at
EXTRA_INTERACTIONS = [
    ("I1", "A1", "visit", "2025-05-01 10:00:00"),
    ("I2", "A1", "call", "2025-06-30 18:00:00"),  # the last day of Q2 counts
    ("I3", "A1", "call", "2025-03-31 09:00:00"),  # Q1
    ("I4", "A2", "call", "2025-04-01 00:00:00"),
    ("I5", "A3", "complaint", "2025-05-05 12:00:00"),  # neither a visit nor a call
]


@pytest.fixture()
def extra_db(hand_db: Path) -> Path:
    """The hand-typed rows plus EXTRA_*: churn, referrals, groups, products, interactions, more targets,
    and an anonymous NPS answer (R4: 3 on 2025-06-05)."""
    with open_db(hand_db) as con:
        for account_id, (status, churned_on, referred_by, group_name, is_key) in EXTRA_ACCOUNT_FIELDS.items():
            con.execute(
                "update accounts set status = ?, churned_on = ?, referred_by = ?, group_name = ?, is_key_account = ? "
                "where account_id = ?",
                [status, churned_on, referred_by, group_name, is_key, account_id],
            )
        for (order_id, line_no), (product_line, product) in EXTRA_PRODUCTS.items():
            con.execute(
                "update sales set product_line = ?, product = ? where order_id = ? and line_no = ?",
                [product_line, product, order_id, line_no],
            )
        add(con, "targets", "period level key revenue_target volume_target", EXTRA_TARGETS)
        add(con, "interactions", "interaction_id account_id kind opened_at", EXTRA_INTERACTIONS)
        add(con, "survey_responses", "response_id item_code account_id survey_date wave score",
            [("R4", "NPS", "", date(2025, 6, 5), "W1", 3)])
    return hand_db
