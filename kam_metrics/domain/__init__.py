"""The vocabulary of the domain: periods and the Filters value, code lists, small number rules.

Owns: :mod:`.filters` (periods, comparison periods, the frozen ``Filters`` every metric takes).
May import: nothing from the project (standard library and pandas only).
"""
