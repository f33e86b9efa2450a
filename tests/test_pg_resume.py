"""Server mode under a fault: the PostgreSQL server restarted (killed, as a crash would)
in the middle of an ingest. The run stops; the next run resumes to exactly the items,
paths, pages and custody of an uninterrupted run, as after a killed process pool."""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from guwah.case import Case
from guwah.store.custody import verify
from tests.conftest import PG_SCRIPT, pg_database, run_cli
from tests.test_resume import _leak_and_clean_state

pytestmark = [pytest.mark.requires("postgresql"), pytest.mark.slow]

STATE_SQL = {
    "items": "SELECT sha256, status, mime, extractor FROM items ORDER BY sha256",
    "occurrences": "SELECT o.path, i.sha256, o.status, o.depth FROM occurrences o "
    "LEFT JOIN items i ON i.id = o.item_id ORDER BY o.path",
    "pages": "SELECT i.sha256, p.page_no, p.method, p.text FROM pages p "
    "JOIN items i ON i.id = p.item_id ORDER BY 1, 2, 3",
    "stored": "SELECT item_sha256, count(*) FROM custody_events WHERE event = 'stored' "
    "GROUP BY item_sha256 ORDER BY 1",
}


def pg_state(url: str) -> dict[str, list[tuple[object, ...]]]:
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.connect() as conn:
        out = {k: [tuple(r) for r in conn.execute(text(sql))] for k, sql in STATE_SQL.items()}
    engine.dispose()
    return out


def count_items(url: str) -> int:
    try:
        engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
        with engine.connect() as conn:
            n = conn.execute(text("SELECT count(*) FROM items")).scalar_one()
        engine.dispose()
        return int(n)
    except Exception:  # not made yet, or the server is restarting
        return 0


@pytest.fixture
def own_server() -> Iterator[tuple[str, Path]]:
    """A server of this test's own: restarting it disturbs no other test."""
    root = Path(tempfile.mkdtemp(prefix="guwah-pg-restart-"))
    proc = subprocess.run(
        ["bash", PG_SCRIPT, "start", root], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    yield proc.stdout.strip(), root
    subprocess.run(["bash", PG_SCRIPT, "stop", root], capture_output=True, timeout=120)


def test_postgresql_restarted_mid_ingest_resumes_to_the_clean_result(
    tmp_path: Path, own_server: tuple[str, Path]
) -> None:
    server, root = own_server
    leak, expected = _leak_and_clean_state(tmp_path)  # an uninterrupted run (SQLite)
    url = pg_database(server, "guwah_restart")
    case_dir = tmp_path / "resumed"
    run_cli("init", case_dir, "--database", url)
    proc = subprocess.Popen(
        [sys.executable, "-m", "guwah", "ingest", str(leak), "--case", str(case_dir), "--no-ocr"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 120
    restarted = False
    while proc.poll() is None and time.monotonic() < deadline:
        if count_items(url) >= 100:
            subprocess.run(["bash", PG_SCRIPT, "restart", root], check=True, timeout=120)
            restarted = True
            break
        time.sleep(0.05)
    out, err = proc.communicate(timeout=300)
    assert restarted, "the run finished before the server could be restarted"
    partial = pg_state(url)
    # the run stops (exit status not 0) or, where the pool reconnected in time, finishes.
    # Not yet asserted: that it stops without a traceback — a lost transaction sometimes
    # surfaces later as an IntegrityError in the pipeline's next write (pages of items whose
    # uncommitted insert the crash lost); nothing wrong is written, as the resume shows.
    assert proc.returncode != 0 or partial["items"] == expected["items"], err[-2000:]
    assert len(partial["items"]) <= len(expected["items"])

    run_cli("ingest", leak, "--case", case_dir, "--no-ocr")
    got = pg_state(url)
    for key in STATE_SQL:
        assert got[key] == expected[key], key
    case = Case.open(case_dir)
    with case.sessions() as s:
        assert verify(s, case.blobs).ok
    case.engine.dispose()
