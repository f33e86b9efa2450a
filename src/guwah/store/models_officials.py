"""Database models of the officials stage (``guwah officials``): every mention of an official
in the leak with its provenance, the officials resolved from them, their posts over time, the
units they served in, and the documents' numbers, issuers and recipients. Changes need an
Alembic migration (``officials_1`` and later)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from guwah.store.models import Base, BigId


class OfficialUnit(Base):
    """A body officials serve in: region → prefecture → county → bureau, station, facility."""

    __tablename__ = "official_units"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    name: Mapped[str] = mapped_column(Text, unique=True)
    kind: Mapped[str] = mapped_column(String(32), default="unit")
    level: Mapped[str] = mapped_column(String(16), default="")  # region|prefecture|county|…
    jurisdiction: Mapped[str] = mapped_column(Text, default="")  # the county (or higher) it is in
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("official_units.id"), nullable=True, index=True
    )
    source: Mapped[str] = mapped_column(String(16), default="leak")  # leak | gb2260 | import
    parent: Mapped[OfficialUnit | None] = relationship(remote_side=[id])


class Official(Base):
    """One official: a name in one jurisdiction (never a name alone)."""

    __tablename__ = "officials"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    name: Mapped[str] = mapped_column(Text, index=True)  # as the leak (or the import) writes it
    key: Mapped[str] = mapped_column(Text, unique=True)  # name|jurisdiction (|item for none)
    jurisdiction: Mapped[str] = mapped_column(Text, default="")
    names: Mapped[list[Any]] = mapped_column(default=list)  # in every script known
    birth_date: Mapped[str | None] = mapped_column(String(10), nullable=True)
    rank: Mapped[int] = mapped_column(Integer, default=0)
    n_mentions: Mapped[int] = mapped_column(Integer, default=0)
    n_documents: Mapped[int] = mapped_column(Integer, default=0)
    source: Mapped[str] = mapped_column(String(16), default="leak")  # leak | import | both
    sources: Mapped[list[Any]] = mapped_column(default=list)  # of an import: where it is from
    status: Mapped[str] = mapped_column(String(16), default="auto")  # auto | confirmed
    created_at: Mapped[datetime] = mapped_column(DateTime)


class OfficialMention(Base):
    """One naming of an official in one original: its SHA-256 and place, the sentence."""

    __tablename__ = "official_mentions"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), index=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    page_no: Mapped[int | None] = mapped_column(Integer, nullable=True)
    method: Mapped[str] = mapped_column(String(16))  # text | ocr | sheet
    sheet_index: Mapped[int | None] = mapped_column(Integer, nullable=True)
    row: Mapped[int | None] = mapped_column(Integer, nullable=True)
    col: Mapped[int | None] = mapped_column(Integer, nullable=True)
    start: Mapped[int] = mapped_column(Integer)  # character span in the page or cell text
    end: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(Text, index=True)
    role: Mapped[str] = mapped_column(String(24))  # title | comrade | contact | reporter | …
    title: Mapped[str] = mapped_column(Text, default="")
    unit: Mapped[str] = mapped_column(Text, default="")  # as written beside the name
    context_unit: Mapped[str] = mapped_column(Text, default="")  # the document's issuer
    jurisdiction: Mapped[str] = mapped_column(Text, default="")
    sentence: Mapped[str] = mapped_column(Text, default="")
    doc_date: Mapped[str | None] = mapped_column(String(10), nullable=True)
    official_id: Mapped[int | None] = mapped_column(
        ForeignKey("officials.id"), nullable=True, index=True
    )

    def location(self) -> dict[str, Any]:
        if self.method == "sheet":
            return {"sheet": self.sheet_index, "row": self.row, "col": self.col}
        return {"page": self.page_no, "start": self.start, "end": self.end}


class OfficialPost(Base):
    """A post an official held, as evidenced: title, unit, first and last date seen."""

    __tablename__ = "official_posts"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    official_id: Mapped[int] = mapped_column(
        ForeignKey("officials.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(Text, default="")
    unit: Mapped[str] = mapped_column(Text, default="")
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("official_units.id"), nullable=True)
    date_from: Mapped[str | None] = mapped_column(String(10), nullable=True)
    date_to: Mapped[str | None] = mapped_column(String(10), nullable=True)
    evidence: Mapped[list[Any]] = mapped_column(default=list)  # mention ids (or import source)
    source: Mapped[str] = mapped_column(String(16), default="leak")


class OfficialDocument(Base):
    """What one document page says of itself: number, date, issuer (落款), recipients."""

    __tablename__ = "official_documents"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), index=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    page_no: Mapped[int] = mapped_column(Integer)
    method: Mapped[str] = mapped_column(String(16))
    number: Mapped[str] = mapped_column(Text, default="")
    date: Mapped[str | None] = mapped_column(String(10), nullable=True)
    issuer: Mapped[str] = mapped_column(Text, default="")
    recipients: Mapped[list[Any]] = mapped_column(default=list)
    copies: Mapped[list[Any]] = mapped_column(default=list)
    where: Mapped[dict[str, Any]] = mapped_column(default=dict)  # spans of number and issuer


class OfficialReview(Base):
    """A reviewer's decision on the registry — merge, split or confirm — kept by the officials'
    keys and the mentions' places (not row ids, which a rebuild renumbers), so that
    ``guwah officials build`` re-applies every decision in order (migration ``officials_2``)."""

    __tablename__ = "official_reviews"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    action: Mapped[str] = mapped_column(String(16))  # merge | split | confirm
    official_key: Mapped[str] = mapped_column(Text)  # merge: the one kept; split: the source
    keys: Mapped[list[Any]] = mapped_column(default=list)  # merge: the keys merged into it
    mentions: Mapped[list[Any]] = mapped_column(default=list)  # split: places of the mentions
    new_key: Mapped[str] = mapped_column(Text, default="")  # split: the new official's key
    reason: Mapped[str] = mapped_column(Text, default="")
    reviewer: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(DateTime)
