"""The message catalogue by area, both languages, merged into ``kam_metrics.i18n.CATALOGUE``."""
