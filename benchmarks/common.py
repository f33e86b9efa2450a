"""What the benchmark scripts share: where they work, running `guwah`, the cached leaks."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench-out"


def guwah(*args: str) -> list[str]:
    """The command line that runs ``guwah ARGS`` with this interpreter."""
    return [sys.executable, "-m", "guwah", *args]


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
