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
"""

from __future__ import annotations

from dataclasses import dataclass, field
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


def summarise(person: PersonView) -> list[Sentence]:
    """Sentences about a person from their records, each value quoted with its gloss."""
    from guwah.analyse.taxonomy import reasons, statuses

    out: list[Sentence] = []
    files = {r.sha256: r.path or r.sha256 for r in person.records}
    if person.records:
        out.append(
            Sentence(
                [
                    f"Recorded in {len(person.records)} "
                    f"{'row' if len(person.records) == 1 else 'rows'} of {len(files)} "
                    f"{'file' if len(files) == 1 else 'files'} of the leak."
                ]
            )
        )
    place = _first(person, PLACE_FIELDS)
    if place:
        gloss, source = place_gloss(place[1].raw)
        out.append(Sentence(["Address written: ", _quote(*place, gloss, source), "."]))
    detained = _first(person, ("detention_date",))
    facility = _first(person, ("facility",))
    texts = [v.raw for _, v in _values(person, STATUS_FIELDS)]
    has_release = _first(person, ("release_date",)) is not None
    code, words = statuses().classify(texts, has_release)
    term = statuses().label(code)
    if detained or facility or code != statuses().unknown.code:
        s = Sentence(["Detained"])
        if detained:
            read = detained[1].value or ""
            shown = read if read and read != detained[1].raw else ""
            s.parts += [" from ", _quote(*detained, shown, "the date as read" if shown else "")]
        if facility:
            s.parts += [" at ", _quote(*facility, "", "")]
        status = f"{term.en} — {term.zh}" if term.zh and term.zh not in term.en else term.en
        found = f" (the words {', '.join(words)})" if words else ""
        s.parts.append(f". Status by the analysis rule: {status}{found}.")
        out.append(s)
    by_code = reasons().terms
    for record, v in _values(person, ("reason",)):
        labels = [t.en for t in by_code if t.matches(v.raw)]
        gloss = "; ".join(labels) if labels else "not in the reason taxonomy: read it yourself"
        out.append(
            Sentence(["Reason written: ", _quote(record, v, gloss, "reasons taxonomy"), "."])
        )
    if person.photos:
        n = len(person.photos)
        out.append(Sentence([f"{n} {'photo' if n == 1 else 'photos'} of this person in the leak."]))
    if person.relations:
        out.append(Sentence([_relations(person)]))
    return out


def _relations(person: PersonView) -> str:
    from guwah.records.normalise import relation

    unique = dict.fromkeys((r.relation, r.name) for r in person.relations)  # a row per source
    named = [relation(rel) or rel for rel, _ in unique]
    return "Relatives named in the records: " + ", ".join(named) + " (listed below)."
