"""Headers the lexicon does not list, end to end: spacing, annotations, variant characters and
near-misses are mapped (exact after folding, contained, fuzzy), the rest kept as unknown, and
every value points back to its file, sheet, row and column."""

from __future__ import annotations

import json
from pathlib import Path

from openpyxl import Workbook
from sqlalchemy import select
from stdnum.cn import ric

from guwah.records.stage import build_records
from guwah.store.models import Cell, ColumnMap, Item, Record, RecordValue, Sheet
from tests.conftest import ingest_one_file

LEXICON = Path(__file__).resolve().parents[1] / "src/guwah/reference/header_lexicon.json"
STANDARD_EXAMPLE = "11010519491231002X"  # the example number printed in GB 11643-1999


def valid_id(body: str) -> str:
    """A resident ID with its check digit, computed by python-stdnum (not by guwah)."""
    return body + ric.calc_check_digit(body + "0")  # stdnum wants the check digit's place


# (header as written, the field a reader expects, how guwah should find it)
HEADERS_A = [
    ("姓 名", "name", "exact"),  # a space between the characters, as typists do
    ("身份证号码(18位)", "id_number", "contains"),
    ("性别(男/女)", "sex", "contains"),
    ("民族名称", "ethnicity", "contains"),
    ("出生日期（年月日）", "birth_date", "contains"),
    ("现居住地址", "current_address", "contains"),
    ("血型", None, "none"),  # blood group: no field for it; the column is kept
]
HEADERS_B = [
    ("被收押人员的姓名", "name", "fuzzy"),
    ("公民身分号码", "id_number", "fuzzy"),  # 分 for 份, a common variant
    ("收押的时间", "detention_date", "fuzzy"),
    ("族 别", "ethnicity", "exact"),
    ("鞋码", None, "none"),
]


def write_sheets(path: Path) -> dict[str, list[list[str]]]:
    ids = [STANDARD_EXAMPLE, valid_id("65312119850215003"), valid_id("65412719900701102")]
    rows = {
        "人员表": [[h for h, _f, _m in HEADERS_A]]
        + [
            [
                "阿不都热依木·吐尔地",
                ids[1],
                "男",
                "维吾尔族",
                "1985-02-15",
                "疏附县托克扎克镇",
                "A",
            ],
            ["测试人乙", STANDARD_EXAMPLE, "女", "汉族", "1949-12-31", "北京市西城区", "O"],
        ],
        "收押登记": [[h for h, _f, _m in HEADERS_B]]
        + [
            ["古丽·买买提", ids[2], "2018-03-02", "哈萨克族", "38"],
            ["测试人乙", STANDARD_EXAMPLE, "2018-04-11", "汉族", "36"],
        ],
    }
    wb = Workbook()
    first = wb.active
    assert first is not None
    wb.remove(first)
    for title, table in rows.items():
        ws = wb.create_sheet(title)
        for row in table:
            ws.append(row)
    wb.save(path)
    return rows


def test_headers_outside_the_lexicon_are_mapped_with_provenance(tmp_path: Path) -> None:
    lexicon = json.loads(LEXICON.read_text("utf-8"))
    listed = {
        v
        for spec in lexicon["fields"].values()
        for vs in spec.values()
        if isinstance(vs, list)
        for v in vs
    }
    for header, _field, _method in HEADERS_A + HEADERS_B:
        assert header not in listed, f"{header} is a lexicon entry: not a test of the matching"
    assert ric.is_valid(STANDARD_EXAMPLE)

    case, sha, written = ingest_one_file(tmp_path, "登记表.xlsx", write_sheets)
    stats = build_records(case)
    assert stats.records == 4

    with case.sessions() as s:
        item = s.scalars(select(Item).where(Item.sha256 == sha)).one()
        sheets = {sh.name: sh for sh in s.scalars(select(Sheet).where(Sheet.item_id == item.id))}
        for title, expected in (("人员表", HEADERS_A), ("收押登记", HEADERS_B)):
            maps = {
                m.col: m
                for m in s.scalars(select(ColumnMap).where(ColumnMap.sheet_id == sheets[title].id))
            }
            got = [(maps[c].header, maps[c].field, maps[c].method) for c in sorted(maps)]
            assert got == expected, title
            for m in maps.values():
                assert (m.field is None) == (m.matched is None)
                assert m.score >= (lexicon["threshold"] if m.field else 0.0)

        # every value: its record's item is the file's hash, its cell holds the raw text
        n_values = 0
        for value, record, sheet in s.execute(
            select(RecordValue, Record, Sheet)
            .join(Record, Record.id == RecordValue.record_id)
            .join(Sheet, Sheet.id == Record.sheet_id)
        ):
            n_values += 1
            assert record.item_id == item.id and value.row == record.row
            cell = s.scalars(
                select(Cell).where(
                    Cell.sheet_id == sheet.id, Cell.row == value.row, Cell.col == value.col
                )
            ).one()
            assert cell.value == value.raw == written[sheet.name][value.row - 1][value.col - 1]
        assert n_values == 2 * len(HEADERS_A) + 2 * len(HEADERS_B)  # unknown columns kept too

        by_row = {
            (sheet.name, rv.row, rv.field): rv
            for rv, sheet in s.execute(
                select(RecordValue, Sheet)
                .join(Record, Record.id == RecordValue.record_id)
                .join(Sheet, Sheet.id == Record.sheet_id)
            )
        }
    assert by_row[("人员表", 3, "id_number")].value == STANDARD_EXAMPLE
    assert by_row[("人员表", 3, "id_number")].problem is None  # the standard's own example
    assert by_row[("人员表", 2, "name")].value == "阿不都热依木·吐尔地"
    assert by_row[("人员表", 2, "birth_date")].value == "1985-02-15"
    assert by_row[("收押登记", 2, "detention_date")].value == "2018-03-02"
    assert by_row[("收押登记", 3, None)].raw == "36"  # the unknown column's value is kept
    assert by_row[("人员表", 2, None)].raw == "A"
