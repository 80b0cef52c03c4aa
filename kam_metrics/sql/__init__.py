"""SQL building blocks shared by every metric: the account-segment CTEs and parameter binding.

Owns: :mod:`.segments`. Queries are constants composed from constants; values are always bound.
May import: ``kam_metrics.domain``.
"""
