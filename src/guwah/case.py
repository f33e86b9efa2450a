"""The case workspace: one investigation, one directory holding config, evidence and database.

Layout::

    CASE/
      guwah.toml      settings
      evidence/       originals, content-addressed by SHA-256, read-only (unless the
                      settings name a bucket: evidence = "s3://bucket/prefix")
      cache/evidence/ local copies of originals read from that bucket (size-bounded)
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

from guwah.config import CONFIG_NAME, ConfigError, Settings, evidence_error
from guwah.store.blobs import BlobStore, StoreError
from guwah.store.db import create_db_engine, is_current, upgrade_database
from guwah.store.evidence import open_store

DB_NAME = "guwah.db"


class CaseError(Exception):
    """A case cannot be opened or created; the message says what to do."""


@dataclass
class Case:
    root: Path
    settings: Settings
    read_only: bool = False  # the database refuses writes (the web workbench)

    @classmethod
    def init(
        cls,
        root: Path,
        database_url: str = "",
        custodian: str = "",
        evidence: str = "",
        evidence_endpoint_url: str = "",
        evidence_profile: str = "",
    ) -> Case:
        """Create a case; ``evidence``: an S3 URL for originals on object storage (the
        bucket must exist and answer), empty for the case's own ``evidence/``."""
        root = root.resolve()
        if (root / CONFIG_NAME).exists():
            raise CaseError(f"{root} is already a guwah case; use it with --case {root}")
        if root.exists() and any(root.iterdir()):
            raise CaseError(f"{root} exists and is not empty; choose a new or empty directory")
        if (why := evidence_error(evidence)) is not None:
            raise CaseError(f"--evidence: {why}")
        settings = Settings(
            database_url=database_url,
            custodian=custodian,
            evidence=evidence,
            evidence_endpoint_url=evidence_endpoint_url,
            evidence_profile=evidence_profile,
        )
        if evidence:
            try:
                open_store(root, settings).check_reachable()
            except StoreError as exc:
                raise CaseError(f"cannot use {evidence} as the evidence store: {exc}") from exc
        root.mkdir(parents=True, exist_ok=True)
        for sub in ("evidence", "derived", "tmp"):
            (root / sub).mkdir(exist_ok=True)
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
        """The evidence store: ``CASE/evidence`` or the bucket the settings name."""
        return open_store(self.root, self.settings)

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
