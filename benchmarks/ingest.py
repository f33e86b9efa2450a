"""Ingest throughput and peak memory on the synthetic leak, beside `sha256sum` as the floor.

Run: .venv/bin/python benchmarks/ingest.py [--scale medium] [--repeats 3] [--ocr/--no-ocr]

Prints, in one run: the floor (sha256sum over the same files); what preservation must do at
least, with coreutils (SHA-256, MD5 and SHA-1 of every file and a copy of it); `guwah ingest
--no-extract` (preservation alone) then `guwah extract --no-ocr` on the same case; the whole
`guwah ingest --no-ocr`; and ingest with OCR (one run). Each in files/s and MB/s, as a ratio
to the floor, with the peak memory of the whole process tree (main process and workers,
summed). Timed rows are medians of the repeats; the files are read once, untimed, before
the floor, so that every row starts from the page cache.

`--versus-exiftool` (issue 15) instead times, in alternating rounds, `guwah ingest --no-ocr`
into a fresh case and `exiftool -r -j LEAK > /dev/null` over the same files (and, with
`--baseline-src DIR`, the same ingest run from another tree's `src/`, e.g. an older commit's
from `git archive COMMIT src | tar -x -C DIR/..`), and prints for each the median wall clock,
the median CPU seconds of its whole process tree (workers and LibreOffice included) and the
ratio to exiftool, with the load average before and after:

    .venv/bin/python benchmarks/ingest.py --versus-exiftool --scale 3000 --repeats 5
"""

from __future__ import annotations

import argparse
import ctypes
import os
import resource
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


def timed(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, int]:
    """Wall time of a command and the peak summed RSS of its process group."""
    peak = 0
    started = time.perf_counter()
    proc = subprocess.Popen(
        cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True, env=env
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
    parser.add_argument(
        "--versus-exiftool",
        action="store_true",
        help="only `guwah ingest --no-ocr` beside `exiftool -r -j`, in alternating rounds",
    )
    parser.add_argument(
        "--baseline-src",
        type=Path,
        help="with --versus-exiftool: also time the ingest of the src/ tree in this directory",
    )
    args = parser.parse_args()

    leak, _truth = ensure_leak(args.scale, args.seed)
    if args.versus_exiftool:
        versus_exiftool(leak, args.repeats, args.baseline_src)
        return
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


def fresh_case(name: str, env: dict[str, str] | None = None) -> Path:
    case = OUT / name
    shutil.rmtree(case, ignore_errors=True)
    subprocess.run(guwah("init", str(case)), check=True, stdout=subprocess.DEVNULL, env=env)
    return case


def _become_subreaper() -> None:
    """Adopt orphaned descendants (the forkserver's workers, LibreOffice), so that their CPU
    time is counted in ``RUSAGE_CHILDREN`` once they are reaped (Linux only)."""
    PR_SET_CHILD_SUBREAPER = 36
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)


def _reap_all() -> None:
    while True:
        try:
            os.waitpid(-1, 0)
        except ChildProcessError:
            return


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def tree_timed(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """Wall seconds of a command and the CPU seconds of its whole process tree."""
    _reap_all()
    before = _children_cpu()
    wall, _peak = timed(cmd, env)
    _reap_all()
    return wall, _children_cpu() - before


def load() -> str:
    """The 1-, 5- and 15-minute load averages (the machine is shared)."""
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def versus_exiftool(leak: Path, repeats: int, baseline_src: Path | None) -> None:
    """`guwah ingest --no-ocr` (this tree, and ``baseline_src`` if given) and `exiftool -r
    -j` over the same leak, alternating round by round so that all meet the same load."""
    if shutil.which("exiftool") is None:
        raise SystemExit("exiftool is missing: apt-get install libimage-exiftool-perl")
    _become_subreaper()
    files, size = leak_files(leak)
    print(f"leak: {len(files):,} files, {size / 1e6:,.1f} MB ({leak})")
    print(f"machine: {os.cpu_count()} cores; rounds: {repeats}; load average {load()}")
    subprocess.run(["sh", "-c", f"find '{leak}' -type f -exec cat {{}} + > /dev/null"], check=True)
    here = str(Path(__file__).resolve().parents[1] / "src")
    trees = {"guwah ingest --no-ocr": here}
    if baseline_src is not None:
        trees[f"  the same, {baseline_src}"] = str(baseline_src.resolve())
    exif_cmd = ["sh", "-c", f"exiftool -r -j -q '{leak}' > /dev/null"]
    runs: dict[str, list[tuple[float, float]]] = {"exiftool -r -j": []}
    runs.update({name: [] for name in trees})
    names = list(runs)
    for i in range(repeats):
        for name in names[i % len(names) :] + names[: i % len(names)]:  # each goes first in turn
            if name not in trees:
                runs[name].append(tree_timed(exif_cmd))
                continue
            env = {**os.environ, "PYTHONPATH": trees[name]}
            case = fresh_case("case-vs-exiftool", env)
            cmd = guwah("ingest", str(leak), "--case", str(case), "--no-ocr")
            runs[name].append(tree_timed(cmd, env))
        print(
            f"round {i + 1}: "
            + "; ".join(f"{n.strip()}: {r[-1][0]:.2f} s" for n, r in runs.items())
            + f"; load {load()}",
            flush=True,
        )
    base = statistics.median(w for w, _ in runs["exiftool -r -j"])
    print(f"\n{'run':<40}{'median s':>10}{'× exiftool':>12}{'tree CPU s':>12}  all wall (s)")
    for name, r in runs.items():
        wall = statistics.median(w for w, _ in r)
        cpu = statistics.median(c for _, c in r)
        each = ", ".join(f"{w:.2f}" for w, _ in r)
        print(f"{name:<40}{wall:>10.2f}{wall / base:>12.2f}{cpu:>12.2f}  {each}")
    ratios = [
        g / e
        for (g, _), (e, _) in zip(
            runs["guwah ingest --no-ocr"], runs["exiftool -r -j"], strict=True
        )
    ]
    print(
        "guwah / exiftool, round by round: "
        + ", ".join(f"{x:.2f}" for x in ratios)
        + f" (median {statistics.median(ratios):.2f}); load average now {load()}"
    )


def median_row(name: str, runs: list[tuple[float, int]]) -> tuple[str, float, int]:
    return name, statistics.median(t for t, _ in runs), max(m for _, m in runs)


if __name__ == "__main__":
    main()
