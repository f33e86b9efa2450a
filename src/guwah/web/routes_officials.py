"""Officials and the sanctions gap in the workbench: the registry ranked by the weight of the
evidence with each imported list's status, one official with every mention (each linking to
its page or cell in the original), and the same as JSON and as the CSV/XLSX of `guwah gap`.

The gap table screens every official against every list, so it is computed once per state of
the registry and of the lists and kept (``_gap``); a rebuild or an import makes a new one.
"""

from __future__ import annotations

import tempfile
import threading
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlalchemy.orm import Session

from guwah.lists.service import matcher_or_empty
from guwah.officials.gap import GapRow, gap_table, write
from guwah.store.models_officials import (
    Official,
    OfficialDocument,
    OfficialMention,
    OfficialPost,
)
from guwah.web.deps import DbSession, RowId
from guwah.web.queries import location_link
from guwah.web.render import page

router = APIRouter()
PER_PAGE = 50
MAX_MENTIONS = 500
SHOWS = ("all", "unsanctioned", "sanctioned", "possible")

_lock = threading.Lock()
_cache: dict[tuple[Any, ...], tuple[list[GapRow], list[str]]] = {}


def _state(session: Session) -> tuple[Any, ...]:
    """What the gap table depends on: the registry's size and the list versions matched."""
    offs = session.execute(
        select(func.count(), func.max(Official.id), func.sum(Official.n_mentions))
    ).one()
    posts = session.scalar(select(func.count()).select_from(OfficialPost))
    return (*offs, posts)


def _gap(session: Session) -> tuple[list[GapRow], list[str]]:
    """The gap table of the case as it is now (cached per registry state and list versions)."""
    try:
        state = _state(session)
    except (OperationalError, ProgrammingError):  # a case made before the officials tables
        return [], []
    matcher = matcher_or_empty(session)
    bind = session.get_bind()
    key = (str(getattr(bind, "url", id(bind))), id(matcher), *state)
    with _lock:
        if key not in _cache:
            _cache[key] = gap_table(session, matcher)
            while len(_cache) > 4:
                _cache.pop(next(iter(_cache)))
        return _cache[key]


def _shown(rows: list[GapRow], show: str, q: str) -> list[GapRow]:
    if show == "unsanctioned":
        rows = [r for r in rows if not r.sanctioned]
    elif show == "sanctioned":
        rows = [r for r in rows if r.sanctioned]
    elif show == "possible":
        rows = [r for r in rows if any(s.status == "possible" for s in r.lists.values())]
    if q:
        low = q.lower()
        rows = [
            r
            for r in rows
            if any(low in n.lower() for n in r.names) or low in r.jurisdiction.lower()
        ]
    return rows


