"""Names of Xinjiang places by the gazetteer, and transcription readings that a cap must not
lose (2026-12-04). Every pair is printed by a public source: the forms and their addresses
are in ``benchmarks/data/real_name_forms_2.csv`` and ``real_name_sources_2.csv`` (source ids
beside each pair); the gazetteer is ``reference/lists/xinjiang_exonyms.csv``."""

from __future__ import annotations

import pytest

from guwah.names import score
from guwah.names.forms import place_of
from guwah.names.scripts import Script
from guwah.names.uyghur import fewest_changes, transcription_to_latin


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("和田", "Hotan"),  # WP_HOTAN_PREF: the Chinese name is no transcription of Xoten
        ("和田地区", "Khotan"),  # with its administrative suffix
        ("和田县", "خوتەن"),  # Arabic script, read as ULY Xoten
        ("莎车", "Yarkant"),  # MGWIKI_YARKANT
        ("Shache", "Yarkant"),  # PLWIKI_KASHGAR: the pinyin against the Uyghur name
        ("策勒", "Qira"),  # WP_HOTAN_PREF
        ("策勒", "Chira"),  # … and the SASM q read as ch
        ("哈密市", "Kumul"),  # LIQUISEARCH_XJ
        ("鄯善", "Piqan"),  # MEMIM_PIQAN
    ],
)
def test_a_place_is_joined_to_its_names_by_the_gazetteer(a: str, b: str) -> None:
    m = score(a, b)
    assert m.match, m.explanation
    assert "place by the gazetteer" in m.explanation and m.explanation.startswith("place ")


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("和田", "叶城"),  # Hotan and Kargilik, two counties
        ("Hotan", "Kargilik"),
        ("Shanshan", "Pishan"),  # 鄯善 Pichan and 皮山 Pishan: a gazetteer name forgives no typo
        ("皮山", "Piqan"),
    ],
)
def test_two_places_stay_apart(a: str, b: str) -> None:
    m = score(a, b)
    assert not m.match, m.explanation


def test_a_latin_word_is_read_as_a_place_only_against_a_place_or_characters() -> None:
    """Emin is the Latin name of the county 额敏 and the given name of many men: the gazetteer
    reading of a Latin word counts only against another place or a name in characters (和阗,
    an older writing of 和田 whose pinyin Hetian is one of Hotan's names: WIKIMILI_HOTAN), never
    against a person's name in Latin."""
    assert place_of("Emin", Script.LATIN) is not None
    assert "gazetteer" not in score("Emin", "Emin Tohti").explanation
    assert "gazetteer" not in score("Emin", "依明").explanation
    assert not score("Emin", "Emin Tohti").match
    assert score("和阗", "Hotan").match
    assert place_of("依明", Script.HAN) is None
    assert place_of("王明山", Script.HAN) is None


def test_readings_are_capped_fewest_changes_first() -> None:
    """海 reads he, ha, hay or ghey; a cap of eight readings over 海来提 in product order kept
    only he and ha. Readings with one segment changed now come before those with two, so
    Gheylet (Gheyret Niyaz: 海来提•尼亚孜, CHINAAID_NIYAZ) is kept."""
    options = [("a", "b", "c"), ("x", "y")]
    assert list(fewest_changes(options))[:4] == [
        ("a", "x"),
        ("b", "x"),
        ("c", "x"),
        ("a", "y"),
    ]
    assert sorted(fewest_changes(options)) == sorted((p, q) for p in options[0] for q in options[1])
    assert "Gheylet" in transcription_to_latin("海来提")
    assert score("海来提•尼亚孜", "Gheyret Niyaz").match


def test_pinyin_read_back_uses_every_reading_of_a_segment() -> None:
    """Hailaiti Niyazi (WUC_NIYAZ), the pinyin of 海来提·尼亚孜, reaches Gheyret through 海's
    fourth reading, ghey."""
    m = score("Hailaiti Niyazi", "Gheyret Niyaz")
    assert m.match, m.explanation


def test_a_turkish_style_c_is_j_only_in_a_word_that_has_turkish_letters() -> None:
    """The French Wikipedia's list of Xinjiang divisions (FRWIKI_XJ, in
    ``benchmarks/data/real_name_forms.csv``) writes 五家渠 (Wujiaqu, ۋۇجياچۈ) as Vucyaçü: a
    Turkish-style alphabet, where c is j. Only a word with ç, ş, ğ or ı is read so."""
    from guwah.names.uyghur import turkish_to_uly

    assert turkish_to_uly("Vucyaçü") == "Vujyaçü"
    assert turkish_to_uly("Carlos") == "" and turkish_to_uly("Kaşgar") == ""
    assert score("五家渠", "Vucyaçü").match
    assert score("ۋۇجياچۈ", "Vucyaçü").match
