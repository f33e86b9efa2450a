"""The Dask executor on a real ``distributed`` cluster: the same case as the process pool,
a worker that dies fails only its item, an unreachable scheduler is a clear error before
any work, and a scheduler that goes away stops the run so that a rerun resumes it."""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from guwah.case import Case
from guwah.config import Limits
from guwah.ingest.executor import WorkerCrash, make_executor, parse_executor
from guwah.ingest.executor_dask import DaskError, DaskExecutor
from guwah.ingest.pipeline import ingest
from guwah.ingest.tasks import ExtractTask, extract_task, time_limit
from guwah.store.custody import verify
from guwah.store.models import Item, Occurrence
from tests.conftest import run_cli
from tests.test_bad_input import hostile_ppt_case, items_by_path
from tests.test_resume import _count, _leak_and_clean_state
from tests.test_resume import _state as _resume_state


def crash_on_seven(n: int) -> int:
    if n == 7:
        os._exit(3)  # a C library dying on a malicious file looks like this to the worker
    return n * n


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _without_seconds(value: Any) -> Any:
    """``meta`` without its timings (the only thing two runs may differ in)."""
    if isinstance(value, dict):
        return {k: _without_seconds(v) for k, v in value.items() if not k.startswith("seconds")}
    if isinstance(value, list):
        return [_without_seconds(v) for v in value]
    return value


def _case_state(case_dir: Path) -> dict[str, object]:
    """Items (with meta), paths, pages (OCR too), sheets, cells and custody, by SHA-256."""
    import json

    db = sqlite3.connect(case_dir / "guwah.db")
    q = db.execute
    items = [
        (*row[:-1], _without_seconds(json.loads(row[-1])))
        for row in q(
            "SELECT sha256, size, mime, magic, status, error_cause, error, extractor, "
            "extractor_version, ocr_status, ocr_error, meta FROM items ORDER BY sha256"
        )
    ]
    state = {
        "items": items,
        "occurrences": q(
            "SELECT o.path, i.sha256, o.status, o.depth FROM occurrences o "
            "LEFT JOIN items i ON i.id = o.item_id ORDER BY o.path"
        ).fetchall(),
        "pages": q(
            "SELECT i.sha256, p.page_no, p.method, p.text, p.confidence, p.language FROM pages p "
            "JOIN items i ON i.id = p.item_id ORDER BY 1, 2, 3"
        ).fetchall(),
        "sheets": q(
            "SELECT i.sha256, s.sheet_index, s.name, s.n_rows, s.n_cols, s.merged, s.truncated "
            "FROM sheets s JOIN items i ON i.id = s.item_id ORDER BY 1, 2"
        ).fetchall(),
        "cells": q(
            "SELECT i.sha256, s.sheet_index, c.row, c.col, c.value, c.vtype FROM cells c "
            "JOIN sheets s ON s.id = c.sheet_id JOIN items i ON i.id = s.item_id ORDER BY 1, 2, 3, 4"
        ).fetchall(),
        "custody": q(
            "SELECT event, item_sha256, details FROM custody_events WHERE event != 'received' "
            "ORDER BY 1, 2, 3"
        ).fetchall(),
    }
    db.close()
    return state


# --- the option ------------------------------------------------------------------------


def test_the_executor_option_names_the_pool_a_local_cluster_or_a_scheduler() -> None:
    assert parse_executor("").kind == parse_executor("pool").kind == "pool"
    assert parse_executor("dask-local").workers is None
    assert parse_executor("dask-local:3").workers == 3
    assert parse_executor("dask://10.0.0.5").address == "tcp://10.0.0.5:8786"
    assert parse_executor("dask://sched.lan:9000").address == "tcp://sched.lan:9000"
    assert parse_executor("tcp://127.0.0.1:8786").address == "tcp://127.0.0.1:8786"
    assert parse_executor("tls://[::1]:8786").address == "tls://[::1]:8786"
    for bad in ("dask-local:0", "dask-local:x", "dask://", "tcp://host:99999", "spark://h", "x"):
        with pytest.raises(ValueError, match="dask"):
            parse_executor(bad)


