"""The verification report in HTML, Markdown and JSON, the CLI, and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

from guwah.case import Case
from guwah.ingest.executor import SerialExecutor
from guwah.ingest.pipeline import ingest
from guwah.verify import run_checks
from guwah.verify.report import write_report
from tests.conftest import pg_database, run_cli
from tests.test_verify_checks import BAD_ID, Leak, build_leak, leak  # noqa: F401


def test_report_formats(leak: Leak, tmp_path: Path) -> None:  # noqa: F811
    data = json.loads(write_report(leak.case, tmp_path / "r.json").read_text("utf-8"))
    assert data["format"] == "guwah-verify-report/1"
    assert {c["name"] for c in data["checks"]} >= {"ids", "time", "images", "documents"}
    dup = next(f for f in data["findings"] if f["kind"] == "duplicate_photo")
    assert len(dup["sha256"]) == 2 and all(len(s) == 64 for s in dup["sha256"])
    every = {s for f in data["findings"] for s in f["sha256"]}
    assert every == {it["sha256"] for it in data["items"]}
    ids = next(c for c in data["checks"] if c["name"] == "ids")
    assert any("distinct ID numbers in photo names valid" in t["text"] for t in ids["totals"])
    html = write_report(leak.case, tmp_path / "r.html").read_text("utf-8")
    assert "<script" not in html and "http" not in html.split("<body>")[0]  # self-contained
    assert BAD_ID in html and f'href="#item-{dup["sha256"][0]}"' in html
    assert f'id="item-{dup["sha256"][0]}"' in html and "Why it matters" in html
    md = write_report(leak.case, tmp_path / "r.md").read_text("utf-8")
    assert "## Methods" in md and dup["sha256"][1] in md and "exif_time_mismatch" in md


def test_cli_verify(tmp_path: Path) -> None:
    build_leak(tmp_path / "leak")
    run_cli("init", tmp_path / "case")
    empty = run_cli("verify", "--case", tmp_path / "case", check=False)
    assert empty.returncode == 2 and "guwah ingest" in empty.stderr
    run_cli("ingest", tmp_path / "leak", "--case", tmp_path / "case", "--no-ocr", "--serial")
    out = run_cli(
        "verify", "--case", tmp_path / "case", "--check", "ids", "--report", tmp_path / "r.json"
    )
    assert "ids" in out.stdout and "Report:" in out.stdout
    data = json.loads((tmp_path / "r.json").read_text("utf-8"))
    assert {f["check"] for f in data["findings"]} == {"ids"}
    bad = run_cli(
        "verify", "--case", tmp_path / "case", "--report", tmp_path / "r.pdf", check=False
    )
    assert bad.returncode == 2 and ".html" in bad.stderr
    assert "Example:" in run_cli("verify", "--help").stdout


def test_verify_on_postgresql(pg_url: str, tmp_path: Path) -> None:
    url = pg_database(pg_url, "guwah_verify")
    files = build_leak(tmp_path / "leak")
    case = Case.init(tmp_path / "case", database_url=url)
    assert case.engine.dialect.name == "postgresql"
    ingest(case, [tmp_path / "leak"], executor=SerialExecutor())
    first = run_checks(case, executor=SerialExecutor())
    again = run_checks(case, executor=SerialExecutor())
    assert first.n_findings == again.n_findings > 0
    data = json.loads(write_report(case, tmp_path / "r.json").read_text("utf-8"))
    dup = [f for f in data["findings"] if f["kind"] == "duplicate_photo"]
    assert len(dup) == 1 and len(dup[0]["sha256"]) == 2
    assert not (case.root / "guwah.db").exists() and files
