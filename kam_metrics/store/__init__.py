"""The DuckDB file: where it is, how to open it for one unit of work, its schema, migrations and settings.

Owns: :mod:`.connection` (``open_db``, ``DatabaseLocked``, the schema and imports bookkeeping),
:mod:`.schema_access` and :mod:`.schema_report` (later migrations), :mod:`.settings` (the business
settings table).
May import: ``kam_metrics.domain``.
"""
