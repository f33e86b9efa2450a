"""Scratch tables of one verify run: what the cross-item checks join, kept in the database.

Temporary tables (``CREATE TEMPORARY TABLE``: SQLite's temp file, PostgreSQL's session
schema) on the run's one connection, filled by streaming the case once, indexed for the
queries the checks make, and dropped at the end of the run. The checks group and join
through these tables instead of holding dictionaries of every image, record or ID number,
so a run's memory does not grow with the leak.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Float,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Table,
    Text,
)
from sqlalchemy.engine import Connection

from guwah.store.scratch import TEMPORARY as _TMP
from guwah.store.scratch import Batch, binary, stream
from guwah.store.scratch import create as _create
from guwah.store.scratch import drop as _drop

__all__ = ["Batch", "binary", "create", "drop", "stream"]

meta = MetaData()

#: one row per image item, in item id order, with what the cross-image checks compare
images = Table(
    "tmp_verify_images",
    meta,
    Column("item_id", Integer, primary_key=True, autoincrement=False),
    Column("sha256", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("path", Text),  # the first occurrence's path
    Column("make", Text),
    Column("model", Text),
    Column("serial", Text),
    Column("has_camera", Boolean, nullable=False),
    Column("camname", Text),  # "make model", stripped
    Column("thumb", Text),  # the thumbnail's metadata as JSON, if the image has one
    Column("capture", Text),  # capture time (ISO), EXIF else the first name time
    Column("capture_src", Text),
    Column("n_ids", Integer, nullable=False),  # distinct ID numbers over its names
    prefixes=_TMP,
)
#: one row per occurrence of an image (item id, then path order)
occ = Table(
    "tmp_verify_occ",
    meta,
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("item_id", Integer, nullable=False),
    Column("path", Text, nullable=False),
    Column("name", Text, nullable=False),
    Column("ids", Text, nullable=False),  # JSON list of the ID numbers in the file name
    Index("ix_tmp_vocc_item", "item_id", "seq"),
    prefixes=_TMP,
)
#: one row per (ID number in a photo name, occurrence)
photo_ids = Table(
    "tmp_verify_photo_ids",
    meta,
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("number", Text, nullable=False),
    Column("item_id", Integer, nullable=False),
    Column("path", Text, nullable=False),
    Column("day", Text),  # the name's date (ISO), if it has a time
    Index("ix_tmp_vpid", "number", "seq"),
    prefixes=_TMP,
)
#: one row per (folder, image with a camera)
cams = Table(
    "tmp_verify_cams",
    meta,
    Column("folder", Text, primary_key=True),
    Column("item_id", Integer, primary_key=True, autoincrement=False),
    Column("make", Text, nullable=False),
    Column("model", Text, nullable=False),
    Column("serial", Text, nullable=False),
    prefixes=_TMP,
)
#: one row per record: the keys the records checks group on, the values as JSON
records = Table(
    "tmp_verify_records",
    meta,
    Column("rid", Integer, primary_key=True, autoincrement=False),
    Column("item_id", Integer, nullable=False),
    Column("sheet_id", Integer, nullable=False),
    Column("row", Integer, nullable=False),
    Column("person_id", Integer),
    Column("id_value", Text),  # the normalised ID number (None: none or unreadable)
    Column("has_id", Boolean, nullable=False),  # an ID cell at all
    Column("id_problem", Text),
    Column("id_float_raw", Text),  # an id_float cell's raw text, stripped
    Column("detention_day", Text),  # ISO dates the record states, when they read
    Column("release_day", Text),
    Column("detention_row", Boolean, nullable=False),
    Column("payload", Text, nullable=False),
    Index("ix_tmp_vrec_id", "id_value", "rid"),
    Index("ix_tmp_vrec_person", "person_id", "rid"),
    Index("ix_tmp_vrec_float", "id_float_raw", "rid"),
    prefixes=_TMP,
)
#: one row per photo joined to a person (PersonSource order)
photos = Table(
    "tmp_verify_photos",
    meta,
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("person_id", Integer, nullable=False),
    Column("item_id", Integer, nullable=False),
    Column("sha256", Text, nullable=False),
    Column("path", Text, nullable=False),
    Column("id_number", Text, nullable=False),
    Column("time", Text),
    Column("time_source", Text, nullable=False),
    Index("ix_tmp_vph_person", "person_id", "seq"),
    Index("ix_tmp_vph_id", "id_number", "seq"),
    prefixes=_TMP,
)
#: the damaged (float) ID numbers of the records, as floats, for orphan photos
damaged = Table(
    "tmp_verify_damaged",
    meta,
    Column("f", Float, nullable=False, index=True),
    prefixes=_TMP,
)
#: findings held back to be written in another order than they are made (pickled)
pending = Table(
    "tmp_verify_pending",
    meta,
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("key", Text, nullable=False),
    Column("finding", LargeBinary, nullable=False),
    Index("ix_tmp_vpending", "key", "seq"),
    prefixes=_TMP,
)
#: multi-index hashing on disk: one row per (image, part of its pHash)
mih_parts = Table(
    "tmp_mih",
    meta,
    Column("part", Integer, nullable=False),
    Column("key", LargeBinary, nullable=False),
    Column("node", Integer, nullable=False),
    Index("ix_tmp_mih", "part", "key", "node"),
    prefixes=_TMP,
)
mih_hashes = Table(
    "tmp_mih_hashes",
    meta,
    Column("node", Integer, primary_key=True, autoincrement=False),
    Column("phash", Text, nullable=False),
    Column("signature", LargeBinary, nullable=False),
    prefixes=_TMP,
)


def drop(conn: Connection, *tables: Table) -> None:
    """Drop ``tables`` (default: every table of this run) if they exist."""
    _drop(conn, tables or tuple(reversed(meta.sorted_tables)))


def create(conn: Connection, *tables: Table) -> None:
    """(Re-)create the tables: a pooled connection may keep those of a failed run."""
    _create(conn, list(tables))