def test_a_bad_executor_is_a_usage_error_naming_the_forms(tmp_path: Path) -> None:
    run_cli("init", tmp_path / "case")
    proc = run_cli(
        "ingest", tmp_path, "--case", tmp_path / "case", "--executor", "spark://x", check=False
    )
    assert proc.returncode == 2
    assert "dask-local" in proc.stderr and "dask://HOST" in proc.stderr
    both = run_cli(
        "extract", "--case", tmp_path / "case", "--serial", "--executor", "dask-local", check=False
    )
    assert both.returncode == 2 and "--serial" in both.stderr


# --- faults ----------------------------------------------------------------------------


def test_a_task_that_kills_its_worker_is_isolated_and_the_rest_complete() -> None:
    ex = DaskExecutor(workers=2)
    try:
        results = dict(ex.imap_unordered(crash_on_seven, range(20)))
    finally:
        ex.close()
    assert set(results) == set(range(20))
    crash = results[7]
    assert isinstance(crash, WorkerCrash) and crash.task == 7
    assert "limits.item_timeout_s" in crash.message
    assert all(results[n] == n * n for n in range(20) if n != 7)


def test_the_time_limit_stops_an_extraction_off_the_main_thread(tmp_path: Path) -> None:
    """Dask runs tasks in a worker's thread, where there are no signals: the same limit."""
    big = tmp_path / "big.csv"
    row = ",".join(f"值{i}" for i in range(40)) + "\n"
    big.write_text(row * 40_000, encoding="utf-8")
    task = ExtractTask(1, "0" * 64, str(big), "text/csv", Limits(item_timeout_s=0.05), "eng")
    got: list[Any] = []
    errors: list[BaseException] = []

    def work() -> None:
        got.append(extract_task(task))
        try:  # work that ends in time is never hit by a stop later
            for _ in range(20):
                with time_limit(0.2):
                    pass
            time.sleep(0.6)
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=work)
    thread.start()
    thread.join(60)
    assert got and got[0].status == "error" and got[0].cause == "timeout", got
    assert "0.05 s" in (got[0].message or "")
    assert not errors


def _kill_readers(path: str, stop: threading.Event, kills: list[int]) -> None:
    """Until ``stop``: SIGKILL every worker process (a child of this one) reading ``path``."""
    import psutil

    me = psutil.Process()
    while not stop.wait(0.02):
        for proc in me.children(recursive=True):
            try:
                if "python" in proc.name() and any(f.path == path for f in proc.open_files()):
                    proc.kill()
                    kills.append(proc.pid)
            except psutil.Error:  # gone meanwhile
                continue


def test_a_worker_killed_mid_task_fails_only_its_item(tmp_path: Path) -> None:
    """Every worker process that reads one workbook is killed while it reads it (openpyxl
    takes seconds over 20,000 rows): the scheduler runs the task once more, it is sent
    again alone, then recorded as a crash; every other file is read."""
    import hashlib

    import openpyxl

    leak = tmp_path / "leak"
    leak.mkdir()
    wb = openpyxl.Workbook(write_only=True)
    sheet = wb.create_sheet("名单")
    for r in range(20_000):
        sheet.append([f"姓名{r}", r, f"地址{r}", r * 2])
    wb.save(leak / "roster.xlsx")
    for i in range(12):
        (leak / f"fine-{i}.txt").write_text(f"会议纪要 meeting notes {i}\n", encoding="utf-8")
    case = Case.init(tmp_path / "case")
    blob = str(case.blobs.path_for(hashlib.sha256((leak / "roster.xlsx").read_bytes()).hexdigest()))
    executor = make_executor(2, spec=parse_executor("dask-local:2"), store=str(case.blobs.root))
    stop, kills = threading.Event(), []
    killer = threading.Thread(target=_kill_readers, args=(blob, stop, kills), daemon=True)
    killer.start()
    started = time.monotonic()
    try:
        stats = ingest(case, [leak], executor=executor)  # closes the executor
    finally:
        stop.set()
        killer.join()
    assert time.monotonic() - started < 90
    assert len(kills) >= 2, kills  # the first run and the scheduler's one retry (at least)
    with case.sessions() as s:
        by_path = {
            o.path: i
            for o, i in s.execute(
                select(Occurrence, Item).join(Item, Item.id == Occurrence.item_id)
            )
        }
    roster = by_path["roster.xlsx"]
    assert roster.status == "error" and roster.error_cause == "crash"
    assert "Dask worker died" in (roster.error or "")
    assert all(by_path[f"fine-{i}.txt"].status == "ok" for i in range(12))
    assert stats.extracted == 13 and dict(stats.errors) == {"crash": 1}


