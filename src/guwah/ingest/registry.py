"""Extractors, registered per content type with a score (after Aleph's ingest-file).

An extractor declares the MIME types it reads; for each item the registry picks the
extractor with the highest score for the item's detected type. Extractors run in worker
processes: they read the stored original from a path, never write to it, and return a
plain, picklable :class:`Extraction`. A failure is an :class:`ExtractionError` with a short
``cause`` (``corrupt``, ``encrypted``, ``bomb``, ``timeout``, ``too_large``…) and a message
that says what was wrong; it is recorded on the item and never stops the run.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from guwah.config import Limits


class ExtractionError(Exception):
    def __init__(self, cause: str, message: str) -> None:
        super().__init__(message)
        self.cause = cause
        self.message = message


@dataclass
class PageText:
    page_no: int  # 1-based
    text: str
    method: str = "text"  # text | ocr
    confidence: float | None = None  # OCR mean word confidence, 0–100
    language: str | None = None


@dataclass
class SheetData:
    index: int  # 0-based position in the workbook
    name: str
    # (row, col, value, vtype): 1-based coordinates as in the file; vtype s|n|d|b|f
    cells: list[tuple[int, int, str, str]] = field(default_factory=list)
    n_rows: int = 0
    n_cols: int = 0
    merged: list[str] = field(default_factory=list)  # "A1:C1" ranges
    truncated: bool = False


@dataclass
class Extraction:
    meta: dict[str, Any] = field(default_factory=dict)  # JSON-serialisable metadata
    pages: list[PageText] = field(default_factory=list)
    sheets: list[SheetData] = field(default_factory=list)
    ocr_pages: list[int] = field(default_factory=list)  # pages with no text layer, to OCR
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ExtractContext:
    limits: Limits
    ocr_languages: str = "chi_sim+uig+eng"


class Extractor(ABC):
    name: ClassVar[str]
    version: ClassVar[str] = "1"
    mimetypes: ClassVar[frozenset[str]] = frozenset()

    def score(self, mime: str) -> int:
        return 10 if mime in self.mimetypes else 0

    @abstractmethod
    def extract(self, path: Path, mime: str, ctx: ExtractContext) -> Extraction: ...


_REGISTRY: list[Extractor] = []


def register(cls: type[Extractor]) -> type[Extractor]:
    _REGISTRY.append(cls())
    return cls


def pick(mime: str) -> Extractor | None:
    _load_builtin()
    best = max(_REGISTRY, key=lambda e: e.score(mime), default=None)
    if best is None or best.score(mime) <= 0:
        return None
    return best


def extractors() -> list[Extractor]:
    _load_builtin()
    return list(_REGISTRY)


def _load_builtin() -> None:
    import guwah.ingest.extractors  # noqa: F401  (registers on import)
