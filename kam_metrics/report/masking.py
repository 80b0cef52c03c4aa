"""Masked reports: every account name, wherever it appears, replaced by an alias (客户A / Customer A)."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from kam_metrics.i18n import t
from kam_metrics.report.model import Report


def alias_label(index: int, lang: str) -> str:
    """客户A … 客户Z, 客户AA … (Customer A …) for the index-th account (0-based)."""
    letters = ""
    n = index
    while True:
        letters = chr(ord("A") + n % 26) + letters
        n = n // 26 - 1
        if n < 0:
            break
    return t("report.alias", lang, letters=letters)


def _trie_pattern(words: list[str]) -> str:
    """One regular expression matching any of ``words``, longest first, built as a trie so that
    thousands of account names stay fast."""
    trie: dict = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = True

    def walk(node: dict) -> str:
        branches = [re.escape(char) + walk(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if "" in node:
            return "(?:" + body + ")?"
        return body

    return walk(trie)


class NameMasker:
    """Replaces every account name in a text by its alias (longest name first)."""

    def __init__(self, aliases: dict[str, str]):
        names = [n for n in aliases if n]
        self.aliases = aliases
        self.pattern = re.compile(_trie_pattern(names)) if names else None

    def __call__(self, value: Any) -> Any:
        if not isinstance(value, str) or self.pattern is None or not value:
            return value
        return self.pattern.sub(lambda m: self.aliases.get(m.group(0), m.group(0)), value)


def mask_report(report: Report) -> Report:
    """A copy of ``report`` with every account name, wherever it appears (titles, bullets, chart
    categories, table cells, notes, hints, edited text, actions), replaced by its alias."""
    if report.masked:
        return report
    mask = NameMasker(report.aliases)

    def rows(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [{k: mask(v) for k, v in row.items()} for row in items]

    sections = []
    for s in report.sections:
        chart = None
        if s.chart is not None:
            chart = replace(s.chart, title=mask(s.chart.title), categories=[mask(c) for c in s.chart.categories])
        sections.append(
            replace(
                s,
                title=mask(s.title),
                bullets=[mask(b) for b in s.bullets],
                chart=chart,
                tables=[replace(tb, title=mask(tb.title), rows=rows(tb.rows)) for tb in s.tables],
                notes=[mask(n) for n in s.notes],
                hints=[mask(h) for h in s.hints],
                text=mask(s.text),
            )
        )
    return replace(report, sections=sections, actions=rows(report.actions), masked=True,
                   title=mask(report.title), scope_text=mask(report.scope_text))
