"""The analysis stage against the small synthetic leak's truth, the real 2020 census file, and
a test leak written here with openpyxl (one person in three sheets with conflicting values,
an implausible date, a hostile reason, a family)."""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import json
import math
import re
import zlib
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from sqlalchemy import select

from guwah.analyse.census import CensusError, import_census
from guwah.analyse.evaluate import compare, expected, observed
from guwah.analyse.review import decide, relabel
from guwah.analyse.stage import Analysis, Options, analyse, parse_window
from guwah.analyse.tables import Table, table_csv, wilson
from guwah.case import Case, CaseError
from guwah.ingest.executor import ProcessExecutor
from guwah.ingest.pipeline import ingest
from guwah.records.stage import build_records
from guwah.store.custody import verify
from guwah.store.models import CustodyEvent
from guwah.synth import generate
from tests.analyse_files import HOSTILE, OTHER, A, B, C, D, E, write_census, write_leak

ROOT = Path(__file__).resolve().parents[1]
CENSUS = ROOT.parent / "shared" / "data" / "census" / "census_county_2020_v1.xlsx"


def wilson_by_hand(k: int, n: int) -> tuple[float, float]:
    """Wilson (1927) as textbooks write it, for recomputing the stage's intervals."""
    z = 1.959963984540054
    p = k / n
    centre = p + z * z / (2 * n)
    spread = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return (centre - spread) / (1 + z * z / n), (centre + spread) / (1 + z * z / n)


class Refs:
    """The CSV files beside a report, read as a reader would: each file's SHA-256 checked
    against the one the report states, each reference resolved through ref_index.csv's
    line range in ref_counts.csv."""

    def __init__(self, report: Path, pdf_text: str | None = None) -> None:
        folder = report.parent / f"{report.stem}_tables"
        text = pdf_text if pdf_text is not None else report.read_text("utf-8")
        self.files = {p.name: p.read_bytes() for p in folder.iterdir()}
        assert {"ref_index.csv", "ref_counts.csv", "ref_people.csv", "ref_records.csv"} <= set(
            self.files
        )
        for name, data in self.files.items():
            digest = hashlib.sha256(data).hexdigest()
            if pdf_text is None:
                stated = re.search(rf'id="sha-{re.escape(name)}">([0-9a-f]{{64}})<', text)
                assert stated and stated.group(1) == digest, name
            else:  # the PDF's text may break the row anywhere: the digest is there
                assert digest in re.sub(r"\s+", "", text), name
        self.index = {r["ref"]: r for r in self._rows("ref_index.csv")}
        self.lines = self.files["ref_counts.csv"].decode("utf-8-sig").split("\n")

    def _rows(self, name: str) -> list[dict[str, str]]:
        return list(csv.DictReader(io.StringIO(self.files[name].decode("utf-8-sig"))))

    def people(self, ref: str) -> list[int]:
        r = self.index[ref]
        lines = self.lines[int(r["first_line"]) - 1 : int(r["last_line"])]
        assert all(line.split(",")[0] == ref for line in lines)
        assert len(lines) == int(r["n"])
        return [int(line.split(",")[1]) for line in lines]

    def person(self, pid: int) -> dict[str, str]:
        return next(r for r in self._rows("ref_people.csv") if int(r["person"]) == pid)

    def records(self, pid: int) -> list[dict[str, str]]:
        return [r for r in self._rows("ref_records.csv") if int(r["person"]) == pid]


def test_wilson_matches_newcombe_1998() -> None:
    # Newcombe, "Two-sided confidence intervals for the single proportion", Stat Med 1998,
    # Table I, method 3 (score interval without continuity correction)
    for (k, n), (lo, hi) in {
        (81, 263): (0.2553, 0.3662),
        (15, 148): (0.0624, 0.1605),
        (0, 20): (0.0000, 0.1611),
        (1, 29): (0.0061, 0.1718),
    }.items():
        got = wilson(k, n)
        assert round(got[0], 4) == lo and round(got[1], 4) == hi, (k, n, got)


def test_window_parsing() -> None:
    assert parse_window("2017-01..2018-12") == (date(2017, 1, 1), date(2018, 12, 31))
    assert parse_window("2018-02..2018-02") == (date(2018, 2, 1), date(2018, 2, 28))
    for bad in ("2017..2018", "2018-13..2019-01", "2019-01..2018-01"):
        with pytest.raises(CaseError):
            parse_window(bad)


