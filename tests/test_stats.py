"""guwah stats on real, public yearbook figures written as the tables print them.

The figures are in ``files/yearbook/values.csv`` with their sources; ``yearbook_tables.py``
lays them out as yearbook tables (xlsx, a GB18030 CSV, a PDF page, a scan). The tests import
those files through the real pipeline (ingest, custody, extraction, table reading) and check
what comes out against the printed figures and against independent data: the stored
original's own cells (openpyxl), the census file's region codes, arithmetic on the figures.
"""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from guwah.case import Case
from guwah.stats.analysis import breaks, caveats, change, rate_from_counts
from guwah.stats.census import composition, read_census
from guwah.stats.models import StatTable, StatValue
from guwah.stats.series import export_csv, load_series
from guwah.stats.stage import import_file
from guwah.store.models import CustodyEvent, Item
from tests.conftest import SHARED_DATA, run_cli
from tests.yearbook_tables import BUILDERS, csy2016_pdf, values, write_all, write_scan

CENSUS = SHARED_DATA / "census" / "census_county_2020_v1.xlsx"


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return write_all(tmp_path_factory.mktemp("yearbook"))


@pytest.fixture(scope="module")
def stats_case(tmp_path_factory: pytest.TempPathFactory, files: dict[str, Path]) -> Case:
    case = Case.init(tmp_path_factory.mktemp("stats") / "case")
    for key, path in files.items():
        _build, source, edition = BUILDERS[key]
        import_file(case, path, source, edition, region="兵团" if key == "XPCC2019" else None)
    return case


def _series(case: Case, indicator: str, region: str, source: str | None = None):  # type: ignore[no-untyped-def]
    with case.sessions() as session:
        found = load_series(session, indicator, region, source)
    assert len(found) == 1, [s.label for s in found]
    return found[0]


def test_reproduces_the_published_xinjiang_change_2017_2019(
    stats_case: Case, files: dict[str, Path]
) -> None:
    s = _series(stats_case, "birth_rate", "新疆", "China Statistical Yearbook")
    c = change(s, 2017, 2019)
    assert c.problem is None
    assert (c.before, c.after) == (15.88, 8.14)
    assert c.absolute == pytest.approx(-7.74)
    assert round(c.relative * 100, 1) == -48.7  # type: ignore[operator]
    # each figure points at its cell in the stored original, and that cell prints it
    cells = {o.raw: o for o in c.observations}
    with stats_case.sessions() as session:
        item = session.scalar(select(Item).where(Item.sha256 == cells["15.88"].sha256))
        assert item is not None
    with stats_case.blobs.path_for(item.sha256).open("rb") as fh:
        ws = openpyxl.load_workbook(fh).active
    for raw, obs in cells.items():
        assert str(ws.cell(obs.row, obs.col).value) == raw
        assert obs.link == f"/items/{obs.sha256}?sheet=0&row={obs.row}&col={obs.col}#cell"
    assert "+3.45" not in c.text() and "-48.7 %" in c.text()


def test_the_same_figure_from_two_sources_agrees_and_is_shown_twice(stats_case: Case) -> None:
    s = _series(stats_case, "birth_rate", "650000")
    point = s.points[2019]
    assert {o.source for o in point.observations} == {
        "China Statistical Yearbook",
        "Xinjiang Statistical Communiqué 2019",
    }
    assert point.value == 8.14 and not point.disputed


def test_disagreeing_sources_are_both_shown_never_averaged(
    stats_case: Case, tmp_path: Path
) -> None:
    s = _series(stats_case, "births", "全国")
    point = s.points[2016]
    assert point.disputed and point.value is None
    assert sorted(o.raw for o in point.observations) == ["1786", "1846"]
    assert 2016 not in s.values()
    assert "2016 is disputed" in change(s, 2015, 2016).problem  # type: ignore[operator]
    out = tmp_path / "series.csv"
    with stats_case.sessions() as session:
        export_csv(session, out, "births", "全国")
    rows = [r for r in csv.DictReader(out.open(encoding="utf-8-sig")) if r["year"] == "2016"]
    assert {(r["as_printed"], r["source"], r["disputed"]) for r in rows} == {
        ("1786", "National Bureau of Statistics annual releases", "yes"),
        ("1846", "NHFPC Statistical Bulletin 2016", "yes"),
    }
    assert {r["cell"] for r in rows} == {"B6", "B3"} and all(len(r["sha256"]) == 64 for r in rows)


