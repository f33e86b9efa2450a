"""The name tables, read once from ``guwah/reference/names/`` (data files, not code)."""

from __future__ import annotations

import csv
import io
import re
from functools import cache
from importlib import resources


def _csv(name: str, folder: str = "names") -> list[dict[str, str]]:
    text = (resources.files("guwah") / "reference" / folder / name).read_text("utf-8")
    return list(csv.DictReader(io.StringIO(text)))


#: administrative suffixes a place name may carry: 和田县, 哈密市, 和田地区, 巴音郭楞蒙古自治州
PLACE_SUFFIX = re.compile(
    r"(维吾尔自治区|(?:回族|蒙古族?|哈萨克|柯尔克孜|锡伯|塔吉克)?自治[州县]|地区|市|县)$"
)


@cache
def places() -> dict[str, tuple[str, ...]]:
    """Xinjiang place in characters → its Latin names, from the gazetteer the lists share
    (``reference/lists/xinjiang_exonyms.csv``, every prefecture and county: 莎车 → Yarkant,
    Yarkand, Shache; 哈密 → Hami, Kumul). A place's Chinese name is often no transcription of
    its Uyghur one (和田 Hotan, 莎车 Yarkant), so only a gazetteer can join them."""
    out = {r["han"]: r["latin"].split("|") for r in _csv("xinjiang_exonyms.csv", "lists")}
    # older and other names a gazetteer of today lacks (叶尔羌, Yeken for 莎车; Kulja for 伊宁)
    others = _csv("place_other_names.csv")
    for r in others:
        if not _HAN.search(r["name"]) and r["han"] in out:
            out[r["han"]].append(r["name"])
    for r in others:  # another name in characters is one more key of the same place
        if _HAN.search(r["name"]) and r["han"] in out:
            out.setdefault(r["name"], out[r["han"]])
    return {han: tuple(dict.fromkeys(latins)) for han, latins in out.items()}


@cache
def place_canonical() -> dict[str, str]:
    """A place in characters, today's name or an older one (叶尔羌), → today's (莎车)."""
    out = {han: han for han in places()}
    for r in _csv("place_other_names.csv"):
        if _HAN.search(r["name"]) and r["han"] in out:
            out[r["name"]] = r["han"]
    return out


_HAN = re.compile(r"[\u3400-\u9fff]")


@cache
def place_of_sound() -> dict[str, str]:
    """The sound key of a Latin name of a Xinjiang place → the place: for names read from
    Arabic script or Cyrillic (خوتەن Xoten = Hotan, Құлжа Qulzha = Qulja)."""
    from .keys import sound_key

    out: dict[str, str] = {}
    for han, latins in places().items():
        for lat in latins:
            out.setdefault(sound_key(lat), han)
    return out


@cache
def patronymics() -> tuple[tuple[str, ...], frozenset[str]]:
    """Endings that say "son/daughter of" or make a Russian surname (Abilmazhin-uly,
    Abbas-ov), longest first, and the same words written apart (Mamay uulu)."""
    rows = _csv("patronymics.csv")
    suffixes = sorted({r["form"] for r in rows if r["kind"] == "suffix"}, key=len, reverse=True)
    return tuple(suffixes), frozenset(r["form"] for r in rows if r["kind"] == "word")


@cache
def place_of_latin() -> dict[str, str]:
    """A Latin name of a Xinjiang place (lower case, marks and spaces dropped) → the place."""
    from .keys import fold

    out: dict[str, str] = {}
    for han, latins in places().items():
        for lat in latins:
            out.setdefault(fold(lat), han)
    return out


@cache
def segments() -> dict[str, tuple[str, ...]]:
    """Chinese transcription segment → its Uyghur Latin forms (first = ULY)."""
    out: dict[str, tuple[str, ...]] = {}
    for r in _csv("uyghur_segments.csv"):
        alts = [a for a in r["alternatives"].split("|") if a]
        out[r["chinese"]] = tuple(dict.fromkeys([r["latin"], *alts]))
    return out


@cache
def longest_segment() -> int:
    return max(map(len, segments()))


@cache
def surnames() -> dict[str, str]:
    """Han surname (single and compound) → pinyin."""
    return {r["chinese"]: r["pinyin"] for r in _csv("han_surnames.csv")}


@cache
def rare_surnames() -> frozenset[str]:
    """Surnames taken from the 百家姓 text only (``source`` = ``baijiaxing``), not the curated
    list of common ones: a name starting with one may as well be a place or a transcription
    (水磨沟, 东山), so both readings are kept."""
    return frozenset(r["chinese"] for r in _csv("han_surnames.csv") if r["source"] == "baijiaxing")


@cache
def surname_pinyin() -> frozenset[str]:
    return frozenset(surnames().values())


@cache
def wade_giles() -> dict[str, str]:
    """Toneless pinyin syllable → Wade-Giles syllable."""
    return {r["pinyin"]: r["wade_giles"] for r in _csv("wade_giles.csv")}


@cache
def wade_giles_reverse() -> dict[str, tuple[str, ...]]:
    """Wade-Giles syllable (as written, and with marks dropped) → pinyin syllables."""
    out: dict[str, list[str]] = {}
    for pin, wg in wade_giles().items():
        for form in dict.fromkeys([wg, wg.replace("'", "").replace("ü", "u")]):
            out.setdefault(form, []).append(pin)
    return {k: tuple(v) for k, v in out.items()}


@cache
def pinyin_syllables() -> frozenset[str]:
    return frozenset(wade_giles())


@cache
def uyghur_letters() -> list[dict[str, str]]:
    """Uyghur letters: Arabic (UEY), Latin (ULY) and Cyrillic forms."""
    return _csv("uyghur_letters.csv")


@cache
def cyrillic() -> dict[str, str]:
    """Cyrillic letter (Uyghur, Kazakh, Kyrgyz, Russian) → Latin."""
    return {r["cyrillic"]: r["latin"] for r in _csv("cyrillic.csv")}


@cache
def spelling_rules() -> tuple[tuple[re.Pattern[str], str], ...]:
    """Ordered rewrite rules that collapse the Latin spellings people type."""
    return tuple((re.compile(r["pattern"]), r["replacement"]) for r in _csv("spelling_rules.csv"))


@cache
def spelling_variants() -> dict[str, str]:
    """Raw spelling (lower case) → its canonical spelling, for names written many ways."""
    out: dict[str, str] = {}
    for r in _csv("spelling_variants.csv"):
        for v in r["variants"].split("|"):
            out[v.lower()] = r["canonical"].lower()
    return out


@cache
def legal_forms() -> frozenset[str]:
    """Company legal forms (Inc, Ltd, Corporation …): no evidence of who an entity is."""
    out: set[str] = set()
    for r in _csv("legal_forms.csv"):
        out.add(r["canonical"])
        out.update(v.replace(".", "") for v in r["variants"].split("|") if v)
    return frozenset(out)
