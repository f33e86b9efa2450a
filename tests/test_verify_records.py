"""The records-based checks (record_ids, cross_field, record_times, joins) on a crafted leak of
real spreadsheets and photos: ingested, records built, checks run, each finding on the right
cell."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from sqlalchemy import select

from guwah.case import Case
from guwah.ingest.executor import SerialExecutor
from guwah.ingest.pipeline import ingest
from guwah.records.stage import build_records
from guwah.store.models import FindingItem, FindingRow
from guwah.verify import run_checks
from guwah.verify.records_data import counties_in
from tests import verify_files as vf

CHECKS = ["record_ids", "cross_field", "record_times", "joins"]
SHEET = "村A"
ROSTER = "疏附县在押人员花名册.xlsx"
VILLAGE = "村A户籍人口.csv"
ADDR = "新疆维吾尔自治区喀什地区疏附县塔格拉克乡村A1组"
T = datetime(2018, 3, 5, 9, 30, 0)

# 17th digit odd = male, even = female
CLEAN = vf.valid_id("653121", "19900101", 122)  # female, fully consistent
TEKES_OLD = vf.valid_id("654127", "19880808", 131)  # Tekes before 2001: 654127 is right
BAD_SUM = vf.bad_checksum(vf.valid_id("653121", "19800202", 141))
BIRTH = vf.valid_id("653121", "19850607", 151)  # recorded 1986-01-01
SEX = vf.valid_id("653121", "19870303", 161)  # male, recorded 女
REGION = vf.valid_id("653123", "19750505", 171)  # 英吉沙县, lives in 疏附县
AGE = vf.valid_id("653121", "19900606", 181)  # 27 on the photo date, recorded 40
NO_PHOTO = vf.valid_id("653121", "19920909", 191)  # detainee without a photo
CONFLICT = vf.valid_id("653121", "19930303", 211)  # 买买提 here, 艾力 in the village roster
EARLY = vf.valid_id("653121", "19940404", 221)  # photo before the detention date
RELEASED = vf.valid_id("653121", "19950505", 232)  # photo after the release date
FLOATED = vf.valid_id("653121", "19600101", 241)  # a number cell: stored as a float
ORPHAN = vf.valid_id("653121", "19990909", 251)  # in a photo name, in no record
RESIDENT = vf.valid_id("653121", "19700101", 262)  # not detained, no photo: nothing to say
LEGACY = "653121750315033"  # 15 digits, born 1975-03-15, male

HEADER = [
    "序号",
    "姓名",
    "公民身份号码",
    "性别",
    "出生日期",
    "年龄",
    "户籍地址",
    "收押时间",
    "释放时间",
]
COL = {h: i + 1 for i, h in enumerate(HEADER)}
# row → (name, id, sex, birth, age, address, detained, released); the header is row 3
ROWS: dict[int, tuple[Any, ...]] = {
    4: ("阿依夏·塔依尔", CLEAN, "女", "1990-01-01", 28, ADDR, "2018-03-01", None),
    5: ("吐尔逊·阿不都", BAD_SUM, "男", "1980-02-02", 38, ADDR, "2018-03-01", None),
    6: ("热合曼·萨迪克", BIRTH, "男", "1986-01-01", 32, ADDR, "2018-03-01", None),
    7: ("伊斯拉木·亚森", SEX, "女", "1987-03-03", 30, ADDR, "2018-03-01", None),
    8: ("努尔买买提·阿里木", REGION, "男", "1975-05-05", 42, ADDR, "2018-03-01", None),
    9: (
        "叶尔兰·努尔兰",
        TEKES_OLD,
        "男",
        "1988-08-08",
        29,
        "特克斯县喀拉达拉乡",
        "2018-03-01",
        None,
    ),
    10: ("艾则孜·阿迪力", AGE, "男", "1990-06-06", 40, ADDR, "2018-03-01", None),
    11: ("亚森·吐尔地", NO_PHOTO, "男", "1992-09-09", 25, ADDR, "2018-03-01", None),
    12: ("买买提·艾力", CONFLICT, "男", "1993-03-03", 24, ADDR, "2018-03-01", None),
    13: ("阿不都·热西提", EARLY, "男", "1994-04-04", 23, ADDR, "2018-05-01", None),
    14: ("古丽·买买提", RELEASED, "女", "1995-05-05", 22, ADDR, "2018-01-10", "2018-02-01"),
    15: ("吾斯曼·吾买尔", float(FLOATED), "男", "1960-01-01", 58, ADDR, "2018-03-01", None),
    16: ("热孜万古丽·买尔旦", LEGACY, "男", "1975-03-15", 42, ADDR, None, None),
}
PHOTOS = {  # ID → photo time
    CLEAN: T,
    TEKES_OLD: T,
    BAD_SUM: T,
    BIRTH: T,
    SEX: T,
    REGION: T,
    AGE: T,
    CONFLICT: T,
    EARLY: T,
    RELEASED: datetime(2018, 4, 1, 10, 0, 0),
    FLOATED: T,
    ORPHAN: T,
}


def write_roster(path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = SHEET
    ws["A1"] = "疏附县塔格拉克乡在押人员花名册"
    ws.merge_cells("A1:I1")
    for c, h in enumerate(HEADER, 1):
        ws.cell(row=3, column=c, value=h)
    for r, (name, number, sex, born, age, addr, det, rel) in ROWS.items():
        values = [r - 3, name, number, sex, born, age, addr, det, rel]
        for c, v in enumerate(values, 1):
            if v is not None:
                ws.cell(row=r, column=c, value=v)
    wb.save(path)


def write_village(path: Path) -> None:
    lines = [
        "姓名,身份证号,性别,出生日期,户籍地址",
        f"阿依夏·塔依尔,{CLEAN},女,1990-01-01,{ADDR}",
        f"艾力·吐尔逊,{CONFLICT},男,1993-03-03,{ADDR}",  # row 3: another name
        f"阿依古丽·吾拉木,{RESIDENT},女,1970-01-01,{ADDR}",
        f"吾斯曼·吾买尔,{FLOATED},男,1960-01-01,{ADDR}",
    ]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("utf-8"))


def build_leak(root: Path) -> None:
    root.mkdir(parents=True)
    write_roster(root / ROSTER)
    write_village(root / VILLAGE)
    photos = root / "人员照片"
    for i, (number, t) in enumerate(PHOTOS.items()):
        vf.jpeg(photos / f"{number}_{t:%Y%m%d%H%M%S}.jpg", vf.picture(500 + i), taken=t)


@dataclass
class Leak:
    root: Path
    case: Case

    def sha(self, name: str) -> str:
        return hashlib.sha256((self.root / name).read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def leak(tmp_path_factory: pytest.TempPathFactory) -> Leak:
    base = tmp_path_factory.mktemp("verify_records")
    build_leak(base / "leak")
    case = Case.init(base / "case")
    ingest(case, [base / "leak"], executor=SerialExecutor())
    # before the records stage: the records checks say what to run first
    first = run_checks(case, names=CHECKS)
    assert {c.name: c.status for c in first.checks} == dict.fromkeys(CHECKS, "skipped")
    assert all("guwah records" in (c.note or "") for c in first.checks)
    build_records(case)
    run_checks(case, names=CHECKS)
    return Leak(base / "leak", case)


def findings(case: Case, kind: str) -> list[tuple[FindingRow, list[FindingItem]]]:
    with case.sessions() as s:
        out = []
        for f in s.scalars(select(FindingRow).where(FindingRow.kind == kind)):
            items = s.scalars(select(FindingItem).where(FindingItem.finding_id == f.id)).all()
            out.append((f, list(items)))
        return out


def one(case: Case, kind: str, number: str) -> tuple[FindingRow, list[FindingItem]]:
    hits = [(f, i) for f, i in findings(case, kind) if f.values.get("id_number") == number]
    assert len(hits) == 1, (kind, number, [f.values for f, _ in findings(case, kind)])
    return hits[0]


def cell(items: list[FindingItem], role: str = "record") -> set[tuple[str, Any, Any, Any]]:
    return {
        (i.sha256, i.location.get("sheet"), i.location.get("row"), i.location.get("col"))
        for i in items
        if i.role == role
    }


def col(header: str) -> str:
    return "ABCDEFGHI"[COL[header] - 1]


def test_bad_checksum_names_rows_and_photo(leak: Leak) -> None:
    f, items = one(leak.case, "id_bad_checksum", BAD_SUM)
    assert f.check == "record_ids" and f.severity == "error"
    assert cell(items) == {(leak.sha(ROSTER), SHEET, 5, col("公民身份号码"))}
    photo = [i for i in items if i.role == "photo"]
    assert len(photo) == 1 and photo[0].path and BAD_SUM in photo[0].path
    assert f.values["expected"] != BAD_SUM[-1]


def test_damaged_float_id(leak: Leak) -> None:
    [(f, items)] = findings(leak.case, "id_damaged")
    assert cell(items) == {(leak.sha(ROSTER), SHEET, 15, col("公民身份号码"))}
    assert "e+17" in f.values["raw"] or "E+17" in f.values["raw"].upper()
    assert f.values["joined_to"] == [FLOATED]  # joined by name to the village roster's row


def test_birthdate_mismatch(leak: Leak) -> None:
    f, items = one(leak.case, "id_birthdate_mismatch", BIRTH)
    assert cell(items) == {(leak.sha(ROSTER), SHEET, 6, col("出生日期"))}
    assert f.values["expected"] == "1985-06-07" and f.values["recorded"] == ["1986-01-01"]


def test_sex_mismatch(leak: Leak) -> None:
    f, items = one(leak.case, "id_sex_mismatch", SEX)
    assert cell(items) == {(leak.sha(ROSTER), SHEET, 7, col("性别"))}
    assert f.values["expected"] == "male" and f.values["recorded"] == ["female"]


def test_region_mismatch_by_county_name(leak: Leak) -> None:
    f, items = one(leak.case, "id_region_mismatch", REGION)
    assert cell(items) == {(leak.sha(ROSTER), SHEET, 8, col("户籍地址"))}
    assert f.values["expected"] == "英吉沙县" and f.values["recorded"] == ["疏附县"]
    # Tekes' 1984–2001 code 654127 names 特克斯县: no finding
    kinds = ("id_region_mismatch", "id_region_not_in_use", "id_unknown_region")
    assert not any(
        f.values.get("id_number") == TEKES_OLD for k in kinds for f, _ in findings(leak.case, k)
    )


def test_age_at_photo_date(leak: Leak) -> None:
    f, items = one(leak.case, "age_mismatch", AGE)
    assert cell(items) == {(leak.sha(ROSTER), SHEET, 10, col("年龄"))}
    assert f.values["expected"] == "27" and f.values["recorded"] == ["40"]


def test_detention_and_release_against_photos(leak: Leak) -> None:
    [(f, items)] = findings(leak.case, "photo_before_detention")
    assert f.severity == "info" and f.values["detention_date"] == "2018-05-01"
    assert cell(items) == {(leak.sha(ROSTER), SHEET, 13, col("收押时间"))}
    assert any(i.role == "photo" and EARLY in (i.path or "") for i in items)
    [(f, items)] = findings(leak.case, "photo_after_release")
    assert f.severity == "warning" and f.values["release_date"] == "2018-02-01"
    assert cell(items) == {(leak.sha(ROSTER), SHEET, 14, col("释放时间"))}


def test_orphan_and_missing_photos(leak: Leak) -> None:
    [(f, items)] = findings(leak.case, "orphan_photo")
    assert f.values["id_number"] == ORPHAN
    assert [i.role for i in items] == ["photo"] and ORPHAN in (items[0].path or "")
    [(f, items)] = findings(leak.case, "missing_photo")
    assert f.values["id_number"] == NO_PHOTO
    assert cell(items) == {(leak.sha(ROSTER), SHEET, 11, col("公民身份号码"))}
    # neither the resident (not detained) nor the legacy row (no detention) is missing one


def test_id_conflict_across_sheets(leak: Leak) -> None:
    f, items = one(leak.case, "id_conflict", CONFLICT)
    assert sorted(f.values["name"]) == sorted(["买买提·艾力", "艾力·吐尔逊"])
    got = cell(items)
    assert (leak.sha(ROSTER), SHEET, 12, col("姓名")) in got
    assert any(sha == leak.sha(VILLAGE) and row == 3 for sha, _s, row, _c in got)


def test_clean_rows_have_no_findings(leak: Leak) -> None:
    quiet = {CLEAN, TEKES_OLD, RESIDENT, LEGACY}
    with leak.case.sessions() as s:
        rows = s.scalars(select(FindingRow).where(FindingRow.check.in_(CHECKS))).all()
        named = {str(f.values.get("id_number")) for f in rows}
        rows4 = s.scalars(
            select(FindingItem).join(FindingRow, FindingRow.id == FindingItem.finding_id)
        ).all()
    assert not quiet & named
    flagged_rows = {
        (i.location.get("sheet"), i.location.get("row"))
        for i in rows4
        if i.role == "record" and i.location.get("sheet") == SHEET
    }
    assert not flagged_rows & {(SHEET, 4), (SHEET, 9), (SHEET, 16)}


def test_totals_and_idempotent_rerun(leak: Leak) -> None:
    kinds = ("id_conflict", "id_birthdate_mismatch", "id_sex_mismatch", "id_region_mismatch")
    before = {k: len(findings(leak.case, k)) for k in kinds}
    run = run_checks(leak.case, names=CHECKS)
    assert [c.status for c in run.checks] == ["done"] * 4
    after = {k: len(findings(leak.case, k)) for k in before}
    assert before == after == dict.fromkeys(kinds, 1)
    cross = next(c for c in run.checks if c.name == "cross_field")
    assert cross.result is not None
    texts = [t.text() for t in cross.result.totals]
    # 12 roster rows with a readable ID (not the float) and 4 village rows
    assert "15 of 16 records whose birth date agrees with their ID number, 93.8%" in texts
    assert "15 of 16 records whose sex agrees with their ID number's sex digit, 93.8%" in texts


def test_counties_in_addresses() -> None:
    assert counties_in("新疆维吾尔自治区伊犁哈萨克自治州特克斯县喀拉达拉乡") == ["特克斯县"]
    assert counties_in("喀什地区疏附县塔格拉克乡") == ["疏附县"]
    assert counties_in("某乡某村1组") == []
