"""The header lexicon and value normalisation: data-driven, every variant, originals kept."""

from __future__ import annotations

import json
from importlib import resources

import pytest

from guwah.records.lexicon import load_lexicon
from guwah.records.normalise import (
    age,
    check_digit,
    date_value,
    ethnicity,
    id_number,
    name,
    relatives,
    sex,
)

HEADERS = [
    # Chinese variants
    ("姓名", "name"),
    ("名字", "name"),
    ("人员姓名", "name"),
    ("身份证号码", "id_number"),
    ("公民身份号码", "id_number"),
    ("身份证号", "id_number"),
    ("身份证号码（18位）", "id_number"),
    (" 身 份 证 号 ", "id_number"),
    ("性别", "sex"),
    ("民族", "ethnicity"),
    ("出生日期", "birth_date"),
    ("出生年月日", "birth_date"),
    ("年龄", "age"),
    ("户籍地址", "household_address"),
    ("户籍地", "household_address"),
    ("现住址", "current_address"),
    ("家庭住址", "current_address"),
    ("乡镇", "township"),
    ("所在村", "village"),
    ("村（居）委会", "village"),
    ("收押原因", "reason"),
    ("关押原因", "reason"),
    ("收押事由", "reason"),
    ("所在监所", "facility"),
    ("关押地点", "facility"),
    ("羁押场所", "facility"),
    ("收押时间", "detention_date"),
    ("关押时间", "detention_date"),
    ("收押日期", "detention_date"),
    ("释放时间", "release_date"),
    ("家庭成员", "relatives"),
    ("家庭成员情况", "relatives"),
    ("与户主关系", "relation_to_head"),
    ("户号", "household_no"),
    ("备注", "notes"),
    ("序号", "seq"),
    # full-width forms and punctuation
    ("ＩＤ　ｎｏ．", "id_number"),
    # Uyghur, Arabic script
    ("ئىسمى", "name"),
    ("كىملىك نومۇرى", "id_number"),
    ("جىنسى", "sex"),
    ("مىللىتى", "ethnicity"),
    ("تۇغۇلغان ۋاقتى", "birth_date"),
    ("تۇتۇلۇش سەۋەبى", "reason"),
    # Uyghur, Latin script
    ("Ismi", "name"),
    ("kimlik nomuri", "id_number"),
    ("Tughulghan waqti", "birth_date"),
    ("tutulush sewebi", "reason"),
    # English
    ("Name", "name"),
    ("ID Number", "id_number"),
    ("Date of birth", "birth_date"),
    ("Sex", "sex"),
    ("Ethnicity", "ethnicity"),
    ("Detention reason", "reason"),
    ("Facility", "facility"),
    ("Release date", "release_date"),
    ("Family members", "relatives"),
]


@pytest.mark.parametrize(("header", "field"), HEADERS)
def test_lexicon_maps_header_variants(header: str, field: str) -> None:
    m = load_lexicon().match(header)
    assert m.field == field, (header, m)
    assert m.score >= load_lexicon().threshold


@pytest.mark.parametrize(
    "header", ["人数", "基本信息", "关押情况", "填报单位：某派出所", "单位名称", "", "x"]
)
def test_unknown_headers_stay_unknown(header: str) -> None:
    m = load_lexicon().match(header)
    assert m.field is None and m.method == "none"


def test_lexicon_is_a_data_file_with_every_language() -> None:
    data = json.loads(
        resources.files("guwah").joinpath("reference/header_lexicon.json").read_text("utf-8")
    )
    for field in ("name", "id_number", "sex", "ethnicity", "birth_date", "reason", "facility"):
        spec = data["fields"][field]
        assert spec["zh"] and spec["ug"] and spec["ug_latn"] and spec["en"], field
    lex = load_lexicon()
    assert lex.version == data["version"]
    # every variant of every field maps back to its own field
    for fname, f in lex.fields.items():
        for words in f.variants.values():
            for w in words:
                hit = lex.match(w)
                assert hit.field == fname and hit.method == "exact", (w, fname, hit)


@pytest.mark.parametrize(
    ("raw", "vtype", "expected"),
    [
        ("2018-03-05", "s", "2018-03-05"),
        ("2018年3月5日", "s", "2018-03-05"),
        ("2018.3.5", "s", "2018-03-05"),
        ("2018/3/5", "s", "2018-03-05"),
        ("20180305", "s", "2018-03-05"),
        ("43164", "n", "2018-03-05"),  # an Excel serial
        ("2018-03-05", "d", "2018-03-05"),
        ("2018-03-05T09:30:00", "d", "2018-03-05"),
        (" 2018 年 3 月 5 日 ", "s", "2018-03-05"),
    ],
)
def test_dates(raw: str, vtype: str, expected: str) -> None:
    assert date_value(raw, vtype) == (expected, None)


def test_bad_and_partial_dates_are_flagged() -> None:
    assert date_value("2018-13-40") == (None, "bad_date")
    assert date_value("去年春天") == (None, "bad_date")
    assert date_value("1990年3月") == ("1990-03", "partial_date")


def test_sex_ethnicity_age() -> None:
    assert sex("男") == ("male", None)
    assert sex("女") == ("female", None)
    assert sex("M") == ("male", None)
    assert sex("f") == ("female", None)
    assert sex("不详") == (None, "bad_sex")
    for raw in ("维吾尔族", "维吾尔", "维族", "Uyghur", "ئۇيغۇر"):
        assert ethnicity(raw) == ("uyghur", None), raw
    assert ethnicity("哈萨克族") == ("kazakh", None)
    assert ethnicity("柯族") == ("kyrgyz", None)
    assert ethnicity("汉") == ("han", None)
    assert ethnicity("火星人") == (None, "unknown_ethnicity")
    assert age("35岁") == ("35", None)
    assert age("abc") == (None, "bad_age")


def test_id_numbers_cleaned_but_damage_flagged_never_fixed() -> None:
    good = "65312119650221143X"
    assert check_digit(good[:17]) == "X"
    assert id_number("\t65312119650221143x") == (good, None)
    assert id_number("'65312119650221143X") == (good, None)
    assert id_number("6531 2119 6502 2114 3X") == (good, None)
    assert id_number("653121196502211430") == ("653121196502211430", "id_checksum")
    # a float: digits may be lost; it is not turned back into an ID
    assert id_number("6.53121199001011e+17", "n") == (None, "id_float")
    assert id_number("6.53121199001011E+17") == (None, "id_float")
    assert id_number("12345") == ("12345", "id_format")


def test_names_and_relatives() -> None:
    assert name(" 阿依夏•塔依尔 ") == ("阿依夏·塔依尔", None)
    assert name("阿依夏．塔依尔") == ("阿依夏·塔依尔", None)
    assert relatives("妻子：吐尼沙汗·依明；儿子:塔依尔•努尔买买提") == [
        ("wife", "妻子", "吐尼沙汗·依明"),
        ("son", "儿子", "塔依尔·努尔买买提"),
    ]
