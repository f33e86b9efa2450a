"""What a check produces: findings on items, and corpus-level totals and distributions."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

Severity = Literal["info", "warning", "error"]
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info")


@dataclass
class Involved:
    """An original a finding involves: its SHA-256 and where in it the compared value is.

    ``location`` names the place inside the item: ``{"exif_tag": "EXIF DateTimeOriginal"}``,
    ``{"page": 3}``, ``{"sheet": "名单", "row": 5, "col": 3}``, ``{"file_name": "…"}``.
    """

    sha256: str
    path: str | None = None
    item_id: int | None = None
    role: str = ""
    location: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "sha256": self.sha256,
            "path": self.path,
            "role": self.role,
            "location": self.location,
        }


@dataclass
class Finding:
    """One explained finding: which check, what kind, how serious, what was compared."""

    check: str
    kind: str
    severity: Severity
    title: str
    explanation: str
    items: list[Involved] = field(default_factory=list)
    values: dict[str, Any] = field(default_factory=dict)

    @property
    def sha256s(self) -> list[str]:
        return list(dict.fromkeys(i.sha256 for i in self.items))

    def as_dict(self) -> dict[str, Any]:
        return {
            "check": self.check,
            "kind": self.kind,
            "severity": self.severity,
            "title": self.title,
            "explanation": self.explanation,
            "values": self.values,
            "sha256": self.sha256s,
            "items": [i.as_dict() for i in self.items],
        }


@dataclass
class Total:
    """A corpus-level count: ``n`` of ``of`` (e.g. "4,812 of 4,830 ID numbers valid")."""

    label: str
    n: int
    of: int

    @property
    def share(self) -> float | None:
        return self.n / self.of if self.of else None

    def text(self) -> str:
        share = self.share
        pct = f", {share:.1%}" if share is not None else ""
        return f"{self.n:,} of {self.of:,} {self.label}{pct}"

    def as_dict(self) -> dict[str, Any]:
        return {"label": self.label, "n": self.n, "of": self.of, "text": self.text()}


class Findings:
    """A check run's findings: kept in memory, or handed to ``writer`` in batches of
    ``batch`` as they come (the verify stage stores them as the check goes, so a run with a
    million findings holds one batch). ``len`` and ``severities`` count them all."""

    def __init__(
        self, writer: Callable[[list[Finding]], None] | None = None, batch: int = 1000
    ) -> None:
        self._writer, self._batch = writer, batch
        self._held: list[Finding] = []
        self._n = 0
        self.severities: Counter[str] = Counter()

    def append(self, finding: Finding) -> None:
        self._held.append(finding)
        self._n += 1
        self.severities[finding.severity] += 1
        if self._writer is not None and len(self._held) >= self._batch:
            self.flush()

    def flush(self) -> None:
        if self._writer is not None and self._held:
            self._writer(self._held)
            self._held = []

    def __len__(self) -> int:
        return self._n

    def __iter__(self) -> Iterator[Finding]:
        """The findings not yet written (all of them without a writer)."""
        return iter(self._held)


@dataclass
class CheckResult:
    """Everything one check run found: findings, totals, distributions, parameters used."""

    findings: Findings = field(default_factory=Findings)
    totals: list[Total] = field(default_factory=list)
    # name → [[label, count], …] in display order
    distributions: dict[str, list[list[Any]]] = field(default_factory=dict)
    params: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def total(self, label: str, n: int, of: int) -> None:
        self.totals.append(Total(label, n, of))
