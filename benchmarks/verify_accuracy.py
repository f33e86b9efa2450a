"""Verify accuracy against the synthetic leak's truth, verify speed, and near-duplicate search
(multi-index hashing) beside the naive all-pairs comparison.

Run: .venv/bin/python benchmarks/verify_accuracy.py [--seeds 1 2 3] [--scale medium]
         [--sample 5000]

For each seed it generates (or reuses) ``bench-out/verify/leak-SCALE-SEED``, ingests it into
``bench-out/verify/case-SCALE-SEED`` (``guwah init``, ``guwah ingest --no-ocr``), runs
``guwah verify`` twice (cold: fingerprints computed; warm: cached) and scores the findings
per anomaly kind:

- recall: a planted anomaly is found if one finding of the matching kind names all of its
  photos and documents (by SHA-256) and all of its spreadsheet rows (SHA-256, sheet, row);
  ``id_bad_checksum`` counts record rows and photo names together;
- precision: a finding is false if it names a photo or document no planted anomaly of that
  kind (or one that ``also`` shows it) involves, or names rows none of which is planted.

``guwah records`` runs before ``guwah verify`` (the records checks need it). Leaks made before
the generator's person-key fix gave two orphan-photo people the same photo; such
``duplicate_photo`` findings are counted apart ("unplanted, real").
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench-out" / "verify"
GUWAH = [sys.executable, "-m", "guwah"]
KINDS = (
    "id_bad_checksum",
    "exif_time_mismatch",
    "edited_photo",
    "camera_anachronism",
    "duplicate_photo",
    "document_backdated",
    "id_birthdate_mismatch",
    "id_sex_mismatch",
    "id_region_mismatch",
    "id_conflict",
    "orphan_photo",
    "missing_photo",
)
PHOTO_EXT = (".jpg", ".jpeg", ".png")
SHEET_EXT = (".xlsx", ".xls", ".csv")
Loc = tuple[str, str | None, int]  # (sha256, sheet or None for CSV, row)


def run(*args: str | Path) -> float:
    started = time.perf_counter()
    subprocess.run([*GUWAH, *map(str, args)], check=True, capture_output=True, text=True)
    return time.perf_counter() - started


def prepare(seed: int, scale: str) -> tuple[Path, Path, dict[str, float]]:
    from guwah.synth import generate

    leak = OUT / f"leak-{scale}-{seed}"
    truth = OUT / f"leak-{scale}-{seed}.truth.json"
    case = OUT / f"case-{scale}-{seed}"
    times: dict[str, float] = {}
    if not truth.exists():
        t0 = time.perf_counter()
        generate(leak, seed=seed, scale=scale, truth=truth)
        times["generate_s"] = time.perf_counter() - t0
    if not (case / "guwah.db").exists():
        run("init", case)
        times["ingest_s"] = run("ingest", leak, "--case", case, "--no-ocr")
    # the records checks need the records stage: verify runs after it, as in `make demo`
    times["records_s"] = run("records", "--case", case, "--no-index")  # the stage alone
    return case, truth, times


def occurrence_shas(case: Path) -> dict[str, str]:
    db = sqlite3.connect(case / "guwah.db")
    rows = db.execute(
        "select o.path, i.sha256 from occurrences o join items i on i.id = o.item_id"
    ).fetchall()
    db.close()
    return dict(rows)


def _truth_parts(a: dict[str, Any], shas: dict[str, str]) -> tuple[set[str], set[Loc]]:
    """A planted anomaly as the items a finding must name: non-spreadsheet items by SHA-256,
    spreadsheet rows by (SHA-256, sheet, row)."""
    items = {shas[p] for p in a["items"] if not p.lower().endswith(SHEET_EXT)}
    locs = {(shas[x["path"]], x.get("sheet"), int(x["row"])) for x in a.get("locations") or []}
    return items, locs


def _finding_parts(f: dict[str, Any]) -> tuple[set[str], set[Loc]]:
    items: set[str] = set()
    locs: set[Loc] = set()
    for i in f["items"]:
        loc = i.get("location") or {}
        if "row" in loc and "sheet" in loc:
            locs.add((i["sha256"], loc["sheet"], int(loc["row"])))
            locs.add((i["sha256"], None, int(loc["row"])))  # CSV rows: the truth has no sheet
        else:
            items.add(i["sha256"])
    return items, locs


def score(report: dict[str, Any], truth: dict[str, Any], shas: dict[str, str]) -> dict[str, Any]:
    """Per kind: a planted anomaly is found if one finding of its kind names all its photos and
    documents and all its spreadsheet rows; a finding is true if every photo or document it
    names belongs to a planted anomaly of its kind (or one that also shows it: ``also``) and,
    when it names rows, one of them does. Rows a true finding names beyond the planted ones
    are counted as ``extra_rows``."""
    planted: dict[str, list[tuple[set[str], set[Loc]]]] = defaultdict(list)
    allowed_items: dict[str, set[str]] = defaultdict(set)
    allowed_locs: dict[str, set[Loc]] = defaultdict(set)
    for a in truth["anomalies"]:
        items, locs = _truth_parts(a, shas)
        for kind in [a["kind"], *a.get("also", [])]:
            allowed_items[kind] |= items
            allowed_locs[kind] |= locs
        if a["kind"] in KINDS:
            planted[a["kind"]].append((items, locs))
    # photos of people who share a person key (fixed in the generator; kept for old leaks)
    keys = Counter(p["key"] for p in truth["people"])
    twins = {
        shas[ph["path"]]
        for p in truth["people"]
        if keys[p["key"]] > 1
        for ph in p["photos"]
        if ph["path"] in shas
    }
    found: dict[str, list[tuple[set[str], set[Loc]]]] = defaultdict(list)
    for f in report["findings"]:
        if f["kind"] in KINDS:
            found[f["kind"]].append(_finding_parts(f))
    out: dict[str, Any] = {}
    for kind in KINDS:
        want, got = planted.get(kind, []), found.get(kind, [])
        ok_items, ok_locs = allowed_items[kind], allowed_locs[kind]
        hit = sum(1 for wi, wl in want if any(wi <= gi and wl <= gl for gi, gl in got))
        true = twin = extra = 0
        for gi, gl in got:
            if gi <= ok_items and (not gl or gl & ok_locs):
                true += 1
                extra += len(
                    {
                        (sha, row)
                        for sha, sheet, row in gl
                        if sheet is not None
                        and (sha, sheet, row) not in ok_locs
                        and (sha, None, row) not in ok_locs
                    }
                )
            elif not gl and gi <= twins:
                twin += 1
        false = len(got) - true - twin
        out[kind] = {
            "planted": len(want),
            "found": hit,
            "findings": len(got),
            "true": true,
            "unplanted_real": twin,
            "false": false,
            "extra_rows": extra,
            "recall": hit / len(want) if want else None,
            "precision": true / (true + false) if true + false else None,
            "precision_strict": true / len(got) if got else None,
        }
    return out


def verify_seed(seed: int, scale: str) -> dict[str, Any]:
    case, truth_path, times = prepare(seed, scale)
    db = sqlite3.connect(case / "guwah.db")
    try:
        db.execute("delete from image_hashes")
        db.commit()
    except sqlite3.OperationalError:
        pass  # a case made before the verify stage: the tables come with the first run
    db.close()
    report = OUT / f"report-{scale}-{seed}.json"
    times["verify_cold_s"] = run("verify", "--case", case, "--report", report, "--no-index")
    times["verify_warm_s"] = run("verify", "--case", case, "--no-index")
    data = json.loads(report.read_text("utf-8"))
    truth = json.loads(truth_path.read_text("utf-8"))
    check_s = {c["name"]: c["seconds"] for c in data["checks"]}
    return {
        "seed": seed,
        "times": times,
        "check_seconds": check_s,
        "scores": score(data, truth, occurrence_shas(case)),
    }


def fmt(x: float | None) -> str:
    return "–" if x is None else f"{x:.3f}"


def print_scores(results: list[dict[str, Any]]) -> None:
    print("\nAccuracy per anomaly kind (recall: planted found; precision: true of judged)")
    head = f"{'kind':<21} {'seed':>4} {'planted':>7} {'found':>5} {'recall':>6} "
    head += f"{'findings':>8} {'false':>5} {'unplanted':>9} {'precision':>9} {'strict':>6}"
    head += f" {'extra rows':>10}"
    print(head)
    for kind in KINDS:
        for r in results:
            s = r["scores"][kind]
            print(
                f"{kind:<21} {r['seed']:>4} {s['planted']:>7} {s['found']:>5} "
                f"{fmt(s['recall']):>6} {s['findings']:>8} {s['false']:>5} "
                f"{s['unplanted_real']:>9} {fmt(s['precision']):>9} "
                f"{fmt(s['precision_strict']):>6} {s['extra_rows']:>10}"
            )
    print("\nTimes (s)")
    for r in results:
        t = r["times"]
        extra = ", ".join(f"{k} {v:.1f}" for k, v in t.items())
        checks = ", ".join(f"{k} {v:.2f}" for k, v in r["check_seconds"].items() if v)
        print(f"seed {r['seed']}: {extra}; per check (warm): {checks}")


def load_hashes(cases: list[Path]) -> list[int]:
    out: list[int] = []
    for case in cases:
        db = sqlite3.connect(case / "guwah.db")
        out += [int(h, 16) for (h,) in db.execute("select phash from image_hashes") if h]
        db.close()
    return out


def near_duplicate_timing(hashes: list[int], sample: int, radius: int) -> dict[str, Any]:
    from guwah.verify.mih import close_pairs, close_pairs_naive

    rng = random.Random(0)
    pool = rng.sample(hashes, min(sample, len(hashes)))
    t0 = time.perf_counter()
    fast = sorted(close_pairs(pool, radius))
    t_mih = time.perf_counter() - t0
    t0 = time.perf_counter()
    slow = sorted(close_pairs_naive(pool, radius))
    t_naive = time.perf_counter() - t0
    assert fast == slow, "multi-index hashing and all-pairs disagree"
    t0 = time.perf_counter()
    n_all = sum(1 for _ in close_pairs(hashes, radius))
    t_all = time.perf_counter() - t0
    return {
        "sample": len(pool),
        "pairs": len(fast),
        "mih_s": t_mih,
        "naive_s": t_naive,
        "all": len(hashes),
        "all_pairs": n_all,
        "all_mih_s": t_all,
        "all_naive_estimate_s": t_naive * (len(hashes) / max(len(pool), 1)) ** 2,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    ap.add_argument("--scale", default="medium")
    ap.add_argument("--sample", type=int, default=5000)
    args = ap.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    from guwah.verify.checks.near_duplicates import RADIUS

    results = []
    for seed in args.seeds:
        print(f"seed {seed}: preparing and verifying the {args.scale} leak…", flush=True)
        results.append(verify_seed(seed, args.scale))
    print_scores(results)
    cases = [OUT / f"case-{args.scale}-{s}" for s in args.seeds]
    timing = near_duplicate_timing(load_hashes(cases), args.sample, RADIUS)
    print(
        f"\nNear-duplicate search, radius {RADIUS} of 256 bits, {timing['sample']:,} hashes: "
        f"multi-index hashing {timing['mih_s']:.2f} s, naive all-pairs {timing['naive_s']:.2f} s "
        f"({timing['naive_s'] / max(timing['mih_s'], 1e-9):.0f}× faster), "
        f"{timing['pairs']} pairs, identical results."
    )
    print(
        f"All {timing['all']:,} hashes: multi-index hashing {timing['all_mih_s']:.2f} s "
        f"({timing['all_pairs']} pairs); naive all-pairs would take about "
        f"{timing['all_naive_estimate_s']:.0f} s."
    )
    (OUT / f"verify_accuracy-{args.scale}.json").write_text(
        json.dumps({"results": results, "near_duplicates": timing}, indent=1), encoding="utf-8"
    )


if __name__ == "__main__":
    main()
