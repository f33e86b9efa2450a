"""Document extractors: PDF (pypdfium2), Word .docx (python-docx), plain text and HTML."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

from guwah.ingest.extractors.common import (
    check_ole_encrypted,
    clean,
    decode_text,
    office_zip_props,
    open_zip,
    read_bounded,
)
from guwah.ingest.registry import (
    ExtractContext,
    Extraction,
    ExtractionError,
    Extractor,
    PageText,
    register,
)

# -- PDF ------------------------------------------------------------------------------------

_PDF_DATE = re.compile(
    r"^D?:?(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?\s*(Z|[+-]\d{2}'?\d{2}'?|[+-]\d{2})?"
)
_MIN_TEXT_CHARS = 16  # a page with fewer non-space characters has no real text layer


def parse_pdf_date(raw: str) -> str | None:
    """ISO 8601 from a PDF date string such as ``D:20180301091522+08'00'``."""
    m = _PDF_DATE.match(raw.strip())
    if not m:
        return None
    year, month, day, hh, mm, ss, tz = m.groups()
    try:
        dt = datetime(
            int(year), int(month or 1), int(day or 1), int(hh or 0), int(mm or 0), int(ss or 0)
        )
    except ValueError:
        return None
    iso = dt.isoformat()
    if tz == "Z":
        iso += "+00:00"
    elif tz:
        digits = tz[1:].replace("'", "")
        iso += f"{tz[0]}{digits[:2]}:{(digits[2:4] or '00')}"
    return iso


@register
class PdfExtractor(Extractor):
    name = "pdf"
    version = "1"
    mimetypes = frozenset({"application/pdf"})

    def extract(self, path: Path, mime: str, ctx: ExtractContext) -> Extraction:
        import pypdfium2 as pdfium

        try:
            pdf = pdfium.PdfDocument(str(path))
        except pdfium.PdfiumError as exc:
            raise _pdf_open_error(exc) from exc
        try:
            return self._read(pdf, ctx)
        except pdfium.PdfiumError as exc:
            raise ExtractionError("corrupt", f"damaged PDF: {exc}") from exc
        finally:
            pdf.close()

    def _read(self, pdf: Any, ctx: ExtractContext) -> Extraction:
        out = Extraction()
        n_pages = len(pdf)
        info = _pdf_info(pdf)
        info["pages"] = n_pages
        out.meta["pdf"] = info
        out.meta["page_count"] = n_pages
        limit = ctx.limits.max_pdf_pages
        if n_pages > limit:
            out.warnings.append(
                f"PDF has {n_pages:,} pages; only the first {limit:,} were read (max_pdf_pages)"
            )
        for i in range(min(n_pages, limit)):
            text, needs_ocr = _pdf_page(pdf, i)
            out.pages.append(PageText(i + 1, text, "text"))
            if needs_ocr:
                out.ocr_pages.append(i + 1)
        return out


def _pdf_open_error(exc: Exception) -> ExtractionError:
    import pypdfium2.raw as pdfium_c

    code = getattr(exc, "err_code", None)
    if code == pdfium_c.FPDF_ERR_PASSWORD:
        return ExtractionError(
            "encrypted", "encrypted PDF: the text cannot be read without the password"
        )
    if code == pdfium_c.FPDF_ERR_SECURITY:
        return ExtractionError("encrypted", "PDF uses an unsupported security handler")
    return ExtractionError("corrupt", "damaged PDF: the file cannot be parsed as a PDF")


def _pdf_info(pdf: Any) -> dict[str, Any]:
    import pypdfium2.raw as pdfium_c

    info: dict[str, Any] = {}
    for key, value in pdf.get_metadata_dict(skip_empty=True).items():
        info[key] = clean(value)
        if key in ("CreationDate", "ModDate"):
            info[key + "_iso"] = parse_pdf_date(value)
    version = pdf.get_version()
    info["version"] = f"{version // 10}.{version % 10}" if version else None
    info["encrypted"] = pdfium_c.FPDF_GetSecurityHandlerRevision(pdf) != -1
    return info


def _pdf_page(pdf: Any, index: int) -> tuple[str, bool]:
    """Text of one page and whether it needs OCR (next to no text, but images)."""
    import pypdfium2.raw as pdfium_c

    page = pdf[index]
    try:
        textpage = page.get_textpage()
        try:
            text = clean(textpage.get_text_bounded()).replace("\r\n", "\n")
        finally:
            textpage.close()
        needs_ocr = False
        if sum(1 for ch in text if not ch.isspace()) < _MIN_TEXT_CHARS:
            images = page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=3)
            needs_ocr = next(iter(images), None) is not None
        return text, needs_ocr
    finally:
        page.close()


# -- Word .docx -----------------------------------------------------------------------------


@register
class DocxExtractor(Extractor):
    name = "docx"
    version = "1"
    mimetypes = frozenset(
        {"application/vnd.openxmlformats-officedocument.wordprocessingml.document"}
    )

    def extract(self, path: Path, mime: str, ctx: ExtractContext) -> Extraction:
        check_ole_encrypted(path, "Word document")
        with open_zip(path, ctx.limits, "Word document") as zf:
            office = office_zip_props(zf)
        import docx
        from docx.opc.exceptions import PackageNotFoundError

        try:
            with path.open("rb") as fh:
                doc = docx.Document(fh)
            body = "\n".join(_docx_blocks(doc))
            heads = _docx_headers(doc)
        except (
            PackageNotFoundError,
            KeyError,
            ValueError,
            zipfile.BadZipFile,
            ET.ParseError,
            OSError,
            EOFError,
        ) as exc:
            raise ExtractionError("corrupt", f"damaged Word document: {exc}") from exc
        except Exception as exc:  # lxml errors and python-docx internals
            raise ExtractionError("corrupt", f"damaged Word document: {exc}") from exc
        out = Extraction(pages=[PageText(1, clean(body), "text")])
        out.meta["office"] = office
        out.meta["docx"] = heads
        if len(body.encode("utf-8")) > ctx.limits.max_text_bytes:
            out.pages[0].text = _cut(body, ctx.limits.max_text_bytes)
            out.warnings.append(f"text cut at {ctx.limits.max_text_bytes:,} bytes")
        return out


def _docx_blocks(doc: Any) -> Iterator[str]:
    """Paragraph and table text in document order; table cells joined by tabs."""
    from docx.table import Table

    for block in doc.iter_inner_content():
        if isinstance(block, Table):
            yield from _docx_table(block)
        else:
            yield block.text


def _docx_table(table: Any) -> Iterator[str]:
    for row in table.rows:
        cells: list[str] = []
        seen: set[int] = set()
        for cell in row.cells:  # a merged cell appears once per grid column it spans
            if id(cell._tc) in seen:
                continue
            seen.add(id(cell._tc))
            cells.append(cell.text.replace("\n", " "))
        yield "\t".join(cells)


def _docx_headers(doc: Any) -> dict[str, Any]:
    headers: list[str] = []
    footers: list[str] = []
    for section in doc.sections:
        for part, bucket in ((section.header, headers), (section.footer, footers)):
            if part.is_linked_to_previous:
                continue
            text = clean("\n".join(p.text for p in part.paragraphs)).strip()
            if text and text not in bucket:
                bucket.append(text)
    return {"headers": headers, "footers": footers}


def _cut(text: str, max_bytes: int) -> str:
    return text.encode("utf-8")[:max_bytes].decode("utf-8", errors="ignore")


# -- plain text and HTML --------------------------------------------------------------------

_HTML_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)
_SKIP_TAGS = {"script", "style", "noscript", "template", "head"}
_BLOCK_TAGS = {
    "p",
    "div",
    "br",
    "li",
    "tr",
    "table",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "section",
    "article",
    "header",
    "footer",
    "blockquote",
    "pre",
    "ul",
    "ol",
    "dl",
    "dt",
    "dd",
    "hr",
    "form",
    "title",
    "address",
    "caption",
    "thead",
    "tbody",
    "nav",
    "main",
    "aside",
}


class _HtmlText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.title: list[str] = []
        self._skip = 0
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "title":
            self._in_title = True
        elif tag in _SKIP_TAGS:
            self._skip += 1
        elif tag in ("td", "th"):
            self.parts.append("\t")
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        elif tag in _SKIP_TAGS and self._skip:
            self._skip -= 1
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title.append(data)
        elif not self._skip:
            self.parts.append(data)

    def text(self) -> str:
        lines = ("".join(self.parts)).split("\n")
        out = [re.sub(r"[ \t\r\f\v]+", " ", ln).strip() for ln in lines]
        return "\n".join(ln for ln in out if ln)


def html_to_text(html: str) -> tuple[str, str]:
    """(text, title) of an HTML document; script and style skipped."""
    parser = _HtmlText()
    parser.feed(html)
    parser.close()
    title = re.sub(r"\s+", " ", "".join(parser.title)).strip()
    return parser.text(), title


@register
class TextExtractor(Extractor):
    name = "text"
    version = "1"
    mimetypes = frozenset({"text/plain", "text/html"})

    def extract(self, path: Path, mime: str, ctx: ExtractContext) -> Extraction:
        out = Extraction()
        try:
            data, cut = read_bounded(path, ctx.limits.max_text_bytes)
        except OSError as exc:
            raise ExtractionError("corrupt", f"cannot read file: {exc}") from exc
        if cut:
            out.warnings.append(
                f"file larger than {ctx.limits.max_text_bytes:,} bytes: only the start was read"
            )
        declared = None
        if mime == "text/html":
            m = _HTML_CHARSET.search(data[:8192])
            declared = m.group(1).decode("ascii") if m else None
        try:
            text, encoding = decode_text(data, declared)
        except (LookupError, ValueError) as exc:
            raise ExtractionError("corrupt", f"text in an unreadable encoding: {exc}") from exc
        out.meta["encoding"] = encoding
        if declared:
            out.meta["declared_encoding"] = clean(declared)
        if "\ufffd" in text and not encoding.startswith("utf-8"):
            out.warnings.append(f"some bytes are not valid {encoding} and were replaced")
        if mime == "text/html":
            text, title = html_to_text(text)
            out.meta["title"] = clean(title)
        out.meta["chars"] = len(text)
        out.pages.append(PageText(1, text.replace("\r\n", "\n"), "text"))
        return out


@register
class EncryptedOfficeExtractor(Extractor):
    """Password-protected Office files: an OLE container around an encrypted package."""

    name = "encrypted-office"
    mimetypes = frozenset({"application/x-encrypted-office"})

    def extract(self, path: Path, mime: str, ctx: ExtractContext) -> Extraction:
        check_ole_encrypted(path, "Office document")
        raise ExtractionError("unsupported", "an OLE container that is neither Excel nor Word")
