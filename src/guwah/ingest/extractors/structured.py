"""Structured text: JSON and NDJSON, XML and SVG (parsed safely, never rendered), iCalendar
and vCard. Each becomes searchable text (one ``path: value`` line per leaf for JSON, the
character data for XML, one line per field for calendars and cards) with its fields as
metadata."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from guwah.ingest.extractors.common import clean, decode_text, jsonable, read_bounded
from guwah.ingest.registry import (
    ExtractContext,
    Extraction,
    ExtractionError,
    Extractor,
    PageText,
    register,
)

JSON_TYPES = frozenset({"application/json", "application/x-ndjson", "application/ld+json"})
XML_TYPES = frozenset({"text/xml", "application/xml", "image/svg+xml"})
ICAL_TYPES = frozenset({"text/calendar"})
VCARD_TYPES = frozenset({"text/vcard", "text/x-vcard", "text/directory"})
_MAX_ITEMS = 1000  # events, cards, records listed in the metadata
_MAX_DEPTH = 200


def _read_text(path: Path, ctx: ExtractContext, out: Extraction) -> str:
    data, cut = read_bounded(path, ctx.limits.max_text_bytes)
    if cut:
        out.warnings.append(
            f"file larger than {ctx.limits.max_text_bytes:,} bytes: only the start was read"
        )
    if not data.strip():
        raise ExtractionError("corrupt", "empty file: nothing to read")
    text, encoding = decode_text(data)
    out.meta["encoding"] = encoding
    return text


# -- JSON and NDJSON ------------------------------------------------------------------------


@register
class JsonExtractor(Extractor):
    name = "json"
    version = "1"
    mimetypes = JSON_TYPES

    def extract(self, path: Path, mime: str, ctx: ExtractContext) -> Extraction:
        out = Extraction()
        text = _read_text(path, ctx, out)
        try:
            docs = [json.loads(text)]
            out.meta["json"] = {"form": "json"}
        except RecursionError as exc:
            raise ExtractionError("bomb", "JSON nested too deep to read") from exc
        except ValueError:
            docs = _ndjson(text)
            out.meta["json"] = {"form": "ndjson", "records": len(docs)}
        lines: list[str] = []
        budget = ctx.limits.max_text_bytes  # paths repeat: the text may outgrow the file
        for n, doc in enumerate(docs):
            prefix = f"[{n}]" if len(docs) > 1 else ""
            for p, v in _leaves(doc, prefix, 0):
                line = f"{p}: {v}" if p else v
                budget -= len(line) + 1
                if budget < 0:
                    break
                lines.append(line)
            if budget < 0:
                out.warnings.append(f"text cut at {ctx.limits.max_text_bytes:,} bytes")
                break
        first = docs[0] if docs else None
        if isinstance(first, dict):
            out.meta["json"]["keys"] = [clean(str(k)) for k in list(first)[:100]]
        elif isinstance(first, list):
            out.meta["json"]["length"] = len(first)
        out.pages.append(PageText(1, clean("\n".join(lines)), "text"))
        return out


def _ndjson(text: str) -> list[Any]:
    docs: list[Any] = []
    for no, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            docs.append(json.loads(line))
        except RecursionError as exc:
            raise ExtractionError("bomb", f"JSON line {no} nested too deep to read") from exc
        except ValueError as exc:
            raise ExtractionError(
                "corrupt", f"damaged JSON: neither one document nor one per line (line {no}: {exc})"
            ) from exc
    if not docs:
        raise ExtractionError("corrupt", "damaged JSON: no document in the file")
    return docs


def _leaves(value: Any, path: str, depth: int) -> Iterator[tuple[str, str]]:
    if depth > _MAX_DEPTH:
        raise ExtractionError("bomb", f"JSON nested more than {_MAX_DEPTH} deep")
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _leaves(v, f"{path}.{k}" if path else str(k), depth + 1)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _leaves(v, f"{path}[{i}]", depth + 1)
    elif value is not None and value != "":
        yield path, str(value)


# -- XML and SVG ----------------------------------------------------------------------------


@register
class XmlExtractor(Extractor):
    """XML through defusedxml: entity declarations, external references and DTD loading are
    refused, so a "billion laughs" file is an item error, not a worker out of memory."""

    name = "xml"
    version = "1"
    mimetypes = XML_TYPES

    def extract(self, path: Path, mime: str, ctx: ExtractContext) -> Extraction:
        import defusedxml
        from defusedxml import ElementTree as DET

        out = Extraction()
        data, cut = read_bounded(path, ctx.limits.max_text_bytes)
        if cut:
            raise ExtractionError(
                "too_large", f"XML larger than {ctx.limits.max_text_bytes:,} bytes (max_text_bytes)"
            )
        try:
            root = DET.fromstring(data, forbid_dtd=False, forbid_entities=True)
        except defusedxml.DefusedXmlException as exc:
            raise ExtractionError(
                "bomb",
                f"XML declares entities or external references ({type(exc).__name__}); "
                "refused unexpanded",
            ) from exc
        except (SyntaxError, ValueError) as exc:  # ParseError is a SyntaxError
            raise ExtractionError("corrupt", f"damaged XML: {exc}") from exc
        tag = _local(root.tag)
        count = sum(1 for _ in root.iter())
        out.meta["xml"] = {"root": tag, "namespace": _ns(root.tag), "elements": count}
        if mime == "image/svg+xml" or tag == "svg":
            out.meta["svg"] = {k: clean(v)[:200] for k, v in root.attrib.items() if "}" not in k}
            out.meta["note"] = "SVG read as text; never rendered"
        parts = (clean(t).strip() for t in root.itertext())
        out.pages.append(PageText(1, "\n".join(p for p in parts if p), "text"))
        return out


def _local(tag: Any) -> str:
    return str(tag).rsplit("}", 1)[-1]


def _ns(tag: Any) -> str | None:
    text = str(tag)
    return text[1:].split("}", 1)[0] if text.startswith("{") else None


# -- iCalendar ------------------------------------------------------------------------------

_ICAL_FIELDS = ("summary", "dtstart", "dtend", "location", "organizer", "attendee", "description")


@register
class ICalendarExtractor(Extractor):
    name = "icalendar"
    version = "1"
    mimetypes = ICAL_TYPES

    def extract(self, path: Path, mime: str, ctx: ExtractContext) -> Extraction:
        import icalendar

        out = Extraction()
        text = _read_text(path, ctx, out)
        try:
            cals = icalendar.Calendar.from_ical(text, multiple=True)
        except Exception as exc:  # icalendar raises ValueError and its own errors on damage
            raise ExtractionError("corrupt", f"damaged iCalendar file: {exc}") from exc
        entries: list[dict[str, Any]] = []
        lines: list[str] = []
        for cal in cals:
            for comp in cal.walk():
                if comp.name not in ("VEVENT", "VTODO", "VJOURNAL"):
                    continue
                entry: dict[str, Any] = {"type": comp.name}
                for key in _ICAL_FIELDS:
                    values = comp.get(key)
                    if values is None:
                        continue
                    values = values if isinstance(values, list) else [values]
                    shown = [_ical_value(v) for v in values]
                    entry[key] = shown if len(shown) > 1 else shown[0]
                    lines.extend(f"{key}: {v}" for v in shown)
                lines.append("")
                if len(entries) < _MAX_ITEMS:
                    entries.append(entry)
        out.meta["calendar"] = {"entries": entries, "count": len(entries)}
        out.pages.append(PageText(1, clean("\n".join(lines).strip()), "text"))
        return out


def _ical_value(value: Any) -> str:
    try:
        dt = getattr(value, "dt", None)
    except ValueError:  # icalendar's BrokenCalendarProperty (a ValueError): a malformed
        # date such as "600802q2"; shown as written in the file rather than parsed
        return clean(_ical_raw(value))
    if dt is not None:
        return str(jsonable(dt))
    return clean(str(value))


def _ical_raw(value: Any) -> str:
    try:
        raw = value.to_ical()
    except Exception:  # noqa: BLE001  (a broken property may not serialise either)
        return str(value)
    return raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)


# -- vCard ----------------------------------------------------------------------------------

_VCARD_FIELDS = ("fn", "n", "org", "title", "email", "tel", "adr", "url", "bday", "note")


@register
class VCardExtractor(Extractor):
    name = "vcard"
    version = "1"
    mimetypes = VCARD_TYPES

    def extract(self, path: Path, mime: str, ctx: ExtractContext) -> Extraction:
        import vobject

        logging.getLogger("vobject.base").setLevel(logging.CRITICAL)  # set on its import
        out = Extraction()
        text = _read_text(path, ctx, out)
        cards: list[dict[str, Any]] = []
        lines: list[str] = []
        try:
            for comp in vobject.readComponents(text, ignoreUnreadable=True):
                card: dict[str, Any] = {}
                for key in _VCARD_FIELDS:
                    values = [_vcard_value(c.value) for c in comp.contents.get(key, [])]
                    values = [v for v in values if v]
                    if values:
                        card[key] = values if len(values) > 1 else values[0]
                        lines.extend(f"{key}: {v}" for v in values)
                lines.append("")
                if len(cards) < _MAX_ITEMS:
                    cards.append(card)
        except Exception as exc:  # vobject raises ParseError and plain errors on damage
            raise ExtractionError("corrupt", f"damaged vCard file: {exc}") from exc
        if not cards:
            raise ExtractionError("corrupt", "damaged vCard file: no card in it")
        out.meta["vcard"] = {"cards": cards, "count": len(cards)}
        out.pages.append(PageText(1, clean("\n".join(lines).strip()), "text"))
        return out


def _vcard_value(value: Any) -> str:
    if isinstance(value, list):
        return "; ".join(_vcard_value(v) for v in value if v)
    if hasattr(value, "family") or hasattr(value, "street"):  # vobject Name / Address
        return clean(" ".join(str(value).split()))
    return clean(str(value)).strip()
