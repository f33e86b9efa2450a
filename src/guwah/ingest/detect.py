"""Content type from the bytes (libmagic), normalised, with the extension compared to it."""

from __future__ import annotations

import csv
import mimetypes
import zipfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path, PurePosixPath

import magic

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLS = "application/vnd.ms-excel"
ODS = "application/vnd.oasis.opendocument.spreadsheet"
ODT = "application/vnd.oasis.opendocument.text"
ODP = "application/vnd.oasis.opendocument.presentation"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
ENCRYPTED_OFFICE = "application/x-encrypted-office"

ARCHIVES = frozenset(
    {
        "application/zip",
        "application/x-tar",
        "application/gzip",
        "application/x-bzip2",
        "application/x-xz",
        "application/x-7z-compressed",
    }
)

# libmagic's spellings → the names extractors are registered under
_ALIASES = {
    "application/x-gzip": "application/gzip",
    "application/x-zip-compressed": "application/zip",
    "image/x-ms-bmp": "image/bmp",
    "application/x-ustar": "application/x-tar",
    "application/x-excel": XLS,
    "application/msexcel": XLS,
    "application/vnd.ms-office": "application/x-ole-storage",
    "application/cdfv2": "application/x-ole-storage",
    "application/encrypted": ENCRYPTED_OFFICE,
    "application/x-empty": "inode/x-empty",
}

# Extensions whose guessed type differs from the detected one without being a lie
_COMPATIBLE = [
    {"text/plain", "text/csv", "text/tab-separated-values", "text/markdown", "text/x-python"},
    {"application/x-tar", "application/gzip", "application/x-bzip2", "application/x-xz"},
    {"text/html", "application/xhtml+xml", "text/xml", "application/xml"},
    {XLS, "application/x-ole-storage"},
]


@dataclass(frozen=True)
class Detected:
    mime: str
    description: str


@lru_cache(maxsize=1)
def _magic_mime() -> magic.Magic:
    return magic.Magic(mime=True)


@lru_cache(maxsize=1)
def _magic_text() -> magic.Magic:
    return magic.Magic()


def describe(path: Path) -> str:
    """libmagic's description ("JPEG image data, JFIF standard 1.01, …")."""
    return str(_magic_text().from_file(str(path)))[:500]


def detect(path: Path, with_description: bool = False) -> Detected:
    """Detect the type of a stored original from its bytes alone.

    The description costs a second libmagic pass; workers fill it in during extraction.
    """
    raw_mime = _magic_mime().from_file(str(path)).lower()
    mime = _ALIASES.get(raw_mime, raw_mime)
    description = describe(path) if with_description or mime == "application/x-ole-storage" else ""
    if mime == "application/zip" or mime == "application/octet-stream" and _is_zip(path):
        # a zip header on unreadable bytes is a broken zip, and reported as one
        mime = _zip_flavour(path) or "application/zip"
    elif mime == "application/x-ole-storage":
        lowered = description.lower()
        if "excel" in lowered:
            mime = XLS
        elif "encrypted" in lowered:
            mime = ENCRYPTED_OFFICE
    elif mime == "text/plain" and _looks_like_csv(path):
        mime = "text/csv"
    return Detected(mime=mime, description=description)


def _is_zip(path: Path) -> bool:
    with open(path, "rb") as f:
        return f.read(4) == b"PK\x03\x04"


def _zip_flavour(path: Path) -> str | None:
    """OOXML and ODF are zips; tell them apart by their members, not the name."""
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist()[:2000])
            if "xl/workbook.xml" in names:
                return XLSX
            if "word/document.xml" in names:
                return DOCX
            if "ppt/presentation.xml" in names:
                return PPTX
            if "mimetype" in names:
                kind = zf.read("mimetype")[:100].decode("ascii", "replace").strip()
                if kind in (ODS, ODT, ODP):
                    return kind
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, RuntimeError):
        return None
    return None


def _looks_like_csv(path: Path, sample_size: int = 16384) -> bool:
    """Several lines that split into the same number (>1) of fields on one delimiter."""
    with open(path, "rb") as f:
        sample = f.read(sample_size)
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = sample.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        return False
    lines = [line for line in text.splitlines()[:50] if line.strip()]
    if len(sample) == sample_size and len(lines) > 2:
        lines = lines[:-1]  # the last line may be cut
    if len(lines) < 2:
        return False
    for delimiter in (",", "\t", ";", "|"):
        widths = [len(row) for row in csv.reader(lines, delimiter=delimiter)]
        if widths and min(widths) > 1 and len(set(widths)) <= max(1, len(widths) // 10):
            return True
    return False


def extension_of(name: str) -> str:
    suffixes = PurePosixPath(name.lower()).suffixes[-2:]
    if len(suffixes) == 2 and suffixes[0] == ".tar":
        return ".tar" + suffixes[1]
    return suffixes[-1] if suffixes else ""


def extension_disagrees(name: str, mime: str) -> bool:
    """True when the name's extension claims a type the bytes do not have."""
    ext = extension_of(name)
    if not ext:
        return False
    guessed, encoding = mimetypes.guess_type("x" + ext, strict=False)
    if encoding == "gzip":
        guessed = "application/gzip"
    elif encoding == "bzip2":
        guessed = "application/x-bzip2"
    elif encoding == "xz":
        guessed = "application/x-xz"
    if guessed is None or guessed == mime:
        return False
    return not any(guessed in group and mime in group for group in _COMPATIBLE)


def is_archive(mime: str) -> bool:
    return mime in ARCHIVES
