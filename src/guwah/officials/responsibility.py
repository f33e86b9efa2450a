"""Responsibility: for one official, the units and facilities under them while they held each
post, the detainees the records place there in that time, and the orders their units issued
or received — each link with its evidence (an original's SHA-256 and the place in it).

The rules, in words (the dossier's methods print them):

- *Post and time*: each of the official's posts (``official_posts``), from its first to its
  last evidenced date (the leak's documents, or the imported source). A post without dates
  is open: everything recorded in its units counts, and the dossier says so.
- *Under*: the post's unit, and the units and facilities in its jurisdiction or below it
  (GB/T 2260 through :func:`guwah.officials.units.parents`) whose kind the unit's kind
  covers in ``reference/officials/responsibility.json`` (a county party committee: every
  kind; a public-security bureau: police stations, police units, facilities; a facility:
  itself). Facilities are the registry's units and every facility a record names.
- *Detainees*: resolved people (never rows) with a record naming the facility; in the
  post's time when their earliest plausible detention date (the analysis' window,
  ``status.json``) is on or before the post's end and no release date is before its start.
  People with no plausible detention date are counted apart ("undated"), never in the
  figure. Counted in SQL (counts and a few sample records), never person by person.
- *Orders*: the document headers (``official_documents``) whose issuer is one of the
  official's units (*issued*), whose recipients or copies name it, or name ``各X`` for its
  kind in the issuer's jurisdiction (*received*, *copied*), and those the official is named
  in (*named*, *signed* where they are the signatory) — within the post's time when both
  are dated.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from sqlalchemy import Select, and_, case, func, literal, or_, select
from sqlalchemy.orm import Session

from guwah.analyse.taxonomy import statuses
from guwah.store.models import Item, Record, RecordValue, Sheet
from guwah.store.models_officials import (
    Official,
    OfficialDocument,
    OfficialMention,
    OfficialPost,
    OfficialUnit,
)

from .text import unit_kind
from .units import jurisdiction, parents

SAMPLE = 5  # sample records per facility


@dataclass(frozen=True)
class Rules:
    version: int
    scope: dict[str, frozenset[str] | None]  # kind → kinds under it (None: every kind)
    generic: dict[str, str]  # 各X → kind

    def covers(self, kind: str) -> frozenset[str] | None:
        return self.scope.get(kind, frozenset())


@cache
def rules() -> Rules:
    raw = json.loads(
        (resources.files("guwah") / "reference" / "officials" / "responsibility.json").read_text(
            "utf-8"
        )
    )
    scope: dict[str, frozenset[str] | None] = {
        k: None if "*" in v else frozenset(v) for k, v in raw["scope"].items()
    }
    generic = {k: v for k, v in raw["generic_recipients"].items() if not k.startswith("_")}
    return Rules(int(raw["version"]), scope, generic)


@dataclass(frozen=True)
class Ref:
    """Where a link is evidenced: an original (SHA-256) and the place in it, or a source."""

    kind: str  # mention | document | record | import
    sha256: str = ""
    location: dict[str, Any] = field(default_factory=dict)
    mention_id: int | None = None
    note: str = ""

    def label(self) -> str:
        """``sha256 page 2 chars 10–13``, ``sha256 sheet 0 row 5``, or the source."""
        if not self.sha256:
            return self.note
        loc = self.location
        if "row" in loc and "page" not in loc:
            where = f"sheet {loc.get('sheet')} row {loc.get('row')}"
            if loc.get("col") is not None:
                where += f" col {loc['col']}"
        else:
            where = f"page {loc.get('page')}"
            if loc.get("start") is not None:
                where += f" chars {loc['start']}–{loc.get('end')}"
        return f"{self.sha256} {where}"


@dataclass
class PostInfo:
    id: int
    title: str
    unit: str
    date_from: str | None
    date_to: str | None
    source: str
    evidence: list[Ref]

    @property
    def window(self) -> tuple[str, str] | None:
        if not self.date_from and not self.date_to:
            return None
        return (self.date_from or "0000", (self.date_to or "9999") + "-99")

    def when(self) -> str:
        if not self.date_from and not self.date_to:
            return "dates not evidenced"
        return f"{self.date_from or '?'} – {self.date_to or '?'}"


@dataclass
class UnitLink:
    name: str
    kind: str
    place: str
    relation: str  # post (the unit the post is in) | under
    why: str
    evidence: list[Ref] = field(default_factory=list)


@dataclass
class DetaineeCount:
    facility: str
    place: str
    n: int  # dated in the post's time (every dated one, when the post has no dates)
    n_undated: int  # no plausible detention date: not in n
    n_outside: int  # dated outside the post's time: not in n
    sample: list[Ref] = field(default_factory=list)  # records of people counted in n
    named: list[Ref] = field(default_factory=list)  # a record naming the facility (any time)


@dataclass
class OrderLink:
    relation: str  # issued | received | copied | named | signed
    via: str  # the official's unit (or the mention's role)
    document_id: int
    number: str
    date: str | None
    issuer: str
    recipients: list[str]
    copies: list[str]
    ref: Ref


@dataclass
class PostResponsibility:
    post: PostInfo
    kind: str
    place: str
    level: str
    scope: str  # the rule, in words
    units: list[UnitLink]
    detainees: list[DetaineeCount]

    @property
    def n_detainees(self) -> int:
        return sum(d.n for d in self.detainees)


@dataclass
class Responsibility:
    official_id: int
    posts: list[PostResponsibility]
    orders: list[OrderLink]
    n_detainees: int  # distinct people, over every post (each in its own time)
    n_undated: int  # distinct people with no plausible detention date in those facilities
    rules_version: int

    def facilities(self) -> list[str]:
        return sorted({d.facility for p in self.posts for d in p.detainees})


# -- places -------------------------------------------------------------------------------


def _place(name: str, stored: str = "") -> tuple[str, str]:
    place, level = jurisdiction(name)
    return (stored or place), level


def contains(scope_place: str, scope_level: str, place: str) -> bool:
    """Whether ``place`` lies in ``scope_place`` (the national level holds every place)."""
    if scope_level == "national":
        return True
    if not place or not scope_place:
        return False
    return place == scope_place or any(p == scope_place for p, _l in parents(place))


# -- the official's posts -----------------------------------------------------------------


def _mention_refs(session: Session, ids: list[int]) -> dict[int, Ref]:
    out: dict[int, Ref] = {}
    for i in range(0, len(ids), 500):
        for m in session.scalars(
            select(OfficialMention).where(OfficialMention.id.in_(ids[i : i + 500]))
        ):
            out[m.id] = Ref("mention", m.sha256, m.location(), m.id)
    return out


def posts_of(session: Session, official_id: int) -> list[PostInfo]:
    posts = session.scalars(
        select(OfficialPost)
        .where(OfficialPost.official_id == official_id)
        .order_by(OfficialPost.date_from, OfficialPost.id)
    ).all()
    ids = sorted({e for p in posts if p.source == "leak" for e in p.evidence if isinstance(e, int)})
    refs = _mention_refs(session, ids)
    out = []
    for p in posts:
        if p.source == "leak":
            ev = [refs[e] for e in p.evidence if isinstance(e, int) and e in refs]
        else:
            ev = [Ref("import", note=f"imported: {e}") for e in p.evidence] or [
                Ref("import", note="imported (no source given)")
            ]
        out.append(PostInfo(p.id, p.title, p.unit, p.date_from, p.date_to, p.source, ev))
    return out


# -- units and facilities -----------------------------------------------------------------


@dataclass
class _Candidate:
    name: str
    kind: str
    place: str
    registry: bool  # in official_units (else only named by records)


def _candidates(session: Session) -> list[_Candidate]:
    """The registry's units (not the places themselves) and every facility records name."""
    out: dict[str, _Candidate] = {}
    for u in session.scalars(select(OfficialUnit).where(OfficialUnit.source != "gb2260")):
        if u.level and u.name == u.jurisdiction:
            continue  # a place, not a body
        out[u.name] = _Candidate(u.name, u.kind, _place(u.name, u.jurisdiction)[0], True)
    for (name,) in session.execute(
        select(RecordValue.value)
        .where(RecordValue.field == "facility", RecordValue.value.is_not(None))
        .distinct()
    ):
        if name and name not in out:
            out[name] = _Candidate(name, unit_kind(name) or "facility", _place(name)[0], False)
            if out[name].kind == "unit":
                out[name].kind = "facility"  # a record's facility column names a facility
    return sorted(out.values(), key=lambda c: c.name)


