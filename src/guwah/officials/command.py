"""The ``guwah officials`` commands and ``guwah gap``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from guwah.cli_options import CaseOpt, case_errors, open_case
from guwah.console import RichProgress, console, err_console

officials_app = typer.Typer(
    help="Officials named in the leak: build the registry, list it, import known officials.",
    invoke_without_command=True,
    no_args_is_help=False,
)


@officials_app.callback()
def officials_main(
    ctx: typer.Context,
    case_dir: CaseOpt = None,
) -> None:
    """Officials named in the leak, with their posts, units and evidence. Without a
    subcommand: list the registry (build it first with `guwah officials build`).

    Example: [bold]guwah officials build --case cases/xpf && guwah officials --case cases/xpf[/]
    """
    if ctx.invoked_subcommand is None:
        list_command(case_dir=case_dir)


@officials_app.command("build")
def build_command(case_dir: CaseOpt = None) -> None:
    """Read every page (text and OCR) and sheet for officials; store each mention with its
    SHA-256 and place; resolve them (same name + same jurisdiction); posts and units.

    Example: [bold]guwah officials build --case cases/xpf[/]
    """
    from guwah.officials.stage import build

    case = open_case(case_dir)
    with case_errors(), RichProgress() as progress:
        stats = build(case, progress)
    roles = ", ".join(f"{k} {v}" for k, v in sorted(stats.by_role.items()))
    console.print(
        f"Read {stats.pages:,} pages and {stats.sheets:,} sheets: {stats.mentions:,} mentions "
        f"({escape(roles)}), {stats.officials:,} officials, {stats.posts:,} posts, "
        f"{stats.units:,} units, {stats.documents:,} document headers."
    )
    if stats.reviews or stats.unapplied:
        console.print(
            f"Re-applied {stats.reviews} reviewer decision(s) (merge, split, confirm)."
            + (
                f" [yellow]{stats.unapplied} not applied:[/] their officials or mentions are "
                "no longer in the leak."
                if stats.unapplied
                else ""
            )
        )


@officials_app.command("list")
def list_command(
    limit: Annotated[int, typer.Option(help="Show at most this many.")] = 50,
    case_dir: CaseOpt = None,
) -> None:
    """The officials, most documented first, with their posts and jurisdiction.

    Example: [bold]guwah officials list --case cases/xpf --limit 20[/]
    """
    from rich.table import Table
    from sqlalchemy import select

    from guwah.store.models_officials import Official, OfficialPost
    from guwah.textsafe import for_terminal

    case = open_case(case_dir)
    with case_errors():
        case.migrate()
    with case.sessions() as session:
        offs = session.scalars(
            select(Official).order_by(Official.n_documents.desc(), Official.name).limit(limit)
        ).all()
        if not offs:
            err_console.print("No officials yet: run `guwah officials build` (and import some).")
            return
        table = Table("id", "name", "jurisdiction", "posts", "docs", "mentions", "source")
        for o in offs:
            posts = session.scalars(
                select(OfficialPost).where(OfficialPost.official_id == o.id)
            ).all()
            shown = sorted({f"{p.unit}{p.title}" for p in posts})
            table.add_row(
                str(o.id),
                escape(for_terminal(" | ".join(o.names or [o.name]))),
                escape(for_terminal(o.jurisdiction)),
                escape(for_terminal("; ".join(shown)[:120])),
                str(o.n_documents),
                str(o.n_mentions),
                o.source,
            )
        console.print(table)


@officials_app.command("import")
def import_command(
    file: Annotated[
        Path,
        typer.Argument(help="CSV: name,names,birth_date,post,unit,from,to,source (UTF-8)."),
    ],
    case_dir: CaseOpt = None,
) -> None:
    """Import known public officials (names in every script, posts, dates, sources) to seed
    and label the registry; `guwah officials build` joins them to the leak's mentions.

    Example: [bold]guwah officials import known_officials.csv --case cases/xpf[/]
    """
    from guwah.officials.known import import_known

    case = open_case(case_dir)
    with case_errors():
        stats = import_known(case, file)
    console.print(
        f"Imported {stats.added} officials ({stats.updated} already known), {stats.posts} posts."
    )


ReviewerOpt = Annotated[
    str, typer.Option("--reviewer", help="Who decides (default: the system user).")
]
ReasonOpt = Annotated[str, typer.Option("--reason", help="Why (kept with the decision).")]


def _decide(
    action: str,
    ids: list[int],
    reviewer: str,
    reason: str,
    case_dir: Path | None,
    mention_ids: list[int] | None = None,
) -> dict[str, object]:
    import getpass

    from guwah.officials.review import decide

    case = open_case(case_dir)
    with case_errors():
        return decide(
            case, action, ids, reviewer or getpass.getuser(), reason, mention_ids=mention_ids
        )


@officials_app.command("merge")
def merge_command(
    ids: Annotated[list[int], typer.Argument(help="The official to keep, then those to merge.")],
    reason: ReasonOpt = "",
    reviewer: ReviewerOpt = "",
    case_dir: CaseOpt = None,
) -> None:
    """Merge officials the build kept apart into the first one (names, mentions, posts).
    Stored and logged; every later `guwah officials build` merges them again.

    Example: [bold]guwah officials merge 12 40 --reason "same deputy chief, renamed bureau" --case cases/xpf[/]
    """
    done = _decide("merge", ids, reviewer, reason, case_dir)
    console.print(
        f"Merged {len(ids) - 1} official(s) into {ids[0]} (review {done['id']}); "
        "kept across rebuilds."
    )


@officials_app.command("split")
def split_command(
    official: Annotated[int, typer.Argument(help="The official to split.")],
    mentions: Annotated[
        str,
        typer.Option("--mentions", help="Mention ids to move to a new official, comma-separated."),
    ],
    reason: ReasonOpt = "",
    reviewer: ReviewerOpt = "",
    case_dir: CaseOpt = None,
) -> None:
    """Move some mentions of an official to a new official (two people the build took for
    one). Stored by the mentions' places (SHA-256 and location), so it survives rebuilds.
    See the mention ids with `guwah officials mentions ID`.

    Example: [bold]guwah officials split 12 --mentions 301,305 --reason "a namesake in Kashgar" --case cases/xpf[/]
    """
    from guwah.textsafe import for_terminal

    try:
        wanted = [int(x) for x in mentions.replace(" ", "").split(",") if x]
    except ValueError as exc:
        err_console.print("[red]Error:[/] --mentions takes ids separated by commas: 301,305")
        raise typer.Exit(2) from exc
    done = _decide("split", [official], reviewer, reason, case_dir, mention_ids=wanted)
    console.print(
        f"Split {len(wanted)} mention(s) off official {official} into a new official "
        f"({escape(for_terminal(str(done['new_key'])))}; review {done['id']})."
    )


@officials_app.command("confirm")
def confirm_command(
    official: Annotated[int, typer.Argument(help="The official to confirm.")],
    reason: ReasonOpt = "",
    reviewer: ReviewerOpt = "",
    case_dir: CaseOpt = None,
) -> None:
    """Confirm an official as the build resolved it (status confirmed, kept across rebuilds).

    Example: [bold]guwah officials confirm 12 --reason "checked against the 2018 roster" --case cases/xpf[/]
    """
    done = _decide("confirm", [official], reviewer, reason, case_dir)
    console.print(f"Confirmed official {official} (review {done['id']}).")


@officials_app.command("mentions")
def mentions_command(
    official: Annotated[int, typer.Argument(help="The official's id.")],
    case_dir: CaseOpt = None,
) -> None:
    """An official's mentions with their ids (for `split`), original and place.

    Example: [bold]guwah officials mentions 12 --case cases/xpf[/]
    """
    from rich.table import Table
    from sqlalchemy import select

    from guwah.officials.review import mention_place
    from guwah.store.models_officials import OfficialMention
    from guwah.textsafe import for_terminal

    case = open_case(case_dir)
    with case_errors():
        case.migrate()
    with case.sessions() as session:
        ms = session.scalars(
            select(OfficialMention)
            .where(OfficialMention.official_id == official)
            .order_by(OfficialMention.id)
        ).all()
        if not ms:
            err_console.print(f"No mentions for official {official} (see `guwah officials list`).")
            raise typer.Exit(1)
        table = Table("mention", "name", "role", "title", "unit", "place", "sentence")
        for m in ms:
            table.add_row(
                str(m.id),
                escape(for_terminal(m.name)),
                m.role,
                escape(for_terminal(m.title)),
                escape(for_terminal(m.unit or m.context_unit)),
                escape(mention_place(m)),
                escape(for_terminal(m.sentence[:80])),
            )
        console.print(table)


def gap_command(
    out: Annotated[
        Path | None, typer.Option("--out", help="Write the table as .csv or .xlsx.")
    ] = None,
    list_names: Annotated[
        list[str] | None, typer.Option("--list", help="Only these lists (default: all).")
    ] = None,
    threshold: Annotated[float, typer.Option(help="Score at which a list hit is a match.")] = 0.7,
    case_dir: CaseOpt = None,
) -> None:
    """The sanctions gap: every official and public-security or XPCC unit against every
    imported list (listed / possible / not listed, with score and list version); the
    implicated but not sanctioned first, by weight of evidence. A name-only match that a
    birth year contradicts is "possible", never "listed".

    Example: [bold]guwah gap --case cases/xpf --out gap.xlsx[/]
    """
    from rich.table import Table

    from guwah.lists.command import open_matcher
    from guwah.officials.gap import NOT_LISTED, gap_table, write
    from guwah.textsafe import for_terminal

    if out is not None and out.suffix.lower() not in (".csv", ".xlsx"):
        err_console.print("[red]Error:[/] --out must end in .csv or .xlsx")
        raise typer.Exit(2)
    case = open_case(case_dir)
    with case_errors():
        case.migrate()
    matcher = open_matcher(case_dir, list_names)
    if not matcher.entities:
        err_console.print("[yellow]Warning:[/] no lists imported: every official is not listed")
    with case.sessions() as session:
        rows, names = gap_table(session, matcher, threshold)
    if out is not None:
        write(rows, names, out)
    table = Table("name", "jurisdiction", "docs", *names)
    for r in rows[:40]:
        table.add_row(
            escape(for_terminal(" | ".join(r.names[:2]))),
            escape(for_terminal(r.jurisdiction)),
            str(r.n_documents),
            *(escape(for_terminal(r.lists[n].cell())) for n in names),
        )
    console.print(table)
    gap = [r for r in rows if r.kind == "official" and r.n_documents and not r.sanctioned]
    possible = sum(1 for r in rows for s in r.lists.values() if s.status not in (NOT_LISTED,))
    console.print(
        f"{len(rows)} rows; {len(gap)} officials named in the leak are on no list "
        f"({possible} list statuses other than not listed)."
        + (f" Table: {escape(str(out))}" if out else "")
    )


# -- guwah dossier (the dossier helper's block) ---------------------------------------------


def dossier_command(
    official: Annotated[
        str, typer.Argument(help="The official: a registry id, or a name in any script.")
    ],
    out: Annotated[Path, typer.Option("--out", help="Write the dossier as .pdf or .html.")],
    list_names: Annotated[
        list[str] | None, typer.Option("--list", help="Only these lists (default: all).")
    ] = None,
    images: Annotated[
        bool, typer.Option(help="Embed the images of the pages the evidence is on.")
    ] = True,
    case_dir: CaseOpt = None,
) -> None:
    """A dossier on one official, as an evidence annex to a designation request takes it:
    names in every script, posts over time, every excerpt with its file, SHA-256 and page or
    cell, the units, facilities and detainee counts under them, the orders, the sanctions
    status per imported list, sources and methods. A name several officials share lists
    them (exit 2): give the id.

    Example: [bold]guwah dossier "Chen Quanguo" --case cases/xpf --out chen.pdf[/]
    """
    from guwah.officials.dossier import DossierError, write_dossier
    from guwah.textsafe import for_terminal

    if out.suffix.lower() not in (".pdf", ".html"):
        err_console.print("[red]Error:[/] --out must end in .pdf or .html")
        raise typer.Exit(2)
    case = open_case(case_dir)
    try:
        with case_errors():
            o, seconds, sha = write_dossier(case, official, out, list_names, images)
    except DossierError as exc:
        err_console.print(f"[red]Error:[/] {escape(for_terminal(str(exc)))}")
        for c in exc.candidates:
            err_console.print(
                f"  {c.id}  {escape(for_terminal(' | '.join(c.names or [c.name])))}  "
                f"{escape(for_terminal(c.jurisdiction or '(no jurisdiction)'))}  "
                f"{c.n_documents} files"
            )
        raise typer.Exit(2 if exc.candidates else 1) from exc
    except KeyError as exc:
        err_console.print(f"[red]Error:[/] {escape(str(exc.args[0]))}")
        raise typer.Exit(2) from exc
    console.print(
        f"Dossier of official {o.id} ({escape(for_terminal(o.name))}): {escape(str(out))} "
        f"in {seconds:.1f} s, sha256 {sha}"
    )
