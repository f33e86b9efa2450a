"""Scratch tables of one records build: what people resolution needs, kept in the database.

They are temporary tables (``CREATE TEMPORARY TABLE``: the SQLite temp file or PostgreSQL's
session schema), indexed for the joins resolution makes, and dropped at the end of the
build. Nothing of the whole leak is held in Python: the build streams into these tables
and out of them with indexed queries, so its memory does not grow with the leak.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Float,
    Index,
    Integer,
    MetaData,
    Table,
    Text,
)
from sqlalchemy.engine import Connection

from guwah.store.scratch import TEMPORARY as _TMP
from guwah.store.scratch import Batch, create, drop, stream

__all__ = ["Batch", "create_all", "drop_all", "stream"]

meta = MetaData()

#: one row per record: the keys resolution joins on and the rest as JSON (``payload``)
rk = Table(
    "tmp_rec_keys",
    meta,
    Column("rid", Integer, primary_key=True, autoincrement=False),
    Column("item_id", Integer, nullable=False),
    Column("sheet_id", Integer, nullable=False),
    Column("id_number", Text),
    Column("id_fkey", Float),  # the ID number read as a float (``by_float``), if it reads
    Column("dmg_fkey", Float),  # an id_float record's raw text read as a float
    Column("name", Text),  # the first normalised name
    Column("birth10", Text),  # the birth date when it is a full one (YYYY-MM-DD)
    Column("payload", Text, nullable=False),
    Index("ix_tmp_rk_id", "id_number", "name"),
    Index("ix_tmp_rk_nb", "name", "birth10"),
    prefixes=_TMP,
)
#: (name, full birth date) of each record that has an ID number: who shows them
nb = Table(
    "tmp_name_birth",
    meta,
    Column("norm", Text, nullable=False),
    Column("birth", Text, nullable=False),
    Column("id_number", Text, nullable=False),
    Index("ix_tmp_nb", "norm", "birth", "id_number"),
    prefixes=_TMP,
)
nbagg = Table(
    "tmp_name_birth_agg",
    meta,
    Column("norm", Text, primary_key=True),
    Column("birth", Text, primary_key=True),
    Column("n", Integer, nullable=False),  # distinct ID numbers
    Column("holder", Text, nullable=False),  # one of them (the only one when n = 1)
    prefixes=_TMP,
)
#: one row per ID number: its person id (records first, then photos no record names)
holder = Table(
    "tmp_holders",
    meta,
    Column("id_number", Text, primary_key=True),
    Column("pid", Integer, nullable=False, unique=True),
    Column("fkey", Float, index=True),
    prefixes=_TMP,
)
#: records whose damaged (floating-point) ID joined an ID-holder
dm = Table(
    "tmp_damaged",
    meta,
    Column("rid", Integer, primary_key=True, autoincrement=False),
    Column("id_number", Text, nullable=False, index=True),
    prefixes=_TMP,
)
#: people with no ID number: a group of one name + birth date, or a single record
newp = Table(
    "tmp_new_people",
    meta,
    Column("pid", Integer, primary_key=True, autoincrement=False),
    Column("name", Text),
    Column("birth", Text),
    Column("rid", Integer),  # a single's record; NULL for a group
    Column("n", Integer, nullable=False),
    Index("ix_tmp_newp_nb", "name", "birth"),
    prefixes=_TMP,
)
#: record → person, with the phase it joined in (0: by ID, 1: after) and how
asg = Table(
    "tmp_assign",
    meta,
    Column("rid", Integer, primary_key=True, autoincrement=False),
    Column("pid", Integer, nullable=False),
    Column("phase", Integer, nullable=False),
    Column("method", Text, nullable=False),
    Index("ix_tmp_asg_order", "pid", "phase", "rid"),
    prefixes=_TMP,
)
photo = Table(
    "tmp_photos",
    meta,
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("item_id", Integer, nullable=False),
    Column("path", Text, nullable=False),
    Column("id_number", Text, nullable=False, index=True),
    prefixes=_TMP,
)
#: one row per relative a record names, in the order people and records are written
rel = Table(
    "tmp_relatives",
    meta,
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("pid", Integer, nullable=False),
    Column("rid", Integer, nullable=False),
    Column("relation", Text, nullable=False),
    Column("who", Text, nullable=False),
    Column("female", Boolean, nullable=False),
    Column("male", Boolean, nullable=False),
    Column("house", Text),
    Column("sheet_id", Integer, nullable=False),
    Column("item_id", Integer, nullable=False),
    Column("place", Text),
    prefixes=_TMP,
)
#: household-roster members (records with a household number and a relation to the head)
hh = Table(
    "tmp_households",
    meta,
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("sheet_id", Integer, nullable=False),
    Column("household_no", Text, nullable=False),
    Column("rid", Integer, nullable=False),
    Column("pid", Integer, nullable=False),
    Column("is_head", Boolean, nullable=False),
    Column("relation", Text, nullable=False),
    Column("name", Text, nullable=False),
    Index("ix_tmp_hh", "sheet_id", "household_no", "seq"),
    prefixes=_TMP,
)
#: distinct (name, person) and where each person's records are, for linking relatives
pname = Table(
    "tmp_person_names",
    meta,
    Column("name", Text, primary_key=True),
    Column("pid", Integer, primary_key=True),
    prefixes=_TMP,
)
where_tables = {
    kind: Table(
        f"tmp_where_{kind}",
        meta,
        Column("pid", Integer, primary_key=True),
        Column("v", Integer if kind in ("sheet", "item") else Text, primary_key=True),
        prefixes=_TMP,
    )
    for kind in ("house", "sheet", "item", "place")
}


def drop_all(conn: Connection) -> None:
    drop(conn, reversed(meta.sorted_tables))


def create_all(conn: Connection) -> None:
    create(conn, list(meta.sorted_tables))  # a pooled connection may keep a failed build's
