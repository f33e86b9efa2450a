"""guwah stats on the real figures added for issue 20 item 5: national birth rates 2012–2013,
the Xinjiang 2021 communiqué, prefecture rates (Aksu, Urumqi), Kashgar's 2018 natural
growth rate as two publications give it, and a ranked 2021 provincial table printed in
traditional characters, each from the page named in ``files/yearbook/sources.csv``.

The tables are written as they are printed (``yearbook_tables.EXTRA_BUILDERS``) and imported
through the real pipeline. What comes out is checked against ``values.csv`` (every printed
figure, at its cell, with the text printed there, read back from the stored original with
openpyxl), against the 2020 census file in shared data (region codes), and against the
arithmetic of the printed figures (changes).
"""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select

from guwah.case import Case
from guwah.han import simplified
from guwah.stats.analysis import caveats, change
from guwah.stats.indicators import find_indicator
from guwah.stats.models import StatTable, StatValue
from guwah.stats.series import load_series
from guwah.stats.stage import import_file
from guwah.store.models import Item
from tests.conftest import SHARED_DATA, run_cli
from tests.yearbook_tables import (
    BUILDERS,
    EXTRA_BUILDERS,
    EXTRA_TABLES,
    HERE,
    write_extra,
)

CENSUS = SHARED_DATA / "census" / "census_county_2020_v1.xlsx"


def _rows(table: str) -> list[dict[str, str]]:
    with (HERE / "values.csv").open(encoding="utf-8") as fh:
        return [r for r in csv.DictReader(fh) if r["table"] == table]


def _census_codes() -> dict[str, str]:
    """Province and prefecture names → codes, as the census file in shared data prints them
    (not guwah's own GB/T 2260 table)."""
    wb = openpyxl.load_workbook(CENSUS, read_only=True)
    out: dict[str, str] = {}
    for r in wb.worksheets[0].iter_rows(min_row=2, values_only=True):
        code, prov, pref, county = (str(x) for x in r[:4])
        if code.endswith("0000"):
            out[prov] = code
        elif code.endswith("00") and pref == county:
            out[pref] = code
    return out


def _code_for(printed: str, census: dict[str, str]) -> str | None:
    """The census code of a printed name (full, or short as 新疆; traditional characters
    compared in simplified ones, by OpenCC), None when the census has no such name."""
    name = simplified(printed)
    if name == "全国":
        return "000000"  # the census file labels the national row NA; GB/T 2260 has no code
    if name in census:
        return census[name]
    return next((code for full, code in census.items() if full.startswith(name)), None)


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("yearbook_real")
    made = write_extra(out)
    made["NBS"] = BUILDERS["NBS"][0](out)  # the releases 2011–2021: the national series
    return made


@pytest.fixture(scope="module")
def real_case(tmp_path_factory: pytest.TempPathFactory, files: dict[str, Path]) -> Case:
    case = Case.init(tmp_path_factory.mktemp("stats_real") / "case")
    for key, path in files.items():
        _build, source, edition = (EXTRA_BUILDERS | BUILDERS)[key]
        import_file(case, path, source, edition)
    return case


@pytest.mark.parametrize("key", list(EXTRA_TABLES))
def test_every_printed_figure_is_read_from_its_cell(
    real_case: Case, files: dict[str, Path], key: str
) -> None:
    census = _census_codes()
    printed = _rows(EXTRA_TABLES[key])
    assert printed
    sha = hashlib.sha256(files[key].read_bytes()).hexdigest()
    with real_case.sessions() as session:
        assert session.scalar(select(Item).where(Item.sha256 == sha)) is not None
        got = [
            v
            for v in session.scalars(
                select(StatValue)
                .join(StatTable, StatTable.id == StatValue.table_id)
                .where(StatTable.sha256 == sha)
            )
            if v.value is not None
        ]
    with real_case.blobs.path_for(sha).open("rb") as fh:
        ws = openpyxl.load_workbook(fh).active
    assert ws is not None
    for row in printed:
        want = (
            find_indicator(row["indicator"]),
            _code_for(row["region"], census),
            int(row["year"]),
        )
        hits = [v for v in got if (v.indicator, v.region_code, v.year) == want]
        assert len(hits) == 1, (row, [(v.indicator, v.region_code, v.year) for v in got])
        v = hits[0]
        assert v.value == pytest.approx(float(row["printed"])), row
        cell = ws.cell(v.row, v.col).value  # the stored original prints it at that cell
        if isinstance(cell, str):
            assert cell == v.raw == row["printed"], row
        else:
            assert cell == pytest.approx(float(row["printed"])) == float(v.raw), row
    assert len(got) == len(printed)  # nothing else in the table was read as a figure


