"""KAM Dashboard's pure-Python core: store, KPIs, demo data, i18n and the command line.

Never imports streamlit (a test checks it), so a script, a notebook or a test can use every function.
"""
