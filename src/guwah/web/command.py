"""``guwah serve``: the web workbench over one case."""

from __future__ import annotations

from typing import Annotated

import typer

from guwah.cli_options import CaseOpt, open_case
from guwah.console import console, err_console
from guwah.textsafe import for_terminal


def serve_command(
    case_dir: CaseOpt = None,
    host: Annotated[
        str, typer.Option(help="Address to listen on (default: this machine only).")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    allowed_host: Annotated[
        list[str] | None,
        typer.Option(
            "--allowed-host",
            help="A name users reach the workbench by (team mode behind a proxy: "
            "guwah.example.org); the loopback names are always allowed.",
        ),
    ] = None,
) -> None:
    """Open the case in the web workbench: search, item viewer, people, verification report.

    Local mode (no users in the case): listens on this machine only and prints an address
    with a per-run access token; open it to sign in. Team mode (`guwah users add …`): every
    user signs in; only then may --host be another address than this machine's. Requests
    must name an allowed host. The JSON API is under /api, its documentation at /docs.

    Example: [bold]guwah serve --case cases/xpf --port 8000[/]
    """
    import secrets

    import uvicorn

    from guwah.access.users import any_users
    from guwah.web.app import create_app
    from guwah.web.guards import LOOPBACK_HOSTS

    case = open_case(case_dir)
    with case.sessions() as session:
        team = any_users(session)
    loopback = host in LOOPBACK_HOSTS
    if not loopback and not team:
        err_console.print(
            f"[red]Error:[/] refusing to listen on {for_terminal(host)}: the case has no users, "
            "so anyone who could reach that address could read it. Add users first "
            "(guwah users add NAME --role investigator), or serve on 127.0.0.1 and reach it "
            "through an SSH tunnel (ssh -L 8000:127.0.0.1:8000 HOST)."
        )
        raise typer.Exit(2)
    hosts = [*LOOPBACK_HOSTS, *(allowed_host or [])]
    if not loopback and host not in ("0.0.0.0", "::"):
        hosts.append(host)
    if not loopback and not allowed_host and host in ("0.0.0.0", "::"):
        err_console.print(
            "[red]Error:[/] listening on every address needs the names users will type: "
            "add --allowed-host NAME (for example --allowed-host guwah.example.org)"
        )
        raise typer.Exit(2)
    token = None if team else secrets.token_urlsafe(24)
    app = create_app(case, allowed_hosts=hosts, local_token=token)
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{port}/" + (f"?token={token}" if token else "login")
    console.print(f"guwah workbench for {case.root}:", highlight=False)
    console.print(f"  {url}", highlight=False, soft_wrap=True)
    console.print(
        "Team mode: every user signs in."
        if team
        else "Local mode: open the address above "
        "(it carries this run's access token); no other site or user can read the case."
    )
    console.print("Press Ctrl+C to stop.")
    uvicorn.run(app, host=host, port=port, log_level="warning")
