"""The index update after ``guwah records`` and ``guwah verify`` is incremental: only the items
whose documents changed are indexed again, and the index equals a full rebuild — on SQLite
and on PostgreSQL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from guwah.case import Case
from guwah.ingest.executor import make_executor
from guwah.ingest.pipeline import ingest
from guwah.records.stage import build_records
from guwah.search.backend import PG_SCHEMA, IndexBackend, PostgresIndex, open_index
from guwah.search.stage import build_index, search
from guwah.store.models import Item, Sheet
from guwah.verify.stage import run_checks
from tests.conftest import pg_database, require
from tests.test_search import write_leak

DOC_COLS = ", ".join(
    f"d.{c}"
    for c in [
        "item_id",
        "kind",
        "sha256",
        "type",
        "county",
        "facility",
        "date",
        "has_findings",
        "page_no",
        "method",
        "sheet",
        "sheet_index",
        '"row"',
        "path",
        "title",
        "text",
    ]
)


def dump(case: Case) -> tuple[set[tuple[Any, ...]], dict[tuple[Any, ...], int]]:
    """Every document with its tokens (no ids), and the id of each document by place."""
    index = open_index(case, create=False)
    try:
        if isinstance(index, PostgresIndex):
            rows = index.conn.exec_driver_sql(
                f"SELECT d.id, {DOC_COLS}, d.tsv::text FROM {PG_SCHEMA}.docs d"
            ).all()
        else:
            rows = index.conn.execute(  # type: ignore[attr-defined]
                f"SELECT d.id, {DOC_COLS}, f.body, f.alias, f.path, f.tags "
                "FROM docs d JOIN fts f ON f.rowid = d.id"
            ).fetchall()
    finally:
        index.close()
    docs = {tuple(r[1:]) for r in rows}
    ids = {(r[1], r[2], r[9], r[12], r[13]): r[0] for r in rows}
    assert len(ids) == len(rows) == len(docs)  # one document per place
    return docs, ids


def indexed(case: Case) -> IndexBackend:
    return open_index(case, create=False)


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest) -> str:
    if request.param == "sqlite":
        return ""
    require("postgresql")
    return pg_database(request.getfixturevalue("pg_url"), "guwah_incremental")


def test_records_and_verify_index_only_what_changed(tmp_path: Path, url: str) -> None:
    leak = write_leak(tmp_path / "leak")
    # an old text that names a facility only the records stage will know of: its page's
    # facility facet changes with records although the file itself does not
    (leak / "疏附县公安局" / "文件" / "报告.txt").write_text("转送疏附县看守所。\n", "utf-8")
    case = Case.init(tmp_path / "case", database_url=url)
    serial = make_executor(0, None, serial=True)
    ingest(case, [leak], executor=serial)
    first = build_index(case)
    assert first.items_indexed > 5
    _, ids_before = dump(case)
    with case.engine.connect() as conn:
        spreadsheets = {r[0] for r in conn.execute(select(Sheet.item_id))}
        report = conn.execute(select(Item.id).where(Item.sha256.in_(_sha(leak, "报告.txt")))).one()
    assert len(spreadsheets) == 2

    build_records(case)
    after = build_index(case)
    # the two spreadsheets (their records) and the report (a facility it names), no more
    assert after.items_indexed == 3 and after.items_context >= 1
    docs, ids_after = dump(case)
    unchanged = {k: v for k, v in ids_before.items() if k[0] not in spreadsheets | {report.id}}
    assert unchanged and all(ids_after[k] == v for k, v in unchanged.items())  # not touched
    page = search(case, "转送 facility:疏附县看守所")
    assert page.total >= 1 and {h.item_id for h in page.hits} == {report.id}

    build_records(case)  # the same records again: nothing to index
    again = build_index(case)
    assert again.items_indexed == 0 and again.docs_added == 0 and not again.findings_updated

    run_checks(case, executor=serial)
    checked = build_index(case)
    assert checked.items_indexed == 0 and checked.findings_updated
    docs, ids_checked = dump(case)
    assert ids_checked == ids_after  # findings flip a flag, no document is made again
    assert search(case, "findings:yes").total > 0

    full = build_index(case, full=True)
    rebuilt, _ = dump(case)
    assert full.items_indexed == first.items_indexed
    assert rebuilt == docs  # incremental = full rebuild, document by document, token by token
    if case.engine.dialect.name == "postgresql":
        case.engine.dispose()


def _sha(leak: Path, name: str) -> list[str]:
    import hashlib

    return [hashlib.sha256(p.read_bytes()).hexdigest() for p in leak.rglob(name)]
