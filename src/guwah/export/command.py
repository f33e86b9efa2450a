"""``guwah export``: the evidence package (BagIt) and its time-stamp."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from guwah.cli_options import CaseOpt, case_errors, exported, open_case, pseudonymiser_if
from guwah.console import RichProgress, console, err_console
from guwah.textsafe import for_terminal

if TYPE_CHECKING:
    from guwah.export.bag_check import BagCheck

export_app = typer.Typer(
    help="Export evidence: a BagIt package of originals with custody, findings and records.",
    no_args_is_help=True,
)


@export_app.command("bag")
def bag_command(
    out: Annotated[Path, typer.Argument(help="A new directory for the bag.")],
    case_dir: CaseOpt = None,
    query: Annotated[
        str | None, typer.Option("--query", help="Only originals matching this search.")
    ] = None,
    items: Annotated[
        Path | None, typer.Option("--items", help="Only these: a file of SHA-256, one a line.")
    ] = None,
    person: Annotated[
        int | None, typer.Option("--person", help="Only a person's sheets and photos (its id).")
    ] = None,
    custodian: Annotated[str, typer.Option(help="Who makes the package (custody log).")] = "",
    pseudonymise: Annotated[
        bool,
        typer.Option(
            "--pseudonymise",
            help="A package to share, not evidence: no originals; photos with faces blurred, "
            "sheets and texts redacted, people as pseudonyms, ID numbers masked.",
        ),
    ] = False,
) -> None:
    """Write an evidence package: originals under their names, custody, findings, records.

    A BagIt bag (SHA-256 and SHA-512 manifests) that `bagit.py --validate OUT` checks, with an
    RFC 3161 time-stamp request OUT.tsq beside it for any time-stamp authority.

    Example: [bold]guwah export bag evidence-2018-03 --query 'from:2018-03 to:2018-03' --case cases/xpf[/]

    To share with readers who must not learn who is who:
    [bold]guwah export bag for-translators --person 42 --pseudonymise --case cases/xpf[/]
    """
    from guwah.export import select as sel
    from guwah.export.bag import write_bag

    if sum(x is not None for x in (query, items, person)) > 1:
        err_console.print("[red]Error:[/] give one of --query, --items, --person (or none: all)")
        raise typer.Exit(2)
    case = open_case(case_dir)
    with case_errors(), case.sessions() as session:
        if query is not None:
            ids, what = sel.of_query(case, session, query), f"search {query!r}"
        elif items is not None:
            ids, what = sel.from_file(session, items), f"items listed in {items.name}"
        elif person is not None:
            ids, what = sel.of_person(session, person), f"person {person}"
        else:
            ids, what = sel.everything(session), "all originals"
    pseudo = pseudonymiser_if(case, pseudonymise)
    with case_errors(), RichProgress() as progress:
        result = write_bag(
            case,
            out,
            ids,
            what,
            progress,
            custodian=custodian,
            whole_case=what == "all originals",
            pseudonymiser=pseudo,
        )
    exported(case, "export bag" + (" --pseudonymise" if pseudo else ""), result.path, pseudo)
    held = "pseudonymised copies of " if pseudo else ""
    console.print(
        f"Bag {for_terminal(result.path)}: {held}{result.items:,} originals, "
        f"{result.bytes:,} bytes, custody head {result.custody_head}, in "
        f"{result.seconds:.1f} s; check it with guwah custody verify --bag "
        f"{for_terminal(result.path)}"
    )
    console.print(
        f"Time-stamp request: {for_terminal(result.request)} — send it to a time-stamp "
        "authority, then: guwah export verify-timestamp "
        f"{for_terminal(result.path)} RESPONSE.tsr"
    )


@export_app.command("ftm")
def ftm_command(
    out: Annotated[Path, typer.Argument(help="The file to write (JSON lines, .jsonl).")],
    case_dir: CaseOpt = None,
    detainees: Annotated[
        bool, typer.Option("--detainees", help="Also the detainees of the records (Person).")
    ] = False,
    pseudonymise: Annotated[
        bool,
        typer.Option(
            "--pseudonymise",
            help="Detainees as pseudonyms (birth year only, no ID numbers), names the records "
            "know replaced in every sentence and file name.",
        ),
    ] = False,
    statements: Annotated[
        bool,
        typer.Option(
            "--statements",
            help="FtM statements (one property value a line, each with its origin) instead "
            "of entities.",
        ),
    ] = False,
    custodian: Annotated[str, typer.Option(help="Who makes the export (custody log).")] = "",
) -> None:
    """Export officials, units, posts, documents, mentions and sanctions as FollowTheMoney
    entities (FtM 4.x JSON lines): Person, PublicBody, Position, Occupancy, Document / Pages /
    Image / Table (contentHash = SHA-256), Mention, Documentation, Sanction. Every value
    carries its origin (SHA-256 and place); ids are stable across exports.

    Build the registry first (`guwah officials build`); import lists for the Sanctions.

    Example: [bold]guwah export ftm case.ftm.jsonl --case cases/xpf[/]

    With detainees, pseudonymised: [bold]guwah export ftm share.jsonl --detainees --pseudonymise --case cases/xpf[/]
    """
    from guwah.export.ftm import export_ftm

    case = open_case(case_dir)
    pseudo = pseudonymiser_if(case, pseudonymise)
    with case_errors(), RichProgress() as progress:
        result = export_ftm(
            case,
            out,
            progress,
            detainees=detainees,
            pseudonymiser=pseudo,
            statements=statements,
            custodian=custodian,
        )
    flags = "".join(
        f" {f}"
        for f, on in (
            ("--detainees", detainees),
            ("--pseudonymise", pseudo is not None),
            ("--statements", statements),
        )
        if on
    )
    exported(case, "export ftm" + flags, result.path, pseudo)
    counts = ", ".join(f"{k} {v:,}" for k, v in sorted(result.by_schema.items()))
    console.print(
        f"FtM {for_terminal(result.path)}: {result.entities:,} entities ({for_terminal(counts)}), "
        f"{result.statements:,} statements, in {result.seconds:.1f} s; custody head "
        f"{result.custody_head}"
    )


@export_app.command("verify-timestamp")
def verify_timestamp_command(
    bag: Annotated[Path, typer.Argument(help="The bag's directory (OUT.tsq beside it).")],
    response: Annotated[Path, typer.Argument(help="The authority's response (.tsr).")],
) -> None:
    """Check a time-stamp authority's RFC 3161 response for a bag's request.

    Exit 1 if it does not stamp the bag's tag manifest as it is now.
    Example: [bold]guwah export verify-timestamp evidence-2018-03 evidence-2018-03.tsr[/]
    """
    from guwah.export.bag import TAG_MANIFEST
    from guwah.export.timestamp import TimestampError, check_response

    request = bag.with_name(bag.name + ".tsq")
    try:
        stamp = check_response(bag / TAG_MANIFEST, request, response)
    except TimestampError as exc:
        err_console.print(f"[red]Time-stamp NOT valid:[/] {for_terminal(exc)}")
        raise typer.Exit(1) from exc
    console.print(
        f"[bold green]Time-stamp valid:[/] {bag.name}/{TAG_MANIFEST} existed as it is now at "
        f"{stamp.time.isoformat()} (serial {stamp.serial}, policy {stamp.policy})."
    )
    console.print(
        f"Signed by {for_terminal(stamp.signer)} (certificate SHA-256 {stamp.signer_sha256})"
        + (f", authority {for_terminal(stamp.authority)}" if stamp.authority else "")
        + ": compare with the certificate the authority publishes."
    )


def print_bag_check(report: BagCheck) -> None:
    """What ``guwah custody verify --bag`` found, section by section."""
    console.print(
        f"Bag {for_terminal(report.bag)}: {report.originals:,} originals, {report.events:,} "
        f"custody events, head {report.head}"
        + (f" (event {report.head_seq} of the case's chain)" if report.head_seq else "")
    )
    for title, lines in (
        ("BagIt validation", report.bag_errors),
        ("Originals the case does not hold", report.not_in_case),
        ("Files that differ from the case's originals", report.differ),
        ("Custody", report.custody),
    ):
        if lines:
            console.print(f"[bold red]{title} ({len(lines)}):[/]")
            for line in lines[:200]:
                console.print(f"  {for_terminal(line)}")
    if report.ok:
        console.print("[bold green]The bag is valid and every original is the case's.[/]")
    else:
        console.print("[bold red]The bag does NOT match the case.[/]")