# -- the small synthetic leak ----------------------------------------------------------------


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> tuple[Case, dict[str, Any]]:
    root = tmp_path_factory.mktemp("analyse")
    result = generate(root / "leak", seed=1, scale="small")
    case = Case.init(root / "case")
    executor = ProcessExecutor(workers=2)
    try:
        ingest(case, [root / "leak"], executor=executor)
    finally:
        executor.close()
    build_records(case)
    import_census(case, CENSUS, custodian="test")
    return case, json.loads(Path(result.truth).read_text(encoding="utf-8"))


def _run(case: Case, **kw: Any) -> Analysis:
    with case.sessions() as s:
        return analyse(s, Options(**kw))


def _detainees(truth: dict[str, Any]) -> list[dict[str, Any]]:
    return [p for p in truth["people"] if p["in_records"] and p["detention"]]


def _col(t: Table, name: str) -> int:
    return t.columns.index(name)


def test_counts_by_village_equal_the_truth(small: tuple[Case, dict[str, Any]]) -> None:
    case, truth = small
    a = _run(case, by="village")
    det = _detainees(truth)
    assert a.table("summary").rows[2][1].n == len(det)  # type: ignore[union-attr]
    want_det = Counter((p["county"], p["township"], p["village"]) for p in det)
    want_res = Counter(
        (p["county"], p["township"], p["village"]) for p in truth["people"] if p["in_resident_list"]
    )
    t = a.table("detained_by_village")
    got_det, got_res = {}, {}
    for row in t.rows:
        key = tuple(row[:3])
        got_det[key] = row[_col(t, "detained")].n  # type: ignore[union-attr]
        got_res[key] = row[_col(t, "residents listed")]
        k = row[_col(t, "detained among them")].n  # type: ignore[union-attr]
        n = row[_col(t, "residents listed")]
        assert isinstance(n, int) and n > 0
        assert row[_col(t, "share")] == k / n
        lo, hi = wilson_by_hand(k, n)
        assert row[_col(t, "ci95_low")] == pytest.approx(lo, abs=1e-12)
        assert row[_col(t, "ci95_high")] == pytest.approx(hi, abs=1e-12)
        assert "resident list" in str(row[_col(t, "denominator")])
    assert got_det == {k: v for k, v in want_det.items()}
    assert got_res == dict(want_res)


def test_every_count_equals_the_truth(small: tuple[Case, dict[str, Any]]) -> None:
    case, truth = small
    want = expected(truth["people"])
    got = observed(_run(case, by="village"), _run(case, by="county", groups=("sex",)))
    assert compare(want, got) == {k: [] for k in want}
    assert want["children_both_parents_detained"]["all"] > 0
    assert len(want["households"]) == 3 and all(want["households"].values())
    # the comparison can fail: one household fewer is a difference
    got["households"]["2"] -= 1
    assert compare(want, got)["households"] == [
        f"2: expected {want['households']['2']}, got {want['households']['2'] - 1}"
    ]


def test_report_references_resolve_to_the_truths_people_and_records(
    small: tuple[Case, dict[str, Any]], tmp_path: Path
) -> None:
    """The report lists no person; each number's reference resolves, through the CSVs
    beside it (their SHA-256 in the report), to the people and records the truth states."""
    from guwah.analyse.report import write_report

    case, truth = small
    out = tmp_path / "report.html"
    write_report(case, Options(by="village"), out)
    html = out.read_text("utf-8")
    det = _detainees(truth)
    assert not any(p["id_number"] in html for p in truth["people"][:200])
    refs = Refs(out)
    ref = re.search(
        r"detained \(any record says so\)</td><td class=\"n\"><a href=\"#(N\d+)\"", html
    )
    assert ref
    people = refs.people(ref.group(1))
    by_id = {r["person"]: r for r in refs._rows("ref_people.csv")}
    assert sorted(by_id[str(i)]["id_number"] for i in people) == sorted(p["id_number"] for p in det)
    # each detainee's records: the files, sheets and rows the generator wrote them in (a CSV
    # file has no sheet in the truth)
    records: dict[str, set[tuple[str, str | None, int]]] = {}
    for r in refs._rows("ref_records.csv"):
        mine = records.setdefault(by_id[r["person"]]["id_number"], set())
        name = r["path"].rsplit("/", 1)[-1]
        mine |= {(name, r["sheet"], int(r["row"])), (name, None, int(r["row"]))}
    for p in det:
        want = {(w["path"].rsplit("/", 1)[-1], w["sheet"], w["row"]) for w in p["rows"]}
        assert want <= records[p["id_number"]], p["key"]
    # a changed list no longer matches the digest the report states
    tampered = tmp_path / "report_tables" / "ref_counts.csv"
    tampered.write_bytes(tampered.read_bytes().replace(b"\n", b"\r\n", 1))
    with pytest.raises(AssertionError):
        Refs(out)


