"""The records stage: sheets → records with provenance → people. Idempotent: a rebuild
replaces everything the stage wrote before, in one transaction.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import bindparam, delete, insert, select, text, update
from sqlalchemy.engine import Connection

from guwah.case import Case
from guwah.core import NoProgress, Progress, case_lock
from guwah.records.extract import RowRecord, read_records
from guwah.records.headers import Grid, Layout, detect_layout
from guwah.records.lexicon import Lexicon, load_lexicon
from guwah.records.normalise import relatives
from guwah.records.relations import house_key, place_key, relation_rows
from guwah.records.resolve import PhotoKey, RecordKey, Resolved, photo_id, resolve
from guwah.store.custody import CustodyLog
from guwah.store.models import (
    Cell,
    ColumnMap,
    Item,
    Occurrence,
    Person,
    PersonName,
    PersonRelation,
    PersonSource,
    Record,
    RecordValue,
    Sheet,
    SheetLayout,
)

FLUSH_VALUES = 20_000
DETENTION_FIELDS = ("reason", "facility", "detention_date", "release_date")
# children before parents: the order rows are deleted in
STAGE_TABLES = (
    PersonRelation,
    PersonName,
    PersonSource,
    RecordValue,
    Record,
    Person,
    ColumnMap,
    SheetLayout,
)


@dataclass
class RecordsStats:
    sheets: int = 0
    sheets_read: int = 0
    sheets_skipped: int = 0
    records: int = 0
    values: int = 0
    unknown_columns: int = 0
    skipped_rows: int = 0
    problems: Counter[str] = field(default_factory=Counter)
    people: int = 0
    people_with_id: int = 0
    id_conflicts: int = 0
    photos_linked: int = 0
    people_from_photos_only: int = 0
    relations: int = 0
    relations_linked: int = 0
    lexicon_version: str = ""
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        out = dict(self.__dict__)
        out["problems"] = dict(self.problems)
        out["seconds"] = round(self.seconds, 3)
        return out


class _Writer:
    """Buffered multi-row inserts with ids assigned here (no round trip per row)."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.records: list[dict[str, Any]] = []
        self.values: list[dict[str, Any]] = []
        self.next_record = 1

    def add(self, item_id: int, sheet_id: int, rec: RowRecord) -> int:
        rid = self.next_record
        self.next_record += 1
        self.records.append(
            {"id": rid, "item_id": item_id, "sheet_id": sheet_id, "row": rec.row, "person_id": None}
        )
        self.values.extend(
            {
                "record_id": rid,
                "field": v.field,
                "value": v.value,
                "raw": v.raw,
                "vtype": v.vtype,
                "row": v.row,
                "col": v.col,
                "problem": v.problem,
            }
            for v in rec.values
        )
        if len(self.values) >= FLUSH_VALUES:
            self.flush()
        return rid

    def flush(self) -> None:
        if self.records:
            self.conn.execute(insert(Record), self.records)
            self.records.clear()
        if self.values:
            self.conn.execute(insert(RecordValue), self.values)
            self.values.clear()


def build_records(
    case: Case, progress: Progress | None = None, lexicon: Lexicon | None = None
) -> RecordsStats:
    """(Re-)build records and people from the case's sheets; returns what it did."""
    started = time.perf_counter()
    lex = lexicon or load_lexicon()
    progress = progress or NoProgress()
    stats = RecordsStats(lexicon_version=lex.version)
    with case_lock(case), case.sessions() as session:
        custody = CustodyLog(session)
        conn = session.connection()
        try:
            for table in STAGE_TABLES:
                conn.execute(delete(table))
            keys = _read_sheets(conn, lex, progress, stats)
            photos = _photos(conn)
            progress.total("people", 1)
            people = resolve(keys, photos)
            _write_people(conn, people, stats)
            progress.advance("people")
            _reset_sequences(conn)
            stats.seconds = time.perf_counter() - started
            custody.append("records_built", details=stats.as_dict())
            session.commit()
        except BaseException:
            session.rollback()
            raise
    return stats


def _read_sheets(
    conn: Connection, lex: Lexicon, progress: Progress, stats: RecordsStats
) -> list[RecordKey]:
    sheets = conn.execute(
        select(Sheet.id, Sheet.item_id, Sheet.n_cols, Sheet.merged).order_by(Sheet.id)
    ).all()
    progress.total("sheets", len(sheets))
    writer = _Writer(conn)
    keys: list[RecordKey] = []
    for sheet_id, item_id, n_cols, merged in sheets:
        stats.sheets += 1
        grid = _grid(conn, sheet_id)
        layout = detect_layout(grid, merged or [], n_cols, lex)
        read = read_records(grid, merged or [], layout, lex)
        _write_layout(conn, sheet_id, layout, len(read.records), read.skipped_rows)
        if layout.ok:
            stats.sheets_read += 1
            stats.unknown_columns += sum(1 for c in layout.columns.values() if not c.match.field)
        else:
            stats.sheets_skipped += 1
        stats.skipped_rows += read.skipped_rows
        for rec in read.records:
            rid = writer.add(item_id, sheet_id, rec)
            keys.append(record_key(rid, item_id, sheet_id, rec))
            stats.records += 1
            stats.values += len(rec.values)
            stats.problems.update(v.problem for v in rec.values if v.problem)
        progress.advance("sheets")
    writer.flush()
    return keys


def _grid(conn: Connection, sheet_id: int) -> Grid:
    grid: Grid = {}
    rows = conn.execute(
        select(Cell.row, Cell.col, Cell.value, Cell.vtype).where(Cell.sheet_id == sheet_id)
    )
    for r, c, value, vtype in rows:
        grid.setdefault(r, {})[c] = (value, vtype)
    return grid