@given(st.decimals(min_value=-(10**9), max_value=10**9, places=2, allow_nan=False))
def test_printed_numbers_read_back_as_printed(x: object) -> None:
    from guwah.stats.cells import parse_cell

    value = float(x)  # type: ignore[arg-type]
    for printed in (f"{value:.2f}", f"{value:,.2f}", f"{value:,.2f}①", f" {value:.2f} "):
        parsed = parse_cell(printed)
        assert parsed.kind == "number" and parsed.value == pytest.approx(value), printed


def test_units_are_normalised_from_the_header_or_the_title(stats_case: Case) -> None:
    births = _series(stats_case, "births", "新疆")
    obs = births.points[2019].observations[0]
    assert (obs.value, obs.unit_printed, obs.unit, obs.base) == (20.54, "万人", "persons", 205400.0)
    uyghur = _series(stats_case, "population_uyghur", "新疆")  # 单位：万人 in the title only
    assert uyghur.points[2018].observations[0].base == pytest.approx(12_718_400)
    rate = _series(stats_case, "natural_growth_rate", "新疆", "China Statistical Yearbook")
    assert rate.points[2011].observations[0].unit == "per_mille"


def test_a_dash_is_an_empty_figure_with_the_reason(stats_case: Case) -> None:
    s = _series(stats_case, "births", "全国")
    obs = s.points[2011].observations[0]
    assert obs.raw == "…" and obs.value is None and obs.problem == "dash"
    assert "no figure" in (obs.detail or "")


def test_regions_printed_short_resolve_to_the_codes_the_census_gives(stats_case: Case) -> None:
    wb = openpyxl.load_workbook(CENSUS, read_only=True)
    provinces = {
        str(r[1]): str(r[0])
        for r in wb.worksheets[0].iter_rows(min_row=2, values_only=True)
        if str(r[0]).endswith("0000")
    }
    with stats_case.sessions() as session:
        table = session.scalar(select(StatTable).where(StatTable.table_ref == "2-8"))
        assert table is not None
        got = {
            v.region_raw: v.region_code
            for v in session.scalars(select(StatValue).where(StatValue.table_id == table.id))
        }
    printed = [r for r in dict.fromkeys(r for r, _i, _y in values()["csy2016_2_8"]) if r != "全国"]
    assert len(printed) == 26
    for name in printed:
        census_code = next(code for full, code in provinces.items() if full.startswith(name))
        assert got[name] == census_code, name
    assert got["全国"] == "000000"


def test_xinjiang_county_names_resolve_as_the_census_codes_them() -> None:
    from guwah.stats.regions import resolve_all, short_forms

    wb = openpyxl.load_workbook(CENSUS, read_only=True)
    rows = [
        (str(r[0]), str(r[3]))
        for r in wb.worksheets[0].iter_rows(min_row=2, values_only=True)
        if str(r[0]).startswith("65")
    ]
    assert len(rows) == 121
    full = resolve_all([n for _c, n in rows], 2020, "65")
    right = sum(1 for (code, _n), r in zip(rows, full, strict=True) if r.code == code)
    prefectures = [(c, short_forms(n)[-1]) for c, n in rows if c.endswith("00") and short_forms(n)]
    short = resolve_all([n for _c, n in prefectures], 2020, "65")
    right_short = sum(1 for (c, _n), r in zip(prefectures, short, strict=True) if r.code == c)
    assert right / len(rows) >= 0.99 and right_short == len(prefectures) >= 10
    xpcc = resolve_all(
        ["新疆生产建设兵团", "第八师", "兵团第一师", "石河子市", "第二十师"], 2020, "65"
    )
    assert [r.code for r in xpcc[:3]] == ["XPCC", "XPCC-08", "XPCC-01"]
    assert xpcc[3].code == "659001"  # the city is the city, coded by GB/T 2260
    assert xpcc[4].place is None and xpcc[4].method == "unmatched"  # no such division


def test_xpcc_and_a_table_without_region_take_the_stated_region(stats_case: Case) -> None:
    s = _series(stats_case, "birth_rate", "XPCC")
    assert s.values() == {2005: 6.38, 2010: 6.3, 2015: 6.04, 2017: 7.85, 2018: 6.35}
    assert any("Corps" in c for c in caveats(s))


