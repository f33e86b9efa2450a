"""Run a command and report its wall time and the peak memory of its whole process tree.

The tree (the command and every descendant: worker processes included) is sampled from
/proc every ``--interval`` seconds; its resident memory is the sum of each process's
VmRSS. Linux only.

Example:

    .venv/bin/python benchmarks/treemem.py --json out.json -- guwah verify --case c
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path


def _children() -> dict[int, list[int]]:
    out: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as fh:
                stat = fh.read()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        out.setdefault(ppid, []).append(int(entry))
    return out


def _rss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def tree_rss(root: int) -> tuple[int, int, int]:
    """(sum of VmRSS over the tree, the root's own VmRSS, number of processes)."""
    kids = _children()
    todo, seen = [root], []
    while todo:
        pid = todo.pop()
        seen.append(pid)
        todo += kids.get(pid, [])
    own = _rss(root)
    return own + sum(_rss(p) for p in seen[1:]), own, len(seen)


def measure(cmd: list[str], interval: float = 0.1, **popen: object) -> dict[str, float | int]:
    """Run ``cmd``; its wall time, exit status and peak tree / main-process memory."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, **popen)  # type: ignore[call-overload]
    peak = {"tree": 0, "main": 0, "procs": 0}
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            tree, own, n = tree_rss(proc.pid)
            peak["tree"] = max(peak["tree"], tree)
            peak["main"] = max(peak["main"], own)
            peak["procs"] = max(peak["procs"], n)
            done.wait(interval)

    th = threading.Thread(target=sample, daemon=True)
    th.start()
    rc = proc.wait()
    done.set()
    th.join()
    return {
        "rc": rc,
        "wall_s": round(time.perf_counter() - t0, 2),
        "peak_tree_rss_mib": round(peak["tree"] / 2**20, 1),
        "peak_main_rss_mib": round(peak["main"] / 2**20, 1),
        "max_processes": peak["procs"],
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", type=Path, help="append the result as one JSON line here")
    ap.add_argument("--label", default="")
    ap.add_argument("--interval", type=float, default=0.1)
    ap.add_argument("cmd", nargs=argparse.REMAINDER)
    args = ap.parse_args()
    cmd = args.cmd[1:] if args.cmd[:1] == ["--"] else args.cmd
    res = {"label": args.label, "cmd": " ".join(cmd), **measure(cmd, args.interval)}
    print(json.dumps(res), file=sys.stderr)
    if args.json:
        with args.json.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(res) + "\n")
    return int(res["rc"])


if __name__ == "__main__":
    sys.exit(main())
