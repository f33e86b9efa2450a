"""The ``guwah lists`` commands: import a list file, show versions and changes, match."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from guwah.cli_options import CaseOpt, case_errors, open_case
from guwah.console import console, err_console

if TYPE_CHECKING:
    from guwah.lists.match import ListMatcher

lists_app = typer.Typer(
    help="Sanctions and forced-labour lists: import, versions and changes, matching.",
    no_args_is_help=True,
)

FORMAT_HELP = (
    "ofac-csv, ofac-xml, eu-csv, eu-xml, uk-csv, uk-xml, un-xml, uflpa-html, ftm (JSON lines), "
    "csv (columns name, schema, alias, birthDate …)"
)


def open_matcher(case_dir: Path | None, list_names: list[str] | None) -> ListMatcher:
    """The matcher over the newest version of the lists (all, or ``list_names``), or exit 2
    with a message naming a list the case does not have."""
    from guwah.lists.match import ListMatcher

    case = open_case(case_dir)
    with case.sessions() as session:
        try:
            return ListMatcher.from_session(session, list_names or None)
        except KeyError as exc:
            err_console.print(f"[red]Error:[/] {escape(str(exc.args[0]))}")
            raise typer.Exit(2) from exc


@lists_app.command("import")
def import_command(
    file: Annotated[Path, typer.Argument(help="The list file as published.")],
    fmt: Annotated[str, typer.Option("--format", help=FORMAT_HELP)],
    name: Annotated[
        str, typer.Option(help="The list's name in the case (default: ofac, eu …).")
    ] = "",
    as_of: Annotated[
        str, typer.Option("--as-of", help="The list's date, YYYY-MM-DD (default: today).")
    ] = "",
    custodian: Annotated[str, typer.Option(help="Who imports it (custody log).")] = "",
    case_dir: CaseOpt = None,
) -> None:
    """Import a list file as a new version: the file is preserved (SHA-256, custody), every
    person, company, organisation and public body stored, changes since the last version shown.

    Nothing is imported from a file with an error: the message names the line or element.

    Example: [bold]guwah lists import sdn.csv --format ofac-csv --name ofac --as-of 2024-05-03 --case cases/xpf[/]
    """
    from guwah.lists.entity import ListFormatError
    from guwah.lists.stage import import_list

    case = open_case(case_dir)
    with case_errors():
        try:
            result = import_list(case, file, fmt, name=name, as_of=as_of, custodian=custodian)
        except ListFormatError as exc:
            err_console.print(f"[red]Error:[/] {escape(str(exc))}. Nothing was imported.")
            raise typer.Exit(2) from exc
    v = result.version
    if result.already:
        console.print(
            f"{escape(file.name)} is already version {v.id} of list {v.name} ({v.as_of})."
        )
        return
    console.print(
        f"List [bold]{v.name}[/] version {v.id} ({v.as_of}): {v.entity_count:,} entities"
        + (f", {v.skipped:,} vessels/aircraft skipped" if v.skipped else "")
        + f"; file SHA-256 {v.sha256}"
    )
    if result.previous is not None:
        c = result.changes
        console.print(
            f"Since version {result.previous.id} ({result.previous.as_of}): "
            f"{len(c.added):,} added, {len(c.changed):,} changed, {len(c.removed):,} removed "
            "(delisted). `guwah lists changes` shows them."
        )


@lists_app.command("versions")
def versions_command(
    case_dir: CaseOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Every imported version of every list: date, entities, changes, file hash.

    Example: [bold]guwah lists versions --case cases/xpf[/]
    """
    from sqlalchemy import select

    from guwah.store.models_lists import ListVersion

    case = open_case(case_dir)
    with case.sessions() as session:
        rows = [
            v.as_dict()
            for v in session.scalars(select(ListVersion).order_by(ListVersion.name, ListVersion.id))
        ]
    if as_json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not rows:
        console.print("No lists imported. Import one with `guwah lists import FILE --format …`.")
    for r in rows:
        ch = r["changes"]
        console.print(
            f"{r['name']:<10} v{r['id']:<4} {r['as_of']}  {r['entities']:>7,} entities  "
            + (
                f"+{ch.get('added', 0)} ~{ch.get('changed', 0)} -{ch.get('removed', 0)}  "
                if ch
                else ""
            )
            + f"{r['sha256'][:16]}…  {escape(r['file_name'])}",
            highlight=False,
        )


@lists_app.command("changes")
def changes_command(
    name: Annotated[str, typer.Argument(help="The list's name.")],
    version: Annotated[int | None, typer.Option(help="Version id (default: the latest).")] = None,
    case_dir: CaseOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """What a version added, changed and removed (delisted) against the one before.

    Example: [bold]guwah lists changes ofac --case cases/xpf[/]
    """
    from guwah.lists.versions import change_detail, latest
    from guwah.store.models_lists import ListVersion

    case = open_case(case_dir)
    with case.sessions() as session:
        v = session.get(ListVersion, version) if version else latest(session, name)
        if v is None or v.name != name:
            err_console.print(f"[red]Error:[/] no such version of list {escape(name)}")
            raise typer.Exit(2)
        detail = change_detail(session, v)
    if as_json:
        print(json.dumps(detail, ensure_ascii=False, indent=2))
        return
    if not detail:
        console.print(
            f"Version {v.id} of {name} has no earlier version to compare with, or no changes."
        )
    for c in detail:
        line = f"{c['kind']:<9} {c['id']}  {c['caption']}"
        if c.get("properties"):
            line += "  (" + ", ".join(c["properties"]) + ")"
        console.print(line, markup=False, highlight=False)


@lists_app.command("match")
def match_command(
    name: Annotated[
        list[str], typer.Argument(help="Name(s) of one person or company, any script.")
    ],
    schema: Annotated[
        str, typer.Option(help="Person, Company, Organization, PublicBody, LegalEntity.")
    ] = "Person",
    born: Annotated[str, typer.Option(help="Birth date (1955, 1955-03 …).")] = "",
    nationality: Annotated[str, typer.Option(help="Nationality.")] = "",
    gender: Annotated[str, typer.Option(help="male or female.")] = "",
    uscc: Annotated[str, typer.Option(help="Registration code (USCC).")] = "",
    list_names: Annotated[
        list[str] | None, typer.Option("--list", help="Only these lists.")
    ] = None,
    threshold: Annotated[float, typer.Option(help="Score at which a hit is a match.")] = 0.7,
    limit: Annotated[int, typer.Option(help="How many hits.")] = 10,
    case_dir: CaseOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Match a person or company against the latest version of each imported list.

    Example: [bold]guwah lists match 陈全国 --born 1955 --case cases/xpf[/]
    """
    from guwah.lists.match import Query

    matcher = open_matcher(case_dir, list_names)
    q = Query(
        schema,
        list(name),
        birth_dates=[born] if born else [],
        nationalities=[nationality] if nationality else [],
        genders=[gender] if gender else [],
        identifiers=[uscc] if uscc else [],
    )
    hits = matcher.match(q, threshold=threshold, limit=limit)
    if as_json:
        print(json.dumps([h.as_dict() for h in hits], ensure_ascii=False, indent=2))
        return
    if not hits:
        console.print("No list entity comes near.")
    for h in hits:
        v = h.listed.version
        console.print(
            f"{h.score:.2f} {'MATCH' if h.match else 'no   '} {h.listed.caption} "
            f"[{h.listed.schema}] {v['list']} v{v['version']} ({v['as_of']}) {h.listed.entity_id}",
            markup=False,
            highlight=False,
        )
        for e in h.explanations:
            console.print(f"      {e}", markup=False, highlight=False)
