"""The analysis stage: resolved people → the numbers of the detention, each count keeping the
people behind it. Read-only: it computes from what ``guwah records build`` stored, the
imported census and the reviewers' decisions, every time (nothing goes stale).
"""

from __future__ import annotations

import calendar
import gc
import re
import time
from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from guwah.analyse.census import latest_census
from guwah.analyse.facts import PLACE_LEVELS, PersonFacts, iter_facts
from guwah.analyse.matrix import Matrix, MatrixBuilder
from guwah.analyse.review import relabels
from guwah.analyse.spill import Ids, People, Spill
from guwah.analyse.tables import Count, Table, Value, wilson
from guwah.analyse.taxonomy import age_band, age_bands, age_on, reasons, statuses
from guwah.case import CaseError
from guwah.config import MemoryBound
from guwah.core import iso_date
from guwah.store.models import Person, Record, RecordValue
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
    people: Mapping[int, PersonFacts]  # on disk (the analysis' file), read by id
    counted: Sequence[int]  # the counted detainees' ids, read from disk when asked for
    tables: list[Table]
    matrix: Matrix
    census: CensusImport | None
    spill: Spill | None = None  # the file that holds the people behind every count
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    def table(self, key: str) -> Table:
        return next(t for t in self.tables if t.key == key)

    def close(self) -> None:
        """Delete the analysis' file now (it goes anyway when the analysis is collected)."""
        if self.spill is not None:
            self.spill.close()


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


