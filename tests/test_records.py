"""The records stage on real files and a real database: headers, provenance, people."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from guwah.case import Case
from guwah.ingest.executor import SerialExecutor
from guwah.ingest.pipeline import ingest
from guwah.records.people import get_person, people_by_id_number, people_by_name, records
from guwah.records.stage import build_records
from guwah.store.models import (
    ColumnMap,
    CustodyEvent,
    Item,
    Person,
    PersonRelation,
    PersonSource,
    Record,
    RecordValue,
    Sheet,
    SheetLayout,
)
from tests.records_files import ID1, ID2, ID3, write_records_leak


@pytest.fixture
def built(case: Case, tmp_path: Path) -> tuple[Case, Path]:
    leak = write_records_leak(tmp_path / "leak")
    ingest(case, [leak], executor=SerialExecutor())
    build_records(case)
    return case, leak


def _sheet(s: Session, file_name: str, sheet: str) -> Sheet:
    from guwah.store.models import Occurrence

    item_id = s.scalar(select(Occurrence.item_id).where(Occurrence.path == file_name))
    found = s.scalar(select(Sheet).where(Sheet.item_id == item_id, Sheet.name == sheet))
    assert found is not None, (file_name, sheet)
    return found


def _layout(s: Session, sheet: Sheet) -> SheetLayout:
    layout = s.scalar(select(SheetLayout).where(SheetLayout.sheet_id == sheet.id))
    assert layout is not None
    return layout


def _columns(s: Session, sheet: Sheet) -> dict[int, ColumnMap]:
    return {c.col: c for c in s.scalars(select(ColumnMap).where(ColumnMap.sheet_id == sheet.id))}


def test_header_after_title_merged_title_and_blank_rows(built: tuple[Case, Path]) -> None:
    case, _ = built
    with case.sessions() as s:
        sheet = _sheet(s, "在押人员花名册.xlsx", "村A")
        layout = _layout(s, sheet)
        assert layout.status == "read" and layout.header_rows == [4]
        cols = _columns(s, sheet)
        assert [cols[c].field for c in range(1, 10)] == [
            "seq",
            "name",
            "id_number",
            "sex",
            "ethnicity",
            "birth_date",
            "reason",
            "relatives",
            None,
        ]
        assert cols[9].header == "宗教信仰程度" and cols[9].method == "none"  # unknown, kept
        rows = s.scalars(select(Record.row).where(Record.sheet_id == sheet.id).order_by(Record.row))
        assert list(rows) == [5, 6, 8]  # not the title, blank row, nor the merged footer
        kept = s.scalar(
            select(RecordValue.raw).where(RecordValue.field.is_(None), RecordValue.col == 9)
        )
        assert kept == "虔诚"


def test_two_row_header_with_merged_cells(built: tuple[Case, Path]) -> None:
    case, _ = built
    with case.sessions() as s:
        sheet = _sheet(s, "送培训中心人员名单.xls", "名单")
        assert _layout(s, sheet).header_rows == [2, 3]
        cols = _columns(s, sheet)
        assert cols[1].field == "seq" and cols[1].header == "序号"
        assert cols[2].field == "name" and cols[3].field == "id_number"
        assert cols[4].header == "关押情况 / 收押时间" and cols[4].field == "detention_date"
        assert cols[5].field == "facility" and cols[6].field == "reason"
        assert s.scalar(select(func.count()).where(Record.sheet_id == sheet.id)) == 2


def test_sheets_without_a_header_are_skipped_with_a_reason(built: tuple[Case, Path]) -> None:
    case, _ = built
    with case.sessions() as s:
        summary = _layout(s, _sheet(s, "在押人员花名册.xlsx", "汇总"))
        assert summary.status == "skipped" and "no header row" in (summary.reason or "")
        empty = _layout(s, _sheet(s, "在押人员花名册.xlsx", "Sheet3"))
        assert empty.status == "skipped" and empty.reason == "empty sheet"
        notes = _layout(s, _sheet(s, "说明.csv", "csv"))
        assert notes.status == "skipped" and notes.n_records == 0, notes.reason


def test_values_keep_originals_and_exact_provenance(built: tuple[Case, Path]) -> None:
    case, leak = built
    sha = hashlib.sha256((leak / "在押人员花名册.xlsx").read_bytes()).hexdigest()
    with case.sessions() as s:
        sheet = _sheet(s, "在押人员花名册.xlsx", "村A")
        rid = s.scalar(select(Record.id).where(Record.sheet_id == sheet.id, Record.row == 5))
        assert rid is not None
        (view,) = records(s, [rid])
        assert (view.sha256, view.path, view.sheet, view.sheet_index, view.row) == (
            sha,
            "在押人员花名册.xlsx",
            "村A",
            0,
            5,
        )
        by_field = {v.field: v for v in view.values}
        idv = by_field["id_number"]
        assert (idv.value, idv.raw, idv.row, idv.col, idv.col_letter) == (ID1, ID1, 5, 3, "C")
        assert idv.header == "公民身份号码"
        assert (by_field["sex"].value, by_field["sex"].raw) == ("female", "女")
        assert (by_field["ethnicity"].value, by_field["ethnicity"].raw) == ("uyghur", "维族")
        assert by_field["birth_date"].value == "1990-01-01"
        assert by_field["name"].value == "阿依夏·塔依尔" and by_field["name"].raw == "阿依夏•塔依尔"
        # a Chinese date string, and an ID written as a float: flagged, not repaired
        rid8 = s.scalar(select(Record.id).where(Record.sheet_id == sheet.id, Record.row == 8))
        assert rid8 is not None
        (row8,) = records(s, [rid8])
        damaged = next(v for v in row8.values if v.field == "id_number")
        assert damaged.value is None and damaged.problem == "id_float"
        assert "e+17" in damaged.raw.lower()
        assert row8.get("birth_date") == "1990-01-01"
        # xls: a tab-prefixed lower-case ID, dates as text and as a date cell
        xls = _sheet(s, "送培训中心人员名单.xls", "名单")
        rid_x = s.scalar(select(Record.id).where(Record.sheet_id == xls.id, Record.row == 5))
        assert rid_x is not None
        (xrec,) = records(s, [rid_x])
        xid = next(v for v in xrec.values if v.field == "id_number")
        assert xid.value == ID2 and xid.raw == "\t" + ID2.lower() and xid.problem is None
        assert xrec.get("detention_date") == "2018-04-06"


def test_people_by_id_then_name_and_birth_never_name_alone(built: tuple[Case, Path]) -> None:
    case, _ = built
    with case.sessions() as s:
        # same ID, two names → one person; both names kept with their records
        (p1,) = people_by_id_number(s, ID1)
        view = get_person(s, p1.id)
        assert view is not None
        assert set(view.names) == {"阿依夏·塔依尔", "吐尔洪·阿不都"}
        conflict = {c["value"]: c["records"] for c in view.conflicts["name"]}
        assert set(conflict) == {"阿依夏·塔依尔", "吐尔洪·阿不都"}
        assert {r.path for r in view.records} == {"在押人员花名册.xlsx", "送培训中心人员名单.xls"}
        methods = {r.row: r.method for r in view.records if r.sheet == "村A"}
        assert methods == {5: "id_number", 8: "damaged_id_name"}
        assert view.sex == "female" and view.birth_date == "1990-01-01"
        # no ID, name + birth date of an ID holder → joins that person
        (p2,) = people_by_id_number(s, ID2)
        v2 = get_person(s, p2.id)
        assert v2 is not None
        csv_recs = [r for r in v2.records if r.path == "名单.csv"]
        assert len(csv_recs) == 1 and csv_recs[0].method == "name_birth"
        # same name, different birth dates → two people
        assert len(people_by_name(s, "买买提·艾力")) == 2
        # same name, no ID, no birth date → never merged
        guli = people_by_name(s, "古丽•阿布都")
        assert len(guli) == 2 and all(p.method == "single" for p in guli)
        # every record belongs to a person
        assert s.scalar(select(func.count()).where(Record.person_id.is_(None))) == 0


def test_photos_linked_by_id_in_file_name(built: tuple[Case, Path]) -> None:
    case, _ = built
    with case.sessions() as s:
        photos = {
            src.path: src.person_id
            for src in s.scalars(select(PersonSource).where(PersonSource.kind == "photo"))
        }
        (p1,), (p2,), (p3,) = (people_by_id_number(s, i) for i in (ID1, ID2, ID3))
        assert photos == {
            f"人员照片/{ID1}_20180305093000.jpg": p1.id,
            f"人员照片/{ID2}.jpg": p2.id,
            f"人员照片/20180306100000_{ID3}.jpg": p3.id,
        }
        assert p3.n_records == 0 and p3.n_photos == 1  # known from a photo only
        view = get_person(s, p1.id)
        assert view is not None and len(view.photos) == 1
        sha = s.scalar(select(Item.sha256).where(Item.id == view.photos[0].item_id))
        assert view.photos[0].sha256 == sha


def test_relatives_linked_when_resolvable(built: tuple[Case, Path]) -> None:
    case, _ = built
    with case.sessions() as s:
        (p1,), (p2,) = people_by_id_number(s, ID1), people_by_id_number(s, ID2)
        rels = {(r.person_id, r.relation): r for r in s.scalars(select(PersonRelation))}
        assert rels[(p1.id, "husband")].relative_id == p2.id
        assert rels[(p2.id, "wife")].relative_id == p1.id
        assert rels[(p2.id, "wife")].relative_name == "阿依夏·塔依尔"


def test_rebuild_is_idempotent_and_logged(built: tuple[Case, Path]) -> None:
    case, _ = built

    def counts() -> tuple[int, ...]:
        with case.sessions() as s:
            return tuple(
                s.scalar(select(func.count()).select_from(t)) or 0
                for t in (Record, RecordValue, Person, PersonSource, ColumnMap, SheetLayout)
            )

    before = counts()
    again = build_records(case)
    assert counts() == before
    assert again.records == before[0] and again.people == before[2]
    with case.sessions() as s:
        events = s.scalars(select(CustodyEvent).where(CustodyEvent.event == "records_built")).all()
    assert len(events) == 2
    assert events[-1].details["records"] == before[0]
    assert events[-1].details["lexicon_version"] == "1"
