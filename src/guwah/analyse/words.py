"""The analysis' words in the reader's language, for the report and the workbench.

The stage (``guwah.analyse.stage``, ``matrix``) writes its tables in English, as the CSVs and
the CLI show them. When a page or report is rendered in Uyghur or Chinese, each title,
column, note and label of guwah's own is looked up here in the interface's catalogue
(``guwah/web/locale``): a fixed text by itself, a text with values (``Plausible: {lo}..{hi}
…``) by the English form the stage writes, its values put back into the translation. An
English render never passes through here: a table is shown exactly as the stage made it.

Only guwah's words are translated. Leaked text (a place, a facility, a reason as written, a
name in a message) is put back as written; the labels of the status and reason taxonomies
come from their data files (``status.json``, ``reasons.json``: Chinese and Uyghur labels),
ethnic groups from ``ethnicities.json``; numbers and dates are formatted with Babel.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from typing import Any

from babel.dates import format_date, format_datetime, format_skeleton
from babel.numbers import format_decimal

from guwah.analyse.tables import Count, Table, Value, plain
from guwah.web.i18n import DEFAULT, N_, Language, current_language, gettext, language, ngettext

# -- the language being rendered ------------------------------------------------------------


def english() -> bool:
    return not current_language.get().catalogue


@contextmanager
def speaking(code: str | None) -> Iterator[Language]:
    """Render in the language ``code`` names (``ug``, ``zh-Hans``; None: English)."""
    lang = language(code) if code else DEFAULT
    if lang is None:
        raise ValueError(f"unknown language {code!r}: choose en, ug or zh-Hans")
    token = current_language.set(lang)
    try:
        yield lang
    finally:
        current_language.reset(token)


def _locale() -> str:
    return current_language.get().catalogue or "en"


def number(v: Any) -> str:
    """A number as the report has always shown it in English; per locale otherwise."""
    if isinstance(v, Count):
        v = v.n
    if english() or isinstance(v, bool) or not isinstance(v, int | float):
        return plain(v)
    if isinstance(v, int):
        return format_decimal(v, locale=_locale())
    return format_decimal(v, format="#,##0.######", locale=_locale())


def day(d: date | str | None) -> str:
    """A date: ISO in English (as today), the locale's long form otherwise."""
    if d is None:
        return ""
    if english():
        return str(d)
    try:
        value = d if isinstance(d, date) else date.fromisoformat(str(d))
    except ValueError:
        return str(d)
    return format_date(value, "long", locale=_locale())


def moment(t: datetime) -> str:
    """A time (UTC) as the report's header gives it."""
    if english():
        return f"{t:%Y-%m-%d %H:%M} UTC"
    return format_datetime(t, "medium", locale=_locale()) + " UTC"


def month(text: str) -> str:
    """``2017-03`` as the locale names a month."""
    m = re.fullmatch(r"(\d{4})-(\d{2})", text)
    if english() or not m:
        return text
    return format_skeleton("yMMM", date(int(m.group(1)), int(m.group(2)), 1), locale=_locale())


# -- guwah's own words: fixed texts ----------------------------------------------------------

