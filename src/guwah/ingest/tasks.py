"""The work done in worker processes: extraction and OCR of one stored original.

Tasks and outcomes are small picklable values. Each task runs under a wall-clock limit
(SIGALRM in the worker) and turns every failure into an outcome with a cause and message.
"""

from __future__ import annotations

import ctypes
import functools
import multiprocessing
import os
import signal
import threading
import time
import traceback
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

from guwah.config import Limits
from guwah.ingest.detect import describe
from guwah.ingest.registry import ExtractContext, Extraction, ExtractionError, PageText, pick
from guwah.ingest.runlog import bug_message


class TaskTimeout(BaseException):
    """Raised by the alarm; a BaseException so that no ``except Exception`` swallows it."""


# After the stop, how long a library may take to let go. Some catch even BaseException and
# carry on (olefile's property parser does, over a hostile property count): when the alarm
# fires again, a worker process ends itself, and the pool pins the item (WorkerCrash).
GRACE_S = 10.0
HARD_STOP_EXIT = 75


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise :class:`TaskTimeout` after ``seconds``; in a worker process, end the process if
    the code goes on regardless for a grace of ``seconds`` more (at most :data:`GRACE_S`;
    in the calling process, raise again after each grace)."""
    if seconds <= 0:
        yield
        return
    if threading.current_thread() is not threading.main_thread():  # a Dask worker's thread
        with _thread_time_limit(seconds):
            yield
        return
    fired = False

    def _alarm(_signum: int, _frame: FrameType | None) -> None:
        nonlocal fired
        if fired and multiprocessing.parent_process() is not None:
            os._exit(HARD_STOP_EXIT)  # the stop was swallowed: only ending the process works
        fired = True
        raise TaskTimeout()

    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds, min(GRACE_S, max(1.0, seconds)))
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@contextmanager
def _thread_time_limit(seconds: float) -> Iterator[None]:
    """:func:`time_limit` off the main thread (no signals there): a watchdog thread raises
    :class:`TaskTimeout` in this one, and again after each grace; in a worker process the
    second time ends the process."""
    target = threading.get_ident()
    lock = threading.Lock()
    done = threading.Event()

    def _raise(exc: type[BaseException] | None) -> None:
        ctypes.pythonapi.PyThreadState_SetAsyncExc(
            ctypes.c_ulong(target), exc and ctypes.py_object(exc)
        )

    def _watch() -> None:
        wait = seconds
        while not done.wait(wait):
            with lock:
                if done.is_set():
                    return
                if wait != seconds and multiprocessing.parent_process() is not None:
                    os._exit(
                        HARD_STOP_EXIT
                    )  # the stop was swallowed: only ending the process works
                _raise(TaskTimeout)
            wait = min(GRACE_S, max(1.0, seconds))

    threading.Thread(target=_watch, name="guwah-time-limit", daemon=True).start()
    try:
        yield
    finally:
        with lock:
            done.set()
            _raise(None)  # a stop not yet delivered is dropped: the work ended in time


@dataclass(frozen=True)
class ExtractTask:
    item_id: int
    sha256: str
    path: str
    mime: str
    limits: Limits
    ocr_languages: str
    store: Any = None  # an object store, for a worker that does not see ``path`` (local_path)

    @property
    def cost(self) -> float:
        """Estimated seconds, for the executor's chunks: LibreOffice conversions and large
        PDFs cost seconds; most files cost milliseconds."""
        if self.mime in _converted_types():
            return 5.0
        if self.mime == "application/pdf":
            try:
                size = os.stat(self.path).st_size
            except OSError:
                return 0.0
            return 0.05 + size / PDF_BYTES_PER_S
        return 0.0


def object_store(case: Any) -> Any:
    """The case's evidence store when it is on object storage (it travels with each task),
    else None: a local store is read by path, on a shared file system for a cluster."""
    from guwah.store.objects import ObjectStore

    return case.blobs if isinstance(case.blobs, ObjectStore) else None


def local_path(path: str, sha256: str, store: Any) -> Path:
    """The original on this machine: the coordinator's ``path``, or on a cluster worker that
    does not see it, the object store's checked copy fetched here (``store.path_for``)."""
    if store is not None and not os.path.exists(path):
        return Path(store.path_for(sha256))
    return Path(path)


