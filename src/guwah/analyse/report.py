"""The report: HTML (every number links to its people, each person to their records) or
PDF (WeasyPrint; the same links, and an appendix that lists them), every table also as CSV.

Leaked text is escaped by Jinja's autoescape; fonts for Chinese (Noto CJK) and Uyghur (Noto
Naskh/Sans Arabic, Debian ``fonts-noto-core``) come from the system, never the network.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from guwah import __version__
from guwah.analyse.charts import bars
from guwah.analyse.facts import PersonFacts, Source
from guwah.analyse.stage import Analysis, Options, analyse
from guwah.analyse.tables import Count, number_counts, plain, write_csvs
from guwah.analyse.taxonomy import matrix_rules, reasons, statuses
from guwah.case import Case
from guwah.core import utcnow


@dataclass
class FileRef:
    n: int
    sha256: str
    path: str


def methods(a: Analysis) -> list[tuple[str, str]]:
    """The definitions, denominators, exclusions and the conflict rule, in words."""
    lo, hi = statuses().plausible
    census = (
        f"{a.census.source_path} (sha256 {a.census.sha256}, sheet {a.census.sheet}, "
        f"{a.census.n_counties} regions, imported {a.census.imported_at:%Y-%m-%d %H:%M} UTC, "
        f"{len(a.census.problems)} problems recorded)"
        if a.census
        else "none imported: census rates are left empty"
    )
    window = f"{a.options.window[0]}..{a.options.window[1]}" if a.options.window else "none"
    return [
        (
            "Unit",
            "Resolved people, never rows: records with the same ID number (else name and "
            "full birth date) are one person (guwah records). A person in five sheets counts once. "
            "People known only from photos are not counted: no record says anything of them.",
        ),
        (
            "Detained",
            "A person any of whose records gives a detention reason, facility, "
            "detention or release date, or a detention status (status taxonomy v"
            f"{statuses().version}).",
        ),
        (
            "Window",
            f"{window}. With a window, only detainees whose detention date falls in it "
            "are counted; those without a date are reported, not counted.",
        ),
        (
            "Reference date",
            f"{a.as_of}: the end of the window, else the latest detention date. "
            "Ages: at the detention date for detainees, at the reference date for everyone else.",
        ),
        (
            "First denominator",
            "Residents listed in the leak's household registers (sheets with "
            "a household number or relation-to-head column, or a 户籍/人口信息 title), by the same "
            "place and group as the numerator. Used first because it covers exactly the people the "
            "leak's lists cover; its shares carry 95 % Wilson intervals.",
        ),
        (
            "Second denominator",
            f"The census: {census}. Used where the leak holds no resident "
            "list, and beside it at county level; census shares are lower bounds.",
        ),
        (
            "Place of residence",
            "County, township and village from the person's address columns "
            "(户籍地址, 现住址, 所在村…); only when no record of the person gives an address, from "
            "the register that lists them (its title, sheet name, file path).",
        ),
        (
            "Conflicts",
            "Detention date: the earliest plausible; release date: the latest; "
            "facility, household, place: the most frequent, a tie going to the record read first; "
            "sex, ethnicity, birth date: the records stage's most frequent value. Every disagreement "
            "is counted in the 'conflicting' line and the Conflicts table.",
        ),
        (
            "Exclusions",
            f"Dates outside {lo}..{hi} or before the person's birth are listed "
            "(Dates reported and not counted) and not used.",
        ),
        (
            "Reasons",
            f"Reason taxonomy v{reasons().version}: Chinese and Uyghur words, multi-label; "
            "the unclassified are listed; a reviewer's relabel (custody log) overrides.",
        ),
        (
            "Violation matrix",
            f"Rules v{matrix_rules()['version']} suggest evidence per cell; a "
            "suggestion is not a legal finding until a reviewer confirms it.",
        ),
    ]


def _context(case: Case, a: Analysis, pdf: bool) -> dict[str, Any]:
    tables = [*a.tables]
    counts = number_counts(tables, wholes=not pdf)
    needed = sorted({pid for c in counts for pid in c.people})
    files: dict[str, FileRef] = {}
    people: list[tuple[PersonFacts, list[tuple[FileRef, Source]]]] = []
    for pid in needed:
        p = a.people.get(pid)
        if p is None:
            continue
        refs = []
        for s in p.sources:
            if s.sha256 not in files:
                files[s.sha256] = FileRef(len(files) + 1, s.sha256, s.path)
            refs.append((files[s.sha256], s))
        people.append((p, refs))
    charts = [
        bars(a.table("monthly"), 0, 1, "Detentions by month"),
        bars(a.table("detained_by_status"), 1, 4, "Detained by status"),
        bars(a.table("reasons"), 1, 4, "Detention reasons (multi-label)"),
    ]
    return {
        "a": a,
        "case_root": str(case.root),
        "generated": f"{utcnow():%Y-%m-%d %H:%M} UTC",
        "version": __version__,
        "methods": methods(a),
        "tables": tables,
        "counts": counts,
        "people": people,
        "files": sorted(files.values(), key=lambda f: f.n),
        "charts": charts,
        "demography": _demography(case),
    }


def _demography(case: Case) -> Markup:
    """The yearbook figures imported with ``guwah stats import``, each linked to its cell in
    the workbench's item viewer (guwah.stats)."""
    from guwah.stats.report import render_report_section

    return Markup(render_report_section(case, base_url="http://127.0.0.1:8000"))


def _env() -> Environment:
    env = Environment(
        loader=PackageLoader("guwah.analyse", "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(is_count=lambda v: isinstance(v, Count), plain=plain)
    return env


def render_html(case: Case, a: Analysis, pdf: bool = False) -> str:
    return _env().get_template("report.html").render(**_context(case, a, pdf), pdf=pdf)


def write_report(case: Case, options: Options, out: Path) -> float:
    """Write ``out`` (.html or .pdf) and ``<out stem>_tables/*.csv``; returns the seconds."""
    started = time.perf_counter()
    case.migrate()
    with case.sessions() as session:
        a = analyse(session, options)
    pdf = out.suffix.lower() == ".pdf"
    html = render_html(case, a, pdf=pdf)
    out.parent.mkdir(parents=True, exist_ok=True)
    if pdf:
        from PIL import ImageFile

        strict = ImageFile.LOAD_TRUNCATED_IMAGES
        from weasyprint import HTML  # sets PIL's LOAD_TRUNCATED_IMAGES for the whole process

        ImageFile.LOAD_TRUNCATED_IMAGES = strict  # truncated photos must stay errors elsewhere
        HTML(string=html, base_url=str(out.parent)).write_pdf(out)
    else:
        out.write_text(html, encoding="utf-8")
    write_csvs([*a.tables, a.matrix.long_table()], out.parent / f"{out.stem}_tables")
    return time.perf_counter() - started
