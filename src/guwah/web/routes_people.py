"""People: search by name in any script or ID number, and one person with every source."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse

from guwah.person.stage import find_people, parse_age
from guwah.person.summary import ENGLISH, Words
from guwah.web import i18n
from guwah.web.deps import DbSession, RowId
from guwah.web.i18n import gettext as _
from guwah.web.queries import person_view_detail
from guwah.web.render import page

router = APIRouter(include_in_schema=False)


@router.get("/people", response_class=HTMLResponse)
def people_page(
    request: Request,
    session: DbSession,
    q: str = "",
    born: Annotated[str, Query(description="birth year")] = "",
    within: Annotated[int, Query(ge=0, le=20, description="years either side")] = 1,
    county: str = "",
    age: Annotated[str, Query(description="AGE or AGE@YEAR")] = "",
) -> HTMLResponse:
    year = int(born) if re.fullmatch(r"[0-9]{4}", born.strip()) else None
    known_age, error = None, ""
    try:
        known_age = parse_age(age) if age.strip() else None
    except ValueError as exc:
        error = str(exc)
    hits = (
        find_people(
            session,
            q.strip(),
            born=year,
            county=county.strip() or None,
            limit=25,
            born_within=within,
            age=known_age,
        )
        if q.strip() and not error
        else []
    )
    return page(
        request,
        "people.html",
        q=q,
        born=born,
        within=within,
        county=county,
        age=age,
        error=error,
        hits=hits,
    )


@router.get("/people/{person_id}", response_class=HTMLResponse)
def person_page(request: Request, session: DbSession, person_id: RowId) -> HTMLResponse:
    from guwah.lists.panel import person_sanctions
    from guwah.person.summary import summarise
    from guwah.records.household import households_of
    from guwah.records.people import get_person

    view = get_person(session, person_id)  # read once: the page and the summary
    if view is None:
        raise HTTPException(404, _("no person {id} in this case").format(id=person_id))
    person = person_view_detail(session, view)
    return page(
        request,
        "person.html",
        person=person,
        sanctions=person_sanctions(session, person),
        households=households_of(session, person_id),
        summary=summarise(view, _summary_words()),
    )


def _summary_words() -> Words:
    """The person summary's words in the request's language (English: as always written)."""
    from guwah.analyse.words import day
    from guwah.web.render import number

    lang = i18n.current_language.get()
    if not lang.catalogue:
        return ENGLISH
    return Words(i18n.gettext, i18n.ngettext, lang.catalogue, number, day)
