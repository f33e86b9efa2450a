"""Pages: the case overview, search and the verification report."""

from __future__ import annotations

import re
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from guwah.person.stage import PersonHit, find_people
from guwah.search.query import QueryError
from guwah.search.stage import SearchResult, search
from guwah.store.models import FindingRow, Person, Record
from guwah.summary import summarise
from guwah.verify.report import build_report
from guwah.web.deps import get_session
from guwah.web.queries import custody_head, verify_has_run
from guwah.web.render import page

router = APIRouter(include_in_schema=False)
PER_PAGE = 20
PEOPLE_ON_SEARCH = 5


@router.get("/", response_class=HTMLResponse)
def overview(request: Request, session: Annotated[Session, Depends(get_session)]) -> HTMLResponse:
    summary = summarise(session)
    by_severity: dict[str, int] = dict(
        session.execute(
            select(FindingRow.severity, func.count()).group_by(FindingRow.severity)
        ).all()
    )
    return page(
        request,
        "overview.html",
        summary=summary,
        head=custody_head(session),
        people=session.scalar(select(func.count()).select_from(Person)) or 0,
        records=session.scalar(select(func.count()).select_from(Record)) or 0,
        findings=by_severity,
    )


def search_filters(
    type_: str | None, county: str | None, facility: str | None, year: str | None, findings: str
) -> dict[str, str]:
    """The search filters of the facet parameters."""
    filters: dict[str, str] = {}
    if type_:
        filters["type"] = type_
    if county:
        filters["county"] = county
    if facility:
        filters["facility"] = facility
    if year and year.isdigit():
        filters["from"] = year
        filters["to"] = year
    if findings in ("yes", "no"):
        filters["findings"] = findings
    return filters


def hit_link(hit: Any) -> str:
    """The item viewer at the place a search hit is: the row of a sheet, the page."""
    if hit.kind == "row" and hit.sheet_index is not None:
        return f"/items/{hit.sha256}?sheet={hit.sheet_index}&row={hit.row}#cell"
    if hit.kind == "page" and hit.page_no is not None:
        return f"/items/{hit.sha256}?page={hit.page_no}#page-{hit.page_no}"
    return f"/items/{hit.sha256}"


@router.get("/search", response_class=HTMLResponse)
def search_page(
    request: Request,
    session: Annotated[Session, Depends(get_session)],
    q: str = "",
    type: Annotated[str | None, Query()] = None,  # noqa: A002 - the facet's name
    county: str | None = None,
    facility: str | None = None,
    year: str | None = None,
    findings: str = "",
    page_no: Annotated[int, Query(alias="page", ge=1, le=500)] = 1,
) -> HTMLResponse:
    params = {
        k: v
        for k, v in {
            "q": q,
            "type": type,
            "county": county,
            "facility": facility,
            "year": year,
            "findings": findings,
        }.items()
        if v
    }
    filters = search_filters(type, county, facility, year, findings)
    result: SearchResult | None = None
    error = None
    if q.strip() or filters:
        try:
            result = search(
                request.app.state.case,
                q,
                limit=PER_PAGE,
                offset=(page_no - 1) * PER_PAGE,
                filters=filters,
            )
        except QueryError as exc:
            error = str(exc)
    people = people_named(session, q) if page_no == 1 and not filters else []

    def with_param(**changes: str | None) -> str:
        merged = {**params, **changes}
        merged.pop("page", None)
        return "/search?" + urlencode({k: v for k, v in merged.items() if v})

    def page_link(n: int) -> str:
        return "/search?" + urlencode({**params, "page": n})

    return page(
        request,
        "search.html",
        q=q,
        params=params,
        result=result,
        error=error,
        people=people,
        hit_link=hit_link,
        with_param=with_param,
        page_link=page_link,
        page_no=page_no,
        per_page=PER_PAGE,
    )


NAME_LIKE = re.compile(r"^[^\W\d_]+(?:[\s·•'’-][^\W\d_]+){0,4}$")  # words of letters only
FIELD_WORDS = re.compile(r"\b(?:AND|OR|NOT)\b")


def people_named(session: Session, q: str) -> list[PersonHit]:
    """A query that looks like a name (letters in one to five words, no operator or field)
    also goes to the cross-script person search: a Latin spelling finds the people whose
    rows are written in Chinese, which full text cannot."""
    text = q.strip()
    if not NAME_LIKE.match(text) or FIELD_WORDS.search(text):
        return []
    return find_people(session, text, limit=PEOPLE_ON_SEARCH)


@router.get("/report", response_class=HTMLResponse)
def report_page(
    request: Request,
    session: Annotated[Session, Depends(get_session)],
    severity: str | None = None,
    check: str | None = None,
) -> HTMLResponse:
    if not verify_has_run(session):
        return page(request, "report.html", report=None, findings=[])
    report = build_report(session, str(request.app.state.case.root))
    findings = [
        f
        for f in report["findings"]
        if (not severity or f["severity"] == severity) and (not check or f["check"] == check)
    ]
    return page(
        request,
        "report.html",
        report=report,
        findings=findings,
        severity=severity,
        check=check,
    )


@router.get("/api", response_class=HTMLResponse)
def api_index(request: Request) -> HTMLResponse:
    """The JSON API's endpoints, from the app's own OpenAPI description (never a hand list)."""
    endpoints = [
        {"path": path, "method": method.upper(), "summary": op.get("summary", "")}
        for path, ops in request.app.openapi()["paths"].items()
        for method, op in ops.items()
    ]
    return page(request, "api.html", endpoints=endpoints)