def _unit_mentions(session: Session, names: list[str], per_unit: int = 3) -> dict[str, list[Ref]]:
    """A few mentions that name each unit (beside the name or as the document's issuer)."""
    out: dict[str, list[Ref]] = defaultdict(list)
    if not names:
        return out
    for i in range(0, len(names), 400):
        chunk = names[i : i + 400]
        rows = session.execute(
            select(
                OfficialMention.unit,
                OfficialMention.context_unit,
                OfficialMention.id,
                OfficialMention.sha256,
                OfficialMention.method,
                OfficialMention.page_no,
                OfficialMention.start,
                OfficialMention.end,
                OfficialMention.sheet_index,
                OfficialMention.row,
                OfficialMention.col,
            )
            .where(or_(OfficialMention.unit.in_(chunk), OfficialMention.context_unit.in_(chunk)))
            .order_by(OfficialMention.id)
        ).all()
        for unit, context, mid, sha, method, page, start, end, sheet, row, col in rows:
            loc = (
                {"sheet": sheet, "row": row, "col": col}
                if method == "sheet"
                else {"page": page, "start": start, "end": end}
            )
            for n in {unit, context}:
                if n in chunk and len(out[n]) < per_unit:
                    out[n].append(Ref("mention", sha, loc, mid))
    return out


