"""Churn risk: as-of features and labels, the health score, the churn model, its back-test and BTYD benchmarks.

Owns: :mod:`.features` (SQL features and labels), :mod:`.btyd` (BG/NBD and Pareto/NBD), :mod:`.scoring`
(health score, model, early warning, back-test).
May import: ``domain``, ``store``, ``sql``, ``metrics``, ``i18n`` (reasons in words).
"""
