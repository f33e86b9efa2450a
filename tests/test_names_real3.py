"""Rules from the third real set (2026-12-04): Wade-Giles as printed, patronymic and Russian
surname endings, the Arabic article, segments and older place names. Every positive pair is
printed by a public source: the forms and their addresses are in
``benchmarks/data/real_name_forms_3.csv`` and ``real_name_sources_3.csv`` (source ids beside
each pair); each negative is two different public figures or places."""

from __future__ import annotations

import pytest

from guwah.names import score
from guwah.names.forms import place_of, unpatronymic
from guwah.names.han import from_wade_giles
from guwah.names.scripts import Script


@pytest.mark.parametrize(
    ("word", "pinyin"),
    [
        ("Kʻu-êrh-lê", "kuerle"),  # PROFILPELAJAR_KORLA: ʻ for the aspiration, ê for e
        ("Yen-ch’i", "yanqi"),  # STRABON_KARASAHR: a typographic apostrophe
        ("Tʻa-shih-kʻu-êrh-kan", "tashikuergan"),  # CRYER_TASHKURGAN
        ("A-he-mai-t'i-chiang", "ahemaitijiang"),  # set2: he is pinyin among Wade-Giles
    ],
)
def test_wade_giles_as_printed_reads_back_into_pinyin(word: str, pinyin: str) -> None:
    assert pinyin in from_wade_giles(word)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("且末", "Ch'ieh-mo"),  # ENWIKI_QIEMO: Wade-Giles of characters no table covers
        ("库尔勒", "Kʻu-êrh-lê"),  # PROFILPELAJAR_KORLA
        ("Kʻu-êrh-lê", "Korla"),  # … and on to the Uyghur name
    ],
)
def test_wade_giles_syllables_meet_the_characters_and_the_uyghur_name(a: str, b: str) -> None:
    m = score(a, b)
    assert m.match, m.explanation


def test_a_bare_word_is_not_read_as_wade_giles() -> None:
    # Chen is also Wade-Giles for zhen; only a word written in syllables is read so
    assert not score("Chen", "Jan").match


@pytest.mark.parametrize(
    ("word", "inner"),
    [
        ("Abilmazhinuly", "abilmazhin"),  # GROK_NURLAN (set2)
        ("Islambayuly", "islambay"),  # ENWIKINET_OSPAN
        ("Abbasov", "abbas"),  # ENWIKI_ABBASOV
        ("Abbasoff", "abbas"),  # DEKNOWLEDGR_ABBAS
        ("Sırjanulı", "sirjan"),  # ENWIKINET_ILIPREF, Turkish-alphabet Kazakh
    ],
)
def test_patronymic_and_russian_endings_give_the_name_inside(word: str, inner: str) -> None:
    assert unpatronymic(word) == (inner,)


