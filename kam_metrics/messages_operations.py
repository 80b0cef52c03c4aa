"""Messages (简体中文 / English) of the Projects, Service and Pipeline pages; merged into kam_metrics.i18n.CATALOGUE."""

MESSAGES: dict[str, dict[str, str]] = {}
