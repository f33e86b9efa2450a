"""A name match's explanation in the reader's language, at render time.

``guwah.names`` explains a score as notes joined by "; " ("given name 艾萨 = Isa (romanised
isa, similarity 1.00); father's name …"). On a Uyghur or Chinese page each note is read by
one of the forms below (the machinery of :mod:`guwah.web.finding_words`): the names, keys and
figures are put back as written, guwah's words (the part a name is, how it was compared) are
translated. The explanation is translated whole or not at all: a note no form reads leaves
the whole explanation in English, exactly as the names engine wrote it.
"""

from __future__ import annotations

from typing import Any

from guwah.web.finding_words import Form, read_whole, wording
from guwah.web.i18n import N_, current_language, gettext

ROLES = {
    "given name": N_("given name"),
    "father's name": N_("father's name"),
    "surname": N_("surname"),
    "last name": N_("last name"),
    "name part": N_("name part"),
    "place": N_("place"),
}
HOW = {"romanised": N_("romanised"), "pinyin": N_("pinyin")}

_R = r"(?P<role>given name|father's name|surname|last name|name part|place)"
_SIM = r"similarity (?P<sim>[0-9.]+)"


def _role(value: str) -> str | None:
    return gettext(ROLES[value]) if value in ROLES else None


def _how(value: str) -> str | None:
    return gettext(HOW[value]) if value in HOW else None


_CONVERT: dict[str, Any] = {"role": _role, "how": _how}

NOTES: tuple[Form, ...] = (
    wording(
        rf"{_R} (?P<a>.+?) (?P<sign>[=~]) (?P<b>.+?) \((?P<how>romanised|pinyin) (?P<key>[^,()]+), "
        rf"{_SIM}; same consonants (?P<cons>[^()]+)\)",
        N_(
            "%(role)s %(a)s %(sign)s %(b)s (%(how)s %(key)s, similarity %(sim)s; same consonants %(cons)s)"
        ),
        convert=_CONVERT,
    ),  # fmt: skip
    wording(
        rf"{_R} (?P<a>.+?) (?P<sign>[=~]) (?P<b>.+?) \((?P<how>romanised|pinyin) (?P<key>[^,()]+), "
        rf"{_SIM}\)",
        N_("%(role)s %(a)s %(sign)s %(b)s (%(how)s %(key)s, similarity %(sim)s)"),
        convert=_CONVERT,
    ),  # fmt: skip
    wording(
        rf"{_R} (?P<a>.+?) ≠ (?P<b>.+?) \(same pinyin (?P<py>[^,()]+), different characters: a "
        r"different name\)",
        N_("%(role)s %(a)s ≠ %(b)s (same pinyin %(py)s, different characters: a different name)"),
        convert=_CONVERT,
    ),  # fmt: skip
    wording(
        rf"{_R} (?P<a>.+?) ≠ (?P<b>.+?) \({_SIM}\)",
        N_("%(role)s %(a)s ≠ %(b)s (similarity %(sim)s)"),
        convert=_CONVERT,
    ),
    wording(
        rf"{_R} (?P<a>.+?) missing in the first name \(score × (?P<f>[0-9.]+)\)",
        N_("%(role)s %(a)s missing in the first name (score × %(f)s)"),
        convert=_CONVERT,
    ),
    wording(
        rf"{_R} (?P<a>.+?) missing in the second name \(score × (?P<f>[0-9.]+)\)",
        N_("%(role)s %(a)s missing in the second name (score × %(f)s)"),
        convert=_CONVERT,
    ),
    wording(
        r"place (?P<a>.+?) = (?P<b>.+?) \(the same place under another name\)",
        N_("place %(a)s = %(b)s (the same place under another name)"),
    ),
    wording(
        rf"{_R} (?P<a>[^()]+?) = (?P<b>[^()]+)", N_("%(role)s %(a)s = %(b)s"), convert=_CONVERT
    ),
    wording(r"parts in a different order", N_("parts in a different order")),
    wording(r"surname written last", N_("surname written last")),
    wording(r"no comparable reading", N_("no comparable reading")),
    wording(
        rf"whole name (?P<a>.+?) (?P<sign>[=~]) (?P<b>.+?) written together \(key (?P<key>[^,()]+), "
        rf"{_SIM}\)",
        N_("whole name %(a)s %(sign)s %(b)s written together (key %(key)s, similarity %(sim)s)"),
    ),  # fmt: skip
    wording(
        rf"whole name (?P<a>.+?) ~ (?P<b>.+?) \(pinyin (?P<key>[^,()]+), {_SIM}\)",
        N_("whole name %(a)s ~ %(b)s (pinyin %(key)s, similarity %(sim)s)"),
    ),
    wording(r"same characters (?P<c>.+)", N_("same characters %(c)s")),
    wording(
        rf"characters (?P<a>\S+) ≠ (?P<b>\S+) \({_SIM}\)",
        N_("characters %(a)s ≠ %(b)s (similarity %(sim)s)"),
    ),
    wording(r"surname (?P<s>.+) missing", N_("surname %(s)s missing")),
    wording(r"place by the gazetteer: (?P<p>.+)", N_("place by the gazetteer: %(p)s")),
    wording(
        r"(?P<text>.+?) read given name first \((?P<joined>[^()]+)\): names in Chinese "
        r"characters put the surname first, so this reading is not decisive \(score × "
        r"(?P<f>[0-9.]+)\)",
        N_(
            "%(text)s read given name first (%(joined)s): names in Chinese characters put the "
            "surname first, so this reading is not decisive (score × %(f)s)"
        ),
    ),
)


def _notes(text: str) -> list[str]:
    """The notes of an explanation: split at "; " outside parentheses."""
    notes, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        depth += ch == "("
        depth -= ch == ")"
        if depth == 0 and text.startswith("; ", i):
            notes.append(text[start:i])
            start = i + 2
    notes.append(text[start:])
    return notes


def name_explanation(text: Any) -> str:
    """A name match's explanation in the page's language; English, or an explanation with a
    note no form reads, exactly as the names engine wrote it."""
    value = "" if text is None else str(text)
    if not value or not current_language.get().catalogue:
        return value
    read = [read_whole(NOTES, note) for note in _notes(value)]
    if any(r is None for r in read):
        return value
    # TRANSLATORS: between the notes of a name match's explanation
    return gettext("; ").join(r for r in read if r is not None)
