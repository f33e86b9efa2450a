"""A run killed at any point and started again ends with exactly the items of a clean run."""

from __future__ import annotations

import io
import os
import signal
import sqlite3
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from guwah.case import Case
from guwah.store.custody import verify
from tests.conftest import jpeg_bytes, run_cli

N_PHOTOS = 240
N_TEXTS = 120


def _leak(root: Path) -> Path:
    root.mkdir()
    for i in range(N_PHOTOS):
        (root / f"photo-{i:04d}.jpg").write_bytes(jpeg_bytes(i))
    for i in range(N_TEXTS):
        (root / f"doc-{i:04d}.txt").write_text(f"第{i}号文件 document {i}\n" * 20, encoding="utf-8")
    for a in range(4):
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as z:
            for i in range(30):
                z.writestr(f"inner/{i}.txt", f"archive {a} member {i}")
        (root / f"bundle-{a}.zip").write_bytes(buf.getvalue())
    return root


def _state(case_dir: Path) -> dict[str, object]:
    db = sqlite3.connect(case_dir / "guwah.db")
    items = db.execute(
        "SELECT sha256, status, mime, extractor FROM items ORDER BY sha256"
    ).fetchall()
    occurrences = db.execute(
        "SELECT o.path, i.sha256, o.status, o.depth FROM occurrences o "
        "LEFT JOIN items i ON i.id = o.item_id ORDER BY o.path"
    ).fetchall()
    pages = db.execute(
        "SELECT i.sha256, p.page_no, p.method, p.text FROM pages p JOIN items i ON i.id = p.item_id "
        "ORDER BY 1, 2, 3"
    ).fetchall()
    stored = db.execute(
        "SELECT item_sha256, count(*) FROM custody_events WHERE event = 'stored' "
        "GROUP BY item_sha256 ORDER BY 1"
    ).fetchall()
    extracted = db.execute(
        "SELECT item_sha256, count(*) FROM custody_events WHERE event = 'extracted' "
        "GROUP BY item_sha256 ORDER BY 1"
    ).fetchall()
    db.close()
    return {
        "items": items,
        "occurrences": occurrences,
        "pages": pages,
        "stored": stored,
        "extracted": extracted,
    }


def _count(case_dir: Path, sql: str) -> int:
    try:
        db = sqlite3.connect(case_dir / "guwah.db", timeout=1)
        n = db.execute(sql).fetchone()[0]
        db.close()
        return int(n)
    except sqlite3.Error:
        return 0


def _kill_when(case_dir: Path, leak: Path, sql: str, threshold: int) -> bool:
    """Start a real ingest and SIGKILL it once ``sql`` counts ``threshold``; False if it ended."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "guwah", "ingest", str(leak), "--case", str(case_dir), "--no-ocr"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 120
    while proc.poll() is None and time.monotonic() < deadline:
        if _count(case_dir, sql) >= threshold:
            os.killpg(proc.pid, signal.SIGKILL)  # the workers die with it
            proc.wait()
            return True
        time.sleep(0.01)
    proc.wait()
    return False


def _leak_and_clean_state(tmp_path: Path) -> tuple[Path, dict[str, object]]:
    """The test leak, and the state of a case after one uninterrupted ingest of it."""
    leak = _leak(tmp_path / "leak")
    clean = tmp_path / "clean"
    run_cli("init", clean)
    run_cli("ingest", leak, "--case", clean, "--no-ocr")
    return leak, _state(clean)


@pytest.mark.slow
def test_killed_runs_resume_to_exactly_the_clean_result(tmp_path: Path) -> None:
    leak, expected = _leak_and_clean_state(tmp_path)
    assert len(expected["items"]) == N_PHOTOS + N_TEXTS + 4 + 4 * 30  # type: ignore[arg-type]

    resumed = tmp_path / "resumed"
    run_cli("init", resumed)
    kills = 0
    # kill while files are being stored, then while extraction results come in (the last
    # threshold well below the 484 items: results are committed up to 500 rows at a time, so
    # a threshold near the end can be crossed only by the run's final commit)
    for sql, threshold in (
        ("SELECT count(*) FROM items", 20),
        ("SELECT count(*) FROM items", 200),
        ("SELECT count(*) FROM items WHERE status != 'pending'", 250),
    ):
        kills += _kill_when(resumed, leak, sql, threshold)
    assert kills >= 2, "the runs finished before they could be killed"
    partial = _state(resumed)
    assert len(partial["items"]) < len(expected["items"]) or any(  # type: ignore[arg-type]
        row[1] == "pending"
        for row in partial["items"]  # type: ignore[union-attr]
    )

    run_cli("ingest", leak, "--case", resumed, "--no-ocr")
    got = _state(resumed)
    assert got["items"] == expected["items"]
    assert got["occurrences"] == expected["occurrences"]
    assert got["pages"] == expected["pages"]
    assert got["stored"] == expected["stored"]  # exactly one 'stored' event per item
    assert all(n >= 1 for _, n in got["extracted"])  # type: ignore[union-attr]
    case = Case.open(resumed)
    with case.sessions() as s:
        report = verify(s, case.blobs)
    assert report.ok, report
    assert not list((resumed / "tmp").glob("blob-*")), "temporary files left behind"


def test_preserving_first_and_extracting_later_ends_as_one_ingest(tmp_path: Path) -> None:
    leak, expected = _leak_and_clean_state(tmp_path)

    staged = tmp_path / "staged"
    run_cli("init", staged)
    out = run_cli("ingest", leak, "--case", staged, "--no-extract").stdout
    assert "guwah extract" in out  # says what to do next
    status = run_cli("status", "--case", staged).stdout
    assert f"{N_PHOTOS + N_TEXTS + 4 * 30:,} originals wait for extraction" in status
    preserved = _state(staged)
    # every original is stored, hashed and logged, at every path, archives expanded …
    assert [row[0] for row in preserved["items"]] == [row[0] for row in expected["items"]]  # type: ignore[union-attr]
    assert preserved["occurrences"] == expected["occurrences"]
    assert preserved["stored"] == expected["stored"]
    # … but nothing is read yet: only the archives were opened (to preserve their members)
    statuses = {row[1] for row in preserved["items"] if row[2] != "application/zip"}  # type: ignore[union-attr]
    assert statuses == {"pending"}
    assert preserved["pages"] == []
    case = Case.open(staged)
    with case.sessions() as s:
        assert verify(s, case.blobs).ok

    first = run_cli("extract", "--case", staged, "--no-ocr").stdout
    assert f"{N_PHOTOS + N_TEXTS + 4 * 30:,} extracted" in first
    got = _state(staged)
    assert got == expected  # same items, statuses, pages and one 'extracted' event each
    again = run_cli("extract", "--case", staged, "--no-ocr").stdout
    assert " 0 extracted" in again
    assert _state(staged) == expected