def _post_unit(post: PostInfo, registry: dict[str, OfficialUnit]) -> tuple[str, str, str, str]:
    """(name, kind, place, level) of the unit a post is in."""
    name = post.unit or post.title
    u = registry.get(name)
    place, level = jurisdiction(name)
    if u is not None:
        kind = u.kind
        place = u.jurisdiction or place
    else:
        kind = unit_kind(name) if post.unit else ""
    if kind in ("", "unit") and place and level in ("national", "province", "prefecture", "county"):
        kind = "unit"  # a place's own leadership: 自治区 in 自治区党委书记
    if place and not level:
        level = jurisdiction(place)[1]
    return name, kind or "unit", place, level


def _scope_words(kind: str, place: str, level: str, covers: frozenset[str] | None) -> str:
    where = "the whole country" if level == "national" else (place or "(no jurisdiction)")
    what = "the leadership of a place" if kind == "unit" else f"a {kind.replace('_', ' ')}"
    if covers is None:
        return f"{what}: every unit and facility in {where} and below"
    if not covers:
        return f"{what}: the unit itself"
    kinds = ", ".join(sorted(k.replace("_", " ") for k in covers))
    return f"{what}: the {kinds} units in {where} and below"


# -- detainees ----------------------------------------------------------------------------


def _in_time(window: tuple[str, str] | None, det: Any, rel: Any) -> Any:
    if window is None:
        return literal(True)
    lo, hi = window
    return and_(det.is_not(None), det <= hi, or_(rel.is_(None), rel >= lo))


def _dated_people(facilities: list[str]) -> tuple[Any, Any, Any]:
    """Subqueries: people with a record naming one of ``facilities`` (and which), their
    earliest plausible detention date, their latest plausible release date."""
    lo, hi = statuses().plausible
    base = (
        select(
            Record.person_id.label("pid"),
            RecordValue.value.label("facility"),
            Record.id.label("rid"),
            Record.item_id.label("item_id"),
            Record.sheet_id.label("sheet_id"),
            Record.row.label("row"),
        )
        .join(Record, Record.id == RecordValue.record_id)
        .where(
            RecordValue.field == "facility",
            RecordValue.value.in_(facilities),
            Record.person_id.is_not(None),
        )
        .subquery("fac")
    )
    people = select(base.c.pid)

    def dates(fld: str, agg: Any, label: str) -> Any:
        return (
            select(Record.person_id.label("pid"), agg(RecordValue.value).label(label))
            .join(Record, Record.id == RecordValue.record_id)
            .where(
                RecordValue.field == fld,
                RecordValue.value >= lo.isoformat(),
                RecordValue.value <= hi.isoformat(),
                Record.person_id.in_(people),
            )
            .group_by(Record.person_id)
            .subquery(label)
        )

    return base, dates("detention_date", func.min, "det"), dates("release_date", func.max, "rel")


