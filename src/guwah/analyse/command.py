"""``guwah analyse``, ``guwah report`` and ``guwah reference import census``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table as RichTable

from guwah.cli_options import (
    CaseOpt,
    PseudonymiseOpt,
    case_errors,
    exported,
    open_case,
    pseudonymiser_if,
)
from guwah.console import console, err_console

if TYPE_CHECKING:
    from guwah.access.pseudonym import Pseudonymiser

analyse_app = typer.Typer(rich_markup_mode="rich")
reference_app = typer.Typer(help="Reference data: census denominators.", no_args_is_help=True)
import_app = typer.Typer(help="Import a reference file into the case.", no_args_is_help=True)
reference_app.add_typer(import_app, name="import")

ByOpt = Annotated[str, typer.Option("--by", help="county, township, village or facility.")]
GroupOpt = Annotated[
    str, typer.Option("--group", help="Any of ethnicity,sex,age (comma-separated).")
]
WindowOpt = Annotated[
    str | None, typer.Option("--window", help="Detention dates to count: YYYY-MM..YYYY-MM.")
]


def _print(analysis: object, pseudo: Pseudonymiser | None = None) -> None:
    from guwah.analyse.stage import Analysis
    from guwah.analyse.tables import plain

    assert isinstance(analysis, Analysis)
    shown = pseudo.redact if pseudo is not None else str
    for t in analysis.tables:
        if t.key == "violation_matrix_evidence":
            continue
        rt = RichTable(title=escape(t.title), title_justify="left")
        keep = [i for i, c in enumerate(t.columns) if c != "reasoning"]  # in the CSV and report
        for i in keep:
            rt.add_column(escape(t.columns[i]))
        for row in t.rows[:60]:
            rt.add_row(*[escape(shown(plain(row[i]))[:80]) for i in keep])  # leaked: no markup
        if len(t.rows) > 60:
            rt.caption = f"{len(t.rows) - 60} more rows: --out DIR writes every table as CSV"
        console.print(rt)
    console.print(f"Analysed {len(analysis.people):,} people in {analysis.seconds:.1f} s.")


@analyse_app.callback(invoke_without_command=True)
def analyse_main(
    ctx: typer.Context,
    case_dir: CaseOpt = None,
    by: ByOpt = "village",
    group: GroupOpt = "",
    window: WindowOpt = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="Write every table as CSV here.")
    ] = None,
    pseudonymise: PseudonymiseOpt = False,
) -> None:
    """Counts and rates of the detention over resolved people: by place or facility, status,
    groups, months, households, children, reasons, the violation matrix.

    Example: [bold]guwah analyse --case cases/xpf --by county --group sex,age --window 2017-01..2018-12 --out tables/[/]
    """
    if ctx.invoked_subcommand is not None:
        return
    from guwah.analyse.stage import analyse, parse_options
    from guwah.analyse.tables import write_csvs
    from guwah.config import MemoryBound

    case = open_case(case_dir)
    with case_errors():
        opts = parse_options(by, group, window)
        case.migrate()
        with case.sessions() as session:
            result = analyse(session, opts, MemoryBound.of(case))
    pseudo = pseudonymiser_if(case, pseudonymise)
    _print(result, pseudo)
    if out is not None:
        paths = write_csvs([*result.tables, result.matrix.long_table()], out)
        if pseudo is not None:
            for path in paths:
                pseudo.redact_csv(path)
        exported(case, "analyse --out", out, pseudo)
        console.print(
            f"Wrote {len(paths)} CSV files to {out}" + (" (pseudonymised)" if pseudo else "")
        )


@analyse_app.command("relabel")
def relabel_command(
    reason: Annotated[
        str, typer.Argument(help="The reason text exactly as normalised in the records.")
    ],
    label: Annotated[
        list[str], typer.Option("--label", help="A category code (repeat); none: unclassified.")
    ] = [],  # noqa: B006
    reviewer: Annotated[str, typer.Option("--reviewer", help="Who decides.")] = "",
    note: Annotated[str, typer.Option("--note")] = "",
    case_dir: CaseOpt = None,
) -> None:
    """Give a reason text its categories by hand (stored with who and when, logged in custody).

    Example: [bold]guwah analyse relabel 不放心人员 --label untrustworthy --reviewer "A. Researcher"[/]
    """
    from guwah.analyse.review import relabel

    case = open_case(case_dir)
    with case_errors():
        relabel(case, reason, list(label), reviewer, note)
    console.print(f"Relabelled {escape(reason)!s} → {', '.join(label) or '(unclassified)'}")


@analyse_app.command("decide")
def decide_command(
    category: Annotated[str, typer.Argument(help="OHCHR category code (arbitrary_detention …).")],
    act: Annotated[str, typer.Argument(help="Rome Statute art. 7(1) letter (e, f, h, i, k …).")],
    rule: Annotated[str, typer.Argument(help="The rule that made the suggestion.")],
    decision: Annotated[str, typer.Argument(help="confirmed or rejected.")],
    reviewer: Annotated[str, typer.Option("--reviewer", help="Who decides.")] = "",
    evidence: Annotated[
        str, typer.Option("--evidence", help="One piece (record:SHA:SHEET:ROW); default: all.")
    ] = "",
    note: Annotated[str, typer.Option("--note")] = "",
    case_dir: CaseOpt = None,
) -> None:
    """Confirm or reject a violation-matrix suggestion (stored with who and when, logged).

    Example: [bold]guwah analyse decide arbitrary_detention e detained confirmed --reviewer "A. Researcher"[/]
    """
    from guwah.analyse.review import decide

    case = open_case(case_dir)
    with case_errors():
        decide(case, category, act, rule, decision, reviewer, evidence, note)
    console.print(f"{decision}: {category} × art. 7(1)({act}) by rule {rule}")


def report_command(
    out: Annotated[Path, typer.Option("--out", help="FILE.html or FILE.pdf")],
    case_dir: CaseOpt = None,
    by: ByOpt = "village",
    group: GroupOpt = "",
    window: WindowOpt = None,
    pseudonymise: PseudonymiseOpt = False,
    lang: Annotated[
        str,
        typer.Option(
            "--lang",
            help="The report's language: en, ug (Uyghur) or zh-Hans (Chinese); "
            "the CSVs beside it stay as they are.",
        ),
    ] = "en",
) -> None:
    """The analysis as a report: methods, tables, charts, the violation matrix, and for every
    number the people and records behind it (links in HTML, an appendix in PDF). Every table
    is also written as CSV beside it (OUT_tables/).

    Example: [bold]guwah report --case cases/xpf --out report.pdf --by county --lang ug[/]
    """
    from guwah.web.i18n import language

    if language(lang) is None:
        err_console.print(
            f"[red]Error:[/] --lang {escape(lang)}: choose en, ug (Uyghur) or zh-Hans (Chinese)"
        )
        raise typer.Exit(2)
    from guwah.analyse.report import write_report
    from guwah.analyse.stage import parse_options

    if out.suffix.lower() not in (".html", ".pdf"):
        err_console.print("[red]Error:[/] --out must end in .html or .pdf")
        raise typer.Exit(2)
    case = open_case(case_dir)
    with case_errors():
        opts = parse_options(by, group, window)
    pseudo = pseudonymiser_if(case, pseudonymise)
    with case_errors():
        seconds = write_report(case, opts, out, pseudo, lang=lang)
    exported(case, "report", out, pseudo)
    console.print(
        f"Wrote {out} and its tables as CSV in {out.parent / (out.stem + '_tables')} "
        f"({seconds:.1f} s)" + (", pseudonymised" if pseudo else "")
    )


@import_app.command("census")
def import_census_command(
    file: Annotated[
        Path,
        typer.Argument(help="A census workbook (xlsx) by county.", exists=True, dir_okay=False),
    ],
    custodian: Annotated[str, typer.Option(help="Who imports it (custody log).")] = "",
    case_dir: CaseOpt = None,
) -> None:
    """Import population by county (区划代码, 区县, 人口数_合计, by sex, minority share, age
    bands): stored by SHA-256 under CASE/reference/ and logged in the custody chain. The
    latest import is the census the analysis uses.

    Example: [bold]guwah reference import census census_county_2020_v1.xlsx --case cases/xpf[/]
    """
    from guwah.analyse.census import import_census

    case = open_case(case_dir)
    with case_errors():
        imp = import_census(case, file, custodian or case.settings.custodian)
    console.print(
        f"Imported {imp.n_counties:,} regions from {escape(str(file))} (sha256 {imp.sha256})"
    )
    for p in imp.problems[:40]:
        err_console.print(f"[yellow]problem:[/] {escape(p)}")
    if len(imp.problems) > 40:
        err_console.print(f"… and {len(imp.problems) - 40} more problems (stored with the import)")
