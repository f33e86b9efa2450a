"""The pieces the checks are built from: ID numbers, file names, claimed dates, the index."""

from __future__ import annotations

import random
from datetime import date, datetime

from guwah.verify.checks.documents import claimed_date, dates_in
from guwah.verify.context import DocumentInfo
from guwah.verify.filenames import folder, parse_photo_name
from guwah.verify.idnumbers import check_id_number, parse_id
from guwah.verify.mih import close_pairs, close_pairs_naive


def codes(number: str) -> list[str]:
    return [p.code for p in check_id_number(number)]


def test_id_numbers() -> None:
    assert codes("653121199309160080") == []
    assert codes("653121199309160081") == ["id_bad_checksum"]
    assert codes("65312119930230008X")[-1] == "id_bad_date"
    assert "id_unknown_region" in codes("999999199001010016")
    assert codes("12345") == ["id_bad_format"]
    # GB/T 2260 history: Tekes is 652427 before 1984, 654127 to 2001, 654027 after; the code
    # is the county when the number was assigned (GB 11643-1999 § 5.2), which is after birth
    assert codes("652427198001010018") == []
    assert codes("654027198001010018") == ["id_region_assigned_later"]  # info: normal
    assert codes("653121930916008") == []  # 15-digit legacy form
    info = parse_id("653121199309160080")
    assert info is not None
    assert (info.birth_date, info.sex, info.county) == (date(1993, 9, 16), "female", "疏附县")


def test_published_test_vectors() -> None:
    """python-stdnum's GB 11643 test vectors, written here by hand."""
    assert codes("360426199101010071") == []
    assert codes("44011320141005001X") == []
    assert codes("36042619910102009X") == ["id_bad_checksum"]
    assert codes("360426199113010079") == ["id_bad_date"]
    assert codes("990426199112010074") == ["id_unknown_region"]


def test_region_code_in_use_at_some_time_between_birth_and_sighting() -> None:
    """Hand-written Tekes numbers (check digits by ISO 7064 MOD 11-2 worked out by hand)."""
    seen = date(2018, 3, 1)
    problems = check_id_number("65412719500101001X", seen=seen)  # 1950, Ili's 1984–2001 code
    assert [(p.code, p.severity) for p in problems] == [("id_region_assigned_later", "info")]
    assert "assigned after 1984" in problems[0].message
    assert [p.code for p in check_id_number("654027195001010022", seen=seen)] == [
        "id_region_assigned_later"
    ]
    # retired before the birth: no number could carry it
    retired = check_id_number("652427199001010012", seen=seen)
    assert [(p.code, p.severity) for p in retired] == [("id_region_not_in_use", "warning")]
    assert "1990" in retired[0].message and "–1984" in retired[0].message
    assert [p.code for p in check_id_number("65412720050101001X", seen=seen)] == [
        "id_region_not_in_use"
    ]
    # created after the photo: a 2001 code on a photo of 2000 is impossible, of 2018 normal
    assert [p.code for p in check_id_number("654027199901010018", seen=date(2000, 6, 1))] == [
        "id_region_not_in_use"
    ]
    assert [p.code for p in check_id_number("654027199901010018", seen=seen)] == [
        "id_region_assigned_later"
    ]
    info = parse_id("65412719500101001X")
    assert info is not None and info.county == "特克斯县"


def test_photo_names() -> None:
    a = parse_photo_name("x.zip!/村/653121199309160080_20180211162010.jpg")
    assert a.ids == ("653121199309160080",) and a.timestamp == datetime(2018, 2, 11, 16, 20, 10)
    b = parse_photo_name("20180211162010_65312119930916008x.jpg")
    assert b.ids == ("65312119930916008X",) and b.timestamp is not None
    c = parse_photo_name("653121199309160080.jpg")
    assert c.timestamp is None and c.timestamp_text is None
    d = parse_photo_name("653121199309160080_20181341162010.jpg")
    assert d.timestamp is None and d.timestamp_text == "20181341162010"
    assert folder("a.zip!/b/c.jpg") == "a.zip!/b" and folder("a.zip!/c.jpg") == "a.zip"
    # one rule with records: 18 characters or 15 digits, not inside a longer run of digits
    assert parse_photo_name("653121930916008_20180211162010.jpg").ids == ("653121930916008",)
    assert parse_photo_name("张三653121199309160080.jpg").ids == ("653121199309160080",)
    assert parse_photo_name("1653121199309160080.jpg").ids == ()
    assert parse_photo_name("IMG653121199309160080.jpg").ids == ()


def test_claimed_dates() -> None:
    assert [d for d, _ in dates_in("二〇一八年七月二十三日")] == [date(2018, 7, 23)]
    assert [d for d, _ in dates_in("2018年7月3日 and 2019-01-02")] == [
        date(2018, 7, 3),
        date(2019, 1, 2),
    ]
    assert dates_in("2018年2月30日") == []
    doc = DocumentInfo(1, "0" * 64, "application/pdf", {}, None)
    doc.pages = [(1, "标题\n截至2017年1月1日在押\n正文"), (2, "正文\n县公安局\n二〇一八年十月一日")]
    assert claimed_date(doc) == (date(2018, 10, 1), "二〇一八年十月一日", 2, "signature block")


def test_multi_index_hashing_finds_exactly_the_naive_pairs() -> None:
    rng = random.Random(7)
    base = [rng.getrandbits(256) for _ in range(300)]
    near = [h ^ (1 << rng.randrange(256)) ^ (1 << rng.randrange(256)) for h in base[:40]]
    hashes = base + near
    assert sorted(close_pairs(hashes, 16)) == sorted(close_pairs_naive(hashes, 16))
    assert len(list(close_pairs(hashes, 16))) >= 40


def test_location_text_names_the_cell_and_the_value_compared() -> None:
    from guwah.verify.report import location_text

    loc = {"sheet": "名单", "row": 5, "col": "C", "field": "sex", "value": "女"}
    assert location_text(loc) == "sheet 名单, row 5, column C, sex = '女'"
    assert location_text({"page": 2}) == "page 2"
