"""The evidence package: a BagIt bag (RFC 8493) of originals with everything that vouches for them.

Layout of ``OUT`` (every payload file listed in SHA-256 and SHA-512 manifests)::

    bag-info.txt  bagit.txt  manifest-sha256.txt  manifest-sha512.txt  tagmanifest-*.txt
    data/README.txt                 what the package holds and how to check it
    data/originals/<original path>  each original, under its first path in the leak
    data/items.json                 per original: hashes, size, type, every path, its bag path
    data/custody/events.jsonl       the custody events of those originals, and the run events
    data/custody/head.txt           the head of the case's custody chain when the bag was made
    data/findings/findings.json     the verification findings that name those originals
    data/findings/report.html       the case's verification report
    data/records/records.csv        the records read from those originals, with provenance

``OUT.tsq`` beside the bag is an RFC 3161 time-stamp request for the tag manifest's digest
(which fixes the payload manifests and bag-info): send it to any time-stamp authority.
Exporting adds one ``exported`` custody event per original to the case.
"""

from __future__ import annotations

import json
import os
import shutil
import unicodedata
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

import bagit
from sqlalchemy import select
from sqlalchemy.orm import Session

from guwah import __version__
from guwah.case import Case, CaseError
from guwah.core import Progress, case_lock, utcnow
from guwah.export.derived import blur_photos, write_derived
from guwah.export.timestamp import write_request
from guwah.store.custody import CustodyLog, event_fields
from guwah.store.models import CustodyEvent, Item, Occurrence, Source
from guwah.textsafe import visible_controls
from guwah.verify.models import FindingItem, FindingRow

if TYPE_CHECKING:
    from guwah.access.pseudonym import Pseudonymiser
    from guwah.ingest.executor import Executor

CHECKSUMS = ["sha256", "sha512"]
TAG_MANIFEST = "tagmanifest-sha256.txt"
BATCH = 500


@dataclass
class BagResult:
    path: Path
    request: Path
    items: int
    bytes: int
    custody_head: str
    seconds: float


def bag_path(display: str) -> PurePosixPath:
    """A safe relative path in the bag for an original's display path.

    The display path is kept as it reads — ``leak/a.zip!/照片/a.jpg``, the members of an
    archive under a folder named after it with ``!`` — but NFC-normalised, with control
    characters made visible, without empty, ``.`` or ``..`` parts: never a way out of
    ``data/originals``.
    """
    parts = []
    for part in display.replace("\\", "/").split("/"):
        part = visible_controls(unicodedata.normalize("NFC", part)).strip()
        if part in ("", ".", ".."):
            continue
        parts.append(part[:200])
    return PurePosixPath(*parts) if parts else PurePosixPath("unnamed")


class _Names:
    """Paths already given in the bag, compared as a case-insensitive file system would."""

    def __init__(self) -> None:
        self.files: set[str] = set()
        self.dirs: set[str] = set()

    def _free(self, path: PurePosixPath) -> bool:
        key = path.as_posix().casefold()
        parents = {p.as_posix().casefold() for p in path.parents}
        return key not in self.files and key not in self.dirs and not parents & self.files

    def claim(self, path: PurePosixPath, sha256: str) -> PurePosixPath:
        """``path``, else ``name (2).ext``…; where a folder of the path is taken by a file
        (an archive holding both ``a`` and ``a/b``), ``!clashes/<sha256>/name``."""
        candidate, n = path, 1
        while not self._free(candidate) and n < 100:
            n += 1
            candidate = path.with_name(f"{path.stem} ({n}){path.suffix}")
        if not self._free(candidate):
            candidate = PurePosixPath("!clashes", sha256, path.name)
        self.files.add(candidate.as_posix().casefold())
        self.dirs.update(p.as_posix().casefold() for p in candidate.parents)
        return candidate


