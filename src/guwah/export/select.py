"""Which originals an export holds: all, a list of SHA-256, a person's, a search's."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from guwah.case import Case, CaseError
from guwah.store.models import Item, PersonSource, Record

SEARCH_LIMIT = 10_000  # the search index ranks at most this many matches


def from_file(session: Session, path: Path) -> list[int]:
    """Items named one SHA-256 a line in ``path`` (blank lines and ``#`` comments ignored)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise CaseError(f"cannot read the list of items {path}: {exc}") from exc
    wanted = [ln.strip().lower() for ln in lines if ln.strip() and not ln.startswith("#")]
    found = dict(session.execute(select(Item.sha256, Item.id).where(Item.sha256.in_(wanted))).all())
    unknown = [sha for sha in wanted if sha not in found]
    if unknown:
        raise CaseError(
            f"{len(unknown)} SHA-256 in {path} name no item of this case, e.g. {unknown[0]!r}"
        )
    return sorted(set(found.values()))


def of_person(session: Session, person_id: int) -> list[int]:
    """The sheets that record the person and the photos of the person."""
    records = select(Record.item_id).join(PersonSource, PersonSource.record_id == Record.id)
    ids = set(session.scalars(records.where(PersonSource.person_id == person_id)))
    ids |= {
        i
        for i in session.scalars(
            select(PersonSource.item_id).where(PersonSource.person_id == person_id)
        )
        if i is not None
    }
    if not ids:
        raise CaseError(f"no person {person_id} with records or photos in this case")
    return sorted(ids)


def of_query(case: Case, session: Session, query: str) -> list[int]:
    """The originals that hold a match for ``query`` (see ``guwah search``)."""
    from guwah.search.stage import search

    result = search(case, query, limit=SEARCH_LIMIT, facets=False)
    shas = {h.sha256 for h in result.hits}
    if not shas:
        raise CaseError(f"the query {query!r} matches nothing in this case")
    return sorted(session.scalars(select(Item.id).where(Item.sha256.in_(shas))))


def everything(session: Session) -> list[int]:
    return list(session.scalars(select(Item.id).order_by(Item.id)))
