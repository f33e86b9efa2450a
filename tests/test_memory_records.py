"""Records in bounded memory (issue 21): the same tables, byte for byte, as the in-memory
algorithm of main at 3d5b59c, and a sheet over the memory bound skipped with its reason.

The reference is not a table written here: the test takes main's code at that commit out of
git (``git archive``), runs its ``guwah records`` in a subprocess on a copy of the same case,
and compares every row the stage writes.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select, text

from guwah.case import Case
from guwah.ingest.executor import SerialExecutor
from guwah.ingest.pipeline import ingest
from guwah.records.stage import build_records
from guwah.store.models import SheetLayout
from guwah.synth import generate
from tests.old_source import source_with_old_package
from tests.records_files import write_records_leak

BEFORE = "3d5b59c"  # main before issue 21: records resolved in dictionaries
TABLES = (
    "records",
    "record_values",
    "people",
    "person_sources",
    "person_names",
    "person_relations",
    "sheet_layouts",
    "column_maps",
)


def _old_source(tmp: Path) -> Path:
    """Today's src/ with the records package as it was at BEFORE."""
    out = source_with_old_package(tmp, BEFORE, "records")
    return out


def dump(case: Case) -> dict[str, list[str]]:
    """Every row the records stage writes, table by table, in id order, as JSON text."""
    out: dict[str, list[str]] = {}
    with case.sessions() as s:
        for table in TABLES:
            rows = s.execute(text(f"SELECT * FROM {table} ORDER BY id")).mappings().all()
            out[table] = [
                json.dumps({k: v for k, v in r.items()}, ensure_ascii=False, default=str)
                for r in rows
            ]
    return out


def _build_old(src: Path, case_dir: Path) -> None:
    code = (
        "import sys; from pathlib import Path; from guwah.case import Case; "
        "from guwah.records.stage import build_records; "
        "build_records(Case.open(Path(sys.argv[1])))"
    )
    env = {**os.environ, "PYTHONPATH": str(src)}
    done = subprocess.run(
        [sys.executable, "-c", code, str(case_dir)], env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-3000:]
    probe = subprocess.run(
        [sys.executable, "-c", "import guwah.records.stage as m; print(m.__file__)"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert probe.stdout.startswith(str(src)), probe.stdout  # the old code ran, not ours


@pytest.mark.slow
def test_same_tables_as_the_in_memory_algorithm(tmp_path: Path) -> None:
    src = _old_source(tmp_path)
    leak = generate(tmp_path / "leak", seed=11, scale=120).out
    hand = write_records_leak(tmp_path / "hand")  # relatives, households, damaged IDs
    case = Case.init(tmp_path / "new")
    ingest(case, [leak, hand], executor=SerialExecutor())
    shutil.copytree(case.root, tmp_path / "old")
    stats = build_records(case)
    _build_old(src, tmp_path / "old")
    new, old = dump(case), dump(Case.open(tmp_path / "old"))
    assert stats.people > 300 and stats.relations > 50 and stats.photos_linked > 10
    assert {t: len(r) for t, r in new.items()} == {t: len(r) for t, r in old.items()}
    for table in TABLES:
        for a, b in zip(new[table], old[table], strict=True):
            assert a == b, table


def test_sheet_over_the_memory_bound_is_skipped_and_recorded(tmp_path: Path) -> None:
    """A sheet with 16,384 columns (XLSX's widest) under a lowered bound: skipped with a
    reason naming the setting; the other sheet of the leak is still read."""
    leak = tmp_path / "leak"
    leak.mkdir()
    wb = openpyxl.Workbook(write_only=True)
    wide = wb.create_sheet("wide")
    wide.append(["姓名", "公民身份号码", *[f"列{i}" for i in range(16_382)]])
    wide.append(["阿依古丽", "653121199001011230", *["x"] * 16_382])
    ok = wb.create_sheet("ok")
    ok.append(["姓名", "公民身份号码", "性别"])
    ok.append(["吐尔逊", "653121198805031355", "男"])
    wb.save(leak / "wide.xlsx")
    case = Case.init(tmp_path / "case")
    (case.root / "guwah.toml").write_text(
        case.settings.dump().replace(
            "memory_bound_bytes = 1073741824", "memory_bound_bytes = 20000000"
        ),
        encoding="utf-8",
    )
    case = Case.open(case.root)
    assert case.settings.limits.memory_bound_bytes == 20_000_000
    ingest(case, [leak], executor=SerialExecutor())
    stats = build_records(case)
    assert stats.problems["sheet_over_memory_bound"] == 1
    assert stats.records == 1 and stats.people == 1
    with case.sessions() as s:
        reasons = [r for r in s.scalars(select(SheetLayout.reason)) if r]
    assert len(reasons) == 1
    assert "sheet_over_memory_bound: 32,768 cells" in reasons[0]
    assert "memory_bound_bytes" in reasons[0]
