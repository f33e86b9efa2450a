"""Analysis correctness and speed on the synthetic leak, scored against its ground truth.

Run: .venv/bin/python benchmarks/analyse.py [--scale medium] [--seed 1] [--pdf]

Generates the leak (or reuses bench-out/leak-SCALE-SEED), ingests it into a fresh case
(``guwah ingest --no-ocr``; reused if present), builds the records, imports the 2020 census
(``../shared/data/census/``), then times ``guwah analyse`` (the command, process start
included, and the library call alone) and ``guwah report`` (HTML, and PDF with --pdf), and
checks that every count the truth states is equal (guwah.analyse.evaluate). The report's
people are in the CSV files beside it (references N1…, their SHA-256 in the report): their
number and size are printed too.

Run it with PYTHONPATH=src (``python -m guwah`` children inherit it) to time this tree's code,
or PYTHONPATH=OTHER/src to time another tree's on the same case.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import time
from pathlib import Path

from common import OUT, ROOT, ensure_leak, run_guwah

CENSUS = ROOT.parent / "shared" / "data" / "census" / "census_county_2020_v1.xlsx"


def timed(*args: str) -> str:
    """Run ``guwah ARGS``: its wall time and CPU time (the machine is shared: CPU is steadier)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall = run_guwah(*args)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return f"{wall:.1f} s wall, {cpu:.1f} s CPU"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", default="medium")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--pdf", action="store_true", help="Also time the PDF report.")
    parser.add_argument("--fresh", action="store_true", help="Ingest into a new case.")
    args = parser.parse_args()

    leak, truth_path = ensure_leak(args.scale, args.seed)
    case = OUT / f"case-analyse-{args.scale}-{args.seed}"
    if args.fresh or not (case / "guwah.toml").exists():
        shutil.rmtree(case, ignore_errors=True)
        run_guwah("init", str(case))
        print(
            f"ingest --no-ocr: {run_guwah('ingest', str(leak), '--case', str(case), '--no-ocr'):.1f} s"
        )
        print(f"records build: {run_guwah('records', 'build', '--case', str(case)):.1f} s")
        print(
            f"census import: {run_guwah('reference', 'import', 'census', str(CENSUS), '--case', str(case)):.1f} s"
        )

    cli = timed("analyse", "--case", str(case), "--by", "village")
    print(f"guwah analyse --by village (command, process start included): {cli}")

    from guwah.analyse.evaluate import compare, expected, observed
    from guwah.analyse.stage import Options, analyse
    from guwah.case import Case

    c = Case.open(case)
    with c.sessions() as session:
        started, cpu = time.perf_counter(), time.process_time()
        by_village = analyse(session, Options(by="village"))
        lib, cpu = time.perf_counter() - started, time.process_time() - cpu
        by_county = analyse(session, Options(by="county", groups=("sex",)))
    print(
        f"analyse() library call: {lib:.2f} s wall, {cpu:.2f} s CPU over {len(by_village.people):,} people, "
        f"{len(by_village.counted):,} detained"
    )
    truth = json.loads(truth_path.read_text("utf-8"))
    diffs = compare(expected(truth["people"]), observed(by_village, by_county))
    for name, d in diffs.items():
        print(f"  {name}: {'equal' if not d else f'{len(d)} differences: ' + '; '.join(d[:5])}")
    print("every count equals the truth" if not any(diffs.values()) else "COUNTS DIFFER")

    out = OUT / f"report-{args.scale}-{args.seed}"
    shutil.rmtree(out, ignore_errors=True)
    html = timed("report", "--case", str(case), "--out", str(out / "report.html"))
    print(
        f"guwah report --out report.html: {html} "
        f"({(out / 'report.html').stat().st_size / 1e6:.2f} MB; {_csvs(out / 'report_tables')})"
    )
    if args.pdf:
        pdf = timed("report", "--case", str(case), "--out", str(out / "report.pdf"))
        import pypdfium2

        pages = len(pypdfium2.PdfDocument(str(out / "report.pdf")))
        print(
            f"guwah report --out report.pdf: {pdf} "
            f"({(out / 'report.pdf').stat().st_size / 1e6:.2f} MB, {pages} pages)"
        )


def _csvs(folder: Path) -> str:
    """The CSV files beside a report: how many, their size, and the largest."""
    files = sorted(folder.glob("*.csv"), key=lambda p: -p.stat().st_size)
    total = sum(p.stat().st_size for p in files)
    top = ", ".join(f"{p.name} {p.stat().st_size / 1e6:.1f} MB" for p in files[:4])
    return f"{len(files)} CSV files beside it, {total / 1e6:.1f} MB: {top}"


if __name__ == "__main__":
    main()