def test_census_rates_recomputed_from_the_census_file(small: tuple[Case, dict[str, Any]]) -> None:
    case, truth = small
    det = _detainees(truth)
    wb = openpyxl.load_workbook(CENSUS, read_only=True)
    ws = wb.worksheets[0]
    rows = ws.iter_rows(values_only=True)
    header = list(next(rows))
    census = {str(r[0]): r for r in rows if r[0] in (653121, 654027, 653122)}
    wb.close()
    t = _run(case).table("census_rates")
    by_county = Counter(p["county_code"] for p in det)
    for row in t.rows:
        if row[2] != "all":
            continue
        code = str(row[1])
        total = census[code][header.index("人口数_合计")]
        assert row[3].n == by_county[code]  # type: ignore[union-attr]
        assert row[4] == total
        assert row[5] == by_county[code] / total


def test_a_conflicting_id_is_one_person_and_reported(small: tuple[Case, dict[str, Any]]) -> None:
    case, truth = small
    conflict = next(a for a in truth["anomalies"] if a["kind"] == "id_conflict")
    a = _run(case)
    ids = [p for p in a.people.values() if p.id_number == conflict["id_number"]]
    assert len(ids) == 1
    t = a.table("conflicts")
    row = next(r for r in t.rows if r[0] == conflict["field"])
    assert ids[0].id in row[1].people  # type: ignore[union-attr]


# -- a test leak with conflicts, bad dates, a family -------------------------------------------


@pytest.fixture(scope="module")
def family(tmp_path_factory: pytest.TempPathFactory) -> Case:
    root = tmp_path_factory.mktemp("family")
    write_leak(root / "leak" / "名单.xlsx")
    case = Case.init(root / "case")
    ingest(case, [root / "leak"])
    build_records(case)
    return case


def test_one_person_in_three_sheets_counted_once_conflicts_reported(family: Case) -> None:
    a = _run(family)
    people = {p.id_number: p for p in a.people.values()}
    assert len(people) == len(a.people) == 5
    pa = people[A]
    assert len(pa.sources) == 3
    assert a.table("summary").rows[2][1].n == 4  # type: ignore[union-attr]
    # the rule: the earliest detention date, the facility of the record read first
    assert pa.detention_date == date(2018, 2, 1)
    assert pa.facility == "疏附县看守所"
    assert set(pa.conflicts) >= {"facility", "detention_date"}
    conflicts = {r[0]: r[1] for r in a.table("conflicts").rows}
    assert pa.id in conflicts["detention_date"].people  # type: ignore[union-attr]
    assert a.table("summary").rows[-1][1].people == (pa.id,)  # type: ignore[union-attr]
    # released: length of detention from the dates kept
    assert pa.status == "released"
    length = {r[0]: r[1] for r in a.table("length").rows}
    assert length["3-12 months"].people == (pa.id,)  # type: ignore[union-attr]
    # the 2030 date is reported, not counted
    bad = a.table("implausible_dates").rows
    assert [(r[0].people, r[1], r[2]) for r in bad] == [  # type: ignore[union-attr]
        ((people[B].id,), "detention_date", "2030-01-01")
    ]
    assert people[B].detention_date is None
    assert sum(r[1].n for r in a.table("monthly").rows) == 3  # type: ignore[union-attr]
    # place from the address
    assert (pa.county, pa.township, pa.village, pa.county_code) == (
        "疏附县", "阿克乡", "托万村", "653121"
    )  # fmt: skip