def test_a_reader_that_swallows_the_time_limit_is_stopped_on_a_dask_worker(
    tmp_path: Path,
) -> None:
    """The mutated .ppt of test_bad_input swallows the stop; on a Dask worker's thread it is
    stopped too (or its process ended): the item is an error, the rest is read. (LibreOffice
    sometimes refuses the file before the loop is reached: then it is recorded as corrupt.)"""
    case, leak = hostile_ppt_case(tmp_path)
    started = time.monotonic()
    ingest(case, [leak], executor=make_executor(2, spec=parse_executor("dask-local:2")))
    assert time.monotonic() - started < 90
    items = items_by_path(case)
    cause, error = items["x.ppt"].error_cause, items["x.ppt"].error or ""
    assert items["x.ppt"].status == "error" and cause in ("timeout", "crash", "corrupt"), error
    if cause != "corrupt":
        assert "took longer than 2 s" in error or "limits.item_timeout_s" in error, error
    assert items["fine.txt"].status == "ok"


def test_an_unreachable_scheduler_is_a_clear_error_before_any_work(tmp_path: Path) -> None:
    port = _free_port()  # nothing listens there
    case_dir = tmp_path / "case"
    run_cli("init", case_dir)
    (tmp_path / "leak").mkdir()
    (tmp_path / "leak" / "a.txt").write_text("a")
    started = time.monotonic()
    proc = run_cli(
        "ingest", tmp_path / "leak", "--case", case_dir, "--executor", f"dask://127.0.0.1:{port}",
        check=False,
    )  # fmt: skip
    assert time.monotonic() - started < 30
    assert proc.returncode == 2, proc.stderr
    err = " ".join(proc.stderr.split())
    assert f"cannot reach the Dask scheduler at tcp://127.0.0.1:{port}" in err
    assert "dask scheduler" in err and "--executor dask-local" in err  # what to do next
    assert "Traceback" not in proc.stderr
    for command in ("extract", "ocr"):  # the same option, the same error
        other = run_cli(
            command, "--case", case_dir, "--executor", f"tcp://127.0.0.1:{port}", check=False
        )
        assert other.returncode == 2 and "cannot reach the Dask scheduler" in other.stderr
    with pytest.raises(DaskError, match="cannot reach"):
        DaskExecutor(f"tcp://127.0.0.1:{port}").start()
    db = sqlite3.connect(case_dir / "guwah.db")
    assert db.execute("SELECT count(*) FROM items").fetchone()[0] == 0  # nothing half-done
    db.close()


