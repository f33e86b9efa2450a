"""Person-matching throughput, guwah beside nomenklatura's logic-v2, measured fairly in one run
(issue 13: "throughput ≥ 10× logic-v2 per core").

Both engines score the same work, each in a single process, in alternating rounds (guwah
first in odd rounds, logic-v2 first in even ones), CPU time only; the medians over the
rounds are reported with their ratios and the machine's load average.

- **pairs**: the benchmark's pairs (``lists.hard_pairs``: each positive with its listed
  entity, each yente negative with a listed person sharing a name word), pair by pair.
  *cold*: the first pass, every memo cache empty (guwah: the query names read from scratch,
  the listed names read once when the list was indexed, as a loaded list is; logic-v2: a
  fresh process, its entities built before the clock starts); *warm*: the same pairs again
  in the same process; guwah *unprepared*: cold with the listed names read again too.
- **per query**: ``--queries`` queries spread over positives and negatives, each against the
  listed persons guwah's blocking index puts forward. guwah is timed end to end, blocking
  included (``ListMatcher.match``); logic-v2 only on scoring those same candidates (its
  blocking given to it free). Cold and warm as above.
- **whole list** (once, ``--whole-list`` queries): what a user waits for. guwah's query against
  the whole OFAC list through its index, against logic-v2 scoring the query against every
  listed person (it has no index: yente puts Elasticsearch in front of it).

    PYTHONPATH=src .venv/bin/python benchmarks/lists_throughput.py [--rounds 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable
from typing import Any

from guwah.lists.match import ListMatcher, Query, _person_readings
from lists import (
    DATA,
    THRESHOLD,
    clear_name_caches,
    hard_pairs,
    listed_props,
    logic_v2_passes,
    matcher_for,
    person_queries,
    props,
)


def candidates(m: ListMatcher, sample: list[Query]) -> list[list[int]]:
    """The listed persons guwah's blocking index puts forward for each query."""
    out: list[list[int]] = []
    for q in sample:
        found: set[int] = set()
        for _, qname in _person_readings(q.names):
            for nid in m.people.candidates(qname):
                found.update(k[0] for k in m.people._keys[nid])  # type: ignore[index]
        out.append(sorted(found))
    return out


def cpu(fn: Callable[[], Any]) -> float:
    start = time.process_time()
    fn()
    return time.process_time() - start


def guwah_round(
    m: ListMatcher, pairs: list[tuple[Query, int]], sample: list[Query]
) -> dict[str, float]:
    def score_pairs() -> None:
        for q, i in pairs:
            m.compare(q, i)

    def match_all() -> None:
        for q in sample:
            m.match(q, threshold=THRESHOLD, limit=5)

    out: dict[str, float] = {}
    held = getattr(m.people, "_forms", None)  # (None on a source older than the held forms)
    m.people._forms = None  # the listed names read again, from the memo cache (emptied)
    clear_name_caches()
    out["pairs unprepared"] = cpu(score_pairs)
    m.people._forms = held
    clear_name_caches()
    out["pairs cold"] = cpu(score_pairs)
    out["pairs warm"] = cpu(score_pairs)
    clear_name_caches()
    out["queries cold"] = cpu(match_all)
    out["queries warm"] = cpu(match_all)
    return out


def nk_round(nk_pairs: list[dict[str, Any]], nk_cands: list[dict[str, Any]]) -> dict[str, float]:
    a = logic_v2_passes(nk_pairs, 2)
    b = logic_v2_passes(nk_cands, 2)
    assert a and b
    return {
        "pairs cold": a[1][0],
        "pairs warm": a[1][1],
        "queries cold": b[1][0],
        "queries warm": b[1][1],
    }


