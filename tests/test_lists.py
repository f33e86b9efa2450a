"""Lists: importing the published formats (real OFAC and EU files; small files in the
published layouts for the others), versions and delistings, cross-script matching."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from guwah.case import Case, CaseError
from guwah.lists.entity import ListFormatError
from guwah.lists.match import ListMatcher, Query
from guwah.lists.stage import import_list, read_entities
from guwah.store.custody import verify
from guwah.store.models import CustodyEvent
from guwah.store.models_lists import ListEntityRow, ListVersion

from . import lists_files as lf
from .conftest import SHARED_DATA, run_cli

OFAC = SHARED_DATA / "ofac" / "sdn-2024-05-03.csv"
EU = SHARED_DATA / "eu" / "ghrsr-32020R1998.csv"


def _by_caption(data: bytes, fmt: str) -> dict[str, dict[str, list[str]]]:
    entities, _ = read_entities(data, fmt)
    return {e.caption: {"schema": [e.schema], **e.properties} for e in entities}


@pytest.fixture(scope="module")
def listed_case(tmp_path_factory: pytest.TempPathFactory) -> Case:
    case = Case.init(tmp_path_factory.mktemp("lists") / "case")
    import_list(case, OFAC, "ofac-csv", name="ofac", as_of="2024-05-03")
    import_list(case, EU, "eu-csv", name="eu")
    return case


def test_ofac_csv_real_file() -> None:
    entities, skipped = read_entities(OFAC.read_bytes(), "ofac-csv")
    by_id = {e.id: e for e in entities}
    chen = by_id["ofac-29220"]
    assert chen.get("name") == ["CHEN, Quanguo"] and chen.schema == "Person"
    assert chen.get("birthDate") == ["1955"]  # a year only stays a year
    assert chen.get("birthPlace") == ["Pingyu, Henan, China"]
    assert chen.get("gender") == ["male"] and chen.get("program") == ["GLOMAG"]
    xpcc = by_id["ofac-29299"]
    assert xpcc.get("linkedTo") == ["CHEN, Quanguo"]
    sun = by_id["ofac-29300"]
    assert sun.get("birthDate") == ["1962-01"] and sun.get("nationality") == ["China"]
    assert skipped > 1000 and not any(e.schema == "Vessel" for e in entities)
    usccs = [r for e in entities for r in e.get("registrationNumber") if len(r) == 18]
    assert usccs  # OFAC's "Unified Social Credit Code (USCC)" remarks, validated


def test_eu_csv_real_file() -> None:
    by = _by_caption(EU.read_bytes(), "eu-csv")
    zhu = by["ZHU Hailun"]
    assert zhu["alias"] == ["朱海仑"] and zhu["birthDate"] == ["1958-01"]
    assert zhu["listingDate"] == ["2021-03-22"] and zhu["gender"] == ["male"]
    assert zhu["birthPlace"] == ["Lianshui, Jiangsu (China)"]
    psb = by["Xinjiang Production and Construction Corps Public Security Bureau"]
    assert psb["schema"] == ["PublicBody"] and psb["alias"] == ["新疆生产建设兵团公安局"]


def test_uflpa_html_prose_aliases_and_subsidiaries() -> None:
    by = _by_caption(lf.UFLPA_HTML.encode(), "uflpa-html")
    daqo = by["Xinjiang Daqo New Energy, Co. Ltd."]
    assert daqo["alias"] == ["Xinjiang Daqo New Energy Co., Ltd.", "Daqo New Energy"]
    assert daqo["listingDate"] == ["2022-06-21"]
    assert "XPCC" in by["Xinjiang Production and Construction Corps"]["alias"]
    chen = by["Chenguang Biotech Group Co., Ltd."]
    assert chen["subsidiaries"] == [
        "Chenguang Biotech Group (Yanqi) Co., Ltd.",
        "Chenguang Natural Extracts (Kashgar) Co., Ltd.",
        "Chenguang Biotech Group (Karamay) Co., Ltd.",
    ]
    assert by["Chenguang Natural Extracts (Kashgar) Co., Ltd."]["parent"] == [
        "Chenguang Biotech Group Co., Ltd."
    ]
    assert "recruit" in chen["section"][0]
    assert by["Hoshine Silicon Industry (Shanshan) Co., Ltd."]["schema"] == ["Company"]


def test_uk_csv_and_xml() -> None:
    by = _by_caption(lf.UK_CSV.encode(), "uk-csv")
    assert set(by) == {
        "ZHU, Hailun",
        "Xinjiang Production and Construction Corps Public Security Bureau",
    }
    zhu = by["ZHU, Hailun"]
    assert zhu["alias"] == ["朱海仑", "ZHU, Hai Lun"] and zhu["birthDate"] == ["1958"]
    assert zhu["listingDate"] == ["2021-03-22"]
    x = _by_caption(lf.UK_XML.encode(), "uk-xml")["WANG, Junzheng"]
    assert x["alias"] == ["王君正"] and x["birthDate"] == ["1963-05"]


def test_un_eu_ofac_xml_ftm_and_own_csv() -> None:
    un = _by_caption(lf.UN_XML.encode(), "un-xml")
    assert un["ABDUL HAQ"]["alias"] == ["阿不都·哈克", "Memetiming Memeti"]
    assert un["ABDUL HAQ"]["birthPlace"] == ["Hotan, China"]
    assert un["EASTERN TURKISTAN ISLAMIC MOVEMENT"]["alias"] == ["ETIM"]
    eu = _by_caption(lf.EU_XML.encode(), "eu-xml")["Mingguo CHEN"]
    assert eu["alias"] == ["陈明国"] and eu["birthDate"] == ["1966-10"] and eu["gender"] == ["male"]
    ofac = _by_caption(lf.OFAC_XML.encode(), "ofac-xml")
    assert ofac["CHEN, Quanguo"]["gender"] == ["male"]
    co = ofac["EXAMPLE TRADING (XINJIANG) CO., LTD."]
    assert co["registrationNumber"] == ["91110000600037341L"]  # python-stdnum's valid example
    assert co["invalidIdentifier"][0].startswith("USCC 91110000600037341M")
    assert "SOME SHIP" not in ofac
    ftm = _by_caption(lf.FTM.encode(), "ftm")
    assert ftm["Shohrat Zakir"]["program"] == ["GLOMAG"] and "SHIP" not in ftm
    own = _by_caption(lf.OWN_CSV.encode(), "csv")
    assert own["吐尔逊·买买提"]["schema"] == ["Person"]


@pytest.mark.parametrize(
    ("fmt", "data", "says"),
    [
        ("un-xml", lf.UN_XML[:400].encode(), "line"),
        ("eu-csv", b"celex,recordId,schema\n1,2,Person\n", "programKey"),
        ("eu-csv", EU.read_text(encoding="utf-8")[:3000].encode("utf-16"), "not UTF-8"),
        ("ofac-csv", b'1,"NAME","individual"\n', "line 1"),
        ("uflpa-html", b"<html><table><tr><td>x</td></tr></table></html>", "Name of Entity"),
        ("ofac-xml", lf.UN_XML.encode(), "sdnList"),
        ("ftm", b'{"id": 1, "schema": "Person", "properties": {}}\n{oops\n', "line 1"),
    ],
)
def test_malformed_files_name_the_place_and_import_nothing(
    case: Case, tmp_path: Path, fmt: str, data: bytes, says: str
) -> None:
    bad = tmp_path / "bad"
    bad.write_bytes(data)
    with pytest.raises(ListFormatError, match=says):
        import_list(case, bad, fmt, name="bad")
    with case.sessions() as session:
        assert session.scalars(select(ListVersion)).all() == []
        assert session.scalars(select(ListEntityRow)).all() == []


def test_import_preserves_the_file_with_custody(listed_case: Case) -> None:
    with listed_case.sessions() as session:
        events = session.scalars(
            select(CustodyEvent).where(CustodyEvent.event == "list-imported")
        ).all()
        assert {e.details["list"] for e in events} == {"ofac", "eu"}
        report = verify(session, listed_case.blobs)
    assert report.ok, report
    import hashlib

    sha = hashlib.sha256(OFAC.read_bytes()).hexdigest()
    assert listed_case.blobs.path_for(sha).read_bytes() == OFAC.read_bytes()


def _write_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)


def test_versions_show_added_changed_delisted_and_keep_the_old(case: Case, tmp_path: Path) -> None:
    with EU.open(encoding="utf-8", newline="") as fh:
        header, *rows = list(csv.reader(fh))
    old = tmp_path / "old.csv"
    _write_csv(old, header, rows[:-1])  # before the last listing
    import_list(case, old, "eu-csv", name="eu", as_of="2021-03-01")
    zhu = next(r for r in rows if "ZHU Hailun" in r)
    new_rows = [[c.replace("January 1958", "1958") for c in r] if r is zhu else r for r in rows[1:]]
    new = tmp_path / "new.csv"
    _write_csv(new, header, new_rows)
    result = import_list(case, new, "eu-csv", name="eu", as_of="2021-04-01")
    c = result.changes
    assert len(c.added) == 1 and len(c.removed) == 1 and len(c.changed) == 1
    assert c.changed == ["eu-32020r1998-i.a-5"]
    with case.sessions() as session:
        versions = session.scalars(select(ListVersion).order_by(ListVersion.id)).all()
        assert [v.as_of for v in versions] == ["2021-03-01", "2021-04-01"]
        old_rows = session.scalars(
            select(ListEntityRow).where(ListEntityRow.version_id == versions[0].id)
        ).all()
        assert len(old_rows) == len(rows) - 1
        hits = ListMatcher.from_session(session).match(Query("Person", ["朱海仑"]))
    assert hits[0].listed.version["version"] == versions[1].id
    assert hits[0].listed.version["as_of"] == "2021-04-01"
    again = import_list(case, new, "eu-csv", name="eu")
    assert again.already
    out = run_cli("lists", "changes", "eu", "--case", case.root)
    assert "delisted" in out.stdout and "changed" in out.stdout


def test_people_match_across_scripts_with_qualifiers(listed_case: Case) -> None:
    with listed_case.sessions() as session:
        m = ListMatcher.from_session(session)
    for name in ("陈全国", "Chen Quanguo", "Ch'en Ch'üan-kuo", "CHEN Quanguo"):
        top = m.match(Query("Person", [name]))[0]
        assert top.listed.caption == "CHEN, Quanguo" and top.match, name
    agree = m.match(Query("Person", ["陈全国"], birth_dates=["1955"], genders=["male"]))[0]
    assert agree.score == 1.0 and any("birth year agree" in e for e in agree.explanations)
    sunk = m.match(Query("Person", ["陈全国"], birth_dates=["1990"]))
    assert sunk and not sunk[0].match and "conflict" in " ".join(sunk[0].explanations)
    assert any(h.listed.version["list"] == "eu" for h in m.match(Query("Person", ["朱海仑"])))
    assert not any(h.match for h in m.match(Query("Person", ["陈国全"])))


def test_companies_and_bodies_match_across_languages(listed_case: Case) -> None:
    with listed_case.sessions() as session:
        m = ListMatcher.from_session(session)
    for name in (
        "新疆生产建设兵团",
        "Bingtuan",
        "XPCC",
        "Xinjiang Production & Construction Corps",
    ):
        top = m.match(Query("Company", [name]))[0]
        assert top.listed.caption == "XINJIANG PRODUCTION AND CONSTRUCTION CORPS", name
    top = m.match(Query("Organization", ["新疆生产建设兵团公安局"]))[0]
    assert top.listed.caption == "Xinjiang Production and Construction Corps Public Security Bureau"
    assert top.match


def test_uscc_is_an_exact_identifier(case: Case, tmp_path: Path) -> None:
    own = tmp_path / "own.csv"
    own.write_text(lf.OWN_CSV, encoding="utf-8")
    import_list(case, own, "csv", name="watch")
    with case.sessions() as session:
        m = ListMatcher.from_session(session, ["watch"])
    hit = m.match(Query("Company", ["Totally Different Name"], identifiers=["91110000600037341L"]))[
        0
    ]
    assert hit.score == 1.0 and hit.features == {"identifier": 1.0}
    assert m.match(Query("Company", ["新疆某某棉业股份有限公司"]))[0].listed.entity_id == "x1"


def test_cli_import_and_match(tmp_path: Path) -> None:
    root = tmp_path / "c"
    run_cli("init", root)
    page = tmp_path / "uflpa.html"
    page.write_text(lf.UFLPA_HTML, encoding="utf-8")
    out = run_cli(
        "lists", "import", page, "--format", "uflpa-html", "--name", "uflpa", "--case", root
    )
    assert "List uflpa version 1" in out.stdout
    bad = run_cli("lists", "import", page, "--format", "eu-xml", "--case", root, check=False)
    assert bad.returncode == 2 and "Nothing was imported" in bad.stderr
    out = run_cli("lists", "match", "合盛硅业(鄯善)有限公司", "--schema", "Company", "--case", root)
    assert "Hoshine" not in out.stdout or "no" in out.stdout  # a brand name is not pinyin
    out = run_cli("lists", "match", "DAQO NEW ENERGY CO LTD", "--schema", "Company", "--case", root)
    assert "Daqo" in out.stdout and "uflpa v1" in out.stdout
    with pytest.raises(CaseError):
        import_list(Case.open(root), page, "csv", name="all")
    shutil.rmtree(root)


def test_import_versions_and_match_on_postgresql(pg_url: str, tmp_path: Path) -> None:
    from .conftest import pg_database

    case = Case.init(tmp_path / "case", database_url=pg_database(pg_url, "guwah_lists"))
    import_list(case, EU, "eu-csv", name="eu", as_of="2021-04-01")
    with EU.open(encoding="utf-8", newline="") as fh:
        header, *rows = list(csv.reader(fh))
    fewer = tmp_path / "fewer.csv"
    _write_csv(fewer, header, rows[1:])
    result = import_list(case, fewer, "eu-csv", name="eu", as_of="2022-01-01")
    assert len(result.changes.removed) == 1 and not result.changes.added
    with case.sessions() as session:
        hit = ListMatcher.from_session(session).match(Query("Person", ["朱海仑"]))[0]
        assert hit.listed.version["as_of"] == "2022-01-01" and hit.match
        assert verify(session, case.blobs).ok
    case.engine.dispose()


def test_pinyin_of_a_transcribed_uyghur_name_finds_the_listed_official(listed_case: Case) -> None:
    """Chinese documents write 雪克来提·扎克尔 (Shohrat Zakir, OFAC SDN) in pinyin as Xuekelaiti
    Zhakeer: the index is searched under the Uyghur reading of each part as well, so the whole
    list finds him (before 2026-12-02 only a pair-by-pair comparison did)."""
    with listed_case.sessions() as session:
        m = ListMatcher.from_session(session)
    for name in ("Xuekelaiti Zhakeer", "Aierken Tuniyazi"):
        hits = m.match(Query("Person", [name]))
        assert hits and hits[0].match, name
    assert m.match(Query("Person", ["Xuekelaiti Zhakeer"]))[0].listed.caption == "ZAKIR, Shohrat"
    # a Han name written apart, given name first, is no Uyghur given · father name: 军 徐 is not
    # JON, Il Ho
    assert not any(
        h.match for h in m.match(Query("Person", ["军 徐"])) if "JON" in h.listed.caption
    )
