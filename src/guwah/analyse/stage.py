"""The analysis stage: resolved people → the numbers of the detention, each count keeping the
people behind it. Read-only: it computes from what ``guwah records build`` stored, the
imported census and the reviewers' decisions, every time (nothing goes stale).
"""

from __future__ import annotations

import calendar
import gc
import re
import statistics
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.orm import Session

from guwah.analyse.census import latest_census
from guwah.analyse.facts import PLACE_LEVELS, PersonFacts, load_facts
from guwah.analyse.matrix import Matrix, build_matrix
from guwah.analyse.review import relabels
from guwah.analyse.tables import Count, Table, wilson
from guwah.analyse.taxonomy import age_band, age_bands, age_on, reasons, statuses
from guwah.case import CaseError
from guwah.store.models_analyse import CensusCounty, CensusImport

BY = ("county", "township", "village", "facility")
GROUPS = ("ethnicity", "sex", "age")
LENGTH_BINS = (
    (0, 89, "under 3 months"),
    (90, 364, "3-12 months"),
    (365, 100_000, "a year or more"),
)


@dataclass
class Options:
    by: str = "village"
    groups: tuple[str, ...] = ()
    window: tuple[date, date] | None = None


@dataclass
class Analysis:
    options: Options
    as_of: date
    people: dict[int, PersonFacts]
    counted: list[int]
    tables: list[Table]
    matrix: Matrix
    census: CensusImport | None
    labels: dict[int, dict[str, list[str]]]  # person → label → matched words
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    def table(self, key: str) -> Table:
        return next(t for t in self.tables if t.key == key)


def parse_window(text: str | None) -> tuple[date, date] | None:
    """``2017-01..2018-12`` → (2017-01-01, 2018-12-31); also full dates ``2017-01-15..``."""
    if not text:
        return None
    m = re.fullmatch(r"(\d{4}-\d{2}(?:-\d{2})?)\.\.(\d{4}-\d{2}(?:-\d{2})?)", text.strip())
    if not m:
        raise CaseError(f"--window {text!r}: write it as YYYY-MM..YYYY-MM (e.g. 2017-01..2018-12)")
    a, b = m.group(1), m.group(2)
    try:
        start = date.fromisoformat(a if len(a) == 10 else a + "-01")
        if len(b) == 10:
            end = date.fromisoformat(b)
        else:
            y, mo = int(b[:4]), int(b[5:7])
            end = date(y, mo, calendar.monthrange(y, mo)[1])
    except ValueError as exc:
        raise CaseError(f"--window {text!r}: {exc}") from exc
    if end < start:
        raise CaseError(f"--window {text!r}: the end is before the start")
    return start, end


def parse_options(by: str, group: str, window: str | None) -> Options:
    if by not in BY:
        raise CaseError(f"--by {by!r}: choose one of {', '.join(BY)}")
    groups = tuple(g.strip() for g in group.split(",") if g.strip())
    bad = [g for g in groups if g not in GROUPS]
    if bad:
        raise CaseError(f"--group {','.join(bad)}: choose from {', '.join(GROUPS)}")
    return Options(by, groups, parse_window(window))


def _c(people: Iterable[int]) -> Count:
    return Count(tuple(sorted(set(people))))


def _whole(people: Iterable[int]) -> Count:
    return Count(tuple(sorted(set(people))), whole=True)


@contextmanager
def no_cycle_collection() -> Iterator[None]:
    """Python's cycle collector off while the analysis builds its objects (a person, their
    sources, the people of each count: millions on a large leak, none of them cycles): each
    collection walks every object alive, and they would run hundreds of times, half of the
    analysis' time on the medium leak. Back on (as it was) afterwards."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def analyse(session: Session, options: Options | None = None) -> Analysis:
    """Compute every table over the case's resolved people."""
    with no_cycle_collection():
        return _analyse(session, options)


