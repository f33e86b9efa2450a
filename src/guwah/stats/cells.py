"""One printed cell: a number, a dash, a footnote marker, or text.

Yearbooks print "…" or "-" where there is no figure, and mark cells with footnote signs
(①, *, a). A marker alone, or a dash, gives an empty value with the reason; a number with a
marker keeps the number and notes the marker.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

DASHES = {"-", "—", "－", "–", "…", "……", "...", "..", "—-", "--", "/", "x", "×", "∕"}
_MARK_CHARS = "①②③④⑤⑥⑦⑧⑨⑩*＊#＃†‡§"
_MARKER_ONLY = re.compile(r"^(?:[" + _MARK_CHARS + r"]+|注\s*\d*|\(\d\)|（\d）|[a-e])$")
_NUMBER = re.compile(
    r"^(?P<sign>[-−－–]?)\s*(?P<num>\d{1,3}(?:[,，]\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)"
    r"\s*(?P<mark>[" + _MARK_CHARS + r"]+|\(\d\)|（\d）|[a-e])?$"
)
_SPACES = re.compile(r"[\s\u3000]+")


@dataclass(frozen=True)
class Parsed:
    value: float | None
    kind: str  # number | dash | marker | empty | text
    marker: str | None = None

    @property
    def reason(self) -> str | None:
        if self.kind == "dash":
            return "printed as a dash: the table gives no figure (not available or not applicable)"
        if self.kind == "marker":
            return f"only a footnote marker ({self.marker}): no figure printed"
        if self.kind == "text":
            return "not a number"
        return None


def parse_cell(raw: str | None) -> Parsed:
    """What a printed cell holds."""
    text = _SPACES.sub("", raw or "")
    if not text:
        return Parsed(None, "empty")
    if text in DASHES or set(text) <= set("-—－–….·"):
        return Parsed(None, "dash")
    if _MARKER_ONLY.match(text):
        return Parsed(None, "marker", marker=text)
    m = _NUMBER.match(text)
    if m:
        num = float(m.group("num").replace(",", "").replace("，", ""))
        if m.group("sign"):
            num = -num
        return Parsed(num, "number", marker=m.group("mark"))
    return Parsed(None, "text")


def is_number(raw: str | None) -> bool:
    return parse_cell(raw).kind == "number"


_YEAR = re.compile(r"^(?P<y>(?:19[4-9]\d|20[0-4]\d))\s*年?(?:末|底|度)?$")
_YEAR_IN = re.compile(r"(?<!\d)(19[4-9]\d|20[0-4]\d)\s*年")


def year_of(raw: str | None) -> int | None:
    """The year a header cell names (``2017``, ``2017年``, ``2017年末``), or None."""
    text = _SPACES.sub("", raw or "")
    m = _YEAR.match(text)
    if m:
        return int(m.group("y"))
    return None


def year_in_text(text: str) -> int | None:
    """A year a title states, such as ``(2015年)``; the last one if several."""
    found = _YEAR_IN.findall(text)
    return int(found[-1]) if found else None
