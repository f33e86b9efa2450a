"""Speaker notes of .ppt (the MS-PPT record tree) and .odp (``presentation:notes``) slides,
in slide order: LibreOffice's PDF export holds the slides, not their notes."""

from __future__ import annotations

import struct
import zipfile
from pathlib import Path

from guwah.ingest.extractors.common import clean

_CONTAINER = 0xF  # recVer of a container record
_SLIDE_LIST = 0x0FF0  # SlideListWithTextContainer; instance 0 lists the slides
_SLIDE_PERSIST = 0x03F3  # SlidePersistAtom: persistIdRef, flags, cTexts, slideId
_NOTES = 0x03F0  # NotesContainer
_NOTES_ATOM = 0x03F1  # NotesAtom: slideIdRef first
_TEXT_CHARS = 0x0FA0  # UTF-16LE
_TEXT_BYTES = 0x0FA8  # 8-bit (low bytes of UTF-16)
_MAX_RECORDS = 2_000_000
_ODP_MAX = 64 << 20


def ppt_notes(path: Path) -> list[str] | None:
    """Notes text of each slide of a .ppt, in slide order (None when unreadable)."""
    import olefile

    try:
        with olefile.OleFileIO(str(path)) as ole:
            data = ole.openstream("PowerPoint Document").read()
    except Exception:  # the document was converted already; notes are a bonus
        return None
    order: list[int] = []
    notes: dict[int, str] = {}
    # (offset, end, the enclosing container's (type, instance))
    stack: list[tuple[int, int, tuple[int, int] | None]] = [(0, len(data), None)]
    seen = 0
    while stack:
        off, end, parent = stack.pop()
        while off + 8 <= end and seen < _MAX_RECORDS:
            seen += 1
            vi, rtype, length = struct.unpack_from("<HHI", data, off)
            body, nxt = off + 8, min(off + 8 + length, end)
            if vi & 0xF == _CONTAINER and rtype != _NOTES:
                stack.append((body, nxt, (rtype, vi >> 4)))
            elif rtype == _NOTES:
                note_id, text = _notes_container(data, body, nxt)
                if note_id is not None:
                    notes[note_id] = text
            elif rtype == _SLIDE_PERSIST and parent == (_SLIDE_LIST, 0) and length >= 16:
                order.append(struct.unpack_from("<I", data, body + 12)[0])
            off = nxt
    if not order:
        return None
    return [notes.get(slide_id, "") for slide_id in order]


def _notes_container(data: bytes, off: int, end: int) -> tuple[int | None, str]:
    slide_id: int | None = None
    parts: list[str] = []
    stack = [(off, end)]
    while stack:
        off, end = stack.pop()
        while off + 8 <= end:
            vi, rtype, length = struct.unpack_from("<HHI", data, off)
            body, nxt = off + 8, min(off + 8 + length, end)
            if vi & 0xF == _CONTAINER:
                stack.append((body, nxt))
            elif rtype == _NOTES_ATOM and length >= 4:
                slide_id = struct.unpack_from("<I", data, body)[0]
            elif rtype == _TEXT_CHARS:
                parts.append(data[body:nxt].decode("utf-16-le", "replace"))
            elif rtype == _TEXT_BYTES:
                parts.append(data[body:nxt].decode("latin-1"))
            off = nxt
    text = "\n".join(p.replace("\r", "\n").strip() for p in parts if p.strip() not in ("", "*"))
    return slide_id, clean(text)


_DRAW = "{urn:oasis:names:tc:opendocument:xmlns:drawing:1.0}"
_PRES = "{urn:oasis:names:tc:opendocument:xmlns:presentation:1.0}"
_TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"


def odp_notes(path: Path) -> list[str] | None:
    """Notes text of each slide (``draw:page``) of an OpenDocument presentation."""
    from defusedxml import ElementTree as DET

    try:
        with zipfile.ZipFile(path) as zf:
            info = zf.getinfo("content.xml")
            if info.file_size > _ODP_MAX:
                return None
            root = DET.fromstring(zf.read(info))
    except Exception:  # damaged or hostile content.xml: the PDF text stands alone
        return None
    out: list[str] = []
    for page in root.iter(f"{_DRAW}page"):
        notes = page.find(f"{_PRES}notes")
        frames = [] if notes is None else notes.iter(f"{_DRAW}frame")
        paras = [
            "".join(p.itertext())
            for frame in frames
            if frame.get(f"{_PRES}class") == "notes"  # not the slide-number field
            for p in frame.iter(f"{_TEXT}p")
        ]
        out.append(clean("\n".join(p.strip() for p in paras if p.strip())))
    return out or None
