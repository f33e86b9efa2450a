"""One matching engine for the CLI, the web and the API: a query entity in, ranked and
explained matches out, each naming the list version it was made against.

People are matched by :mod:`guwah.names` (any script) through its blocking index, then birth
date, gender, nationality and place of birth raise or lower the score; a birth year two or
more years apart sinks a name-only match. Companies and public bodies are matched by
:mod:`guwah.lists.companies` (Chinese legal forms stripped, glossary concepts, pinyin
against English); a USCC registration code that agrees is an exact match.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from guwah.han import HAN_CLASS
from guwah.names import Match, NameIndex, pinyin
from guwah.names.match import score_held
from guwah.names.uyghur import coverage
from guwah.store.models_lists import ListEntityRow, ListVersion

from . import qualifiers
from .companies import CompanyKey, company_key, compare
from .versions import latest_versions

DEFAULT_THRESHOLD = 0.70
NAME_NOT_MATCHED = 0.8  # a name the names engine does not call a match is scaled down
PERSON = "Person"
ORGS = ("Company", "Organization", "PublicBody", "LegalEntity")
QUERY_SCHEMAS = (PERSON, *ORGS, "Thing")
USCC = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")


@dataclass
class Query:
    """What is looked for: a schema and FollowTheMoney-style properties."""

    schema: str
    names: list[str]
    birth_dates: list[str] = field(default_factory=list)
    genders: list[str] = field(default_factory=list)
    nationalities: list[str] = field(default_factory=list)
    birth_places: list[str] = field(default_factory=list)
    identifiers: list[str] = field(default_factory=list)

    @classmethod
    def from_properties(cls, schema: str, props: dict[str, list[str]]) -> Query:
        def get(*keys: str) -> list[str]:
            return [str(v) for k in keys for v in props.get(k, []) if str(v).strip()]

        return cls(
            schema=schema,
            names=get("name", "alias", "weakAlias", "previousName", "firstName"),
            birth_dates=get("birthDate"),
            genders=get("gender"),
            nationalities=get("nationality", "citizenship", "country"),
            birth_places=get("birthPlace"),
            identifiers=get("registrationNumber", "idNumber", "taxNumber", "uscc"),
        )


@dataclass
class Listed:
    """A list entity held by the matcher, with its version."""

    row_id: int
    entity_id: str
    schema: str
    caption: str
    properties: dict[str, list[str]]
    location: str
    version: dict[str, Any]

    def names(self) -> list[str]:
        return [
            n
            for p in ("name", "alias", "weakAlias", "previousName")
            for n in self.properties.get(p, [])
        ]


@dataclass
class Hit:
    """One explained match."""

    listed: Listed
    score: float
    match: bool
    features: dict[str, float]
    details: dict[str, str]  # per feature: what was compared and how it came out
    matched_name: str = ""

    @property
    def explanations(self) -> list[str]:
        return list(self.details.values())

    def feature_results(self) -> dict[str, dict[str, Any]]:
        """yente's shape: feature → ``{"score", "detail"}``."""
        return {
            f: {"score": self.features.get(f, 0.0), "detail": d, "query": None, "candidate": None}
            for f, d in self.details.items()
        }

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.listed.entity_id,
            "caption": self.listed.caption,
            "schema": self.listed.schema,
            "properties": self.listed.properties,
            "score": self.score,
            "match": self.match,
            "features": self.features,
            "explanations": self.feature_results(),
            "matched_name": self.matched_name,
            "list": self.listed.version,
            "location": self.listed.location,
        }


def _version_info(v: ListVersion) -> dict[str, Any]:
    return {
        "list": v.name,
        "version": v.id,
        "as_of": v.as_of,
        "sha256": v.sha256,
        "file_name": v.file_name,
    }


