"""Hand-typed monthly series for the forecast tests: one order per account and month in a real DuckDB file."""

from __future__ import annotations

from datetime import date

import numpy as np

from kam_metrics.domain.filters import month_end, shift_months
from kam_metrics.store.connection import open_db

# account_id, industry, region, owner
ACCOUNTS = [("K1", "制造业", "华东", "张三"), ("K2", "零售", "华南", "李四"), ("K3", "物流", "华北", "李四")]


def months(first: date, count: int) -> list[date]:
    return [shift_months(first, i) for i in range(count)]


def make_db(path, series: dict[str, list[tuple[date, float]]], targets=(), accounts=ACCOUNTS):
    """One order per account and month (dated on the month's last day) with the given amounts."""
    with open_db(path) as con:
        con.executemany(
            "insert into accounts (account_id, account_name, industry, region, owner) values (?, ?, ?, ?, ?)",
            [(a, f"客户{a}", i, r, o) for a, i, r, o in accounts],
        )
        rows = []
        for account_id, points in series.items():
            for n, (day, amount) in enumerate(points):
                order_day = month_end(day) if day.day == 1 else day
                rows.append((f"{account_id}-{n}", 1, account_id, order_day, 1, amount, "设备"))
        if rows:
            con.executemany(
                "insert into sales (order_id, line_no, account_id, order_date, quantity, amount, product_line) "
                "values (?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
        if targets:
            con.executemany('insert into targets (period, level, "key", revenue_target) values (?, ?, ?, ?)', list(targets))
    return path



def noisy_series(first: date, count: int, seed: int) -> list[tuple[date, float]]:
    rng = np.random.default_rng(seed)
    return [
        (m, float(round(1000 + 20 * i + 300 * np.sin(m.month / 12 * 2 * np.pi) + rng.normal(0, 80), 2)))
        for i, m in enumerate(months(first, count))
    ]