def test_family_households_children_and_uyghur_reasons(family: Case) -> None:
    a = _run(family)
    people = {p.id_number: p for p in a.people.values()}
    hh = {r[0]: r for r in a.table("households").rows}
    assert hh["2"][1] == 1 and set(hh["2"][2].people) == {people[A].id, people[D].id}  # type: ignore[union-attr]
    assert hh["1"][1] == 2
    kids = a.table("children").rows[0][1]
    assert kids.people == (people[E].id,)  # type: ignore[union-attr]
    reasons = {r[0]: r for r in a.table("reasons").rows}
    assert reasons["travel_abroad"][4].people == (people[B].id,)  # type: ignore[union-attr]
    assert "چەتئەلگە بارغان" in reasons["travel_abroad"][6]
    assert reasons["contacts_abroad"][4].people == (people[A].id,)  # type: ignore[union-attr]
    unclassified = {r[0]: r[1].people for r in a.table("unclassified_reasons").rows}  # type: ignore[union-attr]
    assert unclassified == {HOSTILE: (people[C].id,), OTHER: (people[A].id,)}
    # in CSV the leaked text cannot become a spreadsheet formula
    lines = table_csv(a.table("unclassified_reasons")).splitlines()
    assert f"'{HOSTILE},1" in lines


def test_relabel_and_matrix_decision_are_stored_logged_and_followed(family: Case) -> None:
    relabel(family, HOSTILE, ["untrustworthy"], reviewer="R. Viewer", note="test")
    a = _run(family)
    c = next(p for p in a.people.values() if p.id_number == C)
    reasons = {r[0]: r for r in a.table("reasons").rows}
    assert c.id in reasons["untrustworthy"][4].people  # type: ignore[union-attr]
    assert [r[0] for r in a.table("unclassified_reasons").rows] == [OTHER]
    with pytest.raises(CaseError, match="unknown reason label"):
        relabel(family, HOSTILE, ["no_such_label"], reviewer="R. Viewer")
    before = a.table("violation_matrix_rules")
    row = next(r for r in before.rows if r[2] == "family_grounds" or r[2] == "detained")
    assert row[3] == "suggested"
    decide(family, "arbitrary_detention", "e", "detained", "rejected", reviewer="R. Viewer")
    after = _run(family).table("violation_matrix_rules")
    rows = [r for r in after.rows if r[2] == "detained" and r[1] == "7(1)(e)"]
    assert rows and all(r[3] == "rejected" for r in rows)
    with family.sessions() as s:
        events = [e.event for e in s.scalars(select(CustodyEvent).order_by(CustodyEvent.seq))]
        assert "reason_relabelled" in events and "matrix_decided" in events
        assert verify(s, family.blobs).ok


def test_bad_census_files(family: Case, tmp_path: Path) -> None:
    missing = tmp_path / "missing.xlsx"
    write_census(missing, drop_total=True)
    with pytest.raises(CensusError, match="人口数_合计"):
        import_census(family, missing)
    from typer.testing import CliRunner

    from guwah.cli import app

    res = CliRunner().invoke(
        app, ["reference", "import", "census", str(missing), "--case", str(family.root)]
    )
    assert res.exit_code == 2 and "人口数_合计" in res.output
    renamed = tmp_path / "renamed.xlsx"
    write_census(renamed, rename_male=True)
    imp = import_census(family, renamed, custodian="test")
    assert any("人口数_男" in p for p in imp.problems)
    assert any("659999" in p for p in imp.problems)
    t = _run(family).table("census_rates")
    row = next(r for r in t.rows if r[0] == "疏附县" and r[2] == "all")
    assert row[4] is None and row[5] is None
    assert "653121" in str(row[6]) and "not in the census" in str(row[6])
    with family.sessions() as s:
        ev = s.scalars(select(CustodyEvent).where(CustodyEvent.event == "reference_imported")).all()
        assert ev and ev[-1].item_sha256 == imp.sha256
    assert (family.root / "reference" / imp.sha256[:2] / imp.sha256[2:4] / imp.sha256).exists()


