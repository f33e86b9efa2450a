"""The report: HTML or PDF (WeasyPrint), every table also as CSV beside it.

Every number with people behind it carries a reference (``N12``). The people are not listed
in the report (it would grow with the population: 365,000 people in the large leak): the
references resolve in CSV files written beside the report, whose SHA-256 the report states
(Appendix B), so a reader can check that the lists are the ones the report was made with:

- ``ref_index.csv``: each reference, its table, row, column, count, and the lines of
  ``ref_counts.csv`` that hold its people;
- ``ref_counts.csv``: reference, person (one line per person behind each number);
- ``ref_people.csv``: each person referenced: name, ID number, place, detention facts;
- ``ref_records.csv``: each record of those people: file SHA-256, path, sheet, row.

Leaked text is escaped by Jinja's autoescape; fonts for Chinese (Noto CJK) and Uyghur (Noto
Naskh/Sans Arabic, Debian ``fonts-noto-core``) come from the system, never the network.
"""

from __future__ import annotations

import csv
import hashlib
import io
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from guwah import __version__
from guwah.analyse import words
from guwah.analyse.charts import bars, bars_html
from guwah.analyse.facts import PersonFacts
from guwah.analyse.stage import Analysis, Options, analyse, no_cycle_collection
from guwah.analyse.tables import Count, csv_bytes, csv_safe, number_counts, plain, table_csv
from guwah.analyse.taxonomy import matrix_rules, reasons, statuses
from guwah.case import Case
from guwah.core import utcnow
from guwah.web.i18n import current_language, gettext, ngettext

if TYPE_CHECKING:
    from guwah.access.pseudonym import Pseudonymiser


def methods(a: Analysis) -> list[tuple[str, str]]:
    """The definitions, denominators, exclusions and the conflict rule, in words (in the
    language being rendered)."""
    _ = gettext
    lo, hi = statuses().plausible
    census = (
        _("{path} (sha256 {sha256}, sheet {sheet}, {regions}, imported {at}, {problems})").format(
            path=a.census.source_path,
            sha256=a.census.sha256,
            sheet=a.census.sheet,
            # TRANSLATORS: English keeps one form for every count, as the report always
            # wrote it; give the language's own forms.
            regions=ngettext("{n} regions", "{n} regions", a.census.n_counties).format(
                n=words.number(a.census.n_counties)
            ),
            at=words.moment(a.census.imported_at),
            # TRANSLATORS: one English form for every count, as above.
            problems=ngettext(
                "{n} problems recorded", "{n} problems recorded", len(a.census.problems)
            ).format(n=words.number(len(a.census.problems))),
        )
        if a.census
        else _("none imported: census rates are left empty")
    )
    window = (
        f"{words.day(a.options.window[0])}..{words.day(a.options.window[1])}"
        if a.options.window
        else _("none")
    )
    return [
        (
            _("Unit"),
            _(
                "Resolved people, never rows: records with the same ID number (else name and "
                "full birth date) are one person (guwah records). A person in five sheets counts "
                "once. People known only from photos are not counted: no record says anything "
                "of them."
            ),
        ),
        (
            _("Detained"),
            _(
                "A person any of whose records gives a detention reason, facility, detention or "
                "release date, or a detention status (status taxonomy v{version})."
            ).format(version=statuses().version),
        ),
        (
            _("Window"),
            _(
                "{window}. With a window, only detainees whose detention date falls in it are "
                "counted; those without a date are reported, not counted."
            ).format(window=window),
        ),
        (
            _("Reference date"),
            _(
                "{date}: the end of the window, else the latest detention date. Ages: at the "
                "detention date for detainees, at the reference date for everyone else."
            ).format(date=words.day(a.as_of)),
        ),
        (
            _("First denominator"),
            _(
                "Residents listed in the leak's household registers (sheets with a household "
                "number or relation-to-head column, or a 户籍/人口信息 title), by the same place "
                "and group as the numerator. Used first because it covers exactly the people the "
                "leak's lists cover; its shares carry 95 % Wilson intervals."
            ),
        ),
        (
            _("Second denominator"),
            _(
                "The census: {census}. Used where the leak holds no resident list, and beside it "
                "at county level; census shares are lower bounds."
            ).format(census=census),
        ),
        (
            _("Place of residence"),
            _(
                "County, township and village from the person's address columns (户籍地址, "
                "现住址, 所在村…); only when no record of the person gives an address, from the "
                "register that lists them (its title, sheet name, file path)."
            ),
        ),
        (
            _("Conflicts"),
            _(
                "Detention date: the earliest plausible; release date: the latest; facility, "
                "household, place: the most frequent, a tie going to the record read first; sex, "
                "ethnicity, birth date: the records stage's most frequent value. Every "
                "disagreement is counted in the 'conflicting' line and the Conflicts table."
            ),
        ),
        (
            _("Exclusions"),
            _(
                "Dates outside {lo}..{hi} or before the person's birth are listed (Dates "
                "reported and not counted) and not used."
            ).format(lo=words.day(lo), hi=words.day(hi)),
        ),
        (
            _("Reasons"),
            _(
                "Reason taxonomy v{version}: Chinese and Uyghur words, multi-label; the "
                "unclassified are listed; a reviewer's relabel (custody log) overrides."
            ).format(version=reasons().version),
        ),
        (
            _("Violation matrix"),
            _(
                "Rules v{version} suggest evidence per cell; a suggestion is not a legal finding "
                "until a reviewer confirms it."
            ).format(version=matrix_rules()["version"]),
        ),
    ]


