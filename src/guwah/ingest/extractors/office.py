"""Legacy and open word-processing and slide formats through LibreOffice.

.doc, .ppt, .rtf, .odt, .odp and Works/WPS files are checked (container, encryption) and
their metadata read directly (olefile for OLE summary information, the ODF ``meta.xml``, the
RTF ``\\info`` group); the text comes from a PDF that LibreOffice converts them to, kept as
a derived artefact (:mod:`guwah.ingest.extractors.libreoffice`), one page of text per PDF
page, image-only pages marked for OCR as any PDF's are.
"""

from __future__ import annotations

import re
import shutil
import struct
import zipfile
from datetime import date, datetime
from pathlib import Path
from typing import Any

from guwah.ingest.extractors.common import (
    check_ole_encrypted,
    clean,
    is_ole,
    open_zip,
    read_member,
)
from guwah.ingest.extractors.documents import PdfExtractor
from guwah.ingest.extractors.libreoffice import case_root_for, convert_to_pdf
from guwah.ingest.extractors.notes import odp_notes, ppt_notes
from guwah.ingest.extractors.slides import NOTES_MARK
from guwah.ingest.extractors.spreadsheets import _ods_props, _ole_props
from guwah.ingest.registry import (
    ExtractContext,
    Extraction,
    ExtractionError,
    Extractor,
    register,
)

DOC = "application/msword"
PPT = "application/vnd.ms-powerpoint"
RTF = ("text/rtf", "application/rtf")
ODT = "application/vnd.oasis.opendocument.text"
ODP = "application/vnd.oasis.opendocument.presentation"
OLE = "application/x-ole-storage"
WORKS = ("application/vnd.ms-works", "application/wps-office.wps", "application/wps-office.dps")

# the suffix LibreOffice is given (it picks its import filter from it first)
_SUFFIX = {DOC: ".doc", PPT: ".ppt", ODT: ".odt", ODP: ".odp", RTF[0]: ".rtf", RTF[1]: ".rtf"}
_SUFFIX.update({WORKS[0]: ".wps", WORKS[1]: ".wps", WORKS[2]: ".dps"})
# OLE streams that say what a compound file is, when libmagic only says "CDFV2"
_OLE_KINDS = (
    ("WordDocument", DOC, ".doc"),
    ("PowerPoint Document", PPT, ".ppt"),
    ("MatOST", WORKS[0], ".wps"),  # Works spreadsheet/database era
    ("CONTENTS", WORKS[0], ".wps"),  # Works word processor 4–9
)
_WORD_ENCRYPTED = 0x0100  # FIB flags: fEncrypted (MS-DOC 2.5.2)
_WORD_OBFUSCATED = 0x8000  # fObfuscated: XOR "encryption"


@register
class OfficeExtractor(Extractor):
    name = "office"
    version = "1"
    mimetypes = frozenset({DOC, PPT, ODT, ODP, OLE, *RTF, *WORKS})

    def score(self, mime: str) -> int:
        if mime == OLE:
            return 5  # a compound file libmagic could not name: read if its streams say so
        return super().score(mime)

    def extract(self, path: Path, mime: str, ctx: ExtractContext) -> Extraction:
        out = Extraction()
        if path.stat().st_size == 0:
            raise ExtractionError("corrupt", "empty file: no document to read")
        if is_ole(path):
            mime, suffix, props = _check_ole(path, mime)
        elif zipfile.is_zipfile(path):
            suffix, props = _check_odf(path, mime, ctx)
        else:
            suffix, props = _check_rtf(path, mime)
        out.meta["office"] = props
        out.meta["format"] = suffix.lstrip(".")
        pdf, seconds, kept = convert_to_pdf(path, suffix, ctx.limits.office_timeout_s)
        try:
            converted = PdfExtractor().extract(pdf, "application/pdf", ctx)
            out.meta["conversion"] = _conversion(path, pdf, seconds, kept, converted)
            converted_on = datetime.fromtimestamp(pdf.stat().st_mtime).date()
        finally:
            if not kept:
                shutil.rmtree(pdf.parent, ignore_errors=True)
        out.meta["page_count"] = converted.meta.get("page_count")
        out.pages, out.ocr_pages = converted.pages, converted.ocr_pages
        out.warnings += converted.warnings
        if suffix in (".ppt", ".odp"):
            _add_notes(path, suffix, out)
        _flag_rendered_dates(out, converted_on)
        return out


