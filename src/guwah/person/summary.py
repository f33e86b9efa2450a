"""A person's records in plain English, for a reader who reads no Chinese.

Each sentence is built from the records' own values; every value is quoted as written,
beside its gloss, and links to its cell — the gloss never replaces the original. Glosses
come from data files, each named as the gloss's source:

- status and reason: the analysis taxonomies (``reference/analyse/status.json``,
  ``reasons.json``: English, Chinese and Uyghur labels; the words that matched are shown);
- places: the exonyms of ``reference/lists/xinjiang_exonyms.csv`` (疏附 → Shufu,
  Konasheher), else pinyin, marked as such (a reading, not a name anyone uses);
- relations: ``reference/relations.json`` (妻子 → wife).

Nothing is inferred beyond the records: "detained from" is the detention date a record
writes, "status" the analysis rule applied to this person's cells.

The sentences are in the reader's language: each is one message of the interface's
catalogue (``guwah/web/locale``), its values in ``{name}`` put back as quotes or text; the
status and reason labels come from their taxonomies (Chinese and Uyghur labels) in those
languages. Without a :class:`Words`, English, as it has always been written.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from guwah.records.people import PersonView, RecordView, ValueView

PLACE_FIELDS = ("household_address", "current_address", "address", "township", "village")
STATUS_FIELDS = ("category", "facility", "notes", "status")


@dataclass(frozen=True)
class Quote:
    """A value as the record writes it, where it is, and what it means in English."""

    original: str
    gloss: str
    source: str  # where the gloss comes from
    sha256: str
    sheet_index: int
    row: int
    col: int


@dataclass
class Sentence:
    """English text with quoted values: ``parts`` alternate plain text and :class:`Quote`."""

    parts: list[str | Quote] = field(default_factory=list)

    def text(self) -> str:
        """As plain text: each quote as “original” (gloss)."""
        return "".join(
            p if isinstance(p, str) else f"“{p.original}”" + (f" ({p.gloss})" if p.gloss else "")
            for p in self.parts
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "text": self.text(),
            "parts": [p if isinstance(p, str) else p.__dict__ for p in self.parts],
        }


@dataclass(frozen=True)
class Words:
    """How the sentences are said: the catalogue's ``gettext``/``ngettext`` of a language (the
    workbench passes the request's), its code (``ug``, ``zh_Hans``; '' for English) and how it
    writes a number and a date."""

    gettext: Callable[[str], str] = str
    ngettext: Callable[[str, str, int], str] = lambda s, p, n: s if n == 1 else p
    code: str = ""
    number: Callable[[int], str] = str
    day: Callable[[str], str] = str


ENGLISH = Words()
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def _sentence(template: str, **values: str | Quote) -> Sentence:
    """A sentence from a message and its values: text values join the text, quotes stay
    quotes (the page links them to their cells)."""
    parts: list[str | Quote] = []
    pos = 0
    for m in _PLACEHOLDER.finditer(template):
        parts.append(template[pos : m.start()])
        parts.append(values[m.group(1)])
        pos = m.end()
    parts.append(template[pos:])
    merged: list[str | Quote] = []
    for p in parts:
        if isinstance(p, str) and merged and isinstance(merged[-1], str):
            merged[-1] += p
        elif not (isinstance(p, str) and not p):
            merged.append(p)
    return Sentence(merged)


def place_gloss(place: str) -> tuple[str, str]:
    """A written place in English — each named part in Latin letters with its level — and
    where that came from."""
    from pypinyin import lazy_pinyin

    from guwah.lists.data import xinjiang_exonyms
    from guwah.person.glossary import place_latin
    from guwah.person.places import named_parts, suffixes

    exonyms = xinjiang_exonyms()
    levels = suffixes()
    out, sources = [], set()
    for name, suffix in named_parts(place):
        latin = exonyms.get(name)
        if latin:
            shown = latin[0] if len(latin) == 1 else f"{latin[0]} ({', '.join(latin[1:3])})"
            sources.add("exonyms")
        elif name.isascii():
            shown = name  # a number: village 1, no. 8
        elif uly := place_latin(name):
            shown = uly  # its Uyghur name, as a published source writes it in Latin letters
            sources.add("places_ug.csv")
        else:
            shown = "".join(lazy_pinyin(name)).capitalize() + "*"
            sources.add("pinyin")
        level = levels.get(suffix, "")
        number = name.isascii() and name.isdigit()
        out.append(f"{level} {shown}".strip() if number else f"{shown} {level}".strip())
    note = " and ".join(sorted(sources | {"place suffixes"}))
    if "pinyin" in sources:
        note += "; * pinyin, a reading of the characters, not a name in use"
    return " › ".join(out), note


def _quote(record: RecordView, v: ValueView, gloss: str, source: str) -> Quote:
    return Quote(v.raw, gloss, source, record.sha256, record.sheet_index, v.row, v.col)


def _first(person: PersonView, fields: tuple[str, ...]) -> tuple[RecordView, ValueView] | None:
    for record in person.records:
        for v in record.values:
            if v.field in fields and (v.raw or "").strip():
                return record, v
    return None


def _values(person: PersonView, fields: tuple[str, ...]) -> list[tuple[RecordView, ValueView]]:
    seen, out = set(), []
    for record in person.records:
        for v in record.values:
            key = (v.field, (v.raw or "").strip())
            if v.field in fields and key[1] and key not in seen:
                seen.add(key)
                out.append((record, v))
    return out


def summarise(person: PersonView, words: Words = ENGLISH) -> list[Sentence]:
    """Sentences about a person from their records, each value quoted with its gloss."""
    from guwah.analyse.taxonomy import reasons, statuses

    _, ngettext = words.gettext, words.ngettext
    out: list[Sentence] = []
    files = {r.sha256: r.path or r.sha256 for r in person.records}
    if person.records:
        n_rows, n_files = len(person.records), len(files)
        out.append(
            _sentence(
                _("Recorded in {rows} of {files} of the leak."),
                rows=ngettext("{n} row", "{n} rows", n_rows).format(n=words.number(n_rows)),
                files=ngettext("{n} file", "{n} files", n_files).format(n=words.number(n_files)),
            )
        )
    place = _first(person, PLACE_FIELDS)
    if place:
        gloss, source = place_gloss(place[1].raw)
        out.append(_sentence(_("Address written: {place}."), place=_quote(*place, gloss, source)))
    detained = _first(person, ("detention_date",))
    facility = _first(person, ("facility",))
    texts = [v.raw for _r, v in _values(person, STATUS_FIELDS)]
    has_release = _first(person, ("release_date",)) is not None
    code, found = statuses().classify(texts, has_release)
    term = statuses().label(code)
    if detained or facility or code != statuses().unknown.code:
        values: dict[str, str | Quote] = {"status": _status(term, found, words)}
        if detained:
            read = detained[1].value or ""
            shown = read if read and read != detained[1].raw else ""
            values["date"] = _quote(
                *detained, words.day(shown) if shown else "", _("the date as read") if shown else ""
            )
        if facility:
            values["facility"] = _quote(*facility, "", "")
        if detained and facility:
            msg = _("Detained from {date} at {facility}. Status by the analysis rule: {status}.")
        elif detained:
            msg = _("Detained from {date}. Status by the analysis rule: {status}.")
        elif facility:
            msg = _("Detained at {facility}. Status by the analysis rule: {status}.")
        else:
            msg = _("Detained. Status by the analysis rule: {status}.")
        out.append(_sentence(msg, **values))
    by_code = reasons().terms
    for record, v in _values(person, ("reason",)):
        labels = [_label(t, words) for t in by_code if t.matches(v.raw)]
        gloss = "; ".join(labels) if labels else _("not in the reason taxonomy: read it yourself")
        quote = _quote(record, v, gloss, _("reasons taxonomy"))
        out.append(_sentence(_("Reason written: {reason}."), reason=quote))
    if person.photos:
        n = len(person.photos)
        out.append(
            _sentence(
                ngettext(
                    "{n} photo of this person in the leak.",
                    "{n} photos of this person in the leak.",
                    n,
                ),
                n=words.number(n),
            )
        )
    if person.relations:
        out.append(
            _sentence(
                _("Relatives named in the records: {relatives} (listed below)."),
                relatives=_relations(person, words),
            )
        )
    return out


def _label(term: Any, words: Words) -> str:
    """A taxonomy label in the reader's language (the taxonomy's own), else its English."""
    own = term.ug if words.code == "ug" else term.zh if words.code else ""
    return str(own or term.en)


def _status(term: Any, found: list[str], words: Words) -> str:
    """The status as the sentence names it: its label (and its Chinese, where the label is
    not Chinese), with the words that decided it."""
    if not words.code:
        status = f"{term.en} — {term.zh}" if term.zh and term.zh not in term.en else term.en
    elif words.code == "ug":
        status = f"{term.ug} — {term.zh}" if term.ug and term.zh else term.ug or term.en
    else:
        status = term.zh or term.en
    if not found:
        return str(status)
    shown = [words.gettext(w) if w == "release date" else w for w in found]
    return words.gettext("{status} (the words {words})").format(
        status=status, words=words.gettext(", ").join(shown)
    )


def _relations(person: PersonView, words: Words) -> str:
    from guwah.records.normalise import relation

    unique = dict.fromkeys((r.relation, r.name) for r in person.relations)  # a row per source
    named = [_relation_word(relation(rel) or rel, words) for rel, _name in unique]
    return words.gettext(", ").join(named)


def _relation_word(code: str, words: Words) -> str:
    """A relation (``wife``) in the reader's language: in Uyghur and Chinese the first term
    of that script for it in ``reference/relations.json``; as written where there is none."""
    if not words.code:
        return code
    for t in _relation_terms().get(code, ()):
        arabic = any("\u0600" <= c <= "\u06ff" for c in t)
        han = any("\u4e00" <= c <= "\u9fff" for c in t)
        if (arabic and words.code == "ug") or (han and words.code != "ug"):
            return t
    return code


@cache
def _relation_terms() -> dict[str, tuple[str, ...]]:
    import json
    from importlib import resources

    text = resources.files("guwah.reference").joinpath("relations.json").read_text("utf-8")
    return {k: tuple(v) for k, v in json.loads(text)["relations"].items()}