STATIC = frozenset(
    {
        # titles
        N_("Summary"),
        N_("Detained by facility and status"),
        N_("Detained as a share of the census population (second denominator)"),
        N_("Detained by status"),
        N_("Detentions by month (detention date)"),
        N_("Length of detention (detention to release date)"),
        N_("Households by number of members detained"),
        N_("Children whose parents are both detained"),
        N_("Detention reasons by category (multi-label)"),
        N_("Reasons no category matched"),
        N_("Conflicting values (one person, records that disagree)"),
        N_("Dates reported and not counted"),
        N_("Violation matrix: OHCHR 2022 categories × Rome Statute art. 7(1)"),
        N_("Violation matrix: what each rule placed in each cell"),
        N_("Violation matrix: every piece of evidence"),
        # columns
        N_("what"),
        N_("people"),
        N_("county"),
        N_("township"),
        N_("village"),
        N_("ethnicity"),
        N_("sex"),
        N_("age"),
        N_("detained"),
        N_("residents listed"),
        N_("detained among them"),
        N_("share"),
        N_("ci95_low"),
        N_("ci95_high"),
        N_("denominator"),
        N_("facility"),
        N_("status"),
        N_("code"),
        N_("group"),
        N_("census population"),
        N_("month"),
        N_("cumulative"),
        N_("length"),
        N_("days"),
        N_("members detained"),
        N_("households"),
        N_("detained people"),
        N_("category"),
        N_("share of detainees with a reason"),
        N_("words matched"),
        N_("reason as written"),
        N_("field"),
        N_("rule"),
        N_("person"),
        N_("value"),
        N_("sha256"),
        N_("sheet"),
        N_("row"),
        N_("act"),
        N_("documents"),
        N_("reasoning"),
        N_("kind"),
        N_("evidence"),
        N_("words"),
        N_("reviewer"),
        # notes
        N_(
            "Share: detained residents / residents listed in the leak's household registers for "
            "that place (and group), with the 95 % Wilson interval: an estimate of the share in "
            "the place's population if the registers are a fair sample of it. Age band at the "
            "detention date for detainees, at the reference date for everyone else."
        ),
        N_(
            "The census counts a county's whole population; the leak holds only some of its "
            "lists, so these shares are lower bounds, not estimates (no interval). The census "
            "year may differ from the detention years. Minority: every ethnicity but Han; its "
            "population is the total × the census minority share."
        ),
        N_("Status: the first status of the taxonomy (status.json) whose words a record shows."),
        N_(
            "Only people with both a detention and a release date; a release before the "
            "detention is not counted."
        ),
        N_(
            "Household: the household number of a resident register within its file, else the "
            "address down to the house number."
        ),
        N_(
            "A reason gets every category one of whose words (reasons.json, Chinese and Uyghur) "
            "it contains; a person counts once per category. A reviewer's relabel replaces the "
            "words' verdict."
        ),
        N_("Relabel one with: guwah analyse relabel TEXT --label CODE --reviewer NAME"),
        N_(
            "Each cell: the people placed there by rule (suggested, confirmed, rejected) and "
            "documents. A suggestion is not a finding until a reviewer confirms it."
        ),
        # row labels
        N_("people resolved from the records (each counted once)"),
        N_("listed in resident registers (the first denominator)"),
        N_("detained (any record says so)"),
        N_("detained with no usable detention date (not counted in the window)"),
        N_("detained with a detention date outside the window (not counted)"),
        N_("detained with no usable detention date (counted, absent from the timeline)"),
        N_("with a date outside any plausible window (reported, that date not counted)"),
        N_("conflicting: records of one person disagree (rule in Methods)"),
        N_("empty: no resident list for this place in the leak (see the census rates)"),
        N_("unknown"),
        N_("male"),
        N_("female"),
        N_("(not stated)"),
        N_("(unknown)"),
        N_("all"),
        N_("minority (non-Han)"),
        N_("no census"),
        N_("empty: no census imported (guwah reference import census FILE)"),
        N_("empty: the census bands do not match this age band"),
        N_("with both dates"),
        N_("under 3 months"),
        N_("3-12 months"),
        N_("a year or more"),
        N_("3 or more"),
        N_("detained with no household known"),
        N_("children with both parents detained"),
        N_("their parents"),
        N_("unclassified (listed below)"),
        N_("no reason recorded"),
        N_("the earliest plausible date"),
        N_("the latest plausible date"),
        N_("the most frequent (records stage)"),
        N_("the most frequent; a tie: the record read first"),
        N_("suggested"),
        N_("confirmed"),
        N_("rejected"),
        # age bands (age_bands.json)
        N_("minors (under 18)"),
        N_("adults (18-64)"),
        N_("over-65s (65 and over)"),
        # the OHCHR 2022 categories (ohchr_categories.json)
        N_("Arbitrary and discriminatory detention (VTEC facilities and other)"),
        N_("Torture and other forms of ill-treatment"),
        N_("Sexual and gender-based violence"),
        N_("Labour and employment (forced labour)"),
        N_("Family separations, transnational repression and disappearances"),
        N_("Restrictions on religious, cultural, linguistic identity and expression"),
        N_("Reproductive rights (coercive enforcement of family planning)"),
        N_("Enforced disappearances"),
        N_("Right to privacy (surveillance)"),
        # the matrix rules' reasoning (matrix_rules.json)
        N_(
            "The records list the person as detained (a facility, a detention date, a "
            "detention reason or a detention status)."
        ),
        N_(
            "Held in an 'education' facility or detention centre with no sentence recorded: "
            "deprivation of liberty without judicial process; families were not told where "
            "(OHCHR 2022)."
        ),
        N_(
            "The written reason for detention is religious practice or a religious 'extremism' "
            "label: detention on religious grounds."
        ),
        N_(
            "The written reason is travel, contacts abroad, a passport or phone software: "
            "lawful conduct treated as a ground for detention."
        ),
        N_(
            "The written reason is the detention or conviction of a relative: detention by "
            "association."
        ),
        N_(
            "The written reason is a breach of birth-control policy: coercive enforcement of "
            "family planning."
        ),
        N_("A child of the household whose father and mother are both recorded as detained."),
        N_(
            "An internal document on camp security names restraints, armed guards, shooting or "
            "solitary confinement."
        ),
        N_(
            "A document on transferring detainees or 'graduates' to factories or labour programmes."
        ),
        N_(
            "A document ordering or reporting mass detention ('round up all who should be "
            "rounded up', 'education transformation')."
        ),
    }
)

