"""What the figures say, with the method stated: change between years, a region against
the national series, comparison groups by ethnic composition, rates from counts and a
stated denominator, breaks in trend, and the caveats that apply.

Every result carries the observations it was computed from (source, table, cell), so a
number in a report can be traced to the cells that made it. A disputed year (sources print
different figures) is never resolved by averaging: the result says so and names both.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field

from guwah.stats.census import Composition, composition
from guwah.stats.indicators import indicators
from guwah.stats.regions import places
from guwah.stats.series import Observation, Point, Series

NATIONAL = "000000"
BREAK_Z = 3.5
MIN_HISTORY = 3  # earlier year-on-year changes needed before a break can be judged
BREAK_METHOD = (
    "a year-on-year change is a break when it lies more than {z} robust standard deviations "
    "(1.4826 × the median absolute deviation) from the median of at least {n} earlier "
    "year-on-year changes of the same series (consecutive years only; disputed years skipped)"
)


@dataclass
class Change:
    series: Series
    start: int
    end: int
    before: float | None
    after: float | None
    observations: list[Observation] = field(default_factory=list)
    problem: str | None = None

    @property
    def absolute(self) -> float | None:
        if self.before is None or self.after is None:
            return None
        return self.after - self.before

    @property
    def relative(self) -> float | None:
        """The change as a share of the start value (−0.487 for −48.7 %)."""
        if self.absolute is None or not self.before:
            return None
        return self.absolute / self.before

    def text(self) -> str:
        if self.problem:
            return f"{self.series.label}, {self.start}→{self.end}: {self.problem}"
        unit = _unit_label(self.series)
        assert self.before is not None and self.after is not None and self.absolute is not None
        rel = f" ({self.relative * 100:+.1f} %)" if self.relative is not None else ""
        return (
            f"{self.series.label}: {_fmt(self.before)}{unit} in {self.start} → "
            f"{_fmt(self.after)}{unit} in {self.end}, {self.absolute:+.2f}{unit}{rel}"
        )


def change(series: Series, start: int, end: int) -> Change:
    """Absolute and relative change of a series between two years."""
    a, b = series.points.get(start), series.points.get(end)
    obs = [o for p in (a, b) if p for o in p.observations]
    out = Change(series, start, end, a.value if a else None, b.value if b else None, obs)
    for year, point in ((start, a), (end, b)):
        if point is None or not point.figures:
            out.problem = f"no figure for {year}"
            return out
        if point.disputed:
            out.problem = f"{year} is disputed: " + _dispute_text(point)
            return out
    return out


def _dispute_text(point: Point) -> str:
    return "; ".join(f"{_fmt(o.value)} {o.unit_printed or ''} in {o.cite}" for o in point.figures)


@dataclass
class Comparison:
    year: int
    region: float | None
    national: float | None

    @property
    def difference(self) -> float | None:
        if self.region is None or self.national is None:
            return None
        return self.region - self.national

    @property
    def ratio(self) -> float | None:
        if self.region is None or not self.national:
            return None
        return self.region / self.national


def against_national(region: Series, national: Series) -> list[Comparison]:
    """The region's figure beside the national one, for every year either has."""
    rv, nv = region.values(), national.values()
    return [Comparison(y, rv.get(y), nv.get(y)) for y in sorted(set(rv) | set(nv))]


@dataclass
class Rate:
    year: int
    value: float
    per: int
    count: Observation
    denominators: list[Observation]
    method: str


def rate_from_counts(
    counts: Series, population: Series, year: int, per: int = 1000, mean: bool = False
) -> Rate | None:
    """A rate per ``per`` people: the year's count over the stated denominator — the
    year-end population, or (``mean``) the mean of the previous and this year-end, which is
    how the NBS defines its crude rates (年平均人口)."""
    cp = counts.points.get(year)
    pp = population.points.get(year)
    if cp is None or pp is None or cp.value is None or pp.value is None:
        return None
    dens = [pp.figures[0]]
    denom = pp.value
    how = f"year-end population {year}"
    if mean:
        prev = population.points.get(year - 1)
        if prev is None or prev.value is None:
            return None
        dens.insert(0, prev.figures[0])
        denom = (prev.value + pp.value) / 2
        how = f"mean of the year-end populations {year - 1} and {year}"
    value = cp.value / denom * per
    cited = " and ".join(_cited(d) for d in dens)
    method = f"{counts.label} {year} ({_cited(cp.figures[0])}) ÷ {how} ({cited}) × {per:,}"
    return Rate(year, value, per, cp.figures[0], dens, method)


def _cited(o: Observation) -> str:
    return f"{o.raw} {o.unit_printed or ''}, {o.cite}"


@dataclass
class Break:
    series: Series
    year: int  # the later year of the change
    change: float
    median: float
    spread: float
    z: float

    def text(self) -> str:
        unit = _unit_label(self.series)
        return (
            f"{self.series.label}: {self.year - 1}→{self.year} changed by {self.change:+.2f}{unit}; "
            f"earlier year-on-year changes had median {self.median:+.2f}{unit}, robust SD "
            f"{self.spread:.2f} (z = {self.z:+.1f})"
        )


