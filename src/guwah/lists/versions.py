"""What changed between two versions of a list: entities added, changed (with the
properties that changed) and removed — a removal is a delisting."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from guwah.store.models_lists import ListEntityRow, ListVersion


@dataclass
class Changes:
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, list[str]]:
        return {"added": self.added, "changed": self.changed, "removed": self.removed}


def diff(old: dict[str, str], new: dict[str, str]) -> Changes:
    """Changes between two ``{entity id: digest}`` maps."""
    return Changes(
        added=sorted(k for k in new if k not in old),
        changed=sorted(k for k in new if k in old and old[k] != new[k]),
        removed=sorted(k for k in old if k not in new),
    )


def latest(session: Session, name: str) -> ListVersion | None:
    """The newest version of the list ``name`` (by list date, then import)."""
    return session.scalars(
        select(ListVersion)
        .where(ListVersion.name == name)
        .order_by(ListVersion.as_of.desc(), ListVersion.id.desc())
        .limit(1)
    ).first()


def latest_versions(session: Session, names: list[str] | None = None) -> list[ListVersion]:
    """The newest version of each list (or of each of ``names``), by name."""
    wanted = names or list(session.scalars(select(ListVersion.name).distinct()).all())
    out = [v for n in sorted(set(wanted)) if (v := latest(session, n)) is not None]
    return out


def digests(session: Session, version_id: int) -> dict[str, str]:
    rows = session.execute(
        select(ListEntityRow.entity_id, ListEntityRow.digest).where(
            ListEntityRow.version_id == version_id
        )
    ).all()
    return {eid: d for eid, d in rows}


def change_detail(session: Session, version: ListVersion) -> list[dict[str, Any]]:
    """Each change of ``version`` against its predecessor: kind, id, caption, properties
    that changed (old and new values)."""
    if version.previous_id is None:
        return []
    changes = version.changes or {}
    ids = [i for k in ("added", "changed", "removed") for i in changes.get(k, [])]
    rows: dict[tuple[int, str], ListEntityRow] = {}
    for vid in (version.id, version.previous_id):
        for row in session.scalars(
            select(ListEntityRow).where(
                ListEntityRow.version_id == vid, ListEntityRow.entity_id.in_(ids)
            )
        ):
            rows[(vid, row.entity_id)] = row
    out: list[dict[str, Any]] = []
    for kind in ("added", "changed", "removed"):
        for eid in changes.get(kind, []):
            new = rows.get((version.id, eid))
            old = rows.get((version.previous_id, eid))
            item: dict[str, Any] = {
                "kind": "delisted" if kind == "removed" else kind,
                "id": eid,
                "caption": shown.caption if (shown := new or old) is not None else eid,
            }
            if kind == "changed" and new and old:
                keys = sorted(set(new.properties) | set(old.properties))
                item["properties"] = {
                    k: {"old": old.properties.get(k, []), "new": new.properties.get(k, [])}
                    for k in keys
                    if old.properties.get(k) != new.properties.get(k)
                }
            out.append(item)
    return out