def test_prefecture_names_resolve_to_the_census_codes(real_case: Case) -> None:
    census = _census_codes()
    prefectures = {
        r["region"]
        for t in EXTRA_TABLES.values()
        for r in _rows(t)
        if r["region"] in census and not census[r["region"]].endswith("0000")
    }
    assert prefectures == {"阿克苏地区", "乌鲁木齐市", "喀什地区"}
    with real_case.sessions() as session:
        got = {
            (v.region_raw, v.region_code, v.region_method)
            for v in session.scalars(select(StatValue).where(StatValue.region_code.like("65%")))
        }
    for name in prefectures:
        assert (name, census[name], "exact") in got, name
    assert ("新疆维吾尔自治区", census["新疆维吾尔自治区"], "exact") in got
    assert {code for _n, code, _m in got} == {census[n] for n in prefectures} | {
        census["新疆维吾尔自治区"]
    }


def test_a_city_named_only_in_the_title_is_the_region(real_case: Case) -> None:
    """Urumqi's communiqué names the city in its title only (no province): its figures are
    the city's, and the label says they are for the registered population."""
    census = _census_codes()
    with real_case.sessions() as session:
        table = session.scalar(select(StatTable).where(StatTable.title.contains("户籍人口")))
        assert table is not None
        vals = session.scalars(select(StatValue).where(StatValue.table_id == table.id)).all()
    assert {v.region_code for v in vals} == {census["乌鲁木齐市"]}
    assert all(v.indicator_raw.startswith("户籍人口") for v in vals)
    with real_case.sessions() as session:
        (urumqi,) = load_series(session, "birth_rate", census["乌鲁木齐市"])
    assert sorted(urumqi.values()) == [2018, 2022]  # registered 2018, resident 2022
    assert any("mixes sources" in c for c in caveats(urumqi))


def _printed(table: str, region: str, indicator: str, year: int) -> float:
    (row,) = [
        r
        for r in _rows(table)
        if (r["region"], r["indicator"], int(r["year"])) == (region, indicator, year)
    ]
    return float(row["printed"])


def test_the_aksu_change_2018_2019_is_reproduced_from_the_cells(real_case: Case) -> None:
    before = _printed("xj_prefectures", "阿克苏地区", "出生率", 2018)
    after = _printed("xj_prefectures", "阿克苏地区", "出生率", 2019)
    with real_case.sessions() as session:
        (s,) = load_series(session, "birth_rate", "阿克苏地区")
    c = change(s, 2018, 2019)
    assert c.problem is None and (c.before, c.after) == (before, after)
    assert c.absolute == pytest.approx(after - before)
    assert c.relative == pytest.approx((after - before) / before)
    assert {o.source for o in c.observations} == {EXTRA_BUILDERS["XJPREF"][1]}


def test_national_decline_2012_2020_spans_two_tables(real_case: Case) -> None:
    with real_case.sessions() as session:
        (s,) = load_series(session, "birth_rate", "全国")
    c = change(s, 2012, 2020)
    assert c.problem is None
    assert c.before == _printed("nbs_2012_2013", "全国", "出生率", 2012)
    assert c.after == _printed("rates_by_year", "全国", "出生率", 2020)
    (first,) = s.points[2012].observations
    (last,) = s.points[2020].observations
    assert first.sha256 != last.sha256  # one figure from each stored file
    assert sorted(s.values()) == [2011, 2012, 2013, *range(2015, 2022)]  # 2010, 2014: not found


