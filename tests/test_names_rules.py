"""The name rules of issue 11, each on real public names (officials on the US and EU
sanctions lists and in the Chinese press): traditional characters, pinyin-rendered Uyghur
names, transcription variants, same-script homophones and the cost of unmatched parts."""

from __future__ import annotations

import pytest

from guwah.han import simplified
from guwah.names import DEFAULT_THRESHOLD, NameIndex, score
from guwah.names.uyghur import pinyin_to_latin
from guwah.records.normalise import name as record_name
from guwah.search.tokenize import index_text


@pytest.mark.parametrize(
    ("traditional", "simple", "latin"),
    [
        ("陳全國", "陈全国", "Chen Quanguo"),
        ("張春賢", "张春贤", "Zhang Chunxian"),
        ("趙克志", "赵克志", "Zhao Kezhi"),
        ("朱海侖", "朱海仑", "Zhu Hailun"),
        ("霍留軍", "霍留军", "Huo Liujun"),
        ("艾爾肯·吐尼亞孜", "艾尔肯·吐尼亚孜", "Erkin Tuniyaz"),
    ],
)
def test_traditional_characters_are_the_simplified_name(
    traditional: str, simple: str, latin: str
) -> None:
    assert simplified(traditional) == simple
    m = score(traditional, simple)
    assert m.match and m.score == 1.0, m.explanation
    assert score(traditional, latin).match, score(traditional, latin).explanation
    # records and search compare in simplified characters too
    assert record_name(traditional)[0] == simple
    assert index_text(traditional) == index_text(simple)


def test_simplified_keeps_offsets_and_other_text() -> None:
    assert simplified("Chen 陳") == "Chen 陈"
    assert simplified("ئابدۇرېشىت") == "ئابدۇرېشىت"
    text = "新疆維吾爾自治區公安廳"
    assert len(simplified(text)) == len(text)


@pytest.mark.parametrize(
    ("pinyin", "uyghur"),
    [
        # 艾尔肯·吐尔逊 as a passport writes it, and as a family does
        ("Aierken Tuerxun", "Erkin Tursun"),
        # 艾尔肯·吐尼亚孜 (OFAC: TUNIYAZ, Erken), in the pinyin of the Chinese press
        ("Aierken Tuniyazi", "Erkin Tuniyaz"),
        # 买买提明·阿不都热依木
        ("Maimaitiming Abuduereyimu", "Memtimin Abdurehim"),
    ],
)
def test_pinyin_of_a_transcription_reaches_uyghur_latin(pinyin: str, uyghur: str) -> None:
    m = score(pinyin, uyghur)
    assert m.match, m.explanation


def test_pinyin_read_back_through_the_segment_table() -> None:
    assert pinyin_to_latin("Aierken")[0] == "Erkin"
    assert pinyin_to_latin("Tuerxun")[0] == "Tursun"
    assert pinyin_to_latin("Smith") == ()  # not made of transcription syllables


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("亚森", "亚生"),
        ("伊布拉音", "依布拉音"),
        ("艾山", "艾散"),
        ("吾守尔", "吾舒尔"),
        ("阿不都热西提", "Abdureshit"),
        ("ئابدۇرېشىت", "阿不都热西提"),
        ("亚森·艾山", "Yasin Hesen"),
    ],
)
def test_transcription_variants_are_one_name(a: str, b: str) -> None:
    m = score(a, b)
    assert m.match, m.explanation


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("王明山", "王鸣山"),  # Wang Mingshan (EU 2021) and a homophone
        ("朱海仑", "朱海伦"),
        ("陈全国", "陈泉国"),
        ("Zhu Hailun", "Zhu Hailin"),
        ("Wang Mingshan", "Wang Mingshen"),
    ],
)
def test_homophones_in_one_script_are_different_names(a: str, b: str) -> None:
    m = score(a, b)
    assert not m.match, m.explanation
    assert m.score < DEFAULT_THRESHOLD


def test_homophone_explained() -> None:
    m = score("王明山", "王鸣山")
    assert "same pinyin mingshan, different characters" in m.explanation
    # but pinyin still bridges scripts
    assert score("王明山", "Wang Mingshan").match and score("王鸣山", "Wang Mingshan").match


def test_unmatched_parts_cost_and_show() -> None:
    full = score("Shohrat Zakir Ablimit", "Shohrat Zakir")
    assert full.score < score("Shohrat Zakir", "Shohrat Zakir").score
    assert "Ablimit missing in the second name (score × 0.93)" in full.explanation


def test_index_finds_traditional_and_pinyin_queries() -> None:
    ix = NameIndex()
    ix.add(1, "陈全国")
    ix.add(2, "艾尔肯·吐尼亚孜")
    ix.add(3, "王明山")
    assert [k for k, _ in ix.search("陳全國")][:1] == [1]
    assert [k for k, _ in ix.search("Aierken Tuniyazi")][:1] == [2]
    assert 3 not in [k for k, _ in ix.search("王鸣山", min_score=DEFAULT_THRESHOLD)]


