"""A reviewer's say on the officials registry: merge officials the build kept apart, split
mentions off an official the build joined, confirm an official. Each decision is a row of
``official_reviews`` with who, when and why, and an event in the custody log.

Decisions are kept by the officials' keys (``name|jurisdiction``) and the mentions' places
(``sha256:<hex>#page=…&chars=…`` or ``#sheet=…&row=…&col=…`` and the name), never by row ids,
which every ``guwah officials build`` renumbers; the build re-applies them all, oldest
first, so a merge stays merged, a split stays split and a confirmation stays confirmed. A
decision whose officials or mentions the leak no longer yields is left as it is, unapplied,
and counted.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from guwah.case import Case, CaseError
from guwah.core import case_lock, utcnow
from guwah.store.custody import CustodyLog
from guwah.store.models_officials import (
    Official,
    OfficialMention,
    OfficialPost,
    OfficialReview,
    OfficialUnit,
)

ACTIONS = ("merge", "split", "confirm")
EVENTS = {"merge": "official_merged", "split": "official_split", "confirm": "official_confirmed"}


def mention_place(m: OfficialMention) -> str:
    """Where a mention is, as stable as the original: its SHA-256 and place in it."""
    if m.method == "sheet":
        return f"sha256:{m.sha256}#sheet={m.sheet_index}&row={m.row}&col={m.col}"
    return f"sha256:{m.sha256}#page={m.page_no}&chars={m.start}-{m.end}&method={m.method}"


def _mention_key(m: OfficialMention) -> str:
    return f"{mention_place(m)}&name={m.name}"


@dataclass
class Applied:
    applied: int = 0
    unapplied: list[int] = field(default_factory=list)  # review ids


def _by_key(session: Session, key: str) -> Official | None:
    return session.scalar(select(Official).where(Official.key == key))


def _restat(session: Session, off: Official) -> None:
    """Counts, rank and the leak's posts of ``off`` from the mentions it now holds."""
    from .data import patterns
    from .stage import leak_posts

    p = patterns()
    ms = session.scalars(
        select(OfficialMention)
        .where(OfficialMention.official_id == off.id)
        .order_by(OfficialMention.id)
    ).all()
    off.n_mentions = len(ms)
    off.n_documents = len({m.sha256 for m in ms})
    off.rank = max([0, *(p.rank(m.title) for m in ms)])
    session.execute(
        delete(OfficialPost).where(
            OfficialPost.official_id == off.id, OfficialPost.source == "leak"
        )
    )
    units = {
        name: uid
        for uid, name in session.execute(
            select(OfficialUnit.id, OfficialUnit.name).where(
                OfficialUnit.name.in_({m.unit or m.context_unit for m in ms if m.title})
            )
        )
    }
    session.add_all(leak_posts(off.id, list(ms), units))
    session.flush()


def _merge(session: Session, keep_key: str, keys: list[str]) -> bool:
    keep = _by_key(session, keep_key)
    others = [o for o in (_by_key(session, k) for k in keys if k != keep_key) if o is not None]
    if keep is None or not others:
        return False
    for other in others:
        for m in session.scalars(
            select(OfficialMention).where(OfficialMention.official_id == other.id)
        ):
            m.official_id = keep.id
        for post in session.scalars(
            select(OfficialPost).where(OfficialPost.official_id == other.id)
        ):
            post.official_id = keep.id
        keep.names = list(dict.fromkeys([*(keep.names or []), other.name, *(other.names or [])]))
        keep.sources = list(dict.fromkeys([*(keep.sources or []), *(other.sources or [])]))
        keep.birth_date = keep.birth_date or other.birth_date
        origins = {keep.source, other.source}
        if "both" in origins or origins == {"leak", "import"}:
            keep.source = "both"
        if other.status == "confirmed" and keep.status != "confirmed" and keep.source != "leak":
            keep.status = "confirmed"
        session.flush()
        session.delete(other)
    session.flush()
    _restat(session, keep)
    return True


def _split(session: Session, places: list[str], new_key: str) -> bool:
    shas = {p.split("#", 1)[0].removeprefix("sha256:") for p in places}
    wanted = set(places)
    ms = [
        m
        for m in session.scalars(
            select(OfficialMention)
            .where(OfficialMention.sha256.in_(shas))
            .order_by(OfficialMention.id)
        )
        if _mention_key(m) in wanted
    ]
    if not ms:
        return False
    new = _by_key(session, new_key)
    if new is None:
        new = Official(
            name=ms[0].name,
            key=new_key,
            jurisdiction=ms[0].jurisdiction,
            names=list(dict.fromkeys(m.name for m in ms)),
            rank=0,
            source="leak",
            sources=[],
            status="auto",
            created_at=utcnow(),
        )
        session.add(new)
        session.flush()
    before = {m.official_id for m in ms if m.official_id is not None} - {new.id}
    for m in ms:
        m.official_id = new.id
    session.flush()
    _restat(session, new)
    for oid in before:
        old = session.get(Official, oid)
        if old is None:
            continue
        _restat(session, old)
        if old.n_mentions == 0 and old.source == "leak":
            session.execute(delete(OfficialPost).where(OfficialPost.official_id == old.id))
            session.delete(old)
    session.flush()
    return True


