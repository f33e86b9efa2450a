"""What a pseudonymised package holds in place of an original: a copy made to be shared.

- a photo: faces blurred, metadata dropped (:mod:`guwah.access.faces`; the whole picture
  where no face is found);
- a spreadsheet: each sheet as CSV, every cell redacted (names → pseudonyms, ID numbers
  masked), cells that would run as formulas neutralised;
- a document: its text, page by page, redacted;
- anything else (no text, no sheet, no picture — or a picture that cannot be read):
  withheld, with the reason in ``items.json``.

The original's SHA-256 stays in ``items.json``, so whoever holds the case can tell which
original each copy was made from; the copy itself is not evidence.
"""

from __future__ import annotations

import csv
from pathlib import Path, PurePosixPath
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from guwah.access.faces import Blurred
from guwah.access.pseudonym import Pseudonymiser
from guwah.case import Case
from guwah.ingest.executor import Executor, WorkerCrash
from guwah.store.models import Cell, Item, Page, Sheet
from guwah.textsafe import csv_cell


def blur_photos(case: Case, items: list[Item], executor: Executor) -> dict[str, Blurred | str]:
    """The photos among ``items`` blurred in worker processes (memory-bounded; a picture that
    crashes its worker is withheld, the run goes on): SHA-256 → the copy, or why there is none."""
    tasks = [
        (i.sha256, str(case.blobs.path_for(i.sha256)))
        for i in items
        if (i.mime or "").startswith("image/")
    ]
    out: dict[str, Blurred | str] = {}
    for (sha, _), result in executor.imap_unordered(_blur_file, tasks):
        if isinstance(result, WorkerCrash):
            out[sha] = f"blurring it crashed its worker ({result.message})"
        else:
            out[sha] = result
    return out


def _blur_file(task: tuple[str, str]) -> Blurred | str:
    from guwah.access.faces import FaceError, blur_faces

    try:
        return blur_faces(Path(task[1]).read_bytes())
    except (FaceError, OSError) as exc:
        return str(exc)


def write_derived(
    case: Case,
    session: Session,
    item: Item,
    base: PurePosixPath,
    data: Path,
    pseudo: Pseudonymiser,
    photo: Blurred | str | None = None,
) -> tuple[list[dict[str, Any]], str]:
    """Write the shareable copies of ``item`` under ``data/base…`` (a photo: its blurred copy
    from :func:`blur_photos`, else blurred here); returns what was written (bag path, kind,
    and for photos the faces found) and, if nothing was, why."""
    if (item.mime or "").startswith("image/"):
        blurred = (
            photo
            if photo is not None
            else _blur_file((item.sha256, str(case.blobs.path_for(item.sha256))))
        )
        if isinstance(blurred, str):
            return [], f"the picture could not be blurred, so it is withheld: {blurred}"
        rel = base.with_name(base.name + ".blurred.jpg")
        _target(data, rel).write_bytes(blurred.data)
        entry = {"bag_path": f"data/{rel.as_posix()}", "kind": "photo, faces blurred"}
        return [{**entry, **blurred.summary()}], ""
    written = _sheets(session, item, base, data, pseudo) + _pages(session, item, base, data, pseudo)
    if written:
        return written, ""
    return [], "no text, sheet or picture was extracted from it: the original is withheld"


def _target(data: Path, rel: PurePosixPath) -> Path:
    dest = data / rel
    dest.parent.mkdir(parents=True, exist_ok=True)
    return dest


def _sheets(
    session: Session, item: Item, base: PurePosixPath, data: Path, pseudo: Pseudonymiser
) -> list[dict[str, Any]]:
    out = []
    for sheet in session.scalars(
        select(Sheet).where(Sheet.item_id == item.id).order_by(Sheet.sheet_index)
    ):
        rel = base.with_name(f"{base.name}.sheet{sheet.sheet_index + 1}.csv")
        with _target(data, rel).open("w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.writer(fh)
            row_no = 0  # the row being written, and its cells so far
            line: list[str] = []
            for cell in session.scalars(
                select(Cell).where(Cell.sheet_id == sheet.id).order_by(Cell.row, Cell.col)
            ):
                if cell.row != row_no:
                    if row_no:
                        writer.writerow(line)
                    writer.writerows([[]] * max(0, cell.row - row_no - 1))
                    row_no, line = cell.row, []
                line += [""] * (cell.col - 1 - len(line))
                line.append(csv_cell(pseudo.redact(cell.value)))
            if row_no:
                writer.writerow(line)
        out.append(
            {
                "bag_path": f"data/{rel.as_posix()}",
                "kind": "sheet as CSV, redacted",
                "sheet": pseudo.redact(sheet.name),
                "sheet_index": sheet.sheet_index,
            }
        )
    return out


def _pages(
    session: Session, item: Item, base: PurePosixPath, data: Path, pseudo: Pseudonymiser
) -> list[dict[str, Any]]:
    pages = session.scalars(
        select(Page).where(Page.item_id == item.id).order_by(Page.page_no, Page.method)
    ).all()
    if not pages:
        return []
    rel = base.with_name(base.name + ".txt")
    with _target(data, rel).open("w", encoding="utf-8") as fh:
        for p in pages:
            fh.write(f"--- page {p.page_no} ({p.method}) ---\n{pseudo.redact(p.text)}\n")
    return [{"bag_path": f"data/{rel.as_posix()}", "kind": "text, redacted",
             "pages": len({p.page_no for p in pages})}]  # fmt: skip
