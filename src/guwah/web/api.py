"""The JSON API (``/api``): read-only, described at ``/docs`` (OpenAPI at ``/openapi.json``)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi import Path as PathParam

from guwah import __version__
from guwah.person.stage import find_people, parse_age
from guwah.search.query import QueryError
from guwah.search.stage import search
from guwah.summary import as_dict, summarise
from guwah.web.deps import MAX_DB_INT, DbSession, Offset, RowId, Sha256
from guwah.web.queries import (
    custody_head,
    findings_list,
    get_item,
    item_detail,
    person_detail,
    sheet_window,
)

router = APIRouter(prefix="/api", tags=["api"])
JSON = dict[str, Any]


@router.get("/status", summary="What the case holds")
def api_status(request: Request, session: DbSession) -> JSON:
    """Counts by type and status, errors grouped by cause, the custody head."""
    return {
        "tool": f"guwah {__version__}",
        "case": str(request.app.state.case.root),
        "summary": as_dict(summarise(session)),
        "custody_head": custody_head(session),
    }


@router.get("/search", summary="Full-text search")
def api_search(
    request: Request,
    q: Annotated[str, Query(description="Query (see docs/search.md): words, phrases, filters")],
    type: str | None = None,  # noqa: A002 - the facet's name
    county: str | None = None,
    facility: str | None = None,
    findings: str | None = None,
    date_from: Annotated[str | None, Query(alias="from")] = None,
    date_to: Annotated[str | None, Query(alias="to")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 20,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> JSON:
    """Hits with provenance (SHA-256, page or sheet/row), snippets with marked spans, facets."""
    filters = {
        k: v
        for k, v in {
            "type": type,
            "county": county,
            "facility": facility,
            "findings": findings,
            "from": date_from,
            "to": date_to,
        }.items()
        if v
    }
    try:
        result = search(request.app.state.case, q, limit=limit, offset=offset, filters=filters)
    except QueryError as exc:
        raise HTTPException(400, str(exc)) from exc
    return result.as_dict()


@router.get("/people", summary="Find people by name (any script) or ID number")
def api_people(
    session: DbSession,
    q: str,
    born: Annotated[int | None, Query(ge=1850, le=2100)] = None,
    born_within: Annotated[int, Query(ge=0, le=20, description="years either side")] = 1,
    county: Annotated[str | None, Query(description="county or township, any script")] = None,
    age: Annotated[str | None, Query(description="AGE or AGE@YEAR: 40@2018")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
) -> list[JSON]:
    try:
        known_age = parse_age(age) if age else None
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from exc
    hits = find_people(
        session, q, born=born, county=county, limit=limit, born_within=born_within, age=known_age
    )
    return [h.as_dict() for h in hits]


@router.get("/people/{person_id}", summary="One person with every source")
def api_person(session: DbSession, person_id: RowId) -> JSON:
    """Records with provenance, photos, names in every script with Latin forms, findings,
    and the households the registers put them in (the other members, each with its row)."""
    from guwah.records.household import households_of

    person = person_detail(session, person_id)
    if person is None:
        raise HTTPException(404, f"no person {person_id} in this case")
    person["households"] = [h.as_dict() for h in households_of(session, person_id)]
    return person


@router.get("/items/{sha256}", summary="One original")
def api_item(session: DbSession, sha256: Sha256) -> JSON:
    """Hashes, size, type, every path it occurred at, custody history, pages, sheets, findings."""
    item = get_item(session, sha256)
    if item is None:
        raise HTTPException(404, f"no item with SHA-256 {sha256} in this case")
    return item_detail(session, item)


@router.get("/items/{sha256}/sheets/{index}", summary="Rows of one sheet")
def api_sheet(
    session: DbSession,
    sha256: Sha256,
    index: Annotated[int, PathParam(ge=0, le=MAX_DB_INT)],
    start: Annotated[int, Query(ge=1, le=MAX_DB_INT)] = 1,
) -> JSON:
    """A window of 100 rows of a sheet, from ``start``."""
    item = get_item(session, sha256)
    window = sheet_window(session, item, index, None, start) if item is not None else None
    if window is None:
        raise HTTPException(404, f"no sheet {index} in item {sha256}")
    return window


@router.get("/findings", summary="Verification findings")
def api_findings(
    session: DbSession,
    severity: str | None = None,
    check: str | None = None,
    limit: Annotated[int, Query(ge=0, le=1000)] = 100,
    offset: Offset = 0,
) -> JSON:
    return findings_list(session, severity=severity, check=check, limit=limit, offset=offset)