def test_cli_change_reproduces_the_published_figures(
    tmp_path: Path, files: dict[str, Path]
) -> None:
    case_dir = tmp_path / "case"
    run_cli("init", case_dir)
    for key in ("XJPREF", "NBS2012_2013", "NBS"):
        _b, source, _e = (EXTRA_BUILDERS | BUILDERS)[key]
        run_cli("stats", "import", files[key], "--source", source, "--case", case_dir)
    for region, table, start, end in (
        ("阿克苏地区", "xj_prefectures", 2018, 2019),
        ("全国", None, 2012, 2020),
    ):
        before = _printed(table or "nbs_2012_2013", region, "出生率", start)
        after = _printed(table or "rates_by_year", region, "出生率", end)
        out = run_cli(
            "stats",
            "change",
            "-i",
            "出生率",
            "-r",
            region,
            "--from",
            str(start),
            "--to",
            str(end),
            "--case",
            case_dir,
        ).stdout
        assert f"{after - before:+.2f}" in out, out
        assert f"({(after - before) / before * 100:+.1f} %)" in out, out


def test_traditional_names_resolve_and_a_variant_is_listed(real_case: Case) -> None:
    """The ranked 2021 table prints province names in traditional characters (貴州, 寧夏,
    黑龍江) after a rank column: the names resolve as their simplified forms do, the ranks
    are not figures, and 陜西 (陜, a variant OpenCC leaves as it is) is kept and listed."""
    census = _census_codes()
    with real_case.sessions() as session:
        table = session.scalar(select(StatTable).where(StatTable.title.contains("排名")))
        assert table is not None
        vals = session.scalars(select(StatValue).where(StatValue.table_id == table.id)).all()
    printed = _rows("ranked_2021")
    assert len(vals) == len(printed) == 31
    assert all(v.col == 3 for v in vals)  # the rank column (1) is not read as figures
    unmatched = [v.region_raw for v in vals if v.region_code is None]
    assert unmatched == ["陜西"] and _code_for("陜西", census) is None
    resolved = {v.region_raw: v.region_code for v in vals if v.region_code}
    assert len(resolved) == 30 and len(set(resolved.values())) == 30
    for name, code in resolved.items():
        assert code == _code_for(name, census), name


def test_xinjiang_2021_agrees_in_two_sources(real_case: Case) -> None:
    want = _printed("xj_2021", "新疆", "出生率", 2021)
    assert want == _printed("ranked_2021", "新疆", "出生率", 2021)
    with real_case.sessions() as session:
        (s,) = load_series(session, "birth_rate", "新疆")
    point = s.points[2021]
    assert {o.source for o in point.observations} == {
        EXTRA_BUILDERS["XJ2021"][1],
        EXTRA_BUILDERS["RANKED2021"][1],
    }
    assert point.value == want and not point.disputed


def test_a_title_in_traditional_characters_names_its_region(tmp_path: Path, case: Case) -> None:
    """Urumqi's 2018 table with its title as a traditional-character reprint prints it
    (OpenCC s2t: 烏魯木齊市…): the figures are still the city's."""
    import opencc

    path = EXTRA_BUILDERS["URC2018"][0](tmp_path)
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    assert ws is not None
    title = opencc.OpenCC("s2t").convert(str(ws.cell(1, 1).value))
    assert title.startswith("烏魯木齊市")
    ws.cell(1, 1).value = title
    wb.save(path)
    res = import_file(case, path, "reprint", 2019)
    census = _census_codes()
    with case.sessions() as session:
        codes = {v.region_code for v in session.scalars(select(StatValue))}
    assert res.values == len(_rows("urumqi_2018")) and codes == {census["乌鲁木齐市"]}


def test_kashgar_2018_disagreement_is_shown_never_averaged(real_case: Case) -> None:
    """Kashgar's 2018 natural growth rate: 2.38 ‰ in the development report Zenz used, 6.93 ‰
    in the Xinjiang Statistical Yearbook 2019 (a difference his response concedes): both
    are shown, the year is disputed, and no change is computed across it."""
    census = _census_codes()
    want = {
        _rows(t)[0]["printed"]: EXTRA_BUILDERS[k][1]
        for k, t in (("KASHGAR_SEDR", "kashgar_sedr"), ("KASHGAR_XSY", "kashgar_xsy"))
    }
    with real_case.sessions() as session:
        (s,) = load_series(session, "natural_growth_rate", "喀什地区")
    assert s.region_code == census["喀什地区"]
    point = s.points[2018]
    assert point.disputed and point.value is None
    assert {o.raw: o.source for o in point.observations} == want
    assert "2018 is disputed" in (change(s, 2018, 2018).problem or "")
