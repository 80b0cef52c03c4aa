"""The import pipeline: read a file, map its headers, parse and check every value, preview, commit, undo.

Owns: :mod:`.spec` (what each table accepts, header aliases), :mod:`.read` (bytes to a staging table of
text), :mod:`.stage` (map, parse, check, commit, undo, history).
May import: ``domain``, ``store``, ``sql``, ``i18n``.
"""
