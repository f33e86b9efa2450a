"""``guwah search``: full-text search over the case, and rebuilding the index."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated

import typer

from guwah.cli_options import CaseOpt, case_errors, open_case
from guwah.console import RichProgress, console, err_console
from guwah.textsafe import for_terminal

if TYPE_CHECKING:
    from guwah.case import Case
    from guwah.core import Progress
    from guwah.search.stage import Hit, IndexStats, SearchResult


def _where(hit: Hit) -> str:
    if hit.kind == "page":
        if hit.method != "ocr":
            return f"page {hit.page_no}"
        return f"page {hit.page_no} (OCR" + (
            ", unreliable: check the scan)" if hit.unreliable else ")"
        )
    if hit.kind == "row":
        return f"sheet {hit.sheet!r} row {hit.row}"
    return hit.type


def _marked(hit: Hit) -> str:
    out, pos = [], 0
    text = hit.snippet.text
    for start, end in hit.snippet.marks:
        out += [
            for_terminal(text[pos:start]),
            "[bold yellow]",
            for_terminal(text[start:end]),
            "[/]",
        ]
        pos = end
    out.append(for_terminal(text[pos:]))
    return "".join(out)


#: the option of the stages that end by updating the index (records, verify)
IndexOpt = Annotated[
    bool,
    typer.Option(
        "--index/--no-index",
        help="Update the search index at the end, so its facets follow; "
        "--no-index leaves that to `guwah search --update`.",
    ),
]


def index_after(case: Case, progress: Progress, index: bool) -> IndexStats | None:
    """The index update a stage ends with; with ``index`` False, only the reminder."""
    if index:
        return update_search_index(case, progress)
    err_console.print(
        "[yellow]Search index not updated[/] (--no-index): its facets are stale until "
        f"`guwah search --update --case {case.root}`."
    )
    return None


def update_search_index(case: Case, progress: Progress | None = None) -> IndexStats | None:
    """Index what a stage added or changed (incrementally); a failure is reported, never
    fails the command that called it: the index is derived data and can be rebuilt."""
    from guwah.search.stage import build_index

    try:
        return build_index(case, full=False, progress=progress)
    except Exception as exc:
        err_console.print(
            f"[yellow]Warning:[/] the search index was not updated ({exc}); "
            "run `guwah search --update`."
        )
        return None


def print_index_update(stats: IndexStats) -> None:
    """One line on what the incremental update of the index did."""
    removed = f", {stats.docs_removed:,} replaced or removed" if stats.docs_removed else ""
    findings = ", findings marked" if stats.findings_updated else ""
    console.print(
        f"Search index: {stats.docs_added:,} documents added{removed}{findings} "
        f"({stats.docs_total:,} in all) in {stats.seconds:.1f} s"
    )


def print_result(result: SearchResult) -> None:
    from rich.table import Table

    more = "" if result.exact else "+"
    console.print(
        f"{result.total:,}{more} matches for {for_terminal(repr(result.query))} in {result.seconds * 1000:.0f} ms"
    )
    if not result.exact:
        console.print(
            f"[dim]Counted, faceted and ranked among the first {result.total:,} matches: "
            "narrow the query or add a filter to see them all.[/]"
        )
    for n, hit in enumerate(result.hits, 1):
        console.print(
            f"[bold]{n}. {for_terminal(hit.path or hit.title)}[/] — {for_terminal(_where(hit))} "
            f"[dim]sha256 {hit.sha256[:16]}…[/]"
        )
        console.print("   " + _marked(hit), highlight=False)
    if result.facets:
        table = Table(title="Facets", show_header=True)
        table.add_column("facet")
        table.add_column("counts")
        for name, counts in result.facets.items():
            table.add_row(name, ", ".join(f"{for_terminal(v)} ({c:,})" for v, c in counts.items()))
        console.print(table)


def search_command(
    query: Annotated[
        str | None,
        typer.Argument(help='Words, "phrases", ID numbers, field:value filters.'),
    ] = None,
    case_dir: CaseOpt = None,
    type_: Annotated[
        str | None,
        typer.Option("--type", help="Only this type: image, spreadsheet, document, archive."),
    ] = None,
    kind: Annotated[str | None, typer.Option(help="Only pages, rows or items.")] = None,
    county: Annotated[str | None, typer.Option(help="Only this county (疏附县).")] = None,
    facility: Annotated[str | None, typer.Option(help="Only this facility.")] = None,
    limit: Annotated[int, typer.Option(help="How many hits to show.")] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    rebuild: Annotated[
        bool, typer.Option("--rebuild", help="Rebuild the whole index from the case.")
    ] = False,
    update: Annotated[
        bool, typer.Option("--update", help="Index what is new since the last build.")
    ] = False,
) -> None:
    """Search the case: text of pages and scans, spreadsheet rows, EXIF, metadata, paths.

    Chinese is found inside sentences (a two-character name too), Uyghur in Arabic or Latin
    script, English, ID numbers exactly (or a 6-digit region prefix). Filters in the query
    or as options: type:image county:疏附县 facility:… kind:row from:2018-01 to:2018-06
    findings:yes (是); "a phrase"; a OR b; -not. The index is updated at the end of every
    ingest, extract, records and verify.

    Example: [bold]guwah search 吐尔地 --case cases/xpf[/]

    Example: [bold]guwah search '"阿不都热依木·吐尔地" type:spreadsheet county:疏附县' --json[/]

    Example: [bold]guwah search --rebuild --case cases/xpf[/]
    """
    from guwah.search.query import QueryError
    from guwah.search.stage import build_index, search

    case = open_case(case_dir)
    if rebuild or update:
        with case_errors(), RichProgress() as progress:
            stats = build_index(case, full=rebuild, progress=progress)
        console.print(
            f"Search index: {stats.items_indexed:,} items indexed, {stats.docs_added:,} "
            f"documents added, {stats.docs_removed:,} removed, {stats.docs_total:,} in all, "
            f"in {stats.seconds:.1f} s"
        )
        if query is None:
            return
    if query is None:
        err_console.print("Give a QUERY (or --rebuild). See guwah search --help.")
        raise typer.Exit(2)
    filters = {"type": type_, "kind": kind, "county": county, "facility": facility}
    try:
        result = search(case, query, limit=limit, filters={k: v for k, v in filters.items() if v})
    except QueryError as exc:
        err_console.print(f"[red]Error:[/] {exc}")
        raise typer.Exit(2) from exc
    if as_json:
        print(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
        return
    print_result(result)
    if not result.hits:
        raise typer.Exit(1)
