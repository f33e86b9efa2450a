"""The records stage: sheets → records with provenance → people. Idempotent: a rebuild
replaces everything the stage wrote before, in one transaction.
"""

from __future__ import annotations

import itertools
import json
import math
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, func, insert, select, text, update
from sqlalchemy.engine import Connection

from guwah.case import Case
from guwah.config import MemoryBound
from guwah.core import NoProgress, Progress, case_lock
from guwah.records import scratch
from guwah.records.extract import RowRecord, read_records
from guwah.records.headers import Grid, Layout, detect_layout
from guwah.records.lexicon import Lexicon, load_lexicon
from guwah.records.normalise import relation, relatives
from guwah.records.relations import FEMALE, MALE, house_key, place_key
from guwah.records.resolve import PhotoKey, RecordKey, Resolved, _float_key, photo_id
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
    """(Re-)build records and people from the case's sheets; returns what it did.

    Memory does not grow with the leak: sheets are read one at a time, records and values
    written in batches, and people resolved by indexed queries over scratch tables in the
    database (:mod:`guwah.records.scratch`), streamed back person by person.
    """
    started = time.perf_counter()
    lex = lexicon or load_lexicon()
    progress = progress or NoProgress()
    stats = RecordsStats(lexicon_version=lex.version)
    bound = MemoryBound.of(case)
    with case_lock(case), case.sessions() as session:
        custody = CustodyLog(session)
        conn = session.connection()
        try:
            for table in STAGE_TABLES:
                conn.execute(delete(table))
            scratch.create_all(conn)
            _read_sheets(conn, lex, progress, stats, bound)
            _photos(conn)
            progress.total("people", 1)
            _resolve(conn)
            _write_people(conn, stats)
            _link_relatives(conn, stats)
            progress.advance("people")
            _reset_sequences(conn)
            scratch.drop_all(conn)
            stats.seconds = time.perf_counter() - started
            custody.append("records_built", details=stats.as_dict())
            session.commit()
        except BaseException:
            session.rollback()
            raise
    return stats


def _read_sheets(
    conn: Connection, lex: Lexicon, progress: Progress, stats: RecordsStats, bound: MemoryBound
) -> None:
    sheets = conn.execute(
        select(Sheet.id, Sheet.item_id, Sheet.n_cols, Sheet.n_rows, Sheet.merged).order_by(Sheet.id)
    ).all()
    progress.total("sheets", len(sheets))
    writer = _Writer(conn)
    keys = scratch.Batch(conn, scratch.rk)
    names = scratch.Batch(conn, scratch.nb)
    for sheet_id, item_id, n_cols, n_rows, merged in sheets:
        stats.sheets += 1
        too_big = _too_big(conn, sheet_id, n_cols, n_rows, bound)
        if too_big is not None:
            _write_layout(conn, sheet_id, Layout(reason=too_big), 0, 0)
            stats.sheets_skipped += 1
            stats.problems["sheet_over_memory_bound"] += 1
            progress.advance("sheets")
            continue
        grid = _grid(conn, sheet_id)
        layout = detect_layout(grid, merged or [], n_cols, lex)
        read = read_records(grid, merged or [], layout, lex)
        del grid
        _write_layout(conn, sheet_id, layout, len(read.records), read.skipped_rows)
        if layout.ok:
            stats.sheets_read += 1
            stats.unknown_columns += sum(1 for c in layout.columns.values() if not c.match.field)
        else:
            stats.sheets_skipped += 1
        stats.skipped_rows += read.skipped_rows
        for rec in read.records:
            rid = writer.add(item_id, sheet_id, rec)
            key = record_key(rid, item_id, sheet_id, rec)
            keys.add(_key_row(key))
            if key.id_number and key.birth_date and len(key.birth_date) == 10:
                for norm in dict.fromkeys(n for n, _raw in key.names):
                    names.add({"norm": norm, "birth": key.birth_date, "id_number": key.id_number})
            stats.records += 1
            stats.values += len(rec.values)
            stats.problems.update(v.problem for v in rec.values if v.problem)
        progress.advance("sheets")
    writer.flush()
    keys.flush()
    names.flush()