def _analyse(session: Session, options: Options | None) -> Analysis:
    started = time.perf_counter()
    opt = options or Options()
    facts = load_facts(session)
    detained = [p for p in facts.values() if p.detained]
    if opt.window:
        lo, hi = opt.window
        counted = [p for p in detained if p.detention_date and lo <= p.detention_date <= hi]
    else:
        counted = detained
    dates = [p.detention_date for p in detained if p.detention_date]
    as_of = opt.window[1] if opt.window else (max(dates) if dates else date(2018, 12, 31))
    census, counties = latest_census(session)
    labels, unclassified = _labels(session, counted)
    matrix = build_matrix(session, facts, counted, labels, _children_both(facts, counted, as_of))
    a = Analysis(opt, as_of, facts, [p.id for p in counted], [], matrix, census, labels)
    a.tables = [
        _summary(facts, detained, counted, opt),
        _by_place(facts, counted, opt, as_of) if opt.by != "facility" else _by_facility(counted),
        _census_rates(counted, census, counties, as_of),
        _by_status(counted),
        _monthly(counted),
        _length(counted),
        _households(facts, counted),
        _children(facts, counted, as_of),
        _reasons(counted, labels),
        _unclassified(unclassified),
        _conflicts(facts),
        _bad_dates(facts),
        matrix.table(),
        matrix.rules_table(),
    ]
    a.seconds = time.perf_counter() - started
    return a


# -- tables -------------------------------------------------------------------------------


def _summary(
    facts: dict[int, PersonFacts],
    detained: list[PersonFacts],
    counted: list[PersonFacts],
    opt: Options,
) -> Table:
    t = Table("summary", "Summary", ["what", "people"])
    t.rows += [
        ["people resolved from the records (each counted once)", _whole(facts)],
        [
            "listed in resident registers (the first denominator)",
            _whole(p.id for p in facts.values() if p.resident),
        ],
        ["detained (any record says so)", _c(p.id for p in detained)],
    ]
    counted_ids = {p.id for p in counted}
    if opt.window:
        lo, hi = opt.window
        t.rows += [
            [f"detained with a detention date {lo}..{hi} (counted)", _c(p.id for p in counted)],
            [
                "detained with no usable detention date (not counted in the window)",
                _c(p.id for p in detained if p.detention_date is None),
            ],
            [
                "detained with a detention date outside the window (not counted)",
                _c(p.id for p in detained if p.detention_date and p.id not in counted_ids),
            ],
        ]
    else:
        t.rows.append(
            [
                "detained with no usable detention date (counted, absent from the timeline)",
                _c(p.id for p in counted if p.detention_date is None),
            ]
        )
    t.rows += [
        [
            "with a date outside any plausible window (reported, that date not counted)",
            _c(p.id for p in facts.values() if p.bad_dates),
        ],
        [
            "conflicting: records of one person disagree (rule in Methods)",
            _c(p.id for p in facts.values() if p.conflicts),
        ],
    ]
    return t


def _group_values(
    p: PersonFacts, groups: tuple[str, ...], counted: set[int], as_of: date
) -> tuple[str, ...]:
    out = []
    for g in groups:
        if g == "ethnicity":
            out.append(p.ethnicity or "unknown")
        elif g == "sex":
            out.append(p.sex or "unknown")
        else:
            day = p.detention_date if p.id in counted and p.detention_date else as_of
            out.append(age_band(age_on(p.birth_date, day)))
    return tuple(out)


def _by_place(
    facts: dict[int, PersonFacts], counted: list[PersonFacts], opt: Options, as_of: date
) -> Table:
    level = opt.by
    n = PLACE_LEVELS.index(level) + 1
    cols = list(PLACE_LEVELS[:n]) + list(opt.groups)
    t = Table(
        f"detained_by_{level}",
        f"Detained by place of residence ({level})"
        + (f" and {', '.join(opt.groups)}" if opt.groups else ""),
        cols
        + [
            "detained",
            "residents listed",
            "detained among them",
            "share",
            "ci95_low",
            "ci95_high",
            "denominator",
        ],
        note="Share: detained residents / residents listed in the leak's household registers for "
        "that place (and group), with the 95 % Wilson interval: an estimate of the share in the "
        "place's population if the registers are a fair sample of it. Age band at the detention "
        "date for detainees, at the reference date for everyone else.",
    )
    ids = {p.id for p in counted}
    det: dict[tuple[str, ...], list[int]] = defaultdict(list)
    res: dict[tuple[str, ...], list[int]] = defaultdict(list)
    det_res: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for p in facts.values():
        key = p.place(level) + _group_values(p, opt.groups, ids, as_of)
        if p.id in ids:
            det[key].append(p.id)
        if p.resident:
            res[key].append(p.id)
            if p.id in ids:
                det_res[key].append(p.id)
    for key in sorted(set(det) | set(res)):
        k, nres = len(det_res[key]), len(res[key])
        if nres:
            lo, hi = wilson(k, nres)
            rate: list[object] = [
                k / nres,
                lo,
                hi,
                f"resident list (first denominator: the leak's own register of this place): {nres} residents",
            ]
        else:
            rate = [
                None,
                None,
                None,
                "empty: no resident list for this place in the leak (see the census rates)",
            ]
        t.rows.append([*key, _c(det[key]), nres, _c(det_res[key]), *rate])  # type: ignore[list-item]
    return t


