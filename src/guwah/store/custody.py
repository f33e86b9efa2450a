"""The chain of custody: an append-only, hash-chained log of what happened to the evidence.

Each event's hash covers its own fields and the previous event's hash, so removing,
reordering or editing any event breaks the chain from that point on. ``guwah custody
verify`` recomputes the chain and re-hashes every original in the store. Print the head
hash (``guwah custody head``) and keep it elsewhere: it anchors the whole log.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import re
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import event as sa_event
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from guwah import __version__
from guwah.store.blobs import BlobStore
from guwah.store.models import CustodyEvent, Item

GENESIS = "0" * 64
TOOL = f"guwah {__version__}"


def event_hash(fields: dict[str, Any]) -> str:
    canonical = json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def event_fields(ev: CustodyEvent) -> dict[str, Any]:
    return {
        "seq": ev.seq,
        "at": ev.at,
        "event": ev.event,
        "item_sha256": ev.item_sha256,
        "source_path": ev.source_path,
        "custodian": ev.custodian,
        "host": ev.host,
        "tool_version": ev.tool_version,
        "details": ev.details,
        "prev_hash": ev.prev_hash,
    }


class CustodyLog:
    """Appends events in the caller's transaction; one writer per case at a time.

    Events are buffered and written just before the session commits, in one statement.
    """

    def __init__(self, session: Session, custodian: str = "") -> None:
        self.session = session
        self.pending: list[dict[str, Any]] = []
        self.seq: int = 0
        self.head: str = GENESIS
        self._stale = True
        sa_event.listen(session, "before_commit", self._before_commit)
        sa_event.listen(session, "after_rollback", self._after_rollback)
        inherited = "" if custodian else self._given_custodian()
        self.custodian = custodian or inherited or _default_custodian()
        # who actually ran a step the custodian was inherited for: kept in its details
        self.run_by = _default_custodian() if inherited else ""
        self.host = socket.gethostname()
        self._load_head()

    def append(
        self,
        event: str,
        item_sha256: str | None = None,
        source_path: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> str:
        """Add an event to the caller's transaction; returns its hash, the new head."""
        if self._stale:
            self._load_head()
        fields: dict[str, Any] = {
            "seq": self.seq + 1,
            "at": datetime.now(UTC).isoformat(timespec="microseconds"),
            "event": event,
            "item_sha256": item_sha256,
            "source_path": source_path,
            "custodian": self.custodian,
            "host": self.host,
            "tool_version": TOOL,
            "details": {**(details or {}), **({"run_by": self.run_by} if self.run_by else {})},
            "prev_hash": self.head,
        }
        digest = event_hash(fields)
        self.pending.append({**fields, "hash": digest})
        self.seq, self.head = fields["seq"], digest
        return digest

    def flush(self) -> None:
        if self.pending:
            rows, self.pending = self.pending, []
            self.session.connection().execute(insert(CustodyEvent), rows)

    def _before_commit(self, _session: Session) -> None:
        self.flush()

    def _after_rollback(self, _session: Session) -> None:
        """Events not committed are gone: re-read the head before the next append."""
        self.pending.clear()
        self._stale = True

    def _given_custodian(self) -> str:
        """The custodian given when the evidence was last received (``guwah ingest
        --custodian``): later steps run without one (OCR, verify, export) keep it, rather
        than become whoever is logged in to the machine."""
        return (
            self.session.scalar(
                select(CustodyEvent.custodian)
                .where(CustodyEvent.event == "received")
                .order_by(CustodyEvent.seq.desc())
                .limit(1)
            )
            or ""
        )

    def _load_head(self) -> None:
        last = self.session.execute(
            select(CustodyEvent.seq, CustodyEvent.hash).order_by(CustodyEvent.seq.desc()).limit(1)
        ).first()
        self.seq, self.head = (last[0], last[1]) if last else (0, GENESIS)
        self._stale = False


def _default_custodian() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


@dataclass
class VerifyReport:
    events: int = 0
    items: int = 0
    chain_breaks: list[str] = field(default_factory=list)
    tampered: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)
    unlogged: list[str] = field(default_factory=list)  # items with no "stored" event
    writable: list[str] = field(default_factory=list)
    head: str = GENESIS
    store: str = ""  # where the originals were checked: a directory or s3://bucket/prefix
    #: the head written down earlier (``--expect-head``), and where it is in the chain now
    expected_head: str | None = None
    expected_head_seq: int | None = None
    anchor: list[str] = field(default_factory=list)  # the recorded head not matched

    @property
    def ok(self) -> bool:
        return not (
            self.chain_breaks
            or self.tampered
            or self.missing
            or self.unexpected
            or self.unlogged
            or self.writable  # an original anyone may overwrite is not preserved
            or self.anchor
        )


