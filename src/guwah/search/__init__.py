"""Full-text search over a case: pages, OCR text, spreadsheet rows, EXIF and metadata.

An embedded SQLite FTS5 index in ``CASE/derived/search.sqlite`` (derived data, rebuilt by
``guwah search --rebuild``), fed with tokens made here in Python so that Chinese (overlapping
bigrams), Uyghur in Arabic and Latin script, English and ID numbers are all findable.
See ``docs/search.md``.
"""

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
