"""Real files for the verify tests: JPEGs with EXIF (and thumbnails), PDFs, Word files."""

from __future__ import annotations

import io
import random
import struct
from datetime import datetime
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter
from stdnum.cn import ric

EXIF_IFD = 0x8769


def valid_id(region: str, born: str, seq: int) -> str:
    """An 18-digit ID number that validates (``born`` as yyyymmdd)."""
    body = f"{region}{born}{seq:03d}"
    return body + ric.calc_check_digit(body + "0")


def bad_checksum(number: str) -> str:
    right = number[-1]
    return number[:-1] + ("1" if right != "1" else "2")


def picture(seed: int, size: tuple[int, int] = (240, 320)) -> Image.Image:
    """A distinct picture per seed: a random low-frequency field with a few shapes."""
    rng = random.Random(seed)
    field = Image.frombytes("RGB", (4, 5), bytes(rng.randrange(256) for _ in range(60)))
    img = field.resize(size, Image.Resampling.BICUBIC)
    d = ImageDraw.Draw(img)
    for _ in range(4):
        x, y = rng.randrange(size[0]), rng.randrange(size[1])
        r = rng.randrange(20, 70)
        d.ellipse((x - r, y - r, x + r, y + r), fill=tuple(rng.randrange(256) for _ in range(3)))
    return img.filter(ImageFilter.GaussianBlur(2))


def _exif_with_thumbnail(make: str, thumb: bytes) -> bytes:
    """A minimal little-endian EXIF block: IFD0 (Make) and IFD1 holding a JPEG thumbnail."""
    make_b = make.encode() + b"\0"
    ifd0_off = 8
    ifd0_len = 2 + 12 + 4
    make_off = ifd0_off + ifd0_len
    ifd1_off = make_off + len(make_b)
    ifd1_len = 2 + 3 * 12 + 4
    thumb_off = ifd1_off + ifd1_len
    out = b"II*\0" + struct.pack("<I", ifd0_off)
    out += struct.pack("<H", 1) + struct.pack("<HHII", 0x010F, 2, len(make_b), make_off)
    out += struct.pack("<I", ifd1_off) + make_b
    out += struct.pack("<H", 3)
    out += struct.pack("<HHIHH", 0x0103, 3, 1, 6, 0)
    out += struct.pack("<HHII", 0x0201, 4, 1, thumb_off)
    out += struct.pack("<HHII", 0x0202, 4, 1, len(thumb))
    out += struct.pack("<I", 0) + thumb
    return b"Exif\0\0" + out


def jpeg(
    path: Path,
    img: Image.Image,
    *,
    taken: datetime | None = None,
    make: str = "Canon",
    model: str = "Canon EOS 80D",
    serial: str = "0312001",
    software: str = "",
    saved: datetime | None = None,
    quality: int = 90,
    thumbnail: Image.Image | None = None,
    mtime: datetime | None = None,
) -> Path:
    """Write a JPEG with camera EXIF, or with a thumbnail (and only Make) if one is given."""
    path.parent.mkdir(parents=True, exist_ok=True)
    buf = io.BytesIO()
    if thumbnail is not None:
        tb = io.BytesIO()
        thumbnail.save(tb, "JPEG", quality=80)
        img.save(buf, "JPEG", quality=quality, exif=_exif_with_thumbnail(make, tb.getvalue()))
    else:
        exif = Image.Exif()
        exif[0x010F] = make
        exif[0x0110] = model
        if software:
            exif[0x0131] = software
        if taken is not None:
            exif[0x0132] = (saved or taken).strftime("%Y:%m:%d %H:%M:%S")
            exif.get_ifd(EXIF_IFD)[0x9003] = taken.strftime("%Y:%m:%d %H:%M:%S")
        exif.get_ifd(EXIF_IFD)[0xA431] = serial
        img.save(buf, "JPEG", quality=quality, exif=exif.tobytes())
    path.write_bytes(buf.getvalue())
    if mtime is not None:
        import os

        os.utime(path, (mtime.timestamp(), mtime.timestamp()))
    return path


def pdf(path: Path, lines: list[str], created: datetime) -> Path:
    from fpdf import FPDF

    doc = FPDF()
    doc.set_creation_date(created)
    doc.set_author("Test Office")
    doc.add_page()
    doc.set_font("Helvetica", size=12)
    for line in lines:
        doc.cell(0, 8, line, new_x="LMARGIN", new_y="NEXT")
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.output(str(path))
    return path


def docx(path: Path, lines: list[str], created: datetime, modified: datetime) -> Path:
    import docx as python_docx

    d = python_docx.Document()
    for line in lines:
        d.add_paragraph(line)
    d.core_properties.author = "办公室"
    d.core_properties.created = created
    d.core_properties.modified = modified
    path.parent.mkdir(parents=True, exist_ok=True)
    d.save(str(path))
    return path
