"""benchmarks/scaling.py in its smallest configuration, so that it cannot rot: a tiny
synthetic leak, the process pool with 1 and 2 workers, then the ``--max-minutes`` bound."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"


def _scaling() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_scaling", BENCH / "scaling.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_scaling_smallest_configuration(tmp_path: Path) -> None:
    scaling = _scaling()
    out = tmp_path / "scaling"
    args = ["--scale", "40", "--workers", "2,1", "--executors", "pool", "--out", str(out)]
    report = scaling.main([*args, "--max-minutes", "5"])

    runs = report["runs"]
    assert [(r["executor"], r["workers"], r["rc"]) for r in runs] == [
        ("pool", 1, 0),
        ("pool", 2, 0),
    ]
    assert report["files"] > 0 and all(r["wall_s"] > 0 for r in runs)
    # the same leak gives the same items, whatever the number of workers
    assert runs[0]["items"] == runs[1]["items"] >= report["files"]
    assert json.loads((out / "scaling.json").read_text(encoding="utf-8")) == report
    md = (out / "scaling.md").read_text(encoding="utf-8").splitlines()
    assert md[0].startswith("| executor | workers | ingest wall s | files/s | speed-up vs 1 |")
    assert md[2].startswith("| pool | 1 | ") and "| 1.00x |" in md[2] and md[2].endswith("| ok |")
    assert md[3].startswith("| pool | 2 | ") and md[3].endswith("| ok |")
    assert not list(out.glob("case-*/")), "cases are removed unless --keep"

    # the bound: with the leak made, no run starts once --max-minutes has passed
    bounded = scaling.main([*args, "--max-minutes", "0"])
    assert [r.get("skipped") for r in bounded["runs"]] == [True, True]
    assert "skipped: --max-minutes" in (out / "scaling.md").read_text(encoding="utf-8")
