"""Every stage on two (or more) scales side by side: wall time, peak memory of the whole
process tree (main process and workers, sampled from /proc), and the database's size.

Each scale gets a fresh synthetic leak and case under ``--out``; each stage is run as a
user runs it (``python -m guwah …`` in a subprocess, under ``nice``), so the memory is
what the command's processes hold, not what this script does.

Example (issue 21's comparison; xl takes hours on a laptop):

    .venv/bin/python benchmarks/scale.py --scales small medium --out bench-out/scale
    .venv/bin/python benchmarks/scale.py --scales large xl --out /big/scale
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from treemem import measure  # noqa: E402

# The public sanctions lists beside the checkout (see ../shared/data/README.md).
DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def stages(leak: Path, case: Path, scale: str, seed: int) -> list[tuple[str, list[str]]]:
    g = [sys.executable, "-m", "guwah"]
    return [
        ("synth", [*g, "synth", str(leak), "--scale", scale, "--seed", str(seed)]),
        ("init", [*g, "init", str(case)]),
        ("ingest --no-ocr", [*g, "ingest", "--case", str(case), "--no-ocr", str(leak)]),
        ("records", [*g, "records", "--case", str(case)]),
        ("verify", [*g, "verify", "--case", str(case)]),
        ("verify (warm)", [*g, "verify", "--case", str(case)]),
        ("analyse", [*g, "analyse", "--case", str(case), "--out", str(case.parent / "tables")]),
        ("officials build", [*g, "officials", "build", "--case", str(case)]),
        (
            "lists import ofac",
            [
                *g,
                "lists",
                "import",
                str(DATA / "ofac" / "sdn-2024-05-03.csv"),
                "--format",
                "ofac-csv",
                "--name",
                "ofac",
                "--as-of",
                "2024-05-03",
                "--case",
                str(case),
            ],
        ),
        (
            "lists import eu",
            [
                *g,
                "lists",
                "import",
                str(DATA / "eu" / "ghrsr-32020R1998.csv"),
                "--format",
                "eu-csv",
                "--name",
                "eu",
                "--case",
                str(case),
            ],
        ),
        ("gap", [*g, "gap", "--case", str(case), "--out", str(case.parent / "gap.xlsx")]),
    ]


def db_bytes(case: Path) -> int:
    """The case database on disk (SQLite file, its WAL and shared memory)."""
    return sum(p.stat().st_size for p in case.glob("guwah.db*") if p.is_file())


def truth_counts(leak: Path) -> dict[str, int]:
    truth = leak.with_name(leak.name + ".truth.json")
    if not truth.exists():
        return {}
    with truth.open(encoding="utf-8") as fh:
        summary = json.load(fh).get("summary", {})
    return {k: summary[k] for k in ("n_files", "n_people", "n_photos") if k in summary}


def run_scale(out: Path, scale: str, seed: int, nice: int) -> dict[str, object]:
    root = out / f"{scale}-{seed}"
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    leak, case = root / "leak", root / "case"
    rows = []
    for name, cmd in stages(leak, case, scale, seed):
        log = (root / f"{name.split()[0]}.log").open("a", encoding="utf-8")
        res = measure(["nice", "-n", str(nice), *cmd], stdout=log, stderr=log)
        log.close()
        if res["rc"] != 0:
            raise SystemExit(f"{name} on {scale} failed (exit {res['rc']}): see {root}")
        res["db_mib"] = round(db_bytes(case) / 2**20, 1) if case.exists() else 0.0
        rows.append({"stage": name, **res})
        print(f"{scale:>8} {name:<16} {res['wall_s']:>8.1f} s {res['peak_tree_rss_mib']:>8.1f} MiB")
    return {"scale": scale, "seed": seed, "counts": truth_counts(leak), "stages": rows}


def table(results: list[dict[str, object]]) -> str:
    scales = [str(r["scale"]) for r in results]
    head = "| stage | " + " | ".join(
        f"{s}: wall s | {s}: peak tree MiB | {s}: db MiB" for s in scales
    )
    lines = [head + " |", "|---|" + "---:|" * (3 * len(scales))]
    names = [s["stage"] for s in results[0]["stages"]]  # type: ignore[index]
    for i, name in enumerate(names):
        cells = []
        for r in results:
            s = r["stages"][i]  # type: ignore[index]
            cells += [f"{s['wall_s']:.1f}", f"{s['peak_tree_rss_mib']:.0f}", f"{s['db_mib']:.1f}"]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    counts = "; ".join(f"{r['scale']}: {r['counts']}" for r in results)
    return "\n".join(lines) + f"\n\nLeaks: {counts}\n"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scales", nargs="+", default=["small", "medium"])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", type=Path, default=Path("bench-out/scale"))
    ap.add_argument("--nice", type=int, default=10)
    args = ap.parse_args()
    started = time.perf_counter()
    results = [run_scale(args.out, s, args.seed, args.nice) for s in args.scales]
    (args.out / "scale.json").write_text(json.dumps(results, indent=1), encoding="utf-8")
    print(table(results))
    print(f"({time.perf_counter() - started:.0f} s in all; {args.out / 'scale.json'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
