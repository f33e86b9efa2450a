"""OCR with the real Tesseract, and the cheap test that decides what to OCR.

Pages are rendered here with the Noto CJK font (fonts-noto-cjk) onto white images, so the
expected text is known. All text is fictional.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont

from guwah.config import Limits
from guwah.ingest.ocr import available_languages, looks_like_text, ocr_item
from guwah.ingest.ocr_layout import clean_ocr_text
from guwah.ingest.registry import ExtractContext, ExtractionError, pick
from tests.conftest import CJK_FONT

LANGS = "chi_sim+eng"
TITLE = "关于加强教育转化工作的通知"
LINES = [TITLE, "各乡镇：现将有关事项通知如下。", "Notice on education work, March 2018"]

needs_tesseract = pytest.mark.requires("tesseract")
needs_font = pytest.mark.requires("cjk_font")


def render(lines: list[str], size: int = 40) -> Image.Image:
    img = Image.new("RGB", (1300, 100 + len(lines) * size * 2), "white")
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype(str(CJK_FONT), size, index=2)
    for i, line in enumerate(lines):
        draw.text((50, 50 + i * size * 2), line, fill="black", font=font)
    return img


def photo_like(width: int = 800, height: int = 600) -> Image.Image:
    grad = Image.linear_gradient("L").rotate(30).resize((width, height))
    radial = Image.radial_gradient("L").resize((width, height))
    noise = Image.effect_noise((width, height), 60)
    return Image.merge("RGB", (grad, radial, ImageChops.blend(grad, noise, 0.5)))


def portrait_on_white(width: int = 600, height: int = 800) -> Image.Image:
    """An ID-style photo: a smooth figure on a pale backdrop (bright, yet no text)."""
    img = Image.new("RGB", (width, height), (235, 235, 235))
    draw = ImageDraw.Draw(img)
    draw.ellipse((180, 120, 420, 480), fill=(200, 160, 130))
    draw.ellipse((180, 80, 420, 240), fill=(30, 25, 20))
    draw.rectangle((100, 480, 500, 800), fill=(40, 50, 90))
    return img.filter(ImageFilter.GaussianBlur(6))


@pytest.fixture(scope="module")
def notice_png(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("ocr") / "blob"
    render(LINES).save(path, "PNG")
    return path


def assert_notice(text: str) -> None:
    assert TITLE in text  # also proves the spaces between Chinese characters are gone
    assert "通知如下" in text
    assert "Notice" in text and "education" in text


@needs_font
def test_looks_like_text_yes_for_a_page_no_for_photos(notice_png: Path) -> None:
    with Image.open(notice_png) as img:
        yes, stats = looks_like_text(img)
    assert yes, stats
    assert stats["verdict"] is True and stats["paper"] >= 200
    for photo in (photo_like(), portrait_on_white()):
        no, stats = looks_like_text(photo)
        assert not no, stats


@needs_font
def test_looks_like_text_survives_a_grey_noisy_scan() -> None:
    page = render(LINES * 6).convert("L")
    grey = Image.eval(page, lambda v: int(v * 0.85 + 20))  # grey paper, grey ink
    noisy = ImageChops.add(grey, Image.effect_noise(page.size, 12), 1, -128)
    assert looks_like_text(noisy.filter(ImageFilter.GaussianBlur(0.7)))[0]


@needs_tesseract
@needs_font
def test_ocr_png_chinese_and_english(notice_png: Path) -> None:
    [page] = ocr_item(notice_png, "image/png", [1], LANGS, timeout_s=60)
    assert page.page_no == 1 and page.method == "ocr" and page.language == LANGS
    assert_notice(page.text)
    assert page.confidence is not None and page.confidence > 50


@needs_tesseract
@needs_font
def test_ocr_image_only_pdf_page(tmp_path: Path) -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(text="Cover page with a text layer, nothing to OCR here.")
    pdf.add_page()
    pdf.image(render(LINES), x=10, y=10, w=190)
    path = tmp_path / "blob"
    pdf.output(str(path))
    out = pick("application/pdf").extract(path, "application/pdf", ExtractContext(Limits()))  # type: ignore[union-attr]
    assert out.ocr_pages == [2]
    [page] = ocr_item(path, "application/pdf", out.ocr_pages, LANGS, timeout_s=60, dpi=200)
    assert page.page_no == 2
    assert_notice(page.text)
    assert page.confidence is not None and page.confidence > 50


@needs_tesseract
@needs_font
def test_ocr_second_page_of_multipage_tiff(tmp_path: Path) -> None:
    first = render(["第一页 cover"]).convert("L")
    second = render(LINES).convert("L")
    path = tmp_path / "blob"
    first.save(path, "TIFF", save_all=True, append_images=[second])
    [page] = ocr_item(path, "image/tiff", [2], LANGS, timeout_s=60)
    assert page.page_no == 2
    assert_notice(page.text)


@needs_tesseract
def test_ocr_runs_tesseract_single_threaded(notice_png: Path) -> None:
    ocr_item(notice_png, "image/png", [1], "eng", timeout_s=60)
    assert os.environ["OMP_THREAD_LIMIT"] == "1"  # inherited by the tesseract subprocess


@needs_tesseract
def test_missing_language_pack_is_unsupported(notice_png: Path) -> None:
    with pytest.raises(ExtractionError) as info:
        ocr_item(notice_png, "image/png", [1], "eng+zzz_fictional", timeout_s=60)
    assert info.value.cause == "unsupported"
    assert "apt-get install tesseract-ocr-zzz-fictional" in info.value.message.replace("_", "-")


@needs_tesseract
@needs_font
def test_ocr_timeout(notice_png: Path) -> None:
    with pytest.raises(ExtractionError) as info:
        ocr_item(notice_png, "image/png", [1], LANGS, timeout_s=0.05)
    assert info.value.cause == "timeout"


@needs_tesseract
def test_available_languages_lists_installed_packs() -> None:
    langs = available_languages()
    assert isinstance(langs, set)
    assert "eng" in langs
    assert not any(" " in lang for lang in langs)


def test_clean_ocr_text_joins_chinese_but_not_words() -> None:
    raw = "关 于 加 强 教 育 转 化 工 作 的 通 知\n2018 年 3 月 1 日 ， Notice on work  \n"
    assert clean_ocr_text(raw) == "关于加强教育转化工作的通知\n2018年3月1日，Notice on work"
    assert clean_ocr_text("各 乡 镇 : 现 将") == "各乡镇:现将"
    assert clean_ocr_text("测试人甲 Zhang San 653121199001011234") == (
        "测试人甲 Zhang San 653121199001011234"
    )


@needs_tesseract
def test_ocr_refuses_images_over_the_pixel_limit(notice_png: Path) -> None:
    with pytest.raises(ExtractionError) as info:
        ocr_item(notice_png, "image/png", [1], "eng", timeout_s=60, max_image_pixels=10_000)
    assert info.value.cause == "bomb"
