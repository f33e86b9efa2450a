"""Import known public officials from a CSV (to seed the registry and label it):

``name,names,birth_date,post,unit,from,to,source`` — ``name`` as written in Chinese (or the
form the leak would use), ``names`` other forms separated by ``|`` (Chen Quanguo|陳全國),
``birth_date`` YYYY or YYYY-MM or YYYY-MM-DD, ``post`` and ``unit`` as published, ``from``
and ``to`` the dates of the post, ``source`` where it is published. An official is kept
apart by name *and* jurisdiction (the unit's county, prefecture, region or ministry).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from guwah.case import Case, CaseError
from guwah.core import case_lock, utcnow
from guwah.store.models_officials import Official, OfficialPost

from .units import jurisdiction

MAX_BYTES = 16 << 20
DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


@dataclass
class ImportStats:
    added: int = 0
    updated: int = 0
    posts: int = 0


def _key(name: str, place: str) -> str:
    from .stage import name_key, official_key

    return official_key(name_key(name), place)


def import_known(case: Case, path: Path) -> ImportStats:
    """Read ``path`` (all or nothing), then add or update its officials."""
    if not path.is_file():
        raise CaseError(f"{path}: no such file")
    if path.stat().st_size > MAX_BYTES:
        raise CaseError(f"{path}: larger than {MAX_BYTES >> 20} MiB; not a list of officials")
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CaseError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or "name" not in reader.fieldnames:
        raise CaseError(f"{path}: the first row must be a header with a 'name' column")
    rows = []
    for n, row in enumerate(reader, start=2):
        name = (row.get("name") or "").strip()
        if not name:
            raise CaseError(f"{path}, line {n}: no name")
        for col in ("birth_date", "from", "to"):
            v = (row.get(col) or "").strip()
            if v and not DATE.match(v):
                raise CaseError(f"{path}, line {n}: {col} {v!r} is not YYYY[-MM[-DD]]")
        rows.append(row)
    stats = ImportStats()
    with case_lock(case):
        case.migrate()
        with case.sessions() as session, session.begin():
            for row in rows:
                name = row["name"].strip()
                unit = (row.get("unit") or "").strip()
                place = (row.get("jurisdiction") or "").strip() or jurisdiction(unit)[0]
                key = _key(name, place) if place else _key(name, "import")
                off = session.scalar(select(Official).where(Official.key == key))
                names = [name, *[x.strip() for x in (row.get("names") or "").split("|")]]
                names = list(dict.fromkeys(x for x in names if x))
                source = (row.get("source") or "").strip()
                if off is None:
                    off = Official(
                        name=name,
                        key=key,
                        jurisdiction=place,
                        names=names,
                        birth_date=(row.get("birth_date") or "").strip() or None,
                        rank=0,
                        n_mentions=0,
                        n_documents=0,
                        source="import",
                        sources=[source] if source else [],
                        status="confirmed",
                        created_at=utcnow(),
                    )
                    session.add(off)
                    stats.added += 1
                else:  # an official the leak named: now known too, so a rebuild keeps it
                    if off.source == "leak":
                        off.source = "both"
                    off.names = list(dict.fromkeys([*off.names, *names]))
                    off.birth_date = (row.get("birth_date") or "").strip() or off.birth_date
                    if source and source not in off.sources:
                        off.sources = [*off.sources, source]
                    stats.updated += 1
                session.flush()
                post = (row.get("post") or "").strip()
                if post:
                    session.add(
                        OfficialPost(
                            official_id=off.id,
                            title=post,
                            unit=unit,
                            date_from=(row.get("from") or "").strip() or None,
                            date_to=(row.get("to") or "").strip() or None,
                            evidence=[source] if source else [],
                            source="import",
                        )
                    )
                    stats.posts += 1
    return stats
