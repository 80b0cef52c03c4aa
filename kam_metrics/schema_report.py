"""Schema migration 3 (issue #8, the review report): saved reports, their edited sections, review actions.

Statements are plain DDL applied once by ``store.ensure_schema`` in one transaction."""

from __future__ import annotations

STATEMENTS: list[str] = []