def test_rate_from_counts_states_its_denominator(stats_case: Case) -> None:
    births = _series(stats_case, "births", "新疆")
    pop = _series(stats_case, "population", "新疆", "Communiqué")
    year_end = rate_from_counts(births, pop, 2019)
    mean = rate_from_counts(births, pop, 2019, mean=True)
    assert year_end is not None and mean is not None
    assert round(year_end.value, 2) == round(20.54 / 2523.22 * 1000, 2) == 8.14
    assert round(mean.value, 2) == round(20.54 / ((2486.76 + 2523.22) / 2) * 1000, 2) == 8.2
    per_100k = rate_from_counts(births, pop, 2019, per=100_000)
    assert per_100k is not None and round(per_100k.value, 1) == round(205_400 / 25_232_200 * 1e5, 1)
    assert "mean of the year-end populations 2018 and 2019" in mean.method
    assert "C3" in mean.method and "B5" in mean.method


def test_the_2018_break_in_xinjiang_births_is_flagged(stats_case: Case) -> None:
    s = _series(stats_case, "birth_rate", "新疆")
    found = {b.year: b for b in breaks(s)}
    assert 2018 in found and found[2018].change == pytest.approx(10.69 - 15.88)
    assert all(b.year >= 2018 for b in found.values())  # 2011–2013 are the baseline
    assert any("mixes sources" in c for c in caveats(s))


def test_minority_share_comes_from_the_census(stats_case: Case) -> None:
    census = read_census(CENSUS)
    xj = composition(census, "650000")
    assert xj is not None and xj.minority_share == pytest.approx(57.76, abs=0.05)
    kashgar = composition(census, "653100")
    assert kashgar is not None and kashgar.minority_share > 90


def test_import_is_preserved_with_custody_and_is_idempotent(
    stats_case: Case, files: dict[str, Path]
) -> None:
    path = files["CSY2020"]
    with stats_case.sessions() as session:
        before = session.query(StatValue).count()
    res = import_file(stats_case, path, "China Statistical Yearbook", 2020)
    with stats_case.sessions() as session:
        assert session.query(StatValue).count() == before
        events = [
            e.event
            for e in session.scalars(
                select(CustodyEvent).where(CustodyEvent.item_sha256 == res.sha256)
            )
        ]
    assert events.count("stored") == 1 and events.count("stats_imported") == 2
    stored = stats_case.blobs.path_for(res.sha256)
    assert stored.read_bytes() == path.read_bytes() and not stored.stat().st_mode & 0o222
    from guwah.store.custody import verify

    with stats_case.sessions() as session:
        assert verify(session, stats_case.blobs).ok  # the chain holds with the stats events


def test_a_pdf_page_with_a_text_layer(tmp_path: Path, case: Case) -> None:
    pdf = csy2016_pdf(tmp_path)
    res = import_file(case, pdf, "China Statistical Yearbook", 2016)
    assert res.regions_resolved == res.regions_total == 27 and res.values == 81
    s = _series(case, "natural_growth_rate", "辽宁")
    obs = s.points[2015].observations[0]
    assert (obs.value, obs.page_no, obs.unit) == (-0.42, 1, "per_mille")
    assert obs.link.endswith("?page=1#page-1")


def test_a_scan_through_ocr_flags_smudged_digits(tmp_path: Path, case: Case) -> None:
    v = values()["csy2012_3_5"]
    rows = [
        ["全国", v[("全国", "出生率", 2011)], v[("全国", "死亡率", 2011)]],
        ["新疆", v[("新疆", "出生率", 2011)], v[("新疆", "死亡率", 2011)]],
    ]
    scan = write_scan(
        tmp_path / "scan.png",
        "出生率和死亡率（2011年）单位：‰",
        ["地区", "出生率", "死亡率"],
        rows,
        blur={(2, 2)},
    )
    res = import_file(case, scan, "scan of CSY 2012 3-5", 2012, languages="chi_sim+eng")
    with case.sessions() as session:
        got = {(x.region_code, x.indicator): x for x in session.scalars(select(StatValue))}
    clean = got[("000000", "birth_rate")]
    assert clean.value == 11.93 and clean.problem is None and clean.confidence is not None
    smudged = got[("650000", "death_rate")]
    assert smudged.problem == "low_confidence" and "check the figure against the page" in (
        smudged.detail or ""
    )
    assert res.tables[0].method == "ocr"


