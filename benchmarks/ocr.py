"""OCR accuracy and throughput: guwah's OCR step beside plain Tesseract at the floor.

Run: PYTHONPATH=src .venv/bin/python benchmarks/ocr.py [--batch 40] [--kinds all] [--workers 2]
[--rounds 3]

Renders pages with known text (``guwah.synth.ocr_pages``): a mixed batch of ``--batch``
pages (Chinese, Uyghur, mixed, traditional, in turn) and one page of each of ``--kinds``
(forms, seals, skew, blur, low resolution, photographed, upside down…). Then, in the same
run, on the same pages:

- floor: ``tesseract PAGE - -l MODEL`` with the model a person would choose for the page
  (``SynthPage.model``), single-threaded (``OMP_THREAD_LIMIT=1``), one per worker;
- guwah: a case that ingests the pages and runs its OCR step (``run_ocr``) with a pool of
  the same number of workers, choosing each page's models itself.

Prints pages/s of both per round (``--rounds``: timed in turn, the order swapped each round,
so a busy machine weighs on both alike), the median ratio, and the character error rate (Levenshtein distance
over the truth's length, whitespace ignored) per kind for both; ``--fixed`` adds guwah
with the fixed set ``chi_sim+uig+eng`` (its behaviour before issue 19).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from rapidfuzz.distance import Levenshtein
from sqlalchemy import select

from guwah.case import Case
from guwah.ingest.executor import ProcessExecutor
from guwah.ingest.ocr_stage import run_ocr
from guwah.ingest.pipeline import ingest
from guwah.store.models import Item, Occurrence, Page
from guwah.synth.ocr_pages import KINDS, SynthPage, mixed_batch, render


def cer(truth: str, got: str) -> float:
    ref = "".join(truth.split())
    hyp = "".join(got.split())
    return Levenshtein.distance(ref, hyp) / max(1, len(ref))


def floor(paths: dict[str, Path], pages: dict[str, SynthPage], workers: int) -> dict[str, str]:
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}

    def one(name: str) -> tuple[str, str]:
        page = pages[name]
        out = subprocess.run(
            ["tesseract", str(paths[name]), "-", "-l", page.model, "--psm", "3"],
            capture_output=True,
            text=True,
            env=env,
            check=True,
        )
        return name, out.stdout  # cer() ignores whitespace, Tesseract's spaces included

    with ThreadPoolExecutor(workers) as pool:
        return dict(pool.map(one, list(paths)))


def guwah_ocr(
    pages_dir: Path, work: Path, workers: int, per_page: bool, round_no: int = 0
) -> tuple[float, dict[str, str], Counter[str]]:
    case = Case.init(work / f"case-{'per-page' if per_page else 'fixed'}-{round_no}")
    ingest(case, [pages_dir], executor=ProcessExecutor(workers=workers))
    started = time.perf_counter()
    stats = run_ocr(case, executor=ProcessExecutor(workers=workers), per_page=per_page)
    seconds = time.perf_counter() - started
    assert stats.errors == 0, stats
    texts: dict[str, str] = {}
    models: Counter[str] = Counter()
    with case.sessions() as s:
        rows = s.execute(
            select(Occurrence.path, Page.text, Page.language, Item.meta)
            .join(Page, Page.item_id == Occurrence.item_id)
            .join(Item, Item.id == Occurrence.item_id)
            .where(Page.method == "ocr")
        ).all()
        for path, text, language, _meta in rows:
            texts[Path(path).stem] = text
            models[language or "(none)"] += 1
    return seconds, texts, models


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--batch", type=int, default=40, help="pages in the mixed batch")
    ap.add_argument("--kinds", default="all", help="comma-separated kinds, or all, or none")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--rounds", type=int, default=1, help="floor and guwah timed in turn")
    ap.add_argument("--fixed", action="store_true", help="also guwah with chi_sim+uig+eng")
    ap.add_argument("--work", type=Path, default=Path("/tmp/ocr-bench"))
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()

    shutil.rmtree(args.work, ignore_errors=True)
    pages_dir = args.work / "pages"
    pages_dir.mkdir(parents=True)
    pages: dict[str, SynthPage] = {}
    for i, page in enumerate(mixed_batch(args.batch, args.seed)):
        pages[f"batch-{i:03d}-{page.kind}"] = page
    kinds = [] if args.kinds == "none" else KINDS if args.kinds == "all" else args.kinds.split(",")
    for kind in kinds:
        pages[f"kind-{kind}"] = render(kind, args.seed)
    paths = {}
    for name, page in pages.items():
        paths[name] = pages_dir / f"{name}.png"
        page.image.save(paths[name], dpi=(page.dpi, page.dpi))
    n = len(pages)
    print(
        f"{n} pages ({args.batch} in the mixed batch), {args.workers} workers, "
        f"{os.cpu_count()} cores",
        flush=True,
    )

    ratios = []
    for r in range(args.rounds):  # floor and guwah in turn, the order swapped every round
        for which in ("floor", "guwah") if r % 2 == 0 else ("guwah", "floor"):
            started = time.perf_counter()
            if which == "floor":
                floor_text = floor(paths, pages, args.workers)
                floor_s = time.perf_counter() - started
            else:
                ours_s, ours_text, models = guwah_ocr(
                    pages_dir, args.work, args.workers, per_page=True, round_no=r
                )
        ratios.append(floor_s / ours_s)
        print(
            f"round {r + 1}: floor {floor_s:.1f} s ({n / floor_s:.3f} pages/s), guwah "
            f"{ours_s:.1f} s ({n / ours_s:.3f} pages/s); throughput guwah/floor {ratios[-1]:.2f}",
            flush=True,
        )
    print(
        f"median throughput guwah/floor over {len(ratios)} rounds: {statistics.median(ratios):.2f}"
    )
    print("models guwah ran (kept per page): " + ", ".join(f"{m} {c}" for m, c in models.items()))
    fixed_text: dict[str, str] = {}
    if args.fixed:
        fixed_s, fixed_text, _ = guwah_ocr(pages_dir, args.work, args.workers, per_page=False)
        print(
            f"guwah fixed chi_sim+uig+eng: {fixed_s:.1f} s, {n / fixed_s:.3f} pages/s; "
            f"ratio to floor {floor_s / fixed_s:.2f}"
        )

    by_kind: dict[str, list[tuple[float, float, float | None]]] = defaultdict(list)
    for name, page in pages.items():
        key = ("batch " if name.startswith("batch") else "") + page.kind
        fixed = cer(page.text, fixed_text.get(name, "")) if args.fixed else None
        by_kind[key].append(
            (
                cer(page.text, floor_text.get(name, "")),
                cer(page.text, ours_text.get(name, "")),
                fixed,
            )
        )
    header = f"{'kind':<20} {'pages':>5} {'CER floor':>10} {'CER guwah':>10}"
    print(header + (f" {'CER fixed':>10}" if args.fixed else ""))
    for key, rows in by_kind.items():
        f = sum(r[0] for r in rows) / len(rows)
        g = sum(r[1] for r in rows) / len(rows)
        line = f"{key:<20} {len(rows):>5} {f:>10.2%} {g:>10.2%}"
        if args.fixed:
            line += f" {sum(r[2] or 0 for r in rows) / len(rows):>10.2%}"
        print(line)


if __name__ == "__main__":
    main()
