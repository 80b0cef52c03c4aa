"""Every read the pages make: one unit of work per call, cached by the database file's (path, version).

Owns: one module per page family (sales: overview, sales, accounts, account 360, team, targets; churn,
forecast, operations, records, report, satisfaction).
May import: ``kam_metrics``, ``kam_app.state``, ``kam_app.auth``. Never ``charts``, ``widgets`` or ``sections``.
"""
