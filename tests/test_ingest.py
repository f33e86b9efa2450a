"""Ingest end to end on real files: preservation, occurrences, dedup, idempotence."""

from __future__ import annotations

import hashlib
import os
import stat
import zipfile
from pathlib import Path

from sqlalchemy import func, select

from guwah.case import Case
from guwah.ingest.executor import ProcessExecutor
from guwah.ingest.pipeline import COMMIT_EVERY, ingest
from guwah.store.models import CustodyEvent, Item, Occurrence, Page, Sheet


def _tree_hashes(root: Path) -> dict[str, tuple[str, float]]:
    out = {}
    for p in sorted(root.rglob("*")):
        if p.is_file() and not p.is_symlink():
            out[str(p.relative_to(root))] = (
                hashlib.sha256(p.read_bytes()).hexdigest(),
                p.stat().st_mtime,
            )
    return out


def test_every_file_becomes_an_item_with_its_hashes_and_paths(
    case: Case, small_leak: Path, executor: ProcessExecutor
) -> None:
    before = _tree_hashes(small_leak)
    stats = ingest(case, [small_leak], custodian="tester", executor=executor)

    assert _tree_hashes(small_leak) == before, "the source must not be modified"
    with case.sessions() as s:
        items = {i.sha256: i for i in s.scalars(select(Item))}
        occurrences = {o.path: o for o in s.scalars(select(Occurrence))}
        # every file on disk is an occurrence pointing at the item with its content
        for rel, (sha, _) in before.items():
            occ = occurrences[rel]
            item = s.get(Item, occ.item_id)
            assert item is not None and item.sha256 == sha
            data = (small_leak / rel).read_bytes()
            assert item.md5 == hashlib.md5(data).hexdigest()
            assert item.sha1 == hashlib.sha1(data).hexdigest()
            assert item.size == len(data)
        # archive members, nested ones included, are occurrences with their parent archive
        member = occurrences["bundle.zip!/docs/inner.zip!/inner/readme.txt"]
        assert member.depth == 2
        parent = s.get(Item, member.parent_item_id)
        assert parent is not None and parent.mime == "application/zip"
        # one original per content: notes.txt, copy-of-notes.txt and the zip member share it
        notes = occurrences["notes.txt"].item_id
        assert occurrences["copy-of-notes.txt"].item_id == notes
        assert occurrences["bundle.zip!/docs/notes.txt"].item_id == notes
        n_items = s.scalar(select(func.count()).select_from(Item))
        assert n_items == len(items) == stats.new_items
        # types come from the bytes; a lying extension is recorded
        assert (
            items[before["photos/" + os.listdir(small_leak / "photos")[0]][0]].mime == "image/jpeg"
        )
        liar = occurrences["looks-like-a.jpg"]
        assert liar.extension_mismatch
        assert s.get(Item, liar.item_id).mime == "text/plain"  # type: ignore[union-attr]
        assert not occurrences["notes.txt"].extension_mismatch
        # every stored item has a custody record
        stored = set(
            s.scalars(select(CustodyEvent.item_sha256).where(CustodyEvent.event == "stored"))
        )
        assert stored == set(items)
        assert all(e.custodian == "tester" for e in s.scalars(select(CustodyEvent)))
        # extraction ran: the GBK CSV is a sheet, the text file a page
        assert s.scalar(select(func.count()).select_from(Sheet)) >= 1
        texts = [p.text for p in s.scalars(select(Page))]
        assert any("会议纪要" in t for t in texts)

    # originals are stored read-only under their hash
    for sha in items:
        path = case.blobs.path_for(sha)
        assert hashlib.sha256(path.read_bytes()).hexdigest() == sha
        assert not path.stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)


def test_ingesting_the_same_source_twice_adds_nothing(
    case: Case, small_leak: Path, executor: ProcessExecutor
) -> None:
    ingest(case, [small_leak], executor=executor)

    def counts() -> tuple[int, int, int, int]:
        with case.sessions() as s:
            return (
                s.scalar(select(func.count()).select_from(Item)) or 0,
                s.scalar(select(func.count()).select_from(Occurrence)) or 0,
                s.scalar(select(func.count()).select_from(CustodyEvent)) or 0,
                s.scalar(select(func.count()).select_from(Page)) or 0,
            )

    first = counts()
    again = ingest(case, [small_leak], executor=ProcessExecutor(workers=2))
    assert counts() == first
    assert again.new_items == 0 and again.new_occurrences == 0


