"""The command line, ``python -m kam_metrics COMMAND``: one module per command group.

Owns: :mod:`.main` (parser, data commands, exit codes), :mod:`.users`, :mod:`.churn`, :mod:`.forecast`,
:mod:`.report`.
May import: everything in ``kam_metrics``.
"""
