"""Database engine and migrations: SQLite (WAL) by default, PostgreSQL by URL."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text

if TYPE_CHECKING:  # Alembic is imported only when a database is checked or migrated
    from alembic.config import Config
    from alembic.script import ScriptDirectory

MIGRATIONS = Path(__file__).parent / "migrations"


def normalise_url(url: str) -> str:
    """Accept plain ``postgresql://`` URLs and use psycopg 3 for them."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def create_db_engine(url: str, read_only: bool = False) -> Engine:
    """An engine on ``url``; ``read_only`` makes the database itself refuse every write
    (SQLite with ``query_only``; PostgreSQL read-only transactions)."""
    url = normalise_url(url)
    if url.startswith("sqlite"):
        # A reader refuses writes with PRAGMA query_only, not mode=ro: a mode=ro connection
        # cannot recreate the WAL index (-shm) that a writer in another connection (the
        # audit of reads, a running ingest) resets, and then fails with "disk I/O error".
        engine = create_engine(url, connect_args={"timeout": 60})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            if read_only:
                cur.execute("PRAGMA query_only=ON")
            else:
                cur.execute("PRAGMA journal_mode=WAL")
                cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=60000")
            cur.close()

        return engine
    if read_only:
        options = "-c default_transaction_read_only=on"
        return create_engine(url, pool_pre_ping=True, connect_args={"options": options})
    return create_engine(url, pool_pre_ping=True)


def alembic_config(engine: Engine) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    # configparser interpolates "%": escape it (URL-encoded socket paths have them)
    url = engine.url.render_as_string(hide_password=False).replace("%", "%%")
    cfg.set_main_option("sqlalchemy.url", url)
    return cfg


@cache
def _scripts() -> ScriptDirectory:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return ScriptDirectory.from_config(cfg)


def schema_head() -> str:
    """The revision the code expects: the single head of the migration history."""
    return _scripts().get_current_head() or ""  # raises if the history has several heads


def current_revisions(conn: Connection) -> set[str]:
    """The revisions the database is stamped at (empty for a new database)."""
    from alembic.runtime.migration import MigrationContext

    return set(MigrationContext.configure(conn).get_current_heads())


def is_current(engine: Engine) -> bool:
    """Whether the database is at the head revision (one query, two for a 0003 stamp)."""
    with engine.connect() as conn:
        return _at_head(conn)


def _at_head(conn: Connection) -> bool:
    current = current_revisions(conn)
    if current == {"0003"} and not inspect(conn).has_table("people"):
        return False  # stamped on the old verify branch alone: see _join_old_branches
    return current == {schema_head()}


def upgrade_database(engine: Engine) -> None:
    """Bring the database to the head revision; does nothing when it is there already."""
    from alembic import command
    from alembic.util.exc import CommandError

    from guwah.case import CaseError  # here: guwah.case imports this module

    with engine.begin() as conn:
        if _at_head(conn):
            return
        _join_old_branches(conn)
        cfg = alembic_config(engine)
        cfg.attributes["connection"] = conn
        try:
            command.upgrade(cfg, "head")
        except CommandError as exc:  # stamped by a build whose revisions this one lacks
            raise CaseError(
                f"the case's database is at schema revision(s) "
                f"{', '.join(sorted(current_revisions(conn))) or 'none'}, which this version "
                f"of guwah cannot upgrade ({exc}): open it with the guwah that made it, or "
                "restore it from a backup"
            ) from exc


def _join_old_branches(conn: Connection) -> None:
    """Databases made when records (0002) and verify (0003) were two branches from 0001.

    They are one line now, 0001 → 0002 → 0003. A database stamped at both old heads is at
    0003; one stamped at 0003 alone lacks the records tables of 0002, which are added here.
    """
    from alembic.operations import Operations
    from alembic.runtime.migration import MigrationContext

    current = current_revisions(conn)
    if "0003" not in current:
        return  # at 0001 or 0002, or newer: already on the line
    if "0002" in current:
        conn.execute(text("DELETE FROM alembic_version WHERE version_num = '0002'"))
    elif not inspect(conn).has_table("people"):
        context = MigrationContext.configure(conn, opts={"render_as_batch": True})
        with Operations.context(context):
            revision = _scripts().get_revision("0002")
            assert revision is not None
            revision.module.upgrade()
