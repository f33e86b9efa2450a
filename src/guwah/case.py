"""The case workspace: one investigation, one directory holding config, evidence and database.

Layout::

    CASE/
      guwah.toml      settings
      evidence/       originals, content-addressed by SHA-256, read-only
      derived/        rebuildable artefacts (OCR images, thumbnails, working copies)
      guwah.db        the SQLite database (unless a PostgreSQL URL is configured)
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from guwah.config import CONFIG_NAME, ConfigError, Settings
from guwah.store.blobs import BlobStore
from guwah.store.db import create_db_engine, is_current, upgrade_database

DB_NAME = "guwah.db"


class CaseError(Exception):
    """A case cannot be opened or created; the message says what to do."""


@dataclass
class Case:
    root: Path
    settings: Settings
    read_only: bool = False  # the database refuses writes (the web workbench)

    @classmethod
    def init(cls, root: Path, database_url: str = "", custodian: str = "") -> Case:
        root = root.resolve()
        if (root / CONFIG_NAME).exists():
            raise CaseError(f"{root} is already a guwah case; use it with --case {root}")
        if root.exists() and any(root.iterdir()):
            raise CaseError(f"{root} exists and is not empty; choose a new or empty directory")
        root.mkdir(parents=True, exist_ok=True)
        for sub in ("evidence", "derived", "tmp"):
            (root / sub).mkdir(exist_ok=True)
        settings = Settings(database_url=database_url, custodian=custodian)
        (root / CONFIG_NAME).write_text(settings.dump(), encoding="utf-8")
        case = cls(root=root, settings=Settings.load(root))
        case.migrate()
        return case

    @classmethod
    def open(cls, root: Path | None = None) -> Case:
        if root is None:
            root = Path(os.environ.get("GUWAH_CASE") or ".")
        root = root.resolve()
        if not (root / CONFIG_NAME).exists():
            raise CaseError(
                f"{root} is not a guwah case (no {CONFIG_NAME}). "
                f"Create one with `guwah init {root}` or pass --case DIR."
            )
        try:
            settings = Settings.load(root)
        except ConfigError as exc:
            raise CaseError(str(exc)) from exc
        case = cls(root=root, settings=settings)
        if not settings.database_url and not (root / DB_NAME).exists():
            raise CaseError(
                f"{root} has no database ({DB_NAME} is missing): restore it from a backup; "
                "guwah will not start an empty one over existing evidence"
            )
        case.migrate()
        return case

    @property
    def database_url(self) -> str:
        return self.settings.database_url or f"sqlite:///{self.root / DB_NAME}"

    @cached_property
    def engine(self) -> Engine:
        return create_db_engine(self.database_url, read_only=self.read_only)

    @cached_property
    def sessions(self) -> sessionmaker[Session]:
        return sessionmaker(self.engine, expire_on_commit=False)

    @cached_property
    def blobs(self) -> BlobStore:
        return BlobStore(self.root / "evidence", self.root / "tmp")

    @property
    def derived_dir(self) -> Path:
        return self.root / "derived"

    def migrate(self) -> None:
        """Bring the database to the code's schema: one query when it is there already,
        else the migrations, under the case lock (one writer per case)."""
        from sqlalchemy.exc import OperationalError

        try:
            if is_current(self.engine):
                return
        except OperationalError as exc:
            raise CaseError(f"cannot open the database of {self.root}: {exc.orig}") from exc
        from guwah.core import case_lock

        with case_lock(self):
            upgrade_database(self.engine)

    def reader(self) -> Case:
        """The same case, its database opened read-only (for serving; open() migrated it)."""
        return replace(self, read_only=True)
