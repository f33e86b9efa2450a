"""Turn a scale into a plan: which counties, townships and villages, how many of each file,
and where each planted anomaly goes. The plan is small at any scale."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from typing import Any

from . import names as nm
from .anomalies import PERSON_KINDS, PHOTO_KINDS, per_kind, spread
from .data import Camera, County, reference
from .people import Village

SCALES = {"small": 300, "medium": 5000, "large": 100_000, "xl": 100_000}
#: the scales that also set a number of people (``xl``: the large leak's files and photos,
#: a million people in its rosters: the cost under test is records and people)
SCALE_PEOPLE = {"xl": 1_000_000}
#: residents generated per detainee when no number of people is asked for
RESIDENTS_PER_DETAINEE = 3.5
PHOTO_NAMINGS = ("{id}_{ts}", "{id}", "{ts}_{id}")
ROLE_ETHNICITY = {
    "secretary": ("han", "han", "han", "uyghur"),
    "politics": ("han", "han", "hui"),
    "police_chief": ("han", "han", "uyghur"),
    "deputy_police": ("uyghur", "kazakh", "han"),
    "centre_director": ("han", "uyghur", "hui"),
    "magistrate": ("uyghur", "kazakh", "uyghur"),
}


def parse_scale(scale: str | int) -> int:
    """``small``/``medium``/``large`` or an approximate number of files."""
    if isinstance(scale, int):
        n = scale
    elif scale in SCALES:
        n = SCALES[scale]
    elif str(scale).isdigit():
        n = int(scale)
    else:
        raise ValueError(f"scale must be small, medium, large, xl or a file count, not {scale!r}")
    if n < 40:
        raise ValueError("scale must be at least 40 files")
    return n


@dataclass
class Official:
    role: str
    name: nm.Name
    post: str
    post_en: str
    county: str

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name.chinese,
            "latin": list(self.name.latin),
            "post": self.post,
            "post_en": self.post_en,
            "county": self.county,
            "role": self.role,
        }


@dataclass
class TownshipPlan:
    county: County
    county_index: int
    index_in_county: int
    index: int
    name: str
    latin: str
    villages: list[Village]
    detainees: list[int]
    resident_photos: list[int]
    anomalies: list[dict[str, int]]
    camera: Camera
    serial: str
    background: tuple[int, int, int]
    naming: str
    zip_village: int | None = None  # index into villages whose photos go into a zip
    sheets_in_tar: bool = False
    copies: int = 0
    junk: int = 0

    @property
    def police_dir(self) -> str:
        return f"{self.county.police}/{self.name}派出所"


@dataclass
class Plan:
    seed: int
    n_target: int
    rate: float
    counties: list[County]
    townships: list[TownshipPlan]
    facilities: dict[str, list[tuple[str, str, int]]]
    officials: list[Official]
    n_docs: int
    n_backdated: int
    county_detainees: dict[str, int] = field(default_factory=dict)
    #: residents per detainee in each village (more people in the rosters, same photos)
    residents_per_detainee: float = RESIDENTS_PER_DETAINEE
    #: the number of people asked for (None: what the scale gives)
    people: int | None = None

    def estimated_files(self) -> int:
        return self.n_target


def _facilities(county: County) -> list[tuple[str, str, int]]:
    return [
        (zh.format(county=county.name), en.format(latin=county.latin), int(w))
        for zh, en, w in reference().detention["facilities"]
    ]


def _officials(
    rng: random.Random, counties: list[County], facilities: dict[str, Any]
) -> list[Official]:
    docs = reference().documents
    banned = set(docs["real_officials"])
    out = []
    for county in counties:
        fac1 = facilities[county.name][0]
        ctx = {"county": county.name, "latin": county.latin, "police": county.police}
        ctx |= {"facility1": fac1[0], "facility1_latin": fac1[1]}
        for role, (post, post_en) in docs["posts"].items():
            while True:
                name = nm.random_name(
                    rng, rng.choice(ROLE_ETHNICITY[role]), "M" if rng.random() < 0.85 else "F"
                )
                if name.chinese not in banned:
                    break
            out.append(Official(role, name, post.format(**ctx), post_en.format(**ctx), county.name))
    return out


def make_plan(seed: int, n: int, rate: float, people: int | None = None) -> Plan:
    """The plan of a leak of about ``n`` files; ``people``: about that many people in its
    rosters (villages get more residents; files and photos stay as ``n`` makes them)."""
    rng = random.Random(f"guwah-synth/{seed}/plan")
    ref = reference()
    n_villages = max(4, min(300, round(n / 60)))
    n_counties = 2 if n < 1000 else 3
    per_county = max(1, min(10, round(math.sqrt(n_villages / n_counties))))
    per_township = max(1, min(16, math.ceil(n_villages / (n_counties * per_county))))
    counties = list(ref.counties[:n_counties])
    station_cams = [c for c in ref.cameras if c.role == "station"]

    n_docs = max(8, min(150, round(n * 0.006)))
    n_junk = max(3, min(400, round(n * 0.004)))
    n_copies = max(2, min(400, round(n * 0.004)))
    n_townships = n_counties * per_county
    n_zip = 1 if n < 1000 else n_counties
    sheets_est = n_townships * (per_township * 1.3 + 1.6)
    others = 1 + sheets_est + n_docs + n_junk + n_copies + n_zip + 1
    zipped_share = 0.9 * n_zip / (n_townships * per_township)
    photos = max(20, round((n - others) / (1 - zipped_share)))
    k_photo = per_kind(rate, photos, len(PHOTO_KINDS))
    resident_photos = round(photos * 0.04)
    detainee_photos = photos - resident_photos - 2 * k_photo  # orphans and duplicates are extra
    detainees = detainee_photos + per_kind(rate, detainee_photos, len(PERSON_KINDS))
    k_person = per_kind(rate, detainees, len(PERSON_KINDS))

    facilities = {c.name: _facilities(c) for c in counties}
    townships: list[TownshipPlan] = []
    villages: list[Village] = []
    for ci, county in enumerate(counties):
        tnames = rng.sample(county.townships, per_county)
        for ti, t in enumerate(tnames):
            stems = rng.sample(county.village_stems, min(per_township, len(county.village_stems)))
            vs: list[Village] = []
            for vi in range(per_township):
                if vi < len(stems) and rng.random() < 0.8:
                    vname, vlatin = stems[vi][0] + "村", stems[vi][1]
                else:
                    vname, vlatin = f"{vi + 1}村", f"Village No. {vi + 1}"
                if any(v.name == vname for v in vs):
                    vname, vlatin = f"{vi + 1}村", f"Village No. {vi + 1}"
                vs.append(
                    Village(county, ci, t.name, t.latin, ti, vname, vlatin, len(villages) + len(vs))
                )
            villages.extend(vs)
            cam = rng.choice(station_cams)
            townships.append(
                TownshipPlan(
                    county=county,
                    county_index=ci,
                    index_in_county=ti,
                    index=len(townships),
                    name=t.name,
                    latin=t.latin,
                    villages=vs,
                    detainees=[],
                    resident_photos=[],
                    anomalies=[{} for _ in vs],
                    camera=cam,
                    serial=f"{rng.randrange(10**9, 10**10)}",
                    background=(
                        rng.randint(150, 225),
                        rng.randint(160, 230),
                        rng.randint(170, 235),
                    ),
                    naming=rng.choices(PHOTO_NAMINGS, weights=(6, 2, 2))[0],
                )
            )
    weights = [rng.uniform(0.6, 1.4) for _ in villages]
    scale = detainees / sum(weights)
    counts = [max(3, round(w * scale)) for w in weights]
    res_counts = spread(rng, resident_photos, counts)
    for kind in PERSON_KINDS:
        for v, c in zip(villages, spread(rng, k_person, counts), strict=True):
            if c:
                townships[_township_of(townships, v)].anomalies[_pos(townships, v)][kind] = c
    for kind in PHOTO_KINDS:
        for v, c in zip(villages, spread(rng, k_photo, counts), strict=True):
            if c:
                townships[_township_of(townships, v)].anomalies[_pos(townships, v)][kind] = c
    i = 0
    for tp in townships:
        tp.detainees = counts[i : i + len(tp.villages)]
        tp.resident_photos = res_counts[i : i + len(tp.villages)]
        i += len(tp.villages)
    for ci in range(n_zip):
        in_county = [tp for tp in townships if tp.county_index == ci % n_counties]
        tp = rng.choice(in_county)
        tp.zip_village = rng.randrange(len(tp.villages))
    rng.choice(townships).sheets_in_tar = True
    copies = spread(rng, n_copies - 1, [1] * len(townships))
    junk = spread(rng, n_junk - 1, [1] * len(townships))
    for tp, c, j in zip(townships, copies, junk, strict=True):
        tp.copies, tp.junk = c, j
    county_detainees: dict[str, int] = {}
    for tp in townships:
        county_detainees[tp.county.name] = county_detainees.get(tp.county.name, 0) + sum(
            tp.detainees
        )
    n_detainees = sum(county_detainees.values())
    per_detainee = RESIDENTS_PER_DETAINEE
    if people is not None:
        if people < 1:
            raise ValueError("people must be at least 1")
        per_detainee = max(RESIDENTS_PER_DETAINEE, people / max(1, n_detainees))
    return Plan(
        residents_per_detainee=per_detainee,
        people=people,
        seed=seed,
        n_target=n,
        rate=rate,
        counties=counties,
        townships=townships,
        facilities=facilities,
        officials=_officials(rng, counties, facilities),
        n_docs=n_docs,
        n_backdated=per_kind(rate, n_docs, 1),
        county_detainees=county_detainees,
    )


def _township_of(townships: list[TownshipPlan], v: Village) -> int:
    for i, tp in enumerate(townships):
        if tp.villages and tp.villages[0].index <= v.index <= tp.villages[-1].index:
            return i
    raise KeyError(v.name)


def _pos(townships: list[TownshipPlan], v: Village) -> int:
    return v.index - townships[_township_of(townships, v)].villages[0].index
