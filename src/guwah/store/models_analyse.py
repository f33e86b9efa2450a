"""Database models of the analysis stage: imported census denominators, reviewers' reason
labels and violation-matrix decisions. Changes need an Alembic migration (``analyse_1``).

Nothing here points at ``records`` or ``people`` rows by id: those are rebuilt by
``guwah records build``. A relabel is keyed by the reason text, a decision by the cell, the
rule and a stable evidence reference (``record:SHA256:SHEET_INDEX:ROW``, ``document:SHA256``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from guwah.store.models import Base, BigId


class CensusImport(Base):
    """One imported census file: stored like evidence (under ``CASE/reference/``)."""

    __tablename__ = "census_imports"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    source_path: Mapped[str] = mapped_column(Text)
    sheet: Mapped[str] = mapped_column(Text)
    year: Mapped[int | None] = mapped_column(Integer, nullable=True)
    n_counties: Mapped[int] = mapped_column(Integer, default=0)
    problems: Mapped[list[Any]] = mapped_column(JSON, default=list)
    imported_at: Mapped[datetime] = mapped_column(DateTime)
    custodian: Mapped[str] = mapped_column(Text, default="")


class CensusCounty(Base):
    """One county row of a census file, at its row in the sheet."""

    __tablename__ = "census_counties"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("census_imports.id"), index=True)
    code: Mapped[str] = mapped_column(String(6), index=True)
    name: Mapped[str] = mapped_column(Text)
    prefecture: Mapped[str] = mapped_column(Text, default="")
    province: Mapped[str] = mapped_column(Text, default="")
    row: Mapped[int] = mapped_column(Integer)
    total: Mapped[int | None] = mapped_column(Integer, nullable=True)
    male: Mapped[int | None] = mapped_column(Integer, nullable=True)
    female: Mapped[int | None] = mapped_column(Integer, nullable=True)
    minority_share: Mapped[float | None] = mapped_column(Float, nullable=True)  # percent
    ages: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # "男_65到69岁" → n


class ReasonLabel(Base):
    """A reviewer's labels for one reason text, replacing the taxonomy's (latest wins)."""

    __tablename__ = "reason_labels"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    reason: Mapped[str] = mapped_column(Text, index=True)
    labels: Mapped[list[Any]] = mapped_column(JSON, default=list)
    reviewer: Mapped[str] = mapped_column(Text)
    note: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(DateTime)


class MatrixDecision(Base):
    """A reviewer's decision on a rule's suggestion in a violation-matrix cell (latest wins).

    ``evidence`` empty: the decision covers every piece of evidence the rule put there.
    """

    __tablename__ = "matrix_decisions"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    category: Mapped[str] = mapped_column(String(48))
    act: Mapped[str] = mapped_column(String(4))
    rule: Mapped[str] = mapped_column(String(48))
    evidence: Mapped[str] = mapped_column(Text, default="")
    decision: Mapped[str] = mapped_column(String(12))  # confirmed | rejected
    reviewer: Mapped[str] = mapped_column(Text)
    note: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(DateTime)
