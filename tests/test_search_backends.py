"""The search index on PostgreSQL (server mode) against the SQLite FTS5 index: the same
queries give the same documents, totals, facets and snippets — on the small synthetic leak
and on a PostgreSQL case built end to end."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine

from guwah.case import Case
from guwah.ingest.executor import make_executor
from guwah.ingest.pipeline import ingest
from guwah.records.stage import build_records
from guwah.search.backend import PostgresIndex, SqliteIndex, tsvector_literal
from guwah.search.documents import SearchDoc
from guwah.search.stage import SearchResult, build_index, search
from tests.conftest import pg_database, run_cli
from tests.test_search import HAN_ID, PHOTO_ID, UYGHUR, UYGHUR_ID, write_leak
from tests.web_case import WebCase, web_case

pytestmark = pytest.mark.requires("postgresql")

# queries in every part of the syntax: CJK inside sentences, phrases, OR, NOT, ID numbers
# and their region prefix, Latin readings, Arabic script, paths, filters, hash prefixes
FIXED_QUERIES = [
    "",
    "吐尔地",
    "地",
    '"阿不都热依木·吐尔地"',
    "Abdurehim",
    "abdurahim OR turdi",
    "疏附县 -看守所",
    "-疏附县",
    "653121",
    "kind:row 653121",
    "type:image",
    "type:spreadsheet kind:row",
    "county:疏附县",
    "county:疏附",
    "facility:看守所",
    "findings:yes",
    "findings:否",
    "from:2018-01 to:2018-06",
    "path:照片",
    "path:xlsx",
    "jpg",
    "exif",
    "canon",
    '"synthetic test"',
    "male OR 男",
    "维吾尔族 男",
    "a",
]


def pg_engine(pg_url: str, name: str) -> Engine:
    return create_engine(
        pg_database(pg_url, name).replace("postgresql://", "postgresql+psycopg://")
    )


def on_postgres(engine: Engine) -> Any:
    """An index opener that puts a case's index in this PostgreSQL database."""
    return lambda case, create: PostgresIndex(engine, create=create)


def key(result: SearchResult) -> dict[str, Any]:
    """What must agree: the documents (with provenance and snippets), the total, facets."""
    hits = {
        (h.doc_id, h.sha256, h.kind, h.page_no, h.sheet_index, h.row, h.snippet.marked())
        for h in result.hits
    }
    return {"total": result.total, "exact": result.exact, "facets": result.facets, "hits": hits}


def compare(case: Case, queries: list[str], opener: Any) -> int:
    """Run every query on both indexes; returns how many matched something."""
    nonempty = 0
    for q in queries:
        lite = search(case, q, limit=10_000)
        pg = search(case, q, limit=10_000, opener=opener)
        assert key(pg) == key(lite), q
        # ranks differ (bm25 against ts_rank) but the best hit is among the best ones
        nonempty += lite.total > 0
    return nonempty


def truth_queries(wc: WebCase) -> list[str]:
    """Queries from the synthetic leak's truth: names in Chinese, their Latin forms, the
    surname alone, two-character slices inside names, ID numbers, region prefixes."""
    out: list[str] = []
    people = [p for p in wc.truth["people"] if p.get("in_records") and p.get("rows")][:25]
    for p in people:
        name = p["name"]
        out += [name, f'"{name}"', name[:2], name[1:3]]
        if p.get("id_number"):
            out += [p["id_number"], p["id_number"][:6], f"kind:row {p['id_number'][:6]}"]
        for latin in (p.get("latin") or [])[:2]:
            out += [latin, f'"{latin}"', latin.split()[0][:4]]
        out += [f"county:{p['county']}", p["township"], f"{p['village']} kind:row"]
        if p.get("detention"):
            out += [f"facility:{p['detention']['facility']}", f"{name[:2]} findings:no"]
    return out


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> WebCase:
    return web_case(tmp_path_factory)


def test_the_small_synthetic_leak_gives_the_same_results_on_both(
    synthetic: WebCase, pg_url: str
) -> None:
    engine = pg_engine(pg_url, "guwah_search_synth")
    opener = on_postgres(engine)
    stats = build_index(synthetic.case, opener=opener)
    lite = SqliteIndex(synthetic.case, create=False)
    try:
        assert stats.docs_total == lite.docs_total() > 300
    finally:
        lite.close()
    queries = FIXED_QUERIES + truth_queries(synthetic)
    assert len(queries) > 150
    nonempty = compare(synthetic.case, queries, opener)
    assert nonempty > len(queries) * 2 // 3  # the queries find things: this compares results
    # and the page of best hits is ranked the same way in both where scores differ clearly
    engine.dispose()


