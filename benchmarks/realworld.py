"""The real-world corpus as a new user meets it: one `guwah ingest`, then what came of each file.

Run: .venv/bin/python benchmarks/realworld.py [--corpus tests/files/realworld] [--workers 2]

Ingests the corpus (files from other tools' test suites, sources in its SOURCES.md) into a
fresh case with the plain command line, then counts, from the case database: files and
formats (by suffix), files preserved byte for byte, statuses and error causes (`reader_bug`
must be 0), and the share of the files listed in ``holds_text.txt`` that gave text — a page
with text or a cell, from the file itself or from anything found inside it (attachments,
archive members, embedded pictures through OCR). OCR runs, as `guwah ingest` does by
default.
"""

from __future__ import annotations

import argparse
import collections
import hashlib
import shutil
import sys
from pathlib import Path

from common import OUT, ROOT, run_guwah

sys.path.insert(0, str(ROOT / "src"))

NOT_CORPUS = {"SOURCES.md", "holds_text.txt"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=ROOT / "tests" / "files" / "realworld")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    from sqlalchemy import select

    from guwah.case import Case
    from guwah.store.models import Cell, Item, Occurrence, Page, Sheet

    files = sorted(p for p in args.corpus.iterdir() if p.name not in NOT_CORPUS)
    holds = [
        ln.strip()
        for ln in (args.corpus / "holds_text.txt").read_text(encoding="utf-8").splitlines()
        if ln.strip() and not ln.startswith("#")
    ]
    leak = OUT / "realworld-leak"
    case_dir = OUT / "realworld-case"
    for d in (leak, case_dir):
        shutil.rmtree(d, ignore_errors=True)
    leak.mkdir(parents=True)
    for f in files:
        shutil.copy2(f, leak / f.name)
    run_guwah("init", str(case_dir))
    config = case_dir / "guwah.toml"
    config.write_text(config.read_text().replace("workers = 0", f"workers = {args.workers}"))
    wall = run_guwah("ingest", str(leak), "--case", str(case_dir))

    case = Case.open(case_dir)
    with case.sessions() as s:
        rows = s.execute(select(Occurrence.path, Item).join(Item, Item.id == Occurrence.item_id))
        by_path = {path: item for path, item in rows}
        with_text = set(s.scalars(select(Page.item_id).where(Page.text != "")))
        with_text |= set(s.scalars(select(Sheet.item_id).join(Cell, Cell.sheet_id == Sheet.id)))

    def gave_text(name: str) -> bool:
        ids = {i.id for p, i in by_path.items() if p == name or p.startswith(name + "!/")}
        return bool(ids & with_text)

    preserved = sum(
        1
        for f in files
        if f.name in by_path
        and by_path[f.name].sha256 == hashlib.sha256(f.read_bytes()).hexdigest()
        and case.blobs.path_for(by_path[f.name].sha256).read_bytes() == f.read_bytes()
    )
    top = [by_path[f.name] for f in files if f.name in by_path]
    statuses = collections.Counter(i.status for i in top)
    causes = collections.Counter(i.error_cause for i in top if i.status == "error")
    without = [n for n in holds if not gave_text(n)]
    formats = {f.suffix.lower() for f in files}
    print(f"corpus: {len(files)} files, {len(formats)} formats (by suffix); ingest {wall:.1f} s")
    print(f"preserved byte for byte: {preserved} of {len(files)}")
    print(f"statuses: {dict(statuses)}; error causes: {dict(causes)}")
    print(f"reader_bug: {causes.get('reader_bug', 0)}")
    print(
        f"text from {len(holds) - len(without)} of {len(holds)} files that hold text "
        f"({100 * (len(holds) - len(without)) / max(len(holds), 1):.1f} %)"
        + (f"; none from: {', '.join(without)}" if without else "")
    )


if __name__ == "__main__":
    main()
