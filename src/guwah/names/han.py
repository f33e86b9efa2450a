"""Han names: surname (single or compound, from ``han_surnames.csv``) + given name; pinyin and
Wade-Giles (syllable table ``wade_giles.csv``); reading Latin back into pinyin syllables."""

from __future__ import annotations

import itertools
import re
from functools import lru_cache

from pypinyin import Style, lazy_pinyin

from . import data
from .keys import fold

MAX_READINGS = 16


def split_surname(chinese: str) -> tuple[str, str] | None:
    """(surname, given) when ``chinese`` starts with a known surname, compound first."""
    table = data.surnames()
    for n in (2, 1):
        if len(chinese) > n and chinese[:n] in table:
            return chinese[:n], chinese[n:]
    return None


@lru_cache(maxsize=65536)
def syllables(chinese: str, surname: bool = False) -> tuple[str, ...]:
    """Toneless pinyin syllables; a surname is read as a surname (单 Shan, 曾 Zeng)."""
    if surname and chinese in data.surnames():
        key = data.surnames()[chinese]
        return tuple(lazy_pinyin(chinese, style=Style.NORMAL)) if len(chinese) > 1 else (key,)
    return tuple(s.replace("ü", "v") for s in lazy_pinyin(chinese, style=Style.NORMAL))


def pinyin_word(sylls: tuple[str, ...]) -> str:
    """Syllables → one pinyin word as written in names: ``Quanguo``, ``Xi'an``."""
    out = ""
    for s in sylls:
        s = s.replace("v", "ü")
        if out and s[:1] in "aoe":
            out += "'"
        out += s
    return out[:1].upper() + out[1:]


def wade_giles_word(sylls: tuple[str, ...]) -> str:
    """Syllables → a Wade-Giles word: ``Ch'üan-kuo``."""
    table = data.wade_giles()
    parts = [table.get(s, s) for s in sylls]
    word = "-".join(parts)
    return word[:1].upper() + word[1:]


def split_pinyin(word: str, limit: int = 4) -> list[tuple[str, ...]]:
    """Ways to read a folded Latin word as pinyin syllables (fewest syllables first)."""
    valid = data.pinyin_syllables()
    word = fold(word)
    results: list[tuple[str, ...]] = []

    def walk(i: int, acc: tuple[str, ...]) -> None:
        if len(results) >= limit:
            return
        if i == len(word):
            results.append(acc)
            return
        for n in range(min(6, len(word) - i), 0, -1):
            if word[i : i + n] in valid:
                walk(i + n, (*acc, word[i : i + n]))

    walk(0, ())
    return sorted(results, key=len)


@lru_cache(maxsize=65536)
def first_split(word: str) -> tuple[str, ...]:
    """The reading of a word as the fewest pinyin syllables; () if it is not pinyin."""
    found = split_pinyin(word, limit=1)
    return found[0] if found else ()


def looks_like_pinyin(word: str) -> bool:
    return bool(fold(word)) and bool(first_split(word))


#: apostrophes as printed (K'u, Kʻu, K’u) and the marks of older Wade-Giles (lê, êrh, tzŭ)
_WG_MARKS = str.maketrans({"’": "'", "‘": "'", "ʻ": "'", "ʼ": "'", "`": "'", "ê": "e", "ŭ": "u"})


@lru_cache(maxsize=65536)
def from_wade_giles(word: str) -> tuple[str, ...]:
    """Pinyin keys a Latin word could be in Wade-Giles (``Ch'üan-kuo`` → ``quanguo``…)."""
    rev = data.wade_giles_reverse()
    word = word.lower().translate(_WG_MARKS)
    pieces = [p for p in re.split(r"[-\s]+", word) if p]
    if not pieces:
        return ()
    options: list[tuple[str, ...]] = []
    syllables = data.pinyin_syllables()
    for p in pieces:
        p = "".join(c for c in p if c.isalpha() or c == "'")
        if p in rev:
            options.append(rev[p])
        elif len(pieces) > 1 and p in syllables:  # a pinyin syllable among hyphenated
            options.append((p,))  # Wade-Giles ones (A-he-mai-t'i-chiang: he is pinyin)
        else:
            return ()
    return tuple(
        "".join(combo) for combo in itertools.islice(itertools.product(*options), MAX_READINGS)
    )
