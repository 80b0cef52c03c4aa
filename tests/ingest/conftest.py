"""Fixtures of the import tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from rows import database  # tests/support, on the path (tests/conftest.py)


@pytest.fixture()
def db(tmp_path) -> Path:
    """An empty database file (a test module that needs accounts defines its own ``db``)."""
    return database(tmp_path / "kam.duckdb")
