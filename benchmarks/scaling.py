"""Extraction throughput by worker count (issue 15, item 4): files/s and speed-up over one
worker, for the local process pool and for a local Dask cluster, on a synthetic leak.

Self-contained: the leak is made with ``guwah synth`` (once, under ``--out``), then for each
executor and worker count a fresh case is made and ``guwah ingest LEAK --no-ocr --workers N``
is timed (``--executor pool`` or ``--executor dask-local:N``), each run as a user runs it, in
its own process under this interpreter. The item count of every case is read back, so a
run that did less work than the others shows. ``--split`` times the two halves apart:
``ingest --no-extract`` (preservation, one process) then ``extract --no-ocr`` (the workers);
files/s and the speed-up are then the extraction's. Each run's output: ``OUT/case-*.log``.

The target (issue 15): at least 10x at 16 workers, on a 16-core machine:

    .venv/bin/python benchmarks/scaling.py --scale large --workers 1,2,4,8,16 \\
        --executors pool,dask-local --max-minutes 25 --out bench-out/scaling

``--max-minutes`` bounds the whole run: a run that would start after it is skipped, and the
run in progress when it passes is stopped (its process group killed) and recorded as such.
Results: ``OUT/scaling.json`` and ``OUT/scaling.md`` (a markdown table).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import OUT, ROOT, guwah  # noqa: E402

EXECUTORS = ("pool", "dask-local")


def make_leak(out: Path, scale: str, seed: int, deadline: float) -> Path:
    """The synthetic leak under ``out`` (made once: the same seed and scale, the same bytes);
    made in ``.part`` and renamed, so a leak cut short by the deadline is never used."""
    leak = out / f"leak-{scale}-{seed}"
    if not leak.exists():
        part = out / f"{leak.name}.part"
        shutil.rmtree(part, ignore_errors=True)
        truth = out / f"{leak.name}.truth.json"
        cmd = guwah(
            "synth", str(part), "--scale", scale, "--seed", str(seed), "--truth", str(truth)
        )
        rc, took = run(cmd, deadline, out / "synth.log")
        if rc != 0:
            why = "--max-minutes passed" if rc == -9 else f"exit {rc}"
            raise SystemExit(f"guwah synth stopped ({why}): see {out / 'synth.log'}")
        part.rename(leak)
        print(f"guwah synth --scale {scale}: {took:.0f} s", flush=True)
    return leak


def count_files(leak: Path) -> tuple[int, int]:
    """Files and bytes in the leak as it lies on disk (archives count as one file)."""
    n = size = 0
    for dirpath, _dirs, files in os.walk(leak):
        for name in files:
            n += 1
            size += os.path.getsize(os.path.join(dirpath, name))
    return n, size


def run(cmd: list[str], deadline: float | None, log: Path | None = None) -> tuple[int, float]:
    """Run ``cmd`` in its own process group; (exit status, seconds). Past ``deadline`` the
    whole group (workers, a Dask cluster) is killed and the status is -9."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    sink = log.open("w", encoding="utf-8") if log else subprocess.DEVNULL
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        cmd, stdout=sink, stderr=subprocess.STDOUT, env=env, start_new_session=True
    )
    try:
        proc.wait(timeout=None if deadline is None else max(1.0, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        return -9, time.perf_counter() - t0
    finally:
        if log:
            sink.close()  # type: ignore[union-attr]
    if proc.returncode != 0 and deadline is None:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode})")
    return proc.returncode, time.perf_counter() - t0


def items_in(case: Path) -> int:
    """How many items the case holds (read-only)."""
    with sqlite3.connect(f"file:{case / 'guwah.db'}?mode=ro", uri=True) as db:
        return int(db.execute("SELECT count(*) FROM items").fetchone()[0])


def one_run(
    leak: Path, case: Path, executor: str, workers: int, split: bool, deadline: float
) -> dict[str, Any]:
    """A fresh case, then the timed ingest (or its two halves) with ``workers`` workers."""
    if case.exists():
        shutil.rmtree(case)
    run(guwah("init", str(case)), None)
    spec = executor if executor == "pool" else f"{executor}:{workers}"
    opts = ["--case", str(case), "--workers", str(workers), "--executor", spec]
    log = case.parent / f"{case.name}.log"
    row: dict[str, Any] = {"executor": executor, "workers": workers}
    if split:
        rc, pre = run(
            guwah("ingest", str(leak), "--no-extract", "--case", str(case)), deadline, log
        )
        row["preserve_s"] = round(pre, 2)
        if rc == 0:
            rc, ext = run(guwah("extract", "--no-ocr", *opts), deadline, log)
            row["extract_s"] = round(ext, 2)
        row["wall_s"] = round(pre + row.get("extract_s", 0.0), 2)
    else:
        rc, wall = run(guwah("ingest", str(leak), "--no-ocr", *opts), deadline, log)
        row["wall_s"] = round(wall, 2)
    row["rc"] = rc
    row["items"] = items_in(case) if rc == 0 else None
    row["load_after"] = [round(x, 2) for x in os.getloadavg()]
    return row