#: what one cell of a sheet costs while the sheet is read (its grid and its values), measured
#: on the synthetic rosters with tracemalloc, rounded up
CELL_BYTES = 600


def _too_big(
    conn: Connection, sheet_id: int, n_cols: int | None, n_rows: int | None, bound: MemoryBound
) -> str | None:
    """Why a sheet cannot be read within the memory bound (None: it can)."""
    cells = conn.scalar(select(func.count()).select_from(Cell).where(Cell.sheet_id == sheet_id))
    need = (cells or 0) * CELL_BYTES
    if need <= bound.sheet_bytes:
        return None
    return (
        f"sheet_over_memory_bound: {cells:,} cells ({n_rows or '?'} rows × {n_cols or '?'} "
        f"columns) need about {need / 2**20:,.0f} MiB to read, over the "
        f"{bound.sheet_bytes / 2**20:,.0f} MiB a sheet may use under memory_bound_bytes = "
        f"{bound.total:,} (guwah.toml [limits]); raise it to read this sheet"
    )


def _key_row(key: RecordKey) -> dict[str, Any]:
    id_fkey = None
    if key.id_number and key.id_number[-1] != "X":
        id_fkey = _float_key(key.id_number.replace("X", ""))
    dmg_fkey = _float_key(key.damaged_id.strip()) if key.damaged_id else None
    birth = key.birth_date
    return {
        "rid": key.record_id,
        "item_id": key.item_id,
        "sheet_id": key.sheet_id,
        "id_number": key.id_number,
        "id_fkey": _finite(id_fkey),
        "dmg_fkey": _finite(dmg_fkey),
        "name": key.name,
        "birth10": birth if birth and len(birth) == 10 else None,
        "payload": json.dumps(
            [
                key.damaged_id,
                key.names,
                key.birth_date,
                key.sex,
                key.ethnicity,
                key.detained,
                key.place,
                key.house,
                key.household_no,
                key.relation_to_head,
                key.relatives,
            ],
            ensure_ascii=False,
        ),
    }


def _finite(x: float | None) -> float | None:
    """NaN never equals anything (as in Python), so it is stored as no key at all."""
    return None if x is None or math.isnan(x) else x


def _key_of(
    rid: int, item_id: int, sheet_id: int, id_number: str | None, payload: str
) -> RecordKey:
    (dmg, names, birth, sex, eth, detained, place, house, hno, rth, rels) = json.loads(payload)
    return RecordKey(
        record_id=rid,
        item_id=item_id,
        sheet_id=sheet_id,
        id_number=id_number,
        damaged_id=dmg,
        names=[(n, r) for n, r in names],
        birth_date=birth,
        sex=sex,
        ethnicity=eth,
        detained=detained,
        place=place,
        house=house,
        household_no=hno,
        relation_to_head=rth,
        relatives=[(a, b, c) for a, b, c in rels],
    )


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


def _photos(conn: Connection) -> None:
    """Image occurrences whose file name carries an 18-character ID number → tmp_photos."""
    batch = scratch.Batch(conn, scratch.photo)
    rows = scratch.stream(
        conn,
        select(Occurrence.item_id, Occurrence.path)
        .join(Item, Item.id == Occurrence.item_id)
        .where(Item.mime.like("image/%"))
        .order_by(Occurrence.id),
    )
    seq = 0
    for item_id, path in rows:
        id_number = photo_id(path)
        if id_number and item_id is not None:
            seq += 1
            batch.add({"seq": seq, "item_id": item_id, "path": path, "id_number": id_number})
    batch.flush()


