"""Database models. Changes to these need an Alembic migration (``store/migrations``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeEngine

# SQLite only autoincrements INTEGER PRIMARY KEY; PostgreSQL gets a real BIGINT.
BigId: TypeEngine[int] = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


class Source(Base):
    """One source given to `guwah ingest` (directory, file or archive)."""

    __tablename__ = "sources"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    uri: Mapped[str] = mapped_column(Text, unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    custodian: Mapped[str] = mapped_column(Text, default="")
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime)


class Item(Base):
    """One stored original: unique content, addressed by SHA-256."""

    __tablename__ = "items"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    md5: Mapped[str] = mapped_column(String(32))
    sha1: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(BigInteger)
    mime: Mapped[str] = mapped_column(String(128), default="")
    magic: Mapped[str] = mapped_column(Text, default="")
    # pending → ok | error | unsupported (stored, but no extractor reads this type)
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    error_cause: Mapped[str | None] = mapped_column(String(64), nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    extractor: Mapped[str | None] = mapped_column(String(64), nullable=True)
    extractor_version: Mapped[str | None] = mapped_column(String(32), nullable=True)
    meta: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # OCR is its own resumable step: None (not applicable), pending, done, skipped, error
    ocr_status: Mapped[str | None] = mapped_column(String(16), nullable=True, index=True)
    ocr_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    extracted_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class Occurrence(Base):
    """One place an original was found: a path in a source, possibly inside archives.

    A file that could not be read at all (permission denied, a symbolic link, an unsafe
    archive member) is an occurrence with an error and no item: there is no content to keep.
    """

    __tablename__ = "occurrences"
    __table_args__ = (UniqueConstraint("source_id", "path", name="uq_occurrence_path"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"), index=True)
    item_id: Mapped[int | None] = mapped_column(ForeignKey("items.id"), nullable=True, index=True)
    parent_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("items.id"), nullable=True, index=True
    )
    path: Mapped[str] = mapped_column(Text)
    raw_name_hex: Mapped[str | None] = mapped_column(Text, nullable=True)
    depth: Mapped[int] = mapped_column(Integer, default=0)
    mtime: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    extension: Mapped[str] = mapped_column(String(32), default="")
    extension_mismatch: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(16), default="ok")
    error_cause: Mapped[str | None] = mapped_column(String(64), nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class Page(Base):
    """Text of one page (or the whole text of a one-page document), from text layer or OCR."""

    __tablename__ = "pages"
    __table_args__ = (UniqueConstraint("item_id", "page_no", "method", name="uq_page"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), index=True)
    page_no: Mapped[int] = mapped_column(Integer)
    method: Mapped[str] = mapped_column(String(16))  # text | ocr
    text: Mapped[str] = mapped_column(Text, default="")
    confidence: Mapped[float | None] = mapped_column(Float, nullable=True)
    language: Mapped[str | None] = mapped_column(String(64), nullable=True)


class Sheet(Base):
    __tablename__ = "sheets"
    __table_args__ = (UniqueConstraint("item_id", "sheet_index", name="uq_sheet"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), index=True)
    sheet_index: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(Text)
    n_rows: Mapped[int] = mapped_column(Integer, default=0)
    n_cols: Mapped[int] = mapped_column(Integer, default=0)
    merged: Mapped[list[Any]] = mapped_column(JSON, default=list)
    truncated: Mapped[bool] = mapped_column(Boolean, default=False)


class Cell(Base):
    """One non-empty cell, at its 1-based row and column in the sheet as stored."""

    __tablename__ = "cells"
    __table_args__ = (Index("ix_cells_sheet_row", "sheet_id", "row"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    sheet_id: Mapped[int] = mapped_column(ForeignKey("sheets.id"))
    row: Mapped[int] = mapped_column(Integer)
    col: Mapped[int] = mapped_column(Integer)
    value: Mapped[str] = mapped_column(Text)
    vtype: Mapped[str] = mapped_column(String(8), default="s")


class CustodyEvent(Base):
    """Append-only, hash-chained chain-of-custody log."""

    __tablename__ = "custody_events"
    seq: Mapped[int] = mapped_column(BigId, primary_key=True)
    at: Mapped[str] = mapped_column(String(40))  # ISO 8601 UTC, hashed as written
    event: Mapped[str] = mapped_column(String(32), index=True)
    item_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    source_path: Mapped[str | None] = mapped_column(Text, nullable=True)
    custodian: Mapped[str] = mapped_column(Text, default="")
    host: Mapped[str] = mapped_column(Text, default="")
    tool_version: Mapped[str] = mapped_column(String(64), default="")
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class Run(Base):
    """One ingest (or OCR) run, with what it did, for the summary."""

    __tablename__ = "runs"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    command: Mapped[str] = mapped_column(String(32))
    started_at: Mapped[datetime] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    status: Mapped[str] = mapped_column(String(16), default="running")
    stats: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


# --- records and people (``guwah records``) -------------------------------------------------


class SheetLayout(Base):
    """How the records stage read one sheet: its header rows, or why it was skipped."""

    __tablename__ = "sheet_layouts"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    sheet_id: Mapped[int] = mapped_column(ForeignKey("sheets.id"), unique=True)
    status: Mapped[str] = mapped_column(String(16))  # read | skipped
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    header_rows: Mapped[list[Any]] = mapped_column(JSON, default=list)
    first_data_row: Mapped[int | None] = mapped_column(Integer, nullable=True)
    n_records: Mapped[int] = mapped_column(Integer, default=0)
    n_skipped_rows: Mapped[int] = mapped_column(Integer, default=0)


class ColumnMap(Base):
    """One column of a sheet as read: its header text and the field it was mapped to."""

    __tablename__ = "column_maps"
    __table_args__ = (UniqueConstraint("sheet_id", "col", name="uq_column_map"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    sheet_id: Mapped[int] = mapped_column(ForeignKey("sheets.id"), index=True)
    col: Mapped[int] = mapped_column(Integer)
    header: Mapped[str] = mapped_column(Text, default="")
    header_rows: Mapped[list[Any]] = mapped_column(JSON, default=list)
    field: Mapped[str | None] = mapped_column(String(32), nullable=True)  # None: unknown, kept
    score: Mapped[float] = mapped_column(Float, default=0.0)
    method: Mapped[str] = mapped_column(String(16))  # exact | contains | fuzzy | none
    matched: Mapped[str | None] = mapped_column(Text, nullable=True)  # the lexicon variant


class Person(Base):
    """One person, resolved from records and photos (by ID number, else name + birth date)."""

    __tablename__ = "people"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    id_number: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)
    name: Mapped[str | None] = mapped_column(Text, nullable=True)
    birth_date: Mapped[str | None] = mapped_column(String(10), nullable=True)
    sex: Mapped[str | None] = mapped_column(String(8), nullable=True)
    ethnicity: Mapped[str | None] = mapped_column(String(32), nullable=True)
    n_records: Mapped[int] = mapped_column(Integer, default=0)
    n_photos: Mapped[int] = mapped_column(Integer, default=0)
    detained: Mapped[bool] = mapped_column(Boolean, default=False)
    method: Mapped[str] = mapped_column(String(16))  # id_number | name_birth | single
    # field → [{"value": …, "records": [record ids]}] where the sources disagree
    conflicts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class Record(Base):
    """One row of a sheet that describes a person."""

    __tablename__ = "records"
    __table_args__ = (UniqueConstraint("sheet_id", "row", name="uq_record_row"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), index=True)
    sheet_id: Mapped[int] = mapped_column(ForeignKey("sheets.id"))
    row: Mapped[int] = mapped_column(Integer)
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id"), nullable=True, index=True
    )


class RecordValue(Base):
    """One cell of a record: the normalised value beside the original, where it was."""

    __tablename__ = "record_values"
    __table_args__ = (Index("ix_record_values_field_value", "field", "value"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id"), index=True)
    field: Mapped[str | None] = mapped_column(String(32), nullable=True)  # None: unknown column
    value: Mapped[str | None] = mapped_column(Text, nullable=True)  # None: could not normalise
    raw: Mapped[str] = mapped_column(Text)
    vtype: Mapped[str] = mapped_column(String(8), default="s")
    row: Mapped[int] = mapped_column(Integer)  # the cell's row (a merged cell: its first row)
    col: Mapped[int] = mapped_column(Integer)
    problem: Mapped[str | None] = mapped_column(String(32), nullable=True)


class PersonSource(Base):
    """A record or a photo that makes up a person, and how it was joined."""

    __tablename__ = "person_sources"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    kind: Mapped[str] = mapped_column(String(8))  # record | photo
    record_id: Mapped[int | None] = mapped_column(
        ForeignKey("records.id"), nullable=True, index=True
    )
    item_id: Mapped[int | None] = mapped_column(ForeignKey("items.id"), nullable=True, index=True)
    path: Mapped[str | None] = mapped_column(Text, nullable=True)  # the photo's occurrence path
    method: Mapped[str] = mapped_column(String(16))  # id_number | name_birth | single


class PersonName(Base):
    """Every name a person goes by in the sources, as written, with the record it came from."""

    __tablename__ = "person_names"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    name: Mapped[str] = mapped_column(Text, index=True)
    raw: Mapped[str] = mapped_column(Text)
    record_id: Mapped[int | None] = mapped_column(ForeignKey("records.id"), nullable=True)


class PersonRelation(Base):
    """A relative named in a record, linked to the relative's person when resolvable."""

    __tablename__ = "person_relations"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    relation: Mapped[str] = mapped_column(String(32))
    relative_name: Mapped[str] = mapped_column(Text)
    relative_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id"), nullable=True, index=True
    )
    record_id: Mapped[int | None] = mapped_column(ForeignKey("records.id"), nullable=True)
    method: Mapped[str] = mapped_column(String(16))  # relatives_column | household


# The verify stage's tables, registered on the same metadata (Alembic sees every table here).
from guwah.store import models_access as _access  # noqa: E402, F401  (registers its tables)
from guwah.store import models_analyse as _models_analyse  # noqa: E402, F401  (its tables)
from guwah.store import models_demography as _models_demography  # noqa: E402, F401  (stats)
from guwah.store import models_lists as _lists  # noqa: E402, F401  (registers its tables)
from guwah.store import models_officials as _officials  # noqa: E402, F401  (officials stage)
from guwah.store.models_verify import CheckRun as CheckRun  # noqa: E402
from guwah.store.models_verify import FindingItem as FindingItem  # noqa: E402
from guwah.store.models_verify import FindingRow as FindingRow  # noqa: E402
from guwah.store.models_verify import ImageHash as ImageHash  # noqa: E402
