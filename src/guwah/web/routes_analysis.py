"""The Analysis page: the tables and charts of ``guwah analyse`` with filters (place level,
groups, window); each count opens the people behind it, each person their records."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import func, select

from guwah.analyse import words
from guwah.analyse.report import charts
from guwah.analyse.stage import Analysis, analyse, parse_options, people_in
from guwah.analyse.tables import Count, number_counts, plain
from guwah.case import CaseError
from guwah.store.models import CustodyEvent
from guwah.web.deps import DbSession
from guwah.web.i18n import gettext as _
from guwah.web.render import page

router = APIRouter(include_in_schema=False)
_CACHE: dict[tuple[str, str, str, str, int], Analysis] = {}


def _analysis(request: Request, session: DbSession, by: str, group: str, window: str) -> Analysis:
    """The analysis for these filters, recomputed when the custody log has moved on."""
    try:
        opts = parse_options(by, group, window or None)
    except CaseError as exc:
        raise HTTPException(400, str(exc)) from exc
    head = session.scalar(select(func.max(CustodyEvent.seq))) or 0
    key = (str(request.app.state.case.root), by, group, window, head)
    if key not in _CACHE:
        _CACHE.clear()  # one analysis at a time: the people sets can be large
        a = analyse(session, opts)
        number_counts(a.tables)
        _CACHE[key] = a
    return _CACHE[key]


Filters = Annotated[str, Query(max_length=64)]
PAGE = 500  # people per page of a count


@router.get("/analysis", response_class=HTMLResponse)
def analysis_page(
    request: Request,
    session: DbSession,
    by: Filters = "village",
    group: Filters = "",
    window: Filters = "",
) -> HTMLResponse:
    a = _analysis(request, session, by, group, window)
    qs = urlencode({"by": by, "group": group, "window": window})
    people_href = f"/analysis/people?{qs}&ref="
    return page(
        request,
        "analysis.html",
        a=a,
        tables=[words.shown(t) for t in a.tables],
        by=by,
        group=group,
        window=window,
        people_href=people_href,
        charts=charts(a, people_href),
        is_count=lambda v: isinstance(v, Count),
        plain=plain,
        num=words.number,
        day=words.day,
        code_word=words.code_word,
    )


@router.get("/analysis/people", response_class=HTMLResponse)
def analysis_people(
    request: Request,
    session: DbSession,
    ref: Annotated[str, Query(pattern=r"^N\d{1,7}$")],
    by: Filters = "village",
    group: Filters = "",
    window: Filters = "",
    page_no: Annotated[int, Query(alias="page", ge=1, le=1_000_000)] = 1,
) -> HTMLResponse:
    a = _analysis(request, session, by, group, window)
    ids = people_in(a, ref)
    label = next(
        (
            f"{words.text(t.title)}: {words.cell(t, row, 0)}"
            for t in a.tables
            for row in t.rows
            for v in row
            if isinstance(v, Count) and v.ref == ref
        ),
        None,
    )
    if label is None:
        raise HTTPException(404, _("no count {ref} in this analysis").format(ref=ref))
    pages = max(1, -(-len(ids) // PAGE))
    if page_no > pages:
        raise HTTPException(
            404, _("{ref} has {n} people: {pages} pages").format(ref=ref, n=len(ids), pages=pages)
        )
    start = (page_no - 1) * PAGE
    people = [a.people[i] for i in ids[start : start + PAGE] if i in a.people]
    filters = {"by": by, "group": group, "window": window}
    here = f"/analysis/people?{urlencode({**filters, 'ref': ref})}&page="
    return page(
        request,
        "analysis_people.html",
        a=a,
        ref=ref,
        label=label,
        people=people,
        total=len(ids),
        first=start + 1,
        page_no=page_no,
        pages=pages,
        here=here,
        back=f"/analysis?{urlencode(filters)}",
        code_word=words.code_word,
        status_word=words.status_word,
        day=words.day,
    )
