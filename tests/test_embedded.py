"""Images embedded in documents and slides become child items, like archive members.

The files are Apache Tika's test documents (tests/files/realworld/SOURCES.md), written by
Microsoft Office; the pixel test uses documents that LibreOffice itself writes in the test.
The expected pictures are what the files hold: testPPT_2imgs.pptx was saved by PowerPoint
with the same logo as testPPT_2imgs.ppt and testWORD_3imgs.doc, so one item must have three
paths, found by three different readers.
"""

from __future__ import annotations

import io
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select

from guwah.case import Case
from guwah.config import CONFIG_NAME
from guwah.ingest.containers import embedded
from guwah.ingest.executor import ProcessExecutor
from guwah.ingest.extractors.libreoffice import convert_files
from guwah.ingest.pipeline import ingest
from guwah.store.models import CustodyEvent, Item, Occurrence, Page
from tests.conftest import ROOT, require
from tests.test_formats import _top

CORPUS = ROOT / "tests" / "files" / "realworld"
DOCS = [
    "testPPT_2imgs.ppt",
    "testPPT_2imgs.pptx",
    "testWORD_3imgs.doc",
    "testRTFRegularImages.rtf",
    "pictures.ppt",
]


def _ingest(case: Case, *sources: Path) -> None:
    ex = ProcessExecutor(workers=2)
    try:
        ingest(case, list(sources), executor=ex)
    finally:
        ex.close()


def _children(rows: dict[str, tuple[Occurrence, Item | None]], name: str) -> dict[str, Item]:
    out = {}
    for path, (_, item) in rows.items():
        if path.startswith(name + "!/"):
            assert item is not None, (path, rows[path][0].error)
            out[path.removeprefix(name + "!/")] = item
    return out


@pytest.fixture(scope="module")
def case(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Case]:
    tmp = tmp_path_factory.mktemp("embedded")
    leak = tmp / "leak"
    leak.mkdir()
    for name in DOCS:
        shutil.copy2(CORPUS / name, leak / name)
    case = Case.init(tmp / "case")
    _ingest(case, leak)
    yield case


def test_pictures_in_slides_and_documents_are_child_items(case: Case) -> None:
    rows = _top(case)
    expected = {  # what each file holds (Tika's own tests count the same pictures)
        "testPPT_2imgs.ppt": {"png": 3},
        "testPPT_2imgs.pptx": {"png": 2, "gif": 1},
        "testWORD_3imgs.doc": {"png": 2, "jpg": 1},
        "testRTFRegularImages.rtf": {"jpg": 2, "wmf": 2},
        "pictures.ppt": {"jpg": 1, "png": 1, "wmf": 1, "pict": 1, "emf": 1},
    }
    for name, kinds in expected.items():
        occ, doc = rows[name]
        children = _children(rows, name)
        found: dict[str, int] = {}
        for member in children:
            ext = member.rsplit(".", 1)[-1]
            found[ext] = found.get(ext, 0) + 1
        assert found == kinds, (name, sorted(children))
        assert doc is not None
        if name == "pictures.ppt":  # LibreOffice cannot load it: its pictures still come out
            assert doc.status == "error" and doc.error_cause not in ("reader_bug", "crash")
        else:
            assert doc.status == "ok", (name, doc.error)
        for member, item in children.items():
            child_occ = rows[f"{name}!/{member}"][0]
            assert child_occ.parent_item_id == doc.id and child_occ.depth == occ.depth + 1
            ext = member.rsplit(".", 1)[-1]
            if ext in ("png", "jpg", "gif"):
                data = case.blobs.path_for(item.sha256).read_bytes()
                image = Image.open(io.BytesIO(data))
                image.load()  # decodes whole: the bytes are the picture, not a slice of it
                assert image.format == {"png": "PNG", "jpg": "JPEG", "gif": "GIF"}[ext]
                assert item.mime == f"image/{ {'jpg': 'jpeg'}.get(ext, ext) }"
                assert item.status == "ok", (member, item.error)