# the fields a conflict or a reported date names (records and analysis fields)
FIELDS = {
    "name": N_("name"),
    "id_number": N_("ID number"),
    "birth_date": N_("birth date"),
    "sex": N_("sex"),
    "ethnicity": N_("ethnicity"),
    "county": N_("county"),
    "township": N_("township"),
    "village": N_("village"),
    "facility": N_("facility"),
    "household": N_("household"),
    "detention_date": N_("detention date"),
    "release_date": N_("release date"),
}
# an age band's code → its label (age_bands.json; marked above)
AGE_CODES = {
    "minor": "minors (under 18)",
    "adult": "adults (18-64)",
    "over65": "over-65s (65 and over)",
}


# -- guwah's own words: texts with values ----------------------------------------------------

# how a value inside a message is matched in the English and shown in the translation
_KINDS: dict[str, tuple[str, Callable[[str], str]]] = {
    "keep": (r".*?", lambda v: v),  # leaked or technical: as written
    "word": (r".*?", lambda v: text(v)),  # another message of ours
    "words": (r"[a-z0-9_, ]+?", lambda v: gettext(", ").join(code_word(w) for w in v.split(", "))),
    "int": (r"-?\d+", lambda v: number(int(v))),
    "date": (r"\d{4}-\d{2}-\d{2}", day),
    "level": (r"county|township|village|facility", lambda v: gettext(v)),
}


class Message:
    """A text with values as the stage writes it (``english``, its values in ``{name}``);
    ``plural``: the translation chosen by the value ``count`` (a literal ``ngettext`` call,
    so that Babel extracts both forms); else the catalogue's entry for ``english``."""

    def __init__(
        self,
        english: str,
        plural: Callable[[int], str] | None = None,
        count: str = "",
        **kinds: str,
    ) -> None:
        self.english, self.plural, self.count, self.kinds = english, plural, count, kinds
        out, pos = [], 0
        for m in re.finditer(r"\{(\w+)\}", english):
            out.append(re.escape(english[pos : m.start()]))
            out.append(f"(?P<{m.group(1)}>{_KINDS[kinds.get(m.group(1), 'keep')][0]})")
            pos = m.end()
        out.append(re.escape(english[pos:]))
        self.regex = re.compile("".join(out), re.S)

    def shown(self, m: re.Match[str]) -> str:
        values = {k: _KINDS[self.kinds.get(k, "keep")][1](v) for k, v in m.groupdict().items()}
        if self.plural is not None:
            return self.plural(int(m.group(self.count))).format(**values)
        return gettext(self.english).format(**values)


def _residents(n: int) -> str:
    return ngettext(
        "resident list (first denominator: the leak's own register of this place): {n} resident",
        "resident list (first denominator: the leak's own register of this place): {n} residents",
        n,
    )


