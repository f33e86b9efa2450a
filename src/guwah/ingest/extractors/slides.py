"""PowerPoint .pptx (python-pptx): one page of text per slide, its notes included."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from guwah.ingest.extractors.common import check_ole_encrypted, clean, office_zip_props, open_zip
from guwah.ingest.registry import (
    ExtractContext,
    Extraction,
    ExtractionError,
    Extractor,
    PageText,
    register,
)

PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
NOTES_MARK = "--- notes ---"


@register
class PptxExtractor(Extractor):
    name = "pptx"
    version = "1"
    mimetypes = frozenset({PPTX})

    def extract(self, path: Path, mime: str, ctx: ExtractContext) -> Extraction:
        check_ole_encrypted(path, "PowerPoint presentation")
        with open_zip(path, ctx.limits, "PowerPoint presentation") as zf:
            props = office_zip_props(zf)
        import pptx

        try:
            prs = pptx.Presentation(str(path))
            slides = list(_slides(prs))
        except (KeyError, ValueError, zipfile.BadZipFile, OSError, EOFError) as exc:
            raise ExtractionError("corrupt", f"damaged PowerPoint presentation: {exc}") from exc
        except Exception as exc:  # lxml and python-pptx internals
            raise ExtractionError("corrupt", f"damaged PowerPoint presentation: {exc}") from exc
        out = Extraction(meta={"office": props, "format": "pptx", "page_count": len(slides)})
        budget = ctx.limits.max_text_bytes
        index: list[dict[str, Any]] = []
        for no, (title, body, notes) in enumerate(slides, start=1):
            text = body + (f"\n\n{NOTES_MARK}\n{notes}" if notes else "")
            budget -= len(text.encode("utf-8"))
            if budget < 0:
                out.warnings.append(f"text cut at slide {no}: more than max_text_bytes")
                break
            out.pages.append(PageText(no, clean(text), "text"))
            index.append({"slide": no, "title": clean(title), "has_notes": bool(notes)})
        out.meta["slides"] = index
        return out


def _slides(prs: Any) -> Iterator[tuple[str, str, str]]:
    """(title, text, notes) of each slide, in order."""
    for slide in prs.slides:
        title_shape = slide.shapes.title
        title = title_shape.text_frame.text if title_shape is not None else ""
        body = "\n".join(t for t in _shape_texts(slide.shapes) if t.strip())
        notes = ""
        if slide.has_notes_slide:
            frame = slide.notes_slide.notes_text_frame
            notes = frame.text.strip() if frame is not None else ""
        yield title, body, notes


def _shape_texts(shapes: Any) -> Iterator[str]:
    for shape in shapes:
        if shape.shape_type is not None and shape.shape_type == 6:  # MSO_SHAPE_TYPE.GROUP
            yield from _shape_texts(shape.shapes)
        elif getattr(shape, "has_table", False) and shape.has_table:
            for row in shape.table.rows:
                yield "\t".join(cell.text.replace("\n", " ") for cell in row.cells)
        elif getattr(shape, "has_text_frame", False) and shape.has_text_frame:
            yield shape.text_frame.text
