"""Browse the leak as folders: every source given to ``guwah ingest``, and in each the
folders and files as they were found — an archive or mailbox opened like a folder (its
members' paths run on after ``!/``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from guwah.store.models import CustodyEvent, Item, Occurrence, Source
from guwah.web.deps import MAX_DB_INT, DbSession
from guwah.web.i18n import gettext as _
from guwah.web.render import page

router = APIRouter(include_in_schema=False)
MAX_ENTRIES = 1000  # the folders and files of one folder shown (the first by name)


@dataclass
class Folder:
    name: str
    path: str  # the prefix of everything in it, ending in "/" (or "!/": inside a file)
    files: int = 0  # files anywhere under it


@dataclass
class File:
    name: str
    path: str
    sha256: str | None
    mime: str | None
    size: int | None
    status: str
    error: str | None
    inside: int = 0  # files found anywhere inside it (an archive, a mailbox, a document)


@dataclass
class Listing:
    folders: dict[str, Folder] = field(default_factory=dict)
    files: dict[str, File] = field(default_factory=dict)


def sources(session: Session) -> list[dict[str, Any]]:
    """Every source with its receipt (custodian, note, when) and how many paths it holds."""
    counts = dict(
        session.execute(
            select(Occurrence.source_id, func.count()).group_by(Occurrence.source_id)
        ).all()
    )
    received = {
        e.source_path: e
        for e in session.scalars(select(CustodyEvent).where(CustodyEvent.event == "received"))
    }
    out = []
    for s in session.scalars(select(Source).order_by(Source.id)):
        ev = received.get(s.uri)
        out.append(
            {
                "id": s.id,
                "uri": s.uri,
                "kind": s.kind,
                "custodian": ev.custodian if ev is not None else s.custodian,
                "note": s.note,
                "received": ev.at if ev is not None else s.created_at.isoformat(),
                "paths": counts.get(s.id, 0),
            }
        )
    return out


def listing(session: Session, source_id: int, prefix: str) -> Listing:
    """The folders and files directly in ``prefix`` (``""`` or ending in ``/``) of a source.

    The database does the counting: the files right here come back as rows, everything
    deeper as one count per next path segment (``name`` a folder, ``name!`` inside a file).
    """
    sqlite = session.get_bind().dialect.name == "sqlite"
    rest = func.substr(Occurrence.path, len(prefix) + 1)
    slash = (func.instr if sqlite else func.strpos)(rest, "/")
    under = [Occurrence.source_id == source_id]
    if prefix:  # exact (LIKE ignores case in SQLite); the range lets SQLite use its index
        under.append(func.substr(Occurrence.path, 1, len(prefix)) == prefix)
        if sqlite:  # binary order: everything that starts with "…/" sorts before "…0"
            under += [Occurrence.path >= prefix, Occurrence.path < prefix[:-1] + "0"]
    out = Listing()
    rows = session.execute(
        select(Occurrence.path, Occurrence.status, Occurrence.error, Item)
        .outerjoin(Item, Item.id == Occurrence.item_id)
        .where(*under, slash == 0)
    )
    for path, status, error, item in rows:
        name = path[len(prefix) :]
        if not name:
            continue
        out.files[name] = File(
            name,
            path,
            item.sha256 if item is not None else None,
            item.mime if item is not None else None,
            item.size if item is not None else None,
            item.status if item is not None else status,
            error,
        )
    segment = func.substr(rest, 1, slash - 1)
    for head, n in session.execute(
        select(segment, func.count()).where(*under, slash > 0).group_by(segment)
    ):
        if head.endswith("!") and head[:-1] in out.files:  # inside a file here
            out.files[head[:-1]].inside += n
        else:
            folder = out.folders.setdefault(head, Folder(head, f"{prefix}{head}/"))
            folder.files += n
    return out


def crumbs(prefix: str) -> list[tuple[str, str]]:
    """(name, prefix) of each folder (or file opened as a folder) down to ``prefix``."""
    out: list[tuple[str, str]] = []
    pos = 0
    while True:
        end = prefix.find("/", pos)
        if end < 0:
            return out
        out.append((prefix[pos:end], prefix[: end + 1]))
        pos = end + 1


@router.get("/browse", response_class=HTMLResponse)
def browse(
    request: Request,
    session: DbSession,
    source: Annotated[int | None, Query(ge=1, le=MAX_DB_INT)] = None,
    path: Annotated[str, Query(max_length=4096)] = "",
) -> HTMLResponse:
    """No source: every source. A source: the folders and files at ``path`` in it."""
    if source is None:
        return page(request, "browse.html", sources=sources(session), source=None)
    src = session.get(Source, source)
    if src is None:
        raise HTTPException(404, _("no source {source} in this case").format(source=source))
    prefix = path if not path or path.endswith("/") else path + "/"
    found = listing(session, src.id, prefix)
    if prefix and not (found.folders or found.files):
        raise HTTPException(
            404,
            _("no folder {folder} in source {source}").format(folder=repr(prefix), source=source),
        )
    folders = sorted(found.folders.values(), key=lambda f: f.name)
    files = sorted(found.files.values(), key=lambda f: f.name)
    return page(
        request,
        "browse.html",
        source=src,
        prefix=prefix,
        crumbs=crumbs(prefix),
        folders=folders[:MAX_ENTRIES],
        files=files[: max(0, MAX_ENTRIES - len(folders))],
        n_entries=len(folders) + len(files),
        max_entries=MAX_ENTRIES,
    )
