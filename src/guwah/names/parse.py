"""Parse a name in any script into its parts.

Uyghur, Kazakh and Kyrgyz names are *given name · father's name*; Chinese records write them
in transcription with a separator (·, •, ., ・, ﹒, ．, ‧ or a space). Han names are surname +
given name, the surname single or compound (欧阳, 司马 …, from ``han_surnames.csv``). Latin
names may be pinyin or Wade-Giles (Han) or Uyghur Latin and its common spellings; ``TURDI,
Abdurehim`` puts the family part first.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from guwah.han import simplified

from . import data
from .han import from_wade_giles, looks_like_pinyin, split_surname
from .keys import fold, other_key
from .scripts import Script, detect_script
from .uyghur import coverage

SEPARATORS = "·•.・﹒．‧･∙⋅"
_SEP_RE = re.compile(f"[{re.escape(SEPARATORS)}\\s]+")

GIVEN, FATHER, SURNAME, LAST, OTHER = "given", "father", "surname", "last", "other"
PATRONYMIC, HAN, UNKNOWN = "patronymic", "han", "unknown"


@dataclass(frozen=True)
class Part:
    """One part of a name: its role (given, father, surname, other) and its text."""

    role: str
    text: str


@dataclass(frozen=True)
class ParsedName:
    """A name split into parts, with the script it is written in and its naming pattern."""

    original: str
    script: Script
    kind: str  # "patronymic", "han" or "unknown"
    parts: tuple[Part, ...]
    #: a Han name in characters read given name first (军 徐 as 徐军): an inference against how
    #: Chinese writes names, so the matcher never lets this reading decide alone
    given_first: bool = False

    def part(self, role: str) -> str | None:
        return next((p.text for p in self.parts if p.role == role), None)

    @property
    def given(self) -> str | None:
        return self.part(GIVEN)

    @property
    def father(self) -> str | None:
        return self.part(FATHER)

    @property
    def surname(self) -> str | None:
        return self.part(SURNAME)


def clean(text: str) -> str:
    """Unicode-normalise (full-width forms), traditional characters made simplified (OpenCC),
    and trim; the separators are kept."""
    text = unicodedata.normalize("NFC", text).replace("\u3000", " ")
    if detect_script(text) is Script.HAN:
        text = simplified(text)
        text = re.sub(r"[(（].*?[)）]", " ", text)  # drop bracketed notes: 张伟（男）
    return text.strip(" \t\r\n" + SEPARATORS)


def _patronymic(original: str, script: Script, tokens: list[str], last: str = FATHER) -> ParsedName:
    roles = [GIVEN] + [OTHER] * max(0, len(tokens) - 2) + ([last] if len(tokens) > 1 else [])
    return ParsedName(
        original, script, PATRONYMIC, tuple(Part(r, t) for r, t in zip(roles, tokens, strict=False))
    )


def _han(
    original: str, script: Script, surname: str, given: str, given_first: bool = False
) -> ParsedName:
    parts = (Part(SURNAME, surname),) + ((Part(GIVEN, given),) if given else ())
    return ParsedName(original, script, HAN, parts, given_first)


def _parse_chinese(original: str, text: str) -> ParsedName:
    tokens = [t for t in _SEP_RE.split(text) if t]
    if len(tokens) == 2 and tokens[0] in data.surnames() and len(tokens[1]) <= 2:
        return _han(original, Script.HAN, tokens[0], tokens[1])
    if (
        2 <= len(tokens) <= 3
        and all(len(t) <= 2 for t in tokens)
        and tokens[-1] in data.surnames()
        and coverage("".join(tokens)) < 0.5
    ):  # a Han name written given name first, apart (军 徐, 玉华 磊 张): not given · father;
        # Chinese puts the surname first, so this reading is marked as an inference
        return _han(original, Script.HAN, tokens[-1], "".join(tokens[:-1]), given_first=True)
    if len(tokens) > 1:
        return _patronymic(original, Script.HAN, tokens)
    word = tokens[0] if tokens else ""
    split = split_surname(word)
    if split and (
        len(word) <= 3 or (len(word) == 4 and (len(split[0]) == 2 or coverage(word) < 0.5))
    ):
        return _han(original, Script.HAN, *split)
    return _patronymic(original, Script.HAN, [word] if word else [])


def _is_surname(token: str) -> bool:
    keys = {fold(token), *from_wade_giles(token)}
    return bool(keys & data.surname_pinyin())


def _is_syllabic(token: str) -> bool:
    return looks_like_pinyin(token.replace("-", "")) or bool(from_wade_giles(token))


def _parse_latin(original: str, script: Script, text: str) -> ParsedName:
    family_first = "," in text
    if family_first:
        head, _, tail = text.partition(",")
        text = f"{tail} {head}"
    tokens = [t for t in re.split(r"[\s,;]+", text) if fold(t) or other_key(t)]
    if 2 <= len(tokens) <= 3 and all(_is_syllabic(t) for t in tokens):
        if family_first and _is_surname(tokens[-1]):
            return _han(original, script, tokens[-1], " ".join(tokens[:-1]))
        if _is_surname(tokens[0]):
            return _han(original, script, tokens[0], " ".join(tokens[1:]))
        if _is_surname(tokens[-1]):
            return _han(original, script, tokens[-1], " ".join(tokens[:-1]))
    if not tokens:
        return ParsedName(original, script, UNKNOWN, ())
    return _patronymic(original, script, tokens, last=LAST)


@lru_cache(maxsize=65536)
def parse(name: str) -> ParsedName:
    """Parse a name written in Chinese, Uyghur Arabic, Cyrillic or Latin script.

    >>> parse("阿不都热依木·吐尔地").father
    '吐尔地'
    >>> parse("欧阳修").surname
    '欧阳'
    """
    text = clean(name)
    script = detect_script(text)
    if script is Script.HAN:
        han_only = "".join(c if not c.isascii() or c.isspace() else " " for c in text)
        return _parse_chinese(name, han_only)
    if script in (Script.ARABIC, Script.CYRILLIC):
        tokens = [t for t in re.split(r"[\s,;·•.]+", text) if t]
        return (
            _patronymic(name, script, tokens) if tokens else ParsedName(name, script, UNKNOWN, ())
        )
    return _parse_latin(name, script, text)
