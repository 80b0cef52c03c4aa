"""The headline KPI set of a period and its comparison period (``kpi --json``, the Overview page).

Keys follow docs/cli.md. Fractions are decimals; a ratio without a denominator is None.
"""

from __future__ import annotations

from typing import Any

import duckdb

from kam_metrics.domain.filters import Filters
from kam_metrics.metrics.loyalty import compute_retention
from kam_metrics.metrics.sales import compute_sales_summary, compute_target, growth, ratio
from kam_metrics.sql.segments import SEGMENT_CTES, filter_params, query_df
from kam_metrics.store.settings import load_settings

FILTERED_ABC_SQL = (
    "with"
    + SEGMENT_CTES
    + """
select f.abc_class, f.account_id
from filtered_accounts as f
join abc using (account_id)
order by abc.revenue_12m desc, f.account_id
"""
)


def compute_abc_lists(con: duckdb.DuckDBPyConnection, filters: Filters) -> dict[str, list[str]]:
    """The filtered accounts by ABC class as of the period end: {"A": [...], "B": [...], "C": [...]}."""
    frame = query_df(con, FILTERED_ABC_SQL, filter_params(filters, load_settings(con)))
    return {cls: frame.loc[frame["abc_class"] == cls, "account_id"].tolist() for cls in ("A", "B", "C")}


def _period_kpis(
    con: duckdb.DuckDBPyConnection, filters: Filters, summary: dict[str, Any], previous: dict[str, Any]
) -> dict[str, Any]:
    """The KPIs of one period, given its sales summary and its comparison period's."""
    target = compute_target(con, filters)
    retention = compute_retention(con, filters)
    return {
        "start": filters.start.isoformat(),
        "end": filters.end.isoformat(),
        "revenue": summary["revenue"],
        "volume": summary["volume"],
        "orders": summary["orders"],
        "active_accounts": summary["active_accounts"],
        "active_key_accounts": summary["active_key_accounts"],
        "revenue_growth": growth(summary["revenue"], previous["revenue"]),
        "volume_growth": growth(summary["volume"], previous["volume"]),
        "revenue_target": target["revenue_target"],
        "volume_target": target["volume_target"],
        "target_level": target["level"],
        "target_is_prorated": target["is_prorated"],
        "target_completion": ratio(summary["revenue"], target["revenue_target"]),
        "volume_target_completion": ratio(summary["volume"], target["volume_target"]),
        "gross_margin": summary["gross_margin"],
        "repeat_purchase_rate": summary["repeat_purchase_rate"],
        "purchase_frequency": summary["purchase_frequency"],
        "retention_rate": retention["retention_rate"],
        "churn_rate": retention["churn_rate"],
        "net_revenue_retention": retention["net_revenue_retention"],
        "gross_revenue_retention": retention["gross_revenue_retention"],
        "top10_share": summary["top10_share"],
        "herfindahl": summary["herfindahl"],
        "abc": compute_abc_lists(con, filters),
    }


def compute_kpis(con: duckdb.DuckDBPyConnection, filters: Filters) -> dict[str, Any]:
    """Every headline KPI of the period, plus ``comparison``: the same keys for the comparison period
    (whose own growth and retention look one more period back). The comparison period uses the same
    accounts as this one (segments are evaluated at this period's end)."""
    comparison = filters.for_comparison()
    summaries = [compute_sales_summary(con, f) for f in (filters, comparison, comparison.for_comparison())]
    result = _period_kpis(con, filters, summaries[0], summaries[1])
    result["comparison"] = _period_kpis(con, comparison, summaries[1], summaries[2])
    result["compare"] = filters.compare
    return result
