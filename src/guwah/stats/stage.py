"""``guwah stats import``: preserve a yearbook file like any evidence, then read its tables.

The file goes through ``guwah ingest`` (stored once by SHA-256, read-only, custody logged,
sheets and pages extracted); this stage then reads each sheet or page as a table, resolves
its regions, indicators, years and units, and stores every figure with its cell. Importing
the same file with the same source and edition again replaces its tables: nothing twice.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from guwah.case import Case, CaseError
from guwah.core import case_lock, utcnow
from guwah.ingest.executor import make_executor
from guwah.ingest.registry import ExtractionError
from guwah.stats.grid import Grid
from guwah.stats.models import StatTable, StatValue
from guwah.stats.readers import ocr_grids, pdf_grids, sheet_grids, text_grids
from guwah.stats.regions import canonical_name
from guwah.stats.tables import Table, read_tables
from guwah.store.blobs import hash_file
from guwah.store.custody import CustodyLog
from guwah.store.models import Item

IMAGE_TYPES = {"image/png", "image/jpeg", "image/tiff", "image/bmp", "image/gif", "image/webp"}


@dataclass
class ImportResult:
    sha256: str
    tables: list[StatTable] = field(default_factory=list)
    values: int = 0
    problems: list[str] = field(default_factory=list)
    unmatched_regions: list[str] = field(default_factory=list)
    regions_total: int = 0
    regions_resolved: int = 0
    seconds: float = 0.0


def import_file(
    case: Case,
    path: Path,
    source: str,
    edition: int | None = None,
    table_id: str | None = None,
    custodian: str = "",
    languages: str | None = None,
    region: str | None = None,
) -> ImportResult:
    """Preserve ``path`` in the case and read the yearbook tables it holds."""
    from guwah.ingest.pipeline import ingest

    started = time.perf_counter()
    if not path.is_file():
        raise CaseError(f"not a file: {path}")
    if not source.strip():
        raise CaseError('say where the table comes from: --source "China Statistical Yearbook"')
    sha = hash_file(path)
    # extraction in a worker process, as `guwah ingest` does: a file that crashes its reader
    # fails its item, not this command
    executor = make_executor(1, case.settings.limits.worker_memory_bytes)
    ingest(case, [path], custodian=custodian, note=f"stats import: {source}", executor=executor)
    result = ImportResult(sha)
    with case_lock(case), case.sessions() as session:
        item = session.scalar(select(Item).where(Item.sha256 == sha))
        if item is None:  # pragma: no cover - ingest stores every readable file
            raise CaseError(f"{path} was not stored")
        if item.status == "error":
            raise CaseError(f"{path} cannot be read: {item.error}")
        old = session.scalars(
            select(StatTable.id).where(
                StatTable.item_id == item.id,
                StatTable.source == source,
                StatTable.edition.is_(None) if edition is None else StatTable.edition == edition,
            )
        ).all()
        if old:
            session.execute(delete(StatValue).where(StatValue.table_id.in_(old)))
            session.execute(delete(StatTable).where(StatTable.id.in_(old)))
        langs = languages or case.settings.ocr_languages
        found = 0
        previous = ""  # the title a continued table (续表) on the next page belongs to
        for grid in _guarded(_grids(case, session, item, langs), result):
            for table in read_tables(
                grid, title_hint=previous, edition=edition, region=region, context=source
            ):
                previous = table.title
                found += 1
                _add(result, session, item, grid, table, source, edition, table_id, found)
        CustodyLog(session, custodian or case.settings.custodian).append(
            "stats_imported",
            item_sha256=sha,
            source_path=str(path.resolve()),
            details={
                "source": source,
                "edition": edition,
                "table": table_id,
                "tables": len(result.tables),
                "values": result.values,
            },
        )
        session.commit()
        for row in result.tables:
            session.refresh(row)
            session.expunge(row)
    if not result.tables:
        result.problems.append("no table with figures was found in the file")
    result.seconds = time.perf_counter() - started
    return result


def _grids(case: Case, session: Session, item: Item, languages: str) -> Iterator[Grid]:
    path = case.blobs.path_for(item.sha256)
    if item.mime == "application/pdf":
        yield from pdf_grids(path, languages, case.settings.limits)
    elif item.mime in IMAGE_TYPES:
        yield from ocr_grids(path, item.mime, [1], languages, case.settings.limits)
    elif item.mime.startswith("text/"):
        yield from text_grids(session, item)
    else:
        yield from sheet_grids(session, item)


def _add(
    result: ImportResult,
    session: Session,
    item: Item,
    grid: Grid,
    table: Table,
    source: str,
    edition: int | None,
    table_id: str | None,
    found: int,
) -> None:
    """Store one table read and count it on the result."""
    ref = table_id or table.table_no or _where_ref(grid)
    if table_id and found > 1:
        ref = f"{table_id}#{found}"
    row = _store(session, item, grid, table, source, edition, ref)
    result.tables.append(row)
    result.values += len(table.values)
    for p in table.problems:
        result.problems.append(f"{ref}: {p['message']}")
    for name in table.unmatched_regions:
        if name not in result.unmatched_regions:
            result.unmatched_regions.append(name)
    labels = {v.region_raw: v.region for v in table.values if v.region is not None}
    result.regions_total += len(labels)
    result.regions_resolved += sum(1 for r in labels.values() if r is not None and r.place)


def _guarded(grids: Iterator[Grid], result: ImportResult) -> Iterator[Grid]:
    """The grids until one cannot be read: the cause goes on the result, the tables read
    before it are kept."""
    try:
        yield from grids
    except ExtractionError as exc:
        result.problems.append(f"stopped reading: {exc.message} ({exc.cause})")


def _where_ref(grid: Grid) -> str:
    if "page" in grid.where:
        return f"p. {grid.where['page']}"
    if grid.where.get("method") == "csv":
        return "csv"
    return f"sheet {grid.where.get('sheet', grid.where.get('sheet_index'))}"


def _store(
    session: Session,
    item: Item,
    grid: Grid,
    table: Table,
    source: str,
    edition: int | None,
    ref: str,
) -> StatTable:
    row = StatTable(
        item_id=item.id,
        sha256=item.sha256,
        source=source,
        edition=edition,
        table_ref=ref[:64],
        title=table.title,
        sheet_index=grid.where.get("sheet_index"),
        page_no=grid.where.get("page"),
        method=grid.where.get("method", "sheet"),
        layout=table.layout,
        units=[u.printed for u in table.units],
        footnotes=table.footnotes,
        problems=table.problems,
        n_values=len(table.values),
        created_at=utcnow(),
    )
    session.add(row)
    session.flush()
    session.add_all(
        StatValue(
            table_id=row.id,
            region_raw=v.region_raw,
            region_code=v.region.code if v.region else None,
            region_name=canonical_name(v.region.place.code)
            if v.region and v.region.place
            else None,
            region_method=v.region.method if v.region else None,
            indicator=v.indicator,
            indicator_raw=v.indicator_raw[:500],
            year=v.year,
            raw=v.raw,
            value=v.value,
            unit_printed=v.unit.printed if v.unit else None,
            unit=v.unit.family if v.unit else None,
            scale=v.unit.scale if v.unit else None,
            base_value=v.value * v.unit.scale if v.unit and v.value is not None else None,
            unit_origin=v.unit_origin,
            row=v.row,
            col=v.col,
            problem=v.problem,
            detail=v.detail,
            confidence=v.confidence,
            where=v.where,
        )
        for v in table.values
    )
    return row
