"""Names benchmark: quality and speed of ``guwah.names`` beside nomenklatura's logic-v2.

Run: ``.venv/bin/python benchmarks/names.py`` (a few minutes). For the side-by-side figures
install the yardstick into the venv (it is not a runtime dependency of guwah):
``.venv/bin/pip install nomenklatura``. Without it, the logic-v2 columns are skipped.

1. F1 on ``benchmarks/data/cross_script_pairs.csv`` (built by ``make_cross_script_pairs.py``)
   and on ``../shared/data/name_bench/cases.csv``; logic-v2 on the same pairs at 0.7.
2. Pairs per second for both.
3. False positives: the 50,000 synthetic non-matching persons of
   ``../shared/data/yente/negatives_global.csv`` searched against the people of a medium
   synthetic leak through ``NameIndex``: how many match someone at the default threshold.
4. Query latency against 300,000 synthetic names (plus the 50,000 negatives, for variety):
   p50/p95 for a mix of Chinese and Latin queries.

``--part fp`` runs one part alone; ``--truth leak.truth.json`` reads the people of a leak
already generated (``guwah synth demo/leak --seed 1 --scale medium --truth
demo/leak.truth.json``) instead of generating it again. Example:
``PYTHONPATH=src .venv/bin/python benchmarks/names.py --part fp --truth demo/leak.truth.json``.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import json
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from guwah.names import DEFAULT_THRESHOLD, NameIndex, score

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
CROSS = ROOT / "benchmarks" / "data" / "cross_script_pairs.csv"
CASES = SHARED / "name_bench" / "cases.csv"
NEGATIVES = SHARED / "yente" / "negatives_global.csv"
NK_THRESHOLD = 0.7


def read_pairs(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def f1(preds: list[bool], gold: list[bool]) -> tuple[float, float, float]:
    tp = sum(p and g for p, g in zip(preds, gold, strict=True))
    fp = sum(p and not g for p, g in zip(preds, gold, strict=True))
    fn = sum(g and not p for p, g in zip(preds, gold, strict=True))
    prec = tp / (tp + fp) if tp + fp else 0.0
    rec = tp / (tp + fn) if tp + fn else 0.0
    return (2 * prec * rec / (prec + rec) if prec + rec else 0.0), prec, rec


def logic_v2() -> Callable[[str, str, str], float] | None:
    """nomenklatura's logic-v2 as a function of two names, or None if not installed."""
    try:
        from followthemoney import model
        from nomenklatura.matching import get_algorithm
    except ImportError:
        return None
    algo = get_algorithm("logic-v2")
    if algo is None:
        return None
    config = algo.default_config()
    ids = itertools.count()

    def entity(schema: str, name: str):  # type: ignore[no-untyped-def]
        e = model.make_entity(schema if schema in model.schemata else "Person")
        e.id = f"bench-{next(ids)}"  # unique: logic-v2 caches names by entity id
        e.add("name", name)
        return e

    def compare(a: str, b: str, schema: str = "Person") -> float:
        return float(algo.compare(entity(schema, a), entity(schema, b), config).score)

    compare("Warm Up", "Warm Up")  # loads its reference data once
    return compare


def clear_caches() -> None:
    """Forget every memoised reading, so that pairs/s is measured cold."""
    mods = ("match", "forms", "parse", "keys", "uyghur", "han")
    for mod in (sys.modules[f"guwah.names.{m}"] for m in mods):
        for obj in vars(mod).values():
            if hasattr(obj, "cache_clear") and getattr(obj, "__module__", "") == mod.__name__:
                obj.cache_clear()


def quality(nk: Callable[[str, str, str], float] | None) -> None:
    print(f"== quality (guwah threshold {DEFAULT_THRESHOLD}, logic-v2 threshold {NK_THRESHOLD})")
    print(
        f"{'set':<28}{'pairs':>6}  {'guwah F1 (P/R)':<22}{'logic-v2 F1 (P/R)':<22}"
        f"{'guwah pairs/s':>14}{'logic-v2 pairs/s':>18}"
    )
    for label, path, subset in (
        ("cross-script", CROSS, None),
        ("cases.csv (all)", CASES, None),
        ("cases.csv (Person)", CASES, "Person"),
    ):
        rows = [r for r in read_pairs(path) if subset is None or r.get("schema") == subset]
        gold = [r["is_match"].strip().lower() == "true" for r in rows]
        clear_caches()  # time cold: nothing remembered from an earlier set
        t = time.perf_counter()
        ours = [score(r["name1"], r["name2"]).match for r in rows]
        ours_rate = len(rows) / (time.perf_counter() - t)
        g = "{:.3f} ({:.2f}/{:.2f})".format(*f1(ours, gold))
        if nk is None:
            print(f"{label:<28}{len(rows):>6}  {g:<22}{'(not installed)':<22}{ours_rate:>14.0f}")
            continue
        t = time.perf_counter()
        theirs = [
            nk(r["name1"], r["name2"], r.get("schema") or "Person") >= NK_THRESHOLD for r in rows
        ]
        nk_rate = len(rows) / (time.perf_counter() - t)
        n = "{:.3f} ({:.2f}/{:.2f})".format(*f1(theirs, gold))
        print(f"{label:<28}{len(rows):>6}  {g:<22}{n:<22}{ours_rate:>14.0f}{nk_rate:>18.0f}")
    cats: dict[str, list[bool]] = {}
    for r in read_pairs(CROSS):
        ok = score(r["name1"], r["name2"]).match == (r["is_match"] == "true")
        cats.setdefault(r["category"], []).append(ok)
    print("cross-script accuracy by category (guwah):")
    for cat, oks in sorted(cats.items()):
        print(f"  {cat:<34}{sum(oks):>4}/{len(oks):<4}")


