"""The screening report as XLSX (one row per supplier, ranked, and an evidence sheet), CSV
or JSON. Cell text that a spreadsheet would run as a formula is quoted."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from .stage import Report, Result

SUPPLIER_COLUMNS = ("line", "name_zh", "name_en", "address", "country", "uscc", "parent")
SUMMARY = ("risk", "reasons", "best_hit", "best_score", "list_version", "error")


def _safe(value: Any) -> Any:
    """Neutralise spreadsheet formulas in text from the supplier file or a list."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _summary(r: Result) -> dict[str, Any]:
    hits = sorted(r.hits + r.parent_hits, key=lambda h: -h["score"])
    best = hits[0] if hits else None
    out: dict[str, Any] = {"line": r.line}
    out.update({k: r.supplier.get(k, "") for k in SUPPLIER_COLUMNS[1:]})
    out.update(
        risk="error" if r.error else r.risk,
        reasons="; ".join(r.reasons),
        best_hit=best["caption"] if best else "",
        best_score=best["score"] if best else "",
        list_version=(
            f"{best['list']['list']} v{best['list']['version']} ({best['list']['as_of']})"
            if best
            else ""
        ),
        error=r.error or "; ".join(r.warnings),
    )
    return out


def _evidence(r: Result) -> list[dict[str, Any]]:
    rows = []
    for role, hits in (("supplier", r.hits), ("parent", r.parent_hits)):
        for h in hits:
            rows.append(
                {
                    "line": r.line,
                    "about": role,
                    "kind": "list hit",
                    "what": f"{h['caption']} [{h['schema']}] {h['id']}",
                    "score": h["score"],
                    "match": h["match"],
                    "list": h["list"]["list"],
                    "version": h["list"]["version"],
                    "as_of": h["list"]["as_of"],
                    "list_sha256": h["list"]["sha256"],
                    "location": h["location"],
                    "explanation": " | ".join(x["detail"] for x in h["explanations"].values()),
                }
            )
    for i in r.indicators:
        rows.append(
            {
                "line": r.line,
                "about": i.field,
                "kind": i.kind,
                "what": i.evidence,
                "score": "",
                "match": i.strength,
                "list": "",
                "version": "",
                "as_of": "",
                "list_sha256": "",
                "location": "",
                "explanation": "",
            }
        )
    return rows


def as_dict(report: Report) -> dict[str, Any]:
    """The report as JSON: lists used, counts by risk, suppliers ranked."""
    return {
        "source": report.source,
        "lists": report.lists,
        "counts": report.counts(),
        "seconds": round(report.seconds, 2),
        "suppliers": [r.as_dict() for r in report.ranked()],
    }


def write(report: Report, out: Path) -> None:
    """Write the report; the format from ``out``'s extension (.xlsx, .csv, .json)."""
    ranked = report.ranked()
    ext = out.suffix.lower()
    if ext == ".json":
        out.write_text(json.dumps(as_dict(report), ensure_ascii=False, indent=1), encoding="utf-8")
    elif ext == ".csv":
        with out.open("w", encoding="utf-8-sig", newline="") as fh:
            w = csv.DictWriter(fh, fieldnames=[*SUPPLIER_COLUMNS, *SUMMARY])
            w.writeheader()
            for r in ranked:
                w.writerow({k: _safe(v) for k, v in _summary(r).items()})
    elif ext == ".xlsx":
        from openpyxl import Workbook

        wb = Workbook(write_only=True)
        ws = wb.create_sheet("Suppliers")
        ws.append([*SUPPLIER_COLUMNS, *SUMMARY])
        for r in ranked:
            s = _summary(r)
            ws.append([_safe(s[k]) for k in (*SUPPLIER_COLUMNS, *SUMMARY)])
        ev = wb.create_sheet("Evidence")
        header = [
            "line",
            "about",
            "kind",
            "what",
            "score",
            "match",
            "list",
            "version",
            "as_of",
            "list_sha256",
            "location",
            "explanation",
        ]
        ev.append(header)
        for r in ranked:
            for row in _evidence(r):
                ev.append([_safe(row[k]) for k in header])
        wb.save(out)
    else:
        raise ValueError(f"{out.name}: the report is .xlsx, .csv or .json")
