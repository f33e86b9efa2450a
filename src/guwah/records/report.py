"""The mapping report: which column of which sheet was read as what, for a person to review.

For every sheet: the file (SHA-256, first path), the sheet (name, index), whether it was
read or skipped and why, the header rows, and per column its letter, header text, the field
it was mapped to (or unknown), the score and how it matched.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from guwah.cellrefs import col_letter
from guwah.records.people import first_paths
from guwah.store.models import ColumnMap, Item, Sheet, SheetLayout
from guwah.textsafe import md_cell


def mapping_report(session: Session) -> list[dict[str, Any]]:
    """One entry per sheet, in the order the sheets were stored."""
    rows = session.execute(
        select(Sheet.id, Sheet.item_id, Sheet.name, Sheet.sheet_index, Item.sha256, SheetLayout)
        .join(Item, Item.id == Sheet.item_id)
        .join(SheetLayout, SheetLayout.sheet_id == Sheet.id)
        .order_by(Sheet.id)
    ).all()
    paths = first_paths(session, sorted({r.item_id for r in rows}))
    columns: dict[int, list[dict[str, Any]]] = {}
    for cm in session.scalars(select(ColumnMap).order_by(ColumnMap.sheet_id, ColumnMap.col)):
        columns.setdefault(cm.sheet_id, []).append(
            {
                "col": cm.col,
                "letter": col_letter(cm.col),
                "header": cm.header,
                "field": cm.field,
                "score": round(cm.score, 3),
                "method": cm.method,
                "matched": cm.matched,
            }
        )
    out = []
    for sid, item_id, name, index, sha, layout in rows:
        out.append(
            {
                "sheet_id": sid,
                "sha256": sha,
                "path": paths.get(item_id),
                "sheet": name,
                "sheet_index": index,
                "status": layout.status,
                "reason": layout.reason,
                "header_rows": layout.header_rows,
                "first_data_row": layout.first_data_row,
                "records": layout.n_records,
                "skipped_rows": layout.n_skipped_rows,
                "columns": columns.get(sid, []),
            }
        )
    return out


def to_json(report: list[dict[str, Any]]) -> str:
    return json.dumps(
        {"format": "guwah-records-mapping/1", "sheets": report}, ensure_ascii=False, indent=2
    )


def to_markdown(report: list[dict[str, Any]]) -> str:
    read = [s for s in report if s["status"] == "read"]
    lines = [
        "# Records: column mapping report",
        "",
        f"{len(report)} sheets: {len(read)} read, {len(report) - len(read)} skipped; "
        f"{sum(s['records'] for s in report):,} records. Review every column marked "
        "**unknown** and every score below 1.0.",
        "",
    ]
    for s in report:
        lines.append(
            f"## {md_cell(s['path'])} — sheet {s['sheet_index'] + 1} “{md_cell(s['sheet'])}”"
        )
        lines.append("")
        lines.append(f"SHA-256 `{s['sha256']}`")
        lines.append("")
        if s["status"] != "read":
            lines.append(f"**Skipped**: {s['reason']}")
            lines.append("")
            continue
        rows = ", ".join(str(r) for r in s["header_rows"])
        lines.append(
            f"Header row(s) {rows}; data from row {s['first_data_row']}: {s['records']:,} "
            f"records, {s['skipped_rows']} rows skipped (blank, footer, notes)."
        )
        lines.append("")
        lines.append("| column | header | field | score | method |")
        lines.append("|---|---|---|---|---|")
        for c in s["columns"]:
            field = c["field"] or "**unknown** (kept)"
            lines.append(
                f"| {c['letter']} ({c['col']}) | {md_cell(c['header'])} | {field} | "
                f"{c['score']:.2f} | {c['method']} |"
            )
        lines.append("")
    return "\n".join(lines)
