"""The catalogue is complete in both languages; numbers and dates are formatted per language."""

from __future__ import annotations

import re
import string
from datetime import date
from pathlib import Path

import pytest

from kam_metrics.i18n import (
    CATALOGUE,
    LANGUAGES,
    format_date,
    format_money,
    format_number,
    format_percent,
    normalize_language,
    t,
)

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("key", sorted(CATALOGUE))
def test_every_key_has_both_languages_with_the_same_fields(key):
    entry = CATALOGUE[key]
    for lang in LANGUAGES:
        assert entry.get(lang, "").strip(), f"{key!r} has no {lang} text"
    fields = [
        {name for _, name, _, _ in string.Formatter().parse(entry[lang]) if name} for lang in LANGUAGES
    ]
    assert fields[0] == fields[1], f"{key!r}: zh and en use different fields {fields}"


def test_every_key_used_in_the_code_exists():
    used = set()
    # t("key") and the column registry's columns.text("key"), columns.money("key")...
    pattern = re.compile(r"""\b(?:t|columns\.\w+)\(\s*["']([a-z0-9_.A-Z]+)["']""")
    for path in [ROOT / "app.py", *ROOT.glob("pages/*.py"), *ROOT.glob("kam_app/**/*.py")]:
        used |= set(pattern.findall(path.read_text(encoding="utf-8")))
    assert used, "no t('...') call found: the pattern or the layout changed"
    missing = sorted(key for key in used if key not in CATALOGUE)
    assert not missing, f"keys used but not in the catalogue: {missing}"


def test_money_is_formatted_per_language():
    assert format_money(12_345_000, "zh") == "¥1,234.5万"
    assert format_money(12_345_000, "en") == "¥12.3M"
    assert format_money(123_456_789, "zh") == "¥1.23亿"
    assert format_money(2_500_000_000, "en") == "¥2.5B"
    assert format_money(950, "zh") == "¥950"
    assert format_money(-45_000, "en") == "-¥45.0K"
    assert format_money(None, "zh") == "—"
    assert format_money(float("nan"), "en") == "—"


def test_numbers_percent_and_dates():
    assert format_number(56_789, "zh") == "5.7万"
    assert format_number(56_789, "en") == "56.8K"
    assert format_percent(0.1234) == "12.3%"
    assert format_percent(-0.05, signed=True) == "-5.0%"
    assert format_percent(0.05, signed=True) == "+5.0%"
    assert format_percent(None) == "—"
    assert format_date(date(2025, 1, 5), "zh") == "2025年1月5日"
    assert format_date(date(2025, 1, 5), "en") == "5 Jan 2025"


def test_language_from_query_parameter():
    assert normalize_language("en") == "en"
    assert normalize_language("EN-us") == "en"
    assert normalize_language("zh") == "zh"
    assert normalize_language(None) == "zh"
    assert normalize_language("fr") == "zh"
    assert t("page.overview", "en") == "Overview"
    assert t("filter.anchor", "zh", date="2025年9月30日").endswith("2025年9月30日 为基准")


def test_money_axis_units():
    from kam_metrics.i18n import money_unit

    assert money_unit(49_000_000, "zh") == (1e4, "万元")
    assert money_unit(3.2e8, "zh") == (1e8, "亿元")
    assert money_unit(49_000_000, "en") == (1e6, "CNY M")
    assert money_unit(3_050, "en") == (1e3, "CNY K")
    assert money_unit(3_050, "zh") == (1.0, "元")
    assert money_unit(None, "en") == (1.0, "CNY")


def _duplicate_keys(path: Path) -> list[tuple[int, str]]:
    """(line, key) of every string key written a second time in one dict literal of ``path``: Python
    keeps the last one silently, so the first text is lost (report.scope.accounts was, once)."""
    import ast

    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if not isinstance(node, ast.Dict):
            continue
        seen: set[str] = set()
        for key in node.keys:
            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                if key.value in seen:
                    found.append((key.lineno, key.value))
                seen.add(key.value)
    return found


def test_the_duplicate_key_check_finds_a_repeated_key(tmp_path):
    sample = tmp_path / "messages_sample.py"
    sample.write_text('M = {"a": {"zh": "1", "en": "1"},\n     "b": {"zh": "2", "en": "2"},\n     "a": {"zh": "3", "en": "3"}}\n',
                      encoding="utf-8")
    assert _duplicate_keys(sample) == [(3, "a")]


@pytest.mark.parametrize("path", sorted([*ROOT.glob("kam_metrics/i18n/catalogue/*.py"), ROOT / "kam_metrics" / "i18n" / "__init__.py"]),
                         ids=lambda p: p.name)
def test_no_message_module_writes_a_key_twice(path):
    assert _duplicate_keys(path) == [], f"{path.name}: keys written twice (the later one wins silently)"
