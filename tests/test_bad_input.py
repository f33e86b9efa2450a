"""Hostile and broken input: each case becomes an error with a clear message; the run goes on."""

from __future__ import annotations

import io
import os
import re
import shutil
import struct
import tarfile
import time
import zipfile
import zlib
from pathlib import Path

import py7zr
import pytest
from sqlalchemy import select

from guwah.case import Case
from guwah.config import CONFIG_NAME
from guwah.ingest.executor import ProcessExecutor, SerialExecutor
from guwah.ingest.pipeline import ingest
from guwah.store.models import Item, Occurrence
from tests.conftest import ROOT, jpeg_bytes, run_cli


def _ingest(case: Case, leak: Path) -> tuple[dict[str, Occurrence], dict[int, Item]]:
    ingest(case, [leak], executor=ProcessExecutor(workers=2))
    with case.sessions() as s:
        occ = {o.path: o for o in s.scalars(select(Occurrence))}
        items = {i.id: i for i in s.scalars(select(Item))}
    return occ, items


def _item_of(occ: dict[str, Occurrence], items: dict[int, Item], path: str) -> Item:
    item_id = occ[path].item_id
    assert item_id is not None, f"{path} has no stored content"
    return items[item_id]


def _snapshot(root: Path, skip: Path) -> set[str]:
    return {str(p) for p in root.rglob("*") if skip not in p.parents and p != skip}


def _encrypt_flag(data: bytes) -> bytes:
    """Set the 'encrypted' bit on every member of a stored zip, as a password tool would."""
    out = bytearray(data)
    for sig, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = 0
        while (i := out.find(sig, start)) >= 0:
            flags = struct.unpack_from("<H", out, i + offset)[0]
            struct.pack_into("<H", out, i + offset, flags | 0x1)
            start = i + 4
    return bytes(out)


def _png_declaring(width: int, height: int) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + chunk(b"IEND", b"")
    )


def _nested_zip(depth: int) -> bytes:
    data = b"the innermost file"
    name = "core.txt"
    for level in range(depth):
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as z:
            z.writestr(name, data)
        data, name = buf.getvalue(), f"level{level}.zip"
    return data


