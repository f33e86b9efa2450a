"""The "sanctions" panel of a person in the workbench: the person's names (every script),
birth date and sex matched against the latest version of every imported list."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from .match import Hit, Query
from .service import matcher_for


def person_sanctions(session: Session, person: dict[str, Any]) -> list[Hit]:
    """List matches (``match`` true only) of a person dict from the workbench."""
    try:
        matcher = matcher_for(session, "all")
    except KeyError:
        return []
    names = [n for n in dict.fromkeys([person.get("name"), *person.get("names", [])]) if n]
    if not names:
        return []
    q = Query(
        "Person",
        names[:10],
        birth_dates=[str(person["birth_date"])] if person.get("birth_date") else [],
        genders=[str(person["sex"])] if person.get("sex") else [],
    )
    return [h for h in matcher.match(q, limit=5) if h.match]
