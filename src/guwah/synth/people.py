"""Synthetic residents: households of one village, their IDs, and who is detained."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from . import names as nm
from .data import County, reference
from .ids import assigned_region, make_id

TODAY = date(2018, 1, 1)
#: relation of B as seen from A, by household roles: (A role, B role) -> (if B male, if B female)
_REL = {
    ("head", "spouse"): ("husband", "wife"),
    ("head", "child"): ("son", "daughter"),
    ("head", "parent"): ("father", "mother"),
    ("spouse", "head"): ("husband", "wife"),
    ("spouse", "child"): ("son", "daughter"),
    ("spouse", "parent"): ("father-in-law", "mother-in-law"),
    ("child", "head"): ("father", "mother"),
    ("child", "spouse"): ("father", "mother"),
    ("child", "child"): ("brother", "sister"),
    ("child", "parent"): ("grandfather", "grandmother"),
    ("parent", "head"): ("son", "daughter"),
    ("parent", "spouse"): ("son-in-law", "daughter-in-law"),
    ("parent", "child"): ("grandson", "granddaughter"),
    ("parent", "parent"): ("husband", "wife"),
}
RELATION_ZH = {
    "husband": "丈夫",
    "wife": "妻子",
    "son": "儿子",
    "daughter": "女儿",
    "father": "父亲",
    "mother": "母亲",
    "father-in-law": "公公",
    "mother-in-law": "婆婆",
    "brother": "兄弟",
    "sister": "姐妹",
    "grandfather": "祖父",
    "grandmother": "祖母",
    "son-in-law": "女婿",
    "daughter-in-law": "儿媳",
    "grandson": "孙子",
    "granddaughter": "孙女",
}
#: relation to the head of household, as the 与户主关系 column writes it
HEAD_RELATION = {
    ("head", "M"): "户主",
    ("head", "F"): "户主",
    ("spouse", "F"): "妻子",
    ("spouse", "M"): "丈夫",
    ("child", "M"): "儿子",
    ("child", "F"): "女儿",
    ("parent", "M"): "父亲",
    ("parent", "F"): "母亲",
}


@dataclass
class Detention:
    facility: str
    facility_latin: str
    date: date
    reason: str
    reason_en: str


@dataclass
class RowRef:
    """One spreadsheet row that holds a person (row number 1-based, as in the file)."""

    path: str
    sheet: str | None
    row: int
    overrides: dict[str, str] = field(default_factory=dict)


@dataclass
class PhotoRef:
    path: str
    time: datetime
    copy_of: str | None = None
    duplicate_of: str | None = None


@dataclass
class Village:
    county: County
    county_index: int
    township: str
    township_latin: str
    township_index: int
    name: str
    latin: str
    index: int


@dataclass
class Person:
    key: str
    ethnicity: str
    sex: str
    birth_date: date
    name: nm.Name
    id_number: str
    village: Village
    group: int
    house: int
    household: str
    role: str
    members: list[Person] = field(default_factory=list, repr=False)
    detention: Detention | None = None
    in_records: bool = True
    rows: list[RowRef] = field(default_factory=list)
    photos: list[PhotoRef] = field(default_factory=list)
    anomalies: list[str] = field(default_factory=list)
    #: values the records show where they differ from the ID (planted anomalies)
    recorded: dict[str, object] = field(default_factory=dict)

    @property
    def relation_to_head(self) -> str:
        return HEAD_RELATION[(self.role, self.sex)]

    def address(self, full: bool = True) -> str:
        v = self.village
        head = f"{reference().province}{v.county.prefecture}" if full else ""
        return f"{head}{v.county.name}{v.township}{v.name}{self.group}组{self.house}号"

    def family(self) -> list[tuple[str, Person]]:
        """(English relation, person) for every other member of the household."""
        out = []
        for other in self.members:
            if other is self:
                continue
            rel = _REL.get((self.role, other.role))
            if rel:
                out.append((rel[0] if other.sex == "M" else rel[1], other))
        return out


class IdAllocator:
    """Unique IDs within one township: the sequence's hundreds digit is the township's number."""

    def __init__(self, township_index: int) -> None:
        self.digit = township_index % 10
        self.used: set[str] = set()

    def allocate(self, rng: random.Random, region: str, birth: date, sex: str) -> str:
        for _ in range(200):
            low = rng.randrange(0, 50) * 2 + (1 if sex == "M" else 0)
            seq = self.digit * 100 + low
            key = f"{region}{birth:%Y%m%d}{seq:03d}"
            if key not in self.used:
                self.used.add(key)
                return make_id(region, birth, seq)
        raise RuntimeError("ID sequence space exhausted")

    def allocate_foreign(
        self,
        rng: random.Random,
        region: str,
        birth: date,
        sex: str,
        county_index: int,
        township: int,
    ) -> str:
        """An ID from a county outside the leak, unique across the whole leak: the sequence is
        ``(7 + county)``, ``township``, then a digit of the right parity."""
        for _ in range(50):
            seq = (
                (7 + county_index) * 100
                + (township % 10) * 10
                + rng.randrange(5) * 2
                + (sex == "M")
            )
            key = f"{region}{birth:%Y%m%d}{seq:03d}"
            if key not in self.used:
                self.used.add(key)
                return make_id(region, birth, seq)
        raise RuntimeError("ID sequence space exhausted")


def _birth(rng: random.Random, age: int) -> date:
    start = date(TODAY.year - age - 1, 1, 1)
    return start + timedelta(days=rng.randrange(365))


def pick_ethnicity(rng: random.Random, mix: tuple[tuple[str, float], ...]) -> str:
    return rng.choices([k for k, _ in mix], weights=[w for _, w in mix])[0]


class VillageBuilder:
    """Makes the households of one village."""

    def __init__(self, rng: random.Random, village: Village, ids: IdAllocator) -> None:
        self.rng = rng
        self.village = village
        self.ids = ids
        self.people: list[Person] = []
        self._serial = 0  # keys never repeat, even after people are removed
        self.households = 0
        self.group = 1
        self.house = 0

    def _person(
        self, household: str, role: str, sex: str, age: int, eth: str, name: nm.Name
    ) -> Person:
        birth = _birth(self.rng, age)
        region = assigned_region(self.rng, self.village.county.name, birth, TODAY)
        number = self.ids.allocate(self.rng, region, birth, sex)
        p = Person(
            key=f"P{self.village.index:04d}-{self._serial:05d}",
            ethnicity=eth,
            sex=sex,
            birth_date=birth,
            name=name,
            id_number=number,
            village=self.village,
            group=self.group,
            house=self.house,
            household=household,
            role=role,
        )
        self.people.append(p)
        self._serial += 1
        return p

    def household(self, eth: str) -> list[Person]:
        """One household: head, maybe spouse, children and a parent of the head."""
        rng = self.rng
        self.households += 1
        self.house += 1
        if self.house > rng.randint(25, 60):
            self.group += 1
            self.house = 1
        hh = f"H{self.village.index:04d}-{self.households:04d}"
        patronymic = reference().ethnicities[eth].naming == "patronymic"
        head_sex = "M" if rng.random() < 0.88 else "F"
        head_age = rng.randint(22, 72)
        members: list[tuple[str, str, int]] = [("head", head_sex, head_age)]
        if head_sex == "M" and rng.random() < 0.88:
            members.append(("spouse", "F", max(18, head_age - rng.randint(0, 8))))
        if head_age < 52 and rng.random() < 0.25:
            members.append(
                ("parent", "M" if rng.random() < 0.4 else "F", head_age + rng.randint(20, 34))
            )
        if head_sex == "F":
            mother_age = head_age
        elif len(members) > 1 and members[1][0] == "spouse":
            mother_age = members[1][2]
        else:
            mother_age = head_age - 3
        for _ in range(rng.choice([0, 1, 1, 2, 2, 3, 3, 4, 5] if patronymic else [0, 1, 1, 2, 2])):
            age = mother_age - rng.randint(19, 40)
            if age >= 0:
                members.append(("child", "M" if rng.random() < 0.51 else "F", age))
        # names
        if patronymic:
            grandfather = nm.given_name(rng, eth, "M")
            head_given = nm.given_name(rng, eth, head_sex, avoid=grandfather.chinese)
            children_father = head_given if head_sex == "M" else nm.given_name(rng, eth, "M")
        else:
            family_surname = nm.surname(rng, eth)
        out: list[Person] = []
        for role, sex, age in members:
            if patronymic:
                if role == "head":
                    name = nm.patronymic(head_given, grandfather)
                elif role == "child":
                    name = nm.patronymic(
                        nm.given_name(rng, eth, sex, avoid=children_father.chinese), children_father
                    )
                elif role == "parent" and sex == "M":
                    name = nm.patronymic(grandfather, nm.given_name(rng, eth, "M"))
                else:
                    name = nm.random_name(rng, eth, sex)
            else:
                if role in ("head", "child") or (role == "parent" and sex == "M"):
                    given = nm.chinese_given(rng, eth, sex)
                    name = nm.han_style(family_surname, given)
                else:
                    name = nm.random_name(rng, eth, sex)
            out.append(self._person(hh, role, sex, age, eth, name))
        for p in out:
            p.members = out
        return out


def detention_candidates_weight(p: Person) -> float:
    """How likely the campaign was to detain this person (adults, mostly men, minorities)."""
    age = TODAY.year - p.birth_date.year
    if age < 18 or age > 66:
        return 0.0
    eth = {"uyghur": 1.0, "kazakh": 0.9, "kyrgyz": 0.9, "hui": 0.4, "han": 0.01}[p.ethnicity]
    sex = 1.0 if p.sex == "M" else 0.3
    return eth * sex * (1.0 if age <= 48 else 0.5)


def choose_weighted(rng: random.Random, people: list[Person], k: int) -> list[Person]:
    """Weighted sampling without replacement (Efraimidis-Spirakis), in population order."""
    keyed = []
    for p in people:
        w = detention_candidates_weight(p)
        if w > 0:
            keyed.append((rng.random() ** (1.0 / w), p))
    keyed.sort(key=lambda t: t[0], reverse=True)
    chosen = {id(p) for _, p in keyed[:k]}
    return [p for p in people if id(p) in chosen]
