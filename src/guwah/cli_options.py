"""What every command shares: the ``--case`` option and opening the case with a clear error.

Imports only typer and the console at start-up; the case (and the database) loads when a
command opens it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from guwah.console import err_console

if TYPE_CHECKING:
    from guwah.access.pseudonym import Pseudonymiser
    from guwah.case import Case

CaseOpt = Annotated[
    Path | None,
    typer.Option(
        "--case",
        "-C",
        help="Case directory (default: $GUWAH_CASE, else the current directory).",
        show_default=False,
    ),
]


@contextmanager
def case_errors() -> Iterator[None]:
    """A :class:`CaseError` inside becomes its message on stderr and exit status 2; so does a
    database that fails under the command (a PostgreSQL server restarted or gone away)."""
    from sqlalchemy.exc import OperationalError

    from guwah.case import CaseError
    from guwah.store.blobs import StoreError

    try:
        yield
    except (CaseError, StoreError) as exc:  # StoreError: a bucket failing after its retries
        err_console.print(f"[red]Error:[/] {exc}")
        raise typer.Exit(2) from exc
    except OperationalError as exc:
        reason = " ".join(str(exc.orig).split())
        err_console.print(
            f"[red]Error:[/] the database failed under the command ({reason}). What was "
            "committed is kept: run the same command again to resume."
        )
        raise typer.Exit(2) from exc


def open_case(case_dir: Path | None) -> Case:
    """The case, or exit 2 with a message that says how to make one."""
    from guwah.case import Case

    with case_errors():
        return Case.open(case_dir)


PseudonymiseOpt = Annotated[
    bool,
    typer.Option(
        "--pseudonymise",
        help="For readers who must not learn who is who: people as stable pseudonyms, ID "
        "numbers masked but for region and birth year, known names redacted from all text.",
    ),
]


def pseudonymiser_if(case: Case, wanted: bool) -> Pseudonymiser | None:
    """The case's pseudonymiser when ``--pseudonymise`` was given (names read from records)."""
    if not wanted:
        return None
    from guwah.access.pseudonym import for_case

    with case_errors():
        case.migrate()
        return for_case(case)


def exported(case: Case, command: str, out: Path, pseudo: Pseudonymiser | None) -> None:
    """Put an export made at the terminal on the audit record, as the workbench does for its
    reads: who (the system user), what (the command), where it went, whether pseudonymised."""
    import getpass

    from guwah.access import audit

    with case_errors():
        case.migrate()
        audit.record(
            case.sessions,
            user=getpass.getuser(),
            role="terminal",
            action="export",
            target=str(out.resolve()),
            query=command,
            address="terminal",
            details={"command": command, "pseudonymised": pseudo is not None},
        )