def test_the_same_picture_from_three_programs_is_one_item_with_three_paths(case: Case) -> None:
    rows = _top(case)
    first = {
        name: min(_children(rows, name).items(), key=lambda kv: kv[0])
        for name in ("testPPT_2imgs.pptx", "testPPT_2imgs.ppt", "testWORD_3imgs.doc")
    }
    logo = {item.sha256 for _, item in first.values() if item.mime == "image/png"}
    # image1.png of the .pptx, the first PNG record of the .ppt and of the .doc
    assert len(logo) == 1, first
    with case.sessions() as s:
        sha = logo.pop()
        paths = s.scalars(
            select(Occurrence.path)
            .join(Item, Item.id == Occurrence.item_id)
            .where(Item.sha256 == sha)
        ).all()
    assert {p.split("!/")[0] for p in paths} >= {
        "testPPT_2imgs.pptx",
        "testPPT_2imgs.ppt",
        "testWORD_3imgs.doc",
    }


def test_documents_keep_their_text_and_children_their_custody(case: Case) -> None:
    rows = _top(case)
    with case.sessions() as s:
        for name in ("testPPT_2imgs.ppt", "testWORD_3imgs.doc", "testPPT_2imgs.pptx"):
            doc = rows[name][1]
            assert doc is not None
            text = " ".join(s.scalars(select(Page.text).where(Page.item_id == doc.id)))
            assert len(text.split()) >= 3, name
        stored = s.scalars(
            select(CustodyEvent.source_path).where(CustodyEvent.event == "stored")
        ).all()
    assert any("testWORD_3imgs.doc!/WordDocument/" in (p or "") for p in stored)


def _leak(root: Path, copies: dict[str, str]) -> Path:
    """A leak directory of corpus files under new names (new name → corpus name)."""
    root.mkdir()
    for name, corpus_name in copies.items():
        shutil.copy2(CORPUS / corpus_name, root / name)
    return root


def test_a_document_found_again_at_a_new_path_gives_its_pictures_new_paths(
    case: Case, tmp_path: Path
) -> None:
    _ingest(case, _leak(tmp_path / "again", {"speech-copy.doc": "testWORD_3imgs.doc"}))
    rows = _top(case)
    copies = _children(rows, "speech-copy.doc")
    originals = _children(rows, "testWORD_3imgs.doc")
    assert sorted(copies) == sorted(originals)
    assert {i.sha256 for i in copies.values()} == {i.sha256 for i in originals.values()}


def _picture(path: Path) -> Image.Image:
    # a picture no program here made before: 3 colours in stripes, lossless
    image = Image.new("RGB", (90, 60), (200, 30, 30))
    for x in range(30, 60):
        for y in range(60):
            image.putpixel((x, y), (20, 160, 40))
    for x in range(60, 90):
        for y in range(60):
            image.putpixel((x, y), (10, 20, 210))
    image.save(path, "PNG")
    return image


def test_pictures_written_by_libreoffice_come_out_pixel_for_pixel(tmp_path: Path) -> None:
    require("libreoffice")
    import docx

    png = tmp_path / "stripes.png"
    picture = _picture(png)
    document = docx.Document()
    document.add_paragraph("关于加强重点人员管控的通知")
    document.add_picture(str(png))
    src = tmp_path / "notice.docx"
    document.save(str(src))
    leak = tmp_path / "leak"
    leak.mkdir()
    for fmt in ("doc", "odt", "rtf"):
        convert_files([src], fmt, leak, 120)  # written by LibreOffice itself
    shutil.copy2(src, leak / src.name)
    case = Case.init(tmp_path / "case")
    _ingest(case, leak)
    rows = _top(case)
    for name in ("notice.docx", "notice.doc", "notice.odt", "notice.rtf"):
        children = _children(rows, name)
        bitmaps = [i for i in children.values() if i.mime in ("image/png", "image/jpeg")]
        assert bitmaps, (name, sorted(children))
        same = False
        for item in bitmaps:
            image = Image.open(case.blobs.path_for(item.sha256)).convert("RGB")
            same = same or (image.size == picture.size and image.tobytes() == picture.tobytes())
        assert same, f"{name}: no embedded picture equals the one put in"


