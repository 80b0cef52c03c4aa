"""Layout pieces shared by pages: KPI cards, charts with an empty state, masked downloadable tables.

Owns: :mod:`.components`.
May import: ``kam_metrics``, ``kam_app.state``, ``kam_app.auth``, ``kam_app.theme``.
"""
