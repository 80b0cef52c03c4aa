"""The Streamlit adapter between the pages and ``kam_metrics``: cached reads, figures, widgets, sections.

Packages: :mod:`.data` (every read a page makes, cached by the database file's state), :mod:`.charts`
(pure Plotly figure builders), :mod:`.widgets` (KPI cards, tables, downloads), :mod:`.sections` (blocks of
Streamlit used by several pages). Modules: :mod:`.state` (language, filters), :mod:`.auth`,
:mod:`.presenter`, :mod:`.theme`.
May import: ``kam_metrics``; never ``pages``.
"""
