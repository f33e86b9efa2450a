"""Files embedded in documents and slides, read out as child items like archive members.

A document is read twice: its text by an extractor in a worker, its embedded files here, in
the calling process, under the same bounds and path convention as archive members
(``deck.pptx!/ppt/media/image1.png``). These readers bid in an auction of their own
(:func:`register_embedded`, :func:`embedded_reader`): the text extractor still wins the
item's main auction.

- OOXML (.docx, .pptx, .xlsx) and ODF (.odt, .odp, .ods) are zip packages: their media
  parts (``word/media/``, ``ppt/media/``, ``xl/media/``, ``Pictures/``) and embedded
  objects (``*/embeddings/``) are members, streamed byte for byte.
- Legacy Word, PowerPoint and Works files are OLE compound files. Their pictures are
  OfficeArt BLIP records (MS-ODRAW 2.2.23–2.2.32: JPEG, PNG, DIB, TIFF, EMF, WMF, PICT) in
  the ``Pictures`` stream (PowerPoint) or the ``Data`` and ``WordDocument`` streams (Word,
  Works). Bitmap data is stored as found; a metafile compressed with DEFLATE is inflated
  (bounded); a DIB gets the 14-byte BMP file header it lacks. Members are named
  ``<stream>/<offset>.<ext>``: the byte offset of the record inside the stream, so each
  image points back to its place in the original.
- RTF: each ``\\pict`` group's hexadecimal picture data (``\\pngblip``, ``\\jpegblip``,
  ``\\emfblip``, ``\\wmetafile``), named ``pict/<offset>.<ext>`` by the group's byte offset.
"""

from __future__ import annotations

import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar, TypeVar

from guwah.ingest.containers.archives import _decode_zip_name, _zip_time
from guwah.ingest.containers.base import (
    ZIP_READ_ERRORS,
    ArchiveError,
    Container,
    ContainerContext,
    Member,
    MemberResult,
)

OOXML = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.ms-word.document.macroenabled.12",
    "application/vnd.ms-powerpoint.presentation.macroenabled.12",
    "application/vnd.ms-excel.sheet.macroenabled.12",
}
ODF = {
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.presentation",
    "application/vnd.oasis.opendocument.spreadsheet",
    "application/vnd.oasis.opendocument.graphics",
}
OLE_DOCS = {
    "application/msword",
    "application/vnd.ms-powerpoint",
    "application/vnd.ms-works",
    "application/wps-office.wps",
    "application/wps-office.dps",
    "application/x-ole-storage",
}
RTF = {"text/rtf", "application/rtf"}
C = TypeVar("C", bound=Container)

# Package parts that hold embedded files (prefixes inside the zip).
_PACKAGE_PARTS = (
    "word/media/",
    "word/embeddings/",
    "ppt/media/",
    "ppt/embeddings/",
    "xl/media/",
    "xl/embeddings/",
    "Pictures/",
)


_EMBEDDED: list[Container] = []


def register_embedded(cls: type[C]) -> type[C]:
    """Class decorator: a reader of files embedded in documents (bids like any reader)."""
    _EMBEDDED.append(cls())
    return cls


def unregister_embedded(cls: type[Container]) -> None:
    _EMBEDDED[:] = [r for r in _EMBEDDED if type(r) is not cls]


def embedded_reader(mime: str) -> Container | None:
    """The reader of files embedded in items of this type (highest bid), or None."""
    best, best_score = None, 0
    for reader in _EMBEDDED:
        score = reader.score(mime)
        if score > best_score:
            best, best_score = reader, score
    return best


@register_embedded
class EmbeddedFiles(Container):
    """Pictures and objects in OOXML, ODF, OLE (Word, PowerPoint, Works) and RTF files."""

    name: ClassVar[str] = "embedded"
    version: ClassVar[str] = "1"
    mimetypes = frozenset(OOXML | ODF | OLE_DOCS | RTF)

    def members(self, path: Path, mime: str, ctx: ContainerContext) -> Iterator[MemberResult]:
        if mime in OOXML or mime in ODF:
            yield from _package_members(ctx)
        elif mime in OLE_DOCS:
            yield from _ole_members(ctx)
        elif mime in RTF:
            yield from _rtf_members(ctx)


# --- zip packages ----------------------------------------------------------------------