def _spawn(*args: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES": "1"}
    return subprocess.Popen(
        [sys.executable, "-m", *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        env=env,
    )


def _end(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


def test_a_scheduler_gone_mid_run_stops_the_ingest_and_a_rerun_resumes(tmp_path: Path) -> None:
    """`dask scheduler` and `dask worker` as an operator starts them; the scheduler is
    killed while results come in; the ingest exits with what to do; the rerun completes."""
    leak, expected = _leak_and_clean_state(tmp_path)  # one ingest on the process pool
    address = f"tcp://127.0.0.1:{_free_port()}"
    port = address.rpartition(":")[2]
    scheduler = _spawn(
        "distributed.cli.dask_scheduler", "--host", "127.0.0.1", "--port", port, "--no-dashboard"
    )
    worker = _spawn(
        "distributed.cli.dask_worker", address, "--nworkers", "2", "--nthreads", "1",
        "--no-dashboard", "--death-timeout", "60",
    )  # fmt: skip
    case_dir = tmp_path / "resumed"
    run_cli("init", case_dir)
    try:
        deadline = time.monotonic() + 60
        while socket.socket().connect_ex(("127.0.0.1", int(port))) and time.monotonic() < deadline:
            time.sleep(0.2)
        run = subprocess.Popen(
            [sys.executable, "-m", "guwah", "ingest", str(leak), "--case", str(case_dir),
             "--no-ocr", "--executor", address],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env={**os.environ, "COLUMNS": "200", "NO_COLOR": "1"},
        )  # fmt: skip
        killed_at = None
        while run.poll() is None and time.monotonic() < deadline + 120:
            if _count(case_dir, "SELECT count(*) FROM items WHERE status != 'pending'") >= 60:
                _end(scheduler)
                killed_at = time.monotonic()
                break
            time.sleep(0.01)
        _, err = run.communicate(timeout=120)
    finally:
        _end(scheduler)
        _end(worker)
    assert killed_at is not None, "the run ended before the scheduler could be stopped"
    assert time.monotonic() - killed_at < 60  # it stopped, it did not hang
    assert run.returncode == 2, err
    err = " ".join(err.split())
    assert f"the Dask scheduler at {address} went away during the run" in err
    assert "run the same command to resume" in err and "Traceback" not in err
    db = sqlite3.connect(case_dir / "guwah.db")
    assert db.execute("SELECT status FROM runs ORDER BY id DESC").fetchone()[0] == "interrupted"
    assert db.execute("SELECT count(*) FROM items WHERE status = 'pending'").fetchone()[0] > 0
    db.close()

    run_cli("ingest", leak, "--case", case_dir, "--no-ocr")  # the rerun (the process pool)
    got = _resume_state(case_dir)
    for key in ("items", "occurrences", "pages", "stored"):
        assert got[key] == expected[key], key
    case = Case.open(case_dir)
    with case.sessions() as s:
        assert verify(s, case.blobs).ok


# --- the same case ---------------------------------------------------------------------


@pytest.mark.requires("tesseract")
def test_the_small_synthetic_leak_gives_the_same_case_on_dask_and_the_pool(
    tmp_path: Path,
) -> None:
    """`guwah ingest` (extraction and OCR) on a local Dask cluster and on the process pool:
    the same items, paths, pages, sheets, cells and custody, and a chain that verifies."""
    leak = tmp_path / "leak"
    run_cli("synth", leak, "--seed", "3", "--scale", "small")
    states = {}
    for name, option in (("pool", "pool"), ("dask", "dask-local:2")):
        case_dir = tmp_path / name
        run_cli("init", case_dir)
        out = run_cli("ingest", leak, "--case", case_dir, "--workers", "2", "--executor", option)
        assert "No errors." in out.stdout
        states[name] = _case_state(case_dir)
        case = Case.open(case_dir)
        with case.sessions() as s:
            assert verify(s, case.blobs).ok
    pool, dask = states["pool"], states["dask"]
    assert len(pool["items"]) > 250 and pool["cells"] and pool["sheets"]  # type: ignore[arg-type]
    assert any(row[2] == "ocr" for row in pool["pages"])  # type: ignore[union-attr]
    for key in pool:
        assert dask[key] == pool[key], key
