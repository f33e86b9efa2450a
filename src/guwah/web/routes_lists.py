"""The Lists page: every imported list version with its counts and what changed."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request, UploadFile
from fastapi.responses import HTMLResponse
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError, ProgrammingError

from guwah.lists.versions import change_detail
from guwah.store.models_lists import ListEntityRow, ListVersion
from guwah.web.access import form_csrf_ok
from guwah.web.deps import DbSession
from guwah.web.i18n import gettext as _
from guwah.web.render import page

router = APIRouter()
MAX_CHANGES = 500
MAX_UPLOAD = 64 << 20


def _versions(session: DbSession) -> list[dict[str, Any]]:
    try:
        versions = session.scalars(
            select(ListVersion).order_by(ListVersion.name, ListVersion.id.desc())
        ).all()
    except (OperationalError, ProgrammingError):  # a case made before the lists tables
        return []
    by_schema: dict[int, dict[str, int]] = {}
    for vid, schema, n in session.execute(
        select(ListEntityRow.version_id, ListEntityRow.schema, func.count()).group_by(
            ListEntityRow.version_id, ListEntityRow.schema
        )
    ):
        by_schema.setdefault(vid, {})[schema] = n
    return [{**v.as_dict(), "schemas": by_schema.get(v.id, {})} for v in versions]


@router.get("/lists", response_class=HTMLResponse, include_in_schema=False)
def lists_page(request: Request, session: DbSession) -> HTMLResponse:
    return page(request, "lists.html", versions=_versions(session))


@router.get("/lists/{version_id}", response_class=HTMLResponse, include_in_schema=False)
def list_version_page(request: Request, session: DbSession, version_id: int) -> HTMLResponse:
    v = session.get(ListVersion, version_id)
    if v is None:
        raise HTTPException(404, _("no list version {id} in this case").format(id=version_id))
    changes = change_detail(session, v)
    return page(
        request,
        "list_version.html",
        version=v.as_dict(),
        changes=changes[:MAX_CHANGES],
        more=max(0, len(changes) - MAX_CHANGES),
    )


@router.get("/api/lists", tags=["lists"], summary="Imported list versions")
def api_lists(session: DbSession) -> list[dict[str, Any]]:
    """Every imported version of every list: date, file hash, counts by schema, changes."""
    return _versions(session)


@router.get("/api/lists/{version_id}/changes", tags=["lists"], summary="A version's changes")
def api_list_changes(session: DbSession, version_id: int) -> list[dict[str, Any]]:
    """What this version added, changed (with old and new values) and delisted."""
    v = session.get(ListVersion, version_id)
    if v is None:
        raise HTTPException(404, _("no list version {id} in this case").format(id=version_id))
    return change_detail(session, v)


@router.get("/screen", response_class=HTMLResponse, include_in_schema=False)
def screen_form(request: Request) -> HTMLResponse:
    return page(request, "screen.html", report=None, error=None)


@router.post("/screen", response_class=HTMLResponse, include_in_schema=False)
async def screen_upload(
    request: Request, session: DbSession, file: UploadFile, csrf: Annotated[str, Form()] = ""
) -> HTMLResponse:
    """Screen an uploaded supplier file; it is read from a temporary copy, never kept."""
    from starlette.concurrency import run_in_threadpool

    from guwah.lists.service import matcher_or_empty
    from guwah.screen.stage import screen_upload
    from guwah.screen.suppliers import SupplierFileError

    if not form_csrf_ok(request, csrf):
        expired = _("the form expired: reload the page and upload the file again")
        return page(request, "screen.html", status_code=403, report=None, error=expired)
    name = Path(file.filename or "suppliers.csv").name
    suffix = Path(name).suffix.lower()
    data = await file.read(MAX_UPLOAD + 1)
    error = None
    if suffix not in (".csv", ".xlsx"):
        error = _("the supplier file must be .csv or .xlsx")
    elif len(data) > MAX_UPLOAD:
        error = _("the file is larger than {n} MiB").format(n=MAX_UPLOAD >> 20)
    if error:
        return page(request, "screen.html", status_code=400, report=None, error=error)
    matcher = matcher_or_empty(session)
    try:
        report = await run_in_threadpool(screen_upload, matcher, data, name)
    except SupplierFileError as exc:
        return page(request, "screen.html", status_code=400, report=None, error=str(exc))
    return page(request, "screen.html", report=report, error=None)
