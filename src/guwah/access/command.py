"""``guwah users``, ``guwah tokens`` and ``guwah audit``: who may read the case, and who did."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer
from rich.table import Table

from guwah.cli_options import CaseOpt, case_errors, open_case
from guwah.console import console, err_console
from guwah.textsafe import for_terminal

users_app = typer.Typer(help="Users of the workbench and their roles.", no_args_is_help=True)
tokens_app = typer.Typer(
    help="API tokens for scripts (act with their user's role).", no_args_is_help=True
)
audit_app = typer.Typer(help="The audit of reads: who saw what, when.", no_args_is_help=True)


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = typer.prompt("Password", hide_input=True)
    if typer.prompt("Again", hide_input=True) != first:
        err_console.print("[red]Error:[/] the two passwords differ")
        raise typer.Exit(2)
    return str(first)


@users_app.command("add")
def users_add(
    name: Annotated[str, typer.Argument(help="The user's name (letters, digits, . _ @ -).")],
    role: Annotated[
        str, typer.Option(help="owner, investigator, reviewer or viewer (see `guwah users roles`).")
    ],
    case_dir: CaseOpt = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
) -> None:
    """Add a user. Once a case has users, the workbench asks everyone to sign in.

    Example: [bold]guwah users add amina --role investigator --case cases/xpf[/]
    """
    from guwah.access.users import add_user

    case = open_case(case_dir)
    password = _read_password(password_stdin)
    with case_errors(), case.sessions() as session:
        add_user(session, name, role, password)
        session.commit()
    console.print(f"Added {for_terminal(name)} as {for_terminal(role)}.")


@users_app.command("remove")
def users_remove(
    name: Annotated[str, typer.Argument(help="The user to remove (their tokens go too).")],
    case_dir: CaseOpt = None,
) -> None:
    """Remove a user and their API tokens; their sessions end at their next request.

    Example: [bold]guwah users remove amina --case cases/xpf[/]
    """
    from guwah.access.users import remove_user

    case = open_case(case_dir)
    with case_errors(), case.sessions() as session:
        remove_user(session, name)
        session.commit()
    console.print(f"Removed {for_terminal(name)}.")


@users_app.command("list")
def users_list(case_dir: CaseOpt = None) -> None:
    """The users of the case. Example: [bold]guwah users list --case cases/xpf[/]"""
    from sqlalchemy import select

    from guwah.store.models_access import User

    case = open_case(case_dir)
    table = Table("user", "role", "since")
    with case.sessions() as session:
        for u in session.scalars(select(User).order_by(User.name)):
            table.add_row(for_terminal(u.name), u.role, f"{u.created_at:%Y-%m-%d}")
    console.print(table)


@users_app.command("roles")
def users_roles() -> None:
    """What each role may do. Example: [bold]guwah users roles[/]"""
    from guwah.access.roles import describe

    data = describe()
    table = Table("role", *data["permissions"], "for")
    for role, spec in data["roles"].items():
        table.add_row(
            role,
            *("yes" if p in spec["permissions"] else "—" for p in data["permissions"]),
            spec["for"],
        )
    console.print(table)
    for perm, text in data["permissions"].items():
        console.print(f"[bold]{perm}[/]: {text}")


@tokens_app.command("create")
def tokens_create(
    user: Annotated[str, typer.Argument(help="The user the token acts as.")],
    label: Annotated[str, typer.Option(help="What the token is for.")] = "",
    case_dir: CaseOpt = None,
) -> None:
    """Create an API token; it is shown once, and stored only as its SHA-256.

    Example: [bold]guwah tokens create amina --label "nightly export" --case cases/xpf[/]
    """
    from guwah.access.users import create_token

    case = open_case(case_dir)
    with case_errors(), case.sessions() as session:
        row, token = create_token(session, user, label)
        session.commit()
        token_id = row.id
    console.print(f"Token {token_id} for {for_terminal(user)} (keep it secret; shown only now):")
    print(token)
    console.print(
        "Use it as: curl -H 'Authorization: Bearer TOKEN' http://127.0.0.1:8000/api/status"
    )


@tokens_app.command("list")
def tokens_list(case_dir: CaseOpt = None) -> None:
    """Tokens with their user, label and state. Example: [bold]guwah tokens list --case cases/xpf[/]"""
    from sqlalchemy import select

    from guwah.store.models_access import ApiToken, User

    case = open_case(case_dir)
    table = Table("id", "user", "label", "created", "revoked")
    with case.sessions() as session:
        for t, name in session.execute(
            select(ApiToken, User.name)
            .join(User, User.id == ApiToken.user_id)
            .order_by(ApiToken.id)
        ):
            table.add_row(
                str(t.id),
                for_terminal(name),
                for_terminal(t.label),
                f"{t.created_at:%Y-%m-%d %H:%M}",
                f"{t.revoked_at:%Y-%m-%d %H:%M}" if t.revoked_at else "",
            )
    console.print(table)


@tokens_app.command("revoke")
def tokens_revoke(
    token_id: Annotated[int, typer.Argument(help="The token's id (guwah tokens list).")],
    case_dir: CaseOpt = None,
) -> None:
    """Revoke a token at once. Example: [bold]guwah tokens revoke 3 --case cases/xpf[/]"""
    from guwah.access.users import revoke_token

    case = open_case(case_dir)
    with case_errors(), case.sessions() as session:
        revoke_token(session, token_id)
        session.commit()
    console.print(f"Revoked token {token_id}.")


@audit_app.command("log")
def audit_log(
    case_dir: CaseOpt = None,
    user: Annotated[str | None, typer.Option(help="Only this user's events.")] = None,
    since: Annotated[
        str | None, typer.Option(help="Only from this UTC time (2026-12-01T09:00).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object a line.")] = False,
) -> None:
    """Who read what, when, from where, with which query.

    Example: [bold]guwah audit log --user amina --since 2026-12-01 --case cases/xpf[/]
    """
    from guwah.access.audit import events

    case = open_case(case_dir)
    with case.sessions() as session:
        for ev in events(session, user=user, since=since):
            row = {
                "seq": ev.seq,
                "at": ev.at,
                "user": ev.user,
                "role": ev.role,
                "address": ev.address,
                "action": ev.action,
                "target": ev.target,
                "query": ev.query,
            }
            if as_json:
                print(json.dumps(row, ensure_ascii=False))
            else:
                console.print(
                    " ".join(
                        for_terminal(str(row[k]))
                        for k in ("seq", "at", "user", "role", "address", "action", "target")
                    )
                    + (f" ?{for_terminal(ev.query)}" if ev.query else ""),
                    highlight=False,
                )


@audit_app.command("verify")
def audit_verify(case_dir: CaseOpt = None) -> None:
    """Recompute the audit chain; exit 1 if an event was removed, inserted or edited.

    Example: [bold]guwah audit verify --case cases/xpf[/]
    """
    from guwah.access.audit import verify

    case = open_case(case_dir)
    with case.sessions() as session:
        check = verify(session)
    console.print(f"Checked {check.events:,} audit events. Head: [bold]{check.head}[/]")
    for line in check.breaks[:200]:
        console.print(f"  [red]{for_terminal(line)}[/]")
    if not check.ok:
        console.print("[bold red]Audit log NOT intact.[/]")
        raise typer.Exit(1)
    console.print("[bold green]Audit log intact.[/]")
