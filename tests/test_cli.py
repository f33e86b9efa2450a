"""The CLI as users meet it: help with examples, clear errors, the ingest summary."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import run_cli

COMMANDS = [
    ["init"],
    ["ingest"],
    ["extract"],
    ["ocr"],
    ["status"],
    ["synth"],
    ["custody", "verify"],
    ["custody", "log"],
    ["custody", "head"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_every_command_has_help_with_an_example(command: list[str]) -> None:
    out = run_cli(*command, "--help").stdout
    assert "Example" in out and f"guwah {command[0]}" in out


def test_a_directory_that_is_not_a_case_says_how_to_make_one(tmp_path: Path) -> None:
    proc = run_cli("status", "--case", tmp_path, check=False)
    assert proc.returncode == 2
    assert "guwah init" in proc.stderr


def test_init_refuses_a_non_empty_directory_and_an_existing_case(tmp_path: Path) -> None:
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "file").write_text("x")
    proc = run_cli("init", tmp_path / "busy", check=False)
    assert proc.returncode == 2 and "not empty" in proc.stderr
    run_cli("init", tmp_path / "case")
    again = run_cli("init", tmp_path / "case", check=False)
    assert again.returncode == 2 and "already a guwah case" in again.stderr


def test_a_missing_source_is_named(tmp_path: Path) -> None:
    run_cli("init", tmp_path / "case")
    proc = run_cli("ingest", tmp_path / "nope", "--case", tmp_path / "case", check=False)
    assert proc.returncode == 2 and "nope" in proc.stderr and "not found" in proc.stderr


def test_ingest_prints_the_summary_and_status_agrees(tmp_path: Path, small_leak: Path) -> None:
    run_cli("init", tmp_path / "case", "--custodian", "Desk A")
    out = run_cli("ingest", small_leak, "--case", tmp_path / "case", "--no-ocr").stdout
    assert "This run:" in out and "files/s" in out
    assert "image/jpeg" in out and "Originals by type" in out
    status = json.loads(run_cli("status", "--json", "--case", tmp_path / "case").stdout)
    jpeg = next(t for t in status["by_type"] if t["mime"] == "image/jpeg")
    assert jpeg["items"] == 3
    assert status["extension_mismatches"] == 1
    assert status["last_run"]["status"] == "done"
    log = run_cli("custody", "log", "--case", tmp_path / "case", "--limit", "500").stdout
    assert "received" in log and "Desk A" in log


def test_case_from_environment(
    tmp_path: Path, small_leak: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run_cli("init", tmp_path / "case")
    monkeypatch.setenv("GUWAH_CASE", str(tmp_path / "case"))
    run_cli("ingest", small_leak, "--no-ocr")
    status = json.loads(run_cli("status", "--json").stdout)
    assert status["items"] > 0