# Resolution (the rules: guwah.records.resolve) as queries. Person ids follow the order
# people are first met: ID-holders by their first record, then people without an ID number
# by their first record, then the ID numbers only photos show, by their first photo.
_NOT_DONE = "r.id_number IS NULL AND r.rid NOT IN (SELECT rid FROM tmp_assign)"
_RESOLVE = (
    """INSERT INTO tmp_holders (id_number, pid, fkey)
    SELECT id_number, ROW_NUMBER() OVER (ORDER BY MIN(rid)), MIN(id_fkey)
    FROM tmp_rec_keys WHERE id_number IS NOT NULL GROUP BY id_number""",
    """INSERT INTO tmp_assign (rid, pid, phase, method)
    SELECT r.rid, h.pid, 0, 'id_number'
    FROM tmp_rec_keys r JOIN tmp_holders h ON h.id_number = r.id_number""",
    """INSERT INTO tmp_name_birth_agg (norm, birth, n, holder)
    SELECT norm, birth, COUNT(DISTINCT id_number), MIN(id_number)
    FROM tmp_name_birth GROUP BY norm, birth""",
)
_DAMAGED_CANDIDATES = "SELECT id_number FROM tmp_holders WHERE fkey = :f"
# does ID-holder :h have a record named :name (its own, or one joined before record :rid)?
_DAMAGED_NAME = """SELECT
    EXISTS (SELECT 1 FROM tmp_rec_keys r WHERE r.id_number = :h AND r.name = :name)
    OR EXISTS (SELECT 1 FROM tmp_damaged d JOIN tmp_rec_keys r ON r.rid = d.rid
               WHERE d.id_number = :h AND d.rid < :rid AND r.name = :name)
    OR EXISTS (SELECT 1 FROM tmp_rec_keys r
               JOIN tmp_name_birth_agg g ON g.norm = r.name AND g.birth = r.birth10
               WHERE r.name = :name AND r.id_number IS NULL AND r.rid < :rid
                 AND g.n = 1 AND g.holder = :h
                 AND r.rid NOT IN (SELECT rid FROM tmp_damaged))"""
_AFTER_DAMAGED = (
    """INSERT INTO tmp_assign (rid, pid, phase, method)
    SELECT d.rid, h.pid, 1, 'damaged_id_name'
    FROM tmp_damaged d JOIN tmp_holders h ON h.id_number = d.id_number""",
    f"""INSERT INTO tmp_assign (rid, pid, phase, method)
    SELECT r.rid, h.pid, 1, 'name_birth'
    FROM tmp_rec_keys r
    JOIN tmp_name_birth_agg g ON g.norm = r.name AND g.birth = r.birth10
    JOIN tmp_holders h ON h.id_number = g.holder
    WHERE {_NOT_DONE} AND g.n = 1""",
    f"""INSERT INTO tmp_new_people (pid, name, birth, rid, n)
    SELECT :k + ROW_NUMBER() OVER (ORDER BY u.first), u.name, u.birth, u.rid, u.n FROM (
        SELECT MIN(r.rid) AS first, r.name AS name, r.birth10 AS birth,
               CAST(NULL AS INTEGER) AS rid, COUNT(*) AS n
        FROM tmp_rec_keys r
        LEFT JOIN tmp_name_birth_agg g ON g.norm = r.name AND g.birth = r.birth10
        WHERE {_NOT_DONE} AND r.name IS NOT NULL AND r.birth10 IS NOT NULL AND g.n IS NULL
        GROUP BY r.name, r.birth10
        UNION ALL
        SELECT r.rid, CAST(NULL AS TEXT), CAST(NULL AS TEXT), r.rid, 1
        FROM tmp_rec_keys r
        LEFT JOIN tmp_name_birth_agg g ON g.norm = r.name AND g.birth = r.birth10
        WHERE {_NOT_DONE}
          AND NOT (r.name IS NOT NULL AND r.birth10 IS NOT NULL AND g.n IS NULL)
    ) u""",
    f"""INSERT INTO tmp_assign (rid, pid, phase, method)
    SELECT r.rid, p.pid, 1, CASE WHEN p.n > 1 THEN 'name_birth' ELSE 'single' END
    FROM tmp_rec_keys r
    JOIN tmp_new_people p ON p.rid IS NULL AND p.name = r.name AND p.birth = r.birth10
    WHERE {_NOT_DONE}""",
    """INSERT INTO tmp_assign (rid, pid, phase, method)
    SELECT rid, pid, 1, 'single' FROM tmp_new_people WHERE rid IS NOT NULL""",
    """INSERT INTO tmp_holders (id_number, pid, fkey)
    SELECT p.id_number, :m + ROW_NUMBER() OVER (ORDER BY MIN(p.seq)), NULL
    FROM tmp_photos p WHERE p.id_number NOT IN (SELECT id_number FROM tmp_holders)
    GROUP BY p.id_number""",
)