def _flag_rendered_dates(out: Extraction, today: date) -> None:
    """Warn where a page shows the day of conversion: a date field LibreOffice filled in
    when it converted the document, not a date the document holds."""
    d, m, y = today.day, today.month, today.year
    spellings = {
        today.isoformat(),
        f"{m:02d}/{d:02d}/{y % 100:02d}",
        f"{m}/{d}/{y}",
        f"{d:02d}/{m:02d}/{y}",
        f"{d:02d}.{m:02d}.{y}",
        f"{y}年{m}月{d}日",
        f"{y}/{m}/{d}",
    }
    pages = [p.page_no for p in out.pages if any(sp in p.text for sp in spellings)]
    if pages:
        out.meta["conversion"]["pages_showing_conversion_date"] = pages
        out.warnings.append(
            f"page(s) {', '.join(map(str, pages))} show the conversion date {today}: date "
            "fields filled in by LibreOffice, not dates held in the document"
        )


def _add_notes(path: Path, suffix: str, out: Extraction) -> None:
    """Speaker notes onto their slide's page (when every slide became one page)."""
    notes = ppt_notes(path) if suffix == ".ppt" else odp_notes(path)
    if not notes or not any(notes):
        return
    if len(notes) != len(out.pages):
        out.meta["notes"] = notes[:1000]
        out.warnings.append(
            f"{len(notes)} slides but {len(out.pages)} PDF pages (hidden slides?): notes kept "
            "in the metadata, not on the pages"
        )
        return
    for page, note in zip(out.pages, notes, strict=True):
        if note:
            page.text = f"{page.text.rstrip()}\n\n{NOTES_MARK}\n{note}"
    out.meta["slides_with_notes"] = sum(1 for n in notes if n)


def _conversion(
    path: Path, pdf: Path, seconds: float, kept: bool, converted: Extraction
) -> dict[str, Any]:
    pages = int(converted.meta.get("page_count") or 0)
    info: dict[str, Any] = {
        "program": "libreoffice",
        "to": "application/pdf",
        "seconds": round(seconds, 3),
        "pages": pages,
        "seconds_per_page": round(seconds / pages, 4) if pages and seconds else None,
        "reused": kept and seconds == 0.0,
    }
    root = case_root_for(path)
    if kept and root is not None:
        info["derived_path"] = str(pdf.relative_to(root))
    return info


# -- checks before conversion: the container, encryption, metadata --------------------------


def _check_ole(path: Path, mime: str) -> tuple[str, str, dict[str, Any]]:
    import olefile

    check_ole_encrypted(path, "Office document")
    try:
        with olefile.OleFileIO(str(path)) as ole:
            kind = next(((m, s) for stream, m, s in _OLE_KINDS if ole.exists(stream)), None)
            if kind is None:
                raise ExtractionError(
                    "unsupported",
                    "an OLE compound file with no Word, PowerPoint or Works document stream",
                )
            mime, suffix = kind
            if mime == DOC:
                _check_word_fib(ole)
            elif mime == PPT and ole.exists("EncryptedSummary"):
                raise _encrypted("PowerPoint presentation")
    except ExtractionError:
        raise
    except Exception as exc:  # olefile raises OSError, struct errors, IndexError on damage
        raise ExtractionError("corrupt", f"damaged OLE compound file: {exc}") from exc
    props = _ole_props(path)
    if str(props.get("last_printed", "")).startswith("1601-01-01"):
        del props["last_printed"]  # FILETIME zero: never printed
    return mime, suffix, props


