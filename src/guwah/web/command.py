"""``guwah serve``: the web workbench over one case."""

from __future__ import annotations

from typing import Annotated

import typer

from guwah.cli_options import CaseOpt, open_case
from guwah.console import console


def serve_command(
    case_dir: CaseOpt = None,
    host: Annotated[
        str, typer.Option(help="Address to listen on (default: this machine only).")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
) -> None:
    """Open the case in the web workbench: search, item viewer, people, verification report.

    Read-only; listens on 127.0.0.1 unless --host says otherwise. The JSON API is under
    /api, its documentation at /docs.

    Example: [bold]guwah serve --case cases/xpf --port 8000[/]
    """
    import uvicorn

    from guwah.web.app import create_app

    case = open_case(case_dir)
    app = create_app(case)
    shown = f"[{host}]" if ":" in host else host
    console.print(f"guwah workbench for {case.root}: http://{shown}:{port}", highlight=False)
    if host not in ("127.0.0.1", "localhost", "::1"):
        console.print(
            "[yellow]Warning:[/] listening beyond this machine; the workbench has no login "
            "yet: anyone who can reach this address can read the case."
        )
    console.print("Press Ctrl+C to stop.")
    uvicorn.run(app, host=host, port=port, log_level="warning")
