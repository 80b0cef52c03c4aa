"""Tables a user edits in place: account records (with a change log and undo) and targets.

Owns: :mod:`.accounts`, :mod:`.targets`. Both validate exactly like an import.
May import: ``domain``, ``store``, ``ingest``, ``i18n``.
"""
