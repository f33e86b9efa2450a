"""Ingest throughput and peak memory on the synthetic leak, beside `sha256sum` as the floor.

Run: .venv/bin/python benchmarks/ingest.py [--scale medium] [--repeats 3] [--ocr/--no-ocr]

Prints, in one run: the floor (sha256sum over the same files); what preservation must do at
least, with coreutils (SHA-256, MD5 and SHA-1 of every file and a copy of it); `guwah ingest
--no-extract` (preservation alone) then `guwah extract --no-ocr` on the same case; the whole
`guwah ingest --no-ocr`; and ingest with OCR (one run). Each in files/s and MB/s, as a ratio
to the floor, with the peak memory of the whole process tree (main process and workers,
summed). Timed rows are medians of the repeats; the files are read once, untimed, before
the floor, so that every row starts from the page cache.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import threading
import time
from pathlib import Path

from common import OUT, ensure_leak, guwah


def leak_files(leak: Path) -> tuple[list[Path], int]:
    files = [p for p in leak.rglob("*") if p.is_file() and not p.is_symlink()]
    return files, sum(p.stat().st_size for p in files)


def tree_rss(pgid: int) -> int:
    """Resident memory of every process in a process group, in bytes."""
    total = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            if int(fields[2]) != pgid:
                continue
            with open(f"/proc/{entry}/statm") as f:
                total += int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, IndexError, ValueError):
            continue
    return total


def timed(cmd: list[str]) -> tuple[float, int]:
    """Wall time of a command and the peak summed RSS of its process group."""
    peak = 0
    started = time.perf_counter()
    proc = subprocess.Popen(
        cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True
    )
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not stop.is_set():
            peak = max(peak, tree_rss(proc.pid))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, err = proc.communicate()
    elapsed = time.perf_counter() - started
    stop.set()
    sampler.join()
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{err.decode(errors='replace')[-3000:]}")
    return elapsed, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", default="medium")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--ocr", action=argparse.BooleanOptionalAction, default=True)
    args = parser.parse_args()

    leak, _truth = ensure_leak(args.scale, args.seed)
    files, size = leak_files(leak)
    n, mb = len(files), size / 1e6
    print(f"leak: {n:,} files, {mb:,.1f} MB ({leak})")
    print(f"machine: {os.cpu_count()} cores; repeats: {args.repeats} (medians)\n")

    listing = OUT / "files.txt"
    listing.write_bytes(b"\0".join(os.fsencode(p) for p in files))
    copies = OUT / "floor-copy"
    floor_cmd = ["sh", "-c", f"xargs -0 sha256sum < '{listing}' > /dev/null"]
    preserve_floor_cmd = [
        "sh",
        "-c",
        f"rm -rf '{copies}' && mkdir -p '{copies}' && "
        f"xargs -0 sha256sum < '{listing}' > /dev/null && "
        f"xargs -0 md5sum < '{listing}' > /dev/null && "
        f"xargs -0 sha1sum < '{listing}' > /dev/null && "
        f"tar --null -T '{listing}' -cf - 2>/dev/null | tar -xf - -C '{copies}'",
    ]
    # read every file once, untimed, so that the floor is not a cold-cache disk read
    subprocess.run(["sh", "-c", f"xargs -0 cat < '{listing}' > /dev/null"], check=True)
    floor = [timed(floor_cmd) for _ in range(args.repeats)]
    preserve_floor = [timed(preserve_floor_cmd) for _ in range(args.repeats)]
    shutil.rmtree(copies, ignore_errors=True)

    preserve, extract, whole = [], [], []
    for i in range(args.repeats):
        case = fresh_case(f"case-staged-{i}")
        preserve.append(timed(guwah("ingest", str(leak), "--case", str(case), "--no-extract")))
        extract.append(timed(guwah("extract", "--case", str(case), "--no-ocr")))
        case = fresh_case(f"case-noocr-{i}")
        whole.append(timed(guwah("ingest", str(leak), "--case", str(case), "--no-ocr")))
    rows = [
        median_row("sha256sum (floor)", floor),
        median_row("3 hashes + copy (coreutils)", preserve_floor),
        median_row("guwah ingest --no-extract", preserve),
        median_row("  then guwah extract", extract),
        median_row("guwah ingest --no-ocr", whole),
    ]
    if args.ocr:
        case = fresh_case("case-ocr")
        rows.append(
            ("guwah ingest (with OCR)", *timed(guwah("ingest", str(leak), "--case", str(case))))
        )

    base = rows[0][1]
    print(f"{'run':<30}{'seconds':>9}{'files/s':>10}{'MB/s':>9}{'× floor':>9}{'peak MiB':>10}")
    for name, t, mem in rows:
        print(
            f"{name:<30}{t:>9.2f}{n / t:>10,.0f}{mb / t:>9.1f}{t / base:>9.1f}{mem / 2**20:>10,.0f}"
        )
    for name, runs in (
        ("--no-extract", preserve),
        ("extract", extract),
        ("--no-ocr", whole),
    ):
        print(f"all {name} runs (s):", ", ".join(f"{t:.2f}" for t, _ in runs))


def fresh_case(name: str) -> Path:
    case = OUT / name
    shutil.rmtree(case, ignore_errors=True)
    subprocess.run(guwah("init", str(case)), check=True, stdout=subprocess.DEVNULL)
    return case


def median_row(name: str, runs: list[tuple[float, int]]) -> tuple[str, float, int]:
    return name, statistics.median(t for t, _ in runs), max(m for _, m in runs)


if __name__ == "__main__":
    main()
