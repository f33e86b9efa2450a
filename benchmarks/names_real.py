"""Names on pairs nobody here generated: ``data/real_pairs.csv`` (real public bilingual
sources, built by ``make_real_pairs.py``), both halves reported apart; the hand-written
homophone negatives (``data/homophone_negatives.csv``); and no regression on
``../shared/data/name_bench/cases.csv``.

The second independent set (``data/real_pairs_2.csv``, ``make_real_pairs.py --set 2``) is a
development set: its figures by category are printed and ``--errors set2`` lists its mistakes;
likewise the third (``data/real_pairs_3.csv``, ``--set 3``, ``--errors set3``).

The fourth set (``data/real_pairs_4.csv``, ``make_real_pairs.py --set 4``, split ``heldout4``)
is a second held-out part, gathered after the tables were last tuned: it is scored only when
the held-out parts are (not with ``--no-heldout``), only its aggregate figures are printed
(F1, precision, recall and, by category, how many pairs it has and how many are judged
right), and there is no ``--errors heldout4``: its mistakes are never listed.

Run: ``PYTHONPATH=src .venv/bin/python benchmarks/names_real.py [--errors dev]`` (seconds).
``--errors dev`` / ``dev2`` / ``set2`` / ``set3`` list a development part's mistakes;
the held-out parts' (``heldout``, ``heldout4``) are never listed, so that nobody tunes the
tables on them (``make_real_pairs.split_of`` says how the parts were cut). ``--no-heldout``
leaves both held-out parts out altogether, for runs made while tuning.
"""

from __future__ import annotations

import argparse
import csv
from collections import defaultdict
from pathlib import Path

from guwah.names import DEFAULT_THRESHOLD, score

HERE = Path(__file__).resolve().parent
REAL = HERE / "data" / "real_pairs.csv"
REAL2 = HERE / "data" / "real_pairs_2.csv"
REAL3 = HERE / "data" / "real_pairs_3.csv"
REAL4 = HERE / "data" / "real_pairs_4.csv"
HOMOPHONES = HERE / "data" / "homophone_negatives.csv"
CASES = HERE.parent.parent / "shared" / "data" / "name_bench" / "cases.csv"


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def prf(pairs: list[tuple[bool, bool]]) -> tuple[float, float, float]:
    tp = sum(p and g for p, g in pairs)
    fp = sum(p and not g for p, g in pairs)
    fn = sum(g and not p for p, g in pairs)
    prec = tp / (tp + fp) if tp + fp else 1.0
    rec = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    return f1, prec, rec


def judged(data: list[dict[str, str]]) -> list[tuple[bool, bool, dict[str, str]]]:
    return [
        (score(r["name1"], r["name2"]).match, r["is_match"].strip().lower() == "true", r)
        for r in data
    ]


def latency(data: list[dict[str, str]]) -> None:
    """Time of one ``score`` call, each pair from the names as written: the names engine's
    memo caches are emptied first, and each pair is scored once."""
    import statistics
    import time

    from lists import clear_name_caches

    clear_name_caches()
    score("Warm Up", "热身")  # loads the tables once (not a per-pair cost)
    clear_name_caches()
    times = []
    for r in data:
        start = time.perf_counter()
        score(r["name1"], r["name2"])
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    p95 = times[int(0.95 * (len(times) - 1))]
    print(
        f"latency of one name match ({len(times)} pairs, cold caches): median "
        f"{statistics.median(times):.2f} ms, p95 {p95:.2f} ms, max {times[-1]:.1f} ms"
    )