def _package_members(ctx: ContainerContext) -> Iterator[MemberResult]:
    ctx.whole_archive_ratio = False
    try:
        zf = zipfile.ZipFile(ctx.path)
    except (zipfile.BadZipFile, OSError, ValueError):
        return  # the text extractor reports a broken package; there is nothing to add
    with zf:
        for info in zf.infolist():
            name, raw_hex = _decode_zip_name(info)
            if info.is_dir() or not name.startswith(_PACKAGE_PARTS):
                continue
            ctx.budget.take_member()
            member = Member(
                name=name,
                raw_name_hex=raw_hex,
                mtime=_zip_time(info),
                declared_size=info.file_size,
                encrypted=bool(info.flag_bits & 0x1),
            )
            try:
                with zf.open(info) as stream:
                    yield from ctx.copy_member(member, stream, ctx.member_cap(info.compress_size))
            except ZIP_READ_ERRORS as exc:
                yield MemberResult(member, error=ArchiveError("corrupt", f"cannot read: {exc}"))


# --- OLE: OfficeArt BLIP records ---------------------------------------------------------

# recType → (record instances with one UID, with two UIDs, extension, kind)
_BLIPS: dict[int, tuple[int, int, str, str]] = {
    0xF01A: (0x3D4, 0x3D5, "emf", "metafile"),
    0xF01B: (0x216, 0x217, "wmf", "metafile"),
    0xF01C: (0x542, 0x543, "pict", "metafile"),
    0xF01D: (0x46A, 0x46B, "jpg", "bitmap"),
    0xF02A: (0x6E2, 0x6E3, "jpg", "bitmap"),  # JPEG in the CMYK colour space
    0xF01E: (0x6E0, 0x6E1, "png", "bitmap"),
    0xF01F: (0x7A8, 0x7A9, "bmp", "bitmap"),  # a DIB: no BMP file header
    0xF029: (0x6E4, 0x6E5, "tif", "bitmap"),
}
_JPEG_ALT = {0x6E2, 0x6E3}  # JPEG blips may also carry these instances (MS-ODRAW 2.2.27)
_OLE_STREAMS = ("Pictures", "Data", "WordDocument")
_HEADER = struct.Struct("<HHI")
_METAFILE_HEADER = (
    34  # OfficeArtMetafileHeader: cbSize, rcBounds, ptSize, cbSave, compression, filter
)
_SIGNATURES = {
    "jpg": (b"\xff\xd8\xff",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "tif": (b"II*\x00", b"MM\x00*"),
}


def _ole_members(ctx: ContainerContext) -> Iterator[MemberResult]:
    import olefile

    try:
        ole = olefile.OleFileIO(str(ctx.path))
    except Exception:  # olefile raises many kinds; the text extractor reports the file
        return
    with ole:
        for stream in _OLE_STREAMS:
            if not ole.exists(stream):
                continue
            size = ole.get_size(stream)
            if size > ctx.limits.max_member_bytes:
                yield MemberResult(
                    Member(name=f"{stream}/"),
                    error=ArchiveError(
                        "too_large",
                        f"the {stream} stream is {size:,} bytes, over limits.max_member_bytes: "
                        "its pictures were not read",
                    ),
                )
                continue
            data = ole.openstream(stream).read()
            yield from _blips(ctx, stream, data)


_CANDIDATE = re.compile(rb"(?=[\x00-\xff][\x00-\xff][\x1a-\x1f\x29\x2a]\xf0)", re.S)


def _blips(ctx: ContainerContext, stream: str, data: bytes) -> Iterator[MemberResult]:
    """Every BLIP record in ``data``, found by its header and checked by its content."""
    after = 0  # the end of the last record read: records do not overlap
    for match in _CANDIDATE.finditer(data):
        offset = match.start()
        if offset < after or offset + _HEADER.size > len(data):
            continue
        ver_inst, rec_type, length = _HEADER.unpack_from(data, offset)
        instance = ver_inst >> 4
        if rec_type not in _BLIPS or ver_inst & 0xF or not _instance_ok(rec_type, instance):
            continue
        if not 17 <= length <= len(data) - offset - _HEADER.size:
            continue
        body = data[offset + _HEADER.size : offset + _HEADER.size + length]
        content = _blip_content(rec_type, instance, body, ctx.limits.max_member_bytes)
        if content is None:
            continue  # a look-alike
        ext = _BLIPS[rec_type][2]
        yield ctx.store_bytes(Member(name=f"{stream}/{offset}.{ext}"), content)
        after = offset + _HEADER.size + length


def _instance_ok(rec_type: int, instance: int) -> bool:
    one, two, _, _ = _BLIPS[rec_type]
    return instance in (one, two) or (rec_type == 0xF01D and instance in _JPEG_ALT)


def _blip_content(rec_type: int, instance: int, body: bytes, cap: int) -> bytes | None:
    """The picture inside one BLIP record's body; None when it is not what it claims."""
    one, _, ext, kind = _BLIPS[rec_type]
    uids = 16 if instance in (one, 0x6E2) else 32
    if kind == "metafile":
        header = body[uids : uids + _METAFILE_HEADER]
        if len(header) < _METAFILE_HEADER:
            return None
        raw_size = struct.unpack_from("<I", header, 0)[0]
        compressed = header[32] == 0x00
        payload = body[uids + _METAFILE_HEADER :]
        if not compressed:
            return payload or None
        if raw_size > cap:
            return None
        try:
            inflater = zlib.decompressobj()
            out = inflater.decompress(payload, raw_size + 1)
        except zlib.error:
            return None
        return out if out and len(out) <= raw_size else None
    payload = body[uids + 1 :]  # one tag byte after the UIDs
    if ext == "bmp":
        return _dib_as_bmp(payload)
    if not payload.startswith(_SIGNATURES[ext]):
        return None
    return payload


def _dib_as_bmp(dib: bytes) -> bytes | None:
    """A device-independent bitmap with the BMP file header it lacks in the record."""
    if len(dib) < 40:
        return None
    header_size, _, _, _, bits, _, _, _, _, colours = struct.unpack_from("<IiiHHIIiiI", dib, 0)
    if header_size not in (12, 40, 52, 56, 108, 124) or bits not in (1, 4, 8, 16, 24, 32):
        return None
    palette = (colours or (1 << bits if bits <= 8 else 0)) * 4
    pixels_at = 14 + header_size + palette
    return b"BM" + struct.pack("<IHHI", 14 + len(dib), 0, 0, pixels_at) + dib


# --- RTF: \pict groups ---------------------------------------------------------------------

_PICT = re.compile(rb"\{\\\*?\\?pict\b")
_RTF_KINDS = ((b"\\pngblip", "png"), (b"\\jpegblip", "jpg"), (b"\\emfblip", "emf"))
_RTF_KINDS_META = ((b"\\wmetafile", "wmf"), (b"\\macpict", "pict"), (b"\\dibitmap", "bmp"))
_NESTED = re.compile(rb"\{[^{}]*\}")
_CONTROL_WORD = re.compile(rb"\\[a-zA-Z]+-?\d* ?")
_HEX_ONLY = re.compile(rb"[0-9a-fA-F]+")


def _rtf_members(ctx: ContainerContext) -> Iterator[MemberResult]:
    size = ctx.path.stat().st_size
    if size > ctx.limits.max_member_bytes:
        return
    data = ctx.path.read_bytes()
    for match in _PICT.finditer(data):
        start = match.start()
        group_end = _group_end(data, start)
        group = data[start:group_end]
        ext = next((e for kw, e in _RTF_KINDS + _RTF_KINDS_META if kw in group), None)
        if ext is None:
            continue
        content = _rtf_picture(group)
        if content is None:
            continue
        if ext == "bmp":
            content = _dib_as_bmp(content) or b""
            if not content:
                continue
        yield ctx.store_bytes(Member(name=f"pict/{start}.{ext}"), content)


def _group_end(data: bytes, start: int) -> int:
    """Where the RTF group opened at ``start`` closes (or the end of the file)."""
    depth, i, end = 0, start, len(data)
    while i < end:
        c = data[i]
        if c == 0x5C:  # backslash: skip the escaped character
            i += 2
            continue
        if c == 0x7B:
            depth += 1
        elif c == 0x7D:
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return end


def _rtf_picture(group: bytes) -> bytes | None:
    """The hexadecimal picture data of a \\pict group: what is left once the nested groups
    (``{\\*\\blipuid …}``, ``{\\picprop …}``) and control words are taken out."""
    body = group[1:-1]
    while True:
        cleaned = _NESTED.sub(b"", body)
        if cleaned == body:
            break
        body = cleaned
    digits = re.sub(rb"\s+", b"", _CONTROL_WORD.sub(b"", body))
    if len(digits) < 16 or not _HEX_ONLY.fullmatch(digits):
        return None
    if len(digits) % 2:
        digits = digits[:-1]
    return bytes.fromhex(digits.decode("ascii"))


__all__ = ["EmbeddedFiles", "embedded_reader", "register_embedded", "unregister_embedded"]
