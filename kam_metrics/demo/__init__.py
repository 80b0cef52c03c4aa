"""A deterministic, realistic demo company at any scale (``init-demo``).

Owns: :mod:`.generator`.
May import: ``domain``, ``store``, ``ingest``, ``metrics``.
"""
