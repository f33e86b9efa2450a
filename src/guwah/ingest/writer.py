"""Buffered database writes for the ingest hot path.

A leak has many small files; one statement per row would spend most of the run in the
database layer. Rows wait here and go out as a few multi-row statements at each flush,
inside the caller's transaction, so a commit is still all or nothing.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, insert, update
from sqlalchemy.orm import Session

from guwah.ingest.registry import Extraction
from guwah.store.models import Cell, Item, Occurrence, Page, Sheet


class BatchWriter:
    def __init__(self, session: Session) -> None:
        self.session = session
        self.items: dict[str, dict[str, Any]] = {}  # sha256 → row, not yet inserted
        self.occurrences: list[dict[str, Any]] = []  # "item_sha" resolved at flush
        self.updates: list[dict[str, Any]] = []  # item rows changed by extraction
        self.pages: list[dict[str, Any]] = []
        self.sheets: list[tuple[int, Any]] = []  # (item id, SheetData)

    def __len__(self) -> int:
        return len(self.items) + len(self.occurrences) + len(self.updates) + len(self.pages)

    def add_item(self, values: dict[str, Any]) -> None:
        self.items[values["sha256"]] = values

    def add_occurrence(self, values: dict[str, Any], item_sha: str | None) -> None:
        self.occurrences.append({**values, "item_sha": item_sha})

    def add_extraction(self, item_id: int, values: dict[str, Any], ex: Extraction | None) -> None:
        self.updates.append({"_id": item_id, **values})
        if ex is None:
            return
        self.pages.extend(
            {
                "item_id": item_id,
                "page_no": p.page_no,
                "method": p.method,
                "text": p.text,
                "confidence": p.confidence,
                "language": p.language,
            }
            for p in ex.pages
        )
        self.sheets.extend((item_id, sheet) for sheet in ex.sheets)

    def flush(self) -> dict[str, int]:
        """Write everything buffered; returns the ids of the items it inserted, by SHA-256."""
        conn = self.session.connection()
        ids: dict[str, int] = {}
        if self.items:
            inserted = conn.execute(
                insert(Item).returning(Item.id, Item.sha256), list(self.items.values())
            )
            ids = {sha: item_id for item_id, sha in inserted}
            self.items.clear()
        if self.occurrences:
            for occ in self.occurrences:
                sha = occ.pop("item_sha")
                if sha is not None and occ.get("item_id") is None:
                    occ["item_id"] = ids[sha]
            conn.execute(insert(Occurrence), self.occurrences)
            self.occurrences.clear()
        if self.updates:
            by_columns: dict[tuple[str, ...], list[dict[str, Any]]] = {}
            for row in self.updates:
                by_columns.setdefault(tuple(sorted(row)), []).append(row)
            for columns, rows in by_columns.items():
                values: dict[str, Any] = {c: bindparam(c) for c in columns if c != "_id"}
                stmt = update(Item).where(Item.id == bindparam("_id")).values(values)
                conn.execute(stmt, rows)
            self.updates.clear()
        if self.pages:
            conn.execute(insert(Page), self.pages)
            self.pages.clear()
        for item_id, sheet in self.sheets:
            sheet_id = conn.execute(
                insert(Sheet)
                .values(
                    item_id=item_id,
                    sheet_index=sheet.index,
                    name=sheet.name,
                    n_rows=sheet.n_rows,
                    n_cols=sheet.n_cols,
                    merged=sheet.merged,
                    truncated=sheet.truncated,
                )
                .returning(Sheet.id)
            ).scalar_one()
            if sheet.cells:
                conn.execute(
                    insert(Cell),
                    [
                        {"sheet_id": sheet_id, "row": r, "col": c, "value": v, "vtype": t}
                        for r, c, v, t in sheet.cells
                    ],
                )
        self.sheets.clear()
        return ids