# -- bad input --------------------------------------------------------------------------------


def _sheet(path: Path, rows: list[list[object]]) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def test_missing_units_are_said_never_guessed(tmp_path: Path, case: Case) -> None:
    path = _sheet(
        tmp_path / "nounit.xlsx", [["新疆出生率"], ["地区", "2017", "2019"], ["新疆", 15.88, 8.14]]
    )
    res = import_file(case, path, "no unit")
    assert any("states no unit" in p for p in res.problems)
    with case.sessions() as session:
        vals = session.scalars(select(StatValue)).all()
    assert [(v.value, v.unit, v.base_value, v.problem) for v in vals] == [
        (15.88, None, None, "no_unit"),
        (8.14, None, None, "no_unit"),
    ]


def test_an_unknown_region_is_listed_not_dropped(tmp_path: Path, case: Case) -> None:
    path = _sheet(
        tmp_path / "typo.xlsx",
        [
            ["人口出生率（‰）"],
            ["地区", "2017", "2019"],
            ["全国", 12.43, 10.48],
            ["新彊维吾尔自治区", 15.88, 8.14],
        ],
    )
    res = import_file(case, path, "typo")
    assert res.unmatched_regions == ["新彊维吾尔自治区"]
    with case.sessions() as session:
        kept = session.scalars(
            select(StatValue).where(StatValue.region_raw == "新彊维吾尔自治区")
        ).all()
    assert [(v.value, v.region_code, v.region_method) for v in kept] == [
        (15.88, None, "unmatched"),
        (8.14, None, "unmatched"),
    ]


def test_footnote_markers_and_dashes(tmp_path: Path, case: Case) -> None:
    path = _sheet(
        tmp_path / "marks.xlsx",
        [
            ["人口出生率（‰）"],
            ["地区", "2017", "2018", "2019"],
            ["新疆", "15.88①", "①", "—"],
            ["注：①据公开引用。"],
        ],
    )
    import_file(case, path, "marks")
    with case.sessions() as session:
        got = {v.year: v for v in session.scalars(select(StatValue))}
    assert (got[2017].value, got[2017].problem, got[2017].detail) == (
        15.88,
        None,
        "footnote marker ①",
    )
    assert (got[2018].value, got[2018].problem) == (None, "footnote_marker")
    assert (got[2019].value, got[2019].problem) == (None, "dash")
    with case.sessions() as session:
        table = session.scalars(select(StatTable)).one()
    assert table.footnotes == ["注：①据公开引用。"]


def test_a_file_without_a_table_says_so(tmp_path: Path, case: Case) -> None:
    path = tmp_path / "prose.txt"
    path.write_text("这不是一个表格。\n只是文字。\n", encoding="utf-8")
    res = import_file(case, path, "prose")
    assert res.tables == [] and res.problems == ["no table with figures was found in the file"]


# -- output: the workbench page, the report section, the command line -------------------------


def test_demography_page_links_every_figure_to_its_cell(stats_case: Case) -> None:
    from fastapi.testclient import TestClient

    from guwah.web.app import create_app

    with TestClient(create_app(stats_case), base_url="http://127.0.0.1:8000") as client:
        resp = client.get("/demography", params={"indicator": "birth_rate", "region": "新疆"})
        assert resp.status_code == 200
        html = resp.text
        assert "<svg" in html and "15.88" in html and "8.14" in html
        series = client.get("/api/stats/series", params={"indicator": "births"}).json()
        disputed = [p for s in series for p in s["points"] if p["disputed"]]
        assert [p["year"] for p in disputed] == [2016]
        link = next(
            o["link"]
            for s in series
            for p in s["points"]
            for o in p["observations"]
            if o["as_printed"] == "1846"
        )
        assert link.replace("&", "&amp;") in client.get("/demography").text
        viewer = client.get(link.split("#")[0])
        assert viewer.status_code == 200 and "1846" in viewer.text
        # on a Uyghur page the section, written in English, says so (screen readers, direction)
        ug = client.get("/demography", params={"lang": "ug"}).text
        assert '<div lang="en" dir="ltr"><section class="demography">' in ug
        assert '<div lang="en"' not in client.get("/demography", params={"lang": "en"}).text


