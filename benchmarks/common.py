"""What the benchmark scripts share: where they work, running `guwah`, the cached leaks."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench-out"


def guwah(*args: str) -> list[str]:
    """The command line that runs ``guwah ARGS`` with this interpreter."""
    return [sys.executable, "-m", "guwah", *args]


def run_guwah(*args: str) -> float:
    """Run ``guwah ARGS`` with its output discarded; the seconds it took."""
    started = time.perf_counter()
    subprocess.run(guwah(*args), check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def ensure_leak(scale: str, seed: int) -> tuple[Path, Path]:
    """The synthetic leak and its truth file under bench-out/, generated once."""
    leak = OUT / f"leak-{scale}-{seed}"
    truth = OUT / f"leak-{scale}-{seed}.truth.json"
    if not leak.exists():
        print(f"generating the {scale} synthetic leak (seed {seed}) …", flush=True)
        subprocess.run(
            guwah("synth", str(leak), "--seed", str(seed), "--scale", scale, "--truth", str(truth)),
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return leak, truth
