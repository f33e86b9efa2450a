"""The right model per page: OSD picks it, pages are turned, blank pages are not errors."""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from guwah.ingest.ocr import ocr_item
from guwah.synth.ocr_pages import render
from tests.test_ocr import needs_font, needs_tesseract


@needs_tesseract
@needs_font
def test_uyghur_page_runs_uig_alone_and_an_upside_down_page_is_turned(tmp_path: Path) -> None:
    for kind, model in (("uyghur", "uig"), ("rotated", "chi_sim")):
        page = render(kind, 3, lines=4)
        path = tmp_path / kind
        page.image.save(path, "PNG", dpi=(300, 300))
        [got] = ocr_item(path, "image/png", [1], "chi_sim+uig+eng", 120, per_page=True)
        assert got.language == model, got.detail
        assert got.detail["models"][0] == model and "OSD script" in got.detail["why"]
        assert page.text.split("\n")[0][:6] in got.text
    assert got.detail.get("rotated") == 180


@needs_tesseract
def test_blank_page_has_no_text_and_is_not_an_error(tmp_path: Path) -> None:
    path = tmp_path / "blank"
    Image.new("L", (1200, 1600), 255).save(path, "PNG")
    [got] = ocr_item(path, "image/png", [1], "chi_sim+uig+eng", 60, per_page=True)
    assert got.text == "" and got.detail["why"] == "blank page" and not got.detail["unreliable"]
