"""The records stage end to end: the synthetic leak against its truth, the CLI, PostgreSQL."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from guwah.case import Case
from guwah.ingest.executor import ProcessExecutor, SerialExecutor
from guwah.ingest.pipeline import ingest
from guwah.records.command import records_app
from guwah.records.evaluate import evaluate
from guwah.records.people import people_by_id_number
from guwah.records.stage import build_records
from guwah.store.models import Person, Record, RecordValue
from guwah.synth import generate
from tests.conftest import pg_database, run_cli
from tests.records_files import ID1, write_records_leak


@pytest.mark.slow
def test_synthetic_leak_against_truth(tmp_path: Path) -> None:
    result = generate(tmp_path / "leak", seed=7, scale="small")
    case = Case.init(tmp_path / "case")
    ingest(case, [result.out], executor=ProcessExecutor(workers=2))
    stats = build_records(case)
    with case.sessions() as s:
        ev = evaluate(s, result.truth)
        n_people = s.scalar(select(func.count()).select_from(Person))
    assert ev.missing_rows == 0 and ev.truth_rows > 1000
    assert ev.spurious_records == 0
    assert ev.value_accuracy >= 0.99, (ev.as_dict(), ev.wrong_examples)
    assert ev.f1 >= 0.98, ev.as_dict()
    assert stats.people == n_people == result.n_people
    truth = json.loads(result.truth.read_text("utf-8"))
    conflicts = [a for a in truth["anomalies"] if a["kind"] == "id_conflict"]
    assert conflicts and stats.id_conflicts >= len(conflicts)
    with case.sessions() as s:
        for a in conflicts:  # one person per ID, keeping both values
            (p,) = people_by_id_number(s, a["id_number"])
            assert p.conflicts.keys() & {"name", "birth_date"}
    # a rebuild replaces, never duplicates
    again = build_records(case)
    assert (again.records, again.people, again.values) == (
        stats.records,
        stats.people,
        stats.values,
    )
    with case.sessions() as s:
        assert s.scalar(select(func.count()).select_from(Record)) == stats.records
        assert evaluate(s, result.truth).f1 == ev.f1


def test_cli_build_report_export(tmp_path: Path) -> None:
    leak = write_records_leak(tmp_path / "leak")
    case = Case.init(tmp_path / "case")
    ingest(case, [leak], executor=SerialExecutor())
    out = run_cli("records", "build", "--case", case.root).stdout
    assert "records" in out and "people" in out
    runner = CliRunner()
    # the bare group command builds too (idempotently); in-process from here on: faster
    assert runner.invoke(records_app, ["--case", str(case.root)]).exit_code == 0
    shown = runner.invoke(records_app, ["report", "--case", str(case.root)]).stdout
    assert "公民身份号码" in shown and "id_number" in shown and "skipped" in shown
    md = tmp_path / "mapping.md"
    run_cli("records", "report", "--case", case.root, "--out", md)
    assert "| C (3) | 公民身份号码 | id_number | 1.00 | exact |" in md.read_text("utf-8")
    js = tmp_path / "mapping.json"
    runner.invoke(records_app, ["report", "--case", str(case.root), "--out", str(js)])
    sheets = json.loads(js.read_text("utf-8"))["sheets"]
    assert {s["status"] for s in sheets} == {"read", "skipped"}
    exported = tmp_path / "records.csv"
    run_cli("records", "export", exported, "--case", case.root)
    raw = exported.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads the Chinese right
    rows = list(csv.DictReader(raw.decode("utf-8-sig").splitlines()))
    with case.sessions() as s:
        assert len(rows) == s.scalar(select(func.count()).select_from(Record))
    first = next(r for r in rows if r["id_number"] == ID1 and r["sheet"] == "村A")
    assert first["row"] == "5" and first["path"] == "在押人员花名册.xlsx"
    assert len(first["sha256"]) == 64 and first["sheet_index"] == "0"
    assert first["name"] == "阿依夏·塔依尔" and first["sex"] == "female"
    assert first["? 宗教信仰程度"] == "虔诚"  # the unknown column, kept
    for cmd in ([], ["build"], ["report"], ["export"]):
        assert "Example" in runner.invoke(records_app, [*cmd, "--help"]).stdout, cmd


def test_records_on_postgresql(pg_url: str, tmp_path: Path) -> None:
    url = pg_database(pg_url, "guwah_records")
    leak = write_records_leak(tmp_path / "leak")
    case = Case.init(tmp_path / "case", database_url=url)
    assert case.engine.dialect.name == "postgresql"
    ingest(case, [leak], executor=SerialExecutor())
    first = build_records(case)
    second = build_records(case)
    assert first.records == second.records > 0 and first.people == second.people
    with case.sessions() as s:
        (p,) = people_by_id_number(s, ID1)
        assert p.conflicts["name"] and p.n_photos == 1
        assert s.scalar(select(func.count()).select_from(RecordValue)) == second.values
        # ids assigned by the stage moved the sequences on: a plain insert still works
        s.add(Person(method="single", conflicts={}))
        s.commit()
    # the same files on SQLite give the same records and people
    lite = Case.init(tmp_path / "lite")
    ingest(lite, [leak], executor=SerialExecutor())
    on_sqlite = build_records(lite)
    assert (on_sqlite.records, on_sqlite.people, on_sqlite.values) == (
        first.records,
        first.people,
        first.values,
    )