def _paths(session: Session, ids: list[int]) -> dict[int, list[str]]:
    """Every path of each item, first found first, under its source's name."""
    out: dict[int, list[str]] = {}
    for item_id, path, uri in session.execute(
        select(Occurrence.item_id, Occurrence.path, Source.uri)
        .join(Source, Source.id == Occurrence.source_id)
        .where(Occurrence.item_id.in_(ids))
        .order_by(Occurrence.id)
    ):
        if item_id is not None:
            root = PurePosixPath(uri.replace("\\", "/")).name
            own = path == root or path.startswith(root + "!/")  # the source is this file
            out.setdefault(item_id, []).append(path if own else f"{root}/{path}")
    return out


def _write_json(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def _copy_originals(
    case: Case,
    session: Session,
    ids: list[int],
    data: Path,
    progress: Progress,
    pseudo: Pseudonymiser | None = None,
) -> tuple[list[dict[str, Any]], int]:
    """Copy each original into the bag, or with ``pseudo`` write its shareable copies
    (:mod:`guwah.export.derived`) under its redacted path instead."""
    names = _Names()
    entries, total = [], 0
    progress.total("bag", len(ids))
    executor = None
    if pseudo is not None:  # blurring a photo takes a third of a second: every core helps
        from guwah.ingest.executor import make_executor

        limits = case.settings.limits
        executor = make_executor(case.settings.workers, limits.worker_memory_bytes)
    try:
        for start in range(0, len(ids), BATCH):
            chunk = ids[start : start + BATCH]
            entries_, total_ = _copy_chunk(
                case, session, chunk, data, progress, pseudo, names, executor
            )
            entries += entries_
            total += total_
    finally:
        if executor is not None:
            executor.close()
    return entries, total


def _copy_chunk(  # noqa: PLR0913 - the state of one bag being written
    case: Case,
    session: Session,
    chunk: list[int],
    data: Path,
    progress: Progress,
    pseudo: Pseudonymiser | None,
    names: _Names,
    executor: Executor | None,
) -> tuple[list[dict[str, Any]], int]:
    entries, total = [], 0
    paths = _paths(session, chunk)
    items = list(session.scalars(select(Item).where(Item.id.in_(chunk)).order_by(Item.id)))
    photos = {} if executor is None else blur_photos(case, items, executor)
    for item in items:
        shown = paths.get(item.id) or [item.sha256]
        entry: dict[str, Any] = {
            "bag_path": None,
            "sha256": item.sha256,
            "sha1": item.sha1,
            "md5": item.md5,
            "size": item.size,
            "mime": item.mime,
            "status": item.status,
            "paths": shown,
        }
        if pseudo is None:
            rel = PurePosixPath("originals") / names.claim(bag_path(shown[0]), item.sha256)
            dest = data / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(case.blobs.path_for(item.sha256), dest)
            total += item.size
            entry["bag_path"] = f"data/{rel.as_posix()}"
        else:
            entry["paths"] = [pseudo.redact(p) for p in shown]
            masked = entry["paths"][0].replace("*", "#")  # '*' is no name on Windows
            base = PurePosixPath("shared") / names.claim(bag_path(masked), item.sha256)
            entry["derived"], withheld = write_derived(
                case, session, item, base, data, pseudo, photos.get(item.sha256)
            )
            total += sum(
                (data / d["bag_path"].removeprefix("data/")).stat().st_size
                for d in entry["derived"]
            )
            if withheld:
                entry["withheld"] = withheld
        entries.append(entry)
        progress.advance("bag")
    return entries, total


def _custody(
    session: Session, shas: set[str], out: Path, pseudo: Pseudonymiser | None = None
) -> None:
    """Every event of the exported originals, and the events that concern no one item (with
    ``pseudo``: their details and notes redacted; their hashes are the case's)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    last = 0
    with out.open("w", encoding="utf-8") as fh:
        while True:
            events = session.scalars(
                select(CustodyEvent)
                .where(CustodyEvent.seq > last)
                .order_by(CustodyEvent.seq)
                .limit(5000)
            ).all()
            if not events:
                break
            for ev in events:
                if ev.item_sha256 is None or ev.item_sha256 in shas:
                    fields = event_fields(ev)
                    if pseudo is not None:
                        fields = {k: pseudo.walk(v) for k, v in fields.items()}
                    fh.write(json.dumps({**fields, "hash": ev.hash}, ensure_ascii=False) + "\n")
            last = events[-1].seq


def _findings(session: Session, ids: list[int]) -> list[dict[str, Any]]:
    found: dict[int, dict[str, Any]] = {}
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        rows = session.execute(
            select(FindingRow, FindingItem)
            .join(FindingItem, FindingItem.finding_id == FindingRow.id)
            .where(FindingItem.item_id.in_(chunk))
            .order_by(FindingRow.id)
        ).all()
        for finding, _ in rows:
            found.setdefault(finding.id, {**finding.as_dict(), "items": []})
    for fid, entry in found.items():
        entry["items"] = [
            fi.as_dict()
            for fi in session.scalars(select(FindingItem).where(FindingItem.finding_id == fid))
        ]
    return [found[k] for k in sorted(found)]


def _readme(case: Case, n: int, head: str, selection: str) -> str:
    return f"""guwah evidence package
======================

Made by guwah {__version__} on {utcnow().isoformat(timespec="seconds")} UTC from the case
{case.root} ({selection}). It holds {n:,} originals, exactly as they were received: every
file under originals/ has the SHA-256 recorded for it in items.json and in the case's chain
of custody.

How to check it
---------------
1. The bag: `bagit.py --validate DIR` re-hashes every file against manifest-sha256.txt and
   manifest-sha512.txt (BagIt, RFC 8493).
2. The time-stamp: DIR.tsq is an RFC 3161 request for the SHA-256 of tagmanifest-sha256.txt
   (which fixes both payload manifests and bag-info.txt). A time-stamp authority's response
   proves the bag existed unchanged at its time: `guwah export verify-timestamp DIR RESPONSE.tsr`,
   or `openssl ts -verify -data DIR/tagmanifest-sha256.txt -in RESPONSE.tsr -CAfile TSA-CA.pem`.
3. Against the case: `guwah custody verify --bag DIR --case CASE` checks that every original
   here is the one the case holds and that custody/head.txt is a point of the case's chain.

Contents
--------
originals/            the originals, under their first path in the leak, source folder first
                      (a member of an archive under a folder named after the archive with
                      "!": leak/a.zip!/b/c.jpg); names NFC-normalised, control characters
                      shown as <U+XXXX>, clashes numbered "name (2).ext"
items.json            per original: bag path, SHA-256, SHA-1, MD5, size, type, every path
custody/events.jsonl  the custody events of these originals (and of the runs), hash-chained:
                      each event's hash covers its fields and the previous event's hash
custody/head.txt      the head of the chain when the package was made: {head}
findings/             the verification findings naming these originals, and the report
records/records.csv   the records read from these originals, with file, sheet and row
                      (cells that would run as spreadsheet formulas carry one leading ')
"""


def _readme_shared(case: Case, n: int, head: str, selection: str) -> str:
    from guwah.access.faces import CASCADES

    return f"""guwah pseudonymised package
===========================

Made by guwah {__version__} on {utcnow().isoformat(timespec="seconds")} UTC from a case
({selection}) to be shared with readers who must not learn who is who. It is NOT the
evidence: it holds no originals, only copies made from {n:,} of them. Whoever holds the case
can tell which original each copy comes from (its SHA-256 in items.json) and check this
package against the case: `guwah custody verify --bag DIR --case CASE`.

What was done
-------------
- People appear as stable pseudonyms (P-…, a keyed HMAC: the same person has the same
  pseudonym in every pseudonymised export of the case; the key stays with the case).
- ID numbers keep their region code and birth year only (6531211980********); birth dates
  in records keep the year.
- Every name the case's records know is replaced in all text: file names, sheet cells,
  document text, findings, the report. A name that occurs in no record is not known, so it
  is NOT redacted: read the texts before passing them on.
- Photos: faces blurred and metadata removed, by OpenCV's Haar cascades
  ({", ".join(CASCADES)}). Unless two of them agree on a face, the whole picture is
  blurred; a face
  missed in a picture where another face was found stays visible (profiles turned further
  than the model knows, tilted, very small or partly hidden faces): look before sharing.
- Files with no text, sheet or picture are withheld (listed in items.json with the reason).

How to check it
---------------
`bagit.py --validate DIR` re-hashes every file against the manifests (BagIt, RFC 8493);
DIR.tsq is an RFC 3161 request for the tag manifest's digest.

Contents
--------
shared/               per original, under its redacted path: NAME.blurred.jpg (a photo),
                      NAME.sheetN.csv (each sheet, redacted), NAME.txt (its text, redacted)
items.json            per original: its SHA-256, size, type, redacted paths, the copies
                      made from it (faces found, whether the whole picture was blurred),
                      or why it is withheld
custody/events.jsonl  the custody events of these originals, their details redacted; each
                      keeps its hash in the case's chain (checked against the case)
custody/head.txt      the head of the chain when the package was made: {head}
findings/             the verification findings naming these originals, and the report,
                      redacted
records/records.csv   the records read from these originals, pseudonymised
"""


def write_bag(
    case: Case,
    out: Path,
    item_ids: list[int],
    selection: str,
    progress: Progress,
    custodian: str = "",
    whole_case: bool = False,
    pseudonymiser: Pseudonymiser | None = None,
) -> BagResult:
    """Write the bag for ``item_ids`` to ``out`` (a new directory) and its request beside it;
    with a ``pseudonymiser``, a package to share instead: shareable copies in place of the
    originals (:mod:`guwah.export.derived`), every name and ID number redacted."""
    import time

    from guwah.records.export import export_csv
    from guwah.verify.report import write_report

    t0 = time.perf_counter()
    if out.exists():
        raise CaseError(f"{out} already exists: name a new directory for the bag")
    if not item_ids:
        raise CaseError("nothing to export: the selection holds no originals")
    with case_lock(case):
        out.mkdir(parents=True)
        data = out  # bagit moves everything written here into data/
        with case.sessions() as session:
            pseudo = pseudonymiser
            entries, total = _copy_originals(case, session, item_ids, data, progress, pseudo)
            shas = {e["sha256"] for e in entries}
            log = CustodyLog(session, custodian or case.settings.custodian)
            for e in entries:
                details = {"bag": out.name, **({"pseudonymised": True} if pseudo else {})}
                log.append("exported", item_sha256=e["sha256"], details=details)
            session.commit()
            head = log.head
            _write_json(data / "items.json", entries)
            _custody(session, shas, data / "custody" / "events.jsonl", pseudo)
            (data / "custody" / "head.txt").write_text(head + "\n", encoding="utf-8")
            findings = _findings(session, item_ids)
            _write_json(
                data / "findings" / "findings.json", pseudo.walk(findings) if pseudo else findings
            )
            (data / "records").mkdir()
            only = None if whole_case else set(item_ids)
            export_csv(
                session, data / "records" / "records.csv", item_ids=only, pseudonymiser=pseudo
            )
        write_report(case, data / "findings" / "report.html", pseudo)
        readme = (_readme_shared if pseudo else _readme)(case, len(entries), head, selection)
        (data / "README.txt").write_text(readme, "utf-8")
        bagit.make_bag(
            str(out),
            bag_info={
                "Source-Organization": case.settings.custodian or "unknown",
                "Contact-Name": custodian or case.settings.custodian or "unknown",
                "External-Description": (
                    f"guwah pseudonymised package: shareable copies of {len(entries):,} "
                    f"originals, which it does not hold ({selection})"
                    if pseudo
                    else f"guwah evidence package of {len(entries):,} originals ({selection})"
                ),
                "Guwah-Pseudonymised": "yes" if pseudo else "no",
                "External-Identifier": head,
                "Bag-Software-Agent": f"guwah {__version__}",
                "Guwah-Case": str(case.root),
                "Guwah-Custody-Head": head,
            },
            checksums=CHECKSUMS,
            processes=case.settings.workers or os.cpu_count() or 1,
        )
    request = write_request(out / TAG_MANIFEST, out.with_name(out.name + ".tsq"))
    return BagResult(out, request, len(entries), total, head, time.perf_counter() - t0)
