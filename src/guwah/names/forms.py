"""Comparable forms of a name: each part reduced to normalised Latin keys.

A name can have several forms when its reading is uncertain: a Chinese name without a
separator may be a Han name (surname + given name) or one transcribed Uyghur name; a Latin
name may be pinyin, Wade-Giles or a Turkic spelling. The matcher compares every pair of forms
and keeps the best.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, replace
from functools import lru_cache

from pypinyin import lazy_pinyin

from . import data
from .han import from_wade_giles, pinyin_word, split_surname, syllables
from .keys import fold, pinyin_key, sound_key
from .parse import HAN, SURNAME, ParsedName, Part, parse
from .romanise import part_latin
from .scripts import Script
from .uyghur import coverage, pinyin_as_uyghur, pinyin_to_latin, sasm_to_uly, turkish_to_uly

HANZI, SOUND, LATIN = "hanzi", "sound", "latin"


@dataclass(frozen=True)
class Token:
    """One name part with its keys: ``sound`` (collapsed spellings), ``pinyin`` (Han space)."""

    role: str
    text: str
    latin: str
    sound: tuple[str, ...]
    pinyin: tuple[str, ...] = ()
    chinese: str = ""
    machine: tuple[str, ...] = ()  # sound keys of the machine pinyin of a transcription
    exact: bool = False  # read from a table (a gazetteer's names): no typo is forgiven


@dataclass(frozen=True)
class Form:
    """One reading of a name: ``hanzi`` (a Han name in characters), ``sound`` (a patronymic
    name read into Latin) or ``latin`` (as typed in Latin); ``han_like`` for Latin that reads
    as pinyin or Wade-Giles."""

    kind: str
    tokens: tuple[Token, ...]
    han_like: bool = False
    #: a Chinese-script reading that is a transcription (separated parts, or covered by the
    #: segment table): only such readings are compared by sound with each other
    transcribed: bool = False
    #: read from a Han name in characters written given name first (秀英 陈 as 陈秀英)
    given_first: bool = False
    #: a reading by the gazetteer: the place and its names (和田 = Hotan, Khotan, Hetian)
    place: str = ""
    #: … and the place under today's name in characters (叶尔羌 and 莎车 are both 莎车)
    site: str = ""


def _uniq(items: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(i for i in items if i))


def _hanzi_token(role: str, chinese: str, sylls: tuple[str, ...]) -> Token:
    """A Han name part; its sound keys also spell the pinyin as Uyghur writes Mandarin
    (明国 mingguo, چېن مىڭگو Chén Minggo; 石河子 shihezi, Şihenze)."""
    joined = "".join(sylls)
    uyghur = sound_key("".join(pinyin_as_uyghur(s) for s in sylls))
    sound = sound_key(joined)
    return Token(
        role,
        chinese,
        pinyin_word(sylls),
        (sound,),
        (joined,),
        chinese,
        (uyghur,) if uyghur != sound else (),
    )


def _hanzi_form(surname: str, given: str) -> Form:
    tokens = [_hanzi_token(SURNAME, surname, syllables(surname, surname=True))]
    if given:
        tokens.append(_hanzi_token("given", given, syllables(given)))
    return Form(HANZI, tuple(tokens))


@lru_cache(maxsize=65536)
def _transcribed_token(part: Part) -> Token:
    readings = part_latin(part.text, Script.HAN)
    machine = "".join(lazy_pinyin(part.text))  # how ID cards and passports spell it
    sound = _uniq([sound_key(r) for r in readings])
    return Token(
        part.role,
        part.text,
        readings[0],
        sound,
        _uniq([pinyin_key(machine)]),
        part.text,
        tuple(k for k in _uniq([sound_key(machine)]) if k not in sound),
    )


@lru_cache(maxsize=65536)
def _latin_token(part: Part) -> Token:
    sound = (sound_key(part.text),)
    # pinyin of a transcribed Uyghur name (Aierken) read back to Uyghur Latin (Erkin), and
    # the official 1976 (SASM/GNC) spelling, where x is sh and q is ch (Kaxgar, Tiyanxan)
    # … and the Wade-Giles of a transcription (Pao-erh-han, 包尔汉) read back the same way
    wade = [r for w in from_wade_giles(part.text) for r in pinyin_to_latin(w)]
    # a word written as Wade-Giles syllables (K'u-êrh-lê, Ch'ieh-mo) is also its pinyin
    # (kuerle, qiemo), as a transcription's machine pinyin is; a bare word (Chen) is not
    if _WG_MARKED.search(part.text):
        wade += from_wade_giles(part.text)
    back = _uniq(
        [
            sound_key(r)
            for r in (
                *pinyin_to_latin(part.text),
                *wade,
                sasm_to_uly(part.text),
                turkish_to_uly(part.text),
                *unpatronymic(part.text),
            )
        ]
    )
    return Token(
        part.role,
        part.text,
        part.text,
        sound,
        _uniq([pinyin_key(part.text), *from_wade_giles(part.text)]),
        machine=tuple(k for k in back if k not in sound),
    )


#: a word visibly in Wade-Giles: syllables joined by hyphens, an aspiration mark or ê, ŭ
_WG_MARKED = re.compile(r"\w[-'’‘ʻʼ]\w|[êŭ]")


@lru_cache(maxsize=65536)
def unpatronymic(word: str) -> tuple[str, ...]:
    """The name inside a patronymic or Russian surname (``patronymics.csv``): Abilmazhinuly →
    Abilmazhin, Islambayuly → Islambay, Abbasov → Abbas; a stem of three letters at least."""
    low = fold(word)
    for end in _patronymic_endings()[0]:
        if low.endswith(end) and len(low) - len(end) >= 3:
            return (low[: -len(end)],)
    return ()


def _is_patronymic_word(part: Part, script: Script) -> bool:
    """``uulu``, ``kyzy`` written apart (Жусуп Мамай уулу): they say whose son, not who."""
    latin = part.text if script is Script.LATIN else part_latin(part.text, script)[0]
    return fold(latin) in _patronymic_endings()[1]


@lru_cache(maxsize=1)
def _patronymic_endings() -> tuple[tuple[str, ...], frozenset[str]]:
    suffixes, words = data.patronymics()
    return tuple(dict.fromkeys(fold(x) for x in suffixes)), frozenset(fold(w) for w in words)


def place_of(text: str, script: Script) -> tuple[str, tuple[str, ...]] | None:
    """The Xinjiang place that ``text`` names in characters (和田, 和田县) or in Latin (Hotan,
    Shache, Kizil Su), with its Latin names and pinyin, from the gazetteer ``data.places``."""
    if script is Script.HAN:
        han = "".join(text.split())
        han = han if han in data.places() else data.PLACE_SUFFIX.sub("", han)
    elif script is Script.LATIN:
        known = data.place_of_latin()
        # … or its Wade-Giles read as pinyin (I-ning = Yining, Kʻu-êrh-lê = Kuerle)
        wade = from_wade_giles(text) if _WG_MARKED.search(text) else ()
        han = next((known[k] for k in (fold(text), *wade) if k in known), "")
    else:  # read from Arabic script or Cyrillic (يەكەن Yeken, Құлжа Qulzha)
        han = data.place_of_sound().get(sound_key(part_latin(text, script)[0]), "")
    latins = data.places().get(han)
    return (han, _uniq([*latins, pinyin_word(syllables(han))])) if latins else None


def _place_form(text: str, script: Script) -> Form | None:
    """A one-part reading of a place name by all of its gazetteer names (莎车 = Yarkant)."""
    found = place_of(text, script)
    if found is None:
        return None
    han, latins = found
    # the official 1976 spelling of a name also read as Uyghur Latin (Qira = Chira, چىرا)
    spelt = [y for x in latins for y in (x, sasm_to_uly(x))]
    token = Token(
        "place",
        text,
        latins[0],
        _uniq([sound_key(x) for x in spelt]),
        _uniq([pinyin_key(x) for x in latins]),
        text if script is Script.HAN else "",
        exact=True,
    )
    site = data.place_canonical().get(han, han)
    return Form(SOUND, (token,), place=f"{han} = {', '.join(latins)}", site=site)


@lru_cache(maxsize=200_000)
def forms(name: str) -> tuple[Form, ...]:
    """Every comparable form of ``name``, with its gazetteer reading when it names a place."""
    out = _forms(name)
    p = parse(name)
    if not out or p.script is Script.OTHER:
        return out
    if p.script in (Script.ARABIC, Script.CYRILLIC) and len(p.parts) > 1:
        return out  # a place is read from one word of these scripts (يەكەن, Іле)
    sep = "" if p.script is Script.HAN else " "
    place = _place_form(sep.join(t.text for t in p.parts), p.script)
    return (*out, place) if place else out


def _forms(name: str) -> tuple[Form, ...]:
    """Every comparable form of ``name``."""
    p: ParsedName = parse(name)
    if not p.parts:
        return ()
    out: list[Form] = []
    if p.script is Script.HAN:
        if p.kind == HAN:
            out.append(_hanzi_form(p.surname or "", p.given or ""))
            whole = "".join(t.text for t in p.parts)
            rare = (p.surname or "") in data.rare_surnames()
            if len(whole) >= 4 or coverage(whole) >= 0.5 or rare:
                token = _transcribed_token(Part("given", whole))
                out.append(Form(SOUND, (token,), transcribed=coverage(whole) >= 0.5))
        else:
            whole = "".join(t.text for t in p.parts)
            transcribed = len(p.parts) > 1 or coverage(whole) >= 0.5
            out.append(
                Form(SOUND, tuple(_transcribed_token(t) for t in p.parts), transcribed=transcribed)
            )
            if len(p.parts) == 1 and (split := split_surname(p.parts[0].text)):
                out.append(_hanzi_form(*split))
        if p.given_first:
            out = [replace(f, given_first=True) for f in out]
        return tuple(out)
    named = [t for t in p.parts if not _is_patronymic_word(t, p.script)] or list(p.parts)
    if p.script in (Script.ARABIC, Script.CYRILLIC):
        toks = []
        for t in named:
            lat = part_latin(t.text, p.script)[0]
            sound = sound_key(lat)
            inner = tuple(k for k in _uniq([sound_key(w) for w in unpatronymic(lat)]) if k != sound)
            toks.append(Token(t.role, t.text, lat, (sound,), (pinyin_key(lat),), machine=inner))
        return (Form(SOUND, tuple(toks)),)
    parts = [t for t in named if fold(t.text) not in data.legal_forms()] or named
    tokens = tuple(_latin_token(t) for t in parts)
    out = [Form(LATIN, tokens, han_like=p.kind == HAN)]
    if (article := _without_article(name)) is not None:
        out.extend(_forms(article))
    return tuple(out)


#: the Arabic article written on with a hyphen (Abd al-Karīm, Mahmud al-Kashgari), its sun
#: letter forms (ad-, ar-, as-, ash-, at-, az-, an-) and the Persian and Turkic ul-, el-
_ARTICLE = re.compile(r"(?i)(?:(?<=\s)|^)(?:al|el|ul|ad|ar|as|ash|at|az|an|ud|ur|us|un)-(?=\w)")
_ABD = re.compile(r"(?i)\b(abd|abdu|abdul|abd')\s+(?:al|el|ul)-(\w)")


def _without_article(name: str) -> str | None:
    """The name as written without the hyphenated Arabic article: Abd al-Karīm → Abdulkarīm
    (the servant of …: one name), Mahmud al-Kashgari → Mahmud Kashgari; None if it has none."""
    joined = _ABD.sub(lambda m: f"Abdul{m.group(2).lower()}", name)
    plain = _ARTICLE.sub("", joined)
    return plain if plain != name else None


def joined_keys(tokens: tuple[Token, ...], space: str, limit: int = 8) -> tuple[str, ...]:
    """Keys of the tokens written together (``Quan Guo`` → ``quanguo``)."""
    options = [(t.sound + t.machine)[:4] if space == SOUND else t.pinyin for t in tokens]
    return _uniq(["".join(c) for c in itertools.islice(itertools.product(*options), limit)])