PDF_BYTES_PER_S = 2 << 20  # a rough rate of reading PDF text, for task costs only
OCR_PAGE_S = 3.0  # a rough cost of one OCR page, for task costs only


@functools.cache
def _converted_types() -> frozenset[str]:
    """Types that extraction converts with LibreOffice or renders first (seconds each)."""
    from guwah.ingest.extractors import office, pictures

    return frozenset(office.OfficeExtractor.mimetypes | pictures.DjvuExtractor.mimetypes)


@dataclass
class Outcome:
    item_id: int
    status: str  # ok | error | unsupported
    extractor: str | None = None
    extractor_version: str | None = None
    extraction: Extraction | None = None
    cause: str | None = None
    message: str | None = None
    description: str = ""  # libmagic's description of the content
    seconds: float = 0.0
    traceback: str | None = None  # a reader bug's traceback, for the run's log


def _failure(exc: BaseException, limits: Limits, what: str) -> tuple[str, str]:
    if isinstance(exc, ExtractionError):
        return exc.cause, exc.message
    if isinstance(exc, TaskTimeout):
        return "timeout", f"{what} took longer than {limits.item_timeout_s:g} s and was stopped"
    if isinstance(exc, MemoryError):
        return "too_large", f"{what} needed more memory than a worker may use"
    return "reader_bug", bug_message(what, exc)


def extract_task(task: ExtractTask) -> Outcome:
    started = time.perf_counter()
    try:
        path = local_path(task.path, task.sha256, task.store)
        description = describe(path)
        extractor = pick(task.mime)
    except Exception as exc:  # a bug in type detection or the registry fails this item only
        return Outcome(
            task.item_id,
            "error",
            cause="reader_bug",
            message=bug_message("type detection", exc),
            traceback="".join(traceback.format_exception(exc)),
        )
    if extractor is None:
        return Outcome(
            task.item_id,
            "unsupported",
            message=f"no extractor reads {task.mime}",
            description=description,
        )
    outcome = Outcome(task.item_id, "ok", extractor.name, extractor.version)
    outcome.description = description
    ctx = ExtractContext(limits=task.limits, ocr_languages=task.ocr_languages)
    try:
        with warnings.catch_warnings(), time_limit(task.limits.item_timeout_s):
            warnings.simplefilter("ignore")
            outcome.extraction = extractor.extract(path, task.mime, ctx)
    except (Exception, TaskTimeout) as exc:  # recorded on the item; never stops the run
        outcome.status = "error"
        outcome.cause, outcome.message = _failure(exc, task.limits, "extraction")
        if outcome.cause == "reader_bug":
            outcome.message = bug_message(f"extractor {extractor.name} {extractor.version}", exc)
            outcome.traceback = "".join(traceback.format_exception(exc))
    outcome.seconds = time.perf_counter() - started
    return outcome


@dataclass(frozen=True)
class OcrTask:
    item_id: int
    path: str
    mime: str
    pages: tuple[int, ...]
    languages: str
    limits: Limits
    per_page: bool = False  # choose each page's models (ocr.choose_and_read)
    sha256: str = ""
    store: Any = None  # as ExtractTask.store

    @property
    def cost(self) -> float:
        """Estimated seconds (seconds a page): every OCR task is sent to a worker alone."""
        return OCR_PAGE_S * max(1, len(self.pages))


@dataclass
class OcrOutcome:
    item_id: int
    pages: Sequence[PageText] = field(default_factory=list)  # ocr.OcrPage
    cause: str | None = None
    message: str | None = None
    seconds: float = 0.0


def ocr_task(task: OcrTask) -> OcrOutcome:
    from guwah.ingest.ocr import ocr_item

    started = time.perf_counter()
    outcome = OcrOutcome(task.item_id)
    budget = task.limits.ocr_timeout_s * max(1, len(task.pages)) + 5
    try:
        with time_limit(budget):
            outcome.pages = ocr_item(
                local_path(task.path, task.sha256, task.store),
                task.mime,
                list(task.pages),
                task.languages,
                task.limits.ocr_timeout_s,
                max_image_pixels=task.limits.max_image_pixels,
                per_page=task.per_page,
            )
    except (Exception, TaskTimeout) as exc:
        outcome.cause, outcome.message = _failure(exc, task.limits, "OCR")
    outcome.seconds = time.perf_counter() - started
    return outcome
