"""Monthly revenue forecasts with their back-test and intervals, and projected target completion.

Owns: :mod:`.engine`.
May import: ``domain``, ``store``, ``sql``, ``metrics``.
"""
