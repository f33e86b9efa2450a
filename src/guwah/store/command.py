"""``guwah init`` and ``guwah custody``: create a case; verify and read its chain of custody.

Only typer is imported here at start-up; the database loads inside the commands.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from guwah.cli_options import CaseOpt, case_errors, open_case
from guwah.console import console, err_console

if TYPE_CHECKING:
    from guwah.case import Case
    from guwah.store.custody import VerifyReport

custody_app = typer.Typer(
    help="Chain of custody: verify it, read it.", no_args_is_help=True, rich_markup_mode="rich"
)


def init_command(
    case_dir: Annotated[Path, typer.Argument(help="Directory to create the case in.")],
    database: Annotated[
        str,
        typer.Option(
            "--database",
            envvar="GUWAH_DATABASE_URL",
            help="PostgreSQL URL for server mode (default: a SQLite file in the case).",
        ),
    ] = "",
    custodian: Annotated[str, typer.Option(help="Default custodian for custody events.")] = "",
    evidence: Annotated[
        str,
        typer.Option(
            "--evidence",
            metavar="s3://BUCKET/PREFIX",
            help="Keep the originals on S3-compatible object storage (default: the case's "
            "evidence/ directory). The bucket must exist; credentials come from the AWS "
            "chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, ~/.aws).",
        ),
    ] = "",
    endpoint_url: Annotated[
        str,
        typer.Option(
            "--evidence-endpoint-url",
            metavar="URL",
            help="The S3 service's URL when it is not AWS (MinIO, Ceph, Garage).",
        ),
    ] = "",
    profile: Annotated[
        str,
        typer.Option("--evidence-profile", help="A profile of ~/.aws/credentials for the bucket."),
    ] = "",
) -> None:
    """Create a case: settings, evidence store and database.

    Example: [bold]guwah init cases/xpf --custodian "A. Researcher"[/]

    Example: [bold]guwah init cases/xpf --evidence s3://leaks/xpf --evidence-endpoint-url http://minio:9000[/]
    """
    from guwah.case import Case

    with case_errors():
        case = Case.init(
            case_dir,
            database_url=database,
            custodian=custodian,
            evidence=evidence,
            evidence_endpoint_url=endpoint_url,
            evidence_profile=profile,
        )
    store = case.blobs.location
    console.print(
        f"Created case {case.root} (database: {case.engine.url.render_as_string()}, "
        f"evidence: {store})"
    )
    console.print(f"Next: guwah ingest LEAK --case {case.root}")


@custody_app.command("verify")
def custody_verify(
    case_dir: CaseOpt = None,
    expect_head: Annotated[
        str | None,
        typer.Option(
            "--expect-head",
            metavar="HASH",
            help="A head written down earlier (`guwah custody head`): it must still be an "
            "event of the chain, or the log was rewritten or truncated (exit 1).",
            show_default=False,
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    bag: Annotated[
        Path | None,
        typer.Option(
            "--bag",
            help="Check an evidence package (`guwah export bag`) against the case instead: "
            "its BagIt manifests, every original and every custody event in it.",
        ),
    ] = None,
) -> None:
    """Re-hash every original and check the custody chain; exit 1 if anything is wrong.

    Names every tampered, missing or unexpected file and every break in the chain. With
    --expect-head, also checks the chain against the head you recorded outside the case.
    With --bag, checks an evidence package against the case.

    Example: [bold]guwah custody verify --case cases/xpf[/]

    Example: [bold]guwah custody verify --case cases/xpf --expect-head 9c1e…(64 hex digits)[/]
    """
    from guwah.store.custody import verify

    case = open_case(case_dir)
    if bag is not None:
        _verify_bag(case, bag, as_json)
        return
    from guwah.store.blobs import StoreError

    try:
        with case.sessions() as session:
            report = verify(session, case.blobs, expect_head=expect_head)
    except (ValueError, StoreError) as exc:  # a bad --expect-head; the bucket not answering
        err_console.print(f"[red]Error:[/] {exc}", highlight=False)
        raise typer.Exit(2) from exc
    if as_json:
        print(json.dumps({"ok": report.ok, **report.__dict__}, ensure_ascii=False, indent=2))
    else:
        print_verify(report)
    if not report.ok:
        raise typer.Exit(1)


def _verify_bag(case: Case, bag: Path, as_json: bool) -> None:
    from guwah.export.bag_check import check_bag
    from guwah.export.command import print_bag_check

    with case_errors():
        report = check_bag(case, bag)
    if as_json:
        print(json.dumps({"ok": report.ok, **report.__dict__}, default=str, ensure_ascii=False))
    else:
        print_bag_check(report)
    if not report.ok:
        raise typer.Exit(1)


@custody_app.command("log")
def custody_log(
    case_dir: CaseOpt = None,
    item: Annotated[str | None, typer.Option(help="Only events of this SHA-256.")] = None,
    limit: Annotated[int, typer.Option(help="How many of the latest events.")] = 50,
) -> None:
    """Print custody events, newest last.

    Example: [bold]guwah custody log --case cases/xpf --item 3f2a…[/]
    """
    from sqlalchemy import select

    from guwah.store.models import CustodyEvent

    case = open_case(case_dir)
    query = select(CustodyEvent).order_by(CustodyEvent.seq.desc()).limit(limit)
    if item:
        query = query.where(CustodyEvent.item_sha256 == item)
    with case.sessions() as session:
        events = list(reversed(session.scalars(query).all()))
    for ev in events:
        what = ev.item_sha256 or ev.source_path or ""
        console.print(
            f"{ev.seq:>7} {ev.at} {ev.event:<10} {what} {ev.custodian}@{ev.host} "
            f"{ev.tool_version} {json.dumps(ev.details, ensure_ascii=False)}",
            markup=False,
            highlight=False,
        )


@custody_app.command("head")
def custody_head(case_dir: CaseOpt = None) -> None:
    """Print the hash at the head of the custody chain: record it outside the case.

    Check the case against it later with `guwah custody verify --expect-head HASH`.

    Example: [bold]guwah custody head --case cases/xpf[/]
    """
    from guwah.store.custody import CustodyLog

    case = open_case(case_dir)
    with case.sessions() as session:
        log = CustodyLog(session)
        print(f"{log.seq} {log.head}")


def print_verify(report: VerifyReport) -> None:
    from guwah.textsafe import for_terminal

    console.print(
        f"Checked {report.events:,} custody events and {report.items:,} originals "
        f"({report.store}). "
        f"Head of the chain: [bold]{report.head}[/]"
    )
    sections = [
        ("Breaks in the custody chain", report.chain_breaks),
        ("The head recorded earlier does not match", report.anchor),
        ("Tampered originals", report.tampered),
        ("Missing originals", report.missing),
        ("Unexpected files in the store", report.unexpected),
        ("Originals with no custody record", report.unlogged),
        ("Writable originals (must be read-only)", report.writable),
    ]
    for title, lines in sections:
        if lines:
            console.print(f"[bold red]{title} ({len(lines)}):[/]")
            for line in lines[:200]:
                console.print(f"  {for_terminal(line)}")
            if len(lines) > 200:
                console.print(f"  … and {len(lines) - 200} more")
    if report.expected_head_seq is not None:
        after = report.events - report.expected_head_seq
        console.print(
            f"The head recorded earlier is event {report.expected_head_seq:,} of the chain"
            + (
                f"; {after:,} event{' was' if after == 1 else 's were'} added after it."
                if after
                else ", still its head."
            ),
            highlight=False,
        )
    if report.ok:
        console.print(
            "[bold green]Custody verified:[/] the chain is intact and every original "
            "matches its hash."
        )
    else:
        console.print("[bold red]Custody NOT verified.[/] See above.")
