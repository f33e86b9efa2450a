"""The ``guwah`` command line: assembles the commands of the stages, nothing else.

Each stage's CLI is its ``command.py``; it imports only typer at start-up and loads its
stage inside the command, so ``guwah --help`` loads no stage. Add a command there and
register it here with one line, in pipeline order.
"""

from __future__ import annotations

from typing import Annotated

import typer

from guwah import __version__
from guwah.access.command import audit_app, tokens_app, users_app
from guwah.analyse.command import analyse_app, reference_app, report_command
from guwah.export.command import export_app
from guwah.ingest.command import extract_command, ingest_command, ocr_command, status_command
from guwah.lists.command import lists_app
from guwah.names.command import names_app
from guwah.officials.command import dossier_command, gap_command, officials_app
from guwah.person.command import person_command
from guwah.records.command import records_app
from guwah.screen.command import screen_command
from guwah.search.command import search_command
from guwah.stats.command import stats_app
from guwah.store.command import custody_app, init_command
from guwah.synth.command import synth_command
from guwah.verify.command import VerifyCommand, verify_command
from guwah.web.command import serve_command

app = typer.Typer(
    help="guwah — evidence workbench for leaked state records of mass detention.",
    no_args_is_help=True,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
)
app.command("init")(init_command)
app.command("ingest")(ingest_command)
app.command("extract")(extract_command)
app.command("ocr")(ocr_command)
app.command("status")(status_command)
app.command("verify", cls=VerifyCommand)(verify_command)
app.command("search")(search_command)
app.command("person")(person_command)
app.command("serve")(serve_command)
app.command("synth")(synth_command)
app.add_typer(custody_app, name="custody")
app.add_typer(records_app, name="records")
app.add_typer(names_app, name="names")
app.add_typer(analyse_app, name="analyse")
app.add_typer(stats_app, name="stats")
app.add_typer(reference_app, name="reference")
app.command("report")(report_command)
app.add_typer(export_app, name="export")
app.add_typer(users_app, name="users")
app.add_typer(tokens_app, name="tokens")
app.add_typer(audit_app, name="audit")
app.add_typer(lists_app, name="lists")
app.command("screen")(screen_command)
app.add_typer(officials_app, name="officials")
app.command("gap")(gap_command)
app.command("dossier")(dossier_command)


def _version(value: bool) -> None:
    if value:
        print(f"guwah {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """guwah — preserve, authenticate and search a leak of detention records."""


if __name__ == "__main__":
    app()