def _by_facility(counted: list[PersonFacts]) -> Table:
    tax = statuses()
    t = Table(
        "detained_by_facility",
        "Detained by facility and status",
        ["facility", "status", "detained"],
    )
    groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    for p in counted:
        groups[(p.facility or "(not stated)", tax.label(p.status).en)].append(p.id)
    for key in sorted(groups):
        t.rows.append([*key, _c(groups[key])])
    return t


def _census_rates(
    counted: list[PersonFacts],
    census: CensusImport | None,
    counties: dict[str, CensusCounty],
    as_of: date,
) -> Table:
    src = f"census {census.year or ''} (sha256 {census.sha256})" if census else "no census"
    t = Table(
        "census_rates",
        "Detained as a share of the census population (second denominator)",
        ["county", "code", "group", "detained", "census population", "share", "denominator"],
        note="The census counts a county's whole population; the leak holds only some of its "
        "lists, so these shares are lower bounds, not estimates (no interval). The census year "
        "may differ from the detention years. Minority: every ethnicity but Han; its population "
        "is the total × the census minority share.",
    )
    by_county: dict[tuple[str, str | None], list[PersonFacts]] = defaultdict(list)
    for p in counted:
        by_county[(p.county or "(unknown)", p.county_code)].append(p)
    over65 = next(b for b in age_bands() if b.code == "over65")
    for (name, code), ps in sorted(by_county.items(), key=lambda kv: (kv[0][0], kv[0][1] or "")):
        groups: list[tuple[str, list[PersonFacts]]] = [
            ("all", ps),
            ("male", [p for p in ps if p.sex == "male"]),
            ("female", [p for p in ps if p.sex == "female"]),
            ("minority (non-Han)", [p for p in ps if p.ethnicity and p.ethnicity != "han"]),
            (
                over65.en,
                [
                    p
                    for p in ps
                    if age_band(age_on(p.birth_date, p.detention_date or as_of)) == "over65"
                ],
            ),
        ]
        row = counties.get(code or "")
        for g, members in groups:
            denom, why = _census_denominator(g, name, code, census, row, over65.census)
            share = len(members) / denom if denom else None
            t.rows.append(
                [
                    name,
                    code or "",
                    g,
                    _c(p.id for p in members),
                    denom,
                    share,
                    f"{src}, row {row.row} (second denominator: a lower bound)"
                    if denom and row
                    else why,
                ]
            )
    return t


def _census_denominator(
    group: str,
    name: str,
    code: str | None,
    census: CensusImport | None,
    row: CensusCounty | None,
    age_cols: tuple[str, ...] | None,
) -> tuple[int | None, str]:
    if census is None:
        return None, "empty: no census imported (guwah reference import census FILE)"
    if code is None:
        return (
            None,
            f"empty: the county {name!r} has no GB/T 2260 code (name not recognised or ambiguous)",
        )
    if row is None:
        return (
            None,
            f"empty: county {name} ({code}) is not in the census file (sha256 {census.sha256})",
        )
    if group == "all":
        v, col = row.total, "人口数_合计"
    elif group == "male":
        v, col = row.male, "人口数_男"
    elif group == "female":
        v, col = row.female, "人口数_女"
    elif group.startswith("minority"):
        v = (
            None
            if row.total is None or row.minority_share is None
            else round(row.total * row.minority_share / 100)
        )
        col = "少数民族人口比重（%）"
    else:
        if not age_cols:
            return None, "empty: the census bands do not match this age band"
        parts = [row.ages.get(f"{s}_{c}") for c in age_cols for s in ("男", "女")]
        if any(x is None for x in parts):
            return (
                None,
                f"empty: the census file lacks the age columns {', '.join(age_cols)} at row {row.row}",
            )
        return sum(int(x or 0) for x in parts), ""
    if v is None:
        return None, f"empty: census column {col} is missing or empty at row {row.row}"
    if v <= 0:
        return None, f"empty: census column {col} is {v} at row {row.row}"
    return v, ""


