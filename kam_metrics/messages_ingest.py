"""Messages (简体中文 / English) of data import (the import page and the importer's error messages); merged into kam_metrics.i18n.CATALOGUE."""

MESSAGES: dict[str, dict[str, str]] = {}
