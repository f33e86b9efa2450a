"""Kinds of item and the contract of ``Item.meta``, read from ``reference/item_meta.toml``.

:func:`item_kind` is the one rule from a content type to a kind (image, spreadsheet,
document, mail, archive, audio, video, other): the search facet and the web viewer both use
it; :func:`content_kind` adds the one exception a reader expects: an image that OCR shows to
be a page of text (a scanned order) is a document. :func:`checked_meta` checks an extraction's metadata against the declared keys when it
is recorded: with ``GUWAH_STRICT_META=1`` (the tests) an undeclared key or a value of the
wrong type raises :class:`MetaSchemaError`; otherwise it is logged and the value kept.
"""

from __future__ import annotations

import logging
import os
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

log = logging.getLogger("guwah.ingest.meta")

_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "object": (dict,),
    "array": (list,),
}

_ARCHIVE_WORDS = (
    "zip", "tar", "gzip", "7z", "bzip", "xz", "rar", "compress", "iso9660", "cpio", "xar",
    "ms-cab", "archive",
)  # fmt: skip
_MAIL_TYPES = ("message/", "ms-outlook", "mbox", "x-emlx")


def item_kind(mime: str) -> str:
    """image | spreadsheet | document | mail | archive | audio | video | other."""
    m = mime.lower()
    if m.startswith("image/"):
        return "image"
    if m.startswith("audio/"):
        return "audio"
    if m.startswith("video/"):
        return "video"
    if any(k in m for k in _MAIL_TYPES):
        return "mail"
    if any(
        k in m for k in ("spreadsheet", "excel", "csv", "dbf", "dbase", "msaccess", "ms-access")
    ):
        return "spreadsheet"
    if any(
        k in m
        for k in ("pdf", "word", "opendocument.text", "text/", "rtf", "html", "presentation",
                  "powerpoint", "opendocument.presentation", "json", "xml", "djvu")
    ):  # fmt: skip
        return "document"
    if any(k in m for k in _ARCHIVE_WORDS):
        return "archive"
    return "other"


SCAN_MIN_LINES = 3  # an OCR page with this many lines …
SCAN_MIN_CHARS = 40  # … and this many characters (spaces aside) is a page of a document


def content_kind(mime: str, ocr_texts: Iterable[str] = ()) -> str:
    """:func:`item_kind`, except that a scan is a document: an image one of whose OCR pages
    holds running text (:data:`SCAN_MIN_LINES` lines, :data:`SCAN_MIN_CHARS` characters), not
    a caption or a time stamp burnt into a photo."""
    kind = item_kind(mime)
    if kind == "image" and any(_is_text_page(t) for t in ocr_texts):
        return "document"
    return kind


def _is_text_page(text: str) -> bool:
    lines = [line for line in (text or "").splitlines() if line.strip()]
    return len(lines) >= SCAN_MIN_LINES and sum(len(x.replace(" ", "")) for x in lines) >= (
        SCAN_MIN_CHARS
    )


class MetaSchemaError(ValueError):
    """An extraction wrote metadata the schema does not declare."""


@dataclass(frozen=True)
class Key:
    name: str
    type: str
    doc: str


@dataclass(frozen=True)
class MetaSchema:
    kinds: dict[str, str]  # kind → what it is
    keys: dict[str, dict[str, Key]]  # "common" or a kind → declared keys

    def allowed(self, kind: str) -> dict[str, Key]:
        return {**self.keys.get("common", {}), **self.keys.get(kind, {})}

    def problems(self, meta: dict[str, Any], kind: str) -> list[str]:
        allowed = self.allowed(kind)
        out = []
        for name, value in meta.items():
            key = allowed.get(name)
            if key is None:
                out.append(f"undeclared key {name!r} for a {kind} item")
            elif value is not None and key.type != "any":
                types = _TYPES[key.type]
                if not isinstance(value, types) or (key.type != "boolean" and value is True):
                    out.append(f"{name!r} should be {key.type}, is {type(value).__name__}")
        return out


@lru_cache(maxsize=1)
def schema() -> MetaSchema:
    text = resources.files("guwah").joinpath("reference/item_meta.toml").read_text("utf-8")
    data = tomllib.loads(text)
    kinds = data.pop("kinds")
    keys = {
        section: {n: Key(n, k["type"], k["doc"]) for n, k in entries.items()}
        for section, entries in data.items()
    }
    unknown = set(keys) - set(kinds) - {"common"}
    if unknown:
        raise MetaSchemaError(f"item_meta.toml declares keys for unknown kinds: {unknown}")
    for entries in keys.values():
        for key in entries.values():
            if key.type not in _TYPES and key.type != "any":
                raise MetaSchemaError(f"item_meta.toml: {key.name} has unknown type {key.type}")
    return MetaSchema(kinds, keys)


def strict() -> bool:
    return os.environ.get("GUWAH_STRICT_META", "") == "1"


def checked_meta(meta: dict[str, Any], reader: str | None, mime: str) -> dict[str, Any]:
    """``meta`` as it is, once checked against the schema for the item's kind."""
    problems = schema().problems(meta, item_kind(mime))
    if problems:
        message = f"reader {reader or '?'} wrote metadata outside item_meta.toml: " + "; ".join(
            problems
        )
        if strict():
            raise MetaSchemaError(message)
        log.warning(message)
    return meta
