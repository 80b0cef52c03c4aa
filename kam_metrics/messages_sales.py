"""Messages (简体中文 / English) of the Sales, Accounts, Account 360 and Team pages; merged into kam_metrics.i18n.CATALOGUE."""

MESSAGES: dict[str, dict[str, str]] = {}
