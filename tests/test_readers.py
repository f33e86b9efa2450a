"""Readers in one registry: a bug in any reader fails only its item; containers are chosen
by score like extractors; the metadata contract; one kind per content type."""

from __future__ import annotations

import io
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import py7zr
import pytest
from sqlalchemy import select

from guwah.case import Case
from guwah.config import CONFIG_NAME
from guwah.ingest import intake as intake_module
from guwah.ingest.containers.base import Container, ContainerContext, Member, MemberResult
from guwah.ingest.executor import SerialExecutor
from guwah.ingest.meta import MetaSchemaError, checked_meta, item_kind, schema
from guwah.ingest.pipeline import ingest
from guwah.ingest.registry import (
    ExtractContext,
    Extraction,
    Extractor,
    auction,
    is_container,
    register,
    unregister,
)
from guwah.search.documents import item_type
from guwah.store.models import Item, Occurrence, Run

FILES = Path(__file__).parent / "files" / "containers"


def _state(case: Case) -> tuple[dict[str, Occurrence], dict[int, Item]]:
    with case.sessions() as s:
        occ = {o.path: o for o in s.scalars(select(Occurrence))}
        items = {i.id: i for i in s.scalars(select(Item))}
    return occ, items


def _item(case: Case, path: str) -> Item:
    occ, items = _state(case)
    item_id = occ[path].item_id
    assert item_id is not None, path
    return items[item_id]


class _BrokenExtractor(Extractor):
    name = "broken-extractor"
    version = "9"
    mimetypes = frozenset({"text/plain"})

    def score(self, mime: str) -> int:
        return 1000 if mime in self.mimetypes else 0

    def extract(self, path: Path, mime: str, ctx: ExtractContext) -> Extraction:
        if b"break" in path.read_bytes():
            return {}["no such key"]  # type: ignore[no-any-return]
        return Extraction(meta={"chars": 1})


class _BrokenContainer(Container):
    name = "broken-zip"
    version = "7"
    mimetypes = frozenset({"application/zip"})

    def score(self, mime: str) -> int:
        return 1000 if mime in self.mimetypes else 0

    def members(self, path: Path, mime: str, ctx: ContainerContext) -> Iterator[MemberResult]:
        yield ctx.store_bytes(Member(name="first.txt"), b"read before the bug")
        raise ZeroDivisionError("the reader divided by zero")


class _HangingContainer(Container):
    """A reader stuck on its second member, as unar on a hostile RAR might be."""

    name = "hanging-zip"
    version = "1"
    mimetypes = frozenset({"application/zip"})

    def score(self, mime: str) -> int:
        return 1000 if mime in self.mimetypes else 0

    def members(self, path: Path, mime: str, ctx: ContainerContext) -> Iterator[MemberResult]:
        yield ctx.store_bytes(Member(name="first.txt"), b"read before the hang")
        time.sleep(30)
        yield ctx.store_bytes(Member(name="never.txt"), b"never")


@pytest.fixture
def broken_extractor() -> Iterator[None]:
    register(_BrokenExtractor)
    yield
    unregister(_BrokenExtractor)


@pytest.fixture
def broken_container() -> Iterator[None]:
    register(_BrokenContainer)
    yield
    unregister(_BrokenContainer)


def _leak(root: Path) -> Path:
    root.mkdir()
    (root / "a-ok.txt").write_text("all is well here\n")
    (root / "b-break.txt").write_text("this one will break the reader\n")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("inner.txt", "inside the zip")
    (root / "c.zip").write_bytes(buf.getvalue())
    (root / "d-after.txt").write_text("read after the bugs\n")
    return root


def _log_of(case: Case) -> str:
    with case.sessions() as s:
        run = s.scalars(select(Run).order_by(Run.id.desc())).first()
        assert run is not None and run.status == "done"
        log = run.stats.get("log")
    assert log, "the run names its log"
    return Path(log).read_text(encoding="utf-8")


