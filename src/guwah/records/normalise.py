"""Normalise record values; the original is always kept beside the result.

Every function returns ``(value, problem)``: ``value`` is the normalised text (or None when
the original cannot be read as that kind of value), ``problem`` a short code when something
is wrong or doubtful (docs/records.md lists them). Nothing is repaired silently: an ID
number that went through floating point is flagged and left unread.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, timedelta
from functools import cache

from guwah.core import reference_json
from guwah.records.lexicon import normalise_header

Result = tuple[str | None, str | None]

_SPACES = re.compile(r"[\s\u3000\u200b\ufeff]+")
_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[T\s].*)?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_MONTH = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?$")
_YEAR = re.compile(r"^(\d{4})\s*年?$")
_EXCEL_EPOCH = date(1899, 12, 30)
_NAME_DOTS = re.compile(r"\s*[·•．・‧∙⋅.\u00b7\u2022\uff0e\u30fb\u2027]\s*")
_ID = re.compile(r"^(\d{17}[\dX]|\d{15})$")
_FLOAT = re.compile(r"^\d(?:\.\d+)?[eE]\+?\d+$")
_WEIGHTS = [2 ** (17 - i) % 11 for i in range(17)]


def text(raw: str) -> Result:
    value = unicodedata.normalize("NFKC", raw).strip()
    return (value or None), None


def squash(raw: str) -> str:
    return _SPACES.sub("", unicodedata.normalize("NFKC", raw))


def name(raw: str) -> Result:
    """A name as written, with its separator unified to the middle dot (·)."""
    value = unicodedata.normalize("NFKC", raw).strip()
    value = _NAME_DOTS.sub("·", value) if re.search(r"[\u4e00-\u9fff]", value) else value
    value = re.sub(r"\s+", " ", value)
    return (value or None), None


def check_digit(first17: str) -> str:
    """GB 11643 check character (ISO 7064 MOD 11-2) of the first 17 digits."""
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True))
    return "10X98765432"[total % 11]


def id_number(raw: str, vtype: str = "s") -> Result:
    """A resident ID number: spaces, tabs and a leading quote stripped, x upper-cased."""
    value = squash(raw).lstrip("'`‘’").upper()
    if not value:
        return None, None
    if _FLOAT.match(value) or (vtype == "n" and not value.isdigit()):
        return None, "id_float"  # digits lost to floating point: never guessed back
    if not _ID.match(value):
        return value, "id_format"
    if len(value) == 18 and check_digit(value[:17]) != value[17]:
        return value, "id_checksum"
    if vtype == "n":
        return value, "id_numeric"  # a number cell: the file's digits, but only 15 are safe
    return value, None


def date_value(raw: str, vtype: str = "s") -> Result:
    """ISO 8601 date (or year-month / year for partial dates)."""
    value = squash(raw)
    if not value:
        return None, None
    if vtype == "d":
        m = re.match(r"^(\d{4}-\d{2}-\d{2})", value)
        return (m.group(1), None) if m else (None, "bad_date")
    if vtype == "n":
        try:
            serial = float(value)
        except ValueError:
            return None, "bad_date"
        if _COMPACT.match(value):
            return _ymd(*_COMPACT.match(value).groups())  # type: ignore[union-attr]
        if 1 <= serial < 2958466:
            return (_EXCEL_EPOCH + timedelta(days=int(serial))).isoformat(), None
        return None, "bad_date"
    for pattern in (_DATE, _COMPACT):
        m = pattern.match(value)
        if m:
            return _ymd(*m.groups()[:3])
    m = _MONTH.match(value)
    if m and 1 <= int(m.group(2)) <= 12:
        return f"{m.group(1)}-{int(m.group(2)):02d}", "partial_date"
    m = _YEAR.match(value)
    if m:
        return m.group(1), "partial_date"
    return None, "bad_date"


def _ymd(y: str, m: str, d: str) -> Result:
    try:
        return date(int(y), int(m), int(d)).isoformat(), None
    except ValueError:
        return None, "bad_date"


def age(raw: str, vtype: str = "s") -> Result:
    value = squash(raw).rstrip("岁周").removesuffix(".0")
    if value.isdigit() and 0 <= int(value) < 130:
        return str(int(value)), None
    return None, "bad_age"


def integer(raw: str, vtype: str = "s") -> Result:
    value = squash(raw).removesuffix(".0")
    return (value, None) if value.isdigit() else (value or None, "not_a_number")


_SEX = {
    "男": "male",
    "男性": "male",
    "m": "male",
    "male": "male",
    "man": "male",
    "ئەر": "male",
    "er": "male",
    "1": "male",
    "女": "female",
    "女性": "female",
    "f": "female",
    "female": "female",
    "woman": "female",
    "ئايال": "female",
    "ayal": "female",
    "2": "female",
}


def sex(raw: str, vtype: str = "s") -> Result:
    value = _SEX.get(normalise_header(raw))
    return (value, None) if value else (None, "bad_sex")


@cache
def _ethnicities() -> dict[str, str]:
    table: dict[str, str] = {}
    for code, spec in reference_json("ethnicities.json")["groups"].items():
        for v in (spec["zh"], spec["en"], *spec["variants"]):
            table.setdefault(normalise_header(v), code)
    return table


def ethnicity(raw: str, vtype: str = "s") -> Result:
    key = normalise_header(raw)
    code = _ethnicities().get(key)
    if code is None and key.endswith("族"):
        code = _ethnicities().get(key[:-1])
    return (code, None) if code else (None, "unknown_ethnicity")


@cache
def _relations() -> dict[str, str]:
    table: dict[str, str] = {}
    for code, words in reference_json("relations.json")["relations"].items():
        for w in words:
            table.setdefault(normalise_header(w), code)
    return table


def relation(raw: str) -> str | None:
    """Canonical relation (``wife``, ``son``…) of a kinship term, or None."""
    return _relations().get(normalise_header(raw))


_REL_SPLIT = re.compile(r"[；;，,、\n]+")
_REL_PAIR = re.compile(r"^\s*([^：:]{1,12}?)\s*[：:]\s*(.+?)\s*$")


def relatives(raw: str) -> list[tuple[str, str, str]]:
    """``妻子:吐尼沙汗·依明；儿子:…`` → [(relation code, term as written, name)]."""
    out = []
    for part in _REL_SPLIT.split(raw):
        m = _REL_PAIR.match(part)
        if not m:
            if part.strip():
                out.append(("relative", "", name(part)[0] or part.strip()))
            continue
        term, who = m.group(1).strip(), name(m.group(2))[0]
        if who:
            out.append((relation(term) or "relative", term, who))
    return out


def relatives_value(raw: str, vtype: str = "s") -> Result:
    parts = relatives(raw)
    value = "；".join(f"{term or rel}：{who}" for rel, term, who in parts)
    return (value or None), None


NORMALISERS = {
    "name": lambda raw, vtype: name(raw),
    "id": id_number,
    "sex": sex,
    "ethnicity": ethnicity,
    "date": date_value,
    "age": age,
    "int": integer,
    "relatives": relatives_value,
    "text": lambda raw, vtype: text(raw),
}


def normalise(kind: str, raw: str, vtype: str = "s") -> Result:
    """Normalise ``raw`` as a value of ``kind`` (a lexicon field's kind)."""
    return NORMALISERS.get(kind, NORMALISERS["text"])(raw, vtype)
