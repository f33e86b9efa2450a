"""CPU time of one ingest in a single process: a figure a busy machine cannot distort.

Run: PYTHONPATH=src .venv/bin/python benchmarks/ingest_cpu.py [--scale medium] [--leak DIR]

Ingests the synthetic leak (or ``--leak DIR``) with the serial executor — walk, store,
containers and extraction all in this process, no OCR, no search index — and prints the
CPU seconds (`time.process_time`) and files per CPU second beside the wall clock. Run it
with the code before and after a change (``PYTHONPATH`` pointing at each), alternating,
to compare them when `benchmarks/ingest.py` cannot get a quiet machine.
"""

from __future__ import annotations

import argparse
import shutil
import time
from pathlib import Path

from common import OUT, ensure_leak
from guwah.case import Case
from guwah.ingest.executor import SerialExecutor
from guwah.ingest.pipeline import ingest


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--scale", default="medium")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--leak", type=Path, help="a leak directory instead of the synthetic one")
    args = ap.parse_args()
    leak = args.leak or ensure_leak(args.scale, args.seed)[0]
    case_dir = OUT / "case-ingest-cpu"
    shutil.rmtree(case_dir, ignore_errors=True)
    case = Case.init(case_dir)
    cpu, wall = time.process_time(), time.perf_counter()
    stats = ingest(case, [leak], executor=SerialExecutor())
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    print(
        f"{stats.files_seen:,} files: {cpu:.1f} CPU s ({stats.files_seen / cpu:,.0f} files per "
        f"CPU second), {wall:.1f} s wall clock; errors {dict(stats.errors) or 'none'}"
    )


if __name__ == "__main__":
    main()
