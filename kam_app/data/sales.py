"""Cached loaders: the only way pages reach data.

Each loader opens the database for one unit of work, calls kam_metrics, closes it and caches the small
result keyed by the database file's state, so an import from the command line shows on the next rerun.
When another process holds the file, the page says "data is being updated" and offers a retry.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import streamlit as st

from kam_metrics.metrics import kpi
from kam_metrics.metrics import sales
from kam_metrics.metrics import satisfaction
from kam_metrics.domain.filters import Filters
from kam_metrics.store.connection import DatabaseLocked, open_db, resolve_db_path

from kam_app.state import t

T = TypeVar("T")

#: how long a rerun waits for another process's import before showing "data is being updated"
LOCK_WAIT_SECONDS = 8.0


def db_path() -> Path:
    return resolve_db_path(None)


def db_version(path: Path | None = None) -> tuple:
    """A cache key that changes whenever the database file (or its write-ahead log) changes."""
    path = path or db_path()
    parts: list[Any] = [str(path.resolve())]
    for candidate in (path, path.with_name(path.name + ".wal")):
        try:
            stat = candidate.stat()
            parts += [stat.st_mtime_ns, stat.st_size]
        except FileNotFoundError:
            parts += [None, None]
    return tuple(parts)


def _with_connection(path_text: str, work: Callable[..., T], *args: Any) -> T:
    with open_db(path_text, wait_seconds=LOCK_WAIT_SECONDS) as con:
        return work(con, *args)


def guarded(loader: Callable[..., T], *args: Any) -> T:
    """Run a cached loader; on a locked database show the notice and a retry button, then stop."""
    try:
        return loader(*args)
    except DatabaseLocked:
        st.warning(t("db.updating"), icon="⏳")
        st.button(t("db.retry"))
        st.stop()


@st.cache_data(show_spinner=False, max_entries=64)
def _load_context(path_text: str, version: tuple) -> dict[str, Any]:
    def work(con):
        first, last = sales.load_data_range(con)
        has_sales = last is not None
        if not has_sales:  # anchor the period on other activity (e.g. only projects imported)
            first, last = sales.load_activity_range(con)
        return {"first": first, "last": last, "has_sales": has_sales, "segments": sales.load_segment_values(con)}

    return _with_connection(path_text, work)


def load_context() -> dict[str, Any] | None:
    """Data range and filter options: {'first', 'last', 'has_sales', 'segments'}; None when the file is
    missing. Without sales, first/last span the other activity (None when there is none either)."""
    path = db_path()
    if not path.exists():
        return None
    return guarded(_load_context, str(path), db_version(path))


@st.cache_data(show_spinner=False, max_entries=128)
def _load_overview(path_text: str, version: tuple, filters: Filters) -> dict[str, Any]:
    def work(con):
        comparison = filters.for_comparison()
        return {
            "kpis": kpi.compute_kpis(con, filters),
            "monthly": sales.compute_monthly_revenue(con, filters),
            "monthly_comparison": sales.compute_monthly_revenue(con, comparison),
            "top_accounts": sales.compute_top_accounts(con, filters, limit=10),
            "by_industry": sales.compute_revenue_by(con, filters, "industry"),
            "by_region": sales.compute_revenue_by(con, filters, "region"),
            "satisfaction": satisfaction.compute_latest_overall(con, filters.end, filters),
        }

    return _with_connection(path_text, work)


def load_overview(filters: Filters) -> dict[str, Any]:
    """Everything the Overview page shows for these filters (see kam_metrics.metrics.kpi and .sales)."""
    path = db_path()
    return guarded(_load_overview, str(path), db_version(path), filters)


# --- issue #4: Sales, Accounts, Account 360, Team ---------------------------------------------------
# One cached entry point per page area; each runs its kam_metrics calls in one unit of work.


def _sales_page(con, filters: Filters, grain: str) -> dict[str, Any]:
    from kam_metrics.metrics.loyalty import compute_order_intervals

    return {
        "kpis": kpi.compute_kpis(con, filters),
        "intervals": compute_order_intervals(con, filters),
        "trend": sales.compute_revenue_trend(con, filters, grain),
        "trend_comparison": sales.compute_revenue_trend(con, filters.for_comparison(), grain),
        "targets": {level: sales.compute_target_by(con, filters, level) for level in ("owner", "region", "product_line")},
    }


def _breakdown(con, filters: Filters, dimension: str) -> dict[str, Any]:
    frame = sales.compute_revenue_by(con, filters, dimension)
    return {"breakdown": frame, "bridge": sales.compute_growth_bridge(frame, top=8)}


def _accounts_page(con, filters: Filters) -> dict[str, Any]:
    from kam_metrics.metrics import accounts
    from kam_metrics.metrics import loyalty
    from kam_metrics.store.settings import load_settings

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


def _matrix(con, filters: Filters, rows: str, columns: str):
    from kam_metrics.metrics import accounts

    return accounts.compute_classification_matrix(con, filters, rows, columns)


def _account_options(con, filters: Filters):
    from kam_metrics.metrics import accounts

    return accounts.load_account_options(con, filters)


def _account_360(con, account_id: str, filters: Filters) -> dict[str, Any] | None:
    from datetime import timedelta

    from kam_metrics.metrics import accounts
    from kam_metrics.metrics import loyalty
    from kam_metrics.domain.filters import Filters as F
    from kam_metrics.domain.filters import shift_months, shift_years

    profile = accounts.compute_account_profile(con, account_id, filters.end)
    if profile is None:
        return None
    one = F(start=filters.start, end=filters.end, compare=filters.compare, accounts=(account_id,))
    # the 12 whole-or-partial months ending at the period end, and the same months a year earlier
    last_12 = F(start=shift_months(filters.end, -11), end=filters.end, accounts=(account_id,))
    previous_12 = F(start=shift_years(last_12.start, -1), end=last_12.start - timedelta(days=1), accounts=(account_id,))
    return {
        "profile": profile,
        "this_year": sales.compute_monthly_revenue(con, last_12),
        "last_year": sales.compute_monthly_revenue(con, previous_12),
        "products": accounts.compute_products(con, one),
        "summary": sales.compute_sales_summary(con, one),
        "comparison_summary": sales.compute_sales_summary(con, one.for_comparison()),
        "intervals": loyalty.compute_order_intervals(con, one),
    }


def _team(con, filters: Filters):
    from kam_metrics.metrics import team

    return team.compute_team(con, filters)


_WORK: dict[str, Callable[..., Any]] = {
    "sales_page": _sales_page,
    "breakdown": _breakdown,
    "accounts_page": _accounts_page,
    "matrix": _matrix,
    "account_options": _account_options,
    "account_360": _account_360,
    "team": _team,
}


@st.cache_data(show_spinner=False, max_entries=256)
def _load(path_text: str, version: tuple, name: str, *args: Any) -> Any:
    return _with_connection(path_text, _WORK[name], *args)


def _load_guarded(name: str, *args: Any) -> Any:
    path = db_path()
    return guarded(_load, str(path), db_version(path), name, *args)


def load_sales_page(filters: Filters, grain: str) -> dict[str, Any]:
    """Sales page: kpis (kam_metrics.metrics.kpi), intervals, trend and trend_comparison (by ``grain``) and
    targets {owner, region, product_line: compute_target_by frames}."""
    return _load_guarded("sales_page", filters, grain)


def load_breakdown(filters: Filters, dimension: str) -> dict[str, Any]:
    """Revenue by ``dimension`` with the comparison period (breakdown) and its growth bridge (bridge)."""
    return _load_guarded("breakdown", filters, dimension)


def load_accounts_page(filters: Filters) -> dict[str, Any]:
    """Accounts page: summary, retention, intervals, referrals, nps, lost, accounts (the list), pareto,
    abc_summary, groups, key_accounts and the ABC thresholds."""
    return _load_guarded("accounts_page", filters)


def load_matrix(filters: Filters, rows: str, columns: str):
    """The classification matrix of the filtered accounts by ``rows`` × ``columns``."""
    return _load_guarded("matrix", filters, rows, columns)


def load_account_options(filters: Filters):
    """The filtered accounts to choose from (account_id, account_name)."""
    return _load_guarded("account_options", filters)


def load_account_360(account_id: str, filters: Filters) -> dict[str, Any] | None:
    """Account 360: profile, this_year / last_year monthly revenue, products, summary,
    comparison_summary, intervals; None when the account does not exist."""
    return _load_guarded("account_360", account_id, filters)


def load_team(filters: Filters):
    """Team page: one row per account manager (kam_metrics.metrics.team.compute_team)."""
    return _load_guarded("team", filters)


def _targets(con):
    from kam_metrics.records.targets import load_targets

    return load_targets(con)


_WORK["targets"] = _targets


def load_targets():
    """Every target row (kam_metrics.records.targets.load_targets); None when the database file is missing."""
    if not db_path().exists():
        return None
    return _load_guarded("targets")


def save_targets(edited, actor) -> dict[str, int]:
    """Write the targets editor's table as ``actor`` (kam_metrics.commands.save_targets: role checked,
    audited in the same transaction) in one unit of work.

    Raises kam_metrics.records.targets.TargetsInvalid when a row is invalid (nothing written). The cached
    loaders see the change on the next rerun, as the database file's version changes.
    """
    from kam_metrics.commands import save_targets as save

    try:
        with open_db(str(db_path()), wait_seconds=LOCK_WAIT_SECONDS) as con:
            return save(con, actor, edited)
    except DatabaseLocked:
        st.warning(t("db.updating"), icon="⏳")
        st.stop()