def test_report_section_escapes_table_text(tmp_path: Path, case: Case) -> None:
    from guwah.stats.report import render_report_section

    assert "No yearbook tables imported" in render_report_section(case)
    path = _sheet(
        tmp_path / "hostile.xlsx",
        [
            ["<script>alert(1)</script>人口出生率（‰）"],
            ["地区", "2017", "2019"],
            ["<img src=x>", 15.88, 8.14],
            ["新疆\u202e", 15.88, 8.14],
        ],
    )
    import_file(case, path, "hostile <b>source</b>")
    html = render_report_section(case, base_url="http://127.0.0.1:8000")
    assert "<script>" not in html and "<img src=x>" not in html and "<b>source" not in html
    assert "&lt;img src=x&gt;" in html and "http://127.0.0.1:8000/items/" in html
    assert "\u202e" not in html and "⟨U+202E⟩" in html
    assert "Breaks in trend" in html and "Caveats" in html
    formula = _sheet(
        tmp_path / "formula.xlsx",
        [
            ["人口出生率（‰）"],
            ["地区", "2017"],
            ['=HYPERLINK("http://x")', "15.88"],
            ["新疆", "-0.42"],
        ],
    )
    import_file(case, formula, "formula source")
    out = tmp_path / "out.csv"
    with case.sessions() as session:
        export_csv(session, out)
    rows = list(csv.DictReader(out.open(encoding="utf-8-sig")))
    printed = {r["region_as_printed"] for r in rows}
    assert '\'=HYPERLINK("http://x")' in printed and not any(p.startswith("=") for p in printed)
    from guwah.textsafe import csv_uncell

    neg = next(r for r in rows if r["region_as_printed"] == "新疆")
    assert (csv_uncell(neg["as_printed"]), neg["value"]) == ("-0.42", "-0.42")  # reversible


def test_cli_import_show_change_export(tmp_path: Path, files: dict[str, Path]) -> None:

    case_dir = tmp_path / "case"
    run_cli("init", case_dir)
    out = run_cli(
        "stats",
        "import",
        files["CSY2020"],
        "--source",
        "China Statistical Yearbook",
        "--edition",
        "2020",
        "--case",
        case_dir,
    ).stdout
    assert "7 figures" in out and "Regions resolved: 2 of 2" in out
    shown = run_cli("stats", "show", "-i", "出生率", "-r", "新疆", "--case", case_dir).stdout
    assert "15.88 ‰" in shown and "China Statistical Yearbook 2020" in shown
    changed = run_cli(
        "stats",
        "change",
        "-i",
        "birth_rate",
        "-r",
        "650000",
        "--from",
        "2017",
        "--to",
        "2019",
        "--case",
        case_dir,
    ).stdout
    assert "-48.7 %" in changed and "caveat:" in changed
    csv_out = tmp_path / "s.csv"
    run_cli("stats", "export", csv_out, "--case", case_dir)
    assert csv_out.read_text(encoding="utf-8-sig").count("\n") == 8
    assert "Example" in run_cli("stats", "import", "--help").stdout
    bad = run_cli(
        "stats",
        "import",
        tmp_path / "missing.xlsx",
        "--source",
        "x",
        "--case",
        case_dir,
        check=False,
    )
    assert bad.returncode == 2 and "not a file" in bad.stderr


def test_two_yearbooks_print_different_iud_counts_for_2012(stats_case: Case) -> None:
    s = _series(stats_case, "iud_placements", "全国")
    point = s.points[2012]
    assert point.disputed and point.value is None
    got = {o.source: (o.value, o.unit_printed, o.unit) for o in point.observations}
    assert got == {
        "China Health and Family Planning Statistical Yearbook": (7200416, "例", "cases"),
        "China Population and Employment Statistics Yearbook": (9957831, "例", "cases"),
    }
    assert any(
        "2012 is disputed" in c and "7,200,416" in c and "9,957,831" in c for c in caveats(s)
    )