def _write_layout(
    conn: Connection, sheet_id: int, layout: Layout, n_records: int, skipped: int
) -> None:
    conn.execute(
        insert(SheetLayout).values(
            sheet_id=sheet_id,
            status="read" if layout.ok else "skipped",
            reason=layout.reason,
            header_rows=layout.header_rows,
            first_data_row=layout.first_data_row,
            n_records=n_records,
            n_skipped_rows=skipped,
        )
    )
    if layout.columns:
        conn.execute(
            insert(ColumnMap),
            [
                {
                    "sheet_id": sheet_id,
                    "col": c.col,
                    "header": c.header,
                    "header_rows": layout.header_rows,
                    "field": c.match.field,
                    "score": c.match.score,
                    "method": c.match.method,
                    "matched": c.match.variant,
                }
                for c in layout.columns.values()
            ],
        )


def record_key(rid: int, item_id: int, sheet_id: int, rec: RowRecord) -> RecordKey:
    """What people resolution needs to know of one record."""
    key = RecordKey(record_id=rid, item_id=item_id, sheet_id=sheet_id)
    for v in rec.values:
        if v.field == "id_number" and key.id_number is None and key.damaged_id is None:
            if v.value and v.problem != "id_format":
                key.id_number = v.value
            elif v.problem == "id_float":
                key.damaged_id = v.raw
        elif v.field in ("name", "former_name") and v.value:
            key.names.append((v.value, v.raw))
        elif v.field in ("birth_date", "sex", "ethnicity") and v.value:
            if getattr(key, v.field) is None:
                setattr(key, v.field, v.value)
        elif v.field == "household_no" and v.value:
            key.household_no = v.value
        elif v.field == "relation_to_head" and v.value:
            key.relation_to_head = v.value
        elif v.field == "relatives":
            key.relatives.extend(relatives(v.raw))
        if v.field in DETENTION_FIELDS and v.value:
            key.detained = True
    key.house = house_key(rec.get("household_address"), rec.get("current_address"))
    key.place = place_key(
        rec.get("household_address"),
        rec.get("current_address"),
        (rec.get("township") or "") + (rec.get("village") or ""),
    )
    return key


def _photos(conn: Connection) -> list[PhotoKey]:
    """Image occurrences whose file name carries an 18-character ID number."""
    out = []
    rows = conn.execute(
        select(Occurrence.item_id, Occurrence.path)
        .join(Item, Item.id == Occurrence.item_id)
        .where(Item.mime.like("image/%"))
        .order_by(Occurrence.id)
    )
    for item_id, path in rows:
        id_number = photo_id(path)
        if id_number and item_id is not None:
            out.append(PhotoKey(item_id, path, id_number))
    return out


def _write_people(conn: Connection, people: list[Resolved], stats: RecordsStats) -> None:
    ids = list(range(1, len(people) + 1))
    rows, sources, names, updates = [], [], [], []
    sexes: list[str | None] = []
    for pid, p in zip(ids, people, strict=True):
        s = p.summary()
        sexes.append(s["sex"])
        rows.append(
            {
                "id": pid,
                "id_number": p.id_number,
                "name": s["name"],
                "birth_date": s["birth_date"],
                "sex": s["sex"],
                "ethnicity": s["ethnicity"],
                "n_records": len(p.records),
                "n_photos": len(p.photos),
                "detained": s["detained"],
                "method": p.method,
                "conflicts": s["conflicts"],
            }
        )
        stats.people += 1
        stats.people_with_id += bool(p.id_number)
        stats.id_conflicts += bool(p.id_number and s["conflicts"].keys() & {"name", "birth_date"})
        stats.photos_linked += len(p.photos)
        stats.people_from_photos_only += bool(p.photos and not p.records)
        for rec, method in p.records:
            updates.append({"_id": rec.record_id, "_pid": pid})
            sources.append(
                {
                    "person_id": pid,
                    "kind": "record",
                    "record_id": rec.record_id,
                    "item_id": rec.item_id,
                    "path": None,
                    "method": method,
                }
            )
            seen = set()
            for norm, raw in rec.names:
                if norm not in seen:
                    seen.add(norm)
                    names.append(
                        {"person_id": pid, "name": norm, "raw": raw, "record_id": rec.record_id}
                    )
        for photo in p.photos:
            sources.append(
                {
                    "person_id": pid,
                    "kind": "photo",
                    "record_id": None,
                    "item_id": photo.item_id,
                    "path": photo.path,
                    "method": "id_number",
                }
            )
    relations = relation_rows(people, ids, sexes)
    stats.relations = len(relations)
    stats.relations_linked = sum(1 for r in relations if r["relative_id"] is not None)
    for table, batch in (
        (Person, rows),
        (PersonSource, sources),
        (PersonName, names),
        (PersonRelation, relations),
    ):
        for i in range(0, len(batch), FLUSH_VALUES):
            conn.execute(insert(table), batch[i : i + FLUSH_VALUES])
    if updates:
        stmt = (
            update(Record).where(Record.id == bindparam("_id")).values(person_id=bindparam("_pid"))
        )
        for i in range(0, len(updates), FLUSH_VALUES):
            conn.execute(stmt, updates[i : i + FLUSH_VALUES])


def _reset_sequences(conn: Connection) -> None:
    """PostgreSQL: ids were assigned here, so move the sequences past them."""
    if conn.dialect.name != "postgresql":
        return
    for table in ("records", "people"):
        conn.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"
            )
        )
