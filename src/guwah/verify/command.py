"""``guwah verify``: run the authenticity checks and write the report."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperCommand, TyperOption

from guwah.cli_options import (
    CaseOpt,
    PseudonymiseOpt,
    case_errors,
    exported,
    open_case,
    pseudonymiser_if,
)
from guwah.console import RichProgress, console
from guwah.search.command import IndexOpt


class VerifyCommand(TyperCommand):
    """``guwah verify``, whose ``--check`` help names the registered checks.

    The list is read from the registry when the help is shown, so it never falls behind
    the checks, and ``guwah --help`` does not load them.
    """

    def format_help(self, ctx: Any, formatter: Any) -> None:
        from guwah.verify.base import all_checks

        for param in self.params:
            if param.name == "check" and isinstance(param, TyperOption):
                param.help = f"Run only this check (repeatable): {', '.join(all_checks())}."
        super().format_help(ctx, formatter)


def verify_command(
    case_dir: CaseOpt = None,
    check: Annotated[
        list[str] | None,
        typer.Option(
            "--check",
            help="Run only this check (repeatable).",  # the names: VerifyCommand
            show_default=False,
        ),
    ] = None,
    report: Annotated[
        Path | None,
        typer.Option(
            "--report",
            help="Write the report here; the format follows the extension: .html, .md, .json.",
            show_default=False,
        ),
    ] = None,
    workers: Annotated[int, typer.Option(help="Worker processes (0: one per core).")] = -1,
    serial: Annotated[bool, typer.Option(help="Fingerprint images in this process.")] = False,
    index: IndexOpt = True,
    pseudonymise: PseudonymiseOpt = False,
) -> None:
    """Authenticate the leak by its internal consistency: ID numbers, photo times, cameras,
    editing software, near-duplicate photos, document dates. Findings are stored in the
    case (re-running replaces a check's findings) and written to a report an expert can sign.

    Example: [bold]guwah verify --case cases/xpf --report cases/xpf/verify.html[/]
    """
    from rich.table import Table

    from guwah.ingest.executor import make_executor
    from guwah.search.command import index_after, print_index_update
    from guwah.verify.report import report_format, write_report
    from guwah.verify.stage import run_checks

    case = open_case(case_dir)
    with case_errors():
        if report is not None:
            report_format(report)  # a bad extension fails before the work, not after
        n_workers = case.settings.workers if workers < 0 else workers
        executor = make_executor(n_workers, case.settings.limits.worker_memory_bytes, serial=serial)
        with RichProgress() as progress:
            run = run_checks(case, check or None, progress=progress, executor=executor)
            updated = index_after(case, progress, index)  # the findings:yes facet follows
    table = Table(title="Verification", title_justify="left")
    for col, justify in (("check", "left"), ("findings", "right"), ("error", "right")):
        table.add_column(col, justify=justify)  # type: ignore[arg-type]
    table.add_column("warning", justify="right")
    table.add_column("info", justify="right")
    table.add_column("totals")
    for c in run.checks:
        res = c.result
        totals = "\n".join(t.text() for t in res.totals) if res else (c.note or "")
        if res and res.notes:
            totals += "\n" + "\n".join(f"note: {n}" for n in res.notes)
        table.add_row(
            c.name,
            f"{c.n_findings:,}" if c.status == "done" else "skipped",
            f"{c.severities.get('error', 0):,}",
            f"{c.severities.get('warning', 0):,}",
            f"{c.severities.get('info', 0):,}",
            totals,
        )
    console.print(table)
    console.print(f"{run.n_findings:,} findings in {run.seconds:.1f} s, stored in the case.")
    if updated is not None:
        print_index_update(updated)
    if report is not None:
        pseudo = pseudonymiser_if(case, pseudonymise)
        path = write_report(case, report, pseudo)
        exported(case, "verify --report", path, pseudo)
        console.print(f"Report: {path}" + (" (pseudonymised)" if pseudo else ""))
    else:
        console.print(
            f"Next: guwah verify --case {case.root} --report verify.html  (or .md, .json)"
        )