@pytest.fixture
def hostile_leak(tmp_path: Path) -> Path:
    leak = tmp_path / "leak"
    leak.mkdir()
    good = jpeg_bytes(1)
    (leak / "good.jpg").write_bytes(good)
    (leak / "truncated.jpg").write_bytes(good[: len(good) // 2])
    (leak / "corrupt.xlsx").write_bytes(b"PK\x03\x04" + os.urandom(2000))
    (leak / "empty.txt").write_bytes(b"")
    (leak / "bomb.png").write_bytes(_png_declaring(60000, 60000))
    # archives: truncated zip, encrypted zip, encrypted 7z, a zip bomb, a deep nest
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("secret/list.txt", "名单")
    (leak / "encrypted.zip").write_bytes(_encrypt_flag(buf.getvalue()))
    with zipfile.ZipFile(leak / "whole.zip", "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("a.txt", "a" * 5000)
        z.writestr("b.txt", os.urandom(5000))
    whole = (leak / "whole.zip").read_bytes()
    (leak / "truncated.zip").write_bytes(whole[: len(whole) // 2])
    (leak / "whole.zip").unlink()
    with py7zr.SevenZipFile(leak / "encrypted.7z", "w", password="secret") as z:
        z.writestr("hidden file", "hidden.txt")
    with zipfile.ZipFile(leak / "bomb.zip", "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("zeros.bin", b"\0" * (40 << 20))
        z.writestr("fine.txt", "still read")
    (leak / "deep.zip").write_bytes(_nested_zip(8))
    # path traversal and absolute names, in a zip and a tar; a symlink in a tar
    with zipfile.ZipFile(leak / "traversal.zip", "w") as z:
        z.writestr("../../escaped.txt", "escape attempt")
        z.writestr("/tmp/absolute.txt", "absolute attempt")
    with tarfile.open(leak / "links.tar", "w") as t:
        info = tarfile.TarInfo("../../tar-escaped.txt")
        info.size = 6
        t.addfile(info, io.BytesIO(b"escape"))
        link = tarfile.TarInfo("passwd-link")
        link.type = tarfile.SYMTYPE
        link.linkname = "/etc/passwd"
        t.addfile(link)
    # a symbolic link on disk pointing outside the leak
    os.symlink("/etc/hostname", leak / "outside-link")
    return leak


def test_hostile_leak_is_recorded_item_by_item(
    case: Case, hostile_leak: Path, tmp_path: Path
) -> None:
    outside_before = _snapshot(tmp_path, case.root)
    occ, items = _ingest(case, hostile_leak)

    # nothing was written outside the case (the source and its siblings unchanged)
    assert _snapshot(tmp_path, case.root) == outside_before
    assert (
        not Path("/tmp/absolute.txt").exists()
        or Path("/tmp/absolute.txt").read_text() != "absolute attempt"
    )

    # the good file is fine: the run went on past every failure
    assert _item_of(occ, items, "good.jpg").status == "ok"

    def err(path: str) -> tuple[str | None, str]:
        item = _item_of(occ, items, path)
        assert item.status == "error", f"{path}: {item.status}"
        return item.error_cause, item.error or ""

    assert err("truncated.jpg")[0] == "corrupt"
    assert err("corrupt.xlsx")[0] == "corrupt"
    assert err("empty.txt") == ("empty", "zero-byte file: there is no content to read")
    cause, message = err("bomb.png")
    assert cause == "bomb" and "pixels" in message.lower()
    cause, message = err("truncated.zip")
    assert cause == "corrupt" and message
    cause, message = err("encrypted.zip")
    assert cause == "encrypted" and "password" in message
    assert occ["encrypted.zip!/secret/list.txt"].error_cause == "encrypted"
    assert occ["encrypted.zip!/secret/list.txt"].item_id is None
    cause, message = err("encrypted.7z")
    assert cause == "encrypted" and "password" in message

    # zip bomb: the bomb member is refused, its sibling is read, the archive is readable
    assert _item_of(occ, items, "bomb.zip").status == "ok"
    bomb = occ["bomb.zip!/zeros.bin"]
    assert bomb.item_id is None and bomb.error_cause == "bomb"
    assert "ratio" in (bomb.error or "")
    assert _item_of(occ, items, "bomb.zip!/fine.txt").status == "ok"

    # nesting depth is bounded: the archive at the limit is stored but not opened
    depth_limited = [o for p, o in occ.items() if p.startswith("deep.zip") and o.item_id]
    deepest = max(depth_limited, key=lambda o: o.depth)
    assert deepest.depth == case.settings.limits.max_archive_depth
    assert items[deepest.item_id].error_cause == "bomb"  # type: ignore[index]
    assert "nested" in (items[deepest.item_id].error or "")  # type: ignore[index]
    assert not any(p.endswith("core.txt") for p in occ)

    # unsafe names: the content is kept, flagged, and never written to that path
    for path in (
        "traversal.zip!/../../escaped.txt",
        "traversal.zip!//tmp/absolute.txt",
        "links.tar!/../../tar-escaped.txt",
    ):
        assert occ[path].error_cause == "unsafe_path", path
        assert occ[path].item_id is not None
    assert (
        not (tmp_path / "escaped.txt").exists() and not (tmp_path.parent / "escaped.txt").exists()
    )

    # links are never followed
    assert occ["links.tar!/passwd-link"].error_cause == "link"
    assert occ["outside-link"].error_cause == "link"
    assert occ["outside-link"].item_id is None
    assert "/etc/hostname" in (occ["outside-link"].error or "")


def test_expansion_total_is_bounded(case: Case, tmp_path: Path) -> None:
    settings = (case.root / CONFIG_NAME).read_text()
    (case.root / CONFIG_NAME).write_text(
        settings.replace(
            "max_archive_total_bytes = 21474836480", "max_archive_total_bytes = 300000"
        )
    )
    case = Case.open(case.root)
    leak = tmp_path / "leak"
    leak.mkdir()
    with zipfile.ZipFile(leak / "many.zip", "w", zipfile.ZIP_STORED) as z:
        for i in range(10):
            z.writestr(f"part{i}.bin", os.urandom(50_000))
    occ, items = _ingest(case, leak)
    archive = _item_of(occ, items, "many.zip")
    assert archive.status == "error" and archive.error_cause == "bomb"
    assert "in total" in (archive.error or "")
    stored = [p for p, o in occ.items() if p.startswith("many.zip!/") and o.item_id]
    assert 4 <= len(stored) < 10  # read until the budget ran out, then stopped


def test_the_summary_groups_errors_by_cause(case: Case, hostile_leak: Path) -> None:
    ingest(case, [hostile_leak], executor=ProcessExecutor(workers=2))
    out = run_cli("status", "--case", case.root, "--json").stdout
    import json

    summary = json.loads(out)
    causes = {g["cause"]: g["count"] for g in summary["errors"]}
    for cause in ("corrupt", "encrypted", "bomb", "empty", "unsafe_path", "link"):
        assert causes.get(cause, 0) >= 1, cause
    assert causes["unsafe_path"] == 3
    assert summary["by_status"]["ok"] >= 1


@pytest.mark.requires("root")
def test_unreadable_file_is_an_error_and_the_rest_is_read(small_leak: Path) -> None:
    """Root reads every file, so the ingest runs in a child process as user 'nobody'."""
    import pwd
    import tempfile

    nobody = pwd.getpwnam("nobody")
    # pytest's tmp dir is private to root: work in a directory 'nobody' can reach
    root = Path(tempfile.mkdtemp(prefix="guwah-unreadable-"))
    try:
        leak = root / "leak"
        leak.mkdir()
        (leak / "readable.txt").write_text("ok")
        (leak / "locked.txt").write_text("secret")
        case = Case.init(root / "case")
        # warm up: modules the ingest needs are imported before the child loses access to them
        ingest(Case.init(root / "warm"), [small_leak], executor=SerialExecutor())
        for path in [root, *root.rglob("*")]:
            os.chown(path, nobody.pw_uid, nobody.pw_gid, follow_symlinks=False)
        os.chmod(leak / "locked.txt", 0)
        pid = os.fork()
        if pid == 0:  # the child: become nobody, ingest, report by exit status
            code = 1
            try:
                os.setgid(nobody.pw_gid)
                os.setuid(nobody.pw_uid)
                ingest(Case.open(case.root), [leak], executor=SerialExecutor())
                code = 0
            finally:
                os._exit(code)
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0
        with case.sessions() as s:
            occ = {o.path: o for o in s.scalars(select(Occurrence))}
        assert occ["locked.txt"].error_cause == "unreadable"
        assert occ["locked.txt"].item_id is None
        assert "Permission denied" in (occ["locked.txt"].error or "")
        assert occ["readable.txt"].item_id is not None
    finally:
        shutil.rmtree(root, ignore_errors=True)


def hostile_ppt_case(tmp_path: Path) -> tuple[Case, Path]:
    """A leak of the mutated .ppt that swallows the time limit and one fine file, and a case
    whose item time limit is 2 s."""
    leak = tmp_path / "leak"
    leak.mkdir()
    shutil.copy(ROOT / "tests" / "files" / "fuzz" / "olefile-property-loop.ppt", leak / "x.ppt")
    (leak / "fine.txt").write_text("会议纪要 meeting notes\n", encoding="utf-8")
    case = Case.init(tmp_path / "case")
    toml = case.root / "guwah.toml"
    toml.write_text(re.sub(r"(?m)^item_timeout_s = .*$", "item_timeout_s = 2.0", toml.read_text()))
    return Case.open(case.root), leak


def items_by_path(case: Case) -> dict[str, Item]:
    with case.sessions() as s:
        rows = s.execute(select(Occurrence, Item).join(Item, Item.id == Occurrence.item_id))
        return {o.path: i for o, i in rows}


def test_a_reader_that_swallows_the_time_limit_still_stops(tmp_path: Path) -> None:
    """A mutated .ppt makes olefile loop over a hostile property count while catching every
    exception, the time limit's too: the worker is ended after a grace, the item is an
    error, the run goes on and ends (it once ran for minutes and never finished)."""
    case, leak = hostile_ppt_case(tmp_path)
    executor = ProcessExecutor(workers=2)
    started = time.monotonic()
    try:
        ingest(case, [leak], executor=executor)
    finally:
        executor.close()
    assert time.monotonic() - started < 120
    by_path = items_by_path(case)
    assert by_path["x.ppt"].status == "error"
    assert "limits.item_timeout_s" in (by_path["x.ppt"].error or "")
    assert by_path["fine.txt"].status == "ok"
