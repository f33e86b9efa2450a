"""``guwah officials build``: read every page and sheet for officials, store the mentions with
their provenance, resolve them into officials (name + jurisdiction), posts and units.

Idempotent: what the leak gave is rebuilt each time; officials imported from a CSV stay and
are joined again to the leak's mentions.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from guwah.case import Case
from guwah.core import NoProgress, Progress, case_lock, utcnow
from guwah.han import simplified
from guwah.store.models import Cell, Item, Occurrence, Page, Sheet
from guwah.store.models_officials import (
    Official,
    OfficialDocument,
    OfficialMention,
    OfficialPost,
    OfficialUnit,
)

from .data import patterns
from .sheets import sheet_mentions
from .text import find_mentions
from .units import jurisdiction, kind, parents


@dataclass
class BuildStats:
    pages: int = 0
    sheets: int = 0
    mentions: int = 0
    officials: int = 0
    posts: int = 0
    units: int = 0
    documents: int = 0
    reviews: int = 0  # reviewers' decisions re-applied (guwah.officials.review)
    unapplied: int = 0  # decisions whose officials or mentions the leak no longer yields
    by_role: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def name_key(name: str) -> str:
    return simplified(name).replace("•", "·").replace("・", "·").strip()


def build(case: Case, progress: Progress | None = None) -> BuildStats:
    progress = progress or NoProgress()
    stats = BuildStats()
    with case_lock(case):
        case.migrate()
        with case.sessions() as session, session.begin():
            _clear(session)
            _read_pages(session, stats, progress)
            _read_sheets(session, stats, progress)
            session.flush()
            resolve(session, stats)
            from .review import apply_reviews

            applied = apply_reviews(session)
            stats.reviews, stats.unapplied = applied.applied, len(applied.unapplied)
    return stats


def _clear(session: Session) -> None:
    session.execute(update(OfficialMention).values(official_id=None))
    session.execute(delete(OfficialMention))
    session.execute(delete(OfficialDocument))
    session.execute(delete(OfficialPost).where(OfficialPost.source == "leak"))
    session.execute(delete(Official).where(Official.source == "leak"))
    session.execute(update(Official).where(Official.source == "both").values(source="import"))
    session.execute(update(OfficialPost).values(unit_id=None))
    session.execute(update(OfficialUnit).values(parent_id=None))
    session.execute(delete(OfficialUnit))


def _paths(session: Session) -> dict[int, str]:
    out: dict[int, str] = {}
    for item_id, path in session.execute(
        select(Occurrence.item_id, Occurrence.path).where(Occurrence.item_id.is_not(None))
    ):
        if item_id is not None:
            out.setdefault(item_id, path)
    return out


def _read_pages(session: Session, stats: BuildStats, progress: Progress) -> None:
    paths = _paths(session)
    rows = session.execute(
        select(Page.item_id, Item.sha256, Page.page_no, Page.method, Page.text)
        .join(Item, Item.id == Page.item_id)
        .where(Item.extractor != "lists")
        .order_by(Page.item_id, Page.page_no, Page.method)
    ).all()
    with_text = {(r[0], r[2]) for r in rows if r[3] != "ocr" and (r[4] or "").strip()}
    progress.total("officials in pages", len(rows))
    issuer_of: dict[int, str] = {}
    for item_id, sha, page_no, method, text in rows:
        progress.advance("officials in pages")
        if not text or (method == "ocr" and (item_id, page_no) in with_text):
            continue
        stats.pages += 1
        mentions, header = find_mentions(text[:200_000])
        if header.issuer or header.number or header.recipients:
            session.add(
                OfficialDocument(
                    item_id=item_id,
                    sha256=sha,
                    page_no=page_no,
                    method=method,
                    number=header.number,
                    date=header.date or None,
                    issuer=header.issuer,
                    recipients=header.recipients,
                    copies=header.copies,
                    where={"number": header.number_span, "issuer": header.issuer_span},
                )
            )
            stats.documents += 1
        if header.issuer:
            issuer_of[item_id] = header.issuer
        context = issuer_of.get(item_id, "")
        path_place = jurisdiction(paths.get(item_id, "").split("/")[0])
        for m in mentions:
            place = jurisdiction(m.unit)[0] or jurisdiction(context)[0] or path_place[0]
            session.add(
                OfficialMention(
                    item_id=item_id,
                    sha256=sha,
                    page_no=page_no,
                    method=method,
                    start=m.start,
                    end=m.end,
                    name=name_key(m.name),
                    role=m.role,
                    title=m.title,
                    unit=m.unit,
                    context_unit=context,
                    jurisdiction=place,
                    sentence=m.sentence[:2000],
                    doc_date=header.date or None,
                )
            )
            stats.mentions += 1
            stats.by_role[m.role] = stats.by_role.get(m.role, 0) + 1


def _read_sheets(session: Session, stats: BuildStats, progress: Progress) -> None:
    paths = _paths(session)
    sheets = session.execute(
        select(Sheet.id, Sheet.item_id, Sheet.sheet_index, Item.sha256)
        .join(Item, Item.id == Sheet.item_id)
        .where(Item.extractor != "lists")
    ).all()
    progress.total("officials in sheets", len(sheets))
    for sheet_id, item_id, sheet_index, sha in sheets:
        progress.advance("officials in sheets")
        stats.sheets += 1
        cells = session.execute(
            select(Cell.row, Cell.col, Cell.value).where(Cell.sheet_id == sheet_id)
        ).all()
        texts = [(r, c, v) for r, c, v in cells if v]
        found = sheet_mentions(texts)
        if not found:
            continue
        unit_cells = [v for _r, _c, v in texts if "填报单位" in str(v) or "派出所" in str(v)]
        place = ""
        for v in unit_cells:
            place = jurisdiction(str(v))[0]
            if place:
                break
        path = paths.get(item_id, "")
        context = path.split("/")[0]
        place = place or jurisdiction(path)[0]
        for m in found:
            session.add(
                OfficialMention(
                    item_id=item_id,
                    sha256=sha,
                    page_no=None,
                    method="sheet",
                    sheet_index=sheet_index,
                    row=m.row,
                    col=m.col,
                    start=m.start,
                    end=m.end,
                    name=name_key(m.name),
                    role=m.role,
                    title="",
                    unit="",
                    context_unit=context,
                    jurisdiction=place,
                    sentence=m.sentence[:2000],
                )
            )
            stats.mentions += 1
            stats.by_role[m.role] = stats.by_role.get(m.role, 0) + 1


def official_key(name: str, place: str, sha256: str = "") -> str:
    """Same name *and* same jurisdiction; a mention without one stays alone to its file. The
    dot between the parts of a transcribed name is punctuation, often lost to OCR or left out
    by a clerk: 库尔班亚森 and 库尔班·亚森 of one county are one official."""
    name = name.replace("·", "")
    return f"{name}|{place}" if place else f"{name}||{sha256}"


def leak_posts(
    official_id: int, mentions: list[OfficialMention], unit_ids: dict[str, int] | None = None
) -> list[OfficialPost]:
    """An official's posts as the mentions evidence them: one per title and unit, dated from
    the first document that shows it to the last."""
    by_post: dict[tuple[str, str], list[OfficialMention]] = defaultdict(list)
    for m in mentions:
        if m.title:
            by_post[(m.title, m.unit or m.context_unit)].append(m)
    out = []
    for (title, unit_name), pms in by_post.items():
        dates = sorted(d for d in (m.doc_date for m in pms) if d)
        out.append(
            OfficialPost(
                official_id=official_id,
                title=title,
                unit=unit_name,
                unit_id=(unit_ids or {}).get(unit_name),
                date_from=dates[0] if dates else None,
                date_to=dates[-1] if dates else None,
                evidence=[m.id for m in pms],
                source="leak",
            )
        )
    return out


def resolve(session: Session, stats: BuildStats) -> None:
    """Mentions → officials (name + jurisdiction), their posts, and the unit hierarchy."""
    p = patterns()
    mentions = session.scalars(select(OfficialMention)).all()
    imported: dict[str, Official] = {}
    for o in session.scalars(select(Official).where(Official.source == "import")):
        for n in {o.name, *o.names}:
            imported.setdefault(official_key(name_key(n), o.jurisdiction), o)
    groups: dict[str, list[OfficialMention]] = defaultdict(list)
    for m in mentions:
        groups[official_key(m.name, m.jurisdiction, m.sha256)].append(m)
    now = utcnow()
    units: dict[str, OfficialUnit] = {}

    def unit(name: str, source: str = "leak") -> OfficialUnit:
        if name in units:
            return units[name]
        place, level = jurisdiction(name)
        u = OfficialUnit(
            name=name,
            kind=kind(name) or level,
            level=level if name == place else "",
            jurisdiction=place,
            source=source,
        )
        session.add(u)
        units[name] = u
        if place and place != name:
            u.parent = unit(place, "gb2260")
        elif place:
            ups = parents(place)
            if ups:
                u.parent = unit(ups[0][0], "gb2260")
        return u

    for key, ms in groups.items():
        first = next((m for m in ms if "·" in m.name), ms[0])  # the form with its dot
        forms = list(dict.fromkeys([first.name, *(m.name for m in ms)]))
        off = imported.get(key)
        if off is None:
            off = Official(
                name=first.name,
                key=key,
                jurisdiction=first.jurisdiction,
                names=forms,
                rank=0,
                source="leak",
                sources=[],
                status="auto",
                created_at=now,
            )
            session.add(off)
        else:
            off.source = "both"
            off.names = list(dict.fromkeys([*(off.names or []), *forms]))
        session.flush()
        off.n_mentions = len(ms)
        off.n_documents = len({m.sha256 for m in ms})
        off.rank = max([off.rank or 0, *(p.rank(m.title) for m in ms)])
        for m in ms:
            m.official_id = off.id
        posts = leak_posts(off.id, ms)
        session.add_all(posts)
        stats.posts += len(posts)
        stats.officials += 1
    for m in mentions:
        for name in (m.unit, m.context_unit):
            if name and len(name) <= 40:
                unit(name)
    session.flush()
    for post in session.scalars(select(OfficialPost)):
        if post.unit and post.unit in units:
            post.unit_id = units[post.unit].id
    stats.units = len(units)
