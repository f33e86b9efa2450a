"""``guwah ingest``, ``extract``, ``ocr`` and ``status``: preserve a leak, read it, OCR it,
and show what the case holds.

Only typer is imported here at start-up: the pipeline, the executor and the database load
inside the commands, so that ``guwah --help`` stays fast.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from guwah.cli_options import CaseOpt, case_errors, open_case
from guwah.console import RichProgress, console, human_bytes
from guwah.search.command import IndexOpt
from guwah.textsafe import for_terminal

if TYPE_CHECKING:
    from guwah.case import Case
    from guwah.ingest.executor import Executor, ExecutorSpec
    from guwah.ingest.ocr_stage import OcrStats
    from guwah.ingest.pipeline import RunStats
    from guwah.search.stage import IndexStats
    from guwah.summary import CaseSummary

Workers = Annotated[int, typer.Option(help="Worker processes (0: one per core).")]
Ocr = Annotated[bool, typer.Option("--ocr/--no-ocr", help="OCR scans after extraction.")]
Serial = Annotated[bool, typer.Option(help="Extract in this process (debugging).")]


def _executor_spec(value: str) -> str:
    from guwah.ingest.executor import parse_executor

    try:
        parse_executor(value)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
    return value


ExecutorOpt = Annotated[
    str,
    typer.Option(
        "--executor",
        envvar="GUWAH_EXECUTOR",
        callback=_executor_spec,
        help="Where the extraction and OCR tasks run: pool (worker processes here), "
        "dask-local[:N] (a local Dask cluster of N processes; N: --workers), or the Dask "
        "scheduler at dask://HOST[:8786] or tcp://HOST:PORT (its workers must see the case "
        "directory at the same path). This process alone writes the case.",
    ),
]


def ingest_command(
    sources: Annotated[
        list[Path], typer.Argument(help="Directories, files or archives (zip, tar, 7z…).")
    ],
    case_dir: CaseOpt = None,
    custodian: Annotated[str, typer.Option(help="Who handles the evidence (custody log).")] = "",
    note: Annotated[str, typer.Option(help="A note on where the source came from.")] = "",
    workers: Workers = -1,
    extract: Annotated[
        bool,
        typer.Option(
            "--extract/--no-extract",
            help="Extract text, tables and metadata now; --no-extract only preserves "
            "(store, hash, log custody) and leaves it to `guwah extract`.",
        ),
    ] = True,
    ocr: Ocr = True,
    serial: Serial = False,
    executor: ExecutorOpt = "pool",
) -> None:
    """Preserve a leak: store every file once by SHA-256, log custody, extract, OCR.

    Safe to re-run and to resume after an interruption: nothing is added twice. On a Dask
    cluster: --executor dask://HOST:8786 (README: Server mode).

    Example: [bold]guwah ingest ~/leak.zip --case cases/xpf --custodian "A. Researcher" --note "received 2022-05-24"[/]
    """
    from guwah.ingest.pipeline import ingest as run_ingest

    case = open_case(case_dir)

    def work(pool: Executor, progress: RichProgress) -> RunStats:
        return run_ingest(
            case, sources, custodian, note, executor=pool, progress=progress, extract=extract
        )

    spec = _spec(executor, serial)
    _extraction_command(case, work, workers, serial, ocr=ocr, extracted=extract, spec=spec)
    if not extract:
        console.print(f"Preserved only. Next: guwah extract --case {case.root}")


def extract_command(
    case_dir: CaseOpt = None,
    workers: Workers = -1,
    ocr: Ocr = True,
    serial: Serial = False,
    executor: ExecutorOpt = "pool",
) -> None:
    """Extract every original still waiting: text, tables, metadata; then OCR and index.

    For a leak preserved with `guwah ingest --no-extract` (store it first, read it later),
    or one whose ingest was interrupted. Items already extracted are left alone.

    Example: [bold]guwah extract --case cases/xpf --workers 8[/]
    """
    from guwah.ingest.pipeline import extract_pending

    case = open_case(case_dir)

    def work(pool: Executor, progress: RichProgress) -> RunStats:
        return extract_pending(case, executor=pool, progress=progress)

    _extraction_command(case, work, workers, serial, ocr=ocr, spec=_spec(executor, serial))


def _extraction_command(
    case: Case,
    work: Callable[[Executor, RichProgress], RunStats],
    workers: int,
    serial: bool,
    ocr: bool,
    extracted: bool = True,
    spec: ExecutorSpec | None = None,
) -> None:
    """Run ``work`` with progress; if it ``extracted``, then OCR (if ``ocr``) and update the
    search index; print the run and the case summary."""
    from guwah.search.command import print_index_update, update_search_index

    n_workers = case.settings.workers if workers < 0 else workers
    ocr_stats: OcrStats | None = None
    index_stats: IndexStats | None = None
    with case_errors(), RichProgress() as progress:
        stats = work(_executor(case, n_workers, serial, spec), progress)
        if extracted:
            if ocr and case.settings.ocr_enabled:
                ocr_stats = _run_ocr(case, progress, n_workers, serial=serial, spec=spec)
            index_stats = update_search_index(case, progress)
    print_run(stats)
    if index_stats is not None:
        print_index_update(index_stats)
    if ocr_stats is not None and ocr_stats.items:
        _print_ocr(ocr_stats)
    _print_case_summary(case)


def _run_ocr(
    case: Case,
    progress: RichProgress,
    workers: int,
    serial: bool = False,
    force: bool = False,
    languages: str | None = None,
    spec: ExecutorSpec | None = None,
    retry: bool = False,
) -> OcrStats:
    from guwah.ingest.ocr_stage import run_ocr

    executor = _executor(case, workers, serial, spec)
    return run_ocr(
        case, force=force, languages=languages, executor=executor, progress=progress, retry=retry
    )


def _spec(value: str, serial: bool) -> ExecutorSpec:
    """The parsed ``--executor`` (already checked by its callback); not with ``--serial``."""
    from guwah.ingest.executor import parse_executor

    spec = parse_executor(value)
    if serial and spec.kind != "pool":
        raise typer.BadParameter(
            "--serial runs in this process: leave it out to use --executor", param_hint="--serial"
        )
    return spec


def _executor(case: Case, workers: int, serial: bool, spec: ExecutorSpec | None) -> Executor:
    """The executor for one stage; a Dask cluster is connected (and checked) here."""
    from guwah.ingest.executor import make_executor
    from guwah.ingest.tasks import object_store

    memory = case.settings.limits.worker_memory_bytes
    root = getattr(case.blobs, "root", None)  # Dask workers must read the originals there
    store = str(root) if isinstance(root, Path) and object_store(case) is None else None
    return make_executor(workers, memory, serial=serial, spec=spec, store=store)


def _print_ocr(stats: OcrStats) -> None:
    console.print(
        f"OCR: {stats.items:,} items, {stats.pages:,} pages, {stats.errors:,} errors, "
        f"{stats.unreliable:,} pages unreliable (low confidence), in {stats.seconds:.1f} s"
    )


def ocr_command(
    case_dir: CaseOpt = None,
    force: Annotated[
        bool, typer.Option(help="Also OCR images the cheap text test skipped, and every PDF page.")
    ] = False,
    retry_failed: Annotated[
        bool,
        typer.Option(
            "--retry-failed",
            help="Also OCR the items whose OCR failed (a crash, a time limit) at the pages "
            "not yet read: after Tesseract is mended or the limit raised.",
        ),
    ] = False,
    languages: Annotated[
        str | None, typer.Option(help="Tesseract languages (default from the case settings).")
    ] = None,
    workers: Workers = -1,
    index: IndexOpt = True,
    executor: ExecutorOpt = "pool",
) -> None:
    """Run (or resume) OCR on scans and image-only PDF pages, then index what it read (a
    scan of running text is typed as a document: `type:document` finds it).

    Example: [bold]guwah ocr --case cases/xpf --languages chi_sim+uig+eng --force[/]
    """
    from guwah.search.command import index_after, print_index_update

    case = open_case(case_dir)
    n_workers = case.settings.workers if workers < 0 else workers
    spec = _spec(executor, serial=False)
    with case_errors(), RichProgress() as progress:
        stats = _run_ocr(
            case, progress, n_workers, force=force, languages=languages, spec=spec,
            retry=retry_failed,
        )  # fmt: skip
        updated = index_after(case, progress, index) if stats.pages else None
    _print_ocr(stats)
    if updated is not None:
        print_index_update(updated)


def status_command(
    case_dir: CaseOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Show what the case holds: counts by type and status, errors by cause.

    Example: [bold]guwah status --case cases/xpf[/]
    """
    from guwah.summary import as_dict, summarise

    case = open_case(case_dir)
    with case.sessions() as session:
        summary = summarise(session)
    if as_json:
        print(json.dumps(as_dict(summary), ensure_ascii=False, indent=2))
    else:
        print_summary(summary)


