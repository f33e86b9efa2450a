"""Database models of the verify stage: findings, the items they involve, check runs, and the
perceptual-hash cache. Import them from ``guwah.store.models`` (which imports this module at
its bottom; importing this one first would be circular). Changes need an
Alembic migration."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from guwah.store.models import Base, BigId


class FindingRow(Base):
    """One finding of one check: what was compared, what disagreed, in plain words."""

    __tablename__ = "findings"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    check: Mapped[str] = mapped_column(String(32), index=True)
    kind: Mapped[str] = mapped_column(String(48), index=True)
    severity: Mapped[str] = mapped_column(String(8), index=True)  # info | warning | error
    title: Mapped[str] = mapped_column(Text)
    explanation: Mapped[str] = mapped_column(Text)
    values: Mapped[dict[str, Any]] = mapped_column("compared", default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime)

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "check": self.check,
            "kind": self.kind,
            "severity": self.severity,
            "title": self.title,
            "explanation": self.explanation,
            "values": self.values,
        }


class FindingItem(Base):
    """An original a finding involves, and where in it: path, EXIF tag, page, sheet/row/col."""

    __tablename__ = "finding_items"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    finding_id: Mapped[int] = mapped_column(
        ForeignKey("findings.id", ondelete="CASCADE"), index=True
    )
    item_id: Mapped[int | None] = mapped_column(ForeignKey("items.id"), nullable=True, index=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    path: Mapped[str | None] = mapped_column(Text, nullable=True)
    role: Mapped[str] = mapped_column(String(32), default="")
    location: Mapped[dict[str, Any]] = mapped_column(default=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "sha256": self.sha256,
            "path": self.path,
            "role": self.role,
            "location": self.location,
        }


class CheckRun(Base):
    """The latest run of one check: corpus totals, distributions and the parameters used."""

    __tablename__ = "check_runs"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    check: Mapped[str] = mapped_column(String(32), unique=True)
    version: Mapped[str] = mapped_column(String(16))
    started_at: Mapped[datetime] = mapped_column(DateTime)
    finished_at: Mapped[datetime] = mapped_column(DateTime)
    seconds: Mapped[float] = mapped_column(default=0.0)
    n_findings: Mapped[int] = mapped_column(Integer, default=0)
    totals: Mapped[list[Any]] = mapped_column(default=list)
    distributions: Mapped[dict[str, Any]] = mapped_column(default=dict)
    params: Mapped[dict[str, Any]] = mapped_column(default=dict)


class ImageHash(Base):
    """Cached perceptual hashes of an image and of its embedded EXIF thumbnail."""

    __tablename__ = "image_hashes"
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), primary_key=True)
    algo: Mapped[str] = mapped_column(String(32))
    phash: Mapped[str | None] = mapped_column(String(64), nullable=True)  # 256 bits, hex
    signature: Mapped[str | None] = mapped_column(Text, nullable=True)  # 16×16 grey, base64
    thumb_phash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    thumb_signature: Mapped[str | None] = mapped_column(Text, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