MESSAGES = (
    Message(N_("Detained by place of residence ({level})"), level="level"),
    Message(
        N_("Detained by place of residence ({level}) and {groups}"), level="level", groups="words"
    ),
    Message(N_("art. 7(1)({act})")),
    Message(
        N_(
            "Children: under 18 on {date}. Parents: a father/mother linked in the records, or "
            "the head of the household (and the head's spouse) of whom the child is a son or "
            "daughter."
        ),
        date="date",
    ),
    Message(N_("Plausible: {lo}..{hi} and not before the person's birth."), lo="date", hi="date"),
    Message(N_("detained with a detention date {lo}..{hi} (counted)"), lo="date", hi="date"),
    Message(
        "resident list (first denominator: the leak's own register of this place): {n} residents",
        _residents,
        "n",
        n="int",
    ),
    Message(
        N_("{source}, row {row} (second denominator: a lower bound)"), source="word", row="int"
    ),
    Message(N_("census {year} (sha256 {sha256})")),
    Message(
        N_("empty: the county {name} has no GB/T 2260 code (name not recognised or ambiguous)")
    ),
    Message(N_("empty: county {name} ({code}) is not in the census file (sha256 {sha256})")),
    Message(N_("empty: the census file lacks the age columns {columns} at row {row}"), row="int"),
    Message(N_("empty: census column {column} is missing or empty at row {row}"), row="int"),
    Message(N_("empty: census column {column} is {value} at row {row}"), value="int", row="int"),
    Message(N_("median {days}")),
)


def code_word(code: str) -> str:
    """A code the stage shows (a group, a place level): its word in the language."""
    if english():
        return code
    if code in AGE_CODES:
        return gettext(AGE_CODES[code])
    return gettext(code) if code in STATIC else code


def translate(s: str) -> str | None:
    """``s`` (a text of the stage's) in the current language; None where it is none of ours."""
    if s in STATIC:
        return gettext(s)
    for msg in MESSAGES:
        m = msg.regex.fullmatch(s)
        if m:
            return msg.shown(m)
    return None


def text(s: str) -> str:
    """``s`` translated where it is ours; as written otherwise (and always in English)."""
    if english() or not s:
        return s
    found = translate(s)
    return s if found is None else found


# -- tables ----------------------------------------------------------------------------------


@cache
def _terms() -> dict[str, Any]:
    """Every taxonomy label by its English (statuses, reasons): the term, with its zh and ug."""
    from guwah.analyse.taxonomy import reasons, statuses

    st = statuses()
    return {t.en: t for t in (*st.terms, st.unknown, *reasons().terms)}


@cache
def _ethnic_groups() -> dict[str, tuple[str, str]]:
    """An ethnic group's code → (Chinese, Uyghur) as ``ethnicities.json`` writes them."""
    import json
    from importlib import resources

    data = json.loads(
        resources.files("guwah.reference").joinpath("ethnicities.json").read_text("utf-8")
    )
    out = {}
    for code, g in data["groups"].items():
        arabic = next((v for v in g["variants"] if any("\u0600" <= c <= "\u06ff" for c in v)), "")
        out[code] = (g.get("zh", ""), arabic)
    return out


def _term_label(en: str) -> str | None:
    """A status or reason label in the language, from its taxonomy (data, not the catalogue)."""
    term = _terms().get(en)
    if term is None:
        return None
    own = term.ug if current_language.get().catalogue == "ug" else term.zh
    return own or None


def status_word(code: str) -> str:
    """A detention status code (``education``) as the interface shows it: the code in
    English (as before), the taxonomy's own label in Uyghur or Chinese."""
    if english() or not code:
        return code
    from guwah.analyse.taxonomy import statuses

    return _term_label(statuses().label(code).en) or code


def _ethnicity(code: str) -> str | None:
    if code == "unknown":
        return gettext(code)
    zh, ug = _ethnic_groups().get(code, ("", ""))
    own = ug if current_language.get().catalogue == "ug" else zh
    return own or None


def _field(code: str) -> str | None:
    return gettext(FIELDS[code]) if code in FIELDS else None


def _month(v: str) -> str | None:
    return month(v) if re.fullmatch(r"\d{4}-\d{2}", v) else None


def _relabelled(v: str) -> str | None:
    """The words matched of a reason: a reviewer's relabel is ours to say, the words are not."""
    out = _RELABEL.sub(
        lambda m: gettext("relabelled by {reviewer} {date}").format(
            reviewer=m.group("who"), date=day(m.group("date"))
        ),
        v,
    )
    return out


_RELABEL = re.compile(r"relabelled by (?P<who>.*?) (?P<date>\d{4}-\d{2}-\d{2})(?= \(\d+\)(?:; |$))")