def test_a_broken_extractor_fails_only_its_item(
    case: Case, tmp_path: Path, broken_extractor: None
) -> None:
    stats = ingest(case, [_leak(tmp_path / "leak")], executor=SerialExecutor())
    broken = _item(case, "b-break.txt")
    assert broken.status == "error" and broken.error_cause == "reader_bug"
    assert "broken-extractor 9" in (broken.error or "")
    assert "KeyError" in (broken.error or "") and "no such key" in (broken.error or "")
    assert _item(case, "a-ok.txt").status == "ok"
    assert _item(case, "d-after.txt").status == "ok"
    assert stats.errors["reader_bug"] == 1
    log = _log_of(case)
    assert "Traceback" in log and "KeyError" in log and "broken-extractor" in log
    assert broken.sha256 in log


def test_a_broken_container_reader_fails_only_its_item(
    case: Case, tmp_path: Path, broken_container: None
) -> None:
    assert auction("application/zip").name == "broken-zip"  # type: ignore[union-attr]
    stats = ingest(case, [_leak(tmp_path / "leak")], executor=SerialExecutor())
    archive = _item(case, "c.zip")
    assert archive.status == "error" and archive.error_cause == "reader_bug"
    assert archive.extractor == "broken-zip" and archive.extractor_version == "7"
    assert "ZeroDivisionError: the reader divided by zero" in (archive.error or "")
    assert _item(case, "c.zip!/first.txt").status == "ok"  # read before the bug: kept
    assert _item(case, "d-after.txt").status == "ok"  # the run went on
    assert stats.errors["reader_bug"] == 1
    assert "ZeroDivisionError" in _log_of(case)


def test_a_container_reader_that_hangs_is_stopped(case: Case, tmp_path: Path) -> None:
    config = case.root / CONFIG_NAME
    config.write_text(config.read_text().replace("item_timeout_s = 300.0", "item_timeout_s = 1.0"))
    case = Case.open(case.root)
    register(_HangingContainer)
    try:
        started = time.monotonic()
        ingest(case, [_leak(tmp_path / "leak")], executor=SerialExecutor())
    finally:
        unregister(_HangingContainer)
    assert time.monotonic() - started < 25
    archive = _item(case, "c.zip")
    assert archive.status == "error" and archive.error_cause == "timeout"
    assert "took longer than 1 s" in (archive.error or "")
    assert _item(case, "c.zip!/first.txt").status == "ok"
    assert _item(case, "d-after.txt").status == "ok"


