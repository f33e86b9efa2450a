"""The search index on SQLite FTS5 and on PostgreSQL, side by side, over the same case.

Run: .venv/bin/python benchmarks/search_backends.py --case CASE --truth TRUTH.json
     [--pg-url postgresql://…] [--queries 200]

CASE is an ingested SQLite case with its records (``guwah synth``, ``init``, ``ingest``,
``records``). Its documents are indexed twice from scratch (timed): in the SQLite file and
in a PostgreSQL database (``--pg-url``, else a throwaway server started with
``scripts/test-postgres.sh``). Then a mix of queries from the truth (Chinese names, their
first two characters, Latin readings, ID numbers, region prefixes with ``kind:row``) runs
through ``guwah.search.search`` on both (limit 20, facets), reporting p50/p95 per backend
and checking that both give the same total for every query. Last, ``pg_trgm``: a trigram GIN
index on the documents' text, its build time and size against the ``tsvector`` index, and
``text LIKE '%name%'`` against the ``tsquery`` for the same names (two-character names have
no trigram to look up).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from sqlalchemy import create_engine, text  # noqa: E402

from guwah.case import Case  # noqa: E402
from guwah.search.backend import PG_SCHEMA, PostgresIndex  # noqa: E402
from guwah.search.stage import build_index, search  # noqa: E402


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def queries(truth: dict[str, Any], n: int, seed: int = 1) -> list[str]:
    people = [p for p in truth["people"] if p.get("in_records")]
    random.Random(seed).shuffle(people)
    out: list[str] = []
    for p in people[: n // 5 + 1]:
        out += [p["name"], p["name"][:2]]
        if p.get("latin"):
            out.append(p["latin"][0])
        if p.get("id_number"):
            out += [p["id_number"], f"kind:row {p['id_number'][:6]}"]
    return out[:n]


def timed(case: Case, qs: list[str], opener: Any = None) -> tuple[list[float], list[int]]:
    times, totals = [], []
    for q in qs:
        t0 = time.perf_counter()
        r = search(case, q, limit=20, opener=opener)
        times.append((time.perf_counter() - t0) * 1000)
        totals.append(r.total)
    return times, totals


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--case", type=Path, required=True)
    ap.add_argument("--truth", type=Path, required=True)
    ap.add_argument("--pg-url", default="")
    ap.add_argument("--queries", type=int, default=200)
    args = ap.parse_args()
    case = Case.open(args.case)
    pgdir = None
    url = args.pg_url
    if not url:
        pgdir = Path(tempfile.mkdtemp(prefix="guwah-bench-pg-"))
        url = subprocess.run(
            ["bash", ROOT / "scripts" / "test-postgres.sh", "start", pgdir],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    opener = lambda c, create: PostgresIndex(engine, create=create)  # noqa: E731
    try:
        lite = build_index(case, full=True)
        pg = build_index(case, full=True, opener=opener)
        print(f"documents: {lite.docs_total:,} (SQLite) {pg.docs_total:,} (PostgreSQL)")
        print(f"full build: SQLite {lite.seconds:.1f} s, PostgreSQL {pg.seconds:.1f} s")
        truth = json.loads(args.truth.read_text(encoding="utf-8"))
        qs = queries(truth, args.queries)
        timed(case, qs[:20])
        timed(case, qs[:20], opener)  # warm both
        lt, ltot = timed(case, qs)
        pt, ptot = timed(case, qs, opener)
        same = sum(a == b for a, b in zip(ltot, ptot, strict=True))
        print(f"{len(qs)} queries, same total on both: {same}/{len(qs)}")
        for name, ts in (("SQLite FTS5", lt), ("PostgreSQL tsvector", pt)):
            print(f"  {name:20} p50 {statistics.median(ts):6.1f} ms  p95 {pct(ts, 0.95):6.1f} ms")
        with engine.begin() as conn:
            size = conn.execute(
                text("SELECT pg_relation_size(:i)"), {"i": f"{PG_SCHEMA}.ix_docs_tsv"}
            ).scalar_one()
            conn.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
            t0 = time.perf_counter()
            conn.execute(
                text(
                    f"CREATE INDEX IF NOT EXISTS bench_trgm ON {PG_SCHEMA}.docs "
                    "USING gin (text gin_trgm_ops)"
                )
            )
            trgm_s = time.perf_counter() - t0
            trgm_size = conn.execute(
                text("SELECT pg_relation_size(:i)"), {"i": f"{PG_SCHEMA}.bench_trgm"}
            ).scalar_one()
        print(
            f"GIN indexes: tsvector {size / 2**20:.1f} MiB; pg_trgm on text "
            f"{trgm_size / 2**20:.1f} MiB, built in {trgm_s:.1f} s"
        )
        names = [q for q in qs if not any(c.isascii() for c in q)]
        for label, picked in (
            ("names of 3+ characters", [n for n in names if len(n) >= 3][:40]),
            ("two-character prefixes", [n for n in names if len(n) == 2][:40]),
        ):
            like: list[float] = []
            tsq: list[float] = []
            with engine.connect() as conn:
                for n in picked:
                    t0 = time.perf_counter()
                    conn.execute(
                        text(f"SELECT count(*) FROM {PG_SCHEMA}.docs WHERE text LIKE :p"),
                        {"p": f"%{n}%"},
                    ).scalar_one()
                    like.append((time.perf_counter() - t0) * 1000)
            for n in picked:
                t0 = time.perf_counter()
                search(case, n, limit=20, opener=opener, facets=False)
                tsq.append((time.perf_counter() - t0) * 1000)
            if picked:
                print(
                    f"  {label} ({len(picked)}): pg_trgm LIKE p50 {statistics.median(like):.1f} "
                    f"ms p95 {pct(like, 0.95):.1f} ms; tsvector search p50 "
                    f"{statistics.median(tsq):.1f} ms p95 {pct(tsq, 0.95):.1f} ms"
                )
        with engine.begin() as conn:
            conn.execute(text(f"DROP INDEX IF EXISTS {PG_SCHEMA}.bench_trgm"))
    finally:
        engine.dispose()
        if pgdir is not None:
            subprocess.run(["bash", ROOT / "scripts" / "test-postgres.sh", "stop", pgdir])


if __name__ == "__main__":
    main()
