"""Readers, registered per content type with a score (after Aleph's ingest-file).

A reader declares the MIME types it reads; for each item the registry holds an auction and
picks the reader with the highest score for the item's detected type. There are two kinds:

- an :class:`Extractor` runs in a worker process: it reads the stored original from a path,
  never writes to it, and returns a plain, picklable :class:`Extraction`;
- a *container* (``guwah.ingest.containers.base.Container``: archives, mailboxes, e-mail
  with attachments) runs in the calling process and yields its members, which go back
  through the same path as any file.

Both register with :func:`register` and carry their own ``name`` and ``version``, recorded
on every item they read. A failure is an :class:`ExtractionError` with a short
``cause`` (``corrupt``, ``encrypted``, ``bomb``, ``timeout``, ``too_large``…) and a message
that says what was wrong; it is recorded on the item and never stops the run.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, TypeVar

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


class Reader(ABC):  # noqa: B024  (the kinds below declare the abstract method)
    """What every reader declares: a name and version (recorded), the types it reads."""

    name: ClassVar[str]
    version: ClassVar[str] = "1"
    mimetypes: ClassVar[frozenset[str]] = frozenset()

    def score(self, mime: str) -> int:
        return 10 if mime in self.mimetypes else 0


class Extractor(Reader):
    @abstractmethod
    def extract(self, path: Path, mime: str, ctx: ExtractContext) -> Extraction: ...


_REGISTRY: list[Reader] = []
_WINNERS: dict[str, Reader | None] = {}  # the auction's result per MIME type

R = TypeVar("R", bound=Reader)


def register(cls: type[R]) -> type[R]:
    """Class decorator: register an extractor or a container reader."""
    _REGISTRY.append(cls())
    _WINNERS.clear()
    return cls


def unregister(cls: type[Reader]) -> None:
    """Remove a reader registered with :func:`register` (tests register broken ones)."""
    _REGISTRY[:] = [r for r in _REGISTRY if type(r) is not cls]
    _WINNERS.clear()


def auction(mime: str) -> Reader | None:
    """The reader with the highest score for ``mime``; None if none bids."""
    _load_builtin()
    if mime in _WINNERS:
        return _WINNERS[mime]
    best, best_score = None, 0
    for reader in _REGISTRY:
        score = reader.score(mime)
        if score > best_score:
            best, best_score = reader, score
    _WINNERS[mime] = best
    return best


def pick(mime: str) -> Extractor | None:
    """The extractor that wins the auction for ``mime`` (None if a container wins)."""
    best = auction(mime)
    return best if isinstance(best, Extractor) else None


def is_container(mime: str) -> bool:
    """True when a container reader wins the auction: its members are read at ingest."""
    best = auction(mime)
    return best is not None and not isinstance(best, Extractor)


def extractors() -> list[Extractor]:
    _load_builtin()
    return [r for r in _REGISTRY if isinstance(r, Extractor)]


def readers() -> list[Reader]:
    _load_builtin()
    return list(_REGISTRY)


_LOADED: list[bool] = []


def _load_builtin() -> None:
    if _LOADED:
        return
    _LOADED.append(True)
    import guwah.ingest.containers  # noqa: F401  (registers on import)
    import guwah.ingest.extractors  # noqa: F401