def heldout4(judged_set: list[tuple[bool, bool, dict[str, str]]]) -> None:
    """Aggregate figures of the fourth, held-out set; its pairs are never printed."""
    f1, prec, rec = prf([(p, g) for p, g, _ in judged_set])
    n_pos = sum(g for _, g, _ in judged_set)
    print(
        f"fourth set, held-out (heldout4) {len(judged_set):>4} pairs ({n_pos} match): "
        f"F1 {f1:.3f}  precision {prec:.3f}  recall {rec:.3f}"
    )
    cats: dict[str, list[bool]] = defaultdict(list)
    for p, g, r in judged_set:
        cats[r["category"]].append(p == g)
    print("fourth set (held-out), pairs judged right by category:")
    for cat, oks in sorted(cats.items()):
        print(f"  {cat:<34}{sum(oks):>4}/{len(oks):<4}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--errors",
        choices=["dev", "dev2", "set2", "set3"],
        help="list the mistakes of a development part",
    )
    ap.add_argument(
        "--no-heldout",
        action="store_true",
        help="leave the held-out parts (first set's heldout, fourth set) out (while tuning)",
    )
    args = ap.parse_args()
    print(f"threshold {DEFAULT_THRESHOLD}")
    real = judged([r for r in rows(REAL) if not (args.no_heldout and r["split"] == "heldout")])
    halves = ("dev", "dev2") if args.no_heldout else ("dev", "dev2", "heldout", None)
    for half in halves:
        part = [(p, g) for p, g, r in real if half is None or r["split"] == half]
        f1, prec, rec = prf(part)
        n_pos = sum(g for _, g in part)
        label = half or "both"
        print(
            f"real pairs {label:<8} {len(part):>4} pairs ({n_pos} match): "
            f"F1 {f1:.3f}  precision {prec:.3f}  recall {rec:.3f}"
        )
    extra = {"set2": judged(rows(REAL2)), "set3": judged(rows(REAL3))}
    for name, judged_set in extra.items():
        label = {"set2": "second", "set3": "third"}[name]
        f1, prec, rec = prf([(p, g) for p, g, _ in judged_set])
        print(
            f"{label} set ({name}) {len(judged_set):>4} pairs "
            f"({sum(g for _, g, _ in judged_set)} match): "
            f"F1 {f1:.3f}  precision {prec:.3f}  recall {rec:.3f}"
        )
        cats: dict[str, list[bool]] = defaultdict(list)
        for p, g, r in judged_set:
            cats[r["category"]].append(p == g)
        print(f"{label} set, accuracy by category:")
        for cat, oks in sorted(cats.items()):
            print(f"  {cat:<34}{sum(oks):>4}/{len(oks):<4}")
    if not args.no_heldout:
        heldout4(judged(rows(REAL4)))
    by_cat: dict[str, list[bool]] = defaultdict(list)
    for p, g, r in real:
        by_cat[r["category"]].append(p == g)
    print("accuracy by category (first set, the parts above):")
    for cat, oks in sorted(by_cat.items()):
        print(f"  {cat:<34}{sum(oks):>4}/{len(oks):<4}")
    ts = [(p, g) for p, g, r in real if r["category"] == "traditional_simplified"]
    print(f"traditional <-> simplified: {sum(p for p, _ in ts)}/{len(ts)} matched")
    homo = judged(rows(HOMOPHONES))
    wrong = [r for p, _, r in homo if p]
    print(f"homophone / other-syllable negatives: {len(wrong)}/{len(homo)} matched (want 0)")
    for r in wrong:
        print(f"  matched: {r['name1']} | {r['name2']}")
    if CASES.exists():
        cases = [(p, g) for p, g, _ in judged(rows(CASES))]
        f1, prec, rec = prf(cases)
        print(f"name_bench cases.csv {len(cases)} pairs: F1 {f1:.3f} P {prec:.3f} R {rec:.3f}")
    latency(rows(REAL) + rows(REAL2) + rows(REAL3) + (rows(CASES) if CASES.exists() else []))
    if args.errors:
        print(f"{args.errors} mistakes:")
        for p, g, r in extra.get(args.errors, real):
            if r["split"] == args.errors and p != g:
                m = score(r["name1"], r["name2"])
                print(f"  want {g}: {r['name1']} | {r['name2']} ({m.score:.3f}; {m.explanation})")


if __name__ == "__main__":
    main()