@router.get("/officials", response_class=HTMLResponse, include_in_schema=False)
def officials_page(
    request: Request,
    session: DbSession,
    show: Annotated[str, Query(description="all | unsanctioned | sanctioned | possible")] = "all",
    q: str = "",
    page_no: Annotated[int, Query(alias="page", ge=1)] = 1,
) -> HTMLResponse:
    if show not in SHOWS:
        show = "all"
    rows, list_names = _gap(session)
    chosen = _shown(rows, show, q.strip())
    start = (page_no - 1) * PER_PAGE
    return page(
        request,
        "officials.html",
        rows=chosen[start : start + PER_PAGE],
        total=len(chosen),
        n_all=len(rows),
        n_unsanctioned=sum(1 for r in rows if not r.sanctioned),
        list_names=list_names,
        show=show,
        q=q,
        page_no=page_no,
        pages=max(1, -(-len(chosen) // PER_PAGE)),
    )


def _mention(m: OfficialMention, paths: dict[int, str]) -> dict[str, Any]:
    loc = m.location()
    link_loc = (
        {"sheet_index": loc["sheet"], "row": loc["row"], "col_no": loc["col"]}
        if m.method == "sheet"
        else {"page": loc["page"]}
    )
    return {
        "id": m.id,
        "name": m.name,
        "role": m.role,
        "title": m.title,
        "unit": m.unit or m.context_unit,
        "sentence": m.sentence,
        "start": m.start,
        "end": m.end,
        "method": m.method,
        "date": m.doc_date,
        "sha256": m.sha256,
        "path": paths.get(m.item_id, ""),
        "location": loc,
        "link": location_link(m.sha256, link_loc),
    }


def _official(session: Session, official_id: int) -> dict[str, Any]:
    try:
        o = session.get(Official, official_id)
    except (OperationalError, ProgrammingError):
        o = None
    if o is None:
        raise HTTPException(404, f"no official {official_id} in this case")
    from guwah.store.models import Occurrence

    mentions = session.scalars(
        select(OfficialMention)
        .where(OfficialMention.official_id == o.id)
        .order_by(OfficialMention.doc_date, OfficialMention.id)
        .limit(MAX_MENTIONS)
    ).all()
    n_mentions = session.scalar(select(func.count()).where(OfficialMention.official_id == o.id))
    item_ids = {m.item_id for m in mentions}
    paths: dict[int, str] = {}
    for item_id, path in session.execute(
        select(Occurrence.item_id, Occurrence.path)
        .where(Occurrence.item_id.in_(item_ids))
        .order_by(Occurrence.id)
    ):
        if item_id is not None:
            paths.setdefault(item_id, path)
    shown = [_mention(m, paths) for m in mentions]
    by_id = {m["id"]: m for m in shown}
    posts = [
        {
            "title": p.title,
            "unit": p.unit,
            "from": p.date_from,
            "to": p.date_to,
            "source": p.source,
            "evidence": [by_id[e] for e in p.evidence or [] if isinstance(e, int) and e in by_id],
            "other_evidence": [e for e in p.evidence or [] if not isinstance(e, int)],
        }
        for p in session.scalars(
            select(OfficialPost)
            .where(OfficialPost.official_id == o.id)
            .order_by(OfficialPost.date_from, OfficialPost.id)
        )
    ]
    units = {p["unit"] for p in posts if p["unit"]}
    issued = (
        session.scalars(
            select(OfficialDocument)
            .where(OfficialDocument.issuer.in_(units))
            .order_by(OfficialDocument.date, OfficialDocument.id)
            .limit(100)
        ).all()
        if units
        else []
    )
    rows, list_names = _gap(session)
    gap = next((r for r in rows if r.kind == "official" and r.id == o.id), None)
    return {
        "id": o.id,
        "name": o.name,
        "names": list(o.names or [o.name]),
        "jurisdiction": o.jurisdiction,
        "birth_date": o.birth_date,
        "rank": o.rank,
        "status": o.status,
        "source": o.source,
        "sources": list(o.sources or []),
        "documents": o.n_documents,
        "mentions_total": n_mentions or 0,
        "mentions": shown,
        "posts": posts,
        "documents_of_its_units": [
            {
                "number": d.number,
                "date": d.date,
                "issuer": d.issuer,
                "recipients": list(d.recipients or []),
                "sha256": d.sha256,
                "page": d.page_no,
                "link": location_link(d.sha256, {"page": d.page_no}),
            }
            for d in issued
        ],
        "lists": {n: gap.lists[n].__dict__ for n in list_names} if gap else {},
    }


@router.get("/officials/{official_id}", response_class=HTMLResponse, include_in_schema=False)
def official_page(request: Request, session: DbSession, official_id: RowId) -> HTMLResponse:
    return page(request, "official.html", o=_official(session, official_id))


@router.get("/api/officials", tags=["officials"], summary="The officials and the sanctions gap")
def api_officials(
    session: DbSession,
    show: Annotated[str, Query(description="all | unsanctioned | sanctioned | possible")] = "all",
    q: str = "",
) -> dict[str, Any]:
    """Every official (and public-security or XPCC unit) with its status on each imported
    list (listed / possible / not listed, score, explanation, list version), the implicated
    but not sanctioned first, by weight of evidence."""
    rows, list_names = _gap(session)
    chosen = _shown(rows, show if show in SHOWS else "all", q.strip())
    return {"lists": list_names, "total": len(chosen), "rows": [r.as_dict() for r in chosen]}


@router.get("/api/officials/{official_id}", tags=["officials"], summary="One official")
def api_official(session: DbSession, official_id: RowId) -> dict[str, Any]:
    """Names, posts over time with their evidence, every mention (SHA-256, page or cell,
    the sentence), documents of the official's units, the status on each list."""
    return _official(session, official_id)


@router.get("/officials.{ext}", include_in_schema=False)
def officials_file(session: DbSession, ext: str) -> Response:
    """The gap table as `guwah gap --out` writes it (cells that a spreadsheet would run as a
    formula are quoted)."""
    if ext not in ("csv", "xlsx"):
        raise HTTPException(404, "the gap table comes as officials.csv or officials.xlsx")
    rows, list_names = _gap(session)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / f"gap.{ext}"
        write(rows, list_names, out)
        data = out.read_bytes()
    media = (
        "text/csv; charset=utf-8"
        if ext == "csv"
        else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    return Response(
        data,
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="sanctions-gap.{ext}"'},
    )


@router.get("/officials/{official_id}/dossier.{ext}", include_in_schema=False)
def official_dossier(
    request: Request, session: DbSession, official_id: RowId, ext: str
) -> Response:
    """The official's dossier as `guwah dossier` writes it, as a download (HTML or PDF): an
    export, so only for a role that may export; page images only for a role that may see
    originals; redacted for a role that may not see identities."""
    from guwah.access.roles import may
    from guwah.officials.dossier import DossierError, dossier, render_html, write_pdf
    from guwah.web.access import current_pseudonymiser

    if ext not in ("html", "pdf"):
        raise HTTPException(404, "a dossier comes as dossier.html or dossier.pdf")
    identity = getattr(request.state, "identity", None)
    if identity is not None and not may(identity.role, "export"):
        raise HTTPException(403, f"the role {identity.role} may not make exports such as dossiers")
    images = identity is None or may(identity.role, "originals")
    try:
        d = dossier(session, request.app.state.case, official_id, matcher_or_empty(session), images)
    except DossierError as exc:
        raise HTTPException(404, str(exc)) from exc
    html = render_html(d, pdf=ext == "pdf")
    pseudo = current_pseudonymiser.get()
    if pseudo is not None:
        html = pseudo.redact_html(html)
    name = f"dossier-{official_id}.{ext}"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    if ext == "html":
        return Response(html, media_type="text/html; charset=utf-8", headers=headers)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / name
        write_pdf(html, out)
        data = out.read_bytes()
    return Response(data, media_type="application/pdf", headers=headers)
