"""Server mode: the same ingest and custody checks on a real PostgreSQL server."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import func, select

from guwah.case import Case
from guwah.ingest.executor import ProcessExecutor
from guwah.ingest.pipeline import extract_pending, ingest
from guwah.store.custody import verify
from guwah.store.models import Item, Occurrence
from tests.conftest import pg_database, run_cli


def test_ingest_and_verify_on_postgresql(pg_url: str, small_leak: Path, tmp_path: Path) -> None:
    case = Case.init(tmp_path / "case", database_url=pg_url)
    assert case.engine.dialect.name == "postgresql"
    first = ingest(case, [small_leak], executor=ProcessExecutor(workers=2))
    again = ingest(case, [small_leak], executor=ProcessExecutor(workers=2))
    assert first.new_items > 0 and again.new_items == 0 and again.new_occurrences == 0
    with case.sessions() as s:
        assert s.scalar(select(func.count()).select_from(Item)) == first.new_items
        occ = {o.path for o in s.scalars(select(Occurrence))}
        assert "bundle.zip!/docs/inner.zip!/inner/readme.txt" in occ
        report = verify(s, case.blobs)
    assert report.ok
    # nothing was written to a SQLite file: the case really uses the server
    assert not (case.root / "guwah.db").exists()
    status = json.loads(run_cli("status", "--json", "--case", case.root).stdout)
    assert status["items"] == first.new_items


def test_preserve_then_extract_on_postgresql(pg_url: str, small_leak: Path, tmp_path: Path) -> None:
    case = Case.init(tmp_path / "case", database_url=pg_database(pg_url, "guwah_staged"))
    preserved = ingest(case, [small_leak], executor=ProcessExecutor(workers=2), extract=False)
    assert preserved.extracted == 0 and preserved.new_items > 0
    with case.sessions() as s:
        pending = s.scalar(select(func.count()).select_from(Item).where(Item.status == "pending"))
    assert pending and pending > 0
    done = extract_pending(case, executor=ProcessExecutor(workers=2))
    assert done.extracted == pending and done.new_items == 0
    with case.sessions() as s:
        assert not s.scalar(select(func.count()).select_from(Item).where(Item.status == "pending"))
        assert verify(s, case.blobs).ok
    assert extract_pending(case, executor=ProcessExecutor(workers=2)).extracted == 0
