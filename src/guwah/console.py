"""Terminal rendering shared by the CLI commands: progress bars and summaries."""

from __future__ import annotations

from types import TracebackType
from typing import TYPE_CHECKING

from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from guwah.ingest.pipeline import RunStats
from guwah.store.custody import VerifyReport
from guwah.summary import CaseSummary

if TYPE_CHECKING:
    from guwah.person_search import PersonHit

console = Console()
err_console = Console(stderr=True)

LABELS = {
    "files": "Preserving files",
    "extracted": "Extracting",
    "ocr": "OCR",
    "sheets": "Reading sheets",
    "people": "Resolving people",
}


class RichProgress:
    """A rich progress display fed by pipeline phases (``total``/``advance``)."""

    def __init__(self) -> None:
        self._progress = Progress(
            SpinnerColumn(),
            TextColumn("[bold]{task.description:<18}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=err_console,
            transient=False,
        )
        self._tasks: dict[str, TaskID] = {}

    def __enter__(self) -> RichProgress:
        self._progress.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._progress.stop()

    def _task(self, phase: str) -> TaskID:
        if phase not in self._tasks:
            self._tasks[phase] = self._progress.add_task(LABELS.get(phase, phase), total=None)
        return self._tasks[phase]

    def total(self, phase: str, n: int) -> None:
        self._progress.update(self._task(phase), total=n)

    def advance(self, phase: str, n: int = 1) -> None:
        self._progress.advance(self._task(phase), n)


def human_bytes(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if abs(n) < 1024 or unit == "TB":
            return f"{n:,.0f} {unit}" if unit == "B" else f"{n:,.1f} {unit}"
        n /= 1024
    return f"{n} B"


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
            f"{escape(stats.log)}"
        )


def print_summary(s: CaseSummary) -> None:
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
        types.add_row(mime, f"{n:,}", human_bytes(b))
    console.print(types)
    status = Table(title="Originals by status", title_justify="left")
    status.add_column("status")
    status.add_column("items", justify="right")
    for key, n in sorted(s.by_status.items()):
        status.add_row(key, f"{n:,}")
    for key, n in sorted(s.ocr.items()):
        status.add_row(f"OCR {key}", f"{n:,}")
    if s.extension_mismatches:
        status.add_row("extension disagrees with content", f"{s.extension_mismatches:,}")
    console.print(status)
    if s.errors:
        errors = Table(title="Errors by cause", title_justify="left")
        errors.add_column("cause")
        errors.add_column("count", justify="right")
        errors.add_column("example")
        for g in s.errors:
            example = (
                f"{g.example_path}: {g.example_message}" if g.example_path else g.example_message
            )
            errors.add_row(g.cause, f"{g.count:,}", example)
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


def print_verify(report: VerifyReport) -> None:
    console.print(
        f"Checked {report.events:,} custody events and {report.items:,} originals. "
        f"Head of the chain: [bold]{report.head}[/]"
    )
    sections = [
        ("Breaks in the custody chain", report.chain_breaks),
        ("Tampered originals", report.tampered),
        ("Missing originals", report.missing),
        ("Unexpected files in the store", report.unexpected),
        ("Originals with no custody record", report.unlogged),
        ("Warnings: writable originals", report.writable),
    ]
    for title, lines in sections:
        if lines:
            console.print(f"[bold red]{title} ({len(lines)}):[/]")
            for line in lines[:200]:
                console.print(f"  {line}", markup=False)
            if len(lines) > 200:
                console.print(f"  … and {len(lines) - 200} more")
    if report.ok:
        console.print(
            "[bold green]Custody verified:[/] the chain is intact and every original "
            "matches its hash."
        )
    else:
        console.print("[bold red]Custody NOT verified.[/] See above.")


def print_people(hits: list[PersonHit]) -> None:
    """Ranked people with their records (provenance), photos and findings."""
    for rank, hit in enumerate(hits, 1):
        p = hit.person
        console.print(
            f"[bold]{rank}. {p.name or '(no name)'}[/]  ID {p.id_number or '—'}  "
            f"born {p.birth_date or '—'}  {p.sex or ''} {p.ethnicity or ''}  "
            f"score {hit.score:.2f}",
            highlight=False,
        )
        console.print(f"   {hit.explanation}", markup=False, highlight=False)
        if len(p.names) > 1:
            console.print(f"   names in the sources: {', '.join(p.names)}", markup=False)
        for field_name, values in (p.conflicts or {}).items():
            shown = "; ".join(str(v.get("value")) for v in values)
            console.print(f"   [red]conflicting {field_name}:[/] {shown}", highlight=False)
        for r in p.records:
            fields = ", ".join(f"{v.field}={v.value}" for v in r.values if v.field and v.value)
            console.print(
                f"   record: {r.path} sheet {r.sheet!r} row {r.row} "
                f"(sha256 {r.sha256[:12]}…): {fields}",
                markup=False,
                highlight=False,
            )
        for photo in p.photos:
            console.print(
                f"   photo: {photo.path} (sha256 {photo.sha256[:12]}…)",
                markup=False,
                highlight=False,
            )
        for f in hit.findings:
            console.print(f"   finding: [{f['severity']}] {f['title']}", markup=False)
