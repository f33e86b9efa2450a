"""Terminal output shared by the CLI commands: the consoles, the progress display, sizes.

Each command renders its own results in its ``command.py``. This module imports only rich
(its progress bars load when a display starts), so that ``guwah --help`` stays fast.
"""

from __future__ import annotations

from types import TracebackType
from typing import TYPE_CHECKING

from rich.console import Console

if TYPE_CHECKING:
    from rich.progress import TaskID

console = Console()
err_console = Console(stderr=True)

LABELS = {
    "files": "Preserving files",
    "extracted": "Extracting",
    "ocr": "OCR",
    "sheets": "Reading sheets",
    "people": "Resolving people",
    "bag": "Copying originals",
}


class RichProgress:
    """A rich progress display fed by pipeline phases (``total``/``advance``)."""

    def __init__(self) -> None:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            SpinnerColumn,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

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
