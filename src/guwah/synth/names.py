"""Culturally correct names: given·father's name for Uyghur/Kazakh/Kyrgyz, surname+given for Han/Hui."""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import cache

from pypinyin import lazy_pinyin

from .data import ChineseName, GivenName, reference

SEPARATOR = "·"


@dataclass(frozen=True)
class Name:
    """A person's name: Chinese form as police records write it, and its Latin forms."""

    chinese: str
    latin: tuple[str, ...]
    given: str
    father: str | None = None
    surname: str | None = None

    def written(self, separator: str = SEPARATOR) -> str:
        """The Chinese form with another separator between given and father's name."""
        return self.chinese.replace(SEPARATOR, separator) if self.father else self.chinese


@cache
def _pinyin(chinese: str) -> str:
    return "".join(lazy_pinyin(chinese)).capitalize()


def _unique(forms: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(forms))


def patronymic(given: GivenName, father: GivenName) -> Name:
    """``given·father`` with ULY/common Latin forms and the machine pinyin of the transcription."""
    return Name(
        chinese=f"{given.chinese}{SEPARATOR}{father.chinese}",
        latin=_unique(
            [
                f"{given.latin} {father.latin}",
                f"{given.variant} {father.variant}",
                f"{_pinyin(given.chinese)} {_pinyin(father.chinese)}",
            ]
        ),
        given=given.chinese,
        father=father.chinese,
    )


def han_style(surname: ChineseName, given: ChineseName) -> Name:
    """Surname + given name with pinyin in both orders."""
    return Name(
        chinese=surname.chinese + given.chinese,
        latin=_unique([f"{surname.pinyin} {given.pinyin}", f"{given.pinyin} {surname.pinyin}"]),
        given=given.chinese,
        surname=surname.chinese,
    )


def given_name(rng: random.Random, ethnicity: str, sex: str, avoid: str = "") -> GivenName:
    """A random given name of a patronymic group."""
    pool = reference().given[(ethnicity, sex)]
    while True:
        g = rng.choice(pool)
        if g.chinese != avoid:
            return g


def surname(rng: random.Random, ethnicity: str) -> ChineseName:
    pool = reference().surnames[ethnicity]
    return rng.choices(pool, weights=[s.weight for s in pool])[0]


def chinese_given(rng: random.Random, ethnicity: str, sex: str) -> ChineseName:
    return rng.choice(reference().chinese_given[(ethnicity, sex)])


def random_name(rng: random.Random, ethnicity: str, sex: str) -> Name:
    """A name for someone whose family is unknown."""
    if reference().ethnicities[ethnicity].naming == "patronymic":
        return patronymic(given_name(rng, ethnicity, sex), given_name(rng, ethnicity, "M"))
    return han_style(surname(rng, ethnicity), chinese_given(rng, ethnicity, sex))