def _resolve(conn: Connection) -> None:
    """Assign every record to a person (tmp_assign) and every photo ID to one (tmp_holders)."""
    for sql in _RESOLVE:
        conn.execute(text(sql))
    # A damaged ID joins the one ID-holder whose ID is that float and who shows the name,
    # counting the records joined before it: in record order, one at a time (they are few).
    damaged = scratch.stream(
        conn,
        select(scratch.rk.c.rid, scratch.rk.c.dmg_fkey, scratch.rk.c.name)
        .where(
            scratch.rk.c.id_number.is_(None),
            scratch.rk.c.dmg_fkey.is_not(None),
            scratch.rk.c.name.is_not(None),
        )
        .order_by(scratch.rk.c.rid),
    )
    for rid, fkey, name in damaged:
        hits = [
            h
            for h in conn.scalars(text(_DAMAGED_CANDIDATES), {"f": fkey}).all()
            if conn.scalar(text(_DAMAGED_NAME), {"h": h, "name": name, "rid": rid})
        ]
        if len(hits) == 1:
            conn.execute(insert(scratch.dm), {"rid": rid, "id_number": hits[0]})
    k = conn.scalar(text("SELECT COUNT(*) FROM tmp_holders")) or 0
    for sql in _AFTER_DAMAGED:
        m = k + (conn.scalar(text("SELECT COUNT(*) FROM tmp_new_people")) or 0)
        conn.execute(text(sql), {"k": k, "m": m})


class _PeopleWriter:
    """people, person_sources and person_names rows in batches, parents flushed first."""

    def __init__(self, conn: Connection) -> None:
        self.batches = [
            scratch.Batch(conn, t, FLUSH_VALUES) for t in (Person, PersonSource, PersonName)
        ]
        self.where = {k: scratch.Batch(conn, t) for k, t in scratch.where_tables.items()}
        self.rel = scratch.Batch(conn, scratch.rel)
        self.hh = scratch.Batch(conn, scratch.hh)

    def add(self, which: int, row: dict[str, Any]) -> None:
        batch = self.batches[which]
        batch.rows.append(row)
        if len(batch.rows) >= batch.size:
            self.flush()

    def flush(self) -> None:
        for b in (*self.batches, *self.where.values(), self.rel, self.hh):
            b.flush()


def _merge(rows: Any) -> Iterator[tuple[int, list[Any]]]:
    """Rows sorted by their first column, grouped by it."""
    for pid, group in itertools.groupby(rows, key=lambda r: r[0]):
        yield pid, list(group)


