"""The executor survives a worker that crashes or hangs, and blames the right task."""

from __future__ import annotations

import os
from pathlib import Path

from guwah.config import Limits
from guwah.ingest.executor import ProcessExecutor, SerialExecutor, WorkerCrash
from guwah.ingest.tasks import ExtractTask, extract_task


def crash_on_seven(n: int) -> int:
    if n == 7:
        os.abort()  # a C library dying on a malicious file looks like this
    return n * n


def test_a_crashing_task_is_isolated_and_the_rest_complete() -> None:
    ex = ProcessExecutor(workers=2)
    try:
        results = dict(ex.imap_unordered(crash_on_seven, range(20)))
    finally:
        ex.close()
    assert set(results) == set(range(20))
    crash = results[7]
    assert isinstance(crash, WorkerCrash) and crash.task == 7
    assert all(results[n] == n * n for n in range(20) if n != 7)


def test_serial_executor_gives_the_same_results() -> None:
    results = dict(SerialExecutor().imap_unordered(abs, [-1, -2, 3]))
    assert results == {-1: 1, -2: 2, 3: 3}


def test_an_extraction_over_its_time_limit_is_stopped_with_a_clear_error(tmp_path: Path) -> None:
    big = tmp_path / "big.csv"
    row = ",".join(f"值{i}" for i in range(40)) + "\n"
    big.write_text(row * 40_000, encoding="utf-8")
    task = ExtractTask(1, "0" * 64, str(big), "text/csv", Limits(item_timeout_s=0.05), "eng")
    outcome = extract_task(task)
    assert outcome.status == "error" and outcome.cause == "timeout"
    assert "0.05 s" in (outcome.message or "")
    # with time enough, the same file reads
    ok = extract_task(ExtractTask(1, "0" * 64, str(big), "text/csv", Limits(), "eng"))
    assert ok.status == "ok" and ok.extraction is not None
    assert ok.extraction.sheets[0].n_rows == 40_000
