"""CSV export of records: one row per record, its fields, and where it came from.

UTF-8 with a byte-order mark, so Excel opens Chinese text right. Provenance columns come
first (record id, person id, SHA-256, path of the first occurrence, sheet, sheet index,
row), then one column per lexicon field (normalised values; several cells of one field are
joined with " | "), then problems, then columns no lexicon field matched, by header.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, true
from sqlalchemy.orm import Session

from guwah.cellrefs import col_letter
from guwah.records.lexicon import Lexicon, load_lexicon
from guwah.records.people import first_paths
from guwah.store.models import ColumnMap, Item, Record, RecordValue, Sheet
from guwah.textsafe import csv_cell

if TYPE_CHECKING:
    from guwah.access.pseudonym import Pseudonymiser

PROVENANCE = ("record_id", "person_id", "sha256", "path", "sheet", "sheet_index", "row")
BATCH = 5000


def export_csv(
    session: Session,
    out: Path,
    lexicon: Lexicon | None = None,
    item_ids: set[int] | None = None,
    pseudonymiser: Pseudonymiser | None = None,
) -> int:
    """Write every record (or those read from ``item_ids``) to ``out``; returns how many.

    With a ``pseudonymiser`` the person column holds the person's pseudonym, birth dates
    only their year, and every other cell is redacted (names, ID numbers)."""
    lex = lexicon or load_lexicon()
    fields = list(lex.fields)
    headers = {
        (s, c): h or col_letter(c)
        for s, c, h in session.execute(
            select(ColumnMap.sheet_id, ColumnMap.col, ColumnMap.header).where(
                ColumnMap.field.is_(None)
            )
        )
    }
    extra = sorted(set(headers.values()))
    only = Record.item_id.in_(item_ids) if item_ids is not None else true()
    paths = first_paths(
        session, list(session.scalars(select(Record.item_id).where(only).distinct()))
    )
    n = 0
    with out.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(
            [csv_cell(h) for h in (*PROVENANCE, *fields, "problems", *(f"? {h}" for h in extra))]
        )
        last = 0
        while True:
            recs = session.execute(
                select(
                    Record.id,
                    Record.person_id,
                    Record.item_id,
                    Record.sheet_id,
                    Record.row,
                    Item.sha256,
                    Sheet.name,
                    Sheet.sheet_index,
                )
                .join(Item, Item.id == Record.item_id)
                .join(Sheet, Sheet.id == Record.sheet_id)
                .where(Record.id > last, only)
                .order_by(Record.id)
                .limit(BATCH)
            ).all()
            if not recs:
                break
            last = recs[-1].id
            values: dict[int, list[RecordValue]] = {}
            for v in session.scalars(
                select(RecordValue)
                .where(RecordValue.record_id.between(recs[0].id, last))
                .order_by(RecordValue.record_id, RecordValue.col)
            ):
                values.setdefault(v.record_id, []).append(v)
            for r in recs:
                cols: dict[str, list[str]] = {}
                problems = []
                for v in values.get(r.id, []):
                    key = v.field if v.field else f"? {headers.get((r.sheet_id, v.col), '')}"
                    cols.setdefault(key, []).append(v.value if v.value is not None else v.raw)
                    if v.problem:
                        problems.append(f"{col_letter(v.col)}{v.row}:{v.problem}")
                row = [
                    r.id,
                    r.person_id or "",
                    r.sha256,
                    paths.get(r.item_id, ""),
                    r.name,
                    r.sheet_index,
                    r.row,
                    *(" | ".join(cols.get(f, [])) for f in fields),
                    "; ".join(problems),
                    *(" | ".join(cols.get(f"? {h}", [])) for h in extra),
                ]
                if pseudonymiser is not None:
                    row = _pseudonymised(row, r.person_id, fields, pseudonymiser)
                writer.writerow([csv_cell(v) for v in row])
                n += 1
    return n


def _pseudonymised(
    row: list[Any], person_id: int | None, fields: list[str], pseudo: Pseudonymiser
) -> list[Any]:
    sha = PROVENANCE.index("sha256")  # provenance stays exact
    out = [pseudo.redact(v) if isinstance(v, str) and i != sha else v for i, v in enumerate(row)]
    out[PROVENANCE.index("person_id")] = pseudo.of_person(person_id) if person_id else ""
    birth = len(PROVENANCE) + fields.index("birth_date") if "birth_date" in fields else None
    if birth is not None and isinstance(out[birth], str):
        out[birth] = " | ".join(v[:4] for v in out[birth].split(" | "))
    return out
