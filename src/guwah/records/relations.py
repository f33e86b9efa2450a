"""Relatives: link the family a record names to the relatives' own people.

Two sources: a relatives column (``妻子：吐尼沙汗·依明；儿子：…``) and household rosters
(a household number and each member's relation to the head). A named relative is linked
when exactly one person of that name fits (and of the sex the relation implies), looking
first at the same house (address), then the same sheet, the same file, the same village;
otherwise the name is kept as text. The records stage links them with indexed queries
(``guwah.records.stage._link_relatives``); this module holds the rules' vocabulary.
"""

from __future__ import annotations

import re

FEMALE = {
    "wife",
    "mother",
    "daughter",
    "sister",
    "mother-in-law",
    "grandmother",
    "daughter-in-law",
    "granddaughter",
}
MALE = {
    "husband",
    "father",
    "son",
    "brother",
    "father-in-law",
    "grandfather",
    "son-in-law",
    "grandson",
}
_PLACE = re.compile(r"[^县市区州]*?[乡镇][^乡镇县市]*?村")
_HOUSE = re.compile(r"[^县市区州]*?[乡镇][^乡镇县市]*?村.*$")


def house_key(*texts: str | None) -> str | None:
    """The address from the township on (``博斯坦乡奥依巴格村1组1号``): one household."""
    for t in texts:
        if t:
            m = _HOUSE.search(t)
            if m:
                return m.group(0)
    return None


def place_key(*texts: str | None) -> str | None:
    """The township-and-village part of an address (``博斯坦乡奥依巴格村``), if any."""
    for t in texts:
        if t:
            m = _PLACE.search(t)
            if m:
                return m.group(0)
    return None