def test_a_pdf_that_prints_each_row_as_one_line_of_text(tmp_path: Path, case: Case) -> None:
    from fpdf import FPDF

    from guwah.synth.fonts import cjk_font

    v = values()["csy2012_3_5"]
    font = cjk_font()
    pdf = FPDF()
    pdf.add_font("cjk", fname=str(font.path), collection_font_number=font.index)
    pdf.add_page()
    pdf.set_font("cjk", size=11)
    lines = [
        "3-5 各地区人口的出生率、死亡率（2011年）",
        "地区        出生率(‰)        死亡率(‰)",
        *(
            f"{r}          {v[(r, '出生率', 2011)]}              {v[(r, '死亡率', 2011)]}"
            for r in ("全国", "新疆")
        ),
    ]
    for line in lines:  # one text object per line: cells only by the spaces between them
        pdf.cell(0, 8, line, new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(tmp_path / "rows.pdf"))
    res = import_file(case, tmp_path / "rows.pdf", "China Statistical Yearbook", 2012)
    with case.sessions() as session:
        got = {(x.region_code, x.indicator): x.value for x in session.scalars(select(StatValue))}
    assert got == {
        ("000000", "birth_rate"): 11.93,
        ("000000", "death_rate"): 7.14,
        ("650000", "birth_rate"): 14.99,
        ("650000", "death_rate"): 4.42,
    }
    assert res.tables[0].table_ref == "3-5"


def test_the_same_import_and_series_on_postgresql(
    pg_url: str, tmp_path: Path, files: dict[str, Path]
) -> None:
    from tests.conftest import pg_database

    case = Case.init(tmp_path / "case", database_url=pg_database(pg_url, "guwah_stats"))
    assert case.engine.dialect.name == "postgresql"
    for key in ("CSY2020", "NBS", "NHFPC2016"):
        _build, source, edition = BUILDERS[key]
        import_file(case, files[key], source, edition)
    c = change(_series(case, "birth_rate", "新疆"), 2017, 2019)
    assert round(c.relative * 100, 1) == -48.7  # type: ignore[operator]
    assert _series(case, "births", "全国").points[2016].disputed


@pytest.mark.parametrize(
    "command", ["import", "show", "export", "change", "groups", "rate", "tables"]
)
def test_every_stats_command_has_help_with_an_example(command: str) -> None:
    from tests.conftest import run_cli

    out = run_cli("stats", command, "--help").stdout
    assert "Example" in out and f"guwah stats {command}" in out


def test_a_printed_code_column_is_read_as_codes_not_figures(tmp_path: Path, case: Case) -> None:
    """The census file's own layout: 区划代码 beside the names; the codes resolve the rows."""
    wb = openpyxl.load_workbook(CENSUS, read_only=True)
    rows = [
        [r[0], r[3], r[8]]
        for r in wb.worksheets[0].iter_rows(min_row=2, values_only=True)
        if str(r[0]) in ("653121", "654027", "650103")
    ]
    path = _sheet(
        tmp_path / "codes.xlsx",
        [["少数民族人口比重（2020年）"], ["区划代码", "区县", "少数民族人口比重（%）"], *rows],
    )
    import_file(case, path, "census 2020")
    with case.sessions() as session:
        got = {
            v.region_code: (v.region_method, v.value, v.unit)
            for v in session.scalars(select(StatValue))
        }
    assert got == {str(code): ("code", share, "percent") for code, _name, share in rows}


def test_groups_by_minority_share_and_the_national_series(stats_case: Case) -> None:
    from guwah.stats.analysis import against_national, group_summary, groups_by_share

    with stats_case.sessions() as session:
        regional = [s for s in load_series(session, "birth_rate") if s.region_code != "000000"]
    groups = groups_by_share(regional, read_census(CENSUS), 2017, 2019, threshold=50)
    high, low, unknown = groups.values()
    assert {r.series.region_code for r in high} == {"650000", "540000"}  # census: 57.8 %, 87.8 %
    xj = next(r for r in high if r.series.region_code == "650000")
    assert round(xj.change.relative * 100, 1) == -48.7  # type: ignore[operator]
    assert "1 region(s); median relative change -48.7 %" in group_summary(high)
    assert all(r.change.relative is None for r in low)  # provinces: 2015 only
    assert [r.series.region_code for r in unknown] == ["XPCC"]
    national = _series(stats_case, "birth_rate", "全国")
    rows = {c.year: c for c in against_national(xj.series, national)}
    assert rows[2019].difference == pytest.approx(8.14 - 10.48)
    assert rows[2017].ratio == pytest.approx(15.88 / 12.43)