def test_a_short_stem_keeps_its_ending() -> None:
    assert unpatronymic("Lev") == ()  # ev with a stem of one letter is no surname ending


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Abdulkerim Abbasoff", "Abdukerim Abbasov"),  # DEKNOWLEDGR_ABBAS / ENWIKI_ABBASOV
        ("Abdulkerim Abbas", "Abdukerim Abbasov"),  # WIKISUM_ABBAS: Abdul- = Abdu- too
        ("Жусуп Мамай уулу", "Jusup Mamay"),  # MANASEPOSU_MAMAY: uulu written apart
        ("Abd al-Karīm 'Abbās", "Abdukerim Abbasov"),  # DEKNOWLEDGR_ABBAS: the article
    ],
)
def test_endings_articles_and_patronymic_words_do_not_hide_a_name(a: str, b: str) -> None:
    m = score(a, b)
    assert m.match, m.explanation


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Qadan Käbenuly", "Qurmaş Sırjanulı"),  # two governors of Ili, both -uly
        ("Abdukerim Abbasov", "Abdul'ahat Abdulrixit"),  # both Abdu-
        ("穆罕默德·伊敏", "穆罕默德·雅霍甫伯克"),  # Muhammad Amin Bughra / Yakub Beg
        ("Muhammad Amin Bughra", "Mùhǎnmòdé Yǎhuòfǔbókè"),
        ("艾萨·玉素甫·阿布甫泰肯", "居素甫·玛玛依"),  # Isa Yusuf Alptekin / Jusup Mamay
    ],
)
def test_different_people_sharing_a_name_or_an_ending_stay_apart(a: str, b: str) -> None:
    m = score(a, b)
    assert not m.match, m.explanation


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("穆罕默德·伊敏", "Muhammad Amin Bughra"),  # WIKISUM_BUGHRA: 穆罕默德 = Muhammad
        ("居素普·瑪瑪依", "Jusup Mamay"),  # CREAD_MAMAY / KYWIKI_MAMAY: 普 is p like 甫
        ("和加尼牙孜", "Khoja Niyaz"),  # DATANA_KHOJANIYAZ / ENWIKI_KHOJANIYAZ: 和 is xo
        ("艾萨·玉素甫", "Iysa Yüsüp"),  # ENWIKI_ALPTEKIN / IZLIRIMIZ_ALPTEKIN: Isa = Eysa = Iysa
    ],
)
def test_new_segments_and_variants(a: str, b: str) -> None:
    m = score(a, b)
    assert m.match, m.explanation


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("叶尔羌", "Yarkant"),  # MGWIKI_YARKANT: the Qing name
        ("يەكەن", "Yarkant"),  # … and the Uyghur name in Arabic script
        ("莎车", "يەكەن"),
        ("Іле", "Ili"),  # WP_ILI: Kazakh Cyrillic
        ("伊宁", "Kulja"),  # LIQUISEARCH_YINING
        ("I-ning", "Gulja"),  # DEWIKI_GULJA: Wade-Giles read as pinyin, then the gazetteer
        ("塔城", "Chuguchak"),  # RICHX_TACHENG
        ("Yangi Hissar", "Yengisar"),  # QAZWIKI_YENGISAR
    ],
)
def test_older_and_other_names_of_a_place(a: str, b: str) -> None:
    m = score(a, b)
    assert m.match, m.explanation
    assert "place by the gazetteer" in m.explanation


def test_an_arabic_script_place_is_read_from_one_word_only() -> None:
    assert place_of("يەكەن", Script.ARABIC) is not None
    assert not score("مۇھەممەت يەكەن", "Yarkant").match  # a person's name with the word


def test_other_place_names_do_not_join_different_places() -> None:
    assert not score("Korla", "Karasahr").match  # STRABON_KARASAHR, PROFILPELAJAR_KORLA
    assert not score("Chuguchak", "Cherchen").match
    assert not score("塔城", "塔什库尔干").match


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("莎车", "叶尔羌"),  # MGWIKI_YARKANT: today's name and the Qing one, both in characters
        ("和田", "和阗"),  # WIKIMILI_HOTAN
        ("且末", "车尔臣"),  # SOFTLK_QIEMO
        ("伊宁", "固勒扎"),  # LIQUISEARCH_YINING
    ],
)
def test_two_names_in_characters_of_one_place(a: str, b: str) -> None:
    m = score(a, b)
    assert m.match, m.explanation
    assert "the same place under another name" in m.explanation


def test_different_places_in_characters_stay_apart() -> None:
    assert not score("莎车", "叶城").match  # Yarkant and Kargilik share no name
    assert not score("和田", "和静").match  # 和 alone is no place


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("塔什库尔干", "Taxk̡urƣan"),  # CRYER_TASHKURGAN: the Uyghur New Script's ƣ and k̡
        ("伊宁", "Ƣulja"),  # DEWIKI_GULJA
        ("Yoqub Bek", "Yakub Beg"),  # NINA_YAKUB: the title Beg = Bek (Uzbek Yoqub)
        ("艾力汗·吐烈", "Elihan Tore"),  # WIKIMAX_ELIHAN: 烈 writes re
        ("阿布拉江.阿吾提.阿尤甫", "Ablajan Awut Ayup"),  # PLURK_ABLAJAN (set2): 布 b, 吾 wu
    ],
)
def test_new_script_letters_titles_and_segments(a: str, b: str) -> None:
    m = score(a, b)
    assert m.match, m.explanation
