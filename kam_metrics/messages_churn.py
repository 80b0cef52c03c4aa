"""Messages of the churn area, both languages; merged into ``i18n.CATALOGUE``."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {}
