"""The audit of reads: an append-only, hash-chained log of who saw what, when, from where.

Each event's hash covers its fields and the previous event's hash (as in the custody log),
so an edited, removed or reordered event breaks the chain. ``guwah audit verify`` checks it.
Appends are serialised in the process and guarded by the unique sequence number across
processes (a lost race is retried with the new head).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from guwah.store.custody import GENESIS, event_hash
from guwah.store.models_access import AuditEvent

FIELDS = ("seq", "at", "user", "role", "address", "action", "target", "query", "details")
_lock = threading.Lock()


def _fields(ev: AuditEvent) -> dict[str, Any]:
    return {**{f: getattr(ev, f) for f in FIELDS}, "prev_hash": ev.prev_hash}


def record(
    sessions: sessionmaker[Session],
    *,
    user: str,
    role: str,
    action: str,
    target: str = "",
    query: str = "",
    address: str = "",
    details: dict[str, Any] | None = None,
) -> str:
    """Append one event in its own transaction; returns its hash."""
    with _lock:
        for _ in range(5):
            with sessions() as session:
                last = session.execute(
                    select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)
                ).first()
                seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
                fields: dict[str, Any] = {
                    "seq": seq,
                    "at": datetime.now(UTC).isoformat(timespec="microseconds"),
                    "user": user,
                    "role": role,
                    "address": address[:64],
                    "action": action,
                    "target": target,
                    "query": query,
                    "details": details or {},
                    "prev_hash": prev,
                }
                digest = event_hash(fields)
                session.add(AuditEvent(**fields, hash=digest))
                try:
                    session.commit()
                except IntegrityError:  # another process appended first: retry on its head
                    session.rollback()
                    continue
                return digest
    raise RuntimeError("could not append to the audit log: it is being written too fast")


def events(
    session: Session, user: str | None = None, since: str | None = None, batch: int = 5000
) -> Iterator[AuditEvent]:
    last = 0
    while True:
        q = select(AuditEvent).where(AuditEvent.seq > last).order_by(AuditEvent.seq).limit(batch)
        if user:
            q = q.where(AuditEvent.user == user)
        if since:
            q = q.where(AuditEvent.at >= since)
        rows = session.scalars(q).all()
        if not rows:
            return
        yield from rows
        last = rows[-1].seq


@dataclass
class AuditCheck:
    events: int = 0
    head: str = GENESIS
    breaks: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.breaks


def verify(session: Session) -> AuditCheck:
    check, prev, expected = AuditCheck(), GENESIS, 1
    for ev in events(session):
        check.events += 1
        if ev.seq != expected:
            check.breaks.append(f"audit event {expected} is missing (next found: {ev.seq})")
        if ev.prev_hash != prev:
            check.breaks.append(
                f"audit event {ev.seq} does not follow the one before it: an event was "
                "removed, inserted or edited"
            )
        if event_hash(_fields(ev)) != ev.hash:
            check.breaks.append(f"audit event {ev.seq} was altered: it no longer matches its hash")
        prev, expected = ev.hash, ev.seq + 1
    check.head = prev
    return check
