"""``guwah records``: build records and people from the case's sheets, review, export."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from guwah.cli_options import (
    CaseOpt,
    PseudonymiseOpt,
    case_errors,
    exported,
    open_case,
    pseudonymiser_if,
)
from guwah.console import RichProgress, console, err_console
from guwah.search.command import IndexOpt

if TYPE_CHECKING:
    from guwah.records.stage import RecordsStats

records_app = typer.Typer(rich_markup_mode="rich")


def print_stats(stats: RecordsStats) -> None:
    from rich.table import Table

    table = Table(title="Records", show_header=False)
    table.add_column("what")
    table.add_column("count", justify="right")
    rows: list[tuple[str, str]] = [
        ("sheets read / skipped", f"{stats.sheets_read:,} / {stats.sheets_skipped:,}"),
        ("records", f"{stats.records:,}"),
        ("values", f"{stats.values:,}"),
        ("unknown columns (kept)", f"{stats.unknown_columns:,}"),
        ("rows skipped (blank, footer, notes)", f"{stats.skipped_rows:,}"),
        ("people", f"{stats.people:,}"),
        ("  with an ID number", f"{stats.people_with_id:,}"),
        ("  with conflicting names or birth dates under one ID", f"{stats.id_conflicts:,}"),
        ("  known from photos only", f"{stats.people_from_photos_only:,}"),
        ("photos linked", f"{stats.photos_linked:,}"),
        ("relatives named / linked", f"{stats.relations:,} / {stats.relations_linked:,}"),
    ]
    for problem, n in sorted(stats.problems.items()):
        rows.append((f"values flagged {problem}", f"{n:,}"))
    for what, count in rows:
        table.add_row(what, count)
    console.print(table)
    console.print(
        f"Built in {stats.seconds:.1f} s (lexicon v{stats.lexicon_version}). "
        "Review the mapping: guwah records report"
    )


def _build(case_dir: Path | None, index: bool) -> None:
    from guwah.records.stage import build_records
    from guwah.search.command import index_after, print_index_update

    case = open_case(case_dir)
    with case_errors(), RichProgress() as progress:
        stats = build_records(case, progress=progress)
        updated = index_after(case, progress, index)  # rows now have fields: facets follow
    print_stats(stats)
    if updated is not None:
        print_index_update(updated)


@records_app.callback(invoke_without_command=True)
def records_main(ctx: typer.Context, case_dir: CaseOpt = None, index: IndexOpt = True) -> None:
    """Records and people out of the case's spreadsheets: build, review the mapping, export.

    Without a command: (re-)build them, as [bold]guwah records build[/] does.

    Example: [bold]guwah records --case cases/xpf[/]
    """
    if ctx.invoked_subcommand is None:
        _build(case_dir, index)


@records_app.command("build")
def build_command(case_dir: CaseOpt = None, index: IndexOpt = True) -> None:
    """Find each sheet's header, map its columns, read records with provenance, resolve people.

    Re-running replaces what an earlier build wrote: nothing is duplicated. The search index
    is updated at the end (its rows gain county and facility facets).

    Example: [bold]guwah records build --case cases/xpf[/]
    """
    _build(case_dir, index)


@records_app.command("report")
def report_command(
    case_dir: CaseOpt = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Write the report to FILE.md or FILE.json."),
    ] = None,
    pseudonymise: PseudonymiseOpt = False,
) -> None:
    """Show which column of which sheet was read as what (header, field, score), for review.

    Example: [bold]guwah records report --case cases/xpf --out mapping.md --pseudonymise[/]
    """
    from rich.table import Table

    from guwah.records.report import mapping_report, to_json, to_markdown

    case = open_case(case_dir)
    with case.sessions() as session:
        report = mapping_report(session)
    if not report:
        err_console.print("No records built yet: run [bold]guwah records build[/] first.")
        raise typer.Exit(1)
    pseudo = pseudonymiser_if(case, pseudonymise)
    if pseudo is not None:
        report = pseudo.walk(report)
    if out is not None:
        text = to_json(report) if out.suffix.lower() == ".json" else to_markdown(report)
        out.write_text(text + "\n", encoding="utf-8")
        exported(case, "records report", out, pseudo)
        console.print(f"Wrote the mapping report of {len(report):,} sheets to {out}")
        return
    for s in report:
        title = f"{s['path']} — sheet {s['sheet_index'] + 1} “{s['sheet']}” ({s['sha256'][:12]}…)"
        if s["status"] != "read":
            console.print(f"[yellow]skipped[/] {title}: {s['reason']}", markup=True)
            continue
        table = Table(title=title, title_justify="left")
        for col in ("col", "header", "field", "score", "method"):
            table.add_column(col)
        for c in s["columns"]:
            table.add_row(
                c["letter"],
                c["header"],
                c["field"] or "[red]unknown (kept)[/]",
                f"{c['score']:.2f}",
                c["method"],
            )
        console.print(table)
        console.print(
            f"header rows {s['header_rows']}, {s['records']:,} records, "
            f"{s['skipped_rows']} rows skipped\n"
        )


@records_app.command("export")
def export_command(
    out: Annotated[Path, typer.Argument(help="CSV file to write (UTF-8 with BOM).")],
    case_dir: CaseOpt = None,
    pseudonymise: PseudonymiseOpt = False,
) -> None:
    """Write one row per record: provenance (SHA-256, path, sheet, row) and its fields.

    Example: [bold]guwah records export records.csv --pseudonymise --case cases/xpf[/]
    """
    from guwah.records.export import export_csv

    case = open_case(case_dir)
    pseudo = pseudonymiser_if(case, pseudonymise)
    with case.sessions() as session:
        n = export_csv(session, out, pseudonymiser=pseudo)
    exported(case, "records export", out, pseudo)
    console.print(f"Wrote {n:,} records to {out}" + (" (pseudonymised)" if pseudo else ""))
