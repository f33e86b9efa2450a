"""What the readers share: decoding, CSV rows with line numbers, XML parsing with a clear
error, partial dates, identifiers (USCC validated), schema words."""

from __future__ import annotations

import csv
import io
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator

from stdnum.cn import uscc

from guwah.lists.entity import Entity, ListFormatError

MONTHS = {
    m: i + 1
    for i, ms in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ]
    )
    for m in ms
}
MAX_FIELD = 1 << 20  # one CSV cell: a reason is long, a megabyte is not a reason


def decode(data: bytes, what: str) -> str:
    """UTF-8 text (a BOM dropped); another encoding is an error that says where it breaks."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ListFormatError(
            f"{what}: line {line} is not UTF-8 (byte {exc.start}: "
            f"{data[exc.start : exc.start + 4]!r}); convert the file to UTF-8 "
            "(the published lists are UTF-8)"
        ) from exc


def csv_rows(text: str, what: str) -> Iterator[tuple[int, list[str]]]:
    """``(line number, cells)`` of a CSV text; a broken row is an error naming its line."""
    csv.field_size_limit(MAX_FIELD)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        for row in reader:
            yield reader.line_num, row
    except csv.Error as exc:
        raise ListFormatError(f"{what}: line {reader.line_num}: {exc}") from exc


def dict_rows(
    text: str, what: str, required: tuple[str, ...], skip: int = 0
) -> Iterator[tuple[int, dict[str, str]]]:
    """Rows as dicts by header; a missing required column is an error naming it."""
    rows = csv_rows(text, what)
    for _ in range(skip):
        next(rows, None)
    first = next(rows, None)
    if first is None:
        raise ListFormatError(f"{what}: the file is empty (no header line)")
    hline, header = first
    header = [h.strip() for h in header]
    missing = [c for c in required if c not in header]
    if missing:
        raise ListFormatError(
            f"{what}: line {hline}: the header lacks the column(s) {', '.join(missing)} "
            f"(found: {', '.join(header[:12])}{'…' if len(header) > 12 else ''})"
        )
    for line, row in rows:
        if not any(c.strip() for c in row):
            continue
        if len(row) != len(header):
            raise ListFormatError(
                f"{what}: line {line}: {len(row)} cells where the header has {len(header)}"
            )
        yield line, dict(zip(header, row, strict=True))


def parse_xml(data: bytes, what: str) -> ET.Element:
    """The root element, namespaces stripped; a broken file names the line and column."""
    if b"<!ENTITY" in data[:4096]:
        raise ListFormatError(f"{what}: the XML declares entities; refused (entity expansion)")
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        line, col = exc.position
        raise ListFormatError(f"{what}: XML broken at line {line}, column {col}: {exc}") from exc
    for el in root.iter():
        if isinstance(el.tag, str) and "}" in el.tag:
            el.tag = el.tag.split("}", 1)[1]
        for key in [k for k in el.attrib if "}" in k]:
            el.attrib[key.split("}", 1)[1]] = el.attrib.pop(key)
    return root


def text(el: ET.Element | None, path: str = "") -> str:
    """Trimmed text of ``el`` (or of its descendant at ``path``), '' if absent."""
    if el is None:
        return ""
    if path:
        el = el.find(path)
        if el is None:
            return ""
    return " ".join((el.text or "").split())


def texts(el: ET.Element, path: str) -> list[str]:
    return [t for t in (" ".join((e.text or "").split()) for e in el.iterfind(path)) if t]


_DMY = re.compile(r"^(\d{1,2})[./-](\d{1,2})[./-](\d{4})$")
_ISO = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?(?:T.*)?$")
_WORDED = re.compile(r"^(?:(\d{1,2})\s+)?([A-Za-z]{3,9})\.?,?\s+(\d{4})$")


def partial_date(raw: str) -> str | None:
    """An ISO date as precise as the source: ``1955``, ``1962-01``, ``1960-03-12``.

    Accepts ``1955``, ``Jan 1962``, ``12 Mar 1960``, ``January 1958``, ``2.3.2021``,
    ``dd/mm/1958`` masks (UK) and ISO; ``circa``/``approximately`` are dropped (the raw
    value is kept by the caller). None when it is not a date.
    """
    s = raw.strip().rstrip(".").strip()
    s = re.sub(r"^(circa|approximately|approx\.?|about|ca\.?)\s+", "", s, flags=re.I)
    if not s:
        return None
    if m := _ISO.match(s):
        y, mo, d = m.groups()
        return _iso(int(y), int(mo) if mo else None, int(d) if d else None)
    if m := re.match(r"^(dd|\d{1,2})/(mm|\d{1,2})/(\d{4})$", s):
        d, mo, y = m.groups()
        return _iso(int(y), None if mo == "mm" else int(mo), None if d == "dd" else int(d))
    if m := _DMY.match(s):
        d, mo, y = m.groups()
        return _iso(int(y), int(mo), int(d))
    if m := _WORDED.match(s):
        d, mon, y = m.groups()
        month = MONTHS.get(mon.lower())
        if month is None:
            return None
        return _iso(int(y), month, int(d) if d else None)
    return None


def _iso(y: int, mo: int | None, d: int | None) -> str | None:
    if not 1800 <= y <= 2100 or (mo is not None and not 1 <= mo <= 12):
        return None
    if mo is None:
        return f"{y:04d}"
    if d is None or not 1 <= d <= 31:
        return f"{y:04d}-{mo:02d}"
    return f"{y:04d}-{mo:02d}-{d:02d}"


def add_dates(entity: Entity, prop: str, raw: str) -> None:
    """Dates into ``prop`` (ranges ``1955 to 1957`` give both ends); the raw text is kept
    in ``<prop>Raw`` when any part is not a date."""
    raw = raw.strip()
    if not raw:
        return
    parts = re.split(r"\s+to\s+|\s*;\s*|\s+or\s+", raw)
    dates = [partial_date(p) for p in parts]
    entity.add(prop, *(d for d in dates if d))
    if any(d is None for d in dates) or re.search(r"circa|approx", raw, re.I):
        entity.add(prop + "Raw", raw)


def add_uscc(entity: Entity, raw: str) -> None:
    """A Unified Social Credit Code: valid → ``registrationNumber`` (compact form);
    invalid → ``invalidIdentifier`` with the reason, never silently dropped."""
    value = raw.strip()
    if not value:
        return
    try:
        entity.add("registrationNumber", uscc.validate(value))
    except Exception as exc:  # stdnum's ValidationError family
        entity.add("invalidIdentifier", f"USCC {value}: {exc}")


USCC_RE = re.compile(r"\b([0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10})\b")


def add_identifier(entity: Entity, raw: str) -> None:
    """A registration number: USCC-shaped ones validated, others kept as ``idNumber``."""
    value = raw.strip()
    if not value:
        return
    if USCC_RE.fullmatch(value.upper()):
        add_uscc(entity, value)
    else:
        entity.add("idNumber", value)


SCHEMA_WORDS = {
    "person": "Person",
    "individual": "Person",
    "individuals": "Person",
    "organization": "Organization",
    "organisation": "Organization",
    "entity": "Organization",
    "entities": "Organization",
    "enterprise": "Organization",
    "company": "Company",
    "publicbody": "PublicBody",
    "public body": "PublicBody",
    "legalentity": "LegalEntity",
    "legal entity": "LegalEntity",
}
SKIPPED_WORDS = {"vessel", "ship", "aircraft", "asset", "vessels", "ships"}


def schema_of(word: str, where: str) -> str | None:
    """The schema a list's type word names; None for vessels and the like (ignored)."""
    w = word.strip().lower()
    if w in SKIPPED_WORDS:
        return None
    if w in SCHEMA_WORDS:
        return SCHEMA_WORDS[w]
    raise ListFormatError(f"{where}: unknown entity type {word!r}")


def refine_schema(entity: Entity) -> None:
    """An organisation that is a government agency becomes a public body."""
    if entity.schema not in ("Organization", "LegalEntity"):
        return
    hay = " ".join(entity.get("legalForm") + entity.names()).lower()
    if re.search(
        r"government|governmental|ministry|bureau|public security|police|department|"
        r"公安|政府|兵团|委员会",
        hay,
    ):
        entity.schema = "PublicBody"
    elif re.search(r"\b(co\.?|ltd\.?|limited|inc\.?|corp\.?|company|llc|gmbh)\b|公司", hay):
        entity.schema = "Company"