@contextmanager
def no_cycle_collection() -> Iterator[None]:
    """Python's cycle collector off while the analysis builds its objects (a person, their
    sources, a batch of rows: none of them cycles): each collection walks every object
    alive, and they would run hundreds of times. Back on (as it was) afterwards."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def analyse(
    session: Session, options: Options | None = None, bound: MemoryBound | None = None
) -> Analysis:
    """Compute every table over the case's resolved people.

    One pass over the people, streamed in id order (:func:`iter_facts`): each person's facts
    update the tables' counts as they are read and are then let go; the people behind each
    count, each person's facts and the matrix's evidence go to a file of the analysis' own
    (:mod:`guwah.analyse.spill`), so memory does not grow with the people. ``bound``
    (``[limits] memory_bound_bytes``): what must stay in memory — the distinct places,
    reason texts no category matched and implausible dates, a table row each — may use a
    quarter of it; past that the analysis stops with a message naming the key."""
    with no_cycle_collection():
        started = time.perf_counter()
        opt = options or Options()
        guess = opt.window[1] if opt.window else _latest_detention(session)
        a = _Pass(session, opt, guess, bound).run()
        if a.as_of != guess:
            # the query's guess of the reference date took a date the rules reject: again,
            # with the date the people's facts gave (the ages depend on it)
            a.close()
            a = _Pass(session, opt, a.as_of, bound).run()
        a.seconds = time.perf_counter() - started
        return a


DEFAULT_AS_OF = date(2018, 12, 31)


def _latest_detention(session: Session) -> date:
    """The reference date as the people's facts will give it (the latest of the detainees'
    earliest plausible detention dates), guessed by one query; the pass checks it."""
    lo, hi = statuses().plausible
    earliest = (
        select(func.min(RecordValue.value).label("d"))
        .join(Record, Record.id == RecordValue.record_id)
        .join(Person, Person.id == Record.person_id)
        .where(
            RecordValue.field == "detention_date",
            func.length(RecordValue.value) == 10,
            RecordValue.value >= lo.isoformat(),
            RecordValue.value <= hi.isoformat(),
            Person.n_records > 0,
            (Person.birth_date.is_(None))
            | (func.length(Person.birth_date) != 10)
            | (RecordValue.value >= Person.birth_date),
        )
        .group_by(Record.person_id)
        .subquery()
    )
    got = session.connection().execute(select(func.max(earliest.c.d))).scalar()
    return iso_date(got) or DEFAULT_AS_OF


CONFLICT_RULES = {
    "detention_date": "the earliest plausible date",
    "release_date": "the latest plausible date",
    "name": "the most frequent (records stage)",
    "birth_date": "the most frequent (records stage)",
    "sex": "the most frequent (records stage)",
    "ethnicity": "the most frequent (records stage)",
}
ROW_BYTES = 400  # what a table row held in memory costs, about (a list, a count, its text)


class _Pass:
    """One pass over the people: the counts of every table, as each person is read."""

    def __init__(
        self, session: Session, opt: Options, as_of: date, bound: MemoryBound | None
    ) -> None:
        self.session, self.opt, self.as_of, self.bound = session, opt, as_of, bound
        self.spill = Spill()
        self.people = People(self.spill)
        self.matrix = MatrixBuilder(session, self.spill)
        self.latest: date | None = None
        self.level = opt.by if opt.by != "facility" else ""
        self.places: dict[tuple[str, ...], int] = {}  # place (and group) → residents listed
        self.facilities: set[tuple[str, str]] = set()
        self.counties: set[tuple[str, str | None]] = set()
        self.status_codes: set[str] = set()
        self.months: set[str] = set()
        self.days: Counter[int] = Counter()
        self.with_reason = 0
        self.words: dict[str, Counter[str]] = defaultdict(Counter)
        self.conflict_fields: set[str] = set()
        self.bad_rows: list[list[Value]] = []
        self.tax = statuses()
        self.reason_tax = reasons()
        self.overrides = relabels(session)
        self.label_cache: dict[str, tuple[list[tuple[str, list[str]]], bool]] = {}
        self.bands: dict[int | None, str] = {}

    def run(self) -> Analysis:
        try:
            return self._run()
        except BaseException:
            self.spill.close()
            raise

    def _run(self) -> Analysis:
        for p in iter_facts(self.session):
            self.person(p)
        self.spill.index()
        kids = self._children()
        self.matrix.children(kids)
        self.matrix.documents()
        self._households()
        self.spill.done()
        opt, sp = self.opt, self.spill
        as_of = opt.window[1] if opt.window else (self.latest or DEFAULT_AS_OF)
        census, counties = latest_census(self.session)
        unclassified = self._unclassified()
        self._check_bound(len(unclassified.rows))
        m = self.matrix.matrix
        tables = [
            self._summary(),
            self._by_place() if self.level else self._by_facility(),
            self._census_rates(census, counties),
            self._by_status(),
            self._monthly(),
            self._length(),
            self._households_table(),
            self._children_table(),
            self._reasons(),
            unclassified,
            self._conflicts(),
            self._bad_dates(),
            m.table(),
            m.rules_table(),
        ]
        return Analysis(opt, as_of, self.people, Ids(sp.count(("counted",))), tables, m, census, sp)

    def _check_bound(self, more_rows: int = 0) -> None:
        if self.bound is None:
            return
        held = (len(self.places) + len(self.bad_rows) + more_rows) * ROW_BYTES
        share = self.bound.total // 4
        if held > share:
            raise CaseError(
                self.bound.message(
                    f"the analysis' tables ({len(self.places):,} places, {more_rows:,} "
                    f"unclassified reasons, {len(self.bad_rows):,} implausible dates)",
                    held,
                    share,
                )
            )

    def _age(self, birth: date | None, day: date | None) -> str:
        """The age band on ``day`` (a band per age in years, worked out once)."""
        age = age_on(birth, day)
        got = self.bands.get(age)
        if got is None:
            got = self.bands[age] = age_band(age)
        return got

    # -- one person -------------------------------------------------------------------------

    def person(self, p: PersonFacts) -> None:
        sp, opt, pid = self.spill, self.opt, p.id
        self.people.put(p)
        sp.ref(("all",), pid)
        if p.resident:
            sp.ref(("resident",), pid)
        counted = False
        if p.detained:
            sp.ref(("detained",), pid)
            d = p.detention_date
            if d and (self.latest is None or d > self.latest):
                self.latest = d
            if opt.window:
                lo, hi = opt.window
                counted = bool(d and lo <= d <= hi)
                if d is None:
                    sp.ref(("undated",), pid)
                elif not counted:
                    sp.ref(("outside",), pid)
            else:
                counted = True
                if d is None:
                    sp.ref(("counted_undated",), pid)
        if counted:
            sp.ref(("counted",), pid)
        if p.bad_dates:
            sp.ref(("bad",), pid)
            self._bad(p)
        if p.conflicts:
            sp.ref(("conflicting",), pid)
            for f in p.conflicts:
                sp.ref(("conflict", f), pid)
                self.conflict_fields.add(f)
        if self.level:
            self._place(p, counted)
        if len(p.parents) >= 2:
            age = age_on(p.birth_date, self.as_of)
            if age is not None and age < 18:
                sp.add("kids", (pid, p.sources[0].ref() if p.sources else ""))
                for q in p.parents:
                    sp.add("kid_parents", (pid, q))
        if counted:
            self._counted(p)

    def _place(self, p: PersonFacts, counted: bool) -> None:
        key = p.place(self.level)
        for g in self.opt.groups:
            if g == "ethnicity":
                key += (p.ethnicity or "unknown",)
            elif g == "sex":
                key += (p.sex or "unknown",)
            else:
                day = p.detention_date if counted and p.detention_date else self.as_of
                key += (self._age(p.birth_date, day),)
        if counted:
            self.spill.ref(("det", key), p.id)
        if p.resident:
            self.places[key] = self.places.get(key, 0) + 1
            if counted:
                self.spill.ref(("det_res", key), p.id)
        elif counted and key not in self.places:
            self.places[key] = 0
        if len(self.places) % 4096 == 0:
            self._check_bound()

    def _counted(self, p: PersonFacts) -> None:
        sp, pid = self.spill, p.id
        if not self.level:
            fac = (p.facility or "(not stated)", self.tax.label(p.status).en)
            self.facilities.add(fac)
            sp.ref(("facility", fac), pid)
        county = (p.county or "(unknown)", p.county_code)
        self.counties.add(county)
        sp.ref(("county", county, "all"), pid)
        if p.sex == "male":
            sp.ref(("county", county, "male"), pid)
        elif p.sex == "female":
            sp.ref(("county", county, "female"), pid)
        if p.ethnicity and p.ethnicity != "han":
            sp.ref(("county", county, "minority"), pid)
        if self._age(p.birth_date, p.detention_date or self.as_of) == "over65":
            sp.ref(("county", county, "over65"), pid)
        self.status_codes.add(p.status)
        sp.ref(("status", p.status), pid)
        d, r = p.detention_date, p.release_date
        if d:
            month = f"{d:%Y-%m}"
            self.months.add(month)
            sp.ref(("month", month), pid)
        if r and d and r >= d:
            days = (r - d).days
            self.days[days] += 1
            sp.ref(("length",), pid)
            for lo, hi, label in LENGTH_BINS:
                if lo <= days <= hi:
                    sp.ref(("length", label), pid)
        if p.household:
            sp.add("households", (p.household, pid))
        else:
            sp.ref(("no_household",), pid)
        got = self._labels(p)
        if p.reasons:
            self.with_reason += 1
            for term in self.reason_tax.terms:
                if term.code in got:
                    sp.ref(("reason", term.code), pid)
                    self.words[term.code].update(got[term.code])
            if not got:
                sp.ref(("reason_unclassified",), pid)
        else:
            sp.ref(("reason_none",), pid)
        self.matrix.person(p, got)

    def _labels(self, p: PersonFacts) -> dict[str, list[str]]:
        """Label → the words that matched (or 'relabelled by …'); a reason text no category
        matched (nor a reviewer gave one) is written down with the person."""
        got: dict[str, list[str]] = {}
        for text in p.reasons:
            hit = self.label_cache.get(text)
            if hit is None:
                hit = self._classify(text)
                if len(self.label_cache) >= 1 << 16:
                    self.label_cache.clear()
                self.label_cache[text] = hit
            for code, words in hit[0]:
                got.setdefault(code, []).extend(words)
            if not hit[1]:
                self.spill.add("unclassified", (text, p.id))
        return got

    def _classify(self, text: str) -> tuple[list[tuple[str, list[str]]], bool]:
        r = self.overrides.get(text)
        out: list[tuple[str, list[str]]] = []
        if r is not None:
            for lb in r.labels:
                out.append((lb, [f"relabelled by {r.reviewer} {r.at:%Y-%m-%d}"]))
        else:
            for term in self.reason_tax.terms:
                words = term.matches(text)
                if words:
                    out.append((term.code, words))
        return out, bool(out)

    def _bad(self, p: PersonFacts) -> None:
        src = {s.record_id: s for s in p.sources}
        for fld, value, rid in p.bad_dates:
            s = src.get(rid)
            self.bad_rows.append(
                [
                    Count((p.id,)),
                    fld,
                    value,
                    s.sha256 if s else "",
                    s.sheet if s else "",
                    s.row if s else None,
                ]
            )
        if len(self.bad_rows) % 4096 == 0:
            self._check_bound()

    # -- after the pass ---------------------------------------------------------------------

    def _children(self) -> Iterator[tuple[int, str]]:
        """The children (under 18 on the reference date, two parents or more known) whose
        parents are all counted detainees; they and their parents into the counts."""
        sp = self.spill
        counted, kids, parents = (
            sp.bucket(("counted",)),
            sp.bucket(("children",)),
            sp.bucket(("parents",)),
        )
        sp.execute(
            "INSERT INTO refs SELECT ?, k.kid FROM kids k WHERE NOT EXISTS ("
            " SELECT 1 FROM kid_parents kp WHERE kp.kid = k.kid AND NOT EXISTS ("
            "  SELECT 1 FROM refs r WHERE r.bucket = ? AND r.person = kp.parent))",
            (kids, counted),
        )
        sp.execute(
            "INSERT INTO refs SELECT DISTINCT ?, kp.parent FROM kid_parents kp"
            " JOIN refs r ON r.bucket = ? AND r.person = kp.kid",
            (parents, kids),
        )
        return sp.stream(
            "SELECT k.kid, k.ref FROM refs r JOIN kids k ON k.kid = r.person"
            " WHERE r.bucket = ? ORDER BY k.kid",
            (kids,),
        )

    def _households(self) -> None:
        sp = self.spill
        one, two, more = (sp.bucket(("household", n)) for n in ("1", "2", "3 or more"))
        sp.execute(
            "INSERT INTO refs SELECT CASE c.n WHEN 1 THEN ? WHEN 2 THEN ? ELSE ? END,"
            " h.person FROM households h JOIN (SELECT household, COUNT(*) AS n FROM households"
            " GROUP BY household) c ON c.household = h.household",
            (one, two, more),
        )
        self.n_households: dict[str, int] = {"1": 0, "2": 0, "3 or more": 0}
        for n, k in sp.rows(
            "SELECT n, COUNT(*) FROM (SELECT COUNT(*) AS n FROM households GROUP BY household)"
            " GROUP BY n"
        ):
            label = "1" if n == 1 else "2" if n == 2 else "3 or more"
            self.n_households[label] += k

    # -- the tables -------------------------------------------------------------------------

    def _summary(self) -> Table:
        sp, opt = self.spill, self.opt
        t = Table("summary", "Summary", ["what", "people"])
        t.rows += [
            ["people resolved from the records (each counted once)", sp.count(("all",), True)],
            [
                "listed in resident registers (the first denominator)",
                sp.count(("resident",), True),
            ],
            ["detained (any record says so)", sp.count(("detained",))],
        ]
        if opt.window:
            lo, hi = opt.window
            t.rows += [
                [f"detained with a detention date {lo}..{hi} (counted)", sp.count(("counted",))],
                [
                    "detained with no usable detention date (not counted in the window)",
                    sp.count(("undated",)),
                ],
                [
                    "detained with a detention date outside the window (not counted)",
                    sp.count(("outside",)),
                ],
            ]
        else:
            t.rows.append(
                [
                    "detained with no usable detention date (counted, absent from the timeline)",
                    sp.count(("counted_undated",)),
                ]
            )
        t.rows += [
            [
                "with a date outside any plausible window (reported, that date not counted)",
                sp.count(("bad",)),
            ],
            [
                "conflicting: records of one person disagree (rule in Methods)",
                sp.count(("conflicting",)),
            ],
        ]
        return t

    def _by_place(self) -> Table:
        level, opt, sp = self.level, self.opt, self.spill
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
        for key in sorted(self.places):
            nres = self.places[key]
            det_res = sp.count(("det_res", key))
            if nres:
                lo, hi = wilson(det_res.n, nres)
                rate: list[Value] = [
                    det_res.n / nres,
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
            t.rows.append([*key, sp.count(("det", key)), nres, det_res, *rate])
        return t

    def _by_facility(self) -> Table:
        t = Table(
            "detained_by_facility",
            "Detained by facility and status",
            ["facility", "status", "detained"],
        )
        for key in sorted(self.facilities):
            t.rows.append([*key, self.spill.count(("facility", key))])
        return t

    def _census_rates(
        self, census: CensusImport | None, counties: dict[str, CensusCounty]
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
        over65 = next(b for b in age_bands() if b.code == "over65")
        groups = (
            ("all", "all"),
            ("male", "male"),
            ("female", "female"),
            ("minority (non-Han)", "minority"),
            (over65.en, "over65"),
        )
        for county in sorted(self.counties, key=lambda c: (c[0], c[1] or "")):
            name, code = county
            row = counties.get(code or "")
            for g, key in groups:
                members = self.spill.count(("county", county, key))
                denom, why = _census_denominator(g, name, code, census, row, over65.census)
                share = members.n / denom if denom else None
                t.rows.append(
                    [
                        name,
                        code or "",
                        g,
                        members,
                        denom,
                        share,
                        f"{src}, row {row.row} (second denominator: a lower bound)"
                        if denom and row
                        else why,
                    ]
                )
        return t

    def _by_status(self) -> Table:
        tax = self.tax
        t = Table(
            "detained_by_status",
            "Detained by status",
            ["code", "status", "中文", "ئۇيغۇرچە", "detained"],
            note="Status: the first status of the taxonomy (status.json) whose words a record shows.",
        )
        for term in [*tax.terms, tax.unknown]:
            if term.code in self.status_codes:
                t.rows.append(
                    [term.code, term.en, term.zh, term.ug, self.spill.count(("status", term.code))]
                )
        return t

    def _monthly(self) -> Table:
        t = Table(
            "monthly", "Detentions by month (detention date)", ["month", "detained", "cumulative"]
        )
        total = 0
        for m in sorted(self.months):
            c = self.spill.count(("month", m))
            total += c.n
            t.rows.append([m, c, total])
        return t

    def _length(self) -> Table:
        t = Table(
            "length",
            "Length of detention (detention to release date)",
            ["length", "people", "days"],
            note="Only people with both a detention and a release date; a release before the detention is not counted.",
        )
        t.rows.append(
            [
                "with both dates",
                self.spill.count(("length",)),
                f"median {_median(self.days):g}" if self.days else "",
            ]
        )
        for lo, hi, label in LENGTH_BINS:
            t.rows.append([label, self.spill.count(("length", label)), f"{lo}-{hi}"])
        return t

    def _households_table(self) -> Table:
        t = Table(
            "households",
            "Households by number of members detained",
            ["members detained", "households", "detained people"],
            note="Household: the household number of a resident register within its file, else the address down to the house number.",
        )
        for label in ("1", "2", "3 or more"):
            t.rows.append([label, self.n_households[label], self.spill.count(("household", label))])
        t.rows.append(
            ["detained with no household known", None, self.spill.count(("no_household",))]
        )
        return t

    def _children_table(self) -> Table:
        as_of = self.opt.window[1] if self.opt.window else (self.latest or DEFAULT_AS_OF)
        t = Table(
            "children",
            "Children whose parents are both detained",
            ["what", "people"],
            note=f"Children: under 18 on {as_of}. Parents: a father/mother linked in the records, "
            "or the head of the household (and the head's spouse) of whom the child is a son or daughter.",
        )
        t.rows.append(["children with both parents detained", self.spill.count(("children",))])
        t.rows.append(["their parents", self.spill.count(("parents",))])
        return t

    def _reasons(self) -> Table:
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
        n = self.with_reason
        for term in self.reason_tax.terms:
            ppl = self.spill.count(("reason", term.code))
            words = self.words.get(term.code, Counter())
            t.rows.append(
                [
                    term.code,
                    term.en,
                    term.zh,
                    term.ug,
                    ppl,
                    ppl.n / n if n else None,
                    "; ".join(f"{w} ({k})" for w, k in words.most_common(8)),
                ]
            )
        t.rows.append(
            [
                "unclassified",
                "unclassified (listed below)",
                "",
                "",
                self.spill.count(("reason_unclassified",)),
                None,
                "",
            ]
        )
        t.rows.append(
            ["none", "no reason recorded", "", "", self.spill.count(("reason_none",)), None, ""]
        )
        return t

    def _unclassified(self) -> Table:
        t = Table(
            "unclassified_reasons",
            "Reasons no category matched",
            ["reason as written", "people"],
            note="Relabel one with: guwah analyse relabel TEXT --label CODE --reviewer NAME",
        )
        sp = self.spill
        sql = "SELECT person FROM unclassified WHERE text = ? ORDER BY person"
        for text, n in sp.rows(
            "SELECT text, COUNT(*) AS n FROM unclassified GROUP BY text ORDER BY n DESC, text"
        ):
            t.rows.append([text, Count(n=n, loader=sp.people(sql, (text,)))])
        return t

    def _conflicts(self) -> Table:
        t = Table(
            "conflicts",
            "Conflicting values (one person, records that disagree)",
            ["field", "people", "rule"],
        )
        for f in sorted(self.conflict_fields):
            t.rows.append(
                [
                    f,
                    self.spill.count(("conflict", f)),
                    CONFLICT_RULES.get(f, "the most frequent; a tie: the record read first"),
                ]
            )
        return t

    def _bad_dates(self) -> Table:
        lo, hi = self.tax.plausible
        t = Table(
            "implausible_dates",
            "Dates reported and not counted",
            ["person", "field", "value", "sha256", "sheet", "row"],
            note=f"Plausible: {lo}..{hi} and not before the person's birth.",
        )
        t.rows = self.bad_rows
        return t


def _median(days: Counter[int]) -> float:
    """The median of the values counted in ``days``, as :func:`statistics.median` gives it."""
    n = sum(days.values())
    lo_i, hi_i = (n - 1) // 2, n // 2
    seen, lo_v, hi_v = 0, None, None
    for d in sorted(days):
        if lo_v is None and seen + days[d] > lo_i:
            lo_v = d
        if seen + days[d] > hi_i:
            hi_v = d
            break
        seen += days[d]
    assert lo_v is not None and hi_v is not None
    return lo_v if n % 2 else (lo_v + hi_v) / 2


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


def people_in(analysis: Analysis, ref: str) -> tuple[int, ...]:
    """The people behind a numbered count (``N12``)."""
    for tb in analysis.tables:
        for row in tb.rows:
            for v in row:
                if isinstance(v, Count) and v.ref == ref:
                    return v.people
    return ()
