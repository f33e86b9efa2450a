"""The features beside the name that raise or lower a person match: birth date, gender,
nationality, place of birth. Each returns a score change and an explanation (or None when
either side says nothing)."""

from __future__ import annotations

import re
from functools import cache, lru_cache

import pycountry

from guwah.han import HAN_CLASS

from .data import _csv

BIRTH_SAME_YEAR = 0.05
BIRTH_SAME_MONTH = 0.03
BIRTH_YEAR_OFF_BY_ONE = -0.10
BIRTH_CONFLICT_FACTOR = 0.55  # a birth year two or more apart sinks a name-only match
GENDER_AGREE, GENDER_CONFLICT = 0.02, -0.20
NATION_AGREE, NATION_CONFLICT = 0.03, -0.10
PLACE_AGREE = 0.03


# words that may name a place or an organisation: Latin of four letters or more, Han of two
WORDS = re.compile(f"[a-z]{{4,}}|[{HAN_CLASS}]{{2,}}")


@cache
def _countries() -> dict[str, str]:
    out: dict[str, str] = {}
    for r in _csv("countries.csv"):
        for n in r["names"].split("|"):
            out[n.lower()] = r["code"]
    return out


@lru_cache(maxsize=4096)
def country_code(value: str) -> str | None:
    """ISO 3166 alpha-2 of a country name, demonym or code: ``countries.csv`` (demonyms,
    common and Chinese names), then the ISO 3166 names and codes of pycountry; else None."""
    v = re.sub(r"\s*\(.*\)$", "", value.strip().lower())
    if not v:
        return None
    if v in _countries():
        return _countries()[v]
    try:
        return str(pycountry.countries.lookup(v).alpha_2).lower()
    except LookupError:
        return None


def _ym(dates: list[str]) -> list[tuple[int, int | None]]:
    out = []
    for d in dates:
        m = re.match(r"^(\d{4})(?:-(\d{2}))?", d.strip())
        if m:
            out.append((int(m.group(1)), int(m.group(2)) if m.group(2) else None))
    return out


def birth_date(query: list[str], listed: list[str]) -> tuple[str, float, str] | None:
    """``("add"|"factor", value, explanation)`` for the birth dates, or None."""
    q, e = _ym(query), _ym(listed)
    if not q or not e:
        return None
    best = min(abs(a[0] - b[0]) for a in q for b in e)
    if best == 0:
        months = any(a[1] and a[1] == b[1] for a in q for b in e if a[0] == b[0])
        bonus = BIRTH_SAME_YEAR + (BIRTH_SAME_MONTH if months else 0.0)
        what = "year and month" if months else "year"
        return "add", bonus, f"birth {what} agree ({', '.join(query)} / {', '.join(listed)})"
    if best == 1:
        return (
            "add",
            BIRTH_YEAR_OFF_BY_ONE,
            f"birth years one apart ({', '.join(query)} / {', '.join(listed)})",
        )
    return (
        "factor",
        BIRTH_CONFLICT_FACTOR,
        f"birth years conflict ({', '.join(query)} / {', '.join(listed)}, {best} years apart)",
    )


def _same_or_not(
    what: str,
    query: list[str],
    listed: list[str],
    q: set[str],
    e: set[str],
    agree: float,
    conflict: float,
) -> tuple[str, float, str] | None:
    """Two sets of normalised values (genders, country codes): agree, conflict or say nothing."""
    if not q or not e:
        return None
    if q & e:
        return "add", agree, f"{what} agrees ({', '.join(sorted(q & e))})"
    return "add", conflict, f"{what} differs ({', '.join(query)} / {', '.join(listed)})"


def gender(query: list[str], listed: list[str]) -> tuple[str, float, str] | None:
    q = {g for g in map(_gender, query) if g}
    e = {g for g in map(_gender, listed) if g}
    return _same_or_not("gender", query, listed, q, e, GENDER_AGREE, GENDER_CONFLICT)


def _gender(g: str) -> str | None:
    g = g.strip().lower()
    if g in ("m", "male", "man", "男"):
        return "male"
    if g in ("f", "female", "woman", "女"):
        return "female"
    return None


def nationality(query: list[str], listed: list[str]) -> tuple[str, float, str] | None:
    q = {c for c in map(country_code, query) if c}
    e = {c for c in map(country_code, listed) if c}
    return _same_or_not("nationality", query, listed, q, e, NATION_AGREE, NATION_CONFLICT)


def birth_place(query: list[str], listed: list[str]) -> tuple[str, float, str] | None:
    q = {w for v in query for w in re.findall(WORDS, v.lower())}
    e = {w for v in listed for w in re.findall(WORDS, v.lower())}
    common = (q & e) - {"china", "province", "city", "county"}
    if not q or not e or not common:
        return None
    return "add", PLACE_AGREE, f"place of birth agrees ({', '.join(sorted(common))})"