def test_report_html_escapes_links_and_writes_csv(family: Case, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from guwah.cli import app

    # the hostile reason, unclassified (again: a test above relabels it), is in the report as
    # the row of a table; no person is
    relabel(family, HOSTILE, [], reviewer="R. Viewer", note="unclassified")
    out = tmp_path / "r.html"
    res = CliRunner().invoke(app, ["report", "--case", str(family.root), "--out", str(out)])
    assert res.exit_code == 0, res.output
    html = out.read_text("utf-8")
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    # a number links to its reference; the people are in the CSVs beside the report, not in it
    assert 'href="#N1"' in html and 'id="N1"' in html
    with family.sessions() as s:
        a = analyse(s, Options())
    pa = next(p for p in a.people.values() if p.id_number == A)
    assert A not in html and "艾力·买买提" not in html
    refs = Refs(out)
    detained = re.search(
        r"detained \(any record says so\)</td><td class=\"n\"><a href=\"#(N\d+)\"", html
    )
    assert detained, html[:3000]
    people = refs.people(detained.group(1))
    assert sorted(people) == sorted(a.table("summary").rows[2][1].people)  # type: ignore[union-attr]
    assert {refs.person(i)["id_number"] for i in people} == {A, B, C, D}
    got = [
        (r["sha256"], int(r["sheet_index"]), r["sheet"], int(r["row"])) for r in refs.records(pa.id)
    ]
    assert got == [(s.sha256, s.sheet_index, s.sheet, s.row) for s in pa.sources]
    assert {r["sheet"] for r in refs.records(pa.id)} == {"在押人员", "转送名单", "户籍人口"}
    # leaked text in the CSVs cannot become a formula
    hostile = next(p for p in a.people.values() if p.id_number == C)
    assert refs.person(hostile.id)["reasons"] == "'" + HOSTILE
    csvs = {p.name for p in (tmp_path / "r_tables").iterdir()}
    assert {"summary.csv", "violation_matrix.csv", "reasons.csv", "census_rates.csv"} <= csvs
    evidence = (tmp_path / "r_tables" / "violation_matrix_evidence.csv").read_text("utf-8-sig")
    assert evidence.startswith("category,act,rule")


def test_report_pdf_embeds_chinese_and_arabic_script_fonts(family: Case, tmp_path: Path) -> None:
    from PIL import ImageFile

    from guwah.analyse.report import write_report

    out = tmp_path / "r.pdf"
    write_report(family, Options(), out)
    # WeasyPrint turns on Pillow's LOAD_TRUNCATED_IMAGES when imported: put back, or a
    # truncated photo ingested later in the same process would read as whole
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False
    data = out.read_bytes()
    assert data.startswith(b"%PDF")
    objects = [data]
    for m in re.finditer(rb"stream\r?\n(.*?)endstream", data, re.S):
        with contextlib.suppress(zlib.error):
            objects.append(zlib.decompressobj().decompress(m.group(1)))
    fonts = set(re.findall(rb"/BaseFont\s*/([A-Za-z0-9+_-]+)", b"".join(objects)))
    assert any(b"CJK" in f for f in fonts), fonts  # Noto Sans CJK for the Chinese
    assert any(b"Arabic" in f for f in fonts), fonts  # Noto Naskh/Sans Arabic for the Uyghur
    import pypdfium2

    doc = pypdfium2.PdfDocument(str(out))
    text = "".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))
    assert "托万村" in text and "Methods" in text and "ref_counts.csv" in text
    assert A not in text  # the people are in the CSVs beside it (their SHA-256 in it)
    Refs(out, pdf_text=text)


def test_groups_by_age_band_at_the_detention_date(family: Case) -> None:
    a = _run(family, by="township", groups=("age", "sex"))
    t = a.table("detained_by_township")
    rows = {tuple(r[:4]): r for r in t.rows}
    # the son (born 2008) is a resident minor, not detained: a denominator, not a numerator
    minor = rows[("疏附县", "阿克乡", "minor", "male")]
    assert minor[_col(t, "detained")].n == 0 and minor[_col(t, "residents listed")] == 1  # type: ignore[union-attr]
    assert minor[_col(t, "share")] == 0.0
    adults = rows[("疏附县", "阿克乡", "adult", "male")]
    k = adults[_col(t, "detained among them")].n  # type: ignore[union-attr]
    n = adults[_col(t, "residents listed")]
    assert (k, n) == (3, 3) and adults[_col(t, "share")] == 1.0
    assert adults[_col(t, "ci95_low")] == pytest.approx(wilson_by_hand(3, 3)[0])


