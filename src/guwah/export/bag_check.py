"""Checking an evidence package against itself (BagIt) and against the case it came from."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import bagit
from sqlalchemy import select

from guwah.case import Case, CaseError
from guwah.store.blobs import hash_file
from guwah.store.custody import VerifyReport, verify_chain
from guwah.store.models import CustodyEvent, Item


@dataclass
class BagCheck:
    """What is wrong with a bag, by kind; empty lists mean it holds."""

    bag: Path
    originals: int = 0
    events: int = 0
    head: str = ""
    head_seq: int | None = None
    bag_errors: list[str] = field(default_factory=list)  # BagIt: mismatch, missing, unexpected
    not_in_case: list[str] = field(default_factory=list)
    differ: list[str] = field(default_factory=list)
    custody: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.bag_errors or self.not_in_case or self.differ or self.custody)


def _bagit_errors(path: Path) -> list[str]:
    try:
        bag = bagit.Bag(str(path))
        bag.validate(processes=os.cpu_count() or 1)
    except bagit.BagValidationError as exc:
        details = [str(d) for d in exc.details] if exc.details else []
        return details or [str(exc)]
    except bagit.BagError as exc:
        return [f"not a valid bag: {exc}"]
    return []


def _load_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CaseError(f"cannot read {path}: {exc}: is this a guwah evidence package?") from exc


def check_bag(case: Case, path: Path) -> BagCheck:
    """Validate the bag at ``path`` and check that it is faithful to ``case``."""
    report = BagCheck(bag=path)
    report.bag_errors = _bagit_errors(path)
    data = path / "data"
    entries = _load_json(data / "items.json")
    report.head = (data / "custody" / "head.txt").read_text(encoding="utf-8").strip()
    with case.sessions() as session:
        for e in entries:
            report.originals += 1
            item = session.scalar(select(Item).where(Item.sha256 == e["sha256"]))
            if item is None:
                report.not_in_case.append(f"{e['bag_path']}: the case holds no item {e['sha256']}")
                continue
            if e.get("bag_path") is None:  # a pseudonymised package: copies, checked by BagIt
                if e["size"] != item.size:
                    report.differ.append(f"{e['sha256']}: the case's original has another size")
                continue
            file = path / e["bag_path"]
            actual = hash_file(file) if file.is_file() else "missing"
            if actual != item.sha256 or e["size"] != item.size:
                report.differ.append(
                    f"{e['bag_path']}: not the case's original {item.sha256} (the file "
                    f"hashes to {actual})"
                )
        report.head_seq = session.scalar(
            select(CustodyEvent.seq).where(CustodyEvent.hash == report.head)
        )
        if report.head_seq is None:
            report.custody.append(
                f"the bag's custody head {report.head} is no event of this case's chain"
            )
        with (data / "custody" / "events.jsonl").open(encoding="utf-8") as fh:
            for line in fh:
                ev = json.loads(line)
                report.events += 1
                ours = session.scalar(
                    select(CustodyEvent.hash).where(CustodyEvent.seq == ev["seq"])
                )
                if ours != ev["hash"]:
                    report.custody.append(
                        f"custody event {ev['seq']} ({ev['event']}) in the bag is not the "
                        "case's event of that number"
                    )
        chain = VerifyReport()
        verify_chain(session, chain)
        report.custody.extend(f"the case's chain: {b}" for b in chain.chain_breaks)
    return report