def test_a_new_copy_of_known_content_adds_only_a_path(
    case: Case, small_leak: Path, tmp_path: Path, executor: ProcessExecutor
) -> None:
    ingest(case, [small_leak], executor=executor)
    extra = tmp_path / "second-delivery"
    extra.mkdir()
    (extra / "again.txt").write_bytes((small_leak / "notes.txt").read_bytes())
    stats = ingest(case, [extra], executor=ProcessExecutor(workers=2))
    assert stats.new_items == 0
    assert stats.new_occurrences == 1


def test_content_repeated_after_a_commit_in_one_run_is_stored_once(
    case: Case, tmp_path: Path, executor: ProcessExecutor
) -> None:
    """On an empty case the walk skips database lookups for unseen content and paths; a copy
    met after the first batch was committed must still be found, not stored twice."""
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    for i in range(COMMIT_EVERY + 50):  # more than one commit's worth of new files
        (first / f"note-{i:04d}.txt").write_text(f"note number {i}\n", encoding="utf-8")
    (second / "copy.txt").write_bytes((first / "note-0000.txt").read_bytes())
    (second / "sub").mkdir()
    (second / "sub" / "copy.txt").write_bytes((first / "note-0001.txt").read_bytes())

    stats = ingest(case, [first, second, first], executor=executor)  # `first` twice, too

    n = COMMIT_EVERY + 50
    assert stats.new_items == n
    assert stats.new_occurrences == n + 2
    with case.sessions() as s:
        assert s.scalar(select(func.count()).select_from(Item)) == n
        assert s.scalar(select(func.count(func.distinct(Item.sha256)))) == n
        assert s.scalar(select(func.count()).select_from(Occurrence)) == n + 2
        copies = s.scalars(
            select(Occurrence.path)
            .join(Item, Occurrence.item_id == Item.id)
            .where(Item.sha256 == hashlib.sha256(b"note number 0\n").hexdigest())
        ).all()
    assert sorted(copies) == ["copy.txt", "note-0000.txt"]


def test_gbk_names_in_zip_and_on_disk_are_decoded_and_kept_raw(
    case: Case, tmp_path: Path, executor: ProcessExecutor
) -> None:
    leak = tmp_path / "leak"
    leak.mkdir()
    gbk_name = "在押人员名单.txt".encode("gbk")
    # a zip written by a Chinese Windows tool: GBK names, no UTF-8 flag
    placeholder = b"x" * len(gbk_name)
    with zipfile.ZipFile(leak / "archive.zip", "w") as z:
        z.writestr(placeholder.decode(), "内容")
    data = (leak / "archive.zip").read_bytes()
    (leak / "archive.zip").write_bytes(data.replace(placeholder, gbk_name))
    assert not zipfile.ZipFile(leak / "archive.zip").infolist()[0].flag_bits & 0x800
    # a file on disk whose name is GBK bytes (not valid UTF-8), and one with broken UTF-8
    (leak.joinpath(os.fsdecode(gbk_name))).write_text("甲")
    (leak.joinpath(os.fsdecode(b"broken-\xff\xfe.txt"))).write_text("乙")

    ingest(case, [leak], executor=executor)
    with case.sessions() as s:
        occ = {o.path: o for o in s.scalars(select(Occurrence))}
    assert "archive.zip!/在押人员名单.txt" in occ
    assert occ["archive.zip!/在押人员名单.txt"].raw_name_hex == gbk_name.hex()
    assert occ["在押人员名单.txt"].raw_name_hex == gbk_name.hex()
    broken = [o for p, o in occ.items() if p.startswith("broken-")]
    assert len(broken) == 1 and broken[0].raw_name_hex == b"broken-\xff\xfe.txt".hex()
    assert broken[0].item_id is not None
