"""Pure Plotly figure builders: small aggregated frames in, a figure whose title states the finding out.

Owns: one module per page family. No ``streamlit`` and no ``kam_app.data`` here, except
:mod:`.forecast`, whose ``render_*`` sections are still to move to ``kam_app.sections``.
May import: ``kam_metrics`` (i18n, domain), ``kam_app.theme``.
"""