class ListMatcher:
    """Matches queries against a fixed set of list entities (built once, searched often)."""

    def __init__(self, entities: Iterable[Listed]) -> None:
        self.entities: list[Listed] = list(entities)
        # the listed names are read once, here: every query meets their forms ready
        self.people = NameIndex(max_candidates=200, keep_forms=True)
        self._org_keys: list[list[tuple[str, CompanyKey]]] = []
        self._org_postings: dict[str, list[int]] = defaultdict(list)
        self._ids: dict[str, list[int]] = defaultdict(list)
        for i, e in enumerate(self.entities):
            keys: list[tuple[str, CompanyKey]] = []
            if e.schema == PERSON:
                for n in e.names():
                    self.people.add((i, n), n)
            else:
                for n in e.names():
                    k = company_key(n)
                    keys.append((n, k))
                    for b in _org_blocks(k):
                        self._org_postings[b].append(i)
            self._org_keys.append(keys)
            for ident in e.properties.get("registrationNumber", []):
                self._ids[_ident(ident)].append(i)
        self.versions = sorted({(e.version["list"], e.version["version"]) for e in self.entities})

    @classmethod
    def from_session(cls, session: Session, lists: list[str] | None = None) -> ListMatcher:
        """The latest version of each list (or of each of ``lists``)."""
        versions = latest_versions(session, lists)
        if lists:
            missing = sorted(set(lists) - {v.name for v in versions})
            if missing:
                raise KeyError(f"no list named {', '.join(missing)} in this case")
        info = {v.id: _version_info(v) for v in versions}
        rows = session.execute(
            select(
                ListEntityRow.id,
                ListEntityRow.entity_id,
                ListEntityRow.schema,
                ListEntityRow.caption,
                ListEntityRow.properties,
                ListEntityRow.location,
                ListEntityRow.version_id,
            ).where(ListEntityRow.version_id.in_(list(info)))
        ).all()
        return cls(Listed(r[0], r[1], r[2], r[3], r[4], r[5], info[r[6]]) for r in rows)

    def match(
        self, query: Query, threshold: float = DEFAULT_THRESHOLD, limit: int = 10
    ) -> list[Hit]:
        """Ranked, explained matches of ``query`` scoring at least 0.5; ``match`` is
        ``score >= threshold``."""
        hits: dict[int, Hit] = {}

        def keep(i: int, hit: Hit) -> None:
            if i not in hits or hits[i].score < hit.score:
                hits[i] = hit

        for i in self._by_identifier(query):
            e = self.entities[i]
            keep(
                i,
                Hit(
                    e,
                    1.0,
                    True,
                    {"identifier": 1.0},
                    {"identifier": f"registration code {', '.join(query.identifiers)} is listed"},
                    e.caption,
                ),
            )
        if query.schema in (PERSON, "Thing", "LegalEntity") or query.schema not in ORGS:
            for i, hit in self._people(query):
                keep(i, hit)
        if query.schema != PERSON:
            for i, hit in self._orgs(query):
                keep(i, hit)
        ranked = sorted(hits.values(), key=lambda h: (-h.score, h.listed.entity_id))
        for h in ranked:
            h.match = h.score >= threshold
        return [h for h in ranked if h.score >= 0.5][:limit]

    def _by_identifier(self, query: Query) -> set[int]:
        return {i for v in query.identifiers for i in self._ids.get(_ident(v), [])}

    def _people(self, query: Query) -> Iterable[tuple[int, Hit]]:
        best: dict[int, tuple[Match, str, str]] = {}
        for shown, qname in _person_readings(query.names):
            for key, m in self.people.search(qname, limit=50, min_score=0.5):
                assert isinstance(key, tuple)
                i, listed_name = key
                if i not in best or best[i][0].score < m.score:
                    best[i] = (m, listed_name, shown)
        for i, (m, listed_name, qname) in best.items():
            yield i, self._person_hit(query, i, qname, listed_name, m)

    def compare(self, query: Query, index: int) -> Hit:
        """Score ``query`` against the entity at ``index`` alone (no blocking): the best of
        its names, then the qualifiers (for benchmarks and second opinions)."""
        e = self.entities[index]
        listed = [(n, self.people.held(n)) for n in e.names()]
        pairs = [(score_held(q, held), n, q) for q in query.names for n, held in listed]
        m, listed_name, qname = max(pairs, key=lambda t: t[0].score)
        return self._person_hit(query, index, qname, listed_name, m)

    def _person_hit(self, query: Query, i: int, qname: str, listed_name: str, m: Match) -> Hit:
        e = self.entities[i]
        s = m.score
        features = {"name": round(s, 3)}
        notes = {"name": f"name {qname} ~ {listed_name}: {m.explanation} ({s:.2f})"}
        total = s
        if not m.match:
            total *= NAME_NOT_MATCHED
            notes["name"] += "; the names engine does not call these names one person"
        for feat, fn, qv, ev in (
            (
                "birthDate",
                qualifiers.birth_date,
                query.birth_dates,
                e.properties.get("birthDate", []),
            ),
            ("gender", qualifiers.gender, query.genders, e.properties.get("gender", [])),
            (
                "nationality",
                qualifiers.nationality,
                query.nationalities,
                e.properties.get("nationality", []) + e.properties.get("citizenship", []),
            ),
            (
                "birthPlace",
                qualifiers.birth_place,
                query.birth_places,
                e.properties.get("birthPlace", []),
            ),
        ):
            res = fn(qv, ev)
            if res is None:
                continue
            how, value, text = res
            total = total * value if how == "factor" else total + value
            features[feat] = value if how == "add" else -(1 - value)
            notes[feat] = text
        total = round(max(0.0, min(1.0, total)), 3)
        return Hit(e, total, False, features, notes, listed_name)

    def _orgs(self, query: Query) -> Iterable[tuple[int, Hit]]:
        for qname in query.names:
            qk = company_key(qname)
            cands: set[int] = set()
            for b in _org_blocks(qk):
                cands.update(self._org_postings.get(b, ()))
            for i in cands:
                best = None
                for listed_name, k in self._org_keys[i]:
                    cm = compare(qk, k)
                    if best is None or cm.score > best[0].score:
                        best = (cm, listed_name)
                if best is None or best[0].score < 0.5:
                    continue
                cm, listed_name = best
                yield (
                    i,
                    Hit(
                        self.entities[i],
                        cm.score,
                        False,
                        {"name": cm.score},
                        {
                            "name": f"name {qname} ~ {listed_name}: {cm.explanation} ({cm.score:.2f})"
                        },
                        listed_name,
                    ),
                )


