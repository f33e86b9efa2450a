"""`guwah person`: find one person by ID number or by name in any script, with sources."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from guwah.case import Case
from guwah.ingest.executor import ProcessExecutor
from guwah.ingest.pipeline import ingest
from guwah.records.stage import build_records
from guwah.synth import generate
from guwah.verify.stage import run_checks
from tests.conftest import run_cli


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Case, dict[str, Any]]:
    root = tmp_path_factory.mktemp("person")
    result = generate(root / "leak", seed=7, scale="small")
    case = Case.init(root / "case")
    ingest(case, [root / "leak"], executor=ProcessExecutor(workers=2))
    build_records(case)
    run_checks(case, executor=ProcessExecutor(workers=2))
    truth = json.loads(Path(result.truth).read_text(encoding="utf-8"))
    return case, truth


def _hits(case: Case, *args: str) -> list[dict[str, Any]]:
    proc = run_cli("person", *args, "--json", "--case", case.root, check=False)
    return json.loads(proc.stdout) if proc.stdout.strip() else []


def _recorded(truth: dict[str, Any], ethnicity: str) -> dict[str, Any]:
    return next(
        p
        for p in truth["people"]
        if p["ethnicity"] == ethnicity
        and p.get("in_records")
        and p["rows"]
        and not p.get("anomalies")
        and p["latin"]
    )


def test_latin_spelling_of_a_uyghur_name_finds_the_person(built: tuple[Case, dict]) -> None:
    case, truth = built
    target = _recorded(truth, "uyghur")
    hits = _hits(case, target["latin"][-1], "--born", target["birth_date"][:4])
    assert hits, f"no hit for {target['latin'][-1]}"
    top = hits[0]["person"]
    assert top["id_number"] == target["id_number"]
    assert target["name"] in top["names"]
    # the record comes with its provenance
    rows = {(r["path"], r["row"]) for r in top["records"]}
    assert any((row["path"], row["row"]) in rows for row in target["rows"])
    assert all(len(r["sha256"]) == 64 for r in top["records"])
    assert "=" in hits[0]["explanation"] or "~" in hits[0]["explanation"]


def test_id_number_and_han_name_lookup(built: tuple[Case, dict]) -> None:
    case, truth = built
    target = _recorded(truth, "han")
    by_id = _hits(case, target["id_number"])
    assert [h["person"]["id_number"] for h in by_id] == [target["id_number"]]
    assert by_id[0]["score"] == 1.0
    by_name = _hits(case, target["name"], "--limit", "50")
    assert target["id_number"] in {h["person"]["id_number"] for h in by_name}


def test_filters_exclude_people_born_elsewhere_or_another_year(built: tuple[Case, dict]) -> None:
    case, truth = built
    target = _recorded(truth, "uyghur")
    year = int(target["birth_date"][:4])
    assert _hits(case, target["id_number"], "--born", str(year))
    assert _hits(case, target["id_number"], "--born", str(year + 1))  # give or take a year
    assert not _hits(case, target["id_number"], "--born", str(year + 1), "--born-within", "0")
    assert not _hits(case, target["id_number"], "--born", str(year - 2))
    assert _hits(case, target["id_number"], "--county", target["county"])
    assert not _hits(case, target["id_number"], "--county", "不存在县")


def test_no_match_says_what_to_do(built: tuple[Case, dict]) -> None:
    case, _ = built
    proc = run_cli("person", "Zzyzx Qwerty", "--case", case.root, check=False)
    assert proc.returncode == 1 and "guwah records" in proc.stdout


def test_a_persons_findings_come_with_the_person(built: tuple[Case, dict]) -> None:
    case, truth = built
    edited = next(
        a for a in truth["anomalies"] if a["kind"] == "edited_photo" and a.get("id_number")
    )
    hits = _hits(case, edited["id_number"])
    assert hits, edited["id_number"]
    kinds = {f["kind"] for f in hits[0]["findings"]}
    assert "edited_photo" in kinds
    clean = _recorded(truth, "han")
    clean_hits = _hits(case, clean["id_number"])
    assert not {f["kind"] for f in clean_hits[0]["findings"]} & {"edited_photo"}


def test_filters_run_before_the_list_is_cut(tmp_path: Path) -> None:
    """Many people share a family's spelling; the one born that year, written another way,
    is found with --limit 5 — the hit does not depend on how many others rank above."""
    from guwah.person.stage import find_people
    from guwah.store.models import Person, PersonName

    case = Case.init(tmp_path / "case")
    with case.sessions() as s:
        for i in range(120):  # the same name, born long before
            s.add(Person(id=i + 1, name="Ferhat Ishak", birth_date=f"{1940 + i % 30}-01-01",
                         method="single"))  # fmt: skip
            s.add(PersonName(person_id=i + 1, name="Ferhat Ishak", raw="Ferhat Ishak"))
        s.add(Person(id=500, name="Perhat Ishaq", birth_date="1976-05-01", method="single"))
        s.add(PersonName(person_id=500, name="Perhat Ishaq", raw="Perhat Ishaq"))
        s.commit()
        unfiltered = find_people(s, "Ferhat Ishak", limit=200)
        assert [h.person.id for h in unfiltered].index(500) >= 100  # far down the list
        for limit in (1, 5, 100):
            hits = find_people(s, "Ferhat Ishak", born=1975, limit=limit)
            assert [h.person.id for h in hits] == [500], limit  # born 1976: within a year
        assert not find_people(s, "Ferhat Ishak", born=1975, born_within=0, limit=5)


@pytest.mark.parametrize(
    "county", ["疏附县", "疏附", "Shufu", "shufu", "Konasheher", "Kona Sheher", "كونا شەھەر"]
)
def test_the_county_in_any_script(built: tuple[Case, dict], county: str) -> None:
    """Published names of Shufu county: pinyin, its Uyghur name in Latin and Arabic script."""
    case, truth = built
    there = next(p for p in truth["people"] if p.get("in_records") and p["county"] == "疏附县")
    elsewhere = next(
        p for p in truth["people"] if p.get("in_records") and p["county"] == "特克斯县"
    )
    assert _hits(case, there["id_number"], "--county", county)
    assert not _hits(case, elsewhere["id_number"], "--county", county)


def test_age_as_a_family_knows_it(built: tuple[Case, dict]) -> None:
    """ "He was 40 in 2018": born 1977 or 1978 (the birthday may not have come), give or take."""
    from guwah.person.stage import birth_years, parse_age

    assert parse_age("40@2018") == (40, 2018) and parse_age("40", today=2026) == (40, 2026)
    assert birth_years(None, 0, (40, 2018)) == (1977, 1978)
    assert birth_years(None, 1, (40, 2018)) == (1976, 1979)
    assert birth_years(1979, 1, (40, 2018)) == (1978, 1979)  # both: what both allow
    case, truth = built
    target = _recorded(truth, "uyghur")
    year = int(target["birth_date"][:4])
    assert _hits(case, target["id_number"], "--age", f"{2018 - year}@2018", "--born-within", "0")
    assert not _hits(case, target["id_number"], "--age", f"{2018 - year - 3}@2018")
    bad = run_cli("person", "x", "--age", "forty", "--case", case.root, check=False)
    assert bad.returncode == 2 and "AGE@YEAR" in bad.stderr
