"""The verification report: methods, totals, distributions and every finding with its items.

The format follows the file's extension: ``.html`` (self-contained, one file), ``.md``
or ``.json`` (every finding lists the SHA-256 of every item it involves). The report is
built from what is stored, so it covers every check that has run, not only the last ones.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from guwah import __version__
from guwah.case import Case, CaseError
from guwah.store.custody import CustodyLog
from guwah.store.models import CheckRun, FindingItem, FindingRow, Item, Occurrence
from guwah.textsafe import md_cell, md_code, shown_controls
from guwah.verify.base import all_checks
from guwah.verify.finding import SEVERITIES

if TYPE_CHECKING:
    from guwah.access.pseudonym import Pseudonymiser

PSEUDONYMISED = (
    "Pseudonymised: people appear as stable pseudonyms (P-…), ID numbers keep only region "
    "and birth year, and the names the records know are redacted from all text. A name that "
    "occurs in no record is not known, so it is not redacted."
)

FORMATS = {".html": "html", ".htm": "html", ".md": "markdown", ".markdown": "markdown"}
FORMATS[".json"] = "json"
SEVERITY_ORDER: dict[str, int] = {s: i for i, s in enumerate(SEVERITIES)}


def build_report(session: Session, case_root: str = "") -> dict[str, Any]:
    """The report as one JSON-serialisable dict."""
    registry = all_checks()
    runs = {r.check: r for r in session.scalars(select(CheckRun))}
    findings = _findings(session)
    by_check: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for f in findings:
        by_check[f["check"]].append(f)
    checks: list[dict[str, Any]] = []
    for name, cls in registry.items():
        run = runs.get(name)
        fs = by_check.get(name, [])
        checks.append(
            {
                "name": name,
                "title": cls.title,
                "compares": cls.compares,
                "why": cls.why,
                "kinds": cls.kinds,
                "version": cls.version,
                "ran": run is not None,
                "ran_at": run.finished_at.isoformat(timespec="seconds") if run else None,
                "seconds": run.seconds if run else None,
                "totals": run.totals if run else [],
                "distributions": run.distributions if run else {},
                "params": run.params if run else {},
                "n_findings": len(fs),
                "by_severity": dict(Counter(f["severity"] for f in fs)),
            }
        )
    severities = Counter(f["severity"] for f in findings)
    kinds = Counter(f["kind"] for f in findings)
    log = CustodyLog(session)
    return {
        "format": "guwah-verify-report/1",
        "generated": datetime.now(UTC).isoformat(timespec="seconds"),
        "tool": f"guwah {__version__}",
        "case": case_root,
        "corpus": {
            "items": session.scalar(select(func.count()).select_from(Item)) or 0,
            "images": session.scalar(
                select(func.count()).select_from(Item).where(Item.mime.like("image/%"))
            )
            or 0,
            "custody_head": {"seq": log.seq, "hash": log.head},
        },
        "summary": {
            "checks_run": sum(1 for c in checks if c["ran"]),
            "checks": len(checks),
            "findings": len(findings),
            "by_severity": {s: severities.get(s, 0) for s in SEVERITIES},
            "by_kind": dict(kinds.most_common()),
        },
        "checks": checks,
        "findings": findings,
        "items": _items(session, findings),
    }


def _findings(session: Session) -> list[dict[str, Any]]:
    rows = session.scalars(select(FindingRow)).all()
    items: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for fi in session.scalars(select(FindingItem).order_by(FindingItem.id)):
        items[fi.finding_id].append(fi.as_dict())
    order = {name: i for i, name in enumerate(all_checks())}
    out = []
    for r in sorted(
        rows, key=lambda r: (order.get(r.check, 99), SEVERITY_ORDER.get(r.severity, 9), r.id)
    ):
        its = items.get(r.id, [])
        out.append(
            {**r.as_dict(), "sha256": list(dict.fromkeys(i["sha256"] for i in its)), "items": its}
        )
    return out


def _items(session: Session, findings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every item a finding involves: its hashes, type, size, all its paths, its findings."""
    refs: dict[str, list[int]] = defaultdict(list)
    for f in findings:
        for sha in f["sha256"]:
            refs[sha].append(f["id"])
    if not refs:
        return []
    out: dict[str, dict[str, Any]] = {}
    shas = sorted(refs)
    for start in range(0, len(shas), 500):
        chunk = shas[start : start + 500]
        for item_id, sha, mime, size in session.execute(
            select(Item.id, Item.sha256, Item.mime, Item.size).where(Item.sha256.in_(chunk))
        ):
            out[sha] = {
                "sha256": sha,
                "mime": mime,
                "size": size,
                "paths": [],
                "findings": refs[sha],
                "_id": item_id,
            }
        ids = {v["_id"]: v for v in out.values() if v["sha256"] in chunk}
        for occ_item, path in session.execute(
            select(Occurrence.item_id, Occurrence.path)
            .where(Occurrence.item_id.in_(list(ids)))
            .order_by(Occurrence.path)
        ):
            if occ_item is not None:
                ids[occ_item]["paths"].append(path)
    for v in out.values():
        v.pop("_id", None)
    return [out[s] for s in shas if s in out]


# -- rendering ------------------------------------------------------------------------------


def report_format(path: Path) -> str:
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise CaseError(
            f"cannot tell the report format from {path.name!r}: name it .html, .md or .json"
        )
    return fmt


