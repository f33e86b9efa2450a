"""Officials found in the synthetic leak, scored against its ground truth.

Run: .venv/bin/python benchmarks/officials.py [--scale medium] [--seed 1]
     [--leak DIR --truth FILE] [--case DIR]

Generates the leak (or reuses bench-out/leak-SCALE-SEED, or --leak/--truth), ingests it into
a fresh case with OCR (or reuses --case), runs ``guwah officials build`` (timed), and prints:

- mentions: precision and recall of (document, name) occurrences in documents, slides and
  scans against every mention the generator recorded (target ≥ 0.95 each);
- officials: precision and recall of (name, jurisdiction) pairs named in documents;
- registry officials: the same of the registry's officials (one per name and jurisdiction,
  the forms of one name with and without its dot joined), as `guwah officials` lists them;
- units right: of the mentions found and true, the share resolved to the true jurisdiction;
- posts right: of the found mentions that carry a post, the share whose unit + title is the
  true post (target ≥ 0.95 each).

Sheet mentions (制表人, 审核人 in the rosters) are counted but not scored: the generator
does not record those clerks in its truth.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sqlite3
import time
from collections import Counter
from pathlib import Path

from common import OUT, ensure_leak, run_guwah


def ratio(a: int, b: int) -> float:
    return a / b if b else 1.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", default="medium")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--leak", type=Path)
    parser.add_argument("--truth", type=Path)
    parser.add_argument("--case", type=Path)
    args = parser.parse_args()

    if args.leak and args.truth:
        leak, truth_path = args.leak, args.truth
    else:
        leak, truth_path = ensure_leak(args.scale, args.seed)
    case = args.case or OUT / f"case-officials-{args.scale}-{args.seed}"
    if not (case / "guwah.toml").exists():
        shutil.rmtree(case, ignore_errors=True)
        run_guwah("init", str(case))
        print(f"ingest (with OCR): {run_guwah('ingest', str(leak), '--case', str(case)):.1f} s")
    started = time.perf_counter()
    run_guwah("officials", "build", "--case", str(case))
    seconds = time.perf_counter() - started

    truth = json.loads(truth_path.read_text("utf-8"))
    db = sqlite3.connect(f"file:{case / 'guwah.db'}?mode=ro", uri=True)
    sha_of = dict(
        db.execute("select o.path, i.sha256 from occurrences o join items i on i.id = o.item_id")
    )

    true_count: Counter[tuple[str, str]] = Counter()
    true_place: dict[str, str] = {}
    true_post: dict[str, str] = {}
    true_officials: set[tuple[str, str]] = set()
    missing = 0
    for doc in truth["documents"]:
        sha = sha_of.get(doc["path"])
        if sha is None:
            missing += 1
            continue
        for m in doc.get("mentions", []):
            true_count[(sha, m["name"])] += 1
            true_place[m["name"]] = m["jurisdiction"]
            true_post[m["name"]] = m["post"]
            true_officials.add((m["name"], m["jurisdiction"]))

    found_count: Counter[tuple[str, str]] = Counter()
    found_officials: set[tuple[str, str]] = set()
    units_ok = units_n = posts_ok = posts_n = 0
    wrong: list[str] = []
    rows = db.execute(
        "select m.sha256, m.name, m.title, m.unit, o.jurisdiction, m.method from official_mentions m "
        "join officials o on o.id = m.official_id"
    ).fetchall()
    sheet_mentions = sum(1 for r in rows if r[5] == "sheet")
    # a document stored twice (a copy under 新建文件夹) is one item: truth counts it once per path
    true_by_sha: Counter[tuple[str, str]] = Counter()
    seen_paths: dict[str, set[str]] = {}
    for doc in truth["documents"]:
        sha = sha_of.get(doc["path"])
        if sha is None or sha in seen_paths:
            continue
        seen_paths[sha] = {doc["path"]}
        for m in doc.get("mentions", []):
            true_by_sha[(sha, m["name"])] += 1
    for sha, name, title, unit, place, method in rows:
        if method == "sheet":
            continue
        found_count[(sha, name)] += 1
        found_officials.add((name, place))
        if (sha, name) in true_by_sha:
            units_n += 1
            units_ok += place == true_place.get(name)
            if title:
                posts_n += 1
                ok = (unit + title) == true_post.get(name) or true_post.get(name, "").endswith(
                    unit + title
                )
                posts_ok += ok
                if not ok:
                    wrong.append(f"post {name}: {unit}{title} ≠ {true_post.get(name)}")
        elif len(wrong) < 40:
            wrong.append(f"extra {name} in {sha[:12]}")
    tp = sum(min(c, found_count[k]) for k, c in true_by_sha.items())
    found_n = sum(found_count.values())
    true_n = sum(true_by_sha.values())
    for k, c in true_by_sha.items():
        if found_count[k] < c and len(wrong) < 60:
            wrong.append(f"missed {k[1]} ×{c - found_count[k]} in {k[0][:12]}")
    o_tp = len(true_officials & found_officials)
    # the registry itself: each official of a document mention once, by its name and place
    registry = {
        (name, place)
        for name, place in db.execute(
            "select distinct o.name, o.jurisdiction from officials o join official_mentions m "
            "on m.official_id = o.id where m.method != 'sheet'"
        )
    }
    r_tp = len(true_officials & registry)
    print(f"scale {args.scale}, seed {args.seed}; {len(seen_paths)} documents, {missing} not found")
    print(f"officials build: {seconds:.1f} s")
    print(
        f"mentions: precision {ratio(tp, found_n):.3f}, recall {ratio(tp, true_n):.3f} "
        f"({tp} right of {found_n} found, {true_n} true)"
    )
    print(
        f"officials: precision {ratio(o_tp, len(found_officials)):.3f}, "
        f"recall {ratio(o_tp, len(true_officials)):.3f} "
        f"({o_tp} of {len(found_officials)} found, {len(true_officials)} true)"
    )
    print(
        f"registry officials: precision {ratio(r_tp, len(registry)):.3f}, "
        f"recall {ratio(r_tp, len(true_officials)):.3f} "
        f"({r_tp} of {len(registry)} in the registry, {len(true_officials)} true)"
    )
    print(f"units right: {ratio(units_ok, units_n):.3f} ({units_ok}/{units_n})")
    print(f"posts right: {ratio(posts_ok, posts_n):.3f} ({posts_ok}/{posts_n})")
    print(f"sheet mentions (not scored): {sheet_mentions}")
    for w in wrong[:30]:
        print("  ", w)


if __name__ == "__main__":
    main()
