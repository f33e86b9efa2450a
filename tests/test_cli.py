"""The CLI as users meet it: help with examples, clear errors, the ingest summary."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer

from guwah.cli import app
from tests.conftest import run_cli


def _leaves(command: Any, path: list[str]) -> list[list[str]]:
    subcommands = getattr(command, "commands", None)  # a group (typer's own click)
    if subcommands:
        return [
            leaf
            for name, sub in sorted(subcommands.items())
            for leaf in _leaves(sub, [*path, name])
        ]
    return [path]


# every command the app assembles, as the user types it (read from the app, not listed here)
COMMANDS = _leaves(typer.main.get_command(app), [])


def test_the_app_assembles_every_stage_command() -> None:
    assert {" ".join(c) for c in COMMANDS} >= {
        "init", "ingest", "extract", "ocr", "status", "custody verify", "custody log",
        "custody head", "records build", "records report", "records export", "verify",
        "search", "person", "names score", "synth", "serve",
    }  # fmt: skip


def test_help_loads_no_stage() -> None:
    """`guwah --help` imports the command modules only: no database, no stage, no tables."""
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "guwah", "--help"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0 and "ingest" in proc.stdout
    loaded = set(re.findall(r"\|\s*([\w.]+)\s*$", proc.stderr, flags=re.MULTILINE))
    assert "guwah.cli" in loaded and "guwah.ingest.command" in loaded  # the parse worked
    allowed = re.compile(r"^guwah(\.cli|\.cli_options|\.console|\.lazy|(\.\w+)?(\.command)?)$")
    assert sorted(m for m in loaded if m.startswith("guwah") and not allowed.match(m)) == []
    heavy = {"sqlalchemy", "alembic", "PIL", "openpyxl", "jieba", "pypinyin", "stdnum", "fastapi"}
    assert sorted(heavy & {m.split(".")[0] for m in loaded}) == []


def test_lazy_packages_export_what_they_did() -> None:
    """A name loaded on first use is the function, even when a submodule of the same name
    was imported first (``guwah.names.parse``)."""
    code = (
        "import guwah.names.match, guwah.names.romanise, guwah.synth.generate\n"
        "from guwah.names import parse, romanise, score, NameIndex\n"
        "from guwah.synth import generate, KINDS\n"
        "from guwah.verify import run_checks\n"
        "from guwah.search import search, stage\n"
        "import guwah.names as n\n"
        "assert callable(parse) and callable(romanise) and callable(generate), (parse, generate)\n"
        "assert n.parse is parse and 'score' in dir(n) and stage.search is search\n"
        "assert score('陈全国', 'Chen Quanguo').match and KINDS\n"
        "try:\n    n.no_such_name\nexcept AttributeError:\n    pass\nelse:\n    raise SystemExit(1)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr


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


def test_verify_help_names_every_registered_check() -> None:
    from guwah.verify.base import all_checks

    # what a fresh process registers (tests in this one may have registered checks of their own)
    fresh = subprocess.run(
        [sys.executable, "-c", "from guwah.verify.base import all_checks; print(*all_checks())"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    registered = fresh.stdout.split()
    assert set(registered) <= set(all_checks())
    assert len(registered) >= 9 and {"record_ids", "cross_field", "joins"} <= set(registered)
    out = " ".join(run_cli("verify", "--help").stdout.replace("│", " ").split())
    assert f"Run only this check (repeatable): {', '.join(registered)}." in out
