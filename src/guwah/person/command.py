"""``guwah person``: find a person by name (any script) or ID number."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated

import typer

from guwah.cli_options import CaseOpt, open_case
from guwah.console import console, err_console
from guwah.textsafe import for_terminal

if TYPE_CHECKING:
    from guwah.person.stage import PersonHit


def person_command(
    query: Annotated[str, typer.Argument(help="A name in any script, or an ID number.")],
    case_dir: CaseOpt = None,
    born: Annotated[
        int | None, typer.Option(help="Birth year (give or take --born-within).")
    ] = None,
    born_within: Annotated[
        int, typer.Option(help="Years either side of --born that still count.", min=0, max=20)
    ] = 1,
    county: Annotated[
        str | None,
        typer.Option(help="County or township in any script: 疏附, Shufu, Konasheher, كونا شەھەر."),
    ] = None,
    age: Annotated[
        str | None,
        typer.Option(help="Age as a family knows it: AGE or AGE@YEAR (40@2018: 40 in 2018)."),
    ] = None,
    limit: Annotated[int, typer.Option(help="How many people to show.")] = 10,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Find a person by name (any script) or ID number: records, photos and findings.

    Run `guwah records` first: people are resolved from the records.

    Example: [bold]guwah person "Abdurehim Turdi" --born 1984 --case cases/xpf[/]
    or: [bold]guwah person "Ferhat Ishak" --age 41@2018 --county Konasheher --case cases/xpf[/]
    """
    from guwah.person.stage import find_people, parse_age

    try:
        known_age = parse_age(age) if age else None
    except ValueError as exc:
        err_console.print(f"[red]Error:[/] {exc}")
        raise typer.Exit(2) from exc
    case = open_case(case_dir)
    with case.sessions() as session:
        hits = find_people(
            session,
            query,
            born=born,
            county=county,
            limit=limit,
            born_within=born_within,
            age=known_age,
        )
    if as_json:
        print(json.dumps([h.as_dict() for h in hits], ensure_ascii=False, indent=2))
        return
    if not hits:
        console.print(
            f"No person matches {query!r}. Check the spelling, drop --born/--county, or run "
            "`guwah records` if the records have not been built."
        )
        raise typer.Exit(1)
    print_people(hits)


def print_people(hits: list[PersonHit]) -> None:
    """Ranked people with their records (provenance), photos and findings."""
    for rank, hit in enumerate(hits, 1):
        p = hit.person
        console.print(
            f"[bold]{rank}. {for_terminal(p.name or '(no name)')}[/]  ID {for_terminal(p.id_number or '—')}  "
            f"born {for_terminal(p.birth_date or '—')}  {for_terminal(p.sex or '')} "
            f"{for_terminal(p.ethnicity or '')}  score {hit.score:.2f}",
            highlight=False,
        )
        console.print(f"   {for_terminal(hit.explanation)}", highlight=False)
        if len(p.names) > 1:
            console.print(f"   names in the sources: {for_terminal(', '.join(p.names))}")
        for field_name, values in (p.conflicts or {}).items():
            shown = for_terminal("; ".join(str(v.get("value")) for v in values))
            console.print(
                f"   [red]conflicting {for_terminal(field_name)}:[/] {shown}", highlight=False
            )
        for r in p.records:
            fields = ", ".join(f"{v.field}={v.value}" for v in r.values if v.field and v.value)
            console.print(
                f"   record: {for_terminal(r.path)} sheet {for_terminal(repr(r.sheet))} "
                f"row {r.row} (sha256 {r.sha256[:12]}…): {for_terminal(fields)}",
                highlight=False,
            )
        for photo in p.photos:
            console.print(
                f"   photo: {for_terminal(photo.path)} (sha256 {photo.sha256[:12]}…)",
                highlight=False,
            )
        for f in hit.findings:
            shown = for_terminal(f"[{f['severity']}] {f['title']}")
            console.print(f"   finding: {shown}")
