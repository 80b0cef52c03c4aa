"""The command-line contract of docs/cli.md, run as a real subprocess: keys, values, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

KPI_KEYS = {
    "revenue", "volume", "orders", "active_accounts", "revenue_growth", "volume_growth",
    "target_completion", "gross_margin", "repeat_purchase_rate", "purchase_frequency",
    "retention_rate", "churn_rate", "net_revenue_retention", "gross_revenue_retention",
    "top10_share", "abc",
}


def cli(*args: str, env_db: Path | None = None) -> subprocess.CompletedProcess:
    env = None
    if env_db is not None:
        import os

        env = {**os.environ, "KAM_DB": str(env_db)}
    return subprocess.run(
        [sys.executable, "-m", "kam_metrics", *args], cwd=ROOT, capture_output=True, text=True, env=env, timeout=300
    )


def test_kpi_json_has_every_key_with_hand_computed_values(hand_db):
    result = cli("kpi", "--db", str(hand_db), "--start", "2025-04-01", "--end", "2025-06-30", "--json")
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert KPI_KEYS <= payload.keys()
    assert KPI_KEYS <= payload["comparison"].keys()
    assert payload["revenue"] == 3050.0
    assert payload["orders"] == 5
    assert payload["revenue_growth"] == pytest.approx(1150 / 1900)
    assert payload["abc"] == {"A": ["A1", "A2"], "B": ["A4", "A3"], "C": ["A5"]}
    assert payload["comparison"]["start"] == "2025-01-01"
    assert payload["comparison"]["revenue"] == 1900.0
    # Q1 has no target row and Q4 2024 no sales: ratios without a denominator are null
    assert payload["comparison"]["target_completion"] is None
    assert payload["comparison"]["revenue_growth"] is None


def test_kpi_reads_kam_db_from_the_environment_and_compares_yoy(hand_db):
    result = cli("kpi", "--start", "2025-04-01", "--end", "2025-06-30", "--compare", "yoy", "--json", env_db=hand_db)
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["comparison"]["revenue"] == 200.0
    assert payload["comparison"]["end"] == "2024-06-30"


def test_kpi_text_output(hand_db):
    result = cli("kpi", "--db", str(hand_db), "--start", "2025-04-01", "--end", "2025-06-30")
    assert result.returncode == 0
    assert "revenue" in result.stdout and "101.7%" in result.stdout


@pytest.mark.parametrize(
    "args",
    [
        ("kpi", "--start", "2025-13-01", "--end", "2025-06-30"),
        ("kpi", "--start", "2025-06-30", "--end", "2025-04-01"),
        ("kpi", "--end", "2025-06-30"),
        ("no-such-command",),
        ("init-demo", "--accounts", "0"),
        ("init-demo", "--accounts", "5", "--force"),
    ],
)
def test_wrong_usage_exits_2(hand_db, args):
    result = cli(*args, "--db", str(hand_db))
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert result.stderr.strip()


def test_missing_database_exits_1_with_a_message(tmp_path):
    result = cli("info", "--db", str(tmp_path / "none.duckdb"))
    assert result.returncode == 1
    assert "does not exist" in result.stderr
    assert not (tmp_path / "none.duckdb").exists()


def test_info_json(hand_db):
    result = cli("info", "--db", str(hand_db), "--json")
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    tables = {row["table"]: row for row in payload["tables"]}
    assert tables["sales"]["rows"] == 11
    assert tables["sales"]["first_date"] == "2024-05-15" and tables["sales"]["last_date"] == "2025-06-30"
    assert tables["accounts"]["rows"] == 5
    assert payload["schema_version"] >= 1


def test_db_before_the_command_is_used(hand_db, tmp_path):
    """--db before the command name counts as much as after it (it used to be dropped for the default)."""
    other = tmp_path / "other.duckdb"
    before = cli("--db", str(hand_db), "info", "--json", env_db=other)
    assert before.returncode == 0, before.stderr
    assert {r["table"]: r["rows"] for r in json.loads(before.stdout)["tables"]}["sales"] == 11
    after = cli("--db", str(other), "info", "--db", str(hand_db), "--json", env_db=other)
    assert {r["table"]: r["rows"] for r in json.loads(after.stdout)["tables"]}["sales"] == 11  # the one after wins
    assert not other.exists()


def test_init_demo_builds_then_refuses_to_overwrite(tmp_path):
    db = tmp_path / "demo.duckdb"
    first = cli("init-demo", "--db", str(db), "--accounts", "20", "--years", "1", "--json")
    assert first.returncode == 0, first.stderr
    rows = json.loads(first.stdout)["rows"]
    assert rows["accounts"] == 20 and rows["sales"] > 0
    again = cli("init-demo", "--db", str(db), "--accounts", "20", "--years", "1")
    assert again.returncode == 3  # input rejected, nothing written
    assert "force" in again.stderr
    info = json.loads(cli("info", "--db", str(db), "--json").stdout)
    assert {t["table"]: t["rows"] for t in info["tables"]}["sales"] == rows["sales"]


def test_a_locked_database_exits_1_naming_the_holder(hand_db):
    import os

    holder = subprocess.Popen(
        [sys.executable, "-c", "import time\nfrom kam_metrics.store.connection import open_db\n"
         f"with open_db({str(hand_db)!r}):\n    print('held', flush=True)\n    time.sleep(30)"],
        cwd=ROOT, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        result = subprocess.run(
            [sys.executable, "-m", "kam_metrics", "kpi", "--db", str(hand_db), "--start", "2025-04-01", "--end", "2025-06-30"],
            cwd=ROOT, capture_output=True, text=True, env={**os.environ, "KAM_LOCK_WAIT": "1"}, timeout=60,
        )
    finally:
        holder.kill()
        holder.wait()
    assert result.returncode == 1
    assert f"process {holder.pid}" in result.stderr
