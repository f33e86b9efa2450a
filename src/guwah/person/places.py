"""A place as a family types it — Chinese, Uyghur in Arabic or Latin script, pinyin — against
the places the records write in Chinese.

A written address (喀什地区疏附县托克扎克镇…) is cut into its named parts at the
administrative suffixes of ``reference/place_suffixes.json`` (地区, 县, 镇, 村 …). A query in
Han characters matches a text that contains it, its last suffix dropped (疏附县 → 疏附). A query in another script is
folded to Latin letters (Arabic script through the Uyghur Latin alphabet) and matches a part
whose Latin forms include it: the part's pinyin (疏附 → shufu), the Uyghur readings of its
characters when it is a transcribed Uyghur name (托克扎克 → tokzak), and the exonyms of
``reference/lists/xinjiang_exonyms.csv`` (疏附 → Konasheher).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache, lru_cache

from guwah.core import reference_json
from guwah.han import is_han, simplified
from guwah.names.keys import fold


@cache
def suffixes() -> dict[str, str]:
    """Administrative suffix → its English (``reference/place_suffixes.json``), longest first."""
    table: dict[str, str] = reference_json("place_suffixes.json")["suffixes"]
    return dict(sorted(table.items(), key=lambda kv: -len(kv[0])))


@cache
def _suffix_re() -> re.Pattern[str]:
    return re.compile("(" + "|".join(map(re.escape, suffixes())) + ")")


def named_parts(place: str) -> list[tuple[str, str]]:
    """A written address as (name, suffix) pairs: 喀什地区疏附县 → (喀什, 地区), (疏附, 县)."""
    pieces = _suffix_re().split(simplified(place))
    out: list[tuple[str, str]] = []
    for i in range(0, len(pieces), 2):
        name = pieces[i].strip()
        suffix = pieces[i + 1] if i + 1 < len(pieces) else ""
        if name:
            out.append((name, suffix))
    return out


def parts(place: str) -> list[str]:
    """The named parts of a written address, without their suffixes."""
    return [name for name, _ in named_parts(place)]


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
        last = named_parts(key)[-1:] or [("", "")]
        tail = last[0][1] if key.endswith(last[0][1]) else ""
        bare = key[: len(key) - len(tail)] if len(key) - len(tail) >= 2 else key
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
