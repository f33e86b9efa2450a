"""Uyghur (and Kazakh, Kyrgyz) names: Chinese transcription, Arabic script, Cyrillic → Latin.

Chinese transcriptions are read by greedy longest match over the segment table
(``uyghur_segments.csv``: 阿不都 → Abdu, 热依木 → rehim, 古丽 → gül …), keeping each
segment's alternatives; characters missing from the table fall back to their pinyin.

Chinese documents and passports write a transcribed name in pinyin (艾尔肯·吐尔逊 →
"Aierken Tuerxun"); :func:`pinyin_to_latin` reads such pinyin back through the same table,
matching the pinyin of its segments (艾尔肯 → aierken → Erkin), so that it reaches the forms
families write ("Erkin Tursun").
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from functools import cache, lru_cache

from pypinyin import Style, lazy_pinyin, pinyin

from . import data
from .han import first_split
from .keys import fold

MAX_READINGS = 8
PINYIN_READINGS = 24  # pinyin read back: every syllable has several sources (yi: 依 伊 义)


def segment(chinese: str) -> list[tuple[str, tuple[str, ...]]]:
    """Split a transcription into table segments by greedy longest match.

    >>> [s for s, _ in segment("阿不都热依木")]
    ['阿不都', '热依木']
    """
    table = data.segments()
    out: list[tuple[str, tuple[str, ...]]] = []
    i = 0
    while i < len(chinese):
        for n in range(min(data.longest_segment(), len(chinese) - i), 0, -1):
            piece = chinese[i : i + n]
            if piece in table:
                out.append((piece, table[piece]))
                i += n
                break
        else:
            ch = chinese[i]
            out.append((ch, (pinyin_as_uyghur("".join(lazy_pinyin(ch))),)))
            i += 1
    return out


_INITIALS = (("zh", "j"), ("x", "sh"), ("q", "ch"))


def pinyin_as_uyghur(syllable: str) -> str:
    """A pinyin syllable spelt as Uyghur Latin would spell the sound: x → sh, q → ch,
    zh → j (西 xi → shi, 齐 qi → chi, 扎 zha → ja), for characters the table lacks."""
    for pin, uly in _INITIALS:
        if syllable.startswith(pin):
            return uly + syllable[len(pin) :]
    return syllable


def fewest_changes(options: list[tuple[str, ...]]) -> Iterator[tuple[str, ...]]:
    """Every choice of one alternative per segment, those that leave more segments at their
    first (most likely) reading first: so a cap on the readings keeps the second reading of
    every segment (海来提: 海 ghey, the fourth of its readings, as in Gheyret) before the
    combinations of two."""
    n = len(options)
    for k in range(n + 1):
        for changed in itertools.combinations(range(n), k):
            choices = [opts[1:] if i in changed else opts[:1] for i, opts in enumerate(options)]
            yield from itertools.product(*choices)


@lru_cache(maxsize=65536)
def transcription_to_latin(chinese: str) -> tuple[str, ...]:
    """Latin readings of a transcribed name, most likely first (at most ``MAX_READINGS``).

    >>> transcription_to_latin("阿不都热依木")[0]
    'Abdurehim'
    """
    options = [alts for _, alts in segment(chinese)]
    readings: list[str] = []
    for combo in itertools.islice(fewest_changes(options), MAX_READINGS):
        word = "".join(combo)
        readings.append(word[:1].upper() + word[1:].lower())
    return tuple(dict.fromkeys(readings))


@cache
def _pinyin_segments() -> dict[str, tuple[str, ...]]:
    """The pinyin of every table segment (toneless, joined) → its Latin forms."""
    out: dict[str, list[str]] = {}
    for chinese, alts in data.segments().items():
        # every reading of a polyphone: 都 is du in 阿不都, not dou
        readings = pinyin(chinese, style=Style.NORMAL, heteronym=True)
        for combo in itertools.islice(itertools.product(*readings), MAX_READINGS):
            key = fold("".join(combo).replace("ü", "u").replace("v", "u"))
            out.setdefault(key, []).extend(alts)
    return {k: tuple(dict.fromkeys(v)) for k, v in out.items()}


@lru_cache(maxsize=65536)
def pinyin_to_latin(word: str) -> tuple[str, ...]:
    """Latin readings of a pinyin-written transcription, when the whole word is made of the
    pinyin of table segments (longest segments first; at most ``PINYIN_READINGS``).

    >>> pinyin_to_latin("Aierken")[0], pinyin_to_latin("Tuerxun")[0]
    ('Erkin', 'Tursun')
    """
    text = fold(word)
    if not 3 <= len(text) <= 24 or not first_split(text):
        return ()  # not pinyin at all (Joshua, Velásquez): nothing to read back
    table = _pinyin_segments()
    syllables = data.pinyin_syllables()
    longest = max(map(len, table))
    readings: list[str] = []

    def walk(i: int, acc: str, covered: int) -> None:
        if len(readings) >= PINYIN_READINGS:
            return
        if i == len(text):
            if 2 * covered >= len(text):  # most of it from the table, the rest pinyin
                readings.append(acc[:1].upper() + acc[1:].lower())
            return
        found = False
        for n in range(min(longest, len(text) - i), 0, -1):
            for latin in table.get(text[i : i + n], ()):
                found = True
                walk(i + n, acc + latin, covered + n)
        if not found:  # a syllable no table segment has: its sound, as Uyghur spells it
            for n in range(min(6, len(text) - i), 0, -1):
                if text[i : i + n] in syllables:
                    walk(i + n, acc + pinyin_as_uyghur(text[i : i + n]), covered)
                    break

    walk(0, "", 0)
    return tuple(dict.fromkeys(readings))


_TURKISH = frozenset("çşğıÇŞĞİ")


def turkish_to_uly(word: str) -> str:
    """A word in a Turkish-style alphabet (it has ç, ş, ğ or ı: Vucyaçü, Kaşgarlı), whose c is
    ULY's j (Vucyaçü = Wujyachü, 五家渠), rewritten with j; '' when it has no such letter or no
    c. A c in a word without those letters is left alone (Carlos, Marc)."""
    if "c" not in word.lower() or not _TURKISH & set(word):
        return ""
    return word.replace("c", "j").replace("C", "J")


def sasm_to_uly(word: str) -> str:
    """A word in the official Chinese romanisation of Uyghur (SASM/GNC, 1976: x = sh, q = ch,
    as in Kaxgar, Ürümqi) rewritten with ULY's sh and ch; '' when it has neither letter."""
    low = word.lower()
    if "x" not in low and "q" not in low:
        return ""
    return low.replace("x", "sh").replace("q", "ch")