def test_a_code_that_changed_over_the_years_compared_gets_the_boundary_caveat() -> None:
    from guwah.stats.series import Point, Series

    turpan = Series(
        "birth_rate", "652100", "吐鲁番地区", "吐鲁番", {2010: Point(2010), 2016: Point(2016)}
    )
    text = " ".join(caveats(turpan))
    assert "boundaries may differ" in text and "2015" in text  # 吐鲁番地区 until 2015 (GB/T 2260)
    xinjiang = Series(
        "birth_rate", "650000", "新疆维吾尔自治区", "新疆", {2010: Point(2010), 2019: Point(2019)}
    )
    assert not any("boundaries" in c for c in caveats(xinjiang))


def test_a_damaged_workbook_is_a_clear_error_and_stays_preserved(
    tmp_path: Path, case: Case, files: dict[str, Path]
) -> None:
    from guwah.case import CaseError

    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(files["CSY2020"].read_bytes()[:1500])
    with pytest.raises(CaseError, match="cannot be read"):
        import_file(case, broken, "China Statistical Yearbook", 2020)
    with case.sessions() as session:
        item = session.scalars(select(Item)).one()
        assert item.status == "error" and item.error
        assert session.query(StatTable).count() == 0
    assert case.blobs.path_for(item.sha256).read_bytes() == broken.read_bytes()


def test_a_table_continued_on_the_next_page(tmp_path: Path, case: Case) -> None:
    from tests.yearbook_tables import write_pdf

    v = values()["csy2016_2_8"]
    regions = list(dict.fromkeys(r for r, _i, _y in v))
    rows = [[r, v[(r, "出生率", 2015)], v[(r, "死亡率", 2015)]] for r in regions]
    header = ["地区", "出生率(‰)", "死亡率(‰)"]
    pdf = write_pdf(
        tmp_path / "continued.pdf",
        [
            ("2-8 分地区人口的出生率、死亡率（2015年）", header, rows[:14], ""),
            ("续表", header, rows[14:], "注：摘录。"),
        ],
    )
    res = import_file(case, pdf, "China Statistical Yearbook", 2016)
    assert [t.table_ref for t in res.tables] == ["2-8", "2-8"]
    assert res.values == 2 * len(rows) and res.regions_resolved == res.regions_total == len(rows)
    s = _series(case, "birth_rate", "西藏")  # on the second page, whose title says only 续表
    assert s.points[2015].observations[0].value == 15.75
    assert s.points[2015].observations[0].page_no == 2


def test_rows_printed_in_two_column_groups(tmp_path: Path, case: Case) -> None:
    v = values()["csy2016_2_8"]
    regions = list(dict.fromkeys(r for r, _i, _y in v))
    half = (len(regions) + 1) // 2
    rows: list[list[object]] = [
        ["2-8 分地区人口出生率（2015年）（‰）"],
        ["地区", "出生率", "地区", "出生率"],
    ]
    for left, right in zip(regions[:half], regions[half:] + [""], strict=True):
        rows.append(
            [
                left,
                float(v[(left, "出生率", 2015)]),
                right or None,
                float(v[(right, "出生率", 2015)]) if right else None,
            ]
        )
    res = import_file(
        case, _sheet(tmp_path / "groups.xlsx", rows), "China Statistical Yearbook", 2016
    )
    assert res.values == len(regions) and res.regions_resolved == len(regions)
    assert "2 column groups" in res.tables[0].layout
    with case.sessions() as session:
        got = {(x.region_raw, x.value, x.col) for x in session.scalars(select(StatValue))}
    assert ("西藏", 15.75, 4) in got and ("北京", 7.96, 2) in got
    assert {(r, float(v[(r, "出生率", 2015)])) for r in regions} == {(r, val) for r, val, _c in got}


def test_two_tables_stacked_in_one_sheet(tmp_path: Path, case: Case) -> None:
    a, b = values()["csy2012_3_5"], values()["csy2016_2_8"]
    rows: list[list[object]] = [
        ["3-5 各地区人口出生率(2011年)"],
        ["地区", "出生率(‰)"],
        ["全国", float(a[("全国", "出生率", 2011)])],
        ["新疆", float(a[("新疆", "出生率", 2011)])],
        [None],
        ["2-8 分地区人口死亡率（2015年）"],
        ["地区", "死亡率(‰)"],
        ["全国", float(b[("全国", "死亡率", 2015)])],
        ["西藏", float(b[("西藏", "死亡率", 2015)])],
    ]
    res = import_file(case, _sheet(tmp_path / "stacked.xlsx", rows), "China Statistical Yearbook")
    assert [t.table_ref for t in res.tables] == ["3-5", "2-8"]
    with case.sessions() as session:
        got = {
            (x.region_code, x.indicator, x.year): x.value
            for x in session.scalars(select(StatValue))
        }
    assert got == {
        ("000000", "birth_rate", 2011): 11.93,
        ("650000", "birth_rate", 2011): 14.99,
        ("000000", "death_rate", 2015): 7.11,
        ("540000", "death_rate", 2015): 5.1,
    }


