"""Database models of the lists stage: one row per imported version of a list, one row per
entity of that version. Old versions are kept: a match always names the version it used.
Changes need an Alembic migration (``lists_1_versions`` and later)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from guwah.store.models import Base, BigId


class ListVersion(Base):
    """One import of one list file: its hash, format, date and what changed since the last."""

    __tablename__ = "list_versions"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), index=True)
    format: Mapped[str] = mapped_column(String(16))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    file_name: Mapped[str] = mapped_column(Text)
    as_of: Mapped[str] = mapped_column(String(10))  # YYYY-MM-DD
    imported_at: Mapped[datetime] = mapped_column(DateTime)
    entity_count: Mapped[int] = mapped_column(Integer, default=0)
    skipped: Mapped[int] = mapped_column(Integer, default=0)  # vessels and the like
    previous_id: Mapped[int | None] = mapped_column(ForeignKey("list_versions.id"), nullable=True)
    changes: Mapped[dict[str, Any]] = mapped_column(default=dict)  # added/changed/removed ids

    @property
    def label(self) -> str:
        return f"{self.name}@{self.as_of}#{self.id}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "format": self.format,
            "sha256": self.sha256,
            "file_name": self.file_name,
            "as_of": self.as_of,
            "imported_at": self.imported_at.isoformat(timespec="seconds"),
            "entities": self.entity_count,
            "skipped": self.skipped,
            "previous_id": self.previous_id,
            "changes": {k: len(v) for k, v in (self.changes or {}).items()},
        }


class ListEntityRow(Base):
    """One listed person, company, organisation or public body in one version of a list."""

    __tablename__ = "list_entities"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("list_versions.id", ondelete="CASCADE"), index=True
    )
    entity_id: Mapped[str] = mapped_column(String(128), index=True)  # the list's own id
    schema: Mapped[str] = mapped_column(String(16), index=True)
    caption: Mapped[str] = mapped_column(Text)
    properties: Mapped[dict[str, Any]] = mapped_column(default=dict)
    location: Mapped[str] = mapped_column(Text, default="")  # line or element in the file
    digest: Mapped[str] = mapped_column(String(64))  # of the properties, for version diffs
