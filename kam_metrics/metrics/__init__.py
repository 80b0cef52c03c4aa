"""Descriptive KPIs: ``compute_*(con, filters)`` aggregating inside DuckDB into small results.

Owns: sales, kpi (headline set), accounts (lists, ABC, matrices), loyalty, team, satisfaction, projects,
service and pipeline (see docs/kpis.md for every definition).
May import: ``kam_metrics.domain``, ``kam_metrics.store``, ``kam_metrics.sql``.
"""