def test_bounds_and_broken_pictures_lose_nothing(tmp_path: Path) -> None:
    import zipfile

    leak = tmp_path / "leak"
    leak.mkdir()
    # a deck whose media part is a bomb, one with many pictures, and a .ppt cut short
    with zipfile.ZipFile(CORPUS / "testPPT_2imgs.pptx") as src:
        parts = {info.filename: src.read(info) for info in src.infolist()}
    with zipfile.ZipFile(leak / "bomb.pptx", "w", zipfile.ZIP_DEFLATED) as out:
        for name, part in parts.items():
            out.writestr(name, part)
        out.writestr("ppt/media/image9.png", b"\0" * 50_000_000)
    with zipfile.ZipFile(leak / "many.pptx", "w", zipfile.ZIP_DEFLATED) as out:
        for name, part in parts.items():
            out.writestr(name, part)
        for i in range(40):
            out.writestr(f"ppt/media/extra{i}.png", parts["ppt/media/image1.png"] + bytes([i]))
    data = (CORPUS / "testPPT_2imgs.ppt").read_bytes()
    (leak / "cut.ppt").write_bytes(data[: len(data) * 2 // 3])
    shutil.copy2(CORPUS / "utf.txt", leak / "zz-after.txt")
    case = Case.init(tmp_path / "case")
    config = case.root / CONFIG_NAME
    text = config.read_text()
    assert "max_archive_members = " in text
    lines = [
        "max_archive_members = 20" if ln.startswith("max_archive_members = ") else ln
        for ln in text.splitlines()
    ]
    config.write_text("\n".join(lines) + "\n")
    case = Case.open(case.root)
    _ingest(case, leak)
    rows = _top(case)
    bomb = rows["bomb.pptx!/ppt/media/image9.png"][0]
    assert bomb.item_id is None and bomb.error_cause == "bomb", bomb.error
    deck = rows["bomb.pptx"][1]  # the text reader refuses the whole package: also a bomb
    assert deck is not None and deck.status == "error", deck.error
    assert deck.error_cause in ("bomb", "too_large"), deck.error
    many = [p for p in rows if p.startswith("many.pptx!/")]
    assert len(many) <= 21  # bounded by max_archive_members
    assert any(rows[p][0].error_cause == "bomb" for p in many)
    for occ, item in rows.values():
        assert occ.error_cause != "reader_bug"
        assert item is None or item.error_cause != "reader_bug"
    assert rows["zz-after.txt"][1] is not None and rows["zz-after.txt"][1].status == "ok"


@pytest.fixture
def broken_reader() -> Iterator[None]:
    @embedded.register_embedded
    class Broken(embedded.EmbeddedFiles):
        """A deliberately broken reader of Word's embedded files, outbidding the real one."""

        name = "broken-embedded"

        def score(self, mime: str) -> int:
            return 50 if mime == "application/msword" else 0

        def members(self, path, mime, ctx):  # type: ignore[no-untyped-def]
            raise KeyError("a bug nobody expected")
            yield  # pragma: no cover

    try:
        yield
    finally:
        embedded.unregister_embedded(Broken)


def test_a_broken_embedded_reader_fails_only_its_document(
    tmp_path: Path, broken_reader: None
) -> None:
    leak = _leak(tmp_path / "leak", {"speech.doc": "testWORD_3imgs.doc", "zz-after.txt": "utf.txt"})
    case = Case.init(tmp_path / "case")
    _ingest(case, leak)
    rows = _top(case)
    failed = rows["speech.doc!/"][0]
    assert failed.error_cause == "reader_bug" and "KeyError" in (failed.error or "")
    doc = rows["speech.doc"][1]
    assert doc is not None and doc.status == "ok"  # its text was still read
    assert rows["zz-after.txt"][1] is not None and rows["zz-after.txt"][1].status == "ok"
    assert list((case.root / "logs").glob("*.log")), "the traceback is in the run's log"