def _joined(base: Any, det: Any, rel: Any, *cols: Any) -> Select[Any]:
    return (
        select(*cols)
        .select_from(base)
        .outerjoin(det, det.c.pid == base.c.pid)
        .outerjoin(rel, rel.c.pid == base.c.pid)
    )


def detainee_counts(
    session: Session,
    facilities: list[str],
    window: tuple[str, str] | None,
    sample: int = SAMPLE,
) -> list[DetaineeCount]:
    """Per facility: the people recorded there in ``window`` (or at any time), the undated,
    those dated outside it, and up to ``sample`` of the counted people's records."""
    if not facilities:
        return []
    base, det, rel = _dated_people(facilities)
    inside = _in_time(window, det.c.det, rel.c.rel)
    undated = det.c.det.is_(None)
    counted = and_(det.c.det.is_not(None), inside)
    q = _joined(
        base,
        det,
        rel,
        base.c.facility,
        func.count(func.distinct(case((counted, base.c.pid)))),
        func.count(func.distinct(case((undated, base.c.pid)))),
        func.count(func.distinct(base.c.pid)),
    ).group_by(base.c.facility)
    counts = {f: (n, u, total) for f, n, u, total in session.execute(q)}
    first = case((counted, 0), else_=1)  # the counted first: a sample is of them
    ranked = _joined(
        base,
        det,
        rel,
        base.c.facility,
        base.c.item_id,
        base.c.sheet_id,
        base.c.row,
        first.label("later"),
        func.row_number()
        .over(partition_by=base.c.facility, order_by=(first, base.c.rid))
        .label("k"),
    )
    sub = ranked.subquery("ranked")
    samples: dict[str, list[Ref]] = defaultdict(list)
    named: dict[str, Ref] = {}
    for fac, sha, sheet_index, row, later, k in session.execute(
        select(sub.c.facility, Item.sha256, Sheet.sheet_index, sub.c.row, sub.c.later, sub.c.k)
        .join(Item, Item.id == sub.c.item_id)
        .join(Sheet, Sheet.id == sub.c.sheet_id)
        .where(sub.c.k <= sample)
        .order_by(sub.c.facility, sub.c.k)
    ):
        ref = Ref("record", sha, {"sheet": sheet_index, "row": row})
        if k == 1:
            named[fac] = ref
        if not later:
            samples[fac].append(ref)
    out = []
    for f in facilities:
        n, u, total = counts.get(f, (0, 0, 0))
        n_out = total - n - u
        d = DetaineeCount(f, _place(f)[0], n, u, n_out, samples.get(f, []))
        d.named = [named[f]] if f in named else []
        out.append(d)
    return out


def totals(
    session: Session, posts: list[tuple[list[str], tuple[str, str] | None]]
) -> tuple[int, int]:
    """Distinct people over every post (each post's facilities in its own time), and the
    undated among all those facilities: one aggregate query, the shape of
    :func:`detainee_counts` (a union of per-post selects lets SQLite re-run the date
    aggregates per branch)."""
    posts = [(f, w) for f, w in posts if f]
    if not posts:
        return 0, 0
    every = sorted({x for f, _w in posts for x in f})
    base, det, rel = _dated_people(every)
    dated = det.c.det.is_not(None)
    inside = or_(
        *(and_(base.c.facility.in_(f), _in_time(w, det.c.det, rel.c.rel)) for f, w in posts)
    )
    q = _joined(
        base,
        det,
        rel,
        func.count(func.distinct(case((and_(dated, inside), base.c.pid)))),
        func.count(func.distinct(case((det.c.det.is_(None), base.c.pid)))),
    )
    n, undated = session.execute(q).one()
    return int(n or 0), int(undated or 0)


# -- orders -------------------------------------------------------------------------------


