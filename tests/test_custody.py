"""Chain of custody: the log is hash-chained, and `custody verify` catches tampering."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from sqlalchemy import select, text

from guwah.case import Case
from guwah.ingest.executor import ProcessExecutor
from guwah.ingest.pipeline import ingest
from guwah.store.custody import GENESIS, CustodyLog, verify
from guwah.store.models import CustodyEvent, Item
from tests.conftest import run_cli


@pytest.fixture
def ingested(case: Case, small_leak: Path) -> Case:
    ingest(
        case,
        [small_leak],
        custodian="A. Custodian",
        note="delivery 1",
        executor=ProcessExecutor(workers=2),
    )
    return case


def _verify_json(case: Case) -> tuple[int, dict[str, object]]:
    proc = run_cli("custody", "verify", "--case", case.root, "--json", check=False)
    return proc.returncode, json.loads(proc.stdout)


def test_clean_case_verifies_and_events_are_chained(ingested: Case) -> None:
    code, report = _verify_json(ingested)
    assert code == 0 and report["ok"] is True
    with ingested.sessions() as s:
        events = s.scalars(select(CustodyEvent).order_by(CustodyEvent.seq)).all()
        assert events[0].prev_hash == GENESIS
        assert events[0].event == "received"
        assert events[0].details["note"] == "delivery 1"
        for a, b in zip(events, events[1:], strict=False):
            assert b.prev_hash == a.hash and b.seq == a.seq + 1
        assert {e.event for e in events} >= {"received", "stored", "extracted"}
        e = next(e for e in events if e.event == "stored")
        assert e.custodian == "A. Custodian" and e.host and e.tool_version.startswith("guwah ")
        assert e.source_path and ":" in e.source_path
        assert report["head"] == events[-1].hash


def test_tampered_missing_and_unexpected_originals_are_named(ingested: Case) -> None:
    with ingested.sessions() as s:
        shas = sorted(s.scalars(select(Item.sha256)).all())
    tampered, missing = shas[0], shas[1]
    path = ingested.blobs.path_for(tampered)
    os.chmod(path, 0o644)
    path.write_bytes(path.read_bytes() + b"x")
    ingested.blobs.path_for(missing).unlink()
    stray = ingested.blobs.root / "ab" / "stray.bin"
    stray.parent.mkdir(exist_ok=True)
    stray.write_bytes(b"planted")

    code, report = _verify_json(ingested)
    assert code == 1 and report["ok"] is False
    assert [line.split(":")[0] for line in report["tampered"]] == [tampered]  # type: ignore[union-attr]
    assert [line.split(":")[0] for line in report["missing"]] == [missing]  # type: ignore[union-attr]
    assert any("stray.bin" in line for line in report["unexpected"])  # type: ignore[union-attr]
    assert report["chain_breaks"] == []

    human = run_cli("custody", "verify", "--case", ingested.root, check=False)
    assert human.returncode == 1
    assert tampered in human.stdout and missing in human.stdout and "NOT verified" in human.stdout


def test_an_edited_event_breaks_the_chain_at_that_event(ingested: Case) -> None:
    with ingested.engine.begin() as conn:
        conn.execute(text("UPDATE custody_events SET custodian = 'someone else' WHERE seq = 3"))
    with ingested.sessions() as s:
        report = verify(s, ingested.blobs)
    assert not report.ok
    assert len(report.chain_breaks) == 1 and report.chain_breaks[0].startswith("event 3 ")


def test_a_removed_event_breaks_the_chain(ingested: Case) -> None:
    with ingested.engine.begin() as conn:
        conn.execute(text("DELETE FROM custody_events WHERE seq = 4"))
    with ingested.sessions() as s:
        report = verify(s, ingested.blobs)
    assert any("event 4 is missing" in b for b in report.chain_breaks)
    assert any(b.startswith("event 5 ") and "does not follow" in b for b in report.chain_breaks)


def test_a_rewritten_tail_is_caught_by_the_recorded_head(ingested: Case) -> None:
    head_before = run_cli("custody", "head", "--case", ingested.root).stdout.split()[1]
    with ingested.sessions() as s:
        log = CustodyLog(s, "intruder")
        log.append("exported", details={"to": "somewhere"})
        s.commit()
        report = verify(s, ingested.blobs)
    # an appended event keeps the chain valid, but the head moves: anchoring shows it
    assert report.ok and report.head != head_before


def test_an_original_without_a_custody_record_is_reported(ingested: Case) -> None:
    with ingested.engine.begin() as conn:
        sha = conn.execute(text("SELECT sha256 FROM items LIMIT 1")).scalar_one()
        conn.execute(text("DELETE FROM custody_events WHERE item_sha256 = :s"), {"s": sha})
    with ingested.sessions() as s:
        report = verify(s, ingested.blobs)
    assert any(line.startswith(sha) for line in report.unlogged)
    assert report.chain_breaks  # removing events also breaks the chain


def test_a_writable_original_is_named_and_fails_verification(ingested: Case) -> None:
    with ingested.sessions() as s:
        shas = sorted(s.scalars(select(Item.sha256)).all())
    writable = shas[-1]
    os.chmod(ingested.blobs.path_for(writable), 0o644)  # someone made it writable again

    code, report = _verify_json(ingested)
    assert code == 1 and report["ok"] is False
    assert [line.split(":")[0] for line in report["writable"]] == [writable]  # type: ignore[union-attr]
    assert report["tampered"] == [] and report["missing"] == []  # content still matches

    human = run_cli("custody", "verify", "--case", ingested.root, check=False)
    assert human.returncode == 1
    assert "Writable originals (must be read-only) (1):" in human.stdout
    assert writable in human.stdout and "NOT verified" in human.stdout
