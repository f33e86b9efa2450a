"""The one "is this character Han?" (guwah.han), checked against Unicode's own names."""

from __future__ import annotations

import unicodedata

from guwah.han import all_han, han_count, has_han, is_han
from guwah.names.scripts import Script, char_script
from guwah.records.normalise import name
from guwah.web.render import lang


def test_han_against_unicode_names() -> None:
    # Unicode names every Han ideograph "CJK (COMPATIBILITY) IDEOGRAPH-…"
    for ch in "陈陳全國疏附特克斯𠀋𪚥〇艾尔肯龜﨑":
        assert is_han(ch), ch
        uname = unicodedata.name(ch)
        assert "IDEOGRAPH" in uname, uname
    for ch in "aÄ·・。，ㄅあアㄱ가ئ⺀1 ":
        assert not is_han(ch), (ch, unicodedata.name(ch, "?"))


def test_every_user_agrees() -> None:
    text = "𠀋·阿不都"  # an extension-B character, then a Uyghur transcription
    assert has_han(text) and not all_han(text) and han_count(text) == 4
    assert char_script("𠀋") is Script.HAN and char_script("龜") is Script.HAN
    assert name("𠀋 . 阿不都")[0] == "𠀋·阿不都"  # the name separator is unified for Han names
    assert lang("陳全國") == "zh-Hans" and lang("𠀋") == "zh-Hans" and lang("Chen") == ""
    assert all_han("疏附县") and not all_han("") and not all_han("疏附县 ")
