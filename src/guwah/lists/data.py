"""The lists' data files (``guwah/reference/lists/``) and the GB/T 2260 region table that
python-stdnum ships, read once."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

from pypinyin import lazy_pinyin


def _csv(name: str) -> list[dict[str, str]]:
    text = (resources.files("guwah") / "reference" / "lists" / name).read_text("utf-8")
    return list(csv.DictReader(io.StringIO(text)))


@cache
def company_forms() -> tuple[tuple[str, ...], frozenset[str]]:
    """Chinese legal-form suffixes (longest first) and Latin legal-form words."""
    rows = _csv("company_forms.csv")
    han = sorted((r["form"] for r in rows if r["script"] == "han"), key=len, reverse=True)
    latin = frozenset(r["form"] for r in rows if r["script"] == "latin")
    return tuple(han), latin


@cache
def glossary() -> tuple[dict[str, str], dict[str, str]]:
    """Han term → concept, and Latin phrase (lower case) → concept."""
    han: dict[str, str] = {}
    latin: dict[str, str] = {}
    for r in _csv("glossary.csv"):
        for t in r["han"].split("|"):
            if t:
                han[t] = r["concept"]
        for t in r["latin"].split("|"):
            if t:
                latin[t.lower()] = r["concept"]
        latin.setdefault(r["concept"], r["concept"])
    return han, latin


@dataclass(frozen=True)
class Region:
    code: str  # six digits, GB/T 2260
    name: str  # as in the table: 鄯善县
    short: str  # without the administrative suffix: 鄯善
    latin: tuple[str, ...]  # pinyin and the usual Latin spellings


ADMIN_SUFFIX = re.compile(
    r"(维吾尔自治区|回族自治州|蒙古自治州|哈萨克自治州|柯尔克孜自治州|蒙古族自治州|"
    r"哈萨克自治县|蒙古自治县|锡伯自治县|塔吉克自治县|自治州|自治县|地区|矿区|市辖区|市|县|区)$"
)


@cache
def xinjiang_exonyms() -> dict[str, tuple[str, ...]]:
    """Han place name → its Latin names (``xinjiang_exonyms.csv``: Konasheher for 疏附)."""
    return {r["han"]: tuple(r["latin"].split("|")) for r in _csv("xinjiang_exonyms.csv")}


@cache
def xinjiang_regions() -> tuple[Region, ...]:
    """Every Xinjiang (65xxxx) prefecture and county in GB/T 2260, past and present."""
    from stdnum.cn import ric

    path = resources.files(ric.__package__ or "stdnum.cn") / "loc.dat"
    exonyms = xinjiang_exonyms()
    out: list[Region] = []
    in_xj = False
    for line in path.read_text("utf-8").splitlines():
        if not line.startswith(" "):
            in_xj = line.startswith("65 ")
            continue
        if not in_xj:
            continue
        m = re.match(r"\s+(\d{4}) county=\"(.*)\"", line)
        if not m:
            continue
        for name in re.findall(r"(?:\[[^\]]*\])?([^,\[\]]+)", m.group(2)):
            name = name.strip()
            if not name or name in ("市辖区", "市区", "郊区", "县"):
                continue
            short = ADMIN_SUFFIX.sub("", name) or name
            pin = "".join(lazy_pinyin(short)).capitalize()
            latin = tuple(dict.fromkeys((pin, *exonyms.get(short, ()))))
            out.append(Region("65" + m.group(1), name, short, latin))
    for han, latin in exonyms.items():  # XPCC cities and the region itself
        if not any(r.short == han for r in out):
            out.append(Region("", han, han, latin))
    return tuple(out)
