"""The executor on a Dask cluster: ``--executor dask://HOST:8786`` or ``dask-local[:N]``.

The same ``imap_unordered`` as the process pool (``executor.py``): tasks go to Dask workers
in chunks (costly ones alone), results come back to the calling process, which alone writes
the database and the custody log. Workers read the originals from the shared store by the
path in the task, so every worker must see the case's ``evidence/`` at the same path (checked
when connecting).

Faults. A worker that dies (killed, over its memory limit, or ended by the hard stop of
``tasks.time_limit``) fails only its tasks: the scheduler runs them again elsewhere up to
``distributed.scheduler.allowed-failures`` times (1 for ``dask-local``), then a chunk is
sent again one task at a time, a task that loses its worker alone too is run once more with
nothing else in flight, and if it still kills its worker it comes back as a
:class:`WorkerCrash` (never a task that only stood beside it). A scheduler that cannot be reached is a :class:`DaskError` before any
work; one that goes away mid-run, or a cluster left with no worker, stops the run with a
:class:`DaskError` (the caller keeps what it committed; the same command resumes).
"""

from __future__ import annotations

import logging
import os
import socket
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import CancelledError
from contextlib import suppress
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

from guwah.case import CaseError
from guwah.ingest.executor import COSTLY_S, WorkerCrash, chunked

if TYPE_CHECKING:
    from distributed import Client, Future, LocalCluster

T = TypeVar("T")
R = TypeVar("R")

POLL_S = 1.0  # how often a wait for results looks at the scheduler and the workers
NO_WORKERS_S = 60.0  # a cluster without a worker this long stops the run
WORKER_DIED = (
    "the Dask worker died while reading this item (killed, over its memory limit, or gone "
    "on past limits.item_timeout_s and ended)"
)


class DaskError(CaseError):
    """The Dask cluster cannot be used, or went away; the message says what to do."""


def _run_chunk(fn: Callable[[T], R], tasks: list[T]) -> list[R]:
    """On a worker: one chunk, with Tesseract single-threaded as in the process pool."""
    os.environ["OMP_THREAD_LIMIT"] = "1"
    return [fn(task) for task in tasks]


def _worker_check(store: str | None) -> tuple[str, bool]:
    """On a worker: its guwah version, and whether it can read the store directory."""
    from guwah import __version__

    readable = store is None or (os.path.isdir(store) and os.access(store, os.R_OK | os.X_OK))
    return __version__, readable


