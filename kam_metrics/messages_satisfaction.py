"""Messages (简体中文 / English) of the Satisfaction page and its settings; merged into kam_metrics.i18n.CATALOGUE."""

MESSAGES: dict[str, dict[str, str]] = {}
