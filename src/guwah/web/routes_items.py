"""The item viewer: an original with its hashes, paths, custody, findings and contents (the
image, a sheet's grid at a cell, the text of each page beside the page image)."""

from __future__ import annotations

import io
import os
import tempfile
import threading
from pathlib import Path
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import FileResponse, HTMLResponse

from guwah.case import Case
from guwah.store.models import Item
from guwah.web.citation import cite_item
from guwah.web.deps import CaseDep, DbSession, Sha256
from guwah.web.i18n import gettext as _
from guwah.web.queries import download_name, get_item, item_detail, record_at, sheet_window
from guwah.web.render import page

router = APIRouter(include_in_schema=False)
PDF_LOCK = threading.Lock()  # pdfium is not thread-safe
MAX_PAGE_PX = 1400  # the longer side of a rendered page
MAX_PDF_PAGES = 5000
# Types the browser may show inline; anything else is sent as a download, never rendered.
INLINE = {"image/jpeg", "image/png", "image/gif", "image/webp", "image/bmp", "application/pdf"}


def original_path(case: Case, sha256: str) -> Path:
    """The stored original of ``sha256``, checked to lie inside the evidence store."""
    root = case.blobs.root.resolve()
    path = case.blobs.path_for(sha256).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        raise HTTPException(404, f"no original {sha256} in the store")
    return path


def _item_or_404(session: DbSession, sha256: str) -> Item:
    item = get_item(session, sha256)
    if item is None:
        raise HTTPException(
            404, _("no item with SHA-256 {sha256} in this case").format(sha256=sha256)
        )
    return item


@router.get("/items/{sha256}", response_class=HTMLResponse)
def item_page(
    request: Request,
    session: DbSession,
    case: CaseDep,
    sha256: Sha256,
    sheet: Annotated[int | None, Query(ge=0, le=10_000)] = None,
    row: Annotated[int | None, Query(ge=1, le=10_000_000)] = None,
    col: Annotated[int | None, Query(ge=1, le=100_000)] = None,
    start: Annotated[int | None, Query(ge=1, le=10_000_000)] = None,
    page_no: Annotated[int | None, Query(alias="page", ge=1, le=MAX_PDF_PAGES)] = None,
) -> HTMLResponse:
    item = _item_or_404(session, sha256)
    detail = item_detail(session, item)
    derived = _derived_pdf(case, item)
    grid = None
    if detail["sheets"]:
        index = sheet if sheet is not None else detail["sheets"][0]["index"]
        grid = sheet_window(session, item, index, row, start)
    # "cite this": the item, at the row or cell or page the page was opened at
    at_sheet = grid["index"] if grid is not None and row is not None else None
    at_row = row if at_sheet is not None else None
    at_col = col if at_row is not None else None
    at_page = page_no if any(p["page_no"] == page_no for p in detail["pages"]) else None
    cite = cite_item(session, case, item.sha256, at_sheet, at_row, at_col, at_page)
    place = {"item": item.sha256, "sheet": at_sheet, "row": at_row, "col": at_col}
    place["page"] = at_page
    cite_query = urlencode({k: v for k, v in place.items() if v is not None})
    record_id = record_at(session, item, at_sheet, row) if at_sheet is not None and row else None
    return page(
        request,
        "item.html",
        item=detail,
        grid=grid,
        target_row=row,
        target_col=col,
        target_page=page_no,
        pdf=item.mime == "application/pdf" or derived is not None,
        derived_pdf=derived is not None,
        cite=cite,
        cite_query=cite_query,
        record_id=record_id,
    )


@router.get("/items/{sha256}/raw")
def item_raw(session: DbSession, case: CaseDep, sha256: Sha256) -> FileResponse:
    """The original's bytes, exactly as stored, with its detected content type."""
    item = _item_or_404(session, sha256)
    path = original_path(case, item.sha256)
    inline = item.mime in INLINE
    return FileResponse(
        path,
        media_type=item.mime or "application/octet-stream",
        filename=download_name(session, item),
        content_disposition_type="inline" if inline else "attachment",
        headers={"Content-Security-Policy": "sandbox; default-src 'none'; img-src 'self'"},
    )


