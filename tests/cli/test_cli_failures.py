"""Failures end in one line and a documented status, never a traceback (docs/cli.md, Exit status)."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from kam_metrics.cli import main as cli_main
from kam_metrics.store.connection import SCHEMA_VERSION, open_db

ROOT = Path(__file__).resolve().parents[2]


def _newer(db: Path) -> int:
    with open_db(db) as con:
        con.execute("insert into schema_version values (?, current_timestamp)", [SCHEMA_VERSION + 1])
    return SCHEMA_VERSION + 1


def test_a_database_of_a_newer_version_is_read_but_never_written(hand_db, tmp_path):
    newer = _newer(hand_db)
    before = hand_db.read_bytes()
    file = tmp_path / "accounts.csv"
    file.write_text("account_id,account_name\nN1,新客户\n", encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "kam_metrics", "import", "accounts", str(file), "--db", str(hand_db)],
                            cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 3, (result.stdout, result.stderr)
    assert f"schema version {newer}" in result.stderr and f"({SCHEMA_VERSION})" in result.stderr
    assert "Traceback" not in result.stderr
    assert hand_db.read_bytes() == before
    read = subprocess.run([sys.executable, "-m", "kam_metrics", "info", "--db", str(hand_db), "--json"],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert read.returncode == 0, read.stderr
    assert f'"schema_version": {newer}' in read.stdout


def test_a_closed_output_pipe_ends_without_a_traceback(hand_db):
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader went away before the first line, like `info | head -0`
    try:
        result = subprocess.run([sys.executable, "-m", "kam_metrics", "info", "--db", str(hand_db)],
                                cwd=ROOT, stdout=write_end, stderr=subprocess.PIPE, text=True, timeout=300)
    finally:
        os.close(write_end)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and "BrokenPipe" not in result.stderr


class _ClosedPipe(io.StringIO):
    def write(self, text):
        raise BrokenPipeError(32, "Broken pipe")


def test_broken_pipe_in_process_returns_the_error_status(hand_db, monkeypatch):
    monkeypatch.setattr(sys, "stdout", _ClosedPipe())
    assert cli_main.main(["info", "--db", str(hand_db)]) == 1


@pytest.mark.parametrize(
    ("error", "status", "words"),
    [
        (duckdb.IOException("Could not write file: No space left on device"), 1, "No space left on device"),
        (duckdb.ConstraintException("CHECK constraint failed"), 1, "refused the operation"),
        (PermissionError(13, "Permission denied"), 1, "permissions"),
        (KeyError("x"), 1, "unexpected error"),
    ],
)
def test_every_failure_is_one_line_with_its_status(error, status, words):
    found, message = cli_main._failure(error)
    assert found == status
    assert words in message and "\n" not in message


def test_a_failing_command_prints_one_line(monkeypatch, capsys, hand_db):
    def fail(args):
        raise duckdb.IOException("Could not write file: No space left on device")

    parser, handlers = cli_main.build_parser()
    monkeypatch.setattr(cli_main, "build_parser", lambda: (parser, dict.fromkeys(handlers, fail)))
    monkeypatch.delenv("KAM_DEBUG", raising=False)
    assert cli_main.main(["info", "--db", str(hand_db)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: the database file could not be read or written")