def load() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--negatives", type=int, default=10_000)
    ap.add_argument("--queries", type=int, default=300)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--whole-list", type=int, default=10)
    ap.add_argument(
        "--guwah-only", action="store_true", help="no logic-v2 (to time two guwah sources)"
    )
    args = ap.parse_args()
    print(f"{os.cpu_count()} CPUs; load average (1/5/15 min) at start {load()}")
    m = matcher_for([(DATA / "ofac" / "sdn-2024-05-03.csv", "ofac-csv")])
    pos, neg = person_queries(m, args.negatives)
    pairs = [(q, i) for q, i, _, _ in hard_pairs(m, pos, neg)]
    queries = [q for q, _, _ in pos] + neg
    sample = queries[:: max(1, len(queries) // args.queries)][: args.queries]
    cands = candidates(m, sample)
    n_cand = sum(map(len, cands))
    nk_pairs = [{"q": props(q), "c": listed_props(m.entities[i])} for q, i in pairs]
    nk_cands = [
        {"q": props(q), "c": listed_props(m.entities[i])}
        for q, c in zip(sample, cands, strict=True)
        for i in c
    ]
    print(
        f"{len(pairs):,} pairs; {len(sample)} queries with {n_cand:,} candidates "
        f"({n_cand / len(sample):.0f} per query); {args.rounds} rounds, alternating"
    )
    g_runs: list[dict[str, float]] = []
    n_runs: list[dict[str, float]] = []
    for r in range(args.rounds):
        order = ("guwah", "logic-v2") if r % 2 == 0 else ("logic-v2", "guwah")
        for who in order:
            if who == "guwah":
                g_runs.append(guwah_round(m, pairs, sample))
            elif not args.guwah_only:
                n_runs.append(nk_round(nk_pairs, nk_cands))
        print(f"  round {r + 1}: load {load()}")
    med_g = {k: statistics.median(x[k] for x in g_runs) for k in g_runs[0]}
    med_n = {k: statistics.median(x[k] for x in n_runs) for k in (n_runs or [{}])[0]}
    print("median CPU over the rounds (min–max):")
    for k, secs in med_g.items():
        unit, n = ("pairs/s", len(pairs)) if k.startswith("pairs") else ("queries/s", len(sample))
        spread = f"{n / max(x[k] for x in g_runs):,.0f}–{n / min(x[k] for x in g_runs):,.0f}"
        line = f"  {k:<17} guwah {n / secs:>9,.0f} {unit} ({spread})"
        if k in med_n:
            nk_secs = med_n[k]
            nk_spread = f"{n / max(x[k] for x in n_runs):,.0f}–{n / min(x[k] for x in n_runs):,.0f}"
            line += (
                f"   logic-v2 {n / nk_secs:>9,.0f} {unit} ({nk_spread})"
                f"   guwah/logic-v2 {nk_secs / secs:.2f}×"
            )
        print(line)
    if args.whole_list and not args.guwah_only:
        whole(m, sample[: args.whole_list])
    print(f"load average at the end {load()}")


def whole(m: ListMatcher, sample: list[Query]) -> None:
    """Whole-list queries: guwah through its index, logic-v2 against every listed person."""
    persons = [i for i, e in enumerate(m.entities) if e.schema == "Person"]
    clear_name_caches()
    g = cpu(lambda: [m.match(q, threshold=THRESHOLD, limit=5) for q in sample])
    nk = logic_v2_passes(
        [{"q": props(q), "c": listed_props(m.entities[i])} for q in sample for i in persons], 1
    )
    line = (
        f"whole list ({len(persons):,} persons), {len(sample)} queries: guwah "
        f"{g / len(sample) * 1000:.1f} ms a query (CPU, cold, index included)"
    )
    if nk:
        nk_q = nk[1][0] / len(sample)
        line += (
            f"; logic-v2 {nk_q * 1000:,.0f} ms a query scoring every listed person "
            f"({len(persons) / nk_q:,.0f} pairs/s): guwah {nk_q / (g / len(sample)):,.0f}×"
        )
    print(line)


if __name__ == "__main__":
    main()