def _confirm(session: Session, key: str) -> bool:
    off = _by_key(session, key)
    if off is None:
        return False
    off.status = "confirmed"
    return True


def _apply(session: Session, r: OfficialReview) -> bool:
    if r.action == "merge":
        return _merge(session, r.official_key, list(r.keys or []))
    if r.action == "split":
        return _split(session, list(r.mentions or []), r.new_key)
    return _confirm(session, r.official_key)


def apply_reviews(session: Session) -> Applied:
    """Re-apply every stored decision, oldest first (``guwah officials build`` calls this)."""
    out = Applied()
    for r in session.scalars(select(OfficialReview).order_by(OfficialReview.id)):
        if _apply(session, r):
            out.applied += 1
        else:
            out.unapplied.append(r.id)
    session.flush()
    return out


def _officials(session: Session, ids: list[int]) -> list[Official]:
    found = {o.id: o for o in session.scalars(select(Official).where(Official.id.in_(ids)))}
    missing = [str(i) for i in ids if i not in found]
    if missing:
        raise CaseError(
            f"no official with id {', '.join(missing)}: see `guwah officials list` for the ids"
        )
    return [found[i] for i in ids]


def decide(
    case: Case,
    action: str,
    ids: list[int],
    reviewer: str,
    reason: str = "",
    mention_ids: list[int] | None = None,
) -> dict[str, object]:
    """Store one decision, apply it now, and log it; returns what was stored."""
    if action not in ACTIONS:
        raise CaseError(f"unknown action {action!r}; known: {', '.join(ACTIONS)}")
    if not reviewer.strip():
        raise CaseError("a review needs the reviewer's name (--reviewer)")
    with case_lock(case):
        case.migrate()
        with case.sessions() as session, session.begin():
            offs = _officials(session, list(dict.fromkeys(ids)))
            review = OfficialReview(
                action=action,
                official_key=offs[0].key,
                keys=[],
                mentions=[],
                new_key="",
                reason=reason,
                reviewer=reviewer,
                at=utcnow(),
            )
            details: dict[str, object] = {"official": offs[0].key, "name": offs[0].name}
            if action == "merge":
                if len(offs) < 2:
                    raise CaseError("a merge needs two officials or more (ID ID…)")
                review.keys = [o.key for o in offs[1:]]
                details["merged"] = review.keys
            elif action == "split":
                if len(offs) != 1:
                    raise CaseError("a split takes one official (ID --mentions M,M…)")
                wanted = list(dict.fromkeys(mention_ids or []))
                if not wanted:
                    raise CaseError("a split needs the mentions to move (--mentions M,M…)")
                held = {
                    m.id: m
                    for m in session.scalars(
                        select(OfficialMention).where(OfficialMention.official_id == offs[0].id)
                    )
                }
                foreign = [str(i) for i in wanted if i not in held]
                if foreign:
                    raise CaseError(
                        f"mention {', '.join(foreign)} is not one of official {offs[0].id}'s: "
                        f"see `guwah officials mentions {offs[0].id}`"
                    )
                if len(wanted) == len(held):
                    raise CaseError(
                        "that is every mention of the official: leave at least one "
                        "(to join them to another official, merge instead)"
                    )
                review.mentions = [_mention_key(held[i]) for i in wanted]
                digest = hashlib.sha256("\n".join(sorted(review.mentions)).encode()).hexdigest()
                review.new_key = f"{offs[0].key}#split-{digest[:16]}"
                details["mentions"] = review.mentions
                details["new_key"] = review.new_key
            elif len(offs) != 1:
                raise CaseError("confirm takes one official (ID)")
            session.add(review)
            session.flush()
            if not _apply(session, review):  # pragma: no cover - checked above
                raise CaseError("the decision could not be applied")
            CustodyLog(session, reviewer).append(
                EVENTS[action],
                details={
                    **details,
                    "review": review.id,
                    "action": action,
                    "reviewer": reviewer,
                    "reason": reason,
                },
            )
            stored = {
                "id": review.id,
                "action": action,
                "official": review.official_key,
                "keys": list(review.keys),
                "mentions": list(review.mentions),
                "new_key": review.new_key,
            }
    return stored


def reviews(session: Session) -> list[OfficialReview]:
    return list(session.scalars(select(OfficialReview).order_by(OfficialReview.id)))