class DaskExecutor:
    """Tasks on the Dask scheduler at ``address``, or on a ``distributed.LocalCluster`` of
    ``workers`` processes with one thread each (``address`` None).

    ``workers`` for a remote cluster is read from the scheduler (its threads); at most
    ``chunks_per_worker`` chunks per thread are in flight, so memory stays bounded.
    """

    def __init__(
        self,
        address: str | None = None,
        workers: int = 0,
        memory_bytes: int = 0,
        chunk_size: int = 8,
        chunks_per_worker: int = 2,
        costly_s: float = COSTLY_S,
        store: str | None = None,
        connect_timeout_s: float = 10.0,
    ) -> None:
        self.address = address
        self.workers = workers or os.cpu_count() or 1
        self.memory_bytes = memory_bytes
        self.chunk_size = chunk_size
        self.chunks_per_worker = chunks_per_worker
        self.costly_s = costly_s
        self.store = store
        self.connect_timeout_s = connect_timeout_s
        self._client: Client | None = None
        self._cluster: LocalCluster | None = None
        self._log_levels: dict[str, int] = {}

    @property
    def where(self) -> str:
        return self.address or "the local Dask cluster"

    # --- connecting ------------------------------------------------------------------

    def start(self) -> Client:
        """Connect (or start the local cluster) and check the workers; a clear error if not."""
        if self._client is not None:
            return self._client
        from distributed import Client

        # distributed logs each retry and lost connection with tracebacks; the run's own
        # error says what happened and what to do
        self._quiet()
        try:
            if self.address is None:
                self._cluster = self._local_cluster()
                self._client = Client(self._cluster, timeout=self.connect_timeout_s)
            else:
                self._reachable(self.address)
                self._client = Client(self.address, timeout=self.connect_timeout_s)
        except DaskError:
            self.close()
            raise
        except (OSError, TimeoutError) as exc:
            self.close()
            raise DaskError(self._unreachable(str(exc))) from exc
        try:
            self._check_workers(self._client)
        except BaseException:
            self.close()
            raise
        return self._client

    def _local_cluster(self) -> LocalCluster:
        from distributed import LocalCluster

        return LocalCluster(
            n_workers=self.workers,
            threads_per_worker=1,
            processes=True,
            memory_limit=self.memory_bytes or "auto",
            dashboard_address=None,
            silence_logs=logging.CRITICAL,  # its workers' logs; a death is on the item
            scheduler_kwargs={"allowed_failures": 1},
        )

    def _reachable(self, address: str) -> None:
        """Fail at once on a refused or unknown address (distributed would retry for the
        whole timeout)."""
        host, _, port = address.partition("://")[2].rpartition(":")
        try:
            socket.create_connection((host.strip("[]"), int(port)), self.connect_timeout_s).close()
        except OSError as exc:
            raise DaskError(self._unreachable(exc.strerror or str(exc))) from exc

    def _unreachable(self, reason: str) -> str:
        return (
            f"cannot reach the Dask scheduler at {self.address} ({reason}). Start one there "
            "with `dask scheduler` (and workers with `dask worker ADDRESS`), check the host, "
            "the port (8786 by default) and the firewall, or run without a cluster: "
            "--executor dask-local, or leave --executor out for the process pool."
        )

    def _check_workers(self, client: Client) -> None:
        from guwah import __version__

        try:
            client.wait_for_workers(1, timeout=self.connect_timeout_s)
        except TimeoutError as exc:
            raise DaskError(
                f"the Dask scheduler at {self.where} has no workers after "
                f"{self.connect_timeout_s:g} s: start some with `dask worker {self.address}` "
                "on machines that see the case directory at the same path."
            ) from exc
        try:
            found: dict[str, Any] = client.run(_worker_check, self.store)
        except Exception as exc:  # a worker without guwah cannot even unpickle the check
            raise DaskError(
                f"the Dask workers of {self.where} cannot run guwah ({type(exc).__name__}: "
                f"{exc}): install guwah {__version__} in every worker's environment."
            ) from exc
        stale = sorted(w for w, (version, _) in found.items() if version != __version__)
        if stale:
            raise DaskError(
                f"Dask workers {', '.join(stale)} run another guwah than this one "
                f"({__version__}): install the same version on every worker."
            )
        blind = sorted(w for w, (_, readable) in found.items() if not readable)
        if blind:
            raise DaskError(
                f"Dask workers {', '.join(blind)} cannot read the evidence store at "
                f"{self.store}: mount the case directory at the same path on every worker "
                "(a shared file system), then run the command again."
            )
        if self.address is not None:
            self.workers = max(1, sum(client.nthreads().values()))

    # --- the work --------------------------------------------------------------------

    def imap_unordered(
        self, fn: Callable[[T], R], tasks: Iterable[T]
    ) -> Iterator[tuple[T, R | WorkerCrash[T]]]:
        client = self.start()
        chunks = chunked(iter(tasks), self.chunk_size, self.costly_s)
        in_flight: dict[Future, tuple[list[T], str]] = {}  # future → its tasks, how sent
        queues: dict[str, list[T]] = {"alone": [], "suspect": []}
        exhausted = False
        try:
            while True:
                exhausted = self._fill(client, fn, chunks, in_flight, queues, exhausted)
                if not in_flight:
                    return
                for fut in self._wait(client, in_flight):
                    chunk, how = in_flight.pop(fut)
                    yield from self._collect(fut, chunk, how, queues)
        finally:
            if in_flight and client.status == "running":
                with suppress(Exception):  # the run is ending anyway; close() releases the rest
                    client.cancel(list(in_flight))

    def _fill(
        self,
        client: Client,
        fn: Callable[[T], R],
        chunks: Iterator[list[T]],
        in_flight: dict[Future, tuple[list[T], str]],
        queues: dict[str, list[T]],
        exhausted: bool,
    ) -> bool:
        """Submit up to the bound: tasks sent again alone first, then new chunks. A suspect
        (a task that lost its worker when sent alone: it or a task queued beside it killed
        the worker) runs with nothing else of ours in flight, so its death is its own."""
        while not any(how == "suspect" for _, how in in_flight.values()):
            if queues["suspect"]:
                if not in_flight:
                    task = queues["suspect"].pop(0)
                    in_flight[self._submit(client, fn, [task])] = ([task], "suspect")
                return exhausted
            if len(in_flight) >= self.workers * self.chunks_per_worker:
                return exhausted
            if queues["alone"]:
                task = queues["alone"].pop(0)
                in_flight[self._submit(client, fn, [task])] = ([task], "alone")
                continue
            chunk = None if exhausted else next(chunks, None)
            if chunk is None:
                return True
            in_flight[self._submit(client, fn, chunk)] = (chunk, "chunk")
        return exhausted

    def _submit(self, client: Client, fn: Callable[[T], R], chunk: list[T]) -> Future:
        self._alive(client)
        return client.submit(_run_chunk, fn, chunk, pure=False)

    def _collect(
        self, fut: Future, chunk: list[T], how: str, queues: dict[str, list[T]]
    ) -> Iterator[tuple[T, R | WorkerCrash[T]]]:
        from distributed import KilledWorker

        if fut.status == "cancelled":
            self._lost()
        if fut.status == "error":
            exc = fut.exception()
            if not isinstance(exc, KilledWorker):
                fut.result()  # a bug of the task itself stops the run, as in the process pool
            fut.release()
            if how == "suspect":
                yield chunk[0], WorkerCrash(chunk[0], WORKER_DIED)
            elif len(chunk) == 1:
                queues["suspect"].append(chunk[0])
            else:
                queues["alone"].extend(chunk)  # which of them killed the worker: each alone
            return
        try:
            results = fut.result()
        except CancelledError:  # cancelled between the wait and now: the scheduler is gone
            self._lost()
        fut.release()
        yield from zip(chunk, results, strict=True)

    def _wait(self, client: Client, in_flight: dict[Future, Any]) -> set[Future]:
        """The futures done, waiting as long as the scheduler and some worker are there."""
        from distributed import wait

        no_workers_since: float | None = None
        while True:
            try:
                return set(
                    wait(list(in_flight), timeout=POLL_S, return_when="FIRST_COMPLETED").done
                )
            except TimeoutError:
                pass
            except CancelledError:  # distributed cancels every future when the scheduler goes
                self._lost()
            self._alive(client)
            if client.nthreads():
                no_workers_since = None
            elif no_workers_since is None:
                no_workers_since = time.monotonic()
            elif time.monotonic() - no_workers_since > NO_WORKERS_S:
                raise DaskError(
                    f"the Dask cluster at {self.where} has had no worker for "
                    f"{NO_WORKERS_S:g} s. What was committed is kept: start workers "
                    f"(`dask worker {self.address}`) and run the same command to resume."
                )

    def _alive(self, client: Client) -> None:
        if client.status != "running":
            self._lost()

    def _lost(self) -> NoReturn:
        raise DaskError(
            f"the Dask scheduler at {self.where} went away during the run. What was "
            "committed is kept: start the scheduler and its workers again (or choose another "
            "--executor) and run the same command to resume."
        )

    def close(self) -> None:
        """Disconnect (and stop the local cluster); the next ``imap_unordered`` connects again."""
        client, cluster = self._client, self._cluster
        self._client = self._cluster = None
        for part in (client, cluster):
            if part is not None:
                with suppress(Exception):  # a scheduler already gone cannot be told goodbye
                    part.close(timeout=self.connect_timeout_s)
        for name, level in self._log_levels.items():
            logging.getLogger(name).setLevel(level)
        self._log_levels = {}

    def _quiet(self) -> None:
        names = [n for n in logging.root.manager.loggerDict if n.split(".")[0] == "distributed"]
        for name in {"distributed", *names} - set(self._log_levels):
            log = logging.getLogger(name)
            self._log_levels[name] = log.level
            log.setLevel(logging.CRITICAL)
