"""Who may do what, and what may leave the app.

Owns: :mod:`.policy` (roles, ``ACTIONS``, ``Actor``, ``require``), :mod:`.users` (local users, argon2id
hashes, sign-in checks), :mod:`.audit` (the audit log), :mod:`.masking` (masked customer names in
downloads) and :mod:`.export_safety` (cells a spreadsheet would run as formulas, neutralised).
May import: ``kam_metrics.store`` only. The writes that check a role and audit live in
:mod:`kam_metrics.commands`.
"""