def synth_people(truth: Path | None = None) -> list[dict[str, object]]:
    if truth is not None:
        return list(json.loads(truth.read_text("utf-8"))["people"])
    from guwah.synth import generate

    with tempfile.TemporaryDirectory() as tmp:
        generate(Path(tmp) / "leak", seed=1, scale="medium")
        truth = json.loads((Path(tmp) / "leak.truth.json").read_text("utf-8"))
    return list(truth["people"])


def false_positives(people: list[dict[str, object]], shown: int = 5) -> None:
    print("== false positives: yente negatives against a medium synthetic leak's people")
    ix = NameIndex()
    for p in people:
        ix.add(p["key"], str(p["name"]))  # type: ignore[index]
    with NEGATIVES.open(encoding="utf-8") as fh:
        negatives = [r["full_name"] for r in csv.DictReader(fh)]
    t = time.perf_counter()
    hits, examples = 0, []
    for name in negatives:
        res = ix.search(name, limit=1, min_score=DEFAULT_THRESHOLD)
        if res:
            hits += 1
            if len(examples) < shown:
                examples.append(f"{name} -> {res[0][1].explanation}")
    dt = time.perf_counter() - t
    print(
        f"people indexed: {len(people)} ({ix.distinct_names} distinct names); "
        f"negatives: {len(negatives)}; matched someone: {hits} "
        f"({100 * hits / len(negatives):.3f}%); {len(negatives) / dt:.0f} queries/s"
    )
    for e in examples:
        print("  e.g.", e)


def latency() -> None:
    from guwah.synth import names as nm

    print("== query latency against 300,000 synthetic names (+ 50,000 yente negatives)")
    rng = random.Random(7)
    mix = (("uyghur", 60), ("kazakh", 8), ("kyrgyz", 4), ("han", 23), ("hui", 5))
    people = []
    for i in range(300_000):
        eth = rng.choices([e for e, _ in mix], [w for _, w in mix])[0]
        people.append((i, nm.random_name(rng, eth, rng.choice("MF"))))
    with NEGATIVES.open(encoding="utf-8") as fh:
        extra = [r["full_name"] for r in csv.DictReader(fh)]
    t = time.perf_counter()
    ix = NameIndex.build(
        itertools.chain(
            ((i, n.chinese) for i, n in people), ((f"neg{j}", n) for j, n in enumerate(extra))
        )
    )
    print(
        f"built in {time.perf_counter() - t:.1f} s: {len(ix)} records, "
        f"{ix.distinct_names} distinct names"
    )
    times: dict[str, list[float]] = {"chinese": [], "latin": []}
    found = {"chinese": 0, "latin": 0}
    scored = []
    for _, n in rng.sample(people, 400):
        kind = rng.choice(["chinese", "latin"])
        q = n.chinese if kind == "chinese" else rng.choice(n.latin)
        t = time.perf_counter()
        res = ix.search_names(q, limit=20)
        times[kind].append(time.perf_counter() - t)
        scored.append(ix.last.scored)
        top = res[0][1].score if res else -1.0
        found[kind] += any(name == n.chinese and m.score == top for name, m in res)
    for kind, ts in times.items():
        ts.sort()
        print(
            f"{kind:<8} queries: {len(ts)}; p50 {1000 * statistics.median(ts):.1f} ms; "
            f"p95 {1000 * ts[int(0.95 * len(ts))]:.1f} ms; max {1000 * ts[-1]:.1f} ms; "
            f"the person's name ranked first (ties included): {found[kind]}/{len(ts)}"
        )
    print(
        f"names scored per query: median {statistics.median(scored):.0f} "
        f"of {ix.distinct_names} distinct"
    )


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="example: PYTHONPATH=src .venv/bin/python benchmarks/names.py --part fp "
        "--truth demo/leak.truth.json",
    )
    ap.add_argument(
        "--part",
        choices=["all", "quality", "fp", "latency"],
        default="all",
        help="run one part: quality (F1), fp (yente false positives), latency",
    )
    ap.add_argument(
        "--truth",
        type=Path,
        help="truth file of a medium leak generated with seed 1 (else one is generated)",
    )
    ap.add_argument("--examples", type=int, default=5, help="false positives to print (default 5)")
    args = ap.parse_args()
    if args.part in ("all", "quality"):
        nk = logic_v2()
        if nk is None:
            print(
                "nomenklatura is not installed: logic-v2 columns skipped "
                "(install with: .venv/bin/pip install nomenklatura)",
                file=sys.stderr,
            )
        quality(nk)
    if args.part in ("all", "fp"):
        false_positives(synth_people(args.truth), args.examples)
    if args.part in ("all", "latency"):
        latency()


if __name__ == "__main__":
    main()