def _write_people(conn: Connection, stats: RecordsStats) -> None:
    """Stream people back in id order, each with its records and photos, and write them."""
    n_people = conn.scalar(text("SELECT MAX(pid) FROM tmp_holders")) or 0
    n_people = max(n_people, conn.scalar(text("SELECT MAX(pid) FROM tmp_new_people")) or 0)
    recs = _merge(
        scratch.stream(
            conn,
            text(
                "SELECT a.pid, a.method, r.rid, r.item_id, r.sheet_id, r.id_number, r.payload "
                "FROM tmp_assign a JOIN tmp_rec_keys r ON r.rid = a.rid "
                "ORDER BY a.pid, a.phase, a.rid"
            ),
        )
    )
    photos = _merge(
        scratch.stream(
            conn,
            text(
                "SELECT h.pid, p.item_id, p.path, p.id_number FROM tmp_photos p "
                "JOIN tmp_holders h ON h.id_number = p.id_number ORDER BY h.pid, p.seq"
            ),
        )
    )
    holders = scratch.stream(conn, text("SELECT pid, id_number FROM tmp_holders ORDER BY pid"))
    nxt: dict[str, Any] = {"r": next(recs, None), "p": next(photos, None), "h": next(holders, None)}
    out = _PeopleWriter(conn)
    seq = {"rel": 0, "hh": 0}
    for pid in range(1, n_people + 1):
        p = Resolved()
        if nxt["h"] is not None and nxt["h"][0] == pid:
            p.id_number = nxt["h"][1]
            nxt["h"] = next(holders, None)
        if nxt["r"] is not None and nxt["r"][0] == pid:
            p.records = [(_key_of(*row[2:]), row[1]) for row in nxt["r"][1]]
            nxt["r"] = next(recs, None)
        if nxt["p"] is not None and nxt["p"][0] == pid:
            p.photos = [PhotoKey(item, path, idn) for _pid, item, path, idn in nxt["p"][1]]
            nxt["p"] = next(photos, None)
        _write_person(out, pid, p, stats, seq)
    out.flush()
    conn.execute(
        update(Record).values(
            person_id=select(scratch.asg.c.pid)
            .where(scratch.asg.c.rid == Record.id)
            .scalar_subquery()
        )
    )


def _write_person(
    out: _PeopleWriter, pid: int, p: Resolved, stats: RecordsStats, seq: dict[str, int]
) -> None:
    s = p.summary()
    out.add(
        0,
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
        },
    )
    stats.people += 1
    stats.people_with_id += bool(p.id_number)
    stats.id_conflicts += bool(p.id_number and s["conflicts"].keys() & {"name", "birth_date"})
    stats.photos_linked += len(p.photos)
    stats.people_from_photos_only += bool(p.photos and not p.records)
    where: dict[str, set[Any]] = {k: set() for k in out.where}
    for rec, method in p.records:
        out.add(
            1,
            {
                "person_id": pid,
                "kind": "record",
                "record_id": rec.record_id,
                "item_id": rec.item_id,
                "path": None,
                "method": method,
            },
        )
        for norm, raw in _first_names(rec):
            out.add(2, {"person_id": pid, "name": norm, "raw": raw, "record_id": rec.record_id})
        where["sheet"].add(rec.sheet_id)
        where["item"].add(rec.item_id)
        if rec.place:
            where["place"].add(rec.place)
        if rec.house:
            where["house"].add(rec.house)
        for rel, _term, who in rec.relatives:
            seq["rel"] += 1
            out.rel.add(
                {
                    "seq": seq["rel"],
                    "pid": pid,
                    "rid": rec.record_id,
                    "relation": rel,
                    "who": who,
                    "female": rel in FEMALE,
                    "male": rel in MALE,
                    "house": rec.house,
                    "sheet_id": rec.sheet_id,
                    "item_id": rec.item_id,
                    "place": rec.place,
                }
            )
        if rec.household_no and rec.relation_to_head:
            seq["hh"] += 1
            label = relation(rec.relation_to_head)
            out.hh.add(
                {
                    "seq": seq["hh"],
                    "sheet_id": rec.sheet_id,
                    "household_no": rec.household_no,
                    "rid": rec.record_id,
                    "pid": pid,
                    "is_head": label == "head",
                    "relation": label or "relative",
                    "name": rec.name or "",
                }
            )
    for kind, values in where.items():
        for v in values:
            out.where[kind].add({"pid": pid, "v": v})
    for photo in p.photos:
        out.add(
            1,
            {
                "person_id": pid,
                "kind": "photo",
                "record_id": None,
                "item_id": photo.item_id,
                "path": photo.path,
                "method": "id_number",
            },
        )