# the columns whose cells are guwah's words, by table (a key ending in "_" is a prefix), and
# how each is shown; every other cell is data, shown as written
_Cell = Callable[[str], "str | None"]
LABELS: dict[str, dict[str, _Cell]] = {
    "summary": {"what": translate},
    "detained_by_": {
        "ethnicity": _ethnicity,
        "sex": lambda v: translate(v),
        "age": lambda v: gettext(AGE_CODES[v]) if v in AGE_CODES else translate(v),
        "denominator": translate,
    },
    "detained_by_facility": {"facility": lambda v: translate(v) if v == "(not stated)" else v},
    "census_rates": {
        "county": lambda v: translate(v) if v == "(unknown)" else v,
        "group": translate,
        "denominator": translate,
    },
    "detained_by_status": {"status": _term_label},
    "monthly": {"month": _month},
    "length": {"length": translate, "days": lambda v: translate(v) or v},
    "households": {"members detained": lambda v: v if v.isdigit() else translate(v)},
    "children": {"what": translate},
    "reasons": {"category": lambda v: _term_label(v) or translate(v), "words matched": _relabelled},
    "conflicts": {"field": _field, "rule": translate},
    "implausible_dates": {"field": _field},
    "violation_matrix": {"category": translate},
    "violation_matrix_rules": {"category": translate, "status": translate, "reasoning": translate},
}
LABELS["detained_by_facility"]["status"] = _term_label


def _labels(key: str) -> dict[str, _Cell]:
    out: dict[str, _Cell] = {}
    for k, cols in LABELS.items():
        if k == key or (k.endswith("_") and key.startswith(k) and key not in LABELS):
            out.update(cols)
    return out


@dataclass
class ShownTable(Table):
    """A table as a reader sees it: its words in their language; ``fields``: the stage's
    column names (what the code tests, whatever the language)."""

    fields: list[str] = field(default_factory=list)


def shown(t: Table) -> ShownTable:
    """``t`` in the current language (English: the same texts); the counts are the same
    objects, so their references and people are the stage's."""
    if english():
        return ShownTable(t.key, t.title, t.columns, t.rows, t.note, list(t.columns))
    labels = _labels(t.key)
    cols = [labels.get(c) for c in t.columns]
    rows = [[_cell(cols[j], v) for j, v in enumerate(row)] for row in t.rows]
    return ShownTable(
        t.key, text(t.title), [text(c) for c in t.columns], rows, text(t.note), list(t.columns)
    )


def _cell(how: _Cell | None, v: Value) -> Value:
    return (how(v) or v) if how is not None and type(v) is str and v else v


def untranslated(t: Table) -> list[str]:
    """The texts of ``t`` that are guwah's words but are shown untranslated in the current
    language (what the tests require to be empty): a title, a column, a note, a label cell."""
    shown_t = shown(t)
    missing = [
        s
        for s, got in zip(
            (t.title, *t.columns, t.note),
            (shown_t.title, *shown_t.columns, shown_t.note),
            strict=True,
        )
        if s and got == s and s not in ("中文", "ئۇيغۇرچە")  # each language names itself
    ]
    labels = _labels(t.key)
    for row, got_row in zip(t.rows, shown_t.rows, strict=True):
        for c, v, got in zip(t.columns, row, got_row, strict=True):
            if c not in labels or type(v) is not str or not v or _data(c, v):
                continue
            if got == v or (c == "words matched" and "relabelled by" in str(got)):
                missing.append(f"{t.key}.{c}: {v}")
    return missing


def _data(column: str, v: str) -> bool:
    """A cell of a label column that is data, shown as written: a number of household
    members, a range of days, a facility or county named in the leak, words matched."""
    return (
        (column == "members detained" and v.isdigit())
        or (column == "days" and re.fullmatch(r"\d+-\d+", v) is not None)
        or (column in ("facility", "county") and v not in ("(not stated)", "(unknown)"))
        or (column == "words matched" and "relabelled by" not in v)
    )


def cell(t: Table, row: list[Value], j: int) -> str:
    """One cell as text in the current language (the people page's heading, Appendix A)."""
    if english():
        return plain(row[j])
    how = _labels(t.key).get(t.columns[j])
    v = row[j]
    if how is not None and type(v) is str and v:
        return how(v) or v
    return number(v) if isinstance(v, int | float | Count) else plain(v)