def render(report: dict[str, Any], fmt: str) -> str:
    if fmt == "json":
        return json.dumps(report, ensure_ascii=False, indent=1)
    if fmt == "markdown":
        return _markdown(report)
    return _html(report)


def write_report(case: Case, path: Path, pseudonymiser: Pseudonymiser | None = None) -> Path:
    """Write the report of everything stored in the case to ``path`` (format by extension);
    with a ``pseudonymiser``, every value in it is redacted before it is rendered."""
    fmt = report_format(path)
    with case.sessions() as session:
        report = build_report(session, str(case.root))
    if pseudonymiser is not None:
        report = pseudonymiser.walk(report)
        report["pseudonymised"] = True
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(report, fmt), encoding="utf-8")
    return path


def _html(report: dict[str, Any]) -> str:
    from jinja2 import Environment, PackageLoader, select_autoescape

    env = Environment(
        loader=PackageLoader("guwah.verify", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        finalize=shown_controls,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["location"] = location_text
    env.filters["number"] = lambda n: f"{n:,}" if isinstance(n, int) else n
    env.filters["jsonish"] = lambda v: json.dumps(v, ensure_ascii=False)
    return env.get_template("report.html.j2").render(r=report, pseudonymised=PSEUDONYMISED)


def location_text(loc: dict[str, Any]) -> str:
    """A location in words: 'EXIF tag …', 'page 2', "sheet S, row 5, column C, sex = '女'"."""
    parts = []
    for key, label in (
        ("exif_tag", "EXIF tag"),
        ("metadata", "metadata"),
        ("page", "page"),
        ("sheet", "sheet"),
        ("row", "row"),
        ("col", "column"),
        ("file_name", "file name"),
        ("text", "text"),
    ):
        if loc.get(key) not in (None, ""):
            parts.append(f"{label} {loc[key]}")
    if loc.get("field"):
        written = f" = {loc['value']!r}" if loc.get("value") not in (None, "") else ""
        parts.append(f"{loc['field']}{written}")
    if loc.get("file_time"):
        parts.append("file time")
    return ", ".join(parts)


def _markdown(r: dict[str, Any]) -> str:
    s = r["summary"]
    lines = [
        "# Verification report",
        "",
        *([f"**{PSEUDONYMISED}**", ""] if r.get("pseudonymised") else []),
        f"Case {md_code(r['case'])}, generated {r['generated']} by {r['tool']}. Custody head "
        f"{r['corpus']['custody_head']['seq']} `{r['corpus']['custody_head']['hash']}`.",
        "",
        "## Summary",
        "",
        f"{s['checks_run']} of {s['checks']} checks run on {r['corpus']['items']:,} items "
        f"({r['corpus']['images']:,} images): {s['findings']:,} findings — "
        + ", ".join(f"{n:,} {sev}" for sev, n in s["by_severity"].items())
        + ".",
        "",
        "| check | findings | totals |",
        "|---|---|---|",
    ]
    for c in r["checks"]:
        totals = "<br>".join(md_cell(t["text"]) for t in c["totals"]) or (
            "not run" if not c["ran"] else ""
        )
        lines.append(f"| {c['name']} | {c['n_findings']:,} | {totals} |")
    lines += ["", "## Methods", ""]
    for c in r["checks"]:
        lines += [
            f"### {c['title']} (`{c['name']}`)",
            "",
            f"**Compares.** {c['compares']}",
            "",
            f"**Why it matters.** {c['why']}",
            "",
            "Finding kinds: " + "; ".join(f"`{k}` — {v}" for k, v in c["kinds"].items()) + ".",
            "",
        ]
        if c["params"]:
            lines += [f"Parameters: `{json.dumps(c['params'], ensure_ascii=False)}`", ""]
        for name, rows in c["distributions"].items():
            if not rows:
                continue
            lines += [f"**{name}**", "", "| value | count |", "|---|---|"]
            lines += [f"| {' · '.join(md_cell(x) for x in row[:-1])} | {row[-1]} |" for row in rows]
            lines.append("")
    lines += ["## Findings", ""]
    for f in r["findings"]:
        lines += [
            f'### <a id="finding-{f["id"]}"></a>{f["severity"].upper()} · {md_cell(f["title"])} '
            f"(`{f['check']}` / `{f['kind']}`)",
            "",
            md_cell(f["explanation"]),
            "",
            f"Values: {md_code(json.dumps(f['values'], ensure_ascii=False))}",
            "",
            "| SHA-256 | path | location |",
            "|---|---|---|",
        ]
        for i in f["items"]:
            lines.append(
                f"| [`{i['sha256']}`](#item-{i['sha256']}) | {md_cell(i['path'] or '')} | "
                f"{md_cell(location_text(i['location']))} |"
            )
        lines.append("")
    lines += ["## Items", ""]
    for it in r["items"]:
        lines += [
            f'- <a id="item-{it["sha256"]}"></a>`{it["sha256"]}` ({md_cell(it["mime"])}, '
            f"{it['size']:,} bytes): "
            + "; ".join(md_code(p) for p in it["paths"])
            + " — findings "
            + ", ".join(f"[{n}](#finding-{n})" for n in it["findings"])
        ]
    return "\n".join(lines) + "\n"
