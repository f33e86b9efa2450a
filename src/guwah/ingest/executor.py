"""One interface for mapping work over items: in-process, a pool of worker processes, or a
Dask cluster (``executor_dask.py``), chosen by :func:`parse_executor` from ``--executor``.

Stages hand the executor a top-level function and an iterable of picklable tasks and read
results as they complete. Only the calling process writes to the database (and the
custody log), whichever executor runs the tasks.

A worker that dies (a C library crashing on a malicious file) does not stop the run: the
tasks that were in flight are retried one at a time in a fresh worker, and the one that
kills its worker again comes back as a :class:`WorkerCrash`.

Scheduling by cost: a task may say what it will cost (a ``cost`` attribute, estimated
seconds; :func:`task_cost`). Cheap tasks travel in chunks (one round trip for many small
files); a task estimated at :data:`COSTLY_S` or more (an OCR page, a LibreOffice conversion,
a large PDF) travels alone, and a chunk closes once its estimated cost reaches that much,
so four 25-second OCR pages on two workers run two at a time instead of all four landing
on one worker while the other idles.
"""

from __future__ import annotations

import os
import resource
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from multiprocessing import get_context
from typing import Generic, Literal, Protocol, TypeVar

T = TypeVar("T")
R = TypeVar("R")

COSTLY_S = 1.0  # estimated seconds from which a task is sent alone


def task_cost(task: object) -> float:
    """The task's own estimate of its cost in seconds (``task.cost``), 0 when it has none."""
    try:
        cost = float(getattr(task, "cost", 0.0) or 0.0)
    except (TypeError, ValueError):
        return 0.0
    return cost if cost > 0 else 0.0


@dataclass
class WorkerCrash(Generic[T]):
    task: T
    message: str


class Executor(Protocol):
    workers: int

    def imap_unordered(
        self, fn: Callable[[T], R], tasks: Iterable[T]
    ) -> Iterator[tuple[T, R | WorkerCrash[T]]]: ...

    def close(self) -> None: ...


class SerialExecutor:
    """Runs every task in this process: for debugging and tiny cases."""

    workers = 1

    def imap_unordered(
        self, fn: Callable[[T], R], tasks: Iterable[T]
    ) -> Iterator[tuple[T, R | WorkerCrash[T]]]:
        for task in tasks:
            yield task, fn(task)

    def close(self) -> None:
        return None


def chunked(source: Iterator[T], chunk_size: int, costly_s: float) -> Iterator[list[T]]:
    """Chunks of at most ``chunk_size`` tasks and, past one task, under ``costly_s``.

    A costly task is sent at once, alone; the cheap chunk being filled waits for more
    cheap tasks (or the end of the source).
    """
    chunk: list[T] = []
    cost = 0.0
    for task in source:
        c = task_cost(task)
        if c >= costly_s:
            yield [task]
            continue
        chunk.append(task)
        cost += c
        if len(chunk) >= chunk_size or cost >= costly_s:
            yield chunk
            chunk, cost = [], 0.0
    if chunk:
        yield chunk


def _limit_worker_memory(max_bytes: int) -> None:
    os.environ["OMP_THREAD_LIMIT"] = "1"
    if max_bytes > 0:
        try:
            _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
            cap = max_bytes if hard == resource.RLIM_INFINITY else min(max_bytes, hard)
            resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
        except (ValueError, OSError):
            pass


def _run_chunk(fn: Callable[[T], R], tasks: list[T]) -> list[R]:
    return [fn(task) for task in tasks]