@dataclass
class CsvFile:
    """A CSV written beside the report: its name, data lines and bytes (hashed in the report)."""

    name: str
    rows: int
    data: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


@dataclass
class Reference:
    """One numbered count: where it is in the report and where its people are in the CSV."""

    ref: str
    table: str  # its key (the CSV's name, the section's anchor)
    title: str
    row: str
    column: str
    n: int
    first: int  # its first and last line in ref_counts.csv (line 1: the header)
    last: int
    row_shown: str = ""  # the row and column as the report shows them (its language)
    column_shown: str = ""


PEOPLE_COLUMNS = [
    "person",
    "name",
    "id_number",
    "sex",
    "ethnicity",
    "birth_date",
    "county",
    "township",
    "village",
    "resident",
    "detained",
    "status",
    "detention_date",
    "release_date",
    "facility",
    "household",
    "reasons",
    "conflicts",
    "records",
]
RECORD_COLUMNS = ["person", "sha256", "path", "sheet_index", "sheet", "row", "record"]


def _csv(columns: list[str], rows: list[list[object]]) -> tuple[int, bytes]:
    """A CSV file of ``rows`` (their text cells already made safe with :func:`_text`)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(columns)
    w.writerows(rows)
    return len(rows), csv_bytes(buf.getvalue())


def _text(v: object) -> str:
    """A cell: empty for None, never a spreadsheet formula (leaked text is hostile)."""
    return "" if v is None else csv_safe(str(v))


def _person_row(p: PersonFacts) -> list[object]:
    return [
        p.id,
        _text(p.name),
        _text(p.id_number),
        _text(p.sex),
        _text(p.ethnicity),
        _text(p.birth_date),
        _text(p.county),
        _text(p.township),
        _text(p.village),
        int(p.resident),
        int(p.detained),
        p.status if p.detained else "",
        _text(p.detention_date),
        _text(p.release_date),
        _text(p.facility),
        _text(p.household),
        _text(" | ".join(p.reasons)),
        ", ".join(p.conflicts),
        len(p.sources),
    ]


def references(a: Analysis) -> tuple[list[Reference], list[CsvFile]]:
    """Number every count with people (N1, N2… in table order) and write who they are:
    the index of the references, the people of each, the people, their records."""
    number_counts(a.tables)
    index: list[Reference] = []
    chunks: list[str] = ["ref,person\n"]
    line = 1
    referenced: set[int] = set()
    for t in a.tables:
        for row in t.rows:
            for j, v in enumerate(row):
                if isinstance(v, Count) and v.ref:
                    chunks.append("".join(f"{v.ref},{pid}\n" for pid in v.people))
                    index.append(
                        Reference(
                            v.ref,
                            t.key,
                            t.title,
                            plain(row[0]),
                            t.columns[j],
                            v.n,
                            line + 1,
                            line + v.n,
                            words.cell(t, row, 0),
                            words.text(t.columns[j]),
                        )
                    )
                    line += v.n
                    referenced.update(v.people)
    people = [a.people[i] for i in sorted(referenced) if i in a.people]
    n_index, index_csv = _csv(
        ["ref", "table", "title", "row", "column", "n", "first_line", "last_line"],
        [[r.ref, r.table, r.title, _text(r.row), r.column, r.n, r.first, r.last] for r in index],
    )
    n_people, people_csv = _csv(PEOPLE_COLUMNS, [_person_row(p) for p in people])
    n_records, records_csv = _csv(
        RECORD_COLUMNS,
        [
            [p.id, s.sha256, _text(s.path), s.sheet_index, _text(s.sheet), s.row, s.ref()]
            for p in people
            for s in p.sources
        ],
    )
    files = [
        CsvFile("ref_index.csv", n_index, index_csv),
        CsvFile("ref_counts.csv", line - 1, csv_bytes("".join(chunks))),
        CsvFile("ref_people.csv", n_people, people_csv),
        CsvFile("ref_records.csv", n_records, records_csv),
    ]
    return index, files


def charts(a: Analysis, href: str = "#", pdf: bool = False) -> list[Markup]:
    """The report's and the workbench's charts, in the language being rendered (a PDF in a
    right-to-left language: as HTML, see :func:`guwah.analyse.charts.bars_html`)."""
    rtl = current_language.get().direction == "rtl"
    draw = (lambda t, i, j, title, _href: bars_html(t, i, j, title)) if pdf and rtl else bars
    return [
        draw(words.shown(a.table("monthly")), 0, 1, gettext("Detentions by month"), href),
        draw(words.shown(a.table("detained_by_status")), 1, 4, gettext("Detained by status"), href),
        draw(
            words.shown(a.table("reasons")), 1, 4, gettext("Detention reasons (multi-label)"), href
        ),
    ]


def _context(
    a: Analysis, refs: list[Reference], files: list[CsvFile], pdf: bool = False
) -> dict[str, Any]:
    lang = current_language.get()
    return {
        "a": a,
        "generated": words.moment(utcnow()),
        "version": __version__,
        "methods": methods(a),
        "tables": [words.shown(t) for t in a.tables],
        "references": refs,
        "files": files,
        "charts": charts(a, pdf=pdf),
        "lang_code": lang.code,
        "rtl": lang.direction == "rtl",
        "english": words.english(),
    }


def _demography(case: Case) -> Markup:
    """The yearbook figures imported with ``guwah stats import``, each linked to its cell in
    the workbench's item viewer (guwah.stats)."""
    from guwah.stats.report import render_report_section

    return Markup(render_report_section(case, base_url="http://127.0.0.1:8000"))


