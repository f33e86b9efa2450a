"""What OCR reads for formats it cannot render itself: the derived PDF of an office
document, a TIFF rendered from a DjVu, HEIF opened through pillow-heif."""

from __future__ import annotations

from pathlib import Path

from guwah.ingest.extractors.libreoffice import derived_pdf_for
from guwah.ingest.registry import ExtractionError

_PDF = "application/pdf"


def ocr_source(path: Path, mime: str, timeout_s: float) -> tuple[Path, str]:
    """The (path, mime) to OCR for a stored original of type ``mime``."""
    from guwah.ingest.extractors import office, pictures

    if mime in office.OfficeExtractor.mimetypes:
        pdf = derived_pdf_for(path)
        if pdf is None or not pdf.is_file():
            raise ExtractionError(
                "missing", "the PDF converted from this document is gone: extract it again"
            )
        return pdf, _PDF
    if mime in pictures.DjvuExtractor.mimetypes:
        return pictures.djvu_as_tiff(path, timeout_s), "image/tiff"
    if mime in pictures.HEIF_TYPES:
        pictures.register_heif()
    return path, mime
