"""The Demography page: yearbook series side by side, each figure linked to its cell."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from guwah.stats.report import render_section
from guwah.stats.series import load_series, series_json
from guwah.web.deps import DbSession
from guwah.web.render import page

router = APIRouter()
Filter = Annotated[str | None, Query(max_length=64)]


@router.get("/demography", response_class=HTMLResponse, include_in_schema=False)
def demography(
    request: Request, session: DbSession, indicator: Filter = None, region: Filter = None
) -> HTMLResponse:
    section = render_section(session, indicator or None, region or None, heading="h1")
    return page(request, "demography.html", section=section, indicator=indicator, region=region)


@router.get("/api/stats/series", tags=["stats"])
def series_api(
    session: DbSession, indicator: Filter = None, region: Filter = None
) -> list[dict[str, Any]]:
    """Every series (indicator × region × year) with every source's figure and its cell."""
    return [series_json(s) for s in load_series(session, indicator or None, region or None)]
