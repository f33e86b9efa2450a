"""Every person score of the lists benchmark written out, to show that a change to the matcher's
speed changed no score: each pair's full hit (score, features, explanations, matched name),
then the ranked hits of a sample of whole-list queries, one JSON line each. Run it with the old
source and the new, and compare the files:

    git archive OLD src | tar -x -C /tmp/old
    PYTHONPATH=/tmp/old/src .venv/bin/python benchmarks/lists_same_scores.py /tmp/before.jsonl
    PYTHONPATH=src .venv/bin/python benchmarks/lists_same_scores.py /tmp/after.jsonl
    cmp /tmp/before.jsonl /tmp/after.jsonl && echo same
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from guwah.lists.match import Hit
from lists import DATA, THRESHOLD, hard_pairs, matcher_for, person_queries


def _hit(h: Hit) -> list[Any]:
    return [h.listed.entity_id, h.score, h.match, h.features, h.details, h.matched_name]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("out", type=Path)
    ap.add_argument("--negatives", type=int, default=50_000)
    ap.add_argument("--queries", type=int, default=3_000, help="whole-list queries written")
    args = ap.parse_args()
    m = matcher_for([(DATA / "ofac" / "sdn-2024-05-03.csv", "ofac-csv")])
    pos, neg = person_queries(m, args.negatives)
    pairs = hard_pairs(m, pos, neg)
    queries = [q for q, _, _ in pos] + neg
    with args.out.open("w", encoding="utf-8") as fh:
        for q, i, _, _ in pairs:
            line = ["pair", q.names, i, _hit(m.compare(q, i))]
            fh.write(json.dumps(line, ensure_ascii=False) + "\n")
        for q in queries[:: max(1, len(queries) // args.queries)]:
            hits = [_hit(h) for h in m.match(q, threshold=THRESHOLD, limit=5)]
            fh.write(json.dumps(["match", q.names, hits], ensure_ascii=False) + "\n")
    print(f"{len(pairs):,} pairs and the queries' hits written to {args.out}")


if __name__ == "__main__":
    main()
