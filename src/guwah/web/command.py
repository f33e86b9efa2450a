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
) -> None:
    """Open the case in the web workbench: search, item viewer, people, verification report.

    Read-only; listens on this machine only (127.0.0.1, localhost or ::1) and answers only
    requests addressed to it. The JSON API is under /api, its documentation at /docs.

    Example: [bold]guwah serve --case cases/xpf --port 8000[/]
    """
    import uvicorn

    from guwah.web.app import create_app
    from guwah.web.guards import LOOPBACK_HOSTS

    if host not in LOOPBACK_HOSTS:
        err_console.print(
            f"[red]Error:[/] refusing to listen on {for_terminal(host)}: the workbench has no "
            "users or login yet, so anyone who could reach that address could read the case. "
            "Serve on 127.0.0.1 and reach it through an SSH tunnel "
            "(ssh -L 8000:127.0.0.1:8000 HOST)."
        )
        raise typer.Exit(2)
    case = open_case(case_dir)
    app = create_app(case)
    shown = f"[{host}]" if ":" in host else host
    console.print(f"guwah workbench for {case.root}: http://{shown}:{port}", highlight=False)
    console.print("Press Ctrl+C to stop.")
    uvicorn.run(app, host=host, port=port, log_level="warning")