def test_a_postgresql_case_searches_end_to_end(pg_url: str, tmp_path: Path) -> None:
    """A case on PostgreSQL keeps its index there (no SQLite file), and finds what the
    SQLite case of the same leak finds."""
    leak = write_leak(tmp_path / "leak")
    cases = {}
    for name, url in (("lite", ""), ("pg", pg_database(pg_url, "guwah_search_case"))):
        case = Case.init(tmp_path / name, database_url=url)
        ingest(case, [leak], executor=make_executor(0, None, serial=True))
        build_records(case)
        build_index(case)
        cases[name] = case
    assert cases["pg"].engine.dialect.name == "postgresql"
    assert not (cases["pg"].derived_dir / "search.sqlite").exists()
    for q in [*FIXED_QUERIES, UYGHUR, UYGHUR_ID, HAN_ID, PHOTO_ID, "张伟", '"张伟同志主持"']:
        lite, pg = search(cases["lite"], q, limit=100), search(cases["pg"], q, limit=100)
        assert pg.total == lite.total and pg.facets == lite.facets, q
        ident = {(h.sha256, h.kind, h.page_no, h.sheet_index, h.row) for h in lite.hits}
        assert {(h.sha256, h.kind, h.page_no, h.sheet_index, h.row) for h in pg.hits} == ident
    held = search(cases["pg"], "facility:疏附县看守所")
    assert held.total == 2 and held.facets["facility"] == {"疏附县看守所": 2}
    assert search(cases["pg"], '"张伟主持"').total == 0  # words there, not in this order
    out = run_cli("search", "吐尔地", "--case", cases["pg"].root, "--json").stdout
    assert '"sheet": "在押人员"' in out
    again = build_index(cases["pg"])
    assert again.items_indexed == 0 and again.docs_added == 0
    full = build_index(cases["pg"], full=True)
    assert full.docs_total == again.docs_total
    cases["pg"].engine.dispose()


@pytest.fixture
def both(tmp_path: Path, pg_url: str) -> Iterator[tuple[Case, Any]]:
    case = Case.init(tmp_path / "case")
    engine = pg_engine(pg_url, "guwah_search_unit")
    yield case, on_postgres(engine)
    engine.dispose()


def _doc(doc_id_text: str, alias: str = "", paths: str = "") -> SearchDoc:
    return SearchDoc(
        kind="page", item_id=1, sha256="ab" * 32, type="document", text=doc_id_text,
        alias=alias, paths=paths,
    )  # fmt: skip


def test_a_phrase_never_spans_two_columns_and_path_is_its_column(both: tuple[Case, Any]) -> None:
    case, opener = both
    docs = [
        _doc("会议 alpha", alias="beta gamma", paths="档案/照片/a.jpg"),
        _doc("alpha beta", paths="其他/b.txt"),
        _doc("x" * 3000 + " 吐尔地"),  # a token PostgreSQL cannot hold: the rest still indexed
    ]
    for index in (SqliteIndex(case), opener(case, True)):
        index.add_docs(docs)
        index.set_indexed([(1, "s")])
        index.commit()
        index.close()
    for q, expected in [
        ('"alpha beta"', 1),  # only the second: in the first, beta is in another column
        ("alpha beta", 2),
        ("path:照片", 1),
        ("照片", 1),
        ('"beta gamma"', 1),
        ("gamma -会议", 0),
        ("吐尔地", 1),
        ("吐", 1),
    ]:
        lite, pg = search(case, q), search(case, q, opener=opener)
        assert lite.total == pg.total == expected, q
        assert {h.doc_id for h in lite.hits} == {h.doc_id for h in pg.hits}, q


def test_tsvector_positions_weights_and_quoting() -> None:
    literal = tsvector_literal([("a b a", "A"), ("it's", "B"), ("c\\d", "D")])
    assert literal == "'a':1A,3A 'b':2A 'it''s':5B 'c\\\\d':7D"
    assert tsvector_literal([("y" * 2048, "A")]) == ""  # over PostgreSQL's lexeme limit
