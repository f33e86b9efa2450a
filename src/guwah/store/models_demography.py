"""Database models of the stats stage (``guwah stats``): the tables read from yearbooks
and every figure in them. Changes need an Alembic migration (``demography_1`` and later)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from guwah.store.models import Base, BigId


class StatTable(Base):
    """One table as read from one sheet or page of a preserved yearbook file."""

    __tablename__ = "stat_tables"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), index=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    source: Mapped[str] = mapped_column(
        Text
    )  # what the user says it is: "China Statistical Yearbook"
    edition: Mapped[int | None] = mapped_column(Integer, nullable=True)
    table_ref: Mapped[str] = mapped_column(String(64))  # --table, else the printed number
    title: Mapped[str] = mapped_column(Text, default="")
    sheet_index: Mapped[int | None] = mapped_column(Integer, nullable=True)
    page_no: Mapped[int | None] = mapped_column(Integer, nullable=True)
    method: Mapped[str] = mapped_column(String(16))  # sheet | text | ocr
    layout: Mapped[str] = mapped_column(String(64))
    units: Mapped[list[Any]] = mapped_column(default=list)  # declared for the whole table
    footnotes: Mapped[list[Any]] = mapped_column(default=list)
    problems: Mapped[list[Any]] = mapped_column(default=list)  # [{kind, message}]
    n_values: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class StatValue(Base):
    """One printed figure: the text as printed, the number, its labels, unit and cell."""

    __tablename__ = "stat_values"
    __table_args__ = (Index("ix_stat_values_series", "indicator", "region_code", "year"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    table_id: Mapped[int] = mapped_column(
        ForeignKey("stat_tables.id", ondelete="CASCADE"), index=True
    )
    region_raw: Mapped[str | None] = mapped_column(Text, nullable=True)
    region_code: Mapped[str | None] = mapped_column(String(16), nullable=True)
    region_name: Mapped[str | None] = mapped_column(Text, nullable=True)
    region_method: Mapped[str | None] = mapped_column(String(16), nullable=True)
    indicator: Mapped[str | None] = mapped_column(String(48), nullable=True)
    indicator_raw: Mapped[str] = mapped_column(Text, default="")
    year: Mapped[int | None] = mapped_column(Integer, nullable=True)
    raw: Mapped[str] = mapped_column(Text)  # the text as printed
    value: Mapped[float | None] = mapped_column(Float, nullable=True)  # as printed, a number
    unit_printed: Mapped[str | None] = mapped_column(String(16), nullable=True)
    unit: Mapped[str | None] = mapped_column(String(16), nullable=True)  # family: per_mille…
    scale: Mapped[float | None] = mapped_column(Float, nullable=True)
    base_value: Mapped[float | None] = mapped_column(Float, nullable=True)  # value × scale
    unit_origin: Mapped[str] = mapped_column(String(8), default="none")
    row: Mapped[int] = mapped_column(Integer)  # in the sheet (1-based) or the page's grid
    col: Mapped[int] = mapped_column(Integer)
    problem: Mapped[str | None] = mapped_column(String(24), nullable=True)
    detail: Mapped[str | None] = mapped_column(Text, nullable=True)
    confidence: Mapped[float | None] = mapped_column(Float, nullable=True)
    where: Mapped[dict[str, Any]] = mapped_column(default=dict)
