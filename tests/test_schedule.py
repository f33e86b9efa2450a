"""Scheduling by cost: costly tasks keep every worker busy, cheap tasks keep their chunks.

Observed, not timed: the OCR test watches this process's own descendants in /proc and
counts the Tesseract processes alive at the same moment.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path

from guwah.case import Case
from guwah.ingest.executor import ProcessExecutor, task_cost
from guwah.ingest.ocr_stage import run_ocr
from guwah.ingest.pipeline import ingest
from tests.test_ocr import LINES, needs_font, needs_tesseract, render


def _descendant_commands(root: int) -> list[str]:
    """Command names of every living descendant of ``root`` (Linux /proc)."""
    parents: dict[int, int] = {}
    names: dict[int, str] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        # pid (comm) state ppid ...: comm may hold spaces and parentheses
        comm = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2 :].split()
        if fields[0] == "Z":
            continue
        parents[int(entry)], names[int(entry)] = int(fields[1]), comm
    found = []
    for pid, name in names.items():
        p = pid
        while p > 1:
            p = parents.get(p, 0)
            if p == root:
                found.append(name)
                break
    return found


class TesseractWatch:
    """Samples, in a thread, how many Tesseract processes of ours run at once."""

    def __init__(self) -> None:
        self.most = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        me = os.getpid()
        while not self._stop.is_set():
            n = sum(1 for name in _descendant_commands(me) if name.startswith("tesseract"))
            self.most = max(self.most, n)
            self._stop.wait(0.02)

    def __enter__(self) -> TesseractWatch:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


@needs_tesseract
@needs_font
def test_two_workers_run_two_tesseracts_at_once_on_four_pages(case: Case, tmp_path: Path) -> None:
    leak = tmp_path / "leak"
    leak.mkdir()
    for i in range(4):  # four distinct pages (distinct content, four items)
        render([f"第{i + 1}页", *LINES * 4]).save(leak / f"scan-{i}.png")
    ingest(case, [leak], executor=ProcessExecutor(workers=2))
    with TesseractWatch() as watch:
        stats = run_ocr(case, executor=ProcessExecutor(workers=2))
    assert stats.items == 4 and stats.errors == 0
    assert watch.most == 2, f"at most {watch.most} Tesseract ran at once"


@dataclass(frozen=True)
class Job:
    n: int
    cost: float = 0.0


def whose(job: Job) -> int:
    return os.getpid()


def test_cheap_tasks_keep_their_chunks_costly_ones_travel_alone() -> None:
    ex = ProcessExecutor(workers=2, chunk_size=8)
    try:
        cheap = dict(ex.imap_unordered(whose, [Job(n) for n in range(16)]))
        costly = list(ex.imap_unordered(whose, [Job(n, cost=5.0) for n in range(4)]))
    finally:
        ex.close()
    # a chunk of 8 runs in one worker process: tasks 0-7 share a process, 8-15 too
    assert len({cheap[Job(n)] for n in range(8)}) == 1
    assert len({cheap[Job(n)] for n in range(8, 16)}) == 1
    assert len(costly) == 4
    chunks = list(ProcessExecutor(workers=2)._chunks(iter([Job(n, cost=5.0) for n in range(4)])))
    assert chunks == [[Job(n, cost=5.0)] for n in range(4)]
    # cheap tasks close a chunk once their estimated cost reaches COSTLY_S
    mixed = [Job(0, 0.4), Job(1, 0.4), Job(2, 0.4), Job(3, 0.0), Job(4, 9.0), Job(5)]
    assert list(ProcessExecutor(workers=2)._chunks(iter(mixed))) == [
        [Job(0, 0.4), Job(1, 0.4), Job(2, 0.4)],
        [Job(4, 9.0)],
        [Job(3, 0.0), Job(5)],
    ]


def test_task_cost_reads_the_estimate_and_ignores_nonsense() -> None:
    assert task_cost(Job(1, 2.5)) == 2.5
    assert task_cost(Job(1, -1.0)) == 0.0
    assert task_cost(7) == 0.0