def _first_names(rec: RecordKey) -> list[tuple[str, str]]:
    """Each normalised name of a record once, with the raw text it first had."""
    seen: dict[str, str] = {}
    for norm, raw in rec.names:
        seen.setdefault(norm, raw)
    return list(seen.items())


_RELATIVE_CANDIDATES = """SELECT r.seq, r.pid, r.rid, r.relation, r.who, r.female, r.male,
    c.pid, p.sex,
    EXISTS (SELECT 1 FROM tmp_where_house w WHERE w.pid = c.pid AND w.v = r.house),
    EXISTS (SELECT 1 FROM tmp_where_sheet w WHERE w.pid = c.pid AND w.v = r.sheet_id),
    EXISTS (SELECT 1 FROM tmp_where_item w WHERE w.pid = c.pid AND w.v = r.item_id),
    EXISTS (SELECT 1 FROM tmp_where_place w WHERE w.pid = c.pid AND w.v = r.place)
FROM tmp_relatives r
LEFT JOIN tmp_person_names c ON c.name = r.who AND c.pid <> r.pid
LEFT JOIN people p ON p.id = c.pid
ORDER BY r.seq"""
_HOUSEHOLD_MEMBERS = """SELECT head.pid, m.relation, m.name, m.pid, m.rid
FROM (SELECT sheet_id, household_no, MIN(seq) AS first FROM tmp_households
      GROUP BY sheet_id, household_no
      HAVING SUM(CASE WHEN is_head THEN 1 ELSE 0 END) = 1) g
JOIN tmp_households head
  ON head.sheet_id = g.sheet_id AND head.household_no = g.household_no AND head.is_head
JOIN tmp_households m
  ON m.sheet_id = g.sheet_id AND m.household_no = g.household_no AND m.seq <> head.seq
ORDER BY g.first, m.seq"""


def _link_relatives(conn: Connection, stats: RecordsStats) -> None:
    """person_relations (rules: guwah.records.relations): a relatives column's names first,
    then household rosters, each linked by indexed queries."""
    conn.execute(
        text(
            "INSERT INTO tmp_person_names (name, pid) "
            "SELECT DISTINCT name, person_id FROM person_names"
        )
    )
    out = scratch.Batch(conn, PersonRelation, FLUSH_VALUES)
    rows = scratch.stream(conn, text(_RELATIVE_CANDIDATES))
    for _seq, group in itertools.groupby(rows, key=lambda r: r[0]):
        cands = list(group)
        _s, pid, rid, rel, who, female, male = cands[0][:7]
        hits = [
            (c[7], *c[9:])
            for c in cands
            if c[7] is not None
            and not (female and c[8] == "male")
            and not (male and c[8] == "female")
        ]
        target = None
        for test in range(4):
            picked = [h for h in hits if h[test + 1]]
            if picked:
                target = picked[0][0] if len(picked) == 1 else None
                break
        out.add(
            {
                "person_id": pid,
                "relation": rel,
                "relative_name": who,
                "relative_id": target,
                "record_id": rid,
                "method": "relatives_column",
            }
        )
        stats.relations += 1
        stats.relations_linked += target is not None
    for head, label, name, pid, rid in scratch.stream(conn, text(_HOUSEHOLD_MEMBERS)):
        out.add(
            {
                "person_id": head,
                "relation": label,
                "relative_name": name,
                "relative_id": pid,
                "record_id": rid,
                "method": "household",
            }
        )
        stats.relations += 1
        stats.relations_linked += 1
    out.flush()


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
