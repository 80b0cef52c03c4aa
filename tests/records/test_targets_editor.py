"""The targets editor's load / validate / save (kam_metrics.records.targets) on the hand-typed targets of
conftest.py, and the Settings page that edits them."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from kam_metrics.domain.filters import Filters
from kam_metrics.metrics.sales import compute_target
from kam_metrics.records.targets import TargetsInvalid, load_targets, normalize_targets, save_targets, validate_targets
from kam_metrics.store.connection import open_db


def test_load_targets(hand_db):
    with open_db(hand_db) as con:
        frame = load_targets(con)
    assert len(frame) == 5
    assert frame.iloc[0].tolist()[:3] == ["2025", "region", "华东"]


def test_save_changes_only_what_changed_and_the_kpis_follow(hand_db):
    with open_db(hand_db) as con:
        frame = load_targets(con)
        con.execute("update targets set import_id = 7")
        # raise 张三's Q2 target to 2600, drop the 华南 year row, add a company row for 2025Q2
        frame.loc[(frame["level"] == "owner") & (frame["key"] == "张三"), "revenue_target"] = 2600.0
        frame = frame[~((frame["period"] == "2025") & (frame["key"] == "华南"))]
        frame = pd.concat(
            [frame, pd.DataFrame([{"period": "2025Q2", "level": "company", "key": "ignored", "revenue_target": 5000.0}])]
        )
        counts = save_targets(con, frame)
        after = load_targets(con)
        import_ids = dict(con.execute('select "key" || period, import_id from targets').fetchall())
        company = compute_target(con, Filters(start=date(2025, 4, 1), end=date(2025, 6, 30)))
    assert counts == {"inserted": 1, "updated": 1, "deleted": 1}
    assert len(after) == 5
    assert import_ids["李四2025Q2"] == 7  # untouched rows keep their import
    assert import_ids["张三2025Q2"] is None  # edited in the app
    assert company["level"] == "company" and company["revenue_target"] == pytest.approx(5000.0)  # key '' for company


def test_invalid_rows_are_all_reported_and_nothing_is_written(hand_db):
    edited = pd.DataFrame(
        [
            {"period": "2025Q5", "level": "owner", "key": "张三", "revenue_target": 1.0, "volume_target": None},
            {"period": "2025", "level": "team", "key": "x", "revenue_target": 1.0, "volume_target": None},
            {"period": "2025", "level": "owner", "key": "", "revenue_target": -5.0, "volume_target": None},
            {"period": "2025-03", "level": "region", "key": "华东", "revenue_target": None, "volume_target": None},
            {"period": "2025-03", "level": "region", "key": "华东", "revenue_target": 1.0, "volume_target": None},
            {"period": None, "level": None, "key": None, "revenue_target": None, "volume_target": None},  # dropped
        ]
    )
    problems = validate_targets(normalize_targets(edited))
    assert [(p.row, p.column, p.message_key) for p in problems] == [
        (1, "period", "targets.bad_period"),
        (2, "level", "targets.bad_level"),
        (3, "key", "targets.missing_key"),
        (3, "revenue_target", "targets.negative"),
        (4, "revenue_target", "targets.no_value"),
        (5, "period", "targets.duplicate"),
    ]
    with open_db(hand_db) as con:
        with pytest.raises(TargetsInvalid):
            save_targets(con, edited)
        assert len(load_targets(con)) == 5