def _by_status(counted: list[PersonFacts]) -> Table:
    tax = statuses()
    t = Table(
        "detained_by_status",
        "Detained by status",
        ["code", "status", "中文", "ئۇيغۇرچە", "detained"],
        note="Status: the first status of the taxonomy (status.json) whose words a record shows.",
    )
    groups: dict[str, list[int]] = defaultdict(list)
    for p in counted:
        groups[p.status].append(p.id)
    for term in [*tax.terms, tax.unknown]:
        if term.code in groups:
            t.rows.append([term.code, term.en, term.zh, term.ug, _c(groups[term.code])])
    return t


def _monthly(counted: list[PersonFacts]) -> Table:
    t = Table(
        "monthly", "Detentions by month (detention date)", ["month", "detained", "cumulative"]
    )
    months: dict[str, list[int]] = defaultdict(list)
    for p in counted:
        if p.detention_date:
            months[f"{p.detention_date:%Y-%m}"].append(p.id)
    total = 0
    for m in sorted(months):
        total += len(months[m])
        t.rows.append([m, _c(months[m]), total])
    return t


def _length(counted: list[PersonFacts]) -> Table:
    t = Table(
        "length",
        "Length of detention (detention to release date)",
        ["length", "people", "days"],
        note="Only people with both a detention and a release date; a release before the detention is not counted.",
    )
    spans = [
        (p.id, (p.release_date - p.detention_date).days)
        for p in counted
        if p.release_date and p.detention_date and p.release_date >= p.detention_date
    ]
    t.rows.append(
        [
            "with both dates",
            _c(i for i, _ in spans),
            f"median {statistics.median(d for _, d in spans):g}" if spans else "",
        ]
    )
    for lo, hi, label in LENGTH_BINS:
        t.rows.append([label, _c(i for i, d in spans if lo <= d <= hi), f"{lo}-{hi}"])
    return t


def _households(facts: dict[int, PersonFacts], counted: list[PersonFacts]) -> Table:
    t = Table(
        "households",
        "Households by number of members detained",
        ["members detained", "households", "detained people"],
        note="Household: the household number of a resident register within its file, else the address down to the house number.",
    )
    members: dict[str, list[int]] = defaultdict(list)
    for p in counted:
        if p.household:
            members[p.household].append(p.id)
    for label, test in (
        ("1", lambda n: n == 1),
        ("2", lambda n: n == 2),
        ("3 or more", lambda n: n >= 3),
    ):
        hh = [h for h, m in members.items() if test(len(m))]
        t.rows.append([label, len(hh), _c(i for h in hh for i in members[h])])
    t.rows.append(
        ["detained with no household known", None, _c(p.id for p in counted if not p.household)]
    )
    return t


def _children_both(
    facts: dict[int, PersonFacts], counted: list[PersonFacts], as_of: date
) -> list[int]:
    ids = {p.id for p in counted}
    out = []
    for p in facts.values():
        age = age_on(p.birth_date, as_of)
        if age is not None and age < 18 and len(p.parents) >= 2 and p.parents <= ids:
            out.append(p.id)
    return out


def _children(facts: dict[int, PersonFacts], counted: list[PersonFacts], as_of: date) -> Table:
    kids = _children_both(facts, counted, as_of)
    t = Table(
        "children",
        "Children whose parents are both detained",
        ["what", "people"],
        note=f"Children: under 18 on {as_of}. Parents: a father/mother linked in the records, "
        "or the head of the household (and the head's spouse) of whom the child is a son or daughter.",
    )
    t.rows.append(["children with both parents detained", _c(kids)])
    t.rows.append(["their parents", _c(q for k in kids for q in facts[k].parents)])
    return t


