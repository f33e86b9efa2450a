"""“Cite this”: a citation of an item (or a place in it), a record, a finding or a person,
as a page (``/cite``) and as JSON (``/api/cite``). See :mod:`guwah.web.citation`."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse

from guwah.web.access import current_pseudonymiser
from guwah.web.citation import CiteError, cite_finding, cite_item, cite_person, cite_record
from guwah.web.deps import MAX_DB_INT, CaseDep, DbSession
from guwah.web.queries import SHA256
from guwah.web.render import page

router = APIRouter()

ItemQ = Annotated[
    str | None,
    Query(pattern=r"^[0-9a-f]{64}$", description="An item's SHA-256 (64 lower-case hex digits)."),
]
IdQ = Annotated[int | None, Query(ge=1, le=MAX_DB_INT)]
SmallQ = Annotated[int | None, Query(ge=0, le=10_000_000)]


def citation(
    session: DbSession,
    case: CaseDep,
    item: str | None,
    record: int | None,
    finding: int | None,
    person: int | None,
    sheet: int | None,
    row: int | None,
    col: int | None,
    page_no: int | None,
    exif_tag: str | None,
) -> dict[str, Any]:
    named = [k for k, v in (("item", item), ("record", record), ("finding", finding),
                            ("person", person)) if v is not None]  # fmt: skip
    if len(named) != 1:
        raise HTTPException(
            422, "name exactly one of item=SHA256, record=ID, finding=ID or person=ID to cite"
        )
    if item is None and any(v is not None for v in (sheet, row, col, page_no, exif_tag)):
        raise HTTPException(422, "sheet, row, col, page and exif_tag are places in an item")
    try:
        if item is not None:
            assert SHA256.match(item)
            return cite_item(session, case, item, sheet, row, col, page_no, exif_tag)
        if record is not None:
            return cite_record(session, case, record)
        if finding is not None:
            return cite_finding(session, case, finding)
        assert person is not None
        return cite_person(session, case, person, current_pseudonymiser.get())
    except CiteError as exc:
        raise HTTPException(404, str(exc)) from exc


@router.get("/api/cite", tags=["api"], summary="Cite an item, record, finding or person")
def api_cite(
    session: DbSession,
    case: CaseDep,
    item: ItemQ = None,
    record: IdQ = None,
    finding: IdQ = None,
    person: IdQ = None,
    sheet: SmallQ = None,
    row: IdQ = None,
    col: IdQ = None,
    page_no: Annotated[int | None, Query(alias="page", ge=1, le=100_000)] = None,
    exif_tag: Annotated[str | None, Query(max_length=200)] = None,
) -> dict[str, Any]:
    """A citation: what it is, SHA-256, the first path in the leak, the place inside the
    item, the custody log's head (sequence number and hash) now, the custodian, the guwah
    version and the time of access (UTC), with the citation as one line of text."""
    return citation(
        session, case, item, record, finding, person, sheet, row, col, page_no, exif_tag
    )


@router.get("/cite", response_class=HTMLResponse, include_in_schema=False)
def cite_page(
    request: Request,
    session: DbSession,
    case: CaseDep,
    item: ItemQ = None,
    record: IdQ = None,
    finding: IdQ = None,
    person: IdQ = None,
    sheet: SmallQ = None,
    row: IdQ = None,
    col: IdQ = None,
    page_no: Annotated[int | None, Query(alias="page", ge=1, le=100_000)] = None,
    exif_tag: Annotated[str | None, Query(max_length=200)] = None,
) -> HTMLResponse:
    cite = citation(
        session, case, item, record, finding, person, sheet, row, col, page_no, exif_tag
    )
    return page(request, "cite.html", cite=cite, query=request.url.query)