def table(rows: list[dict[str, Any]], files: int, split: bool) -> str:
    """The markdown table: files/s of the timed part and speed-up over 1 worker (same executor)."""
    timed = "extract_s" if split else "wall_s"
    base = {
        r["executor"]: r[timed] for r in rows if r["workers"] == 1 and r["rc"] == 0 and r[timed]
    }
    head = "| executor | workers | " + ("preserve s | extract s | " if split else "")
    out = [
        head
        + f"ingest wall s | {'extract ' if split else ''}files/s | speed-up vs 1 | items | status |",
        "|---|---:|" + ("---:|---:|" if split else "") + "---:|---:|---:|---:|---|",
    ]
    for r in rows:
        if r.get("skipped"):
            dashes = "– | " * (6 if split else 4)
            out.append(f"| {r['executor']} | {r['workers']} | {dashes}skipped: --max-minutes |")
            continue
        ok = r["rc"] == 0
        t = r.get(timed) or 0.0
        rate = f"{files / t:,.0f}" if ok and t else "–"
        up = f"{base[r['executor']] / t:.2f}x" if ok and t and r["executor"] in base else "–"
        status = "ok" if ok else ("stopped: --max-minutes" if r["rc"] == -9 else f"exit {r['rc']}")
        cells = [r["executor"], str(r["workers"])]
        if split:
            cells += [str(r.get("preserve_s", "–")), str(r.get("extract_s", "–"))]
        cells += [str(r["wall_s"]), rate, up, str(r["items"]), status]
        out.append("| " + " | ".join(cells) + " |")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", default="large", help="guwah synth --scale (or a file count)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", default="1,2,4,8,16", help="worker counts, comma-separated")
    parser.add_argument("--executors", default="pool,dask-local", help=f"of {', '.join(EXECUTORS)}")
    parser.add_argument("--max-minutes", type=float, default=30, help="bound on the whole run")
    parser.add_argument("--split", action="store_true", help="time preserve and extract apart")
    parser.add_argument("--keep", action="store_true", help="keep the cases (else removed)")
    parser.add_argument("--out", type=Path, default=OUT / "scaling")
    args = parser.parse_args(argv)
    executors = [e.strip() for e in args.executors.split(",") if e.strip()]
    if bad := [e for e in executors if e not in EXECUTORS]:
        parser.error(f"unknown executor {bad[0]!r}: use {', '.join(EXECUTORS)}")
    counts = sorted({int(w) for w in args.workers.split(",")})
    if not counts or counts[0] < 1:
        parser.error("--workers: whole numbers of at least 1, e.g. 1,2,4,8,16")

    started = time.monotonic()
    deadline = started + args.max_minutes * 60
    args.out.mkdir(parents=True, exist_ok=True)
    leak = make_leak(args.out, args.scale, args.seed, deadline)
    files, size = count_files(leak)
    print(
        f"leak {leak}: {files:,} files, {size / 2**20:,.0f} MiB; {os.cpu_count()} CPUs; "
        f"load {os.getloadavg()}",
        flush=True,
    )
    rows: list[dict[str, Any]] = []
    for workers in counts:
        for executor in executors:
            if time.monotonic() >= deadline:
                rows.append({"executor": executor, "workers": workers, "rc": None, "skipped": True})
                continue
            case = args.out / f"case-{executor}-{workers}"
            row = one_run(leak, case, executor, workers, args.split, deadline)
            rows.append(row)
            print(json.dumps(row), flush=True)
            if not args.keep:
                shutil.rmtree(case, ignore_errors=True)
    report = {
        "leak": str(leak),
        "scale": args.scale,
        "seed": args.seed,
        "files": files,
        "bytes": size,
        "cpus": os.cpu_count(),
        "machine": platform.platform(),
        "python": platform.python_version(),
        "split": args.split,
        "max_minutes": args.max_minutes,
        "minutes": round((time.monotonic() - started) / 60, 2),
        "runs": rows,
    }
    md = table(rows, files, args.split)
    (args.out / "scaling.json").write_text(json.dumps(report, indent=1), encoding="utf-8")
    (args.out / "scaling.md").write_text(md + "\n", encoding="utf-8")
    print(md)
    print(f"figures: {args.out / 'scaling.json'}, {args.out / 'scaling.md'}")
    return report


if __name__ == "__main__":
    main()
