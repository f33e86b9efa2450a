"""Each verify check on crafted positive and negative cases, on a real ingested case."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select

from guwah.case import Case, CaseError
from guwah.ingest.executor import SerialExecutor
from guwah.ingest.pipeline import ingest
from guwah.store.models import CheckRun, CustodyEvent, FindingItem, FindingRow, ImageHash
from guwah.verify import run_checks
from tests import verify_files as vf

T0 = datetime(2018, 3, 1, 10, 0, 0)
CLEAN_IDS = [vf.valid_id("653121", f"1980010{i}", 11 + 2 * i) for i in range(1, 7)]
DUP_ID = vf.valid_id("653121", "19900505", 21)
BAD_ID = vf.bad_checksum(vf.valid_id("653121", "19750315", 33))
LEGACY_OK = "653121750315033"  # 15 digits: region, 750315, sequence
LEGACY_BAD = "653121751315033"  # month 13


@dataclass
class Leak:
    root: Path
    case: Case
    files: dict[str, Path]

    def rel(self, key: str) -> str:
        return self.files[key].relative_to(self.root).as_posix()


def build_leak(root: Path) -> dict[str, Path]:
    st = root / "派出所" / "人员照片"
    f: dict[str, Path] = {}
    for i, number in enumerate(CLEAN_IDS):
        t = T0.replace(day=1 + i)
        f[f"clean{i}"] = vf.jpeg(
            st / f"{number}_{t:%Y%m%d%H%M%S}.jpg", vf.picture(100 + i), taken=t, mtime=None
        )
    t = T0.replace(day=10)
    f["bad_id"] = vf.jpeg(st / f"{BAD_ID}_{t:%Y%m%d%H%M%S}.jpg", vf.picture(200), taken=t)
    f["mismatch"] = vf.jpeg(
        st / f"{t:%Y%m%d%H%M%S}_{vf.valid_id('653121', '19850607', 41)}.jpg",
        vf.picture(201),
        taken=t.replace(hour=18),
    )
    f["edited"] = vf.jpeg(
        st / f"{vf.valid_id('653121', '19700101', 51)}_{t:%Y%m%d%H%M%S}.jpg",
        vf.picture(202),
        taken=t,
        software="Adobe Photoshop CC 2017 (Windows)",
        saved=datetime(2018, 9, 1, 12, 0, 0),
    )
    f["anachronism"] = vf.jpeg(
        st / f"{vf.valid_id('653121', '19660202', 61)}_{t:%Y%m%d%H%M%S}.jpg",
        vf.picture(203),
        taken=t,
        model="Canon EOS R5",
        serial="999",
    )
    # the first clean photo, resized and re-encoded, under another person's ID
    with Image.open(f["clean0"]) as src:
        small = src.convert("RGB").resize((168, 224), Image.Resampling.LANCZOS)
    name = f"{DUP_ID}_{T0:%Y%m%d%H%M%S}.jpg"
    f["duplicate"] = vf.jpeg(st / name, small, taken=T0, quality=70)
    other = root / "其他"
    f["legacy_ok"] = vf.jpeg(other / f"{LEGACY_OK}.jpg", vf.picture(300), taken=T0)
    f["legacy_bad"] = vf.jpeg(other / f"{LEGACY_BAD}.jpg", vf.picture(301), taken=T0)
    f["thumb_bad"] = vf.jpeg(
        other / "scan_a.jpg", vf.picture(302), thumbnail=vf.picture(303, (160, 120))
    )
    f["thumb_ok"] = vf.jpeg(
        other / "scan_b.jpg", vf.picture(304), thumbnail=vf.picture(304).resize((120, 160))
    )
    docs = root / "文件"
    f["pdf_ok"] = vf.pdf(
        docs / "notice_ok.pdf",
        ["Notice on camp security", "Body text.", "County Police Bureau", "2018-07-23"],
        datetime(2018, 7, 23, 9, 30),
    )
    f["pdf_late"] = vf.pdf(
        docs / "notice_late.pdf",
        ["Notice on transfers", "Body text.", "County Police Bureau", "2018-07-23"],
        datetime(2019, 3, 1, 10, 0),
    )
    f["docx_late"] = vf.docx(
        docs / "纪要.docx",
        ["会议纪要", "正文。", "县委办公室", "二〇一八年七月二十三日"],
        datetime(2019, 1, 5, 9, 0),
        datetime(2019, 1, 5, 10, 0),
    )
    f["docx_ok"] = vf.docx(
        docs / "通知.docx",
        ["关于加强管理的通知", "正文。", "县公安局", "2018年7月23日"],
        datetime(2018, 7, 23, 9, 0),
        datetime(2018, 7, 23, 11, 0),
    )
    return f


@pytest.fixture(scope="module")
def leak(tmp_path_factory: pytest.TempPathFactory) -> Leak:
    base = tmp_path_factory.mktemp("verify")
    files = build_leak(base / "leak")
    case = Case.init(base / "case")
    ingest(case, [base / "leak"], executor=SerialExecutor())
    run_checks(case, executor=SerialExecutor())
    return Leak(base / "leak", case, files)


def findings(case: Case, kind: str | None = None) -> list[tuple[FindingRow, list[FindingItem]]]:
    with case.sessions() as s:
        q = select(FindingRow).order_by(FindingRow.id)
        if kind:
            q = q.where(FindingRow.kind == kind)
        out = []
        for f in s.scalars(q):
            items = s.scalars(select(FindingItem).where(FindingItem.finding_id == f.id)).all()
            out.append((f, list(items)))
        return out


def paths_of(items: list[FindingItem]) -> set[str]:
    return {i.path for i in items if i.path}


def sha_of(leak: Leak, key: str) -> str:
    import hashlib

    return hashlib.sha256(leak.files[key].read_bytes()).hexdigest()


def test_ids_bad_checksum_and_legacy(leak: Leak) -> None:
    found = findings(leak.case, "id_bad_checksum")
    assert len(found) == 1
    f, items = found[0]
    assert f.severity == "error" and f.check == "ids"
    assert paths_of(items) == {leak.rel("bad_id")}
    assert items[0].sha256 == sha_of(leak, "bad_id")
    assert f.values["id_number"] == BAD_ID and f.values["expected"] != BAD_ID[-1]
    assert "MOD 11-2" in f.explanation
    dates = findings(leak.case, "id_bad_date")
    assert [paths_of(i) for _, i in dates] == [{leak.rel("legacy_bad")}]
    every = {p for _, items in findings(leak.case) for p in paths_of(items)}
    assert leak.rel("legacy_ok") not in every  # a valid 15-digit number is no finding


def test_time_mismatch_and_anachronism(leak: Leak) -> None:
    found = findings(leak.case, "exif_time_mismatch")
    assert [paths_of(i) for _, i in found] == [{leak.rel("mismatch")}]
    f, items = found[0]
    assert f.values["difference_s"] == 8 * 3600 and f.values["whole_hours"] is True
    assert items[0].location["exif_tag"] == "EXIF DateTimeOriginal"
    assert "whole number of hours" in f.explanation
    ana = findings(leak.case, "camera_anachronism")
    assert [paths_of(i) for _, i in ana] == [{leak.rel("anachronism")}]
    assert ana[0][0].values["released"] == "2020-07-09" and ana[0][0].severity == "error"
    # file times of the disk files are when the test wrote them: later, never earlier
    assert not findings(leak.case, "file_time_before_capture")
    assert not findings(leak.case, "photo_in_future")


def test_images_editor_camera_thumbnail(leak: Leak) -> None:
    edited = findings(leak.case, "edited_photo")
    assert [paths_of(i) for _, i in edited] == [{leak.rel("edited")}]
    f = edited[0][0]
    assert f.values["editor"] == "Adobe Photoshop" and "later than DateTimeOriginal" in (
        f.explanation
    )
    outliers = {p for _, i in findings(leak.case, "camera_outlier") for p in paths_of(i)}
    assert outliers == {leak.rel("anachronism")}
    assert all(f.severity == "info" for f, _ in findings(leak.case, "camera_outlier"))
    thumbs = findings(leak.case, "thumbnail_mismatch")
    assert [paths_of(i) for _, i in thumbs] == [{leak.rel("thumb_bad")}]
    assert thumbs[0][1][0].location == {"exif_tag": "JPEGThumbnail"}


def test_near_duplicate_under_another_id(leak: Leak) -> None:
    found = findings(leak.case, "duplicate_photo")
    assert len(found) == 1
    f, items = found[0]
    assert paths_of(items) == {leak.rel("clean0"), leak.rel("duplicate")}
    assert {i.sha256 for i in items} == {sha_of(leak, "clean0"), sha_of(leak, "duplicate")}
    assert set(f.values["ids"]) == {CLEAN_IDS[0], DUP_ID}
    assert not findings(leak.case, "near_duplicate")  # no other pair is alike
    with leak.case.sessions() as s:  # fingerprints are cached for the next run
        assert s.scalar(select(func.count()).select_from(ImageHash)) == 15


def test_documents_backdated(leak: Leak) -> None:
    found = findings(leak.case, "document_backdated")
    assert {p for _, i in found for p in paths_of(i)} == {
        leak.rel("pdf_late"),
        leak.rel("docx_late"),
    }
    by_path = {next(iter(paths_of(i))): f for f, i in found}
    pdf_f = by_path[leak.rel("pdf_late")]
    assert pdf_f.values["claimed_date"] == "2018-07-23"
    assert pdf_f.values["created"].startswith("2019-03-01")
    docx_f = by_path[leak.rel("docx_late")]
    assert docx_f.values["claimed_text"] == "二〇一八年七月二十三日"
    locs = [i.location for f, items in found for i in items]
    assert {"page": 1, "text": "2018-07-23"} in locs


def test_rerun_is_idempotent_and_one_check_runs_alone(leak: Leak) -> None:
    def snapshot() -> Counter[tuple[str, str, str]]:
        return Counter(
            (f.kind, i.sha256, i.path or "") for f, items in findings(leak.case) for i in items
        )

    before = snapshot()
    run = run_checks(leak.case, executor=SerialExecutor())
    assert snapshot() == before
    with leak.case.sessions() as s:
        runs_before = {r.check: r.finished_at for r in s.scalars(select(CheckRun))}
    one = run_checks(leak.case, ["ids"], executor=SerialExecutor())
    assert [c.name for c in one.checks] == ["ids"]
    assert snapshot() == before
    with leak.case.sessions() as s:
        runs_after = {r.check: r.finished_at for r in s.scalars(select(CheckRun))}
        n_verified = s.scalar(
            select(func.count()).select_from(CustodyEvent).where(CustodyEvent.event == "verified")
        )
    assert runs_after["ids"] > runs_before["ids"]
    assert all(runs_after[k] == runs_before[k] for k in runs_before if k != "ids")
    assert n_verified == 3  # the fixture's run, the full re-run, the single check
    assert run.n_findings == len(findings(leak.case))
    with pytest.raises(CaseError, match="unknown check"):
        run_checks(leak.case, ["nope"])


def test_clean_photos_have_no_findings(leak: Leak) -> None:
    involved = {p for _, items in findings(leak.case) for p in paths_of(items)}
    for i in range(1, len(CLEAN_IDS)):
        assert leak.rel(f"clean{i}") not in involved
    assert leak.rel("thumb_ok") not in involved
    assert leak.rel("pdf_ok") not in involved and leak.rel("docx_ok") not in involved