def _orders(
    session: Session,
    official_id: int,
    posts: list[PostResponsibility],
) -> list[OrderLink]:
    r = rules()
    mine = {p.post.unit or p.post.title: p for p in posts}
    kinds = {name: (p.kind, p.place) for name, p in mine.items()}
    named: dict[tuple[int, int | None], list[OfficialMention]] = defaultdict(list)
    for m in session.scalars(
        select(OfficialMention).where(
            OfficialMention.official_id == official_id, OfficialMention.method != "sheet"
        )
    ):
        named[(m.item_id, m.page_no)].append(m)
    out: list[OrderLink] = []
    for d in session.scalars(select(OfficialDocument).order_by(OfficialDocument.id)):
        out += _document_links(d, mine, kinds, named.get((d.item_id, d.page_no), []), r)
    return out


def _document_links(
    d: OfficialDocument,
    mine: dict[str, PostResponsibility],
    kinds: dict[str, tuple[str, str]],
    ms: list[OfficialMention],
    r: Rules,
) -> list[OrderLink]:
    """How one document header links to the official's units (and to the official)."""
    ref = Ref("document", d.sha256, {"page": d.page_no}, note=d.number)
    recipients = [x.strip() for x in d.recipients]
    copies = [x.strip() for x in d.copies]
    out: list[OrderLink] = []

    def link(relation: str, via: str) -> None:
        out.append(
            OrderLink(relation, via, d.id, d.number, d.date, d.issuer, recipients, copies, ref)
        )

    issuer_place = jurisdiction(d.issuer)[0]
    for unit, p in mine.items():
        w = p.post.window
        if w is not None and d.date is not None and not w[0] <= d.date <= w[1]:
            continue
        if d.issuer and d.issuer == unit:
            link("issued", unit)
            continue
        kind, place = kinds[unit]
        for relation, names in (("received", recipients), ("copied", copies)):
            for x in names:
                generic = x.startswith("各") and r.generic.get(x[1:]) == kind
                if x == unit or (generic and contains(issuer_place, "", place)):
                    link(relation, unit)
                    break
    if ms:
        signed = [m for m in ms if m.role == "signatory"]
        link("signed" if signed else "named", ", ".join(sorted({m.role for m in ms})))
    return out


# -- the whole ----------------------------------------------------------------------------


def responsibility(session: Session, official_id: int, sample: int = SAMPLE) -> Responsibility:
    """What the registry and the records hold the official responsible for (see the module's
    docstring for the rules); raises ``KeyError`` for an unknown official."""
    if session.get(Official, official_id) is None:
        raise KeyError(f"no official with id {official_id}")
    r = rules()
    registry = {u.name: u for u in session.scalars(select(OfficialUnit))}
    candidates = _candidates(session)
    posts = posts_of(session, official_id)
    out: list[PostResponsibility] = []
    all_units: set[str] = set()
    for post in posts:
        name, kind, place, level = _post_unit(post, registry)
        covers = r.covers(kind)
        units = [
            UnitLink(
                name,
                kind,
                place,
                "post",
                f"{post.title} of {name}",
                list(post.evidence[:3]),
            )
        ]
        for c in candidates:
            if c.name == name:
                continue
            if covers is not None and c.kind not in covers:
                continue
            if not contains(place, level, c.place):
                continue
            where = "the country" if level == "national" else place
            units.append(
                UnitLink(
                    c.name,
                    c.kind,
                    c.place,
                    "under",
                    f"a {c.kind.replace('_', ' ')} in {c.place or '?'} (in {where}, GB/T 2260)",
                )
            )
        all_units.update(u.name for u in units)
        facilities = [u.name for u in units if u.kind == "facility"]
        counts = detainee_counts(session, facilities, post.window, sample)
        by_name = {d.facility: d for d in counts}
        for u in units:
            if u.name in by_name and not u.evidence:
                u.evidence = list(by_name[u.name].named)
        out.append(
            PostResponsibility(
                post,
                kind,
                place,
                level,
                _scope_words(kind, place, level, covers),
                units,
                [d for d in counts if d.n or d.n_undated or d.n_outside],
            )
        )
    mentions = _unit_mentions(session, sorted(all_units))
    for p in out:
        for u in p.units:
            if u.relation == "under":
                u.evidence = mentions.get(u.name, []) + u.evidence
    n, n_undated = totals(
        session, [([d.facility for d in p.detainees], p.post.window) for p in out]
    )
    return Responsibility(
        official_id,
        out,
        _orders(session, official_id, out),
        n,
        n_undated,
        r.version,
    )
