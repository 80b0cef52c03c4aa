"""The review-meeting report: one model built from the metrics, rendered by the page and three exporters.

Owns: :mod:`.build` (the model, its sections, saved reports and actions) and :mod:`.export`.
May import: ``domain``, ``store``, ``sql``, ``metrics``, ``churn``, ``forecast``, ``i18n``.
"""
