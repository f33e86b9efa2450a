"""The UFLPA Entity List (US DHS), published as an HTML page: one table per section
(columns "Name of Entity" or "Entity Name" and "Effective Date"), aliases and subsidiaries in
prose inside the name cell: "(also known as …)", "and its eight … subsidiaries, which
include …". Each subsidiary becomes an entity of its own, linked to its parent."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser

from guwah.lists.entity import Entity, ListFormatError

from .common import add_dates, decode, refine_schema

AUTHORITY = "US Department of Homeland Security, Forced Labor Enforcement Task Force"
PROGRAM = "UFLPA Entity List"
MAX_CELL = 20_000
_AKA = re.compile(
    r"\((?:also known as|a\.k\.a\.|aka|formerly known as|f\.k\.a\.)\s*:?\s*([^()]*(?:\([^()]*\)[^()]*)*)\)",
    re.I,
)
_ACRONYM = re.compile(r"\(([A-Z]{2,8})\)")
_SUBS = re.compile(
    r",?\s+(?:and|including)\s+(?:its\s+)?(?:[\w-]+\s+){0,4}?(?:subsidiaries|affiliates|"
    r"subordinate[\w\s]*entities)\b(?:,?\s*(?:which|that)\s+include[s]?:?\s*(.*))?$",
    re.I | re.S,
)
_SPLIT = re.compile(r";\s*(?:and\s+)?|,\s+and\s+|(?<=Ltd\.),\s+|(?<=Ltd),\s+|(?<=Inc\.),\s+")


@dataclass
class _Table:
    section: str
    rows: list[list[str]] = field(default_factory=list)


class _Tables(HTMLParser):
    """Every table with the heading before it; cell text with whitespace collapsed."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[_Table] = []
        self.heading = ""
        self._in_heading = False
        self._heading_buf: list[str] = []
        self._cell: list[str] | None = None
        self._row: list[str] | None = None
        self._depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("h1", "h2", "h3", "h4", "caption") and self._cell is None:
            self._in_heading, self._heading_buf = True, []
        elif tag == "table":
            self._depth += 1
            if self._depth == 1:
                self.tables.append(_Table(self.heading))
        elif tag == "tr" and self._depth == 1:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []
        elif tag == "br" and self._cell is not None:
            self._cell.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("h1", "h2", "h3", "h4", "caption") and self._in_heading:
            self._in_heading = False
            self.heading = " ".join("".join(self._heading_buf).split())
        elif tag == "table":
            self._depth = max(0, self._depth - 1)
        elif tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(" ".join("".join(self._cell).split())[:MAX_CELL])
            self._cell = None
        elif tag == "tr" and self._row is not None:
            if self._row and self.tables:
                self.tables[-1].rows.append(self._row)
            self._row = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)
        elif self._in_heading:
            self._heading_buf.append(data)


def parse_name_cell(cell: str) -> tuple[str, list[str], list[str]]:
    """``(name, aliases, subsidiaries)`` of one name cell's prose."""
    aliases: list[str] = []
    subsidiaries: list[str] = []
    rest = cell.strip()
    for m in _AKA.finditer(rest):
        aliases += [a for a in map(_tidy, _SPLIT.split(m.group(1))) if a]
    rest = _AKA.sub("", rest)
    if sub := _SUBS.search(rest):
        if sub.group(1):
            subsidiaries = [s for s in map(_tidy, _SPLIT.split(sub.group(1))) if s]
        rest = rest[: sub.start()]
    for m in _ACRONYM.finditer(rest):
        aliases.append(m.group(1))
    name = " ".join(_ACRONYM.sub("", rest).split()).strip(" ,;")
    return name, aliases, subsidiaries


def _us_date(text: str) -> str:
    """DHS writes month/day/year: 6/21/2022 → 2022-06-21."""
    m = re.fullmatch(r"\s*(\d{1,2})/(\d{1,2})/(\d{4})\s*", text)
    return f"{m.group(3)}-{int(m.group(1)):02d}-{int(m.group(2)):02d}" if m else text


def _tidy(part: str) -> str:
    """A name out of prose: no leading "and", no trailing punctuation but an abbreviation's."""
    part = re.sub(r"^and\s+", "", part.strip(" ,;"))
    if part.endswith(".") and not re.search(r"\b(Ltd|Co|Inc|Corp|Bhd|S\.A)\.$", part):
        part = part[:-1]
    return part.strip()


def read_html(data: bytes) -> Iterator[Entity]:
    """Entities of the UFLPA Entity List page."""
    parser = _Tables()
    parser.feed(decode(data, "UFLPA HTML"))
    parser.close()
    found = False
    for t_no, table in enumerate(parser.tables, 1):
        if not table.rows:
            continue
        header = [h.lower() for h in table.rows[0]]
        name_col = next((i for i, h in enumerate(header) if "name" in h), None)
        date_col = next((i for i, h in enumerate(header) if "date" in h), None)
        if name_col is None:
            continue
        found = True
        for r_no, row in enumerate(table.rows[1:], 2):
            where = f"table {t_no} row {r_no}"
            if len(row) <= name_col or not row[name_col].strip():
                raise ListFormatError(f"UFLPA HTML: {where}: no entity name in the name column")
            name, aliases, subs = parse_name_cell(row[name_col])
            e = Entity(id=_slug(name), schema="Company", location=where)
            e.add("name", name)
            e.add("alias", *aliases)
            e.add("subsidiaries", *subs)
            e.add("sourceName", row[name_col])
            e.add("program", PROGRAM)
            e.add("section", table.section)
            e.add("authority", AUTHORITY)
            if date_col is not None and len(row) > date_col:
                add_dates(e, "listingDate", _us_date(row[date_col]))
            _schema(e)
            yield e
            for s in subs:
                sub = Entity(id=_slug(s), schema="Company", location=f"{where} (subsidiary)")
                sub.add("name", s)
                sub.add("parent", name)
                sub.add("program", PROGRAM)
                sub.add("section", table.section)
                sub.add("authority", AUTHORITY)
                sub.add("listingDate", *e.get("listingDate"))
                _schema(sub)
                yield sub
    if not found:
        raise ListFormatError(
            "UFLPA HTML: no table with a 'Name of Entity' or 'Entity Name' column"
        )


def _schema(e: Entity) -> None:
    e.schema = "Organization"
    refine_schema(e)
    if e.schema == "Organization" and not re.search(r"corps|bureau|government", e.caption, re.I):
        e.schema = "Company"


def _slug(name: str) -> str:
    return "uflpa-" + re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:100]
