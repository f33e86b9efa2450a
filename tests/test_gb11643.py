"""GB 11643 resident ID numbers: the one check digit, the one photo-name rule, the region
table and its code history. Every number here is written by hand: python-stdnum's published
test vectors, and Tekes numbers whose check characters were worked out with the standard's
weights (7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2, ISO 7064 MOD 11-2)."""

from __future__ import annotations

import pytest

from guwah.gb11643 import (
    check_digit,
    codes_for_county,
    county_names,
    ids_in_name,
    is_id_form,
    region_table,
    regions,
    same_place,
)
from guwah.records.normalise import id_number
from guwah.records.resolve import photo_id
from guwah.verify.filenames import parse_photo_name


@pytest.mark.parametrize(
    "number",
    ["360426199101010071", "44011320141005001X", "652427198001010018", "65412719500101001X"],
)
def test_check_digit_of_valid_numbers(number: str) -> None:
    assert check_digit(number[:17]) == number[-1]
    assert check_digit(number) == number[-1]  # the 18th character is ignored, not dropped
    assert id_number(number) == (number, None)


def test_bad_check_digit_of_a_published_vector() -> None:
    assert check_digit("36042619910102009X") != "X"
    assert id_number("36042619910102009X") == ("36042619910102009X", "id_checksum")


def test_photo_names_one_rule_for_records_and_verify() -> None:
    for path in (
        "村/653121199309160080_20180211162010.jpg",
        "a.zip!/20180211162010_653121199309160080.jpg",
        "653121199309160080 (2).jpg",
    ):
        assert ids_in_name(path) == ("653121199309160080",)
        assert photo_id(path) == "653121199309160080"
        assert parse_photo_name(path).ids == ("653121199309160080",)
    legacy = "653121930916008_20180211162010.jpg"  # 15-digit legacy number
    assert photo_id(legacy) == parse_photo_name(legacy).ids[0] == "653121930916008"
    assert ids_in_name("65312119930916008x.jpg") == ("65312119930916008X",)
    assert ids_in_name("20180211162010.jpg") == ()  # a timestamp is not an ID
    assert ids_in_name("6531211993091600801.jpg") == ()  # 19 digits
    assert is_id_form("6531 2119 9309 1600 80") and not is_id_form("65312119930916008")


def test_region_history_from_the_table() -> None:
    (tekes_old,) = regions("652427")
    assert (tekes_old.county, tekes_old.start, tekes_old.end) == ("特克斯县", None, 1984)
    (ili,) = regions("654127")
    assert (ili.start, ili.end) == (1984, 2001)
    assert ili.in_use_between(1950, 2018) and not ili.in_use_between(2002, 2018)
    assert regions("990426")[0].county is None
    assert {r.code for r in codes_for_county("特克斯县", "65")} == {"652427", "654127", "654027"}
    assert same_place("654127") == {"652427", "654127", "654027"}
    assert same_place("653121") == {"653121"}
    assert "特克斯县" in county_names() and "市辖区" not in county_names()
    assert region_table() is region_table()  # loaded once