def coverage(chinese: str) -> float:
    """Share of characters covered by multi-character segments of the table."""
    if not chinese:
        return 0.0
    covered = sum(len(s) for s, _ in segment(chinese) if len(s) > 1)
    return covered / len(chinese)


@cache
def _arabic_map() -> dict[str, str]:
    out = {r["arabic"]: r["latin"] for r in data.uyghur_letters()}
    out.update({"ي": "y", "ی": "y", "ك": "k", "ک": "k", "ه": "h", "ة": "e", "أ": "a", "إ": "i"})
    out.update({"آ": "a", "ء": "'", "\u0640": ""})
    return out


def arabic_to_latin(text: str) -> str:
    """Uyghur Arabic script (UEY) → Uyghur Latin (ULY), word by word.

    >>> arabic_to_latin("ئابدۇرېھىم تۇردى")
    'Abduréhim Turdi'
    """
    table = _arabic_map()
    words = []
    for word in text.split():
        if word.startswith("ئ"):
            word = word[1:]  # the hamza carrier before an initial vowel is not written in ULY
        if word.endswith("ه"):
            word = word[:-1] + "ە"  # final heh typed for ae (رابىيه for رابىيە)
        latin = "".join(table.get(ch, ch if ch.isascii() else "") for ch in word)
        latin = latin.replace("'", "")
        words.append(latin[:1].upper() + latin[1:])
    return " ".join(w for w in words if w)


@cache
def _latin_to_arabic_map() -> list[tuple[str, str]]:
    pairs = [(r["latin"], r["arabic"]) for r in data.uyghur_letters() if r["latin"] != "'"]
    return sorted(pairs, key=lambda p: -len(p[0]))


_VOWELS = set("aeéiouöü")


def latin_to_arabic(text: str) -> str:
    """Uyghur Latin (ULY) → Uyghur Arabic script (UEY), with ئ before initial vowels.

    >>> latin_to_arabic("Abduréhim Turdi")
    'ئابدۇرېھىم تۇردى'
    """
    table = _latin_to_arabic_map()
    words = []
    for word in text.lower().split():
        out, i = [], 0
        while i < len(word):
            for lat, ara in table:
                if word.startswith(lat, i):
                    if lat[0] in _VOWELS and (i == 0 or word[i - 1] in _VOWELS):
                        out.append("ئ")
                    out.append(ara)
                    i += len(lat)
                    break
            else:
                i += 1
        words.append("".join(out))
    return " ".join(words)


def cyrillic_to_latin(text: str) -> str:
    """Uyghur/Kazakh/Kyrgyz/Russian Cyrillic → Latin, letter by letter.

    >>> cyrillic_to_latin("Абдурейим Турди")
    'Abdureyim Turdi'
    """
    table = data.cyrillic()
    out = []
    for ch in text:
        low = ch.lower()
        if low in table:
            lat = table[low]
            out.append(lat[:1].upper() + lat[1:] if ch != low else lat)
        else:
            out.append(ch)
    return "".join(out)