def _check_word_fib(ole: Any) -> None:
    with ole.openstream("WordDocument") as fh:
        fib = fh.read(32)
    if len(fib) < 12:
        raise ExtractionError("corrupt", "damaged Word document: the WordDocument stream is cut")
    (flags,) = struct.unpack_from("<H", fib, 0x0A)
    if flags & (_WORD_ENCRYPTED | _WORD_OBFUSCATED):
        raise _encrypted("Word document")


def _encrypted(what: str) -> ExtractionError:
    return ExtractionError(
        "encrypted",
        f"encrypted {what}: the file is password-protected and cannot be read without the password",
    )


def _check_odf(path: Path, mime: str, ctx: ExtractContext) -> tuple[str, dict[str, Any]]:
    with open_zip(path, ctx.limits, "OpenDocument file") as zf:
        names = set(zf.namelist())
        manifest = b""
        if "META-INF/manifest.xml" in names:
            manifest = read_member(zf, "META-INF/manifest.xml", "OpenDocument file", 1 << 20)
        if b"encryption-data" in manifest:
            raise _encrypted("OpenDocument file")
        if "content.xml" not in names:
            raise ExtractionError("corrupt", "damaged OpenDocument file: no content.xml")
        kind = ""
        if "mimetype" in names:
            kind = read_member(zf, "mimetype", "OpenDocument file", 1 << 10).decode(
                "ascii", "replace"
            )
        props = _ods_props(zf)
    suffix = ".odp" if "presentation" in kind or mime == ODP else ".odt"
    return suffix, props


_RTF_FIELDS = {
    "title": "title",
    "subject": "subject",
    "author": "author",
    "operator": "last_modified_by",
    "company": "company",
    "manager": "manager",
    "keywords": "keywords",
    "doccomm": "description",
}
_RTF_DATES = {"creatim": "created", "revtim": "modified", "printim": "last_printed"}
_RTF_DATE = re.compile(
    r"\\yr(\d+)(?:\\mo(\d+))?(?:\\dy(\d+))?(?:\\hr(\d+))?(?:\\min(\d+))?(?:\\sec(\d+))?"
)


def _check_rtf(path: Path, mime: str) -> tuple[str, dict[str, Any]]:
    with path.open("rb") as fh:
        head = fh.read(256 << 10)
    if not head.lstrip().startswith(b"{\\rtf"):
        raise ExtractionError(
            "corrupt", "not a readable document: neither OLE, OpenDocument nor RTF"
        )
    return ".rtf", rtf_info(head.decode("latin-1"))


def rtf_info(text: str) -> dict[str, Any]:
    """Fields of the RTF ``{\\info …}`` group (RTF 1.9.1 spec, "Information Group")."""
    props: dict[str, Any] = {}
    for word, key in _RTF_FIELDS.items():
        m = re.search(r"\{\\" + word + r"\s+([^{}]*)\}", text)
        if m and m.group(1).strip():
            props[key] = clean(_rtf_unescape(m.group(1).strip()))
    for word, key in _RTF_DATES.items():
        m = re.search(r"\{\\" + word + r"((?:\\[a-z]+\d+)+)\s*\}", text)
        if m:
            d = _RTF_DATE.search(m.group(1))
            if d:
                y, mo, dy, hr, mi, se = (int(g or 0) for g in d.groups())
                props[key] = f"{y:04d}-{mo or 1:02d}-{dy or 1:02d}T{hr:02d}:{mi:02d}:{se:02d}"
    m = re.search(r"\\version(\d+)", text)
    if m:
        props["revision"] = m.group(1)
    if "author" in props:
        props["creator"] = props["author"]
    return props


def _rtf_unescape(raw: str) -> str:
    return re.sub(r"\\'([0-9a-fA-F]{2})", lambda m: chr(int(m.group(1), 16)), raw)
