"""Verify in bounded memory (issue 21): the same findings and totals as the in-memory
verify of main at a7dfb78, on SQLite and PostgreSQL, and with the near-duplicate index
forced into the database by a tiny memory bound.

The reference is not a table written here: the test takes the verify package at that
commit out of git (``git archive``), runs its ``run_checks`` in a subprocess on the same
case, and compares every finding each stores (check, kind, severity, title, explanation,
values, and every item: SHA-256, path, role, location) and every check's totals and
distributions.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from guwah.case import Case
from guwah.ingest.executor import SerialExecutor
from guwah.ingest.pipeline import ingest
from guwah.records.stage import build_records
from guwah.store.models import CheckRun, FindingItem, FindingRow
from guwah.synth import generate
from guwah.verify.stage import run_checks
from tests.conftest import pg_database
from tests.old_source import REPO, source_with_old_package

BEFORE = "a7dfb78"  # main before issue 21 item 2: verify held the whole leak in memory


def old_source(tmp: Path) -> Path:
    """Today's src/ with the verify package as it was at BEFORE."""
    out = source_with_old_package(tmp, BEFORE, "verify")
    assert not (out / "guwah" / "verify" / "scratch.py").exists()
    return out


def run_old(src: Path, case_dir: Path) -> None:
    code = (
        "import sys; from pathlib import Path; from guwah.case import Case; "
        "from guwah.ingest.executor import SerialExecutor; "
        "import guwah.verify.stage as m; assert m.__file__.startswith(sys.argv[2]), m.__file__; "
        "m.run_checks(Case.open(Path(sys.argv[1])), executor=SerialExecutor())"
    )
    env = {**os.environ, "PYTHONPATH": str(src)}
    done = subprocess.run(
        [sys.executable, "-c", code, str(case_dir), str(src)],
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr[-3000:]


#: check_runs params that measure the run, not what it found
RUN_PARAMS = ("search_seconds", "fingerprints", "index")


def dump(case: Case) -> tuple[list[str], dict[str, Any]]:
    """Every stored finding as JSON text in the order stored (items in stored order), and
    every check's totals, distributions and parameters (less timings)."""
    with case.sessions() as s:
        items: dict[int, list[dict[str, Any]]] = {}
        for fi in s.scalars(select(FindingItem).order_by(FindingItem.id)):
            items.setdefault(fi.finding_id, []).append(
                {"sha256": fi.sha256, "path": fi.path, "role": fi.role, "location": fi.location}
            )
        findings = [
            json.dumps(
                {
                    "check": f.check,
                    "kind": f.kind,
                    "severity": f.severity,
                    "title": f.title,
                    "explanation": f.explanation,
                    "values": f.values,
                    "items": items.get(f.id, []),
                },
                ensure_ascii=False,
                sort_keys=True,
            )
            for f in s.scalars(select(FindingRow).order_by(FindingRow.id))
        ]
        runs = {
            r.check: {
                "n": r.n_findings,
                "totals": r.totals,
                "distributions": r.distributions,
                "params": {k: v for k, v in (r.params or {}).items() if k not in RUN_PARAMS},
            }
            for r in s.scalars(select(CheckRun))
        }
    return findings, runs


def built_case(tmp_path: Path, database_url: str = "") -> Case:
    leak = generate(tmp_path / "leak", seed=5, scale=800, anomaly_rate=0.1).out
    case = Case.init(tmp_path / "case", database_url=database_url)
    ingest(case, [leak], executor=SerialExecutor())
    build_records(case)
    return case


def assert_same_as_before(tmp_path: Path, case: Case) -> dict[str, Any]:
    src = old_source(tmp_path)
    run_checks(case, executor=SerialExecutor())  # cold: computes the fingerprints
    new = dump(case)
    run_old(src, case.root)  # replaces every check's findings with the old code's
    old = dump(case)
    assert len(new[0]) == len(old[0]) and len(new[0]) > 40, len(new[0])

    assert new[0] == old[0]
    assert new[1] == old[1]
    kinds = {json.loads(f)["kind"] for f in new[0]}
    # the cross-item checks all found something to compare
    assert {"duplicate_photo", "id_conflict", "orphan_photo", "missing_photo"} <= kinds
    return new[1]


def _index_where(case: Case) -> str:
    with case.sessions() as s:
        run = s.scalars(select(CheckRun).where(CheckRun.check == "near_duplicates")).one()
    return str(run.params["index"]["where"])


@pytest.mark.slow
def test_same_findings_as_the_in_memory_verify(tmp_path: Path) -> None:
    case = built_case(tmp_path)
    assert_same_as_before(tmp_path, case)
    run_checks(case, ["near_duplicates"], executor=SerialExecutor())
    assert _index_where(case) == "memory"


@pytest.mark.slow
def test_index_over_the_budget_goes_to_the_database_with_the_same_findings(
    tmp_path: Path,
) -> None:
    """A memory bound of 1 MB leaves the near-duplicate index 250 kB: under 100 images'
    worth, so multi-index hashing runs in tmp_mih, and the findings do not change."""
    case = built_case(tmp_path)
    (case.root / "guwah.toml").write_text(
        case.settings.dump().replace(
            "memory_bound_bytes = 1073741824", "memory_bound_bytes = 1000000"
        ),
        encoding="utf-8",
    )
    case = Case.open(case.root)
    assert case.settings.limits.memory_bound_bytes == 1_000_000
    runs = assert_same_as_before(tmp_path, case)
    assert runs["near_duplicates"]["n"] > 0
    run_checks(case, ["near_duplicates"], executor=SerialExecutor())
    assert _index_where(case) == "database (tmp_mih)"


@pytest.mark.slow
@pytest.mark.requires("postgresql")
def test_same_findings_on_postgresql(tmp_path: Path, pg_url: str) -> None:
    case = built_case(tmp_path, pg_database(pg_url, "guwah_vmem"))
    (case.root / "guwah.toml").write_text(
        case.settings.dump().replace(
            "memory_bound_bytes = 1073741824", "memory_bound_bytes = 1000000"
        ),
        encoding="utf-8",
    )
    case = Case.open(case.root)
    assert_same_as_before(tmp_path, case)
    run_checks(case, ["near_duplicates"], executor=SerialExecutor())
    assert _index_where(case) == "database (tmp_mih)"


def test_index_in_the_database_finds_the_pairs_the_memory_index_finds() -> None:
    """``close_pairs_sql`` against ``close_pairs_naive`` (every pair compared) on hashes
    with planted near copies, in a real SQLite connection's temporary tables."""
    import random

    from sqlalchemy import create_engine

    from guwah.verify.mih import SparseUnionFind, UnionFind, close_pairs_naive, close_pairs_sql

    rng = random.Random(7)
    hashes = [rng.getrandbits(256) for _ in range(300)]
    for k in range(0, 300, 10):  # near copies: flip up to 20 bits of another hash
        h = hashes[k]
        for b in rng.sample(range(256), rng.randint(0, 20)):
            h ^= 1 << b
        hashes[k + 1] = h
    naive = sorted(close_pairs_naive(hashes, 16))
    assert len(naive) > 10
    engine = create_engine("sqlite://")
    with engine.connect() as conn:
        rows = ((i * 3 + 1, h, bytes([i % 256]) * 256) for i, h in enumerate(hashes))
        got = [
            ((i - 1) // 3, (j - 1) // 3, d, si, sj)
            for i, j, d, si, sj in close_pairs_sql(conn, rows, 16)
        ]
    assert [(i, j, d) for i, j, d, _, _ in got] == naive
    assert all(
        si == bytes([i % 256]) * 256 and sj == bytes([j % 256]) * 256 for i, j, _, si, sj in got
    )
    dense, sparse = UnionFind(len(hashes)), SparseUnionFind()
    for i, j, _d in naive:
        dense.union(i, j)
        sparse.union(i, j)
    assert sparse.groups() == dense.groups()


def test_quartiles_from_day_counts_are_those_of_statistics_quantiles() -> None:
    import random
    from statistics import quantiles

    from guwah.verify.checks.time import quartiles

    rng = random.Random(3)
    for n in (20, 21, 22, 23, 57, 400):
        values = [rng.randint(736000, 736400) for _ in range(n)]
        counts = sorted({v: values.count(v) for v in values}.items())
        assert quartiles(counts, n) == tuple(quantiles(values, n=4))


def test_checks_run_in_report_order_whichever_module_was_imported_first() -> None:
    code = (
        "import guwah.verify.checks.joins, guwah.verify.checks.documents; "
        "from guwah.verify.base import all_checks; print(*all_checks())"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "PYTHONPATH": str(REPO / "src")},
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.split() == [
        "ids",
        "time",
        "images",
        "near_duplicates",
        "documents",
        "record_ids",
        "cross_field",
        "record_times",
        "joins",
    ]