def _labels(
    session: Session, counted: list[PersonFacts]
) -> tuple[dict[int, dict[str, list[str]]], dict[str, list[int]]]:
    """Person → label → the words that matched (or 'relabelled by …'); and the reason texts
    no category matched (nor a reviewer gave one) → their people."""
    tax = reasons()
    overrides = relabels(session)
    out: dict[int, dict[str, list[str]]] = {}
    unclassified: dict[str, list[int]] = defaultdict(list)
    for p in counted:
        got: dict[str, list[str]] = {}
        for text in p.reasons:
            r = overrides.get(text)
            found = False
            if r is not None:
                for lb in r.labels:
                    got.setdefault(lb, []).append(f"relabelled by {r.reviewer} {r.at:%Y-%m-%d}")
                    found = True
            else:
                for term in tax.terms:
                    words = term.matches(text)
                    if words:
                        got.setdefault(term.code, []).extend(words)
                        found = True
            if not found:
                unclassified[text].append(p.id)
        out[p.id] = got
    return out, dict(unclassified)


def _reasons(counted: list[PersonFacts], labels: dict[int, dict[str, list[str]]]) -> Table:
    with_reason = [p for p in counted if p.reasons]
    t = Table(
        "reasons",
        "Detention reasons by category (multi-label)",
        [
            "code",
            "category",
            "中文",
            "ئۇيغۇرچە",
            "people",
            "share of detainees with a reason",
            "words matched",
        ],
        note="A reason gets every category one of whose words (reasons.json, Chinese and Uyghur) it "
        "contains; a person counts once per category. A reviewer's relabel replaces the words' verdict.",
    )
    for term in reasons().terms:
        ppl = [p.id for p in with_reason if term.code in labels.get(p.id, {})]
        words = Counter(w for i in ppl for w in labels[i][term.code])
        t.rows.append(
            [
                term.code,
                term.en,
                term.zh,
                term.ug,
                _c(ppl),
                len(ppl) / len(with_reason) if with_reason else None,
                "; ".join(f"{w} ({n})" for w, n in words.most_common(8)),
            ]
        )
    t.rows.append(
        [
            "unclassified",
            "unclassified (listed below)",
            "",
            "",
            _c(p.id for p in with_reason if not labels.get(p.id)),
            None,
            "",
        ]
    )
    t.rows.append(
        ["none", "no reason recorded", "", "", _c(p.id for p in counted if not p.reasons), None, ""]
    )
    return t


def _unclassified(texts: dict[str, list[int]]) -> Table:
    t = Table(
        "unclassified_reasons",
        "Reasons no category matched",
        ["reason as written", "people"],
        note="Relabel one with: guwah analyse relabel TEXT --label CODE --reviewer NAME",
    )
    for text in sorted(texts, key=lambda x: (-len(texts[x]), x)):
        t.rows.append([text, _c(texts[text])])
    return t


def _conflicts(facts: dict[int, PersonFacts]) -> Table:
    t = Table(
        "conflicts",
        "Conflicting values (one person, records that disagree)",
        ["field", "people", "rule"],
    )
    rules = {
        "detention_date": "the earliest plausible date",
        "release_date": "the latest plausible date",
        "name": "the most frequent (records stage)",
        "birth_date": "the most frequent (records stage)",
        "sex": "the most frequent (records stage)",
        "ethnicity": "the most frequent (records stage)",
    }
    by_field: dict[str, list[int]] = defaultdict(list)
    for p in facts.values():
        for f in p.conflicts:
            by_field[f].append(p.id)
    for f in sorted(by_field):
        t.rows.append(
            [f, _c(by_field[f]), rules.get(f, "the most frequent; a tie: the record read first")]
        )
    return t


def _bad_dates(facts: dict[int, PersonFacts]) -> Table:
    lo, hi = statuses().plausible
    t = Table(
        "implausible_dates",
        "Dates reported and not counted",
        ["person", "field", "value", "sha256", "sheet", "row"],
        note=f"Plausible: {lo}..{hi} and not before the person's birth.",
    )
    for p in sorted(facts.values(), key=lambda x: x.id):
        src = {s.record_id: s for s in p.sources}
        for fld, value, rid in p.bad_dates:
            s = src.get(rid)
            t.rows.append(
                [
                    _c([p.id]),
                    fld,
                    value,
                    s.sha256 if s else "",
                    s.sheet if s else "",
                    s.row if s else None,
                ]
            )
    return t


def people_in(analysis: Analysis, ref: str) -> tuple[int, ...]:
    """The people behind a numbered count (``N12``)."""
    for tb in analysis.tables:
        for row in tb.rows:
            for v in row:
                if isinstance(v, Count) and v.ref == ref:
                    return v.people
    return ()
