"""Reference tables for the synthetic leak, read from ``guwah/reference/synth/``."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources
from typing import Any


def _read(name: str) -> str:
    return (resources.files("guwah") / "reference" / "synth" / name).read_text("utf-8")


def _csv(name: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(_read(name))))


def _json(name: str) -> Any:
    return json.loads(_read(name))


@dataclass(frozen=True)
class GivenName:
    """A given name of a patronymic-naming group (Uyghur, Kazakh, Kyrgyz)."""

    ethnicity: str
    sex: str
    chinese: str
    latin: str
    variant: str


@dataclass(frozen=True)
class ChineseName:
    """A Han/Hui surname or given name with its pinyin."""

    chinese: str
    pinyin: str
    weight: int = 1


@dataclass(frozen=True)
class Camera:
    make: str
    model: str
    released: date
    firmware: str
    role: str


@dataclass(frozen=True)
class Township:
    name: str
    latin: str


@dataclass(frozen=True)
class County:
    code: str
    name: str
    latin: str
    latin_variants: tuple[str, ...]
    prefecture: str
    police: str
    abbr: str
    ethnic_mix: tuple[tuple[str, float], ...]
    townships: tuple[Township, ...]
    village_stems: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Ethnicity:
    key: str
    chinese: str
    english: str
    variants: tuple[str, ...]
    naming: str


@dataclass(frozen=True)
class Reference:
    """Every table the generator uses."""

    given: dict[tuple[str, str], tuple[GivenName, ...]]
    surnames: dict[str, tuple[ChineseName, ...]]
    chinese_given: dict[tuple[str, str], tuple[ChineseName, ...]]
    cameras: tuple[Camera, ...]
    scanners: tuple[tuple[str, str], ...]
    province: str
    counties: tuple[County, ...]
    region_mismatch_codes: tuple[str, ...]
    ethnicities: dict[str, Ethnicity]
    headers: dict[str, tuple[str, ...]]
    detention: dict[str, Any]
    documents: dict[str, Any]


@cache
def reference() -> Reference:
    """Load (once) and return the reference tables."""
    given: dict[tuple[str, str], list[GivenName]] = {}
    for r in _csv("given_names.csv"):
        g = GivenName(r["ethnicity"], r["sex"], r["chinese"], r["latin"], r["variant"])
        given.setdefault((g.ethnicity, g.sex), []).append(g)
    surnames: dict[str, list[ChineseName]] = {}
    for r in _csv("surnames.csv"):
        surnames.setdefault(r["ethnicity"], []).append(
            ChineseName(r["chinese"], r["pinyin"], int(r["weight"]))
        )
    cgiven: dict[tuple[str, str], list[ChineseName]] = {}
    for r in _csv("chinese_given_names.csv"):
        for eth in r["ethnicity"].split():
            cgiven.setdefault((eth, r["sex"]), []).append(ChineseName(r["chinese"], r["pinyin"]))
    cameras = tuple(
        Camera(r["make"], r["model"], date.fromisoformat(r["released"]), r["firmware"], r["role"])
        for r in _csv("cameras.csv")
    )
    scanners = tuple((r["make"], r["model"]) for r in _csv("scanners.csv"))
    places = _json("places.json")
    counties = tuple(
        County(
            code=c["code"],
            name=c["name"],
            latin=c["latin"],
            latin_variants=tuple(c["latin_variants"]),
            prefecture=c["prefecture"],
            police=c["police"],
            abbr=c["abbr"],
            ethnic_mix=tuple((k, float(v)) for k, v in c["ethnic_mix"].items()),
            townships=tuple(Township(n, latin) for n, latin in c["townships"]),
            village_stems=tuple(
                (n, latin) for n, latin in places["village_stems"][c["village_stems"]]
            ),
        )
        for c in places["counties"]
    )
    eths = {
        k: Ethnicity(k, v["chinese"], v["english"], tuple(v["variants"]), v["naming"])
        for k, v in _json("ethnicities.json").items()
        if not k.startswith("_")
    }
    headers = {k: tuple(v) for k, v in _json("headers.json").items() if not k.startswith("_")}
    return Reference(
        given={k: tuple(v) for k, v in given.items()},
        surnames={k: tuple(v) for k, v in surnames.items()},
        chinese_given={k: tuple(v) for k, v in cgiven.items()},
        cameras=cameras,
        scanners=scanners,
        province=places["province"],
        counties=counties,
        region_mismatch_codes=tuple(places["region_mismatch_codes"]),
        ethnicities=eths,
        headers=headers,
        detention=_json("detention.json"),
        documents=_json("documents.json"),
    )
