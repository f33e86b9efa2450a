"""Romanise a name: pinyin and Wade-Giles for Han names, Uyghur Latin for transcribed,
Arabic-script and Cyrillic Uyghur names."""

from __future__ import annotations

from .han import pinyin_word, syllables, wade_giles_word
from .parse import HAN, ParsedName, parse
from .scripts import Script
from .uyghur import arabic_to_latin, cyrillic_to_latin, transcription_to_latin


def pinyin(chinese: str) -> str:
    """A Han name in pinyin, surname first: ``陈全国`` → ``Chen Quanguo``."""
    p = parse(chinese)
    if p.kind != HAN or p.script is not Script.HAN:
        return " ".join(pinyin_word(syllables(t.text)) for t in p.parts)
    words = [pinyin_word(syllables(p.surname or "", surname=True))]
    if p.given:
        words.append(pinyin_word(syllables(p.given)))
    return " ".join(words)


def wade_giles(chinese: str) -> str:
    """A Han name in Wade-Giles: ``陈全国`` → ``Ch'en Ch'üan-kuo``."""
    p = parse(chinese)
    words = [wade_giles_word(syllables(p.surname or "", surname=True))] if p.surname else []
    words += [wade_giles_word(syllables(t.text)) for t in p.parts if t.role != "surname"]
    return " ".join(words)


def part_latin(text: str, script: Script) -> tuple[str, ...]:
    """Latin readings of one part of a patronymic name."""
    if script is Script.HAN:
        return transcription_to_latin(text)
    if script is Script.ARABIC:
        return (arabic_to_latin(text),)
    if script is Script.CYRILLIC:
        return (cyrillic_to_latin(text),)
    return (text,)


def romanise(name: str | ParsedName) -> list[str]:
    """Latin forms of a name, most likely first.

    >>> romanise("阿不都热依木·吐尔地")[0]
    'Abdurehim Turdi'
    >>> romanise("陈全国")
    ['Chen Quanguo', "Ch'en Ch'üan-kuo"]
    """
    p = parse(name) if isinstance(name, str) else name
    if p.script is Script.LATIN or not p.parts:
        return [p.original.strip()]
    if p.kind == HAN and p.script is Script.HAN:
        return list(dict.fromkeys([pinyin(p.original), wade_giles(p.original)]))
    readings = [part_latin(t.text, p.script) for t in p.parts]
    first = " ".join(r[0] for r in readings)
    alts = [
        " ".join(r[1] if len(r) > 1 and i == j else r[0] for j, r in enumerate(readings))
        for i in range(len(readings))
    ]
    return list(dict.fromkeys([first, *alts]))
