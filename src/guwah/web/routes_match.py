"""The yente-compatible match API: ``POST /api/match/{list}`` (a list name or ``all``) with
yente's request shape; answers yente's response shape with guwah's explained matches.
Matching only reads the case."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from guwah.lists.match import DEFAULT_THRESHOLD, QUERY_SCHEMAS
from guwah.lists.match import Query as MatchQuery
from guwah.lists.service import matcher_for, matcher_or_empty
from guwah.web.deps import DbSession

router = APIRouter(prefix="/api", tags=["lists"])
MAX_BATCH = 100
MAX_VALUES = 50
MAX_UPLOAD = 64 << 20  # a supplier file of a few hundred thousand rows


class EntityExample(BaseModel):
    """One query entity: a FollowTheMoney schema and properties (lists of strings)."""

    id: str | None = None
    schema_: str = Field(alias="schema", description="Person, Company, Organization, …")
    properties: dict[str, str | list[Any]] = Field(default_factory=dict)  # as yente takes them

    model_config = {"populate_by_name": True}


class EntityMatchQuery(BaseModel):
    queries: dict[str, EntityExample]


@router.post("/match/{list_name}", summary="Match entities against a list (yente-compatible)")
def match(
    list_name: str,
    body: EntityMatchQuery,
    session: DbSession,
    threshold: Annotated[float, Query(ge=0.0, le=1.0)] = DEFAULT_THRESHOLD,
    limit: Annotated[int, Query(ge=1, le=100)] = 5,
) -> dict[str, Any]:
    """Each query → ranked results with ``score``, ``match`` (score ≥ threshold),
    ``features`` and ``explanations``, and the list version each result comes from."""
    if len(body.queries) > MAX_BATCH:
        raise HTTPException(400, f"Too many queries in one batch (limit: {MAX_BATCH})")
    for key, q in body.queries.items():
        if q.schema_ not in QUERY_SCHEMAS:
            raise HTTPException(400, f"Invalid schema {q.schema_!r} in query {key!r}")
        if sum(len(v) if isinstance(v, list) else 1 for v in q.properties.values()) > MAX_VALUES:
            raise HTTPException(400, f"Query {key!r} has more than {MAX_VALUES} values")
    try:
        matcher = matcher_for(session, list_name)
    except KeyError as exc:
        raise HTTPException(404, str(exc.args[0])) from exc
    responses: dict[str, Any] = {}
    for key, q in body.queries.items():
        props = {
            k: [str(v) for v in (vs if isinstance(vs, list) else [vs])][:MAX_VALUES]
            for k, vs in q.properties.items()
        }
        mq = MatchQuery.from_properties(q.schema_, props)
        if not mq.names and not mq.identifiers:
            responses[key] = {
                "status": 400,
                "results": [],
                "total": {"value": 0, "relation": "eq"},
                "query": q.model_dump(by_alias=True),
                "error": "the query has no name or registration number",
            }
            continue
        hits = matcher.match(mq, threshold=threshold, limit=limit)
        results = []
        for h in hits:
            d = h.as_dict()
            results.append(
                {
                    "id": d["id"],
                    "caption": d["caption"],
                    "schema": d["schema"],
                    "properties": d["properties"],
                    "datasets": [d["list"]["list"]],
                    "referents": [],
                    "target": True,
                    "score": d["score"],
                    "match": d["match"],
                    "features": d["features"],
                    "explanations": d["explanations"],
                    "list_version": d["list"],
                    "location": d["location"],
                }
            )
        responses[key] = {
            "status": 200,
            "results": results,
            "total": {"value": len(results), "relation": "eq"},
            "query": q.model_dump(by_alias=True),
        }
    return {
        "responses": responses,
        "matcher": {"name": "guwah", "threshold": threshold},
        "limit": limit,
        "lists": [{"list": n, "version": v} for n, v in matcher.versions],
    }


@router.post("/screen", summary="Screen a supplier file (CSV or XLSX as the request body)")
async def screen(
    request: Request,
    session: DbSession,
    filename: Annotated[
        str, Query(pattern=r"^[^/\\]{1,200}\.(csv|xlsx|CSV|XLSX)$", description="its name")
    ] = "suppliers.csv",
    threshold: Annotated[float, Query(ge=0.0, le=1.0)] = DEFAULT_THRESHOLD,
    lists: Annotated[list[str] | None, Query(description="only these lists")] = None,
) -> dict[str, Any]:
    """The screening report as JSON (risk, reasons, hits with list versions, indicators per
    supplier, ranked). The file is read from a temporary copy: nothing is kept or written in
    the case."""
    from guwah.lists.match import ListMatcher
    from guwah.screen.report import as_dict
    from guwah.screen.stage import screen_upload
    from guwah.screen.suppliers import SupplierFileError

    body = await request.body()
    if len(body) > MAX_UPLOAD:
        raise HTTPException(413, f"the file is larger than {MAX_UPLOAD >> 20} MiB")
    if not body:
        raise HTTPException(400, "send the supplier file as the request body")
    try:
        matcher = ListMatcher.from_session(session, lists) if lists else matcher_or_empty(session)
    except KeyError as exc:
        raise HTTPException(404, str(exc.args[0])) from exc

    try:
        report = await run_in_threadpool(screen_upload, matcher, body, filename, threshold)
        return as_dict(report)
    except SupplierFileError as exc:
        raise HTTPException(400, str(exc)) from exc
