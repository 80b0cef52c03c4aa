"""Rows for the churn tests: two hand-typed accounts whose health scores are computed by hand in
tests/test_churn.py, and a deterministic synthetic book of 90 accounts (enough labelled history for the
model) built from a fixed seed."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import numpy as np
from rows import add

from kam_metrics.store.connection import open_db

AS_OF = date(2025, 8, 1)

# H1: bought every 35 days (1 Jan, 5 Feb, 12 Mar 2025), then nothing: on 1 Aug 2025 its last order is
# 142 days old. H2: 1 Sep 2024, 1 Dec 2024, 1 Jun 2025, 16 Jul 2025 (usual interval 318 / 3 = 106 days).
# order_id, account_id, order_date, amount
HAND_ORDERS = [
    ("H1-1", "H1", date(2025, 1, 1), 100.0),
    ("H1-2", "H1", date(2025, 2, 5), 100.0),
    ("H1-3", "H1", date(2025, 3, 12), 100.0),
    ("H2-1", "H2", date(2024, 9, 1), 300.0),
    ("H2-2", "H2", date(2024, 12, 1), 300.0),
    ("H2-3", "H2", date(2025, 6, 1), 100.0),
    ("H2-4", "H2", date(2025, 7, 16), 150.0),
]
# H1 answered two survey waves: W0 (all 5s, index 100) and W1 (all 4s, index 80). H2 was never surveyed.
HAND_SURVEY = [
    ("S0", "H1", date(2024, 12, 1), "W0", {"Q1": 5, "Q2": 5}),
    ("S1", "H1", date(2025, 6, 1), "W1", {"Q1": 4, "Q2": 4}),
]


def build_hand_db(path: Path) -> Path:
    with open_db(path) as con:
        add(con, "accounts", "account_id account_name owner", [("H1", "一号客户", "张三"), ("H2", "二号客户", "李四")])
        add(con, "sales", "order_id account_id order_date amount", HAND_ORDERS, line_no=1, quantity=1)
        add(con, "survey_items", "item_code dimension weight", [("Q1", "product", 2.0), ("Q2", "service", 1.0)],
            scale_min=1, scale_max=5)
        add(con, "survey_responses", "response_id item_code account_id survey_date wave score",
            [(rid, item, acc, day, wave, score) for rid, acc, day, wave, scores in HAND_SURVEY for item, score in scores.items()])
    return path


SYNTH_END = date(2025, 12, 31)
SYNTH_START = date(2023, 1, 1)


def synthetic_orders(seed: int = 7, accounts: int = 90) -> list[tuple]:
    """(order_id, account_id, order_date, quantity, amount, product) of ``accounts`` accounts over three
    years: each buys every ~interval days from its start; about half stop buying at a random day."""
    rng = np.random.default_rng(seed)
    span = (SYNTH_END - SYNTH_START).days
    rows = []
    for n in range(accounts):
        account = f"S{n:03d}"
        interval = int(rng.integers(7, 60))
        day = int(rng.integers(0, 200))
        stop = int(rng.integers(200, span)) if rng.random() < 0.5 else span + 1
        size = float(rng.lognormal(6, 1))
        k = 0
        while day <= min(stop, span):
            k += 1
            rows.append((f"{account}-{k}", account, SYNTH_START + timedelta(days=day), 1.0,
                         round(size * float(rng.uniform(0.5, 1.5)), 2), f"P{int(rng.integers(0, 6))}"))
            day += max(1, int(rng.normal(interval, interval / 3)))
    return rows


def build_synthetic_db(path: Path, seed: int = 7) -> Path:
    orders = synthetic_orders(seed)
    ids = sorted({r[1] for r in orders})
    with open_db(path) as con:
        add(con, "accounts", "account_id account_name owner", [(a, f"客户{a}", ("张三", "李四", "王五")[i % 3]) for i, a in enumerate(ids)])
        add(con, "sales", "order_id account_id order_date quantity amount product", orders, line_no=1)
    return path
