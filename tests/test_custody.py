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
from guwah.store.custody import GENESIS, CustodyLog, event_fields, event_hash, verify
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


def _recorded_head(case: Case) -> tuple[int, str]:
    seq, head = run_cli("custody", "head", "--case", case.root).stdout.split()
    return int(seq), head


def _verify_against(case: Case, head: str) -> tuple[int, dict[str, object], str]:
    proc = run_cli(
        "custody", "verify", "--case", case.root, "--expect-head", head, "--json", check=False
    )
    human = run_cli("custody", "verify", "--case", case.root, "--expect-head", head, check=False)
    assert human.returncode == proc.returncode
    return proc.returncode, json.loads(proc.stdout), human.stdout


def test_a_rewritten_log_fails_against_the_head_written_down_before(ingested: Case) -> None:
    _, head = _recorded_head(ingested)
    # rewrite history from event 3 on and recompute every hash: a chain that is valid in
    # itself, which only the head kept outside the case can expose
    with ingested.sessions() as s:
        events = s.scalars(select(CustodyEvent).order_by(CustodyEvent.seq)).all()
        prev = events[1].hash
        for ev in events[2:]:
            if ev.seq == 3:
                ev.custodian = "someone else"
            ev.prev_hash = prev
            ev.hash = prev = event_hash(event_fields(ev))
        s.commit()
    with ingested.sessions() as s:
        assert verify(s, ingested.blobs).ok  # the forgery is consistent …

    code, report, human = _verify_against(ingested, head)
    assert code == 1 and report["ok"] is False  # … but the recorded head is gone
    assert report["chain_breaks"] == [] and report["expected_head_seq"] is None
    assert len(report["anchor"]) == 1 and head in report["anchor"][0]  # type: ignore[arg-type,index]
    assert "rewritten" in human and head in human and "NOT verified" in human


def test_a_truncated_log_fails_against_the_head_written_down_before(ingested: Case) -> None:
    seq, head = _recorded_head(ingested)
    with ingested.engine.begin() as conn:  # the last two events disappear
        conn.execute(text("DELETE FROM custody_events WHERE seq > :n"), {"n": seq - 2})
    with ingested.sessions() as s:
        assert verify(s, ingested.blobs).chain_breaks == []  # a valid prefix of the chain

    code, report, human = _verify_against(ingested, head)
    assert code == 1 and report["ok"] is False
    assert report["events"] == seq - 2 and report["expected_head_seq"] is None
    assert "truncated" in report["anchor"][0]  # type: ignore[index]
    assert "does not match" in human


def test_events_after_the_recorded_head_keep_it_valid(ingested: Case) -> None:
    seq, head = _recorded_head(ingested)
    with ingested.sessions() as s:
        log = CustodyLog(s, "A. Custodian")
        log.append("exported", details={"to": "court"})
        s.commit()
    code, report, human = _verify_against(ingested, head.upper())  # case does not matter
    assert code == 0 and report["ok"] is True
    assert report["expected_head_seq"] == seq and report["anchor"] == []
    assert f"event {seq:,} of the chain; 1 event was added after it" in human
    # the head of the empty log (`guwah custody head` of a new case) begins every chain
    code, report, _ = _verify_against(ingested, GENESIS)
    assert code == 0 and report["expected_head_seq"] == 0


def test_a_malformed_expected_head_is_a_usage_error(ingested: Case) -> None:
    proc = run_cli(
        "custody", "verify", "--case", ingested.root, "--expect-head", "12 ab", check=False
    )
    assert proc.returncode == 2
    assert "64 hex digits" in proc.stderr
