"""Shared plumbing every stage uses: the clock, progress reporting and the case lock.

Stages import these from here, never from one another, so that no stage depends on the
ingest pipeline for its bookkeeping. This module may import only ``guwah.case``.
Shipped reference data (``guwah/reference/*.json``) is read through :func:`reference_json`.
"""

from __future__ import annotations

import fcntl
import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from functools import cache
from importlib import resources
from typing import Any, Protocol

from guwah.case import Case, CaseError


def utcnow() -> datetime:
    """Now in UTC, naive (how every timestamp is stored in the database)."""
    return datetime.now(UTC).replace(tzinfo=None)


class Progress(Protocol):
    """What a stage reports as it goes: the size of a phase, then steps done."""

    def total(self, phase: str, n: int) -> None: ...
    def advance(self, phase: str, n: int = 1) -> None: ...


class NoProgress:
    """Progress that shows nothing (library use, tests)."""

    def total(self, phase: str, n: int) -> None:
        return None

    def advance(self, phase: str, n: int = 1) -> None:
        return None


@contextmanager
def case_lock(case: Case) -> Iterator[None]:
    """One writer per case: the custody chain has a single head."""
    with open(case.root / ".lock", "w") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise CaseError(
                f"another guwah command is writing to {case.root}; wait for it to finish"
            ) from exc
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


@cache
def reference_json(name: str) -> Any:
    """A JSON data file shipped in ``guwah/reference`` (read once)."""
    return json.loads(resources.files("guwah").joinpath("reference", name).read_text("utf-8"))


def iso_date(text: str | None) -> date | None:
    """A date written ``YYYY-MM-DD`` (as the records stage normalises them), else None."""
    if not text or len(text) != 10:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None
