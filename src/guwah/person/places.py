"""A place as a family types it — Chinese, Uyghur in Arabic or Latin script, pinyin — against
the places the records write in Chinese.

A written address (喀什地区疏附县托克扎克镇…) is cut into its named parts at the
administrative suffixes (地区, 县, 镇, 村 …). A query in Han characters matches a part (or the
text) that contains it, its own suffix dropped (疏附县 → 疏附). A query in another script is
folded to Latin letters (Arabic script through the Uyghur Latin alphabet) and matches a part
whose Latin forms include it: the part's pinyin (疏附 → shufu), the Uyghur readings of its
characters when it is a transcribed Uyghur name (托克扎克 → tokzak), and the exonyms of
``reference/lists/xinjiang_exonyms.csv`` (疏附 → Konasheher).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache, lru_cache

from guwah.han import is_han, simplified
from guwah.names.keys import fold

SUFFIX = re.compile(
    r"(维吾尔自治区|自治区|自治州|地区|街道|社区|管理区|开发区|县|市|区|乡|镇|村|组|州|盟|旗)"
)


def parts(place: str) -> list[str]:
    """The named parts of a written address, without their suffixes."""
    return [p for p in SUFFIX.split(simplified(place)) if p and not SUFFIX.fullmatch(p)]


@cache
def _exonyms() -> dict[str, set[str]]:
    """Folded Latin exonym → the Han names it stands for."""
    from guwah.lists.data import xinjiang_exonyms

    out: dict[str, set[str]] = {}
    for han, latins in xinjiang_exonyms().items():
        for latin in latins:
            out.setdefault(fold(latin), set()).add(simplified(han))
    return out


@lru_cache(maxsize=65536)
def latin_forms(part: str) -> frozenset[str]:
    """The folded Latin forms of one Han place name: pinyin and Uyghur readings."""
    from pypinyin import lazy_pinyin

    from guwah.names.uyghur import transcription_to_latin

    forms = {fold("".join(lazy_pinyin(part)))}
    forms.update(fold(v) for v in transcription_to_latin(part))
    return frozenset(f for f in forms if f)


def place_matcher(query: str) -> Callable[[str], bool]:
    """A test of written places against ``query`` (any script)."""
    wanted = query.strip()
    if any(is_han(c) for c in wanted):
        key = simplified(wanted)
        bare = SUFFIX.sub("", key) if len(SUFFIX.sub("", key)) >= 2 else key
        return lambda place: bare in simplified(place)
    if any("\u0600" <= c <= "\u06ff" for c in wanted):
        from guwah.names.uyghur import arabic_to_latin

        wanted = arabic_to_latin(wanted)
    key = fold(wanted)
    if not key:
        return lambda place: False
    hans = _exonyms().get(key, set())

    def matches(place: str) -> bool:
        text = simplified(place)
        if any(h in text for h in hans):
            return True
        return any(key in latin_forms(p) for p in parts(text))

    return matches
