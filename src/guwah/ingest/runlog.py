"""The run's log: a reader bug's traceback, with the item and path it hit.

The item says what went wrong (``reader_bug``, the exception type and message); the
traceback, for whoever fixes the reader, goes to ``CASE/logs/<command>-<run id>.log``.
The file is only created when there is something to say.
"""

from __future__ import annotations

import traceback
from pathlib import Path
from typing import TextIO

from guwah.core import utcnow


def bug_message(reader: str, exc: BaseException) -> str:
    """What the item says of a reader bug."""
    text = str(exc).strip().replace("\n", " ")[:500]
    return (
        f"{reader} failed unexpectedly (a bug in the reader, not in the file alone): "
        f"{type(exc).__name__}: {text}"
    )


class RunLog:
    def __init__(self, directory: Path, name: str) -> None:
        self.path = directory / f"{name}.log"
        self._fh: TextIO | None = None
        self.entries = 0

    def name_for(self, name: str) -> None:
        """Name the log once the run has an id (``ingest-12``); before anything is written."""
        assert self._fh is None
        self.path = self.path.with_name(f"{name}.log")

    def bug(self, what: str, where: str, sha256: str | None, trace: str) -> None:
        if self._fh is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._fh = open(self.path, "a", encoding="utf-8")  # noqa: SIM115 (closed in close)
        self.entries += 1
        self._fh.write(
            f"{utcnow().isoformat()} reader_bug in {what}\n"
            f"  at {where}\n  item {sha256 or '(not stored)'}\n{trace.rstrip()}\n\n"
        )
        self._fh.flush()

    def exception(self, what: str, where: str, sha256: str | None, exc: BaseException) -> None:
        self.bug(what, where, sha256, "".join(traceback.format_exception(exc)))

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None