def _print_case_summary(case: Case) -> None:
    from guwah.summary import summarise

    with case.sessions() as session:
        print_summary(summarise(session))


def print_run(stats: RunStats) -> None:
    rate = stats.files_seen / stats.seconds if stats.seconds else 0.0
    mbps = stats.bytes_read / stats.seconds / 1e6 if stats.seconds else 0.0
    console.print(
        f"[bold]This run:[/] {stats.files_seen:,} files read ({human_bytes(stats.bytes_read)}), "
        f"{stats.new_items:,} new originals stored ({human_bytes(stats.new_bytes)}), "
        f"{stats.new_occurrences:,} new paths, {stats.extracted:,} extracted, "
        f"{sum(stats.errors.values()):,} errors, in {stats.seconds:.1f} s "
        f"({rate:,.0f} files/s, {mbps:,.1f} MB/s)"
    )
    if stats.log:  # reader bugs: their tracebacks, for whoever fixes the reader
        console.print(
            f"[bold]{stats.errors.get('reader_bug', 0):,} reader bug(s):[/] tracebacks in "
            f"{for_terminal(stats.log)}"
        )


def print_summary(s: CaseSummary) -> None:
    from rich.table import Table

    console.print(
        f"[bold]Case:[/] {s.items:,} originals ({human_bytes(s.bytes)}) at {s.occurrences:,} "
        f"paths from {s.sources} source(s); {s.pages:,} text pages, {s.sheets:,} sheets, "
        f"{s.cells:,} cells; {s.custody_events:,} custody events"
    )
    types = Table(title="Originals by type", title_justify="left")
    types.add_column("type", overflow="fold")
    types.add_column("items", justify="right")
    types.add_column("bytes", justify="right")
    for mime, n, b in s.by_type:
        types.add_row(for_terminal(mime), f"{n:,}", human_bytes(b))
    console.print(types)
    status = Table(title="Originals by status", title_justify="left")
    status.add_column("status")
    status.add_column("items", justify="right")
    for key, n in sorted(s.by_status.items()):
        status.add_row(for_terminal(key), f"{n:,}")
    for key, n in sorted(s.ocr.items()):
        status.add_row(f"OCR {key}", f"{n:,}")
    if s.extension_mismatches:
        status.add_row("extension disagrees with content", f"{s.extension_mismatches:,}")
    console.print(status)
    if s.unsupported:
        kinds = ", ".join(f"{for_terminal(m)} ({n:,})" for m, n in s.unsupported)
        console.print(f"Preserved but not read (no reader for the type): {kinds}")
    if s.errors:
        errors = Table(title="Errors by cause", title_justify="left")
        errors.add_column("cause")
        errors.add_column("count", justify="right")
        errors.add_column("example")
        for g in s.errors:
            example = (
                f"{g.example_path}: {g.example_message}" if g.example_path else g.example_message
            )
            errors.add_row(for_terminal(g.cause), f"{g.count:,}", for_terminal(example))
        console.print(errors)
    else:
        console.print("No errors.")
    if s.last_run:
        r = s.last_run
        console.print(
            f"Last run: {r['command']} {r['status']} at {r['started_at']}, "
            f"{r.get('files_seen', 0):,} files in {r.get('seconds', 0):.1f} s"
        )
    pending = s.by_status.get("pending", 0)
    if pending:
        console.print(
            f"{pending:,} originals wait for extraction (preserved with --no-extract, or an "
            "interrupted run): guwah extract"
        )
