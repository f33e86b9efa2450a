"""One real case of the small synthetic leak for the web tests, built once per test session
(ingest, records, verify, officials, search index), and the people the tests look for in it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from guwah.case import Case
from guwah.ingest.executor import ProcessExecutor
from guwah.ingest.pipeline import ingest
from guwah.officials.stage import build as build_officials
from guwah.records.stage import build_records
from guwah.search.stage import build_index
from guwah.store.models import FindingItem, Item
from guwah.synth import generate
from guwah.verify.stage import run_checks


@dataclass
class WebCase:
    case: Case
    truth: dict[str, Any]

    def recorded(self, ethnicity: str, name_len: int | None = None) -> dict[str, Any]:
        """A person of the truth in the records, without anomalies, with Latin forms."""
        return next(
            p
            for p in self.truth["people"]
            if p["ethnicity"] == ethnicity
            and p.get("in_records")
            and p["rows"]
            and not p.get("anomalies")
            and p["latin"]
            and (name_len is None or len(p["name"]) == name_len)
        )


_BUILT: dict[str, WebCase] = {}


def web_case(factory: pytest.TempPathFactory) -> WebCase:
    if "case" not in _BUILT:
        root = factory.mktemp("web")
        result = generate(root / "leak", seed=3, scale="small")
        case = Case.init(root / "case")
        executor = ProcessExecutor(workers=2)
        try:
            ingest(case, [root / "leak"], executor=executor)
            build_records(case)
            run_checks(case, executor=executor)
            build_officials(case)
        finally:
            executor.close()
        build_index(case)
        truth = json.loads(Path(result.truth).read_text(encoding="utf-8"))
        _BUILT["case"] = WebCase(case, truth)
    return _BUILT["case"]


def copy_case(case: Case, dest: Path) -> Case:
    """A copy of a case that is open in this process.

    The database goes through SQLite's backup API, never a file copy: reading and closing
    the live ``guwah.db-shm`` from Python drops SQLite's POSIX locks on it in this process,
    and the next guwah process to close the database then removes the WAL under the open
    connections ("disk I/O error").
    """
    import shutil
    import sqlite3

    shutil.copytree(case.root, dest, ignore=shutil.ignore_patterns("guwah.db*"))
    with sqlite3.connect(case.root / "guwah.db") as src, sqlite3.connect(dest / "guwah.db") as dst:
        src.backup(dst)
    return Case.open(dest)


def exif_finding(case: Case) -> FindingItem:
    """The first finding item anchored at an EXIF tag that its photo's metadata holds."""
    with case.sessions() as s:
        for fi in s.scalars(select(FindingItem).order_by(FindingItem.id)):
            tag = (fi.location or {}).get("exif_tag")
            meta = s.scalar(select(Item.meta).where(Item.sha256 == fi.sha256)) or {}
            if tag and tag in meta.get("exif", {}):
                s.expunge(fi)
                return fi
    raise AssertionError("no finding anchored at an EXIF tag in the case")