class ProcessExecutor:
    """A process pool with a bounded number of tasks in flight (bounded memory).

    Cheap tasks travel in small chunks: one round trip per chunk instead of per task, which
    matters for leaks of many small files. Costly ones travel alone (:func:`task_cost`),
    so that every worker stays busy to the end.
    """

    def __init__(
        self,
        workers: int = 0,
        memory_bytes: int = 0,
        chunk_size: int = 8,
        chunks_per_worker: int = 2,
        costly_s: float = COSTLY_S,
    ):
        self.workers = workers or os.cpu_count() or 1
        self.memory_bytes = memory_bytes
        self.chunk_size = chunk_size
        self.max_in_flight = self.workers * chunks_per_worker
        self.costly_s = costly_s
        self._pool: ProcessPoolExecutor | None = None

    def _new_pool(self, workers: int) -> ProcessPoolExecutor:
        # forkserver, not fork: the parent runs threads (progress display, database)
        ctx = get_context("forkserver")
        ctx.set_forkserver_preload(["guwah.ingest.tasks", "guwah.ingest.extractors"])
        return ProcessPoolExecutor(
            max_workers=workers,
            mp_context=ctx,
            initializer=_limit_worker_memory,
            initargs=(self.memory_bytes,),
        )

    @property
    def pool(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = self._new_pool(self.workers)
        return self._pool

    def imap_unordered(
        self, fn: Callable[[T], R], tasks: Iterable[T]
    ) -> Iterator[tuple[T, R | WorkerCrash[T]]]:
        chunks = self._chunks(iter(tasks))
        in_flight: dict[Future[list[R]], list[T]] = {}
        exhausted = False
        while True:
            broken: list[T] = []
            while not exhausted and len(in_flight) < self.max_in_flight:
                chunk = next(chunks, None)
                if chunk is None:
                    exhausted = True
                    break
                try:
                    in_flight[self.pool.submit(_run_chunk, fn, chunk)] = chunk
                except BrokenProcessPool:
                    broken.extend(chunk)
            if not in_flight and not broken:
                return
            done, _ = wait(in_flight, return_when=FIRST_COMPLETED) if in_flight else (set(), set())
            for fut in done:
                chunk = in_flight.pop(fut)
                try:
                    results = fut.result()
                except BrokenProcessPool:
                    broken.extend(chunk)
                    continue
                yield from zip(chunk, results, strict=True)
            if broken:
                for chunk in in_flight.values():
                    broken.extend(chunk)
                in_flight.clear()
                self._discard_pool()
                yield from self._isolate(fn, broken)

    def _chunks(self, source: Iterator[T]) -> Iterator[list[T]]:
        return chunked(source, self.chunk_size, self.costly_s)

    def _isolate(
        self, fn: Callable[[T], R], tasks: list[T]
    ) -> Iterator[tuple[T, R | WorkerCrash[T]]]:
        """Run each suspect task alone so a crash is pinned on the task that caused it."""
        for task in tasks:
            pool = self._new_pool(1)
            try:
                yield task, pool.submit(fn, task).result()
            except BrokenProcessPool:
                yield (
                    task,
                    WorkerCrash(
                        task,
                        "the worker process died while reading this item, or went on past "
                        "limits.item_timeout_s and was ended",
                    ),
                )
            finally:
                pool.shutdown(wait=True, cancel_futures=True)

    def _discard_pool(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


DASK_PORT = 8786  # the port `dask scheduler` listens on by default
EXECUTOR_FORMS = (
    "pool, dask-local, dask-local:N, dask://HOST[:PORT], tcp://HOST:PORT or tls://HOST:PORT"
)


@dataclass(frozen=True)
class ExecutorSpec:
    """What ``--executor`` asked for: the process pool, a local Dask cluster of ``workers``
    (None: ``--workers``), or the Dask scheduler at ``address``."""

    kind: Literal["pool", "dask-local", "dask"] = "pool"
    workers: int | None = None
    address: str | None = None

    def __str__(self) -> str:
        if self.kind == "dask":
            return str(self.address)
        if self.kind == "dask-local" and self.workers:
            return f"dask-local:{self.workers}"
        return self.kind


def parse_executor(text: str | None) -> ExecutorSpec:
    """``pool`` (the default), ``dask-local[:N]``, ``dask://HOST[:PORT]`` (port 8786 unless
    given) or a Dask address ``tcp://HOST:PORT`` / ``tls://HOST:PORT``; ValueError otherwise."""
    value = (text or "").strip()
    if value in ("", "pool", "local", "process", "processes"):
        return ExecutorSpec()
    if value == "dask-local" or value.startswith("dask-local:"):
        n = value.partition(":")[2]
        if not n:
            return ExecutorSpec("dask-local")
        if not n.isdigit() or int(n) < 1:
            raise ValueError(f"dask-local:N takes a number of workers of 1 or more, not {n!r}")
        return ExecutorSpec("dask-local", workers=int(n))
    scheme, sep, rest = value.partition("://")
    if sep and scheme in ("dask", "tcp", "tls") and rest:
        host, colon, port = rest.rstrip("/").rpartition(":")
        if not colon or "]" in port:  # no port (an IPv6 literal's colons are inside [])
            host, port = rest.rstrip("/"), str(DASK_PORT)
        if not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise ValueError(
                f"not a scheduler address: {value!r} (HOST:PORT, e.g. dask://10.0.0.5:8786)"
            )
        return ExecutorSpec(
            "dask", address=f"{'tcp' if scheme == 'dask' else scheme}://{host}:{port}"
        )
    raise ValueError(f"unknown executor {value!r}: use {EXECUTOR_FORMS}")


def make_executor(
    workers: int = 0,
    memory_bytes: int = 0,
    serial: bool = False,
    spec: ExecutorSpec | None = None,
    store: str | None = None,
) -> Executor:
    """A process pool (``workers`` 0: one per core), this process alone if ``serial``, or
    the Dask cluster of ``spec`` (connected now, so that an unreachable scheduler fails
    before any work; ``store``: a directory every Dask worker must be able to read)."""
    if serial:
        return SerialExecutor()
    if spec is None or spec.kind == "pool":
        return ProcessExecutor(workers=workers, memory_bytes=memory_bytes)
    from guwah.ingest.executor_dask import DaskExecutor

    n = spec.workers or workers or os.cpu_count() or 1
    executor = DaskExecutor(spec.address, workers=n, memory_bytes=memory_bytes, store=store)
    executor.start()
    return executor