def test_a_bug_in_type_detection_fails_only_its_item(
    case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = intake_module.detect

    def detect(path: Path, with_description: bool = False) -> object:
        if b"break" in path.read_bytes():
            raise RuntimeError("libmagic had a bad day")
        return real(path, with_description)

    monkeypatch.setattr(intake_module, "detect", detect)
    stats = ingest(case, [_leak(tmp_path / "leak")], executor=SerialExecutor())
    broken = _item(case, "b-break.txt")
    assert broken.status == "error" and broken.error_cause == "reader_bug"
    assert "RuntimeError: libmagic had a bad day" in (broken.error or "")
    assert _item(case, "d-after.txt").status == "ok"
    assert stats.errors["reader_bug"] == 1


def test_an_ordinary_7z_at_the_top_and_inside_a_zip(case: Case, tmp_path: Path) -> None:
    """py7zr 1.1's FileInfo has no ``is_encrypted``: an ordinary 7z once stopped the run."""
    leak = tmp_path / "leak"
    leak.mkdir()
    with py7zr.SevenZipFile(leak / "plain.7z", "w") as z:
        z.writestr("第一份 report\n".encode(), "docs/report.txt")
        z.writestr(b"second member\n", "docs/second.txt")
    with zipfile.ZipFile(leak / "outer.zip", "w") as outer:
        outer.write(leak / "plain.7z", "nested/plain-copy.7z")
        outer.writestr("nested/note.txt", "beside the 7z")
    (leak / "ingest-file.7z").write_bytes((FILES / "500_pages.7z").read_bytes())
    (leak / "after.txt").write_text("after the archives")
    ingest(case, [leak], executor=SerialExecutor())
    occ, items = _state(case)
    top = _item(case, "plain.7z")
    assert top.status == "ok" and top.extractor == "7z" and top.meta["members"] == 2
    assert _item(case, "plain.7z!/docs/report.txt").status == "ok"
    assert _item(case, "outer.zip!/nested/plain-copy.7z").sha256 == top.sha256
    nested = "outer.zip!/nested/plain-copy.7z!/docs/second.txt"
    assert nested in occ and occ[nested].depth == 2
    assert _item(case, nested).status == "ok"
    pdf = _item(case, "ingest-file.7z!/tests/fixtures/500 pages.pdf")
    assert pdf.mime == "application/pdf" and pdf.status == "ok"
    assert _item(case, "after.txt").status == "ok"


def test_a_split_7z_volume_is_recorded_clearly(case: Case, tmp_path: Path) -> None:
    leak = tmp_path / "leak"
    leak.mkdir()
    (leak / "500_pages.7z.001").write_bytes((FILES / "500_pages.7z.001").read_bytes())
    ingest(case, [leak], executor=SerialExecutor())
    vol = _item(case, "500_pages.7z.001")
    assert vol.status == "error" and vol.error_cause == "split_volume"
    assert "split 7z archive" in (vol.error or "") and "every volume" in (vol.error or "")


def test_containers_and_extractors_share_one_auction() -> None:
    assert is_container("application/zip") and is_container("application/x-rar")
    assert is_container("message/rfc822") and is_container("application/vnd.ms-outlook-pst")
    assert not is_container("text/plain") and not is_container("image/jpeg")
    zip_reader = auction("application/zip")
    assert zip_reader is not None and (zip_reader.name, zip_reader.version) == ("zip", "2")


def test_undeclared_metadata_is_a_clear_error_in_tests() -> None:
    with pytest.raises(MetaSchemaError, match="undeclared key 'shoe_size' for a image item"):
        checked_meta({"width": 3, "shoe_size": 44}, "photo-reader", "image/jpeg")
    with pytest.raises(MetaSchemaError, match="'width' should be integer, is str"):
        checked_meta({"width": "wide"}, "photo-reader", "image/jpeg")
    assert checked_meta({"subject": "hi", "members": 2}, "eml", "message/rfc822")
    # every declared key has a type and says what it holds
    for section in schema().keys.values():
        assert all(k.doc for k in section.values())


def test_undeclared_metadata_is_logged_and_kept_in_production(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("GUWAH_STRICT_META", "0")
    meta = {"shoe_size": 44}
    assert checked_meta(meta, "photo-reader", "image/jpeg") == meta
    assert "shoe_size" in caplog.text


@pytest.mark.parametrize(
    ("mime", "kind"),
    [
        ("text/html", "document"),
        ("application/xhtml+xml", "document"),
        ("text/csv", "spreadsheet"),
        ("application/vnd.ms-excel", "spreadsheet"),
        ("message/rfc822", "mail"),
        ("application/vnd.ms-outlook", "mail"),
        ("application/mbox", "mail"),
        ("application/x-rar", "archive"),
        ("application/x-iso9660-image", "archive"),
        ("application/vnd.ms-powerpoint", "document"),
        ("audio/mp4", "audio"),
        ("image/jpeg", "image"),
        ("application/octet-stream", "other"),
    ],
)
def test_one_kind_per_content_type_for_search_and_viewer(mime: str, kind: str) -> None:
    from guwah.web.queries import item_kind as viewer_kind

    assert item_kind(mime) == item_type(mime) == viewer_kind(mime) == kind
