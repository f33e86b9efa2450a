"""Page timings of the workbench (issue 18): search, person, item, report and officials pages
on a built case, over HTTP against the real server (uvicorn on 127.0.0.1), warm.

Run: .venv/bin/python benchmarks/web_pages.py [--scale medium] [--seed 1] [--n 40]

Builds (or reuses) bench-out/case-web-{scale}-{seed}: ingest --no-ocr, records, verify,
officials build. Each page kind is asked for N different URLs (people and items drawn from the
case with a fixed seed, queries from the truth's names), once to warm up, then timed; p50 and
p95 in milliseconds per kind. Target (issue 18): p95 under 300 ms.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import OUT, ROOT, ensure_leak, run_guwah  # noqa: E402

sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


def prepare(scale: str, seed: int) -> tuple[Path, Path]:
    leak, truth = ensure_leak(scale, seed)
    case = OUT / f"case-web-{scale}-{seed}"
    if not (case / "guwah.db").exists():
        steps = [
            ("init", str(case)),
            ("ingest", str(leak), "--case", str(case), "--no-ocr"),
            ("records", "--case", str(case)),
            ("verify", "--case", str(case)),
            ("officials", "build", "--case", str(case)),
        ]
        for step in steps:
            print(f"guwah {step[0]} … {run_guwah(*step):.1f} s", flush=True)
    return case, truth


def sample_items(session: Session, rnd: random.Random, n: int) -> list[str]:
    """The SHA-256 of ``n`` items of the case: a third sheets, a third photos, the rest PDFs."""
    from sqlalchemy import select

    from guwah.store.models import Item

    def of(cond: Any) -> list[str]:
        return list(session.scalars(select(Item.sha256).where(cond)).all())

    sheets, photos = of(Item.mime.like("%sheet%")), of(Item.mime == "image/jpeg")
    docs = of(Item.mime == "application/pdf")
    items = rnd.sample(sheets, min(n // 3, len(sheets))) + rnd.sample(
        photos, min(n // 3, len(photos))
    )
    return items + rnd.sample(docs, min(n - len(items), len(docs)))


def percentile(times: list[float], q: float) -> float:
    """The ``q`` quantile (0..1) of ``times`` by nearest rank: p95 is ``percentile(t, 0.95)``."""
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def urls(case_dir: Path, truth_path: Path, n: int, seed: int) -> dict[str, list[str]]:
    from sqlalchemy import select

    from guwah.case import Case
    from guwah.store.models import Person
    from guwah.store.models_officials import Official

    rnd = random.Random(seed)
    case = Case.open(case_dir)
    with case.sessions() as s:
        people = s.scalars(select(Person.id)).all()
        items = sample_items(s, rnd, n)
        officials = s.scalars(select(Official.id)).all()
    truth = json.loads(truth_path.read_text(encoding="utf-8"))
    names = [p["name"] for p in truth["people"] if p.get("in_records")]
    latin = [p["latin"][0] for p in truth["people"] if p.get("in_records") and p.get("latin")]
    return {
        "search": [f"/search?q={q}" for q in rnd.sample(names, n // 2) + rnd.sample(latin, n // 2)],
        "person": [f"/people/{i}" for i in rnd.sample(people, min(n, len(people)))],
        "people search": [f"/people?q={q}" for q in rnd.sample(latin, n)],
        "item": [f"/items/{sha}" for sha in items],
        "report": ["/report"] * max(5, n // 4),
        "officials": ["/officials"] * max(5, n // 4)
        + [f"/officials/{i}" for i in rnd.sample(officials, min(n, len(officials)))],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", default="medium")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--n", type=int, default=40, help="URLs per page kind")
    args = parser.parse_args()
    case_dir, truth = prepare(args.scale, args.seed)

    import httpx
    import uvicorn
    from tests.browser import free_port

    from guwah.case import Case
    from guwah.web.app import create_app

    app = create_app(Case.open(case_dir))
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    base = f"http://127.0.0.1:{port}"
    print(f"case {case_dir.name}; {args.n} URLs per kind; warm (each URL asked once first)")
    print(f"{'page':15} {'n':>4} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    with httpx.Client(base_url=base, timeout=120) as client:
        for kind, paths in urls(case_dir, truth, args.n, args.seed).items():
            for path in paths:
                assert client.get(path).status_code == 200, path
            times = []
            for path in paths:
                t0 = time.perf_counter()
                r = client.get(path)
                times.append((time.perf_counter() - t0) * 1000)
                assert r.status_code == 200, path
            times.sort()
            p95 = percentile(times, 0.95)
            print(
                f"{kind:15} {len(times):4} {statistics.median(times):8.1f} {p95:8.1f} "
                f"{times[-1]:8.1f}",
                flush=True,
            )
    server.should_exit = True
    thread.join(timeout=10)


if __name__ == "__main__":
    main()
