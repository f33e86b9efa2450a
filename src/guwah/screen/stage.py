"""Screen suppliers: each row against the lists (the supplier and its parent) and the
forced-labour indicators; a risk level with reasons; errors per row, the rest screened."""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from guwah.core import NoProgress, Progress
from guwah.lists.match import DEFAULT_THRESHOLD, ListMatcher, Query

from .indicators import Indicator, find
from .suppliers import SupplierRow, read_rows

RISKS = ("none", "low", "medium", "high")
NEAR = 0.6  # a list hit between this and the threshold is a lead, not a match


@dataclass
class Result:
    line: int
    supplier: dict[str, str]
    risk: str = "none"
    reasons: list[str] = field(default_factory=list)
    hits: list[dict[str, Any]] = field(default_factory=list)
    parent_hits: list[dict[str, Any]] = field(default_factory=list)
    indicators: list[Indicator] = field(default_factory=list)
    error: str = ""
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "line": self.line,
            "supplier": self.supplier,
            "risk": self.risk,
            "reasons": self.reasons,
            "hits": self.hits,
            "parent_hits": self.parent_hits,
            "indicators": [i.as_dict() for i in self.indicators],
            "error": self.error,
            "warnings": self.warnings,
        }


@dataclass
class Report:
    source: str
    results: list[Result]
    lists: list[dict[str, Any]]
    seconds: float

    def ranked(self) -> list[Result]:
        return sorted(self.results, key=lambda r: (-RISKS.index(r.risk), -_best(r), r.line))

    def counts(self) -> dict[str, int]:
        out = {r: 0 for r in (*RISKS, "error")}
        for r in self.results:
            out["error" if r.error else r.risk] += 1
        return out


def _best(r: Result) -> float:
    return max((h["score"] for h in r.hits + r.parent_hits), default=0.0)


def screen_row(matcher: ListMatcher, row: SupplierRow, threshold: float) -> Result:
    """One supplier's hits, indicators and risk."""
    res = Result(row.line, row.values, warnings=list(row.warnings))
    if not row.values:
        res.error = "; ".join(row.warnings) or "unreadable row"
        return res
    if not row.names:
        res.error = "no supplier name in this row"
        return res
    v = row.values
    q = Query("Company", row.names, identifiers=[v["uscc"]] if v.get("uscc") else [])
    res.hits = [h.as_dict() for h in matcher.match(q, threshold=threshold, limit=5)]
    if v.get("parent"):
        pq = Query("Company", [v["parent"]])
        res.parent_hits = [h.as_dict() for h in matcher.match(pq, threshold=threshold, limit=3)]
    res.indicators = find(
        " ".join(row.names), v.get("address", ""), v.get("uscc", ""), v.get("country", "")
    )
    res.indicators += [
        Indicator(i.kind, i.strength, "parent", i.evidence) for i in find(v.get("parent", ""), "")
    ]
    _risk(res)
    return res


def _risk(res: Result) -> None:
    reasons: list[tuple[int, str]] = []
    for h in res.hits:
        lv = h["list"]
        if h["match"]:
            reasons.append(
                (
                    3,
                    f"listed: {h['caption']} on {lv['list']} v{lv['version']} ({lv['as_of']}), score {h['score']:.2f}",
                )
            )
        elif h["score"] >= NEAR:
            reasons.append(
                (1, f"near a listed name: {h['caption']} ({lv['list']}, score {h['score']:.2f})")
            )
    for h in res.parent_hits:
        lv = h["list"]
        if h["match"]:
            reasons.append(
                (
                    3,
                    f"parent or owner listed: {h['caption']} on {lv['list']} v{lv['version']}, score {h['score']:.2f}",
                )
            )
    for i in res.indicators:
        level = 2 if i.strength == "strong" else 1
        if i.kind == "xpcc":
            level = 3 if i.field in ("name", "parent") else 2
        what = "XPCC affiliation" if i.kind == "xpcc" else "Xinjiang"
        reasons.append((level, f"{what} in {i.field}: {i.evidence}"))
    reasons.sort(key=lambda t: -t[0])
    res.risk = RISKS[max((lv for lv, _ in reasons), default=0)]
    res.reasons = [r for _, r in reasons]


def screen_file(
    matcher: ListMatcher,
    path: Path,
    threshold: float = DEFAULT_THRESHOLD,
    progress: Progress | None = None,
) -> Report:
    """Screen every row of a supplier file (errors stay on their rows)."""
    progress = progress or NoProgress()
    start = time.perf_counter()
    results: list[Result] = []
    for row in read_rows(path):
        try:
            results.append(screen_row(matcher, row, threshold))
        except Exception as exc:  # one bad row never stops the screening
            results.append(Result(row.line, row.values, error=f"{type(exc).__name__}: {exc}"))
        progress.advance("suppliers")
    versions = [{"list": n, "version": v} for n, v in matcher.versions]
    return Report(str(path), results, versions, time.perf_counter() - start)


def screen_upload(
    matcher: ListMatcher, data: bytes, filename: str, threshold: float = DEFAULT_THRESHOLD
) -> Report:
    """Screen an uploaded file's bytes (``filename`` says CSV or XLSX) from a temporary copy
    that is deleted afterwards: the web app writes nothing in the case."""
    suffix = Path(filename).suffix.lower()
    with tempfile.TemporaryDirectory(prefix="guwah-screen-") as tmp:
        path = Path(tmp) / ("upload" + suffix)
        path.write_bytes(data)
        report = screen_file(matcher, path, threshold=threshold)
    report.source = Path(filename).name
    return report
