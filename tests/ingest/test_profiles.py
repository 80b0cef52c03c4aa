"""The second upload is one click: an import's choices are saved as a profile for files with the same
headers and applied to the next one with a notice; --profile NAME names them, --no-profile skips them,
explicit options win."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from rows import query  # tests/support, on the path (tests/conftest.py)

ROOT = Path(__file__).resolve().parents[2]
COMPLAINTS = "工单号,客户编号,创建时间,状态\nT{n}1,K1,2025-0{n}-01 10:00,Stalled\nT{n}2,K2,2025-0{n}-02 11:00,Open\n"


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kam_metrics", *args], cwd=ROOT, capture_output=True, text=True, timeout=300)


def export(tmp_path: Path, month: int) -> str:
    path = tmp_path / f"工单导出_{month}.csv"
    path.write_text(COMPLAINTS.format(n=month), encoding="utf-8")
    return str(path)


def test_the_second_export_gets_the_first_ones_settings_with_a_notice(tmp_path):
    db = str(tmp_path / "kam.duckdb")
    assert cli("import", "accounts", "--db", db, _accounts(tmp_path)).returncode == 0
    first = cli("import", "interactions", export(tmp_path, 1), "--db", db, "--set", "kind=complaint", "--map", "状态=-", "--json")
    assert first.returncode == 0, first.stderr
    payload = json.loads(first.stdout)
    assert payload["profile"] is None and payload["profile_saved"] == "工单导出_1"
    second = cli("import", "interactions", export(tmp_path, 2), "--db", db, "--json")
    assert second.returncode == 0, second.stderr
    again = json.loads(second.stdout)
    assert again["profile"] == "工单导出_1" and again["rows_inserted"] == 2
    assert again["notices"][0] == "Applied the saved import settings '工单导出_1' (files with these headers): kind=complaint."
    assert query(db, "select kind, count(*) from interactions group by 1") == [("complaint", 4)]


def test_a_named_profile_is_used_by_name_and_no_profile_applies_none(tmp_path):
    db = str(tmp_path / "kam.duckdb")
    assert cli("import", "accounts", "--db", db, _accounts(tmp_path)).returncode == 0
    assert cli("import", "interactions", export(tmp_path, 1), "--db", db, "--set", "kind=complaint", "--map", "状态=-",
               "--profile", "工单").returncode == 0
    named = json.loads(cli("import", "interactions", export(tmp_path, 2), "--db", db, "--profile", "工单", "--dry-run", "--json").stdout)
    assert named["profile"] == "工单"
    explicit = json.loads(cli("import", "interactions", export(tmp_path, 3), "--db", db, "--profile", "工单",
                              "--set", "kind=call", "--json").stdout)
    assert explicit["profile"] == "工单" and explicit["rows_inserted"] == 2
    # the explicit --set wins over the saved one: month 3's tickets are calls, month 1's complaints
    assert query(db, "select kind, count(*) from interactions group by 1 order by 1") == [("call", 2), ("complaint", 2)]
    none = cli("import", "interactions", export(tmp_path, 2), "--db", db, "--no-profile", "--json")
    assert none.returncode == 3 and json.loads(none.stdout)["problems"][0]["column"] == "kind"  # kind is required


def _accounts(tmp_path: Path) -> str:
    path = tmp_path / "accounts.csv"
    path.write_text("客户编号,客户名称\nK1,甲公司\nK2,乙公司\n", encoding="utf-8")
    return str(path)