def test_six_digit_populations_are_figures_not_codes(tmp_path: Path, case: Case) -> None:
    wb = openpyxl.load_workbook(CENSUS, read_only=True)
    rows = [
        [r[3], r[4]]
        for r in wb.worksheets[0].iter_rows(min_row=2, values_only=True)
        if str(r[0]) in ("653121", "654027", "650103")
    ]
    assert len(rows) == 3 and all(100_000 <= int(p) < 1_000_000 for _n, p in rows)
    path = _sheet(
        tmp_path / "pop.xlsx", [["新疆各县人口（2020年）"], ["地区", "人口数(人)"], *rows]
    )
    import_file(case, path, "census 2020")
    with case.sessions() as session:
        got = {
            (v.region_raw, v.base_value, v.region_method)
            for v in session.scalars(select(StatValue))
        }
    assert got == {(name, float(pop), "exact") for name, pop in rows}


def test_an_official_table_without_rate_units_keeps_them_unnormalised(stats_case: Case) -> None:
    """CSY 1998 table 4-3 as stats.gov.cn prints it: the rates carry no ‰ anywhere."""
    with stats_case.sessions() as session:
        table = session.scalar(select(StatTable).where(StatTable.table_ref == "4-3"))
        assert table is not None and len(table.footnotes) == 4
        assert any(p["message"].startswith("96 figures have no unit") for p in table.problems)
        vals = session.scalars(select(StatValue).where(StatValue.table_id == table.id)).all()
    assert len(vals) == 32 * 4 and all(v.region_code for v in vals)
    xj = {v.indicator: v for v in vals if v.region_code == "650000"}
    assert (xj["population"].value, xj["population"].base_value) == (1718, 17_180_000)
    assert (xj["birth_rate"].value, xj["birth_rate"].unit, xj["birth_rate"].problem) == (
        19.66,
        None,
        "no_unit",
    )
    assert xj["birth_rate"].base_value is None  # never guessed to be ‰
    cq = {v.indicator: v.value for v in vals if v.region_code == "500000"}
    assert cq["natural_growth_rate"] == 6.24  # 重庆 resolves in 1997, its first year


def test_groups_from_the_census_imported_into_the_case(
    tmp_path: Path, files: dict[str, Path]
) -> None:
    from tests.conftest import run_cli

    case_dir = tmp_path / "case"
    run_cli("init", case_dir)
    run_cli(
        "stats",
        "import",
        files["CSY2020"],
        "--source",
        "China Statistical Yearbook",
        "--edition",
        "2020",
        "--case",
        case_dir,
    )
    none = run_cli(
        "stats",
        "groups",
        "-i",
        "birth_rate",
        "--from",
        "2017",
        "--to",
        "2019",
        "--case",
        case_dir,
        check=False,
    )
    assert none.returncode == 1 and "No census" in none.stdout
    run_cli("reference", "import", "census", CENSUS, "--case", case_dir)
    out = run_cli(
        "stats", "groups", "-i", "birth_rate", "--from", "2017", "--to", "2019", "--case", case_dir
    ).stdout
    assert "minority share ≥ 50 %: 1 region(s); median relative change -48.7 %" in out
    assert "新疆维吾尔自治区 (57.8 %)" in out and "census import" in out


def test_the_case_report_has_the_demography_section(stats_case: Case, tmp_path: Path) -> None:
    """`guwah report` carries the yearbook figures, each with its cell (the same section as
    the Demography page), beside the analysis of the records."""
    out = tmp_path / "report.html"
    run_cli("report", "--out", out, "--case", stats_case.root)
    html = out.read_text(encoding="utf-8")
    assert "<h2>Demography</h2>" in html
    assert "15.88" in html and "8.14" in html  # Xinjiang's birth rate, 2017 and 2019
    assert "/items/" in html  # every figure links to its cell in the original table
