"""Search latency and Chinese-name recall on the synthetic leak, against plain FTS5.

Run: .venv/bin/python benchmarks/search.py [--scale medium] [--seed 1] [--queries 200]
     .venv/bin/python benchmarks/search.py --case CASE --truth TRUTH.json  (an ingested case)

Generates the leak (or reuses bench-out/leak-SCALE-SEED), ingests it into a fresh case and
builds its records (reused from an earlier run if present), builds the search index from
scratch (timed), then runs a mix of queries through ``guwah.search.search`` (limit 20, with
facet counts) and prints p50/p95 latency per kind of query. Side by side, a plain FTS5
``unicode61`` index over the same documents (the baseline) and ours are asked for every
Chinese name of people in the records (from the truth file): a name counts as found when
the person's own row is among all the matches of the index (ours: the FTS5 expression that
``guwah search`` builds from the query, without its result limit). Targets: p95 under 100 ms;
every two-character name found. ``--reuse-index`` skips the (timed) rebuild.
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from common import OUT, ROOT, ensure_leak, run_guwah

sys.path.insert(0, str(ROOT / "src"))

from guwah.case import Case  # noqa: E402
from guwah.search import build_index, search  # noqa: E402
from guwah.search.index import index_path  # noqa: E402
from guwah.search.query import parse_query  # noqa: E402

_MATCH = "SELECT rowid FROM fts WHERE fts MATCH ?"
_PLAIN = "SELECT rowid FROM plain WHERE plain MATCH ?"


def prepare(scale: str, seed: int) -> tuple[Path, Path]:
    leak, truth = ensure_leak(scale, seed)
    case = OUT / f"case-search-{scale}-{seed}"
    if not (case / "guwah.toml").exists():
        run_guwah("init", str(case))
        seconds = run_guwah("ingest", str(leak), "--case", str(case), "--no-ocr")
        print(f"ingest --no-ocr (with the index update): {seconds:.1f} s")
        # the index is built from scratch below, timed: no update after the records build
        records = run_guwah("records", "build", "--case", str(case), "--no-index")
        print(f"records build: {records:.1f} s")
    return case, truth


def row_keys(person: dict[str, Any]) -> set[tuple[str, int]]:
    return {(r["path"], int(r["row"])) for r in person.get("rows", [])}


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", default="medium")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--queries", type=int, default=200, help="Queries of each kind.")
    parser.add_argument(
        "--case", type=Path, help="Reuse this case (ingested, records built) instead."
    )
    parser.add_argument("--truth", type=Path, help="The truth file of the leak in --case.")
    parser.add_argument(
        "--reuse-index", action="store_true", help="Keep the case's index instead of rebuilding."
    )
    args = parser.parse_args()
    if args.case:
        if not args.truth:
            parser.error("--case needs --truth (the leak's truth file from guwah synth)")
        case_dir, truth_path = args.case, args.truth
    else:
        case_dir, truth_path = prepare(args.scale, args.seed)
    case = Case.open(case_dir)

    t0 = time.perf_counter()
    stats = build_index(case, full=not args.reuse_index)
    build_s = time.perf_counter() - t0
    size = index_path(case.derived_dir).stat().st_size
    print(
        f"index build ({'update' if args.reuse_index else 'full'}): {build_s:.1f} s, "
        f"{stats.items_indexed:,} items, {stats.docs_total:,} documents, {size / 2**20:.0f} MB"
    )

    # the baseline: plain FTS5 unicode61 over the same original text
    conn = sqlite3.connect(index_path(case.derived_dir))
    conn.execute("DROP TABLE IF EXISTS plain")
    t0 = time.perf_counter()
    conn.execute("CREATE VIRTUAL TABLE plain USING fts5(body, tokenize = 'unicode61')")
    conn.execute("INSERT INTO plain (rowid, body) SELECT id, text FROM docs")
    conn.commit()
    print(f"baseline unicode61 build: {time.perf_counter() - t0:.1f} s")
    doc_key = {
        int(i): (p, int(r))
        for i, p, r in conn.execute("SELECT id, path, row FROM docs WHERE kind = 'row'")
    }

    truth = json.loads(truth_path.read_text("utf-8"))
    rng = random.Random(args.seed)
    people = [p for p in truth["people"] if p.get("rows")]
    rng.shuffle(people)
    han2 = [p for p in people if len(p["name"]) == 2][: args.queries]
    uyghur = [p for p in people if "·" in p["name"]][: args.queries]

    def found_ours(name: str, keys: set[tuple[str, int]]) -> bool:
        match = parse_query(name).match
        ids = conn.execute(_MATCH, (match,))
        return any(doc_key.get(i) in keys for (i,) in ids)

    def found_plain(name: str, keys: set[tuple[str, int]]) -> bool:
        phrase = '"' + name.replace('"', '""') + '"'
        try:
            ids = conn.execute(_PLAIN, (phrase,))
        except sqlite3.OperationalError:
            return False
        return any(doc_key.get(i) in keys for (i,) in ids)

    print("\nChinese-name recall (the person's own row among the matches):")
    print(f"{'names':<34}{'queries':>8}{'guwah':>10}{'unicode61':>11}")
    for label, group in (("two-character Han names", han2), ("Uyghur names in Chinese", uyghur)):
        ours = sum(found_ours(p["name"], row_keys(p)) for p in group)
        plain = sum(found_plain(p["name"], row_keys(p)) for p in group)
        print(f"{label:<34}{len(group):>8}{ours:>10}{plain:>11}")
    given = [p["name"].split("·")[0] for p in uyghur]
    ours = sum(found_ours(g, row_keys(p)) for g, p in zip(given, uyghur, strict=True))
    plain = sum(found_plain(g, row_keys(p)) for g, p in zip(given, uyghur, strict=True))
    print(f"{'Uyghur given name alone':<34}{len(uyghur):>8}{ours:>10}{plain:>11}")

    han3 = [p for p in people if len(p["name"]) == 3 and "·" not in p["name"]][: args.queries]
    ours = sum(found_ours(p["name"][1:], row_keys(p)) for p in han3)
    plain = sum(found_plain(p["name"][1:], row_keys(p)) for p in han3)
    print(f"{'Han given name (2 of 3 chars)':<34}{len(han3):>8}{ours:>10}{plain:>11}")

    # names inside sentences: officials in the orders, minutes and speeches (text pages)
    pages = conn.execute("SELECT id, text FROM docs WHERE kind = 'page'").fetchall()
    officials = sorted({o["name"] for o in truth["officials"]})
    n_ours = n_plain = n_named = 0
    for name in officials:
        expected = {i for i, text in pages if name in text}
        if not expected:
            continue
        n_named += 1
        match = parse_query(name).match
        n_ours += expected <= {i for (i,) in conn.execute(_MATCH, (match,))}
        phrase = '"' + name + '"'
        got = {i for (i,) in conn.execute(_PLAIN, (phrase,))}
        n_plain += expected <= got
    print(f"{'officials named in documents':<34}{n_named:>8}{n_ours:>10}{n_plain:>11}")

    ids = [p["id_number"] for p in people[: args.queries]]
    latin_words = ["synthetic", "nikon", "canon", "sony", "guwah", "office", "excel", "word"]
    latin_names = [p["latin"][0] for p in uyghur if p.get("latin")][: args.queries // 2]
    facets = [
        "type:image county:疏附县",
        "type:image from:2018-03 to:2018-04",
        "kind:row county:特克斯县",
        "type:document",
        "findings:yes",
        "kind:page 培训中心",
        "type:spreadsheet 看守所",
        "county:疏附县 吐尔",
    ]
    mix: dict[str, list[str]] = {
        "Han names (2 chars)": [p["name"] for p in han2],
        "Uyghur names (Chinese)": [p["name"] for p in uyghur],
        "ID numbers": ids,
        "Latin words": latin_words * max(1, args.queries // (4 * len(latin_words))),
        "Latin names (ULY)": latin_names,
        "facets (+ words)": facets * max(1, args.queries // (4 * len(facets))),
    }
    for queries in mix.values():  # warm the page cache once, as a running server would be
        for q in queries[:3]:
            search(case, q)
    print("\nLatency of guwah.search.search (limit 20, facet counts, snippets):")
    print(f"{'queries':<26}{'n':>6}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}{'hits/q':>9}")
    everything: list[float] = []
    for label, queries in mix.items():
        times: list[float] = []
        totals: list[int] = []
        for q in queries:
            t0 = time.perf_counter()
            res = search(case, q, limit=20)
            times.append((time.perf_counter() - t0) * 1000)
            totals.append(res.total)
        everything += times
        print(
            f"{label:<26}{len(times):>6}{pct(times, 0.5):>9.1f}{pct(times, 0.95):>9.1f}"
            f"{max(times):>9.1f}{statistics.mean(totals):>9.0f}"
        )
    print(
        f"{'all':<26}{len(everything):>6}{pct(everything, 0.5):>9.1f}"
        f"{pct(everything, 0.95):>9.1f}{max(everything):>9.1f}"
    )
    conn.execute("DROP TABLE plain")
    conn.commit()
    conn.close()


if __name__ == "__main__":
    main()
