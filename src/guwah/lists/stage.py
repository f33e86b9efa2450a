"""Import a list file into a case: read it (all or nothing), preserve the file like evidence
(SHA-256, custody events), store the entities as a new version and record what changed
since the last version of that list."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import select

from guwah.case import Case, CaseError
from guwah.core import case_lock, utcnow
from guwah.store.custody import CustodyLog
from guwah.store.models import Item
from guwah.store.models_lists import ListEntityRow, ListVersion

from .entity import Entity, ListFormatError
from .formats import FORMATS, reader
from .versions import Changes, diff, digests, latest

MAX_LIST_BYTES = 1 << 30  # the largest published list (OFAC advanced XML) is ~100 MB


@dataclass
class ImportResult:
    version: ListVersion
    changes: Changes
    previous: ListVersion | None
    already: bool = False  # the same file was already imported as this list


def read_entities(data: bytes, fmt: str) -> tuple[list[Entity], int]:
    """All entities of a list file (duplicates of one id merged), and how many it skipped."""
    if fmt not in FORMATS:
        raise ListFormatError(f"unknown format {fmt!r}; one of: {', '.join(FORMATS)}")
    out: dict[str, Entity] = {}
    try:
        for e in reader(fmt)(data):
            if e.id in out:
                for prop, values in e.properties.items():
                    out[e.id].add(prop, *values)
            else:
                out[e.id] = e
    except RecursionError as exc:
        raise ListFormatError(f"{fmt}: the file is nested too deeply to read") from exc
    if not out:
        raise ListFormatError(
            f"{fmt}: no person, company or organisation found; is it the right --format?"
        )
    skipped = _count_skipped(data, fmt)
    return list(out.values()), skipped


def _count_skipped(data: bytes, fmt: str) -> int:
    if fmt == "ofac-csv":
        return len(re.findall(rb',"(?:vessel|aircraft)",', data))
    return 0


def import_list(
    case: Case,
    path: Path,
    fmt: str,
    name: str = "",
    as_of: str = "",
    custodian: str = "",
) -> ImportResult:
    """Import ``path`` as a new version of the list ``name`` (default: the format's name)."""
    name = name or fmt.split("-")[0]
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}", name) or name == "all":
        raise CaseError(f"list name {name!r}: letters, digits, '_', '.', '-' (not 'all')")
    if as_of:
        try:
            as_of = date.fromisoformat(as_of).isoformat()
        except ValueError as exc:
            raise CaseError(f"--as-of {as_of!r} is not a date (YYYY-MM-DD)") from exc
    if not path.is_file():
        raise CaseError(f"{path}: no such file")
    if path.stat().st_size > MAX_LIST_BYTES:
        raise CaseError(f"{path}: larger than {MAX_LIST_BYTES >> 20} MiB; not a list file")
    data = path.read_bytes()
    entities, skipped = read_entities(data, fmt)  # raises before anything is written
    with case_lock(case):
        case.migrate()  # a case made before the lists tables existed gets them now
        return _store(case, path, fmt, name, as_of, custodian, data, entities, skipped)


def _store(
    case: Case,
    path: Path,
    fmt: str,
    name: str,
    as_of: str,
    custodian: str,
    data: bytes,
    entities: list[Entity],
    skipped: int,
) -> ImportResult:
    """Preserve the file and store the version, in one transaction."""
    with case.sessions() as session, session.begin():
        blob = case.blobs.put_stream(io.BytesIO(data))  # exactly the bytes that were read
        custody = CustodyLog(session, custodian or case.settings.custodian)
        if session.scalar(select(Item.id).where(Item.sha256 == blob.sha256)) is None:
            session.add(
                Item(
                    sha256=blob.sha256,
                    md5=blob.md5,
                    sha1=blob.sha1,
                    size=blob.size,
                    mime="text/csv" if fmt.endswith("csv") else "application/octet-stream",
                    magic="",
                    status="ok",
                    extractor="lists",
                    meta={"list": name, "format": fmt},
                    created_at=utcnow(),
                )
            )
            custody.append(
                "stored",
                item_sha256=blob.sha256,
                source_path=str(path.resolve()),
                details={"size": blob.size, "md5": blob.md5, "sha1": blob.sha1, "list": name},
            )
        previous = latest(session, name)
        if previous is not None and previous.sha256 == blob.sha256:
            return ImportResult(previous, Changes(), None, already=True)
        new_digests = {e.id: e.digest() for e in entities}
        changes = diff(digests(session, previous.id) if previous else {}, new_digests)
        version = ListVersion(
            name=name,
            format=fmt,
            sha256=blob.sha256,
            file_name=path.name,
            as_of=as_of or utcnow().date().isoformat(),
            imported_at=utcnow(),
            entity_count=len(entities),
            skipped=skipped,
            previous_id=previous.id if previous else None,
            changes=changes.as_dict() if previous else {},
        )
        session.add(version)
        session.flush()
        session.add_all(
            ListEntityRow(
                version_id=version.id,
                entity_id=e.id,
                schema=e.schema,
                caption=e.caption,
                properties=e.properties,
                location=e.location,
                digest=new_digests[e.id],
            )
            for e in entities
        )
        custody.append(
            "list-imported",
            item_sha256=blob.sha256,
            source_path=str(path.resolve()),
            details={
                "list": name,
                "format": fmt,
                "version": version.id,
                "as_of": version.as_of,
                "entities": len(entities),
                "added": len(changes.added),
                "changed": len(changes.changed),
                "removed": len(changes.removed),
            },
        )
    return ImportResult(version, changes, previous)
