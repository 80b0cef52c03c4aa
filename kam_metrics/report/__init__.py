"""The review-meeting report: one model built from the metrics, rendered by the page and three exporters.

Owns, in dependency order (each imports only those before it):
:mod:`.model` (figures, charts, tables, sections, the report; shared formatting), :mod:`.masking`
(aliases for account names), :mod:`.data` (what a report reads from the metrics), :mod:`.store` (saved
reports and review actions), :mod:`.sections` and :mod:`.snapshot` (the section builders),
:mod:`.export` (PowerPoint, HTML, Excel: import :mod:`.model` only) and :mod:`.build` (``build_report``,
``render``).
May import: ``domain``, ``store``, ``sql``, ``metrics``, ``churn``, ``forecast``, ``i18n``, ``access.export_safety``.
"""
