"""More image formats: HEIC/HEIF/AVIF (pillow-heif), JPEG 2000, the pages of a multi-page
TIFF, and DjVu (djvulibre: ``djvutxt`` for the text layer; pages without one go to OCR,
rendered by ``ddjvu``)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

from PIL import Image

from guwah.ingest.extractors.common import clean, run_tool
from guwah.ingest.extractors.images import ImageExtractor
from guwah.ingest.extractors.libreoffice import case_root_for
from guwah.ingest.registry import (
    ExtractContext,
    Extraction,
    ExtractionError,
    Extractor,
    PageText,
    register,
)

HEIF_TYPES = frozenset({"image/heic", "image/heif", "image/heic-sequence", "image/avif"})
JP2_TYPES = frozenset({"image/jp2", "image/jpx", "image/jpm", "image/x-jp2-codestream"})
DJVU = "image/vnd.djvu"
_MAX_FRAMES_LISTED = 1000
_DJVU_SECONDS = 60.0


def register_heif() -> None:
    """Teach Pillow to open HEIC/HEIF/AVIF (idempotent); workers and OCR both need it."""
    try:
        import pillow_heif
    except ImportError:  # optional at run time: the item then says the format is unreadable
        return
    pillow_heif.register_heif_opener()


@register
class MoreImagesExtractor(ImageExtractor):
    """The image extractor, for HEIF and JPEG 2000 too, listing every page of a TIFF."""

    name = "image"
    mimetypes = HEIF_TYPES | JP2_TYPES | frozenset({"image/tiff"})

    def score(self, mime: str) -> int:
        return 11 if mime in self.mimetypes else 0  # above the plain image extractor

    def extract(self, path: Path, mime: str, ctx: ExtractContext) -> Extraction:
        if mime in HEIF_TYPES:
            register_heif()
        out = super().extract(path, mime, ctx)
        if int(out.meta.get("frames", 1)) > 1:
            out.meta["frame_list"] = _frames(path)
        return out


def _frames(path: Path) -> list[dict[str, Any]]:
    """Size and mode of each page of a multi-page image (read from headers, not decoded)."""
    frames: list[dict[str, Any]] = []
    try:
        with Image.open(path) as img:
            for i in range(min(int(getattr(img, "n_frames", 1)), _MAX_FRAMES_LISTED)):
                img.seek(i)
                frames.append(
                    {"page": i + 1, "width": img.width, "height": img.height, "mode": img.mode}
                )
    except (OSError, ValueError, EOFError):
        pass  # the first frame was read already; later damage shows in OCR
    return frames


# -- DjVu -----------------------------------------------------------------------------------


@register
class DjvuExtractor(Extractor):
    name = "djvu"
    version = "1"
    mimetypes = frozenset({DJVU, "image/x-djvu"})

    def extract(self, path: Path, mime: str, ctx: ExtractContext) -> Extraction:
        if shutil.which("djvutxt") is None:
            raise ExtractionError(
                "unsupported", "djvulibre is not installed: apt-get install djvulibre-bin"
            )
        out = Extraction()
        n_pages = int(_djvu(["djvused", "-e", "n", str(path)]).strip() or 0)
        if n_pages <= 0:
            raise ExtractionError("corrupt", "damaged DjVu file: no pages")
        out.meta["page_count"] = n_pages
        limit = min(n_pages, ctx.limits.max_pdf_pages)
        if n_pages > limit:
            out.warnings.append(f"DjVu has {n_pages:,} pages; only {limit:,} were read")
        # djvutxt separates pages with a form feed
        texts = _djvu(["djvutxt", str(path)]).split("\f")
        for no in range(1, limit + 1):
            text = clean(texts[no - 1]).strip() if no <= len(texts) else ""
            out.pages.append(PageText(no, text, "text"))
            if sum(1 for ch in text if not ch.isspace()) < 16:
                out.ocr_pages.append(no)
        return out


def _djvu(cmd: list[str]) -> str:
    return run_tool(cmd, "DjVu file", _DJVU_SECONDS)


def djvu_as_tiff(blob_path: Path, timeout_s: float) -> Path:
    """Render a DjVu original to a multi-page TIFF for OCR, kept under derived/ (or /tmp)."""
    root = case_root_for(blob_path)
    sha = blob_path.name
    base = root / "derived" / "djvu" if root else Path("/tmp") / "guwah-djvu"
    target = base / sha[:2] / f"{sha}.tiff"
    if target.is_file() and target.stat().st_size:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".part")
    try:
        subprocess.run(
            ["ddjvu", "-format=tiff", "-quality=85", str(blob_path), str(partial)],
            capture_output=True,
            timeout=timeout_s,
            check=True,
        )
    except (subprocess.TimeoutExpired, subprocess.CalledProcessError, OSError) as exc:
        partial.unlink(missing_ok=True)
        raise ExtractionError("corrupt", f"DjVu cannot be rendered for OCR: {exc}") from exc
    partial.replace(target)
    return target