@pytest.mark.parametrize(
    ("a", "b"),
    [
        # Xinjiang vice-chairmen as Uyghur Times (2023-01-20) spells them in Uyghur script,
        # against the characters of Wang Gang and Sun Hongmei: a Han name spelt in Uyghur
        ("王刚", "ۋاڭ گاڭ"),
        ("孙红梅", "سۇن خوڭمېي"),
        # the official 1976 romanisation writes sh as x and ch as q (Wikipedia's list of the
        # divisions of Xinjiang): Tiyanxan = 天山, Kaxgar = 喀什噶尔, Ürümqi = 乌鲁木齐
        ("天山", "Tiyanxan"),
        ("喀什噶尔", "Kaxgar"),
        ("乌鲁木齐", "Ürümqi"),
        # Turkish-alphabet Uyghur (French Wikipedia's list): ç is ch
        ("乌鲁木齐", "Ürümçi"),
        # transcription consonants: 克拉玛依 is Qaramay (拉 for ra), 阿拉尔 Aral (尔 for l)
        ("克拉玛依", "Qaramay"),
        ("阿拉尔", "Aral"),
        # Arabic script typed with a final heh for ae (thefullwiki's copy of Rebiya Kadeer)
        ("热比娅·卡德尔", "رابىيه قادىر"),
        ("伊力哈木·土赫提", "Ilham Tohti"),
    ],
)
def test_uyghur_spellings_of_the_same_name(a: str, b: str) -> None:
    m = score(a, b)
    assert m.match, m.explanation


def test_consonant_classes_are_explained_and_bounded() -> None:
    from guwah.names.keys import consonant_classes

    assert consonant_classes("abdurehim") == consonant_classes("abudurexemu") == "ptrkm"
    assert consonant_classes("tuhti") == "tkt"  # three classes: too few to decide alone
    m = score("热比娅·卡德尔", "Rebiya Kadeer")
    assert m.match
    # different public figures with one shared name part stay apart
    assert not score("Rahile Dawut", "Timur Dawamat").match
    assert not score("Erkin Tuniyaz", "Arken Imirbaki").match


def test_sasm_and_turkish_letters() -> None:
    from guwah.names.keys import fold
    from guwah.names.uyghur import sasm_to_uly

    assert sasm_to_uly("Kaxgar") == "kashgar" and sasm_to_uly("Turpan") == ""
    assert fold("Şihenze") == "shihenze" and fold("Ürümçi") == "urumchi"


# -- 2026-12-02: the surname table holds the whole 百家姓 (Hundred Family Surnames) -----------


def test_surnames_of_the_hundred_family_text() -> None:
    """Every surname of the 百家姓 text (zh.wikisource.org/wiki/百家姓) is known, with its
    surname reading where it differs from the common one (乐 Yuè, 缪 Miào, 盖 Gě)."""
    from guwah.names.data import surnames

    table = surnames()
    assert len(table) >= 500
    for ch in "尤骆卞阚逄禹诸葛万俟单于":
        assert ch in "".join(table), ch
    assert (table["乐"], table["缪"], table["盖"], table["单于"]) == ("yue", "miao", "ge", "chanyu")


@pytest.mark.parametrize(
    ("han", "latin"),
    [
        ("尤权", "YOU, Quan"),  # Politburo member, Chinese press
        ("骆惠宁", "LUO, Huining"),  # OFAC SDN (Hong Kong, 2020)
        ("骆惠宁", "Luo Huining"),
    ],
)
def test_names_with_surnames_from_the_hundred_family_text(han: str, latin: str) -> None:
    m = score(han, latin)
    assert m.match, m.explanation


def test_a_rare_surname_keeps_the_other_reading() -> None:
    """水 is a surname of the 百家姓, but 水磨沟 (a district of Ürümqi) is a place: the
    reading by sound is kept beside the Han one."""
    assert score("水磨沟", "Shuimogou").match


def test_han_name_written_apart_given_name_first() -> None:
    """A Han name with its parts apart, given name first (as yente's negatives write them), is
    surname + given name, not a Uyghur given name · father's name."""
    from guwah.names import parse

    p = parse("惠宁 骆")
    assert (p.kind, p.surname, p.given) == ("han", "骆", "惠宁")
    assert score("惠宁 骆", "LUO, Huining").match
    # 军 徐 is Xu Jun, not a Uyghur "Jun Hu": it no longer matches "JON, Il Ho"
    assert not score("军 徐", "JON, Il Ho").match
    assert score("军 徐", "XU, Jun").match
    # a transcribed Uyghur name written with a space stays given · father
    assert parse("艾力 买买提").kind == "patronymic"


def test_han_characters_read_given_name_first_are_never_decisive_against_characters() -> None:
    """Names in Chinese characters put the surname first: 全国 陈 (Chen Quanguo, OFAC SDN,
    written as a Western form joins first and last name) against 陈全国 needs the inversion
    and nothing else, so it is found (0.78) but not a match; yente's negatives wrote 117 such
    names (静 林, 秀英 陳), each the same characters as a person of the medium leak. Against
    Latin, whose order is free and whose comma marks the family name, the reading stands, and
    the same writing on both sides is the same name."""
    from guwah.names import parse

    assert parse("全国 陈").given_first and not parse("陈 全国").given_first
    m = score("全国 陈", "陈全国")
    assert not m.match and m.score == pytest.approx(0.78)
    assert "read given name first (陈全国)" in m.explanation
    assert not score("惠宁 骆", "骆惠宁").match  # Luo Huining
    assert not score("全國 陳", "陈全国").match  # traditional characters alike
    assert score("陈 全国", "陈全国").match  # surname first with a space: as written
    assert score("全国 陈", "全国 陈").match
    assert score("全国 陈", "CHEN, Quanguo").match
    assert score("全国 陈", "Quanguo Chen").match


@pytest.mark.parametrize(
    ("a", "b"),
    [
        # Seypidin Ezizi (1915-2003): the Chinese press writes 赛福鼎·艾则孜, pinyin Saifuding
        # Aizezi; en.wikipedia.org/wiki/Saifuddin_Azizi
        ("Saifuding Aizezi", "Seypidin Azizi"),
        ("赛福鼎·艾则孜", "Seypidin Azizi"),
    ],
)
def test_sey_and_pi_of_the_transcription(a: str, b: str) -> None:
    m = score(a, b)
    assert m.match, m.explanation