def test_same_numbers_on_postgresql(pg_url: str, tmp_path: Path) -> None:
    from tests.conftest import pg_database

    write_leak(tmp_path / "leak" / "名单.xlsx")
    census = tmp_path / "census.xlsx"
    write_census(census)
    case = Case.init(tmp_path / "case", database_url=pg_database(pg_url, "guwah_analyse"))
    assert case.engine.dialect.name == "postgresql"
    ingest(case, [tmp_path / "leak"])
    build_records(case)
    imp = import_census(case, census, custodian="test")
    relabel(case, OTHER, ["untrustworthy"], reviewer="R. Viewer")
    decide(
        case, "family_separation", "k", "parents_both_detained", "confirmed", reviewer="R. Viewer"
    )
    a = _run(case, by="village", groups=("sex",))
    people = {p.id_number: p for p in a.people.values()}
    assert len(people) == 5 and a.table("summary").rows[2][1].n == 4  # type: ignore[union-attr]
    assert people[A].detention_date == date(2018, 2, 1) and "facility" in people[A].conflicts
    reasons = {r[0]: r[4].people for r in a.table("reasons").rows}  # type: ignore[union-attr]
    assert people[A].id in reasons["untrustworthy"]
    rules = a.table("violation_matrix_rules").rows
    assert any(r[2] == "parents_both_detained" and r[3] == "confirmed" for r in rules)
    t = a.table("census_rates")
    assert imp.n_counties == 1
    row = next(r for r in t.rows if r[2] == "all")
    assert row[4] is None and "653121" in str(row[6])
    with case.sessions() as s:
        assert verify(s, case.blobs).ok


def test_a_pseudonymised_report_names_no_one_and_still_adds_up(
    small: tuple[Case, dict[str, Any]], tmp_path: Path
) -> None:
    """`guwah report --pseudonymise` and `guwah analyse --out --pseudonymise`: no name, no
    full ID number in the report or any CSV beside it, birth dates as years; the digests the
    report states are those of the redacted CSVs, and each reference still resolves to as
    many people as the truth holds, each under one stable pseudonym."""
    from tests.conftest import run_cli

    case, truth = small
    out = tmp_path / "report.html"
    r = run_cli("report", "--out", out, "--pseudonymise", "--case", case.root)
    assert "pseudonymised" in r.stdout
    people = [p for p in truth["people"] if p["in_records"]]
    secrets = {p["name"] for p in people} | {p["id_number"] for p in people}
    tables = tmp_path / "tables"
    run_cli("analyse", "--out", tables, "--pseudonymise", "--case", case.root)
    files = [out, *(tmp_path / "report_tables").glob("*.csv"), *tables.glob("*.csv")]
    assert len(files) > 8
    for f in files:
        text = f.read_text(encoding="utf-8-sig")
        leaked = [s for s in secrets if s and s in text]
        assert not leaked, (f.name, leaked[:3])
    html = out.read_text("utf-8")
    assert "Pseudonymised: people appear as stable pseudonyms" in html
    refs = Refs(out)  # every digest the report states is that of the file beside it
    ref = re.search(
        r"detained \(any record says so\)</td><td class=\"n\"><a href=\"#(N\d+)\"", html
    )
    assert ref
    r0 = refs.index[ref.group(1)]
    lines = refs.lines[int(r0["first_line"]) - 1 : int(r0["last_line"])]
    shown = {line.split(",")[1] for line in lines}
    assert len(shown) == len(_detainees(truth)) and all(
        re.fullmatch(r"P-[A-Z2-7]{8}", s) for s in shown
    )
    rows = {r["person"]: r for r in refs._rows("ref_people.csv")}
    assert shown <= set(rows)  # the same pseudonym in every file
    assert all(re.fullmatch(r"\d{10}\*{8}", rows[s]["id_number"]) for s in shown)
    assert all(len(r["birth_date"]) <= 4 for r in rows.values())
