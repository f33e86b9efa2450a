"""The ``guwah`` command line."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from guwah import __version__
from guwah.case import Case
from guwah.cli_options import CaseOpt, case_errors, open_case
from guwah.console import (
    RichProgress,
    console,
    err_console,
    print_run,
    print_summary,
    print_verify,
)
from guwah.names_command import names_app
from guwah.records.command import records_app
from guwah.search.command import search_command
from guwah.search.stage import IndexStats
from guwah.stats.command import stats_app
from guwah.summary import summarise
from guwah.synth_command import synth_command
from guwah.verify.command import verify_command
from guwah.web.command import serve_command

if TYPE_CHECKING:
    from guwah.ingest.executor import Executor
    from guwah.ingest.ocr_stage import OcrStats
    from guwah.ingest.pipeline import RunStats

app = typer.Typer(
    help="guwah — evidence workbench for leaked state records of mass detention.",
    no_args_is_help=True,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
)
custody_app = typer.Typer(help="Chain of custody: verify it, read it.", no_args_is_help=True)
app.add_typer(custody_app, name="custody")
app.add_typer(records_app, name="records")
app.add_typer(stats_app, name="stats")
app.command("synth")(synth_command)
app.command("verify")(verify_command)
app.add_typer(names_app, name="names")
app.command("search")(search_command)
app.command("serve")(serve_command)


def _version(value: bool) -> None:
    if value:
        console.print(f"guwah {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """guwah — preserve, authenticate and search a leak of detention records."""


@app.command()
def init(
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
) -> None:
    """Create a case: settings, evidence store and database.

    Example: [bold]guwah init cases/xpf --custodian "A. Researcher"[/]
    """
    with case_errors():
        case = Case.init(case_dir, database_url=database, custodian=custodian)
    console.print(f"Created case {case.root} (database: {case.engine.url.render_as_string()})")
    console.print(f"Next: guwah ingest LEAK --case {case.root}")


@app.command()
def ingest(
    sources: Annotated[
        list[Path], typer.Argument(help="Directories, files or archives (zip, tar, 7z…).")
    ],
    case_dir: CaseOpt = None,
    custodian: Annotated[str, typer.Option(help="Who handles the evidence (custody log).")] = "",
    note: Annotated[str, typer.Option(help="A note on where the source came from.")] = "",
    workers: Annotated[int, typer.Option(help="Worker processes (0: one per core).")] = -1,
    extract: Annotated[
        bool,
        typer.Option(
            "--extract/--no-extract",
            help="Extract text, tables and metadata now; --no-extract only preserves "
            "(store, hash, log custody) and leaves it to `guwah extract`.",
        ),
    ] = True,
    ocr: Annotated[bool, typer.Option("--ocr/--no-ocr", help="OCR scans after extraction.")] = True,
    serial: Annotated[bool, typer.Option(help="Extract in this process (debugging).")] = False,
) -> None:
    """Preserve a leak: store every file once by SHA-256, log custody, extract, OCR.

    Safe to re-run and to resume after an interruption: nothing is added twice.

    Example: [bold]guwah ingest ~/leak.zip --case cases/xpf --custodian "A. Researcher" --note "received 2022-05-24"[/]
    """
    from guwah.ingest.pipeline import ingest as run_ingest

    case = open_case(case_dir)

    def work(executor: Executor, progress: RichProgress) -> RunStats:
        return run_ingest(
            case, sources, custodian, note, executor=executor, progress=progress, extract=extract
        )

    _extraction_command(case, work, workers, serial, ocr=ocr, extracted=extract)
    if not extract:
        console.print(f"Preserved only. Next: guwah extract --case {case.root}")


@app.command()
def extract(
    case_dir: CaseOpt = None,
    workers: Annotated[int, typer.Option(help="Worker processes (0: one per core).")] = -1,
    ocr: Annotated[bool, typer.Option("--ocr/--no-ocr", help="OCR scans after extraction.")] = True,
    serial: Annotated[bool, typer.Option(help="Extract in this process (debugging).")] = False,
) -> None:
    """Extract every original still waiting: text, tables, metadata; then OCR and index.

    For a leak preserved with `guwah ingest --no-extract` (store it first, read it later),
    or one whose ingest was interrupted. Items already extracted are left alone.

    Example: [bold]guwah extract --case cases/xpf --workers 8[/]
    """
    from guwah.ingest.pipeline import extract_pending

    case = open_case(case_dir)

    def work(executor: Executor, progress: RichProgress) -> RunStats:
        return extract_pending(case, executor=executor, progress=progress)

    _extraction_command(case, work, workers, serial, ocr=ocr)


def _extraction_command(
    case: Case,
    work: Callable[[Executor, RichProgress], RunStats],
    workers: int,
    serial: bool,
    ocr: bool,
    extracted: bool = True,
) -> None:
    """Run ``work`` with progress; if it ``extracted``, then OCR (if ``ocr``) and update the
    search index; print the run and the case summary."""
    from guwah.ingest.executor import make_executor

    n_workers = case.settings.workers if workers < 0 else workers
    memory = case.settings.limits.worker_memory_bytes
    with case_errors(), RichProgress() as progress:
        stats = work(make_executor(n_workers, memory, serial=serial), progress)
        after = None
        if extracted:
            after = _after_extraction(case, progress, n_workers, serial, ocr)
    print_run(stats)
    _print_after(case, after)


def _after_extraction(
    case: Case, progress: RichProgress, workers: int, serial: bool, ocr: bool
) -> tuple[OcrStats | None, IndexStats | None]:
    """OCR (when enabled) and the search-index update that follow an extraction."""
    from guwah.ingest.executor import make_executor
    from guwah.ingest.ocr_stage import run_ocr

    ocr_stats = None
    if ocr and case.settings.ocr_enabled:
        executor = make_executor(workers, case.settings.limits.worker_memory_bytes, serial=serial)
        ocr_stats = run_ocr(case, executor=executor, progress=progress)
    return ocr_stats, _update_search_index(case, progress)


def _print_after(case: Case, after: tuple[OcrStats | None, IndexStats | None] | None) -> None:
    ocr_stats, index_stats = after or (None, None)
    if index_stats is not None:
        console.print(
            f"Search index: {index_stats.docs_added:,} documents added "
            f"({index_stats.docs_total:,} in all) in {index_stats.seconds:.1f} s"
        )
    if ocr_stats is not None and ocr_stats.items:
        console.print(
            f"OCR: {ocr_stats.items:,} items, {ocr_stats.pages:,} pages, "
            f"{ocr_stats.errors:,} errors, in {ocr_stats.seconds:.1f} s"
        )
    with case.sessions() as session:
        print_summary(summarise(session))


def _update_search_index(case: Case, progress: RichProgress) -> IndexStats | None:
    """Index what the ingest added; a failure is reported, never fails the ingest."""
    from guwah.search.stage import build_index

    try:
        return build_index(case, progress=progress)
    except Exception as exc:  # the index is derived data: it can be rebuilt
        err_console.print(
            f"[yellow]Warning:[/] the search index was not updated ({exc}); "
            "run `guwah search --update`."
        )
        return None


@app.command()
def ocr(
    case_dir: CaseOpt = None,
    force: Annotated[
        bool, typer.Option(help="Also OCR images the cheap text test skipped, and every PDF page.")
    ] = False,
    languages: Annotated[
        str | None, typer.Option(help="Tesseract languages (default from the case settings).")
    ] = None,
    workers: Annotated[int, typer.Option(help="Worker processes (0: one per core).")] = -1,
) -> None:
    """Run (or resume) OCR on scans and image-only PDF pages.

    Example: [bold]guwah ocr --case cases/xpf --languages chi_sim+uig+eng --force[/]
    """
    from guwah.ingest.executor import make_executor
    from guwah.ingest.ocr_stage import run_ocr

    case = open_case(case_dir)
    n_workers = case.settings.workers if workers < 0 else workers
    with case_errors(), RichProgress() as progress:
        stats = run_ocr(
            case,
            force=force,
            languages=languages,
            executor=make_executor(n_workers, case.settings.limits.worker_memory_bytes),
            progress=progress,
        )
    console.print(
        f"OCR: {stats.items:,} items, {stats.pages:,} pages, {stats.errors:,} errors, "
        f"in {stats.seconds:.1f} s"
    )


@app.command()
def status(
    case_dir: CaseOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Show what the case holds: counts by type and status, errors by cause.

    Example: [bold]guwah status --case cases/xpf[/]
    """
    from guwah.summary import as_dict

    case = open_case(case_dir)
    with case.sessions() as session:
        summary = summarise(session)
    if as_json:
        print(json.dumps(as_dict(summary), ensure_ascii=False, indent=2))
    else:
        print_summary(summary)


