"""Layering (design.md §2): kam_metrics never loads streamlit; pages hold no SQL and open no database."""

from __future__ import annotations

import pkgutil
import re
import subprocess
import sys
from pathlib import Path

import kam_metrics

ROOT = Path(__file__).resolve().parents[1]


def test_importing_every_kam_metrics_module_loads_no_streamlit():
    modules = sorted(m.name for m in pkgutil.walk_packages(kam_metrics.__path__, "kam_metrics."))
    assert "kam_metrics.store.connection" in modules and "kam_metrics.cli.main" in modules
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "loaded = sorted(m for m in sys.modules if m == 'streamlit' or m.startswith('streamlit.'))\n"
        "print(','.join(loaded))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "", f"streamlit loaded by kam_metrics: {result.stdout.strip()[:200]}"


def test_pages_hold_no_sql_and_open_no_database():
    offenders = []
    for path in [ROOT / "app.py", *ROOT.glob("pages/*.py")]:
        text = path.read_text(encoding="utf-8")
        if re.search(r"^\s*(import duckdb|from duckdb)", text, re.M) or re.search(r"\bselect\b.+\bfrom\b", text, re.I):
            offenders.append(path.name)
    assert offenders == []
