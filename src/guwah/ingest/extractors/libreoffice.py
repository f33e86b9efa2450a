"""LibreOffice headless: a document converted to PDF, kept as a *derived* artefact.

The PDF lives under the case's ``derived/pdf/`` by the original's SHA-256 (rebuildable, never
in place of the original); its pages are read like any PDF's and image-only pages are marked
for OCR, which finds the PDF again from the original's path (:func:`derived_pdf_for`).

Each worker process has its own LibreOffice profile (two instances sharing one profile block
each other); the conversion runs in its own process group, bounded by
``limits.office_timeout_s``, and the whole group is killed when it runs over.
"""

from __future__ import annotations

import contextlib
import fcntl
import itertools
import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

from guwah.ingest.registry import ExtractionError

PDF_DIR = "pdf"
_PROFILE_DIR = "libreoffice"


def case_root_for(blob_path: Path) -> Path | None:
    """The case directory of a stored original (``CASE/evidence/ab/cd/<sha256>``, or its
    copy read from a bucket, ``CASE/cache/evidence/ab/cd/<sha256>``), if any."""
    parts = blob_path.resolve().parents
    if len(parts) < 4 or parts[2].name != "evidence":
        return None
    root = parts[3]
    if root.name == "cache" and len(parts) > 4 and not (root / "guwah.toml").is_file():
        root = parts[4]
    return root if (root / "guwah.toml").is_file() else None


def derived_pdf_for(blob_path: Path) -> Path | None:
    """Where the PDF converted from this original is kept (None outside a case)."""
    root = case_root_for(blob_path)
    if root is None:
        return None
    sha = blob_path.name
    return root / "derived" / PDF_DIR / sha[:2] / f"{sha}.pdf"


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


_HELD: dict[
    Path, tuple[Path, int]
] = {}  # profiles base → (the profile this process holds, lock fd)


def _profile_dir(blob_path: Path) -> Path:
    """This worker's own LibreOffice profile, in the case's derived/ dir (else in /tmp).

    A worker takes the first ``profile-N`` no other process holds (an exclusive ``flock``
    kept for the worker's life), so profiles are reused from run to run, never shared.
    """
    root = case_root_for(blob_path)
    base = root / "derived" / _PROFILE_DIR if root else Path(tempfile.gettempdir()) / "guwah-lo"
    held = _HELD.get(base)
    if held is not None:
        return held[0]
    base.mkdir(parents=True, exist_ok=True)
    for n in itertools.count(1):
        profile = base / f"profile-{n}"
        fd = os.open(base / f"profile-{n}.lock", os.O_CREAT | os.O_RDWR, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            continue
        _HELD[base] = (profile, fd)
        return profile
    raise AssertionError("unreachable")


def convert_to_pdf(blob_path: Path, suffix: str, timeout_s: float) -> tuple[Path, float, bool]:
    """Convert an original to PDF; returns (pdf path, seconds, kept as derived artefact).

    Outside a case the PDF is written to a temporary directory the caller must remove
    (its parent). ``suffix`` (".doc", ".ppt"…) tells LibreOffice which filter to try first.
    """
    program = soffice()
    if program is None:
        raise ExtractionError(
            "unsupported",
            "LibreOffice is not installed: apt-get install libreoffice-writer-nogui "
            "libreoffice-impress-nogui libreoffice-calc-nogui",
        )
    target = derived_pdf_for(blob_path)
    if target is not None and target.is_file() and target.stat().st_size > 0:
        return target, 0.0, True  # converted by an earlier run: derived data is reused
    root = case_root_for(blob_path)
    scratch = root / "tmp" if root is not None else None  # inside the case when there is one
    work = Path(tempfile.mkdtemp(prefix="guwah-lo-", dir=scratch))
    try:
        src = work / f"document{suffix}"
        src.symlink_to(blob_path.resolve())
        outdir = work / "out"
        outdir.mkdir()
        profile = _profile_dir(blob_path)
        profile.mkdir(parents=True, exist_ok=True)
        seconds = _run(program, [src], "pdf", outdir, profile, timeout_s)
        produced = outdir / "document.pdf"
        if not produced.is_file() or produced.stat().st_size == 0:
            raise ExtractionError(
                "corrupt",
                "LibreOffice could not convert the document (damaged, or a format it does "
                "not read)",
            )
        if target is None:
            keep = Path(tempfile.mkdtemp(prefix="guwah-pdf-", dir=scratch)) / "document.pdf"
            shutil.move(produced, keep)
            return keep, seconds, False
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(".part")
        shutil.move(produced, partial)
        os.replace(partial, target)
        return target, seconds, True
    finally:
        shutil.rmtree(work, ignore_errors=True)


def convert_files(srcs: list[Path], to: str, outdir: Path, timeout_s: float) -> float:
    """Convert files with one LibreOffice run (``to``: "doc", "ppt", "pdf"…); its seconds.

    For tools (the synthetic leak): a throw-away profile, the same bounds and kill.
    """
    program = soffice()
    if program is None:
        raise ExtractionError("unsupported", "LibreOffice is not installed")
    with tempfile.TemporaryDirectory(prefix="guwah-lo-") as profile:
        return _run(program, srcs, to, outdir, Path(profile), timeout_s)


def _run(
    program: str, srcs: list[Path], to: str, outdir: Path, profile: Path, timeout_s: float
) -> float:
    cmd = [
        program,
        f"-env:UserInstallation={profile.resolve().as_uri()}",
        "--headless",
        "--invisible",
        "--nologo",
        "--nodefault",
        "--nolockcheck",
        "--norestore",
        "--convert-to",
        to,
        "--outdir",
        str(outdir),
        *map(str, srcs),
    ]
    scratch = str(outdir.parent)  # LibreOffice's own temporary files stay in the work dir
    env = {**os.environ, "HOME": str(profile), "TMPDIR": scratch, "SAL_USE_VCLPLUGIN": "svp"}
    started = time.perf_counter()
    proc = subprocess.Popen(
        cmd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: killed whole on timeout
        env=env,
    )
    try:
        output, _ = proc.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired as exc:
        _kill_group(proc)
        raise ExtractionError(
            "timeout",
            f"LibreOffice took longer than {timeout_s:g} s to convert the document and was "
            "killed (limits.office_timeout_s)",
        ) from exc
    finally:
        _kill_group(proc)  # also when the item's own alarm interrupts the wait
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        tail = output.decode("utf-8", "replace").strip()[-300:]
        raise ExtractionError(
            "corrupt",
            f"LibreOffice failed to convert the document (exit {proc.returncode}): {tail}",
        )
    return seconds


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    """Kill what is left of the conversion's process group (soffice forks soffice.bin)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
