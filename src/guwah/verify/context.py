"""What checks read: the case's images and documents, streamed in batches of items.

Nothing here holds every image or document: :meth:`CheckContext.iter_images` and
:meth:`CheckContext.iter_documents` read a few hundred items at a time (keyset pages in
item id order); what checks compare across items goes through the scratch tables
(:mod:`guwah.verify.scratch`, :mod:`guwah.verify.image_data`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from guwah.case import Case
from guwah.config import MemoryBound
from guwah.core import NoProgress, Progress
from guwah.ingest.executor import Executor, make_executor
from guwah.store.models import Item, Occurrence, Page, Source
from guwah.verify.filenames import PhotoName, folder, parse_photo_name
from guwah.verify.finding import CheckResult, Finding, Findings

#: items read per page by the streams
IMAGE_PAGE = 500
DOCUMENT_PAGE = 50

#: content types whose metadata and text the document checks read
DOCUMENT_MIMES = (
    "application/pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/msword",
    "application/vnd.oasis.opendocument.text",
)


@dataclass(frozen=True)
class Occ:
    """One path an item occurred at, with its file time.

    ``local_time``: the time is wall-clock time of the machine that wrote it (zip members:
    the format stores no zone); otherwise it is UTC (file systems, tar, 7z).
    """

    path: str
    mtime: datetime | None
    local_time: bool

    @cached_property
    def photo_name(self) -> PhotoName:
        return parse_photo_name(self.path)

    @property
    def folder(self) -> str:
        return folder(self.path)


@dataclass
class ImageInfo:
    item_id: int
    sha256: str
    status: str
    meta: dict[str, Any]
    occurrences: list[Occ] = field(default_factory=list)

    @property
    def exif(self) -> dict[str, str]:
        return self.meta.get("exif") or {}

    @property
    def summary(self) -> dict[str, Any]:
        return self.meta.get("exif_summary") or {}

    @property
    def path(self) -> str | None:
        return self.occurrences[0].path if self.occurrences else None


@dataclass
class DocumentInfo:
    item_id: int
    sha256: str
    mime: str
    meta: dict[str, Any]
    path: str | None
    pages: list[tuple[int, str]] = field(default_factory=list)  # (page number, text)


@dataclass
class CheckContext:
    """The case a check runs on, the data it reads (loaded lazily) and how to run work."""

    case: Case
    session: Session
    progress: Progress = field(default_factory=NoProgress)
    executor_factory: Callable[[], Executor] | None = None
    #: what one check computed that another reuses (fingerprints), for this run
    stash: dict[str, Any] = field(default_factory=dict)
    #: where the running check's findings go, batch by batch (set by the stage)
    writer: Callable[[list[Finding]], None] | None = None

    def result(self, **kw: Any) -> CheckResult:
        """A result whose findings are written as they come (kept, outside the stage)."""
        return CheckResult(findings=Findings(self.writer), **kw)

    @property
    def conn(self) -> Any:
        """The run's connection (the scratch tables live on it)."""
        return self.session.connection()

    @cached_property
    def bound(self) -> MemoryBound:
        return MemoryBound.of(self.case)

    def executor(self) -> Executor:
        if self.executor_factory is not None:
            return self.executor_factory()
        limits = self.case.settings.limits
        return make_executor(self.case.settings.workers, limits.worker_memory_bytes)

    @cached_property
    def received(self) -> datetime | None:
        """When the evidence was first received (the earliest source): nothing in it can be
        later."""
        return self.session.scalar(select(func.min(Source.created_at)))

    @cached_property
    def n_images(self) -> int:
        return int(
            self.session.scalar(
                select(func.count()).select_from(Item).where(Item.mime.like("image/%"))
            )
            or 0
        )

    def iter_images(self, page: int = IMAGE_PAGE) -> Iterator[ImageInfo]:
        """Every image item (any status), with its occurrences, in item id order."""
        last = 0
        while True:
            rows = self.session.execute(
                select(Item.id, Item.sha256, Item.status, Item.meta)
                .where(Item.mime.like("image/%"), Item.id > last)
                .order_by(Item.id)
                .limit(page)
            ).all()
            if not rows:
                return
            by_id = {r[0]: ImageInfo(r[0], r[1], r[2], r[3] or {}) for r in rows}
            self._attach_occurrences(by_id, Item.id.in_(list(by_id)))
            yield from by_id.values()
            last = rows[-1][0]

    def images_by_id(self, ids: list[int]) -> list[ImageInfo]:
        """The images of these item ids (a cluster's), with occurrences, in id order."""
        out: dict[int, ImageInfo] = {}
        for k in range(0, len(ids), IMAGE_PAGE):
            chunk = sorted(ids)[k : k + IMAGE_PAGE]
            rows = self.session.execute(
                select(Item.id, Item.sha256, Item.status, Item.meta)
                .where(Item.id.in_(chunk))
                .order_by(Item.id)
            ).all()
            part = {r[0]: ImageInfo(r[0], r[1], r[2], r[3] or {}) for r in rows}
            self._attach_occurrences(part, Item.id.in_(chunk))
            out.update(part)
        return [out[i] for i in sorted(out)]

    def iter_documents(self, page: int = DOCUMENT_PAGE) -> Iterator[DocumentInfo]:
        """PDF and word-processor items with their metadata and page text, in id order."""
        where = (Item.mime.in_(DOCUMENT_MIMES), Item.status == "ok")
        last = 0
        while True:
            rows = self.session.execute(
                select(Item.id, Item.sha256, Item.mime, Item.meta)
                .where(*where, Item.id > last)
                .order_by(Item.id)
                .limit(page)
            ).all()
            if not rows:
                return
            docs = {r[0]: DocumentInfo(r[0], r[1], r[2], r[3] or {}, None) for r in rows}
            ids = list(docs)
            for item_id, path in self.session.execute(
                select(Occurrence.item_id, func.min(Occurrence.path))
                .where(Occurrence.item_id.in_(ids))
                .group_by(Occurrence.item_id)
            ):
                docs[item_id].path = path
            seen: set[tuple[int, int]] = set()
            for item_id, page_no, _method, text in self.session.execute(
                select(Page.item_id, Page.page_no, Page.method, Page.text)
                .where(Page.item_id.in_(ids))
                .order_by(Page.item_id, Page.page_no, Page.method.desc())  # text before ocr
            ):
                if (item_id, page_no) not in seen and (text or "").strip():
                    seen.add((item_id, page_no))
                    docs[item_id].pages.append((page_no, text))
            yield from docs.values()
            last = rows[-1][0]

    def _attach_occurrences(self, by_id: dict[int, ImageInfo], where: Any) -> None:
        parent = aliased(Item)
        rows = self.session.execute(
            select(Occurrence.item_id, Occurrence.path, Occurrence.mtime, parent.mime)
            .join(Item, Item.id == Occurrence.item_id)
            .outerjoin(parent, parent.id == Occurrence.parent_item_id)
            .where(where)
            .order_by(Occurrence.item_id, Occurrence.path)
        ).all()
        for item_id, path, mtime, parent_mime in rows:
            info = by_id.get(item_id) if item_id is not None else None
            if info is not None:
                info.occurrences.append(Occ(path, mtime, parent_mime == "application/zip"))