HEAD_FORMAT = re.compile(r"^[0-9a-f]{64}$")


def check_expected_head(report: VerifyReport, expected: str, seq: int | None) -> None:
    """Compare the head written down earlier with the chain just verified.

    ``seq``: the event whose hash is ``expected`` (0: the genesis hash of an empty log;
    None: no event has it). Events appended after it keep the recorded head valid; a log
    rewritten up to it, or truncated before it, has no such event.
    """
    report.expected_head, report.expected_head_seq = expected, seq
    if seq is not None:
        return
    report.anchor.append(
        f"the head recorded earlier ({expected}) is not in the custody chain, whose head "
        f"is now {report.head} after {report.events:,} events: the log was rewritten, or "
        "truncated before that event"
    )


def verify_chain(
    session: Session, report: VerifyReport, batch: int = 5000, expect_head: str | None = None
) -> None:
    """Recompute the chain; with ``expect_head`` (a head written down earlier) also check
    that it is the hash of an event of the chain."""
    prev, expected_seq = GENESIS, 1
    anchored = 0 if expect_head == GENESIS else None  # the empty log begins every chain
    last_seq = 0
    while True:
        events = session.scalars(
            select(CustodyEvent)
            .where(CustodyEvent.seq > last_seq)
            .order_by(CustodyEvent.seq)
            .limit(batch)
        ).all()
        if not events:
            break
        for ev in events:
            report.events += 1
            if ev.seq != expected_seq:
                report.chain_breaks.append(
                    f"event {expected_seq} is missing (next event found is {ev.seq})"
                )
            if ev.prev_hash != prev:
                report.chain_breaks.append(
                    f"event {ev.seq} ({ev.event}) does not follow the event before it "
                    "(its prev_hash differs): an event was removed, inserted or edited"
                )
            if event_hash(event_fields(ev)) != ev.hash:
                report.chain_breaks.append(
                    f"event {ev.seq} ({ev.event}) was altered: its content no longer matches "
                    "its hash"
                )
            if expect_head is not None and ev.hash == expect_head:
                anchored = ev.seq
            prev, expected_seq, last_seq = ev.hash, ev.seq + 1, ev.seq
        session.expunge_all()
    report.head = prev
    if expect_head is not None:
        check_expected_head(report, expect_head, anchored)


def verify_store(session: Session, store: BlobStore, report: VerifyReport) -> None:
    """Re-hash every item's original in the store (local or a bucket), name the missing,
    changed and writable ones, what the store holds that no item accounts for, and the
    items the custody log never recorded as stored."""
    known: set[str] = set()
    report.store = store.location

    def items() -> Iterator[tuple[str, int]]:
        for sha, size in session.execute(select(Item.sha256, Item.size)).all():
            known.add(sha)
            report.items += 1
            yield sha, size

    found = {"missing": report.missing, "tampered": report.tampered}
    for finding in store.check_originals(items()):
        found.get(finding.kind, report.writable).append(finding.message)
    report.unexpected.extend(store.stray_files(known))
    logged = set(
        session.scalars(
            select(CustodyEvent.item_sha256).where(CustodyEvent.event == "stored").distinct()
        ).all()
    )
    report.unlogged.extend(
        f"{sha}: an item with no 'stored' event in the custody log"
        for sha in sorted(known - logged)
    )


def verify(session: Session, store: BlobStore, expect_head: str | None = None) -> VerifyReport:
    """Verify the chain and the store; ``expect_head``: a head written down earlier."""
    if expect_head is not None:
        expect_head = expect_head.strip().lower()
    if expect_head is not None and not HEAD_FORMAT.match(expect_head):
        raise ValueError(
            f"--expect-head {expect_head!r} is not a head: give the 64 hex digits that "
            "`guwah custody head` printed after the event number"
        )
    report = VerifyReport()
    verify_chain(session, report, expect_head=expect_head)
    verify_store(session, store, report)
    return report
