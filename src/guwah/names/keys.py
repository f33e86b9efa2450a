"""Normalised Latin keys: the common space every name is compared in.

Two spaces: the *pinyin key* (lower case, no marks, letters only) keeps pinyin's distinctions
(Xu ≠ Hu), for Han names; the *sound key* also collapses the spellings people type for the
same Turkic name (Abdurehim/Abdurahim/Abdurakhim, Tohti/Toxti/Tokhti, Memet/Muhammad, -jan/-zhan)
through the rules in ``spelling_rules.csv`` and ``spelling_variants.csv``.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from . import data

_FOLD = str.maketrans(
    {
        "ı": "i",
        "ə": "e",
        "ø": "o",
        "æ": "ae",
        "ß": "ss",
        "đ": "d",
        "ł": "l",
        # the Turkish-alphabet (Common Turkic) Uyghur letters: Ürümçi, Şihenze, Saybağ
        "ç": "ch",
        "ş": "sh",
        "ğ": "gh",
        # the Uyghur New Script (Yengi Yeziq, official 1965-1982): Ƣulja, Taxk̡urƣan, Ⱪeшⱪer
        "ƣ": "gh",
        "ⱪ": "q",
        "ⱨ": "h",
        "ⱬ": "zh",
        "ɵ": "o",
    }
)


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Lower case, marks dropped, only ASCII letters kept (apostrophes, hyphens go)."""
    text = unicodedata.normalize("NFKD", text.lower().translate(_FOLD))
    return "".join(c for c in text if "a" <= c <= "z")


def pinyin_key(token: str) -> str:
    return fold(token)


def other_key(token: str) -> str:
    """Key of a word in a script we do not romanise (Georgian, Khmer …): itself, lower case."""
    return "".join(c for c in unicodedata.normalize("NFC", token.lower()) if c.isalnum())


@lru_cache(maxsize=65536)
def sound_key(token: str) -> str:
    """The sound key of one Latin name token (or of a joined name)."""
    low = fold(token)
    if not low:
        return other_key(token)
    variants = data.spelling_variants()
    if low in variants:
        low = variants[low]
    for pattern, repl in data.spelling_rules():
        low = pattern.sub(repl, low)
    return _canonical(low)


@lru_cache(maxsize=1)
def _variant_keys() -> tuple[tuple[str, str], ...]:
    """(sound key of a variant, sound key of its canonical form), longest first."""
    pairs: dict[str, str] = {}
    for raw, canon in data.spelling_variants().items():
        k, c = _rules(raw), _rules(canon)
        if k != c:
            pairs[k] = c
    return tuple(sorted(pairs.items(), key=lambda kv: -len(kv[0])))


def _rules(low: str) -> str:
    for pattern, repl in data.spelling_rules():
        low = pattern.sub(repl, low)
    return low


def _canonical(key: str) -> str:
    for variant, canon in _variant_keys():
        if key == variant or (len(variant) >= 6 and variant in key):
            key = key.replace(variant, canon)
    return key


def skeleton(key: str) -> str:
    """Consonant skeleton of a key: its first letter, then consonants (for blocking)."""
    return key[:1] + "".join(c for c in key[1:] if c not in "aeiou")


#: consonants Chinese transcription confuses, one class each: Mandarin has no voiced stops,
#: no r after a vowel and no q or gh, so 巴/帕 stand for b and p, 力/里 for l and r, 克/喀/噶
#: for k, q, g and gh
_CLASSES = str.maketrans(
    {
        "b": "p",
        "f": "p",
        "d": "t",
        "g": "k",
        "q": "k",
        "h": "k",
        "x": "k",
        "l": "r",
        "z": "s",
        "c": "s",
        "j": "s",
        "w": None,
        "v": None,
        "y": None,
    }
)


@lru_cache(maxsize=65536)
def consonant_classes(key: str) -> str:
    """The consonants of a sound key in the classes Chinese transcription keeps apart, vowels
    and glides dropped, repeats merged: Abdurehim and abudurexemu (阿不都热合木) are both ptrkm."""
    out: list[str] = []
    for c in key.replace("ng", "n").replace("sh", "s").replace("ch", "s").translate(_CLASSES):
        if c not in "aeiou" and (not out or out[-1] != c):
            out.append(c)
    return "".join(out)