@router.get("/items/{sha256}/blurred.jpg")
def item_blurred(session: DbSession, case: CaseDep, sha256: Sha256) -> FileResponse:
    """A photo with its faces blurred and its metadata dropped (:mod:`guwah.access.faces`:
    the whole picture where no face is found): what a role without originals is shown.
    Cached under ``CASE/derived/web/blurred``."""
    item = _item_or_404(session, sha256)
    if not (item.mime or "").startswith("image/"):
        raise HTTPException(404, "only photos have a blurred copy: this item is not an image")
    from guwah.access.faces import VERSION, FaceError, blur_faces  # OpenCV: only when shown

    cache = case.derived_dir / "web" / "blurred" / f"{item.sha256}.v{VERSION}.jpg"
    if not cache.exists():
        try:
            blurred = blur_faces(original_path(case, item.sha256).read_bytes())
        except FaceError as exc:
            raise HTTPException(422, f"{exc}: no blurred copy can be shown") from exc
        _write_atomic(cache, blurred.data)
    return FileResponse(cache, media_type="image/jpeg")


@router.get("/items/{sha256}/pages/{page_no}.png")
def pdf_page_png(
    session: DbSession,
    case: CaseDep,
    sha256: Sha256,
    page_no: Annotated[int, PathParam(ge=1, le=MAX_PDF_PAGES)],
) -> FileResponse:
    """One page rendered to PNG (pypdfium2), cached under ``CASE/derived/web/pages``: of the
    original when it is a PDF, else of the PDF that LibreOffice made from it at ingest."""
    item = _item_or_404(session, sha256)
    is_pdf = item.mime == "application/pdf"
    pdf = original_path(case, item.sha256) if is_pdf else _derived_pdf(case, item)
    if pdf is None:
        raise HTTPException(
            404,
            "this item has no PDF pages (only PDFs and documents converted by LibreOffice "
            "have them; `guwah extract --force` rebuilds a missing derived PDF)",
        )
    cache = case.derived_dir / "web" / "pages" / item.sha256 / f"{page_no}.png"
    if not cache.exists():
        render_pdf_page(pdf, page_no, cache)
    return FileResponse(cache, media_type="image/png")


def _derived_pdf(case: Case, item: Item) -> Path | None:
    """The PDF that LibreOffice converted this item to at ingest, where the converter keeps
    it (:func:`derived_pdf_for`); None for a PDF original, or when there is none (any more)."""
    from guwah.ingest.extractors.libreoffice import derived_pdf_for  # only when a page is shown

    if item.mime == "application/pdf":
        return None
    path = derived_pdf_for(case.blobs.path_for(item.sha256))
    return path if path is not None and path.is_file() else None


def render_pdf_page(pdf_path: Path, page_no: int, out: Path) -> None:
    """Render page ``page_no`` (1-based) of a PDF to ``out``, written atomically."""
    import pypdfium2 as pdfium

    with PDF_LOCK:
        try:
            pdf = pdfium.PdfDocument(str(pdf_path))
        except pdfium.PdfiumError as exc:
            raise HTTPException(404, f"the PDF cannot be opened: {exc}") from exc
        try:
            if page_no > len(pdf):
                raise HTTPException(404, f"the PDF has {len(pdf)} pages")
            pg = pdf[page_no - 1]
            width, height = pg.get_size()
            scale = min(2.0, MAX_PAGE_PX / max(width, height, 1.0))
            image = pg.render(scale=scale).to_pil()
        finally:
            pdf.close()
    buf = io.BytesIO()
    image.save(buf, "PNG", optimize=True)
    _write_atomic(out, buf.getvalue())


def _write_atomic(out: Path, data: bytes) -> None:
    """Write a cache file so that a concurrent request never reads half of it."""
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=out.parent, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, out)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
