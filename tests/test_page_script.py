"""The script of a page's lines told from their ink, on text and faces the generator does not
use: Article 1 of the Universal Declaration of Human Rights in Chinese, Uyghur and English
(the United Nations' translations, OHCHR), set in Noto Serif CJK Bold, Noto Kufi / Sans
Arabic and Noto Serif — the synthetic pages use Noto Sans CJK Regular and Noto Naskh."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from guwah.ingest.page_script import guess_script
from tests.test_ocr import needs_font

FONTS = Path("/usr/share/fonts")
SERIF_CJK = FONTS / "opentype/noto/NotoSerifCJK-Bold.ttc"
KUFI = FONTS / "truetype/noto/NotoKufiArabic-Regular.ttf"
SANS_ARABIC = FONTS / "truetype/noto/NotoSansArabic-Bold.ttf"
SERIF = FONTS / "truetype/noto/NotoSerif-Regular.ttf"

ZH = (
    "人人生而自由，在尊严和权利上一律平等。",
    "他们赋有理性和良心，并应以兄弟关系的精神相对待。",
)
UG = (
    "ھەممە ئادەم تۇغۇلۇشىدىنلا ئەركىن، ئىززەت-ھۆرمەت ۋە ھوقۇقتا",
    "باب-باراۋەر بولۇپ تۇغۇلغان. ئۇلار ئەقىلگە ۋە ۋىجدانغا ئىگە",
    "ھەمدە بىر-بىرىگە قېرىنداشلىق مۇناسىۋىتىدىكى روھ بىلەن مۇئامىلە قىلىشى كېرەك.",
)
EN = (
    "All human beings are born free and equal in dignity and rights.",
    "They are endowed with reason and conscience and should act",
    "towards one another in a spirit of brotherhood.",
)


def _page(lines: list[tuple[str, Path]], size: int = 44) -> Image.Image:
    img = Image.new("L", (2480, 200 + len(lines) * size * 2), 250)
    draw = ImageDraw.Draw(img)
    for i, (text, font_path) in enumerate(lines):
        font = ImageFont.truetype(
            str(font_path), size, index=2 if font_path.suffix == ".ttc" else 0
        )
        arabic = "\u0600" <= text[0] <= "\u06ff"
        if arabic:
            w = draw.textlength(text, font=font, direction="rtl", language="ug")
            draw.text((2300 - w, 100 + i * size * 2), text, font=font, fill=20, direction="rtl")
        else:
            draw.text((180, 100 + i * size * 2), text, font=font, fill=20)
    return img


@needs_font  # fonts-noto-cjk; the other faces come with fonts-noto-core, beside it in sysdeps
def test_chinese_uyghur_english_and_mixed_pages_in_other_faces() -> None:
    assert guess_script(_page([(t, SERIF_CJK) for t in ZH * 3])) == "Han"
    for face in (KUFI, SANS_ARABIC):
        assert guess_script(_page([(t, face) for t in UG * 2])) == "Arabic", face.name
    assert guess_script(_page([(t, SERIF) for t in EN * 2])) is None  # Latin: OSD decides
    mixed = [(ZH[0], SERIF_CJK), (UG[0], KUFI), (ZH[1], SERIF_CJK), (UG[1], KUFI)] * 2
    assert guess_script(_page(mixed)) == "mixed"


@needs_font
def test_too_few_lines_or_none_is_no_guess() -> None:
    assert guess_script(Image.new("L", (1200, 1600), 255)) is None
    assert guess_script(_page([(ZH[0], SERIF_CJK)])) is None
