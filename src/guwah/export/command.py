"""``guwah export``: the evidence package (BagIt) and its time-stamp."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from guwah.cli_options import CaseOpt, case_errors, open_case
from guwah.console import RichProgress, console, err_console
from guwah.textsafe import for_terminal

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
) -> None:
    """Write an evidence package: originals under their names, custody, findings, records.

    A BagIt bag (SHA-256 and SHA-512 manifests) that `bagit.py --validate OUT` checks, with an
    RFC 3161 time-stamp request OUT.tsq beside it for any time-stamp authority.

    Example: [bold]guwah export bag evidence-2018-03 --query 'from:2018-03 to:2018-03' --case cases/xpf[/]
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
    with case_errors(), RichProgress() as progress:
        result = write_bag(
            case, out, ids, what, progress, custodian=custodian, whole_case=what == "all originals"
        )
    console.print(
        f"Bag {for_terminal(result.path)}: {result.items:,} originals, {result.bytes:,} bytes, "
        f"custody head {result.custody_head}, in {result.seconds:.1f} s"
    )
    console.print(
        f"Time-stamp request: {for_terminal(result.request)} — send it to a time-stamp "
        "authority, then: guwah export verify-timestamp "
        f"{for_terminal(result.path)} RESPONSE.tsr"
    )


@export_app.command("verify-bag")
def verify_bag_command(
    bag: Annotated[Path, typer.Argument(help="The bag's directory.")],
    case_dir: CaseOpt = None,
) -> None:
    """Check a bag: BagIt manifests, and every original and custody event against the case.

    Exit 1 if anything is wrong. Example: [bold]guwah export verify-bag evidence-2018-03 --case cases/xpf[/]
    """
    from guwah.export.bag_check import check_bag

    case = open_case(case_dir)
    with case_errors():
        report = check_bag(case, bag)
    console.print(
        f"Bag {for_terminal(bag)}: {report.originals:,} originals, {report.events:,} custody "
        f"events, head {report.head}"
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
    if not report.ok:
        console.print("[bold red]The bag does NOT match the case.[/]")
        raise typer.Exit(1)
    console.print("[bold green]The bag is valid and every original is the case's.[/]")


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
