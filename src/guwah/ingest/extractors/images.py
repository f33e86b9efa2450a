"""Image extractor: dimensions, every EXIF tag, GPS, the embedded thumbnail, the text test.

Built for a leak of thousands of small police JPEGs: the image is decoded once, at reduced
size where the format allows it (JPEG ``draft`` decodes at 1/2, 1/4 or 1/8 scale), which
both proves the file is complete (a truncated image fails to decode) and feeds the cheap
"does this hold text?" test. Only images that pass that test are queued for OCR.
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
import struct
import warnings
from pathlib import Path
from typing import Any

from PIL import Image, UnidentifiedImageError

from guwah.ingest.bounds import pixel_limit
from guwah.ingest.extractors.common import clean, jsonable
from guwah.ingest.ocr import TEST_SIZE, looks_like_text
from guwah.ingest.registry import ExtractContext, Extraction, ExtractionError, Extractor, register

logging.getLogger("exifread").setLevel(logging.ERROR)  # "no EXIF found" is not news

_EXIF_FORMATS = {"JPEG", "MPO", "TIFF", "PNG", "WEBP"}
_SKIP_TAGS = {"JPEGThumbnail", "TIFFThumbnail", "EXIF MakerNote", "Image XMLPacket"}
_MAX_TAG_CHARS = 1000
_EXIF_DATE = re.compile(r"^\s*(\d{4})[:\-](\d{2})[:\-](\d{2})[ T](\d{2}):(\d{2}):(\d{2})")
_OFFSET = re.compile(r"^[+-]\d{2}:\d{2}$")
_DECODE_ERRORS = (OSError, SyntaxError, ValueError, EOFError, struct.error, IndexError, TypeError)


@register
class ImageExtractor(Extractor):
    name = "image"
    version = "1"
    mimetypes = frozenset(
        {"image/jpeg", "image/png", "image/tiff", "image/gif", "image/bmp", "image/webp"}
    )

    def extract(self, path: Path, mime: str, ctx: ExtractContext) -> Extraction:
        out = Extraction()
        with warnings.catch_warnings(), pixel_limit(ctx.limits.max_image_pixels):
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = _open(path, ctx)
            with img:
                out.meta.update(_basics(img, ctx))
                small = _decode_small(img, ctx)
                fmt = img.format or ""
        if fmt in _EXIF_FORMATS:
            _add_exif(path, out)
        verdict, stats = looks_like_text(small)
        out.meta["text_test"] = stats
        if verdict:
            frames = min(int(out.meta.get("frames", 1)), ctx.limits.max_pdf_pages)
            out.ocr_pages = list(range(1, frames + 1)) if fmt == "TIFF" else [1]
        return out


def _bomb(exc: BaseException, ctx: ExtractContext) -> ExtractionError:
    return ExtractionError(
        "bomb",
        f"image declares more pixels than the limit of {ctx.limits.max_image_pixels:,} "
        f"(max_image_pixels): refused as a decompression bomb ({exc})",
    )


def _open(path: Path, ctx: ExtractContext) -> Image.Image:
    try:
        return Image.open(path)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _bomb(exc, ctx) from exc
    except UnidentifiedImageError as exc:
        size = path.stat().st_size
        what = "empty file" if size == 0 else "not a readable image (damaged or unknown format)"
        raise ExtractionError("corrupt", what) from exc
    except _DECODE_ERRORS as exc:
        raise ExtractionError("corrupt", f"damaged image header: {exc}") from exc


def _basics(img: Image.Image, ctx: ExtractContext) -> dict[str, Any]:
    try:  # counting frames reads every frame's directory (multi-page TIFF, GIF)
        frames = int(getattr(img, "n_frames", 1) or 1)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _bomb(exc, ctx) from exc
    except _DECODE_ERRORS as exc:  # Pillow: TypeError "Missing dimensions" and the like
        raise ExtractionError(
            "corrupt", f"damaged image: a later frame's directory cannot be read ({exc})"
        ) from exc
    meta: dict[str, Any] = {
        "width": img.width,
        "height": img.height,
        "format": img.format,
        "mode": img.mode,
        "frames": frames,
    }
    dpi = img.info.get("dpi")
    if dpi:
        meta["dpi"] = jsonable(list(dpi))
    meta["icc_profile"] = bool(img.info.get("icc_profile"))
    return meta


def _decode_small(img: Image.Image, ctx: ExtractContext) -> Image.Image:
    """Decode the first frame completely, at reduced scale where possible.

    Decoding everything is what detects a truncated file; JPEG's draft mode makes it cheap.
    """
    try:
        if img.format in ("JPEG", "MPO"):
            # libjpeg picks the smallest 1/1..1/8 scale not below the requested size
            f = TEST_SIZE / max(img.width, img.height, 1)
            img.draft("L", (max(1, int(img.width * f)), max(1, int(img.height * f))))
        img.load()
        small = img if max(img.size) <= TEST_SIZE else img.copy()
        if small is not img:
            small.thumbnail((TEST_SIZE, TEST_SIZE), Image.Resampling.BOX)
        return small
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _bomb(exc, ctx) from exc
    except (*_DECODE_ERRORS, MemoryError) as exc:
        msg = str(exc)
        if "truncated" in msg:
            raise ExtractionError("corrupt", f"truncated image: {msg}") from exc
        raise ExtractionError("corrupt", f"damaged image data: {msg}") from exc


# -- EXIF -----------------------------------------------------------------------------------


def _add_exif(path: Path, out: Extraction) -> None:
    import exifread

    try:
        with path.open("rb") as fh:
            tags = exifread.process_file(fh, details=False, extract_thumbnail=True)
    except Exception as exc:  # exifread fails in many ways on damaged EXIF
        out.warnings.append(f"EXIF unreadable: {clean(str(exc))[:200]}")
        return
    if not tags:
        return
    exif: dict[str, str] = {}
    for key, tag in tags.items():
        if key in _SKIP_TAGS:
            continue
        exif[clean(key)] = _printable(tag)
    out.meta["exif"] = exif
    out.meta["exif_summary"] = _summary(exif)
    gps = _gps(tags)
    if gps:
        out.meta["gps"] = gps
    thumb = tags.get("JPEGThumbnail")
    if isinstance(thumb, bytes | bytearray) and thumb:
        out.meta["thumbnail"] = _thumbnail(bytes(thumb))


def _printable(tag: Any) -> str:
    text = getattr(tag, "printable", None)
    if text is None:
        text = jsonable(tag)
    return clean(str(text)).strip()[:_MAX_TAG_CHARS]


def exif_datetime(value: str | None, offset: str | None = None) -> str | None:
    """ISO 8601 from an EXIF date ("2018:03:01 09:15:22"); None for blanks and zeros."""
    if not value:
        return None
    m = _EXIF_DATE.match(value)
    if not m or m.group(1) == "0000":
        return None
    y, mo, d, h, mi, s = m.groups()
    iso = f"{y}-{mo}-{d}T{h}:{mi}:{s}"
    if offset and _OFFSET.match(offset.strip()):
        iso += offset.strip()
    return iso


def _summary(exif: dict[str, str]) -> dict[str, str | None]:
    def get(*keys: str) -> str | None:
        for key in keys:
            if exif.get(key):
                return exif[key]
        return None

    return {
        "datetime_original": exif_datetime(
            get("EXIF DateTimeOriginal"), get("EXIF OffsetTimeOriginal")
        ),
        "datetime_digitized": exif_datetime(
            get("EXIF DateTimeDigitized"), get("EXIF OffsetTimeDigitized")
        ),
        "datetime": exif_datetime(get("Image DateTime"), get("EXIF OffsetTime")),
        "make": get("Image Make"),
        "model": get("Image Model"),
        "software": get("Image Software"),
        "serial": get("EXIF BodySerialNumber", "Image CameraSerialNumber"),
        "description": get("Image ImageDescription"),
    }


def _gps(tags: dict[str, Any]) -> dict[str, float | None]:
    lat = _gps_coord(tags.get("GPS GPSLatitude"), tags.get("GPS GPSLatitudeRef"), "S")
    lon = _gps_coord(tags.get("GPS GPSLongitude"), tags.get("GPS GPSLongitudeRef"), "W")
    alt = _ratio(tags.get("GPS GPSAltitude"))
    if alt is not None:
        ref = tags.get("GPS GPSAltitudeRef")
        if ref is not None and getattr(ref, "values", [0]) and ref.values[0] == 1:
            alt = -alt
        alt = round(alt, 2)
    if lat is None and lon is None and alt is None:
        return {}
    return {"lat": lat, "lon": lon, "alt": alt}


def _gps_coord(tag: Any, ref: Any, negative: str) -> float | None:
    values = getattr(tag, "values", None)
    if not values:
        return None
    try:
        parts = [float(v.num) / float(v.den) for v in values[:3]]
    except (ZeroDivisionError, AttributeError, TypeError):
        return None
    parts += [0.0] * (3 - len(parts))
    deg = parts[0] + parts[1] / 60 + parts[2] / 3600
    if not -180 <= deg <= 180:
        return None
    if ref is not None and str(getattr(ref, "printable", ref)).strip().upper().startswith(negative):
        deg = -deg
    return round(deg, 7)


def _ratio(tag: Any) -> float | None:
    values = getattr(tag, "values", None)
    if not values:
        return None
    try:
        return float(values[0].num) / float(values[0].den)
    except (ZeroDivisionError, AttributeError, TypeError):
        return None


def _thumbnail(data: bytes) -> dict[str, Any]:
    thumb: dict[str, Any] = {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
    try:
        with Image.open(io.BytesIO(data)) as t:
            thumb["width"], thumb["height"] = t.size
    except Exception:  # a damaged thumbnail is itself a finding, not a failure
        thumb["width"] = thumb["height"] = None
    return thumb
