"""LibreOffice conversion time: per document, per page, and its share of extraction time.

Run: .venv/bin/python benchmarks/office.py [--scale small] [--workers 2]

Ingests (1) the office documents of the real-world corpus (tests/files/realworld: .doc,
.ppt, .rtf, .odt, .odp, .wps) and (2) the synthetic leak of the given scale, each into a
fresh case with `guwah ingest --no-ocr`, and reads what every item recorded: the seconds
LibreOffice took to convert it to PDF (``meta.conversion``), its pages, and each item's
extraction seconds. The share is conversion seconds over all items' extraction seconds
(worker time), beside the wall time of the whole ingest.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
from pathlib import Path

from common import OUT, ROOT, ensure_leak, run_guwah

sys.path.insert(0, str(ROOT / "src"))

OFFICE_SUFFIXES = {".doc", ".ppt", ".rtf", ".odt", ".odp", ".wps"}


def measure(name: str, leak: Path, workers: int) -> None:
    from sqlalchemy import select

    from guwah.case import Case
    from guwah.store.models import Item

    case_dir = OUT / f"office-case-{name}"
    shutil.rmtree(case_dir, ignore_errors=True)
    run_guwah("init", str(case_dir))
    config = case_dir / "guwah.toml"
    config.write_text(config.read_text().replace("workers = 0", f"workers = {workers}"))
    wall = run_guwah("ingest", str(leak), "--case", str(case_dir), "--no-ocr")
    case = Case.open(case_dir)
    with case.sessions() as s:
        metas = [m or {} for m in s.scalars(select(Item.meta))]
    conv = [m["conversion"] for m in metas if "conversion" in m and m["conversion"]["seconds"]]
    total = sum(float(m.get("seconds", 0) or 0) for m in metas)
    secs = sorted(c["seconds"] for c in conv)
    pages = sum(c["pages"] for c in conv)
    if not secs:
        print(f"{name}: no document converted")
        return
    conv_total = sum(secs)
    print(
        f"{name}: {len(metas)} items, ingest wall {wall:.1f} s ({workers} workers); "
        f"{len(secs)} documents converted, {pages} pages; per document median "
        f"{statistics.median(secs):.2f} s, max {secs[-1]:.2f} s; per page "
        f"{conv_total / max(pages, 1):.2f} s; conversion {conv_total:.1f} s of "
        f"{total:.1f} s extraction (worker time) = {100 * conv_total / max(total, 1e-9):.0f} %"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="small")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    corpus = OUT / "office-corpus"
    shutil.rmtree(corpus, ignore_errors=True)
    corpus.mkdir(parents=True)
    for p in (ROOT / "tests" / "files" / "realworld").iterdir():
        if p.suffix.lower() in OFFICE_SUFFIXES:
            shutil.copy2(p, corpus / p.name)
    measure("real-world office documents", corpus, args.workers)
    leak, _ = ensure_leak(args.scale, args.seed)
    measure(f"synthetic leak ({args.scale})", leak, args.workers)


if __name__ == "__main__":
    main()
