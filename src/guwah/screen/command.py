"""The ``guwah screen`` command."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from guwah.cli_options import CaseOpt
from guwah.console import RichProgress, console, err_console


def screen_command(
    suppliers: Annotated[
        Path,
        typer.Argument(help="Suppliers as CSV or XLSX (name, address, country, uscc, parent)."),
    ],
    out: Annotated[Path, typer.Option("--out", help="The report: .xlsx, .csv or .json.")],
    list_names: Annotated[
        list[str] | None, typer.Option("--list", help="Only these lists (default: all).")
    ] = None,
    threshold: Annotated[float, typer.Option(help="Score at which a list hit is a match.")] = 0.7,
    case_dir: CaseOpt = None,
) -> None:
    """Screen suppliers against the imported lists and forced-labour indicators (Xinjiang
    addresses, XPCC affiliation, listed parents): a risk level per supplier with reasons.

    Rows that cannot be read get an error of their own; the rest are screened.

    Example: [bold]guwah screen suppliers.xlsx --out report.xlsx --case cases/xpf[/]
    """
    from guwah.lists.command import open_matcher
    from guwah.screen.report import write
    from guwah.screen.stage import screen_file
    from guwah.screen.suppliers import SupplierFileError

    if out.suffix.lower() not in (".xlsx", ".csv", ".json"):
        err_console.print("[red]Error:[/] --out must end in .xlsx, .csv or .json")
        raise typer.Exit(2)
    if not suppliers.is_file():
        err_console.print(f"[red]Error:[/] {escape(str(suppliers))}: no such file")
        raise typer.Exit(2)
    matcher = open_matcher(case_dir, list_names)
    if not matcher.entities:
        err_console.print("[yellow]Warning:[/] no lists imported: only the indicators are checked")
    try:
        with RichProgress() as progress:
            report = screen_file(matcher, suppliers, threshold=threshold, progress=progress)
    except SupplierFileError as exc:
        err_console.print(f"[red]Error:[/] {escape(str(exc))}")
        raise typer.Exit(2) from exc
    write(report, out)
    c = report.counts()
    console.print(
        f"Screened {len(report.results):,} suppliers in {report.seconds:.1f} s: "
        f"{c['high']} high, {c['medium']} medium, {c['low']} low, {c['none']} none, "
        f"{c['error']} rows with errors. Report: {escape(str(out))}"
    )
