"""The workbench's database connection refuses writes itself (SQLite ``mode=ro`` +
``query_only``, PostgreSQL read-only transactions), not only its GET-only routes."""

from __future__ import annotations

import warnings
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

with warnings.catch_warnings():  # starlette's note about httpx's successor
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from guwah.case import Case
from guwah.ingest.executor import ProcessExecutor
from guwah.ingest.pipeline import ingest
from guwah.store.models import Item, Source
from guwah.web.app import create_app
from tests.conftest import pg_database


def attempt_writes(case: Case) -> list[str]:
    """Try three kinds of write through the app's engine; the database's refusal of each."""
    refusals = []
    with case.sessions() as session:
        session.add(Source(uri="/injected", kind="dir", created_at=datetime(2026, 1, 1)))
        with pytest.raises(DBAPIError) as info:
            session.commit()
        refusals.append(str(info.value.orig))
    for statement in ("DELETE FROM items", "CREATE TABLE intruder (x INTEGER)"):
        with case.engine.connect() as conn, pytest.raises(DBAPIError) as info:
            conn.execute(text(statement))
            conn.commit()
        refusals.append(str(info.value.orig))
    return refusals


def served_case(case: Case) -> Case:
    with TestClient(create_app(case), base_url="http://127.0.0.1:8000") as client:
        assert client.get("/api/status").status_code == 200
        served: Case = client.app.state.case  # type: ignore[attr-defined]
    return served


def test_the_workbench_cannot_write_to_a_sqlite_case(small_leak: Path, tmp_path: Path) -> None:
    case = Case.init(tmp_path / "case")
    stats = ingest(case, [small_leak], executor=ProcessExecutor(workers=2))
    case.engine.dispose()  # the writer is gone: no -wal/-shm left behind to lean on
    served = served_case(case)
    assert served.read_only and served.engine is not case.engine
    with served.sessions() as s:  # it reads
        assert s.scalar(select(func.count()).select_from(Item)) == stats.new_items
    for refusal in attempt_writes(served):
        assert "readonly" in refusal.replace(" ", "") or "read-only" in refusal, refusal
    with case.sessions() as s:  # and nothing changed
        assert s.scalar(select(func.count()).select_from(Item)) == stats.new_items
        assert s.scalar(select(func.count()).select_from(Source)) == 1


def test_the_workbench_cannot_write_to_a_postgresql_case(pg_url: str, tmp_path: Path) -> None:
    case = Case.init(tmp_path / "case", database_url=pg_database(pg_url, "guwah_readonly"))
    served = served_case(case)
    assert served.engine.dialect.name == "postgresql"
    for refusal in attempt_writes(served):
        assert "read-only transaction" in refusal, refusal
    with case.sessions() as s:
        assert s.scalar(select(func.count()).select_from(Source)) == 0
    served.engine.dispose()
    case.engine.dispose()


def test_a_case_never_verified_says_so_on_the_report_page(tmp_path: Path) -> None:
    case = Case.init(tmp_path / "case")  # its findings tables exist (migrated), but are empty
    with TestClient(create_app(case), base_url="http://127.0.0.1:8000") as client:
        page = client.get("/report")
        assert page.status_code == 200
        assert "Verification has not run on this case" in page.text
        assert client.get("/api/findings").json() == {"total": 0, "findings": []}
        assert client.get("/").status_code == 200
