"""Records stage quality and speed on the synthetic leak, scored against its ground truth.

Run: .venv/bin/python benchmarks/records.py [--scale medium] [--seed 1] [--repeats 1]

Generates the leak (or reuses bench-out/leak-SCALE-SEED), ingests it into a fresh case
(``guwah init`` + ``guwah ingest --no-ocr``; reused from an earlier run of this script if
present), builds the records (``guwah records build``, timed, each repeat a full rebuild),
and prints: the share of values read into the right field with the right value (target
≥ 0.99), pairwise precision/recall/F1 of people against the truth (target F1 ≥ 0.98), the
share of relatives linked to the right person, and the time taken.
"""

from __future__ import annotations

import argparse
import shutil

from sqlalchemy import select

from common import OUT, ensure_leak, run_guwah


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", default="medium")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--fresh", action="store_true", help="Ingest into a new case.")
    args = parser.parse_args()

    leak, truth = ensure_leak(args.scale, args.seed)
    case = OUT / f"case-records-{args.scale}-{args.seed}"
    if args.fresh or not (case / "guwah.toml").exists():
        shutil.rmtree(case, ignore_errors=True)
        run_guwah("init", str(case))
        seconds = run_guwah("ingest", str(leak), "--case", str(case), "--no-ocr")
        print(f"ingest --no-ocr: {seconds:.1f} s")

    # the records stage alone: its search-index update is timed by benchmarks/search.py
    times = [
        run_guwah("records", "build", "--case", str(case), "--no-index")
        for _ in range(args.repeats)
    ]

    from guwah.case import Case
    from guwah.records.evaluate import evaluate
    from guwah.store.models import CustodyEvent

    c = Case.open(case)
    with c.sessions() as session:
        ev = evaluate(session, truth)
        details = session.scalars(
            select(CustodyEvent.details)
            .where(CustodyEvent.event == "records_built")
            .order_by(CustodyEvent.seq.desc())
            .limit(1)
        ).one()
    stats = dict(details)
    print(
        f"leak: {leak.name}; {stats['records']:,} records, {stats['people']:,} people, "
        f"{stats['sheets_read']}/{stats['sheets']} sheets read"
    )
    print(
        f"values in the right field: {ev.values_correct:,}/{ev.values_checked:,} = "
        f"{ev.value_accuracy:.4%} (damaged IDs flagged: {ev.values_flagged})"
    )
    print(
        f"truth rows: {ev.truth_rows:,}, missing: {ev.missing_rows}, "
        f"records not in the truth: {ev.spurious_records}"
    )
    print(
        f"people, pairwise: precision {ev.precision:.4f}, recall {ev.recall:.4f}, "
        f"F1 {ev.f1:.4f} ({ev.pairs_truth:,} true pairs)"
    )
    if ev.relations_linked:
        print(
            f"relatives linked: {ev.relations_linked:,}, to the right person: "
            f"{ev.relations_linked_correct / ev.relations_linked:.4%}"
        )
    print("records build (s):", ", ".join(f"{t:.2f}" for t in times))
    if ev.wrong:
        print("wrong by field:", dict(ev.wrong))
        print("\n".join(ev.wrong_examples[:10]))


if __name__ == "__main__":
    main()
