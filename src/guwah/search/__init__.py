"""Full-text search over a case: pages, OCR text, spreadsheet rows, EXIF and metadata.

An embedded SQLite FTS5 index in ``CASE/derived/search.sqlite``, or in server mode a
``tsvector`` column with a GIN index in the case's PostgreSQL database (``backend.py``;
derived data either way, rebuilt by ``guwah search --rebuild``), fed with tokens made here
in Python so that Chinese (overlapping bigrams), Uyghur in Arabic and Latin script, English
and ID numbers are all findable. ``stage.py`` builds and queries the index, ``command.py``
is the ``guwah search`` CLI.
See ``docs/search.md``.

May import: ``guwah.case``, ``guwah.core``, ``guwah.store``, ``guwah.names`` (aliases of
names) and ``guwah.verify.models`` (which items have findings); it reads the other
stages' tables, never their code. The names below load on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from guwah.lazy import lazy_package

if TYPE_CHECKING:
    from guwah.search.query import ParsedQuery, parse_query
    from guwah.search.stage import Hit, IndexStats, SearchResult, build_index, search

__all__ = [
    "Hit",
    "IndexStats",
    "ParsedQuery",
    "SearchResult",
    "build_index",
    "parse_query",
    "search",
]

lazy_package(
    __name__,
    {
        "ParsedQuery": ".query",
        "parse_query": ".query",
        "Hit": ".stage",
        "IndexStats": ".stage",
        "SearchResult": ".stage",
        "build_index": ".stage",
        "search": ".stage",
    },
)