@app.command()
def person(
    query: Annotated[str, typer.Argument(help="A name in any script, or an ID number.")],
    case_dir: CaseOpt = None,
    born: Annotated[int | None, typer.Option(help="Birth year.")] = None,
    county: Annotated[str | None, typer.Option(help="County (as written in the records).")] = None,
    limit: Annotated[int, typer.Option(help="How many people to show.")] = 10,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Find a person by name (any script) or ID number: records, photos and findings.

    Run `guwah records` first: people are resolved from the records.

    Example: [bold]guwah person "Abdurehim Turdi" --born 1984 --case cases/xpf[/]
    """
    from guwah.console import print_people
    from guwah.person_search import find_people

    case = open_case(case_dir)
    with case.sessions() as session:
        hits = find_people(session, query, born=born, county=county, limit=limit)
    if as_json:
        print(json.dumps([h.as_dict() for h in hits], ensure_ascii=False, indent=2))
        return
    if not hits:
        console.print(
            f"No person matches {query!r}. Check the spelling, drop --born/--county, or run "
            "`guwah records` if the records have not been built."
        )
        raise typer.Exit(1)
    print_people(hits)


@custody_app.command("verify")
def custody_verify(
    case_dir: CaseOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Re-hash every original and check the custody chain; exit 1 if anything is wrong.

    Names every tampered, missing or unexpected file and every break in the chain.

    Example: [bold]guwah custody verify --case cases/xpf[/]
    """
    from guwah.store.custody import verify

    case = open_case(case_dir)
    with case.sessions() as session:
        report = verify(session, case.blobs)
    if as_json:
        print(json.dumps({"ok": report.ok, **report.__dict__}, ensure_ascii=False, indent=2))
    else:
        print_verify(report)
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

    Example: [bold]guwah custody head --case cases/xpf[/]
    """
    from guwah.store.custody import CustodyLog

    case = open_case(case_dir)
    with case.sessions() as session:
        log = CustodyLog(session)
        print(f"{log.seq} {log.head}")


if __name__ == "__main__":
    app()
