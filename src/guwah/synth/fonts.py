"""Find a CJK font on this machine (for PDFs and scanned pages)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from PIL import ImageFont

FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts", "~/.local/share/fonts", "~/.fonts")
#: file names, best first, with the Debian package that ships them
CANDIDATES = (
    ("NotoSansCJK-Regular.ttc", "fonts-noto-cjk"),
    ("NotoSerifCJK-Regular.ttc", "fonts-noto-cjk"),
    ("NotoSansCJKsc-Regular.otf", "fonts-noto-cjk"),
    ("wqy-zenhei.ttc", "fonts-wqy-zenhei"),
    ("wqy-microhei.ttc", "fonts-wqy-microhei"),
    ("DroidSansFallbackFull.ttf", "fonts-droid-fallback"),
    ("uming.ttc", "fonts-arphic-uming"),
)


class FontNotFoundError(RuntimeError):
    """No CJK font is installed."""


@dataclass(frozen=True)
class CjkFont:
    path: Path
    index: int  # face number inside a .ttc collection


def _sc_index(path: Path) -> int:
    """The Simplified Chinese face of a collection (0 when there is none)."""
    if path.suffix.lower() != ".ttc":
        return 0
    for i in range(12):
        try:
            family = ImageFont.truetype(str(path), 12, index=i).getname()[0] or ""
        except OSError:
            break
        if family.endswith(" SC") or "SC" in family.split():
            return i
    return 0


@cache
def cjk_font() -> CjkFont:
    """``$GUWAH_CJK_FONT`` or the first known CJK font in the standard font directories."""
    env = os.environ.get("GUWAH_CJK_FONT")
    if env:
        return CjkFont(Path(env), _sc_index(Path(env)))
    found: dict[str, Path] = {}
    for d in FONT_DIRS:
        root = Path(d).expanduser()
        if root.is_dir():
            for dirpath, _dirs, files in sorted(os.walk(root)):
                for f in sorted(files):
                    found.setdefault(f, Path(dirpath) / f)
    for name, _package in CANDIDATES:
        if name in found:
            return CjkFont(found[name], _sc_index(found[name]))
    raise FontNotFoundError(
        "guwah synth needs a CJK font to write Chinese PDFs and scans and found none in "
        f"{', '.join(FONT_DIRS)}. Install the Debian package fonts-noto-cjk "
        "(sudo apt-get install fonts-noto-cjk) or set GUWAH_CJK_FONT to a .ttf/.ttc/.otf file."
    )


#: Arabic-script fonts with the Uyghur letters (ې ۆ ۈ ۇ ڭ ھ), best first, and their package
ARABIC_CANDIDATES = (
    ("NotoNaskhArabic-Regular.ttf", "fonts-noto-core"),
    ("NotoSansArabic-Regular.ttf", "fonts-noto-core"),
    ("DejaVuSans.ttf", "fonts-dejavu-core"),
)


@cache
def arabic_font() -> Path:
    """``$GUWAH_ARABIC_FONT`` or the first known Arabic-script font (Uyghur pages)."""
    env = os.environ.get("GUWAH_ARABIC_FONT")
    if env:
        return Path(env)
    for name, _package in ARABIC_CANDIDATES:
        for d in FONT_DIRS:
            root = Path(d).expanduser()
            if root.is_dir():
                for dirpath, _dirs, files in sorted(os.walk(root)):
                    if name in files:
                        return Path(dirpath) / name
    raise FontNotFoundError(
        "Uyghur pages need an Arabic-script font and none was found in "
        f"{', '.join(FONT_DIRS)}. Install the Debian package fonts-noto-core "
        "(sudo apt-get install fonts-noto-core) or set GUWAH_ARABIC_FONT to a .ttf file."
    )
