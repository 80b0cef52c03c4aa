"""Cached loaders of the Overview, Sales, Accounts, Account 360 and Team pages and of the targets editor:
the only way those pages reach data (one unit of work per call, cached by the file's state:
:mod:`kam_app.data.cache`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pandas as pd

from kam_app.data.cache import cached_query, write_unit
from kam_metrics import commands
from kam_metrics.domain.filters import Filters, shift_months, shift_years
from kam_metrics.metrics import accounts, kpi, loyalty, sales, satisfaction, team
from kam_metrics.records.targets import load_targets as _load_targets
from kam_metrics.store.settings import load_settings


@cached_query(max_entries=64, none_without_file=True)
def load_context(con) -> dict[str, Any] | None:
    """Data range and filter options: {'first', 'last', 'has_sales', 'segments'}; None when the file is
    missing. Without sales, first/last span the other activity (None when there is none either)."""
    first, last = sales.load_data_range(con)
    has_sales = last is not None
    if not has_sales:  # anchor the period on other activity (e.g. only projects imported)
        first, last = sales.load_activity_range(con)
    return {"first": first, "last": last, "has_sales": has_sales, "segments": sales.load_segment_values(con)}


@dataclass(frozen=True, eq=False)
class OverviewPage:
    """Everything the Overview page shows for one set of filters (:func:`load_overview`). (``eq=False``:
    frame fields have no equality, so instances compare by identity.)"""

    #: the headline KPIs of the period and of its comparison period (kam_metrics.metrics.kpi.compute_kpis)
    kpis: dict[str, Any]
    #: revenue per month of the period (kam_metrics.metrics.sales.compute_monthly_revenue)
    monthly: pd.DataFrame
    #: the same for the comparison period
    monthly_comparison: pd.DataFrame
    #: the ten largest accounts of the period (compute_top_accounts)
    top_accounts: pd.DataFrame
    #: revenue by industry with the comparison period (compute_revenue_by)
    by_industry: pd.DataFrame
    #: revenue by region with the comparison period
    by_region: pd.DataFrame
    #: the latest survey wave's overall satisfaction by the period end, under the filters' segments
    #: (kam_metrics.metrics.satisfaction.compute_latest_overall)
    satisfaction: dict[str, Any]


@cached_query()
def load_overview(con, filters: Filters) -> OverviewPage:
    """Everything the Overview page shows for these filters (see kam_metrics.metrics.kpi and .sales)."""
    comparison = filters.for_comparison()
    return OverviewPage(
        kpis=kpi.compute_kpis(con, filters),
        monthly=sales.compute_monthly_revenue(con, filters),
        monthly_comparison=sales.compute_monthly_revenue(con, comparison),
        top_accounts=sales.compute_top_accounts(con, filters, limit=10),
        by_industry=sales.compute_revenue_by(con, filters, "industry"),
        by_region=sales.compute_revenue_by(con, filters, "region"),
        satisfaction=satisfaction.compute_latest_overall(con, filters.end, filters),
    )


#: the levels the Sales page compares revenue with target at
TARGET_LEVELS = ("owner", "region", "product_line")


@dataclass(frozen=True, eq=False)
class SalesPage:
    """What the Sales page shows for one set of filters and trend grain, besides the breakdown
    (:func:`load_sales_page`). (``eq=False``: frame fields have no equality, so instances compare by
    identity.)"""

    #: the headline KPIs of the period and of its comparison period (kam_metrics.metrics.kpi.compute_kpis)
    kpis: dict[str, Any]
    #: days between orders (kam_metrics.metrics.loyalty.compute_order_intervals)
    intervals: dict[str, Any]
    #: revenue, volume, orders and gross margin per month or quarter (kam_metrics.metrics.sales.compute_revenue_trend)
    trend: pd.DataFrame
    #: the same for the comparison period
    trend_comparison: pd.DataFrame
    #: revenue against target per level of TARGET_LEVELS (kam_metrics.metrics.sales.compute_target_by)
    targets: Mapping[str, pd.DataFrame]


@cached_query(max_entries=256)
def load_sales_page(con, filters: Filters, grain: str) -> SalesPage:
    """Sales page (see :class:`SalesPage`): the trend by ``grain`` ("month" or "quarter")."""
    return SalesPage(
        kpis=kpi.compute_kpis(con, filters),
        intervals=loyalty.compute_order_intervals(con, filters),
        trend=sales.compute_revenue_trend(con, filters, grain),
        trend_comparison=sales.compute_revenue_trend(con, filters.for_comparison(), grain),
        targets={level: sales.compute_target_by(con, filters, level) for level in TARGET_LEVELS},
    )


@dataclass(frozen=True, eq=False)
class SalesBreakdown:
    """The Sales page's revenue by one dimension (:func:`load_breakdown`). (``eq=False``: frame fields
    have no equality, so instances compare by identity.)"""

    #: revenue by segment with the comparison period, share and growth (compute_revenue_by)
    breakdown: pd.DataFrame
    #: the growth bridge of the largest segments (kam_metrics.metrics.sales.compute_growth_bridge)
    bridge: pd.DataFrame


@cached_query(max_entries=256)
def load_breakdown(con, filters: Filters, dimension: str) -> SalesBreakdown:
    """Revenue by ``dimension`` with the comparison period and its growth bridge."""
    frame = sales.compute_revenue_by(con, filters, dimension)
    return SalesBreakdown(breakdown=frame, bridge=sales.compute_growth_bridge(frame, top=8))


@cached_query(max_entries=256)
def load_accounts_page(con, filters: Filters) -> dict[str, Any]:
    """Accounts page: summary, retention, intervals, referrals, nps, lost, accounts (the list), pareto,
    abc_summary, groups, key_accounts and the ABC thresholds."""
    settings = load_settings(con)
    return {
        "summary": sales.compute_sales_summary(con, filters),
        "retention": loyalty.compute_retention(con, filters),
        "intervals": loyalty.compute_order_intervals(con, filters),
        "referrals": loyalty.compute_referrals(con, filters),
        "nps": loyalty.compute_nps(con, filters),
        "lost": loyalty.compute_lost_accounts(con, filters),
        "accounts": accounts.compute_account_list(con, filters),
        "pareto": accounts.compute_pareto(con, filters),
        "abc_summary": accounts.compute_abc_summary(con, filters),
        "groups": accounts.compute_group_rollup(con, filters),
        "key_accounts": accounts.compute_key_account_summary(con, filters),
        "abc_a_share": float(settings["abc_a_share"]),
        "abc_b_share": float(settings["abc_b_share"]),
    }


@cached_query(max_entries=256)
def load_matrix(con, filters: Filters, rows: str, columns: str):
    """The classification matrix of the filtered accounts by ``rows`` × ``columns``."""
    return accounts.compute_classification_matrix(con, filters, rows, columns)


@cached_query(max_entries=256)
def load_account_options(con, filters: Filters):
    """The filtered accounts to choose from (account_id, account_name)."""
    return accounts.load_account_options(con, filters)


@cached_query(max_entries=256)
def load_account_360(con, account_id: str, filters: Filters) -> dict[str, Any] | None:
    """Account 360: profile, this_year / last_year monthly revenue, products, summary,
    comparison_summary, intervals; None when the account does not exist."""
    profile = accounts.compute_account_profile(con, account_id, filters.end)
    if profile is None:
        return None
    one = Filters(start=filters.start, end=filters.end, compare=filters.compare, accounts=(account_id,))
    # the 12 whole-or-partial months ending at the period end, and the same months a year earlier
    last_12 = Filters(start=shift_months(filters.end, -11), end=filters.end, accounts=(account_id,))
    previous_12 = Filters(start=shift_years(last_12.start, -1), end=last_12.start - timedelta(days=1),
                          accounts=(account_id,))
    return {
        "profile": profile,
        "this_year": sales.compute_monthly_revenue(con, last_12),
        "last_year": sales.compute_monthly_revenue(con, previous_12),
        "products": accounts.compute_products(con, one),
        "summary": sales.compute_sales_summary(con, one),
        "comparison_summary": sales.compute_sales_summary(con, one.for_comparison()),
        "intervals": loyalty.compute_order_intervals(con, one),
    }


@cached_query(max_entries=256)
def load_team(con, filters: Filters):
    """Team page: one row per account manager (kam_metrics.metrics.team.compute_team)."""
    return team.compute_team(con, filters)


@cached_query(max_entries=16, none_without_file=True)
def load_targets(con):
    """Every target row (kam_metrics.records.targets.load_targets); None when the database file is missing."""
    return _load_targets(con)


def save_targets(edited, actor) -> dict[str, int]:
    """Write the targets editor's table as ``actor`` (kam_metrics.commands.save_targets: role checked,
    audited in the same transaction) in one unit of work.

    Raises kam_metrics.records.targets.TargetsInvalid when a row is invalid (nothing written). The cached
    loaders see the change on the next rerun, as the database file's version changes.
    """
    return write_unit(commands.save_targets, actor, edited)
