"""Who may do what: roles, the action policy, local users, the audit log, masking and formula safety.

Owns: :mod:`.policy` (roles, ``require``, users, audit, masking, the role-checked writes) and
:mod:`.export_safety` (neutralising cells that a spreadsheet would run as formulas).
May import: every ``kam_metrics`` package except ``cli``.
"""