def breaks(series: Series, z: float = BREAK_Z, history: int = MIN_HISTORY) -> list[Break]:
    """Breaks in trend by the method in :data:`BREAK_METHOD`."""
    values = series.values()
    steps = [(y, values[y] - values[y - 1]) for y in sorted(values) if y - 1 in values]
    out: list[Break] = []
    for i, (year, step) in enumerate(steps):
        earlier = [s for _y, s in steps[:i]]
        if len(earlier) < history:
            continue
        med = statistics.median(earlier)
        mad = statistics.median(abs(s - med) for s in earlier) * 1.4826
        spread = max(mad, 0.05 * max(abs(med), 1e-9), 1e-6)
        score = (step - med) / spread
        if abs(score) > z:
            out.append(Break(series, year, step, med, spread, score))
    return out


def break_method(z: float = BREAK_Z, history: int = MIN_HISTORY) -> str:
    return BREAK_METHOD.format(z=z, n=history)


@dataclass
class GroupRow:
    series: Series
    share: Composition | None
    change: Change


def groups_by_share(
    series: list[Series],
    census: dict[str, Composition],
    start: int,
    end: int,
    threshold: float = 50.0,
) -> dict[str, list[GroupRow]]:
    """Regions split by minority share (≥ threshold vs below), each with its change."""
    out: dict[str, list[GroupRow]] = {
        f"minority share ≥ {threshold:g} %": [],
        f"minority share < {threshold:g} %": [],
        "minority share unknown": [],
    }
    keys = list(out)
    for s in series:
        comp = composition(census, s.region_code) if s.region_code else None
        key = keys[2] if comp is None else keys[0] if comp.minority_share >= threshold else keys[1]
        out[key].append(GroupRow(s, comp, change(s, start, end)))
    return out


def group_summary(rows: list[GroupRow]) -> str:
    rel = [r.change.relative for r in rows if r.change.relative is not None]
    if not rel:
        return "no region with figures for both years"
    return (
        f"{len(rel)} region(s); median relative change {statistics.median(rel) * 100:+.1f} % "
        f"(range {min(rel) * 100:+.1f} % to {max(rel) * 100:+.1f} %)"
    )


REVISION = (
    "The NBS announced in May 2021, after the 2020 census, that it would revise its "
    "2011–2019 population and birth figures (and so the rates made from them): editions "
    "printed before and after the revision differ for those years; compare one edition."
)
SAMPLE = (
    "Annual birth, death and natural growth rates outside census years are estimates from "
    "the annual sample survey of population change, not counts of registrations: sampling "
    "error and registration effects (births registered late, or not at all) apply."
)
MIXED = (
    "The series mixes sources ({sources}): a change between years from different sources may "
    "be a difference of source, not of the population."
)
BOUNDARY = (
    "{name} ({code}) was not coded the same over {span} (GB/T 2260: {note}): boundaries may "
    "differ between years and editions; make the years comparable first (for example as the "
    "census readme in shared data does: merge or split the units so that both years cover "
    "the same area)."
)
DENOMINATOR = (
    "A rate computed here from a count and a population states its denominator; the NBS "
    "defines crude rates on the mean population of the year, so a rate on the year-end "
    "population differs slightly."
)
XPCC = (
    "XPCC figures are the Corps' own statistics; its units lie inside the region's "
    "prefectures, so XPCC and prefecture figures are not additive without checking coverage."
)


def caveats(series: Series, years: tuple[int, int] | None = None) -> list[str]:
    """The caveats that apply to a series (or to a comparison of two of its years)."""
    out: list[str] = []
    ind = indicators().get(series.indicator or "")
    span_years = sorted(series.points) if years is None else list(range(years[0], years[1] + 1))
    if ind and ind.kind == "rate":
        out.append(SAMPLE)
    revised = ("births", "birth_rate", "natural_growth_rate", "population", "death_rate")
    if (
        series.region_code == NATIONAL
        and span_years
        and min(span_years) <= 2019
        and max(span_years) >= 2011
        and series.indicator in revised
    ):
        out.append(REVISION)
    if len(series.sources) > 1:
        out.append(MIXED.format(sources="; ".join(series.sources)))
    if series.region_code and series.region_code.startswith("XPCC"):
        out.append(XPCC)
    note = _code_history(series.region_code, span_years)
    if note:
        out.append(
            BOUNDARY.format(
                name=series.region_name or series.region_raw,
                code=series.region_code,
                span=f"{min(span_years)}–{max(span_years)}",
                note=note,
            )
        )
    for y in series.disputed_years:
        if years is None or y in years:
            out.append(f"{y} is disputed: {_dispute_text(series.points[y])}; not averaged.")
    return out


def _code_history(code: str | None, years: list[int]) -> str | None:
    if not code or not code.isdigit() or not years:
        return None
    named = [p for p in places() if p.code == code and not p.note]
    if not named:
        return None
    spans = [p for p in named if p.start is not None or p.end is not None]
    lo, hi = min(years), max(years)
    if not any(not p.in_use(lo) or not p.in_use(hi) for p in named):
        return None
    return ", ".join(f"{p.name} {p.start or ''}–{p.end or ''}" for p in spans) or None


def _unit_label(series: Series) -> str:
    unit = series.unit
    return {"per_mille": "‰", "percent": " %"}.get(unit or "", f" {unit}" if unit else "")


def _fmt(v: float | None) -> str:
    if v is None:
        return "–"
    return f"{v:,.2f}".rstrip("0").rstrip(".") if abs(v) < 1e6 else f"{v:,.0f}"
