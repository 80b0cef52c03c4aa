"""kam_metrics.domain.enums: every code list once; the importer, the store and the catalogue agree with it."""

from __future__ import annotations

import duckdb
import pytest

from kam_metrics.domain import enums
from kam_metrics.i18n import CATALOGUE
from kam_metrics.ingest.spec import ENUMS
from kam_metrics.store.connection import open_db

CODE_LISTS = [v for v in vars(enums).values() if isinstance(v, enums.CodeList)]


@pytest.mark.parametrize("codes", CODE_LISTS, ids=lambda c: c.name)
def test_codes_are_unique_and_every_alias_names_a_code(codes):
    assert len(set(codes.codes)) == len(codes.codes)
    assert set(codes.aliases.values()) <= set(codes.codes)


@pytest.mark.parametrize("codes", [c for c in CODE_LISTS if c.label_key], ids=lambda c: c.name)
def test_every_code_has_a_label_in_both_languages(codes):
    for code in codes:
        entry = CATALOGUE[f"{codes.label_key}.{code}"]
        assert entry["zh"] and entry["en"]


def test_the_importer_recodes_with_the_declared_lists():
    assert ENUMS["scale"]["大型"] == "large" and ENUMS["stage"]["招投标"] == "bidding"
    assert ENUMS["level"]["product_line"] == "product_line"


def test_the_store_accepts_exactly_the_declared_codes(tmp_path):
    with open_db(tmp_path / "e.duckdb") as con:
        for scale in enums.SCALES:
            con.execute("insert into accounts (account_id, account_name, scale) values (?, ?, ?)", [scale, scale, scale])
        with pytest.raises(duckdb.ConstraintException):
            con.execute("insert into accounts (account_id, account_name, scale) values ('x', 'x', 'huge')")
        for n, level in enumerate(enums.TARGET_LEVELS):
            con.execute('insert into targets (period, level, "key", revenue_target) values (?, ?, ?, 1)', ["2025", level, "" if level == "company" else str(n)])
        with pytest.raises(duckdb.ConstraintException):
            con.execute('insert into targets (period, level, "key", revenue_target) values (\'2025\', \'team\', \'t\', 1)')
