"""Score pairs with nomenklatura's logic-v2 (run by ``benchmarks/lists.py`` under the benchmark
virtual environment, never guwah's): JSON lines ``{"q": props, "c": props}`` on stdin,
``{"scores": [...], "seconds": s, "passes": [s, ...]}`` on stdout; ``--passes N`` scores the
same pairs N times in this one process (the first pass cold, the others warm)."""

from __future__ import annotations

import argparse
import json
import sys
import time

from followthemoney import model
from nomenklatura.matching import get_algorithm


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--passes", type=int, default=1)
    args = ap.parse_args()
    algo = get_algorithm("logic-v2")
    assert algo is not None
    config = algo.default_config()
    pairs = [json.loads(line) for line in sys.stdin if line.strip()]
    n = 0

    def entity(schema: str, props: dict[str, list[str]]):  # type: ignore[no-untyped-def]
        nonlocal n
        n += 1
        e = model.make_entity(schema)
        e.id = f"e{n}"
        for k, vs in props.items():
            for v in vs:
                e.add(k, v, quiet=True)
        return e

    warm = entity("Person", {"name": ["Warm Up"]})
    algo.compare(warm, entity("Person", {"name": ["Warm Up"]}), config)
    ents = [
        (entity(p.get("schema", "Person"), p["q"]), entity(p.get("schema", "Person"), p["c"]))
        for p in pairs
    ]
    passes: list[float] = []
    scores: list[float] = []
    for _ in range(max(1, args.passes)):
        start = time.process_time()
        scored = [float(algo.compare(a, b, config).score) for a, b in ents]
        passes.append(time.process_time() - start)
        scores = scores or scored
    json.dump({"scores": scores, "seconds": passes[0], "passes": passes}, sys.stdout)


if __name__ == "__main__":
    main()
