"""Scanned pages with known text, for measuring OCR: Chinese (simplified and traditional),
Uyghur in Arabic script, mixed pages, forms with tables, red seals over text, skew, blur,
low resolution and photographed pages (perspective, uneven light, JPEG noise).

Every page is fictional administrative prose; :attr:`SynthPage.text` is what a perfect
reader returns (lines top to bottom), :attr:`SynthPage.model` the Tesseract model a person
would pick by hand for it (the benchmark's floor).
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass
from functools import cache

from PIL import Image, ImageDraw, ImageFilter, ImageFont

from guwah.synth.fonts import arabic_font, cjk_font

KINDS = (
    "chinese",
    "traditional",
    "uyghur",
    "mixed",
    "form",
    "seal",
    "skew",
    "blur",
    "lowres",
    "photo",
    "rotated",
)
#: the model a person would choose for each kind
MODELS = {
    "chinese": "chi_sim",
    "traditional": "chi_tra",
    "uyghur": "uig",
    "mixed": "chi_sim+uig",
    "form": "chi_sim",
    "seal": "chi_sim",
    "skew": "chi_sim",
    "blur": "chi_sim",
    "lowres": "chi_sim",
    "photo": "chi_sim",
    "rotated": "chi_sim",
}
DPI = 300
WIDTH = 2480  # A4 width at 300 dpi; the height follows the number of lines

_ZH_PHRASES = (
    "根据上级工作部署",
    "各乡镇要高度重视",
    "认真落实有关要求",
    "及时上报人员情况",
    "加强日常管理工作",
    "县公安局负责组织实施",
    "村委会配合做好登记",
    "确保各项措施到位",
    "对重点人员开展排查",
    "每周汇总一次数据",
    "严格执行请假制度",
    "发现问题立即报告",
    "会议决定如下事项",
    "由派出所统一安排",
    "相关材料另行下发",
)
_UG_WORDS = (
    "يېزا",
    "بازار",
    "ناھىيە",
    "ساقچى",
    "ئىدارە",
    "خىزمەت",
    "ئۇقتۇرۇش",
    "يىغىن",
    "قارار",
    "تىزىملاش",
    "كەنت",
    "ئاھالە",
    "مەسىلە",
    "دوكلات",
    "ھەپتە",
    "تەكشۈرۈش",
    "باشقۇرۇش",
    "ئورۇنلاش",
    "ھۆججەت",
    "مۇناسىۋەتلىك",
    "بۆلۈم",
    "تۈزۈم",
)
_FORM_LABELS = ("姓名", "性别", "民族", "出生日期", "住址", "类别", "登记单位", "备注")
_FORM_VALUES = ("测试人甲", "男", "汉族", "1980年1月1日", "某县某乡某村", "一般", "某派出所", "无")


@dataclass
class SynthPage:
    kind: str
    image: Image.Image
    text: str  # the ground truth, lines top to bottom
    model: str  # the Tesseract model a person would choose (the floor)
    dpi: int = DPI


@cache
def _font(script: str, size: int) -> ImageFont.FreeTypeFont:
    if script == "ug":
        return ImageFont.truetype(str(arabic_font()), size)
    font = cjk_font()
    index = font.index + (1 if script == "tra" and font.path.suffix == ".ttc" else 0)
    try:
        return ImageFont.truetype(str(font.path), size, index=index)
    except OSError:
        return ImageFont.truetype(str(font.path), size, index=font.index)


def _zh_line(rng: random.Random, n: int = 4) -> str:
    return "，".join(rng.choice(_ZH_PHRASES) for _ in range(n)) + "。"


def _ug_line(rng: random.Random, n: int = 8) -> str:
    return " ".join(rng.choice(_UG_WORDS) for _ in range(n)) + "."


@cache
def _to_traditional() -> object:
    import opencc

    return opencc.OpenCC("s2t")


def _blank(lines: int) -> tuple[Image.Image, ImageDraw.ImageDraw]:
    img = Image.new("RGB", (WIDTH, 260 + lines * 110), (252, 252, 250))
    return img, ImageDraw.Draw(img)


def _write(d: ImageDraw.ImageDraw, y: int, line: str, script: str, size: int = 50) -> None:
    font = _font(script, size)
    if script == "ug":
        w = d.textlength(line, font=font, direction="rtl", language="ug")
        d.text((WIDTH - 180 - w, y), line, font=font, fill=(20, 20, 20), direction="rtl")
    else:
        d.text((180, y), line, font=font, fill=(20, 20, 20))


def _text_page(rng: random.Random, scripts: list[str]) -> tuple[Image.Image, list[str]]:
    img, d = _blank(len(scripts))
    truth = []
    for i, script in enumerate(scripts):
        if script == "ug":
            line = _ug_line(rng)
        else:
            line = _zh_line(rng)
            if script == "tra":
                line = _to_traditional().convert(line)  # type: ignore[attr-defined]
        _write(d, 130 + i * 110, line, script)
        truth.append(line)
    return img, truth


def _form(rng: random.Random) -> tuple[Image.Image, list[str]]:
    rows = list(zip(_FORM_LABELS, _FORM_VALUES, strict=True))
    rng.shuffle(rows)
    img, d = _blank(len(rows) + 2)
    title = "人员登记表"
    d.text((WIDTH // 2, 90), title, font=_font("zh", 64), fill=(20, 20, 20), anchor="mt")
    top, left, mid, right, h = 260, 180, 900, WIDTH - 180, 110
    for i, (label, value) in enumerate(rows):
        y = top + i * h
        d.rectangle((left, y, right, y + h), outline=(30, 30, 30), width=4)
        d.line((mid, y, mid, y + h), fill=(30, 30, 30), width=4)
        d.text((left + 40, y + 28), label, font=_font("zh", 50), fill=(20, 20, 20))
        d.text((mid + 40, y + 28), value, font=_font("zh", 50), fill=(20, 20, 20))
    return img, [title, *(f"{label} {value}" for label, value in rows)]


def _seal(img: Image.Image, rng: random.Random) -> Image.Image:
    """A red official seal (ring, star, arc of text) stamped half over the text."""
    seal = Image.new("RGBA", img.size, (0, 0, 0, 0))
    d = ImageDraw.Draw(seal)
    r = 260
    cx = rng.randrange(WIDTH // 2, WIDTH - r - 60)
    cy = rng.randrange(r + 40, max(r + 41, img.height - r - 40))
    red = (210, 30, 40, 170)
    d.ellipse((cx - r, cy - r, cx + r, cy + r), outline=red, width=16)
    d.text((cx, cy), "★", font=_font("zh", 150), fill=red, anchor="mm")
    d.text((cx, cy + 150), "专用章", font=_font("zh", 60), fill=red, anchor="mm")
    out = img.convert("RGBA")
    out.alpha_composite(seal)
    return out.convert("RGB")


def _photographed(img: Image.Image, rng: random.Random) -> Image.Image:
    """A page photographed by hand: tilted plane, uneven light, a phone's JPEG."""
    w, h = img.size
    j = [rng.uniform(0.01, 0.04) for _ in range(8)]
    # the page's corners as the camera sees them (quad: UL, LL, LR, UR) → a rectangle
    quad = (
        w * j[0],
        h * j[1],
        w * j[2],
        h * (1 - j[3]),
        w * (1 - j[4]),
        h * (1 - j[5]),
        w * (1 - j[6]),
        h * j[7],
    )
    bg = Image.new("RGB", img.size, (120, 110, 100))
    bg.paste(img.resize((int(w * 0.94), int(h * 0.94))), (int(w * 0.03), int(h * 0.03)))
    warped = bg.transform(img.size, Image.Transform.QUAD, quad, Image.Resampling.BICUBIC)
    light = Image.linear_gradient("L").rotate(rng.uniform(0, 360)).resize(img.size)
    shade = Image.merge("RGB", [light.point(lambda v: 180 + v * 75 // 255)] * 3)
    from PIL import ImageChops

    lit = ImageChops.multiply(warped, shade)
    buf = io.BytesIO()
    lit.filter(ImageFilter.GaussianBlur(0.8)).save(buf, "JPEG", quality=45)
    return Image.open(io.BytesIO(buf.getvalue())).convert("RGB")


def render(kind: str, seed: int = 0, lines: int = 10) -> SynthPage:
    """One page of ``kind`` (one of :data:`KINDS`) with ``lines`` lines of known text."""
    if kind not in MODELS:
        raise ValueError(f"unknown page kind {kind!r}; one of {', '.join(KINDS)}")
    rng = random.Random(f"{kind}-{seed}")
    dpi = DPI
    if kind == "form":
        img, truth = _form(rng)
    else:
        script = {"traditional": "tra", "uyghur": "ug"}.get(kind, "zh")
        scripts = [script] * lines
        if kind == "mixed":
            scripts = ["zh" if i % 2 == 0 else "ug" for i in range(lines)]
        img, truth = _text_page(rng, scripts)
    if kind == "seal":
        img = _seal(img, rng)
    elif kind == "skew":
        img = img.rotate(rng.choice((-1, 1)) * rng.uniform(2.0, 3.0), fillcolor=(252, 252, 250))
    elif kind == "blur":
        img = img.filter(ImageFilter.GaussianBlur(2.2))
    elif kind == "lowres":
        dpi = 100
        img = img.resize((img.width // 3, img.height // 3), Image.Resampling.BILINEAR)
    elif kind == "photo":
        img = _photographed(img, rng)
    elif kind == "rotated":
        img = img.rotate(180)
    return SynthPage(kind, img, "\n".join(truth), MODELS[kind], dpi)


def mixed_batch(n: int, seed: int = 0) -> list[SynthPage]:
    """``n`` pages cycling through Chinese, Uyghur, mixed and traditional (the issue's mix)."""
    cycle = ("chinese", "uyghur", "mixed", "traditional")
    return [render(cycle[i % len(cycle)], seed * 1000 + i) for i in range(n)]
