"""Schema migration 4 (issue #10, roles and audit): users, the audit log, recorded account edits.

Statements are plain DDL applied once by ``store.ensure_schema`` in one transaction."""

from __future__ import annotations

STATEMENTS: list[str] = []