def _officials(case: Case) -> Markup:
    """The implicated but not sanctioned officials, with the list versions (guwah.officials);
    nothing when the case has no officials or no lists."""
    from guwah.officials.report import render_report_section

    return Markup(render_report_section(case))


def _env() -> Environment:
    """The report's templates: their words through the interface's catalogue (Babel extracts
    them: babel.cfg), in the language of :data:`guwah.web.i18n.current_language`."""
    env = Environment(
        loader=PackageLoader("guwah.analyse", "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_callables(gettext, ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.globals.update(
        is_count=lambda v: isinstance(v, Count),
        plain=plain,
        num=words.number,
        day=words.day,
        code_word=words.code_word,
    )
    env.filters["code_word"] = words.code_word
    return env


def render_html(
    case: Case,
    a: Analysis,
    pdf: bool = False,
    folder: str = "report_tables",
    pseudonymiser: Pseudonymiser | None = None,
    lang: str | None = None,
) -> tuple[str, list[CsvFile]]:
    """The report's HTML and the CSV files it references (not yet written: see
    :func:`write_report`); ``folder`` is the name the report gives their folder. With a
    ``pseudonymiser`` the CSVs are redacted before their digests go into the report, and
    then the report itself. ``lang``: ``ug`` or ``zh-Hans`` for the report's words in Uyghur
    or Chinese (the CSVs stay as they are: their columns are names for programs)."""
    with words.speaking(lang):
        return _render_html(case, a, pdf, folder, pseudonymiser)


def _render_html(
    case: Case, a: Analysis, pdf: bool, folder: str, pseudonymiser: Pseudonymiser | None
) -> tuple[str, list[CsvFile]]:
    refs, files = references(a)
    tables = [
        CsvFile(f"{t.key}.csv", len(t.rows), csv_bytes(table_csv(t)))
        for t in [*a.tables, a.matrix.long_table()]
    ]
    every = [*files, *tables]
    if pseudonymiser is not None:
        every = [replace(f, data=pseudonymiser.redact_csv_bytes(f.data)) for f in every]
    html = (
        _env()
        .get_template("report.html")
        .render(
            **_context(a, refs, every, pdf),
            case_root=str(case.root),
            demography=_demography(case),
            officials=_officials(case),
            folder=folder,
            pdf=pdf,
            pseudonymised=pseudonymiser is not None,
        )
    )
    if pseudonymiser is not None:
        html = pseudonymiser.redact_html(html)
    return html, every


def write_report(
    case: Case,
    options: Options,
    out: Path,
    pseudonymiser: Pseudonymiser | None = None,
    lang: str | None = None,
) -> float:
    """Write ``out`` (.html or .pdf) and, in ``<out stem>_tables/``, every table and the
    references' people and records as CSV (their SHA-256 in the report); returns the seconds."""
    started = time.perf_counter()
    case.migrate()
    pdf = out.suffix.lower() == ".pdf"
    folder = out.parent / f"{out.stem}_tables"
    with no_cycle_collection():
        with case.sessions() as session:
            a = analyse(session, options)
        html, files = render_html(
            case, a, pdf=pdf, folder=folder.name, pseudonymiser=pseudonymiser, lang=lang
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    folder.mkdir(parents=True, exist_ok=True)
    for f in files:
        (folder / f.name).write_bytes(f.data)
    if pdf:
        from PIL import ImageFile

        strict = ImageFile.LOAD_TRUNCATED_IMAGES
        from weasyprint import HTML  # sets PIL's LOAD_TRUNCATED_IMAGES for the whole process

        ImageFile.LOAD_TRUNCATED_IMAGES = strict  # truncated photos must stay errors elsewhere
        HTML(string=html, base_url=str(out.parent)).write_pdf(out)
    else:
        out.write_text(html, encoding="utf-8")
    return time.perf_counter() - started