HAN_NAME = re.compile(f"^[{HAN_CLASS}]{{2,4}}$")


def _person_readings(names: list[str]) -> list[tuple[str, str]]:
    """``(as shown, as searched)``: each name, and for a two-to-four-character Han name also
    its pinyin as surname + given name, so a surname the names table lacks (骆) is still read
    as one: 骆惠宁 → Luo Huining (not for Uyghur names in transcription: 古丽, 艾力)."""
    out = [(n, n) for n in names]
    for n in names:
        if HAN_NAME.match(n) and coverage(n) < 0.5:  # not a Uyghur name in transcription
            given = pinyin(n[1:]).replace(" ", "")
            out.append(
                (f"{n} (read as {pinyin(n[0]).title()} {given.title()})", f"{pinyin(n[0])} {given}")
            )
    return out


def _org_blocks(k: CompanyKey) -> set[str]:
    out: set[str] = set()
    if k.core:
        out.add("c4:" + k.core[:4])
        out.add("c:" + k.core)
        if len(k.core) >= 8:
            out.add("ce:" + k.core[-4:])
    if k.han:
        out.add("h:" + k.han)
    if not k.core and k.concepts:
        out.add("k:" + "|".join(sorted(k.concepts)))
        for c in k.concepts:
            out.add("k1:" + c)
    return out


def _ident(v: str) -> str:
    return re.sub(r"[\s-]", "", v).upper()
