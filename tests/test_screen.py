"""Supplier screening: list hits, Xinjiang and XPCC indicators, listed parents, risk levels,
bad rows kept as errors, the XLSX/CSV/JSON reports; the yente-compatible match API."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from guwah.case import Case
from guwah.lists.match import ListMatcher
from guwah.lists.stage import import_list
from guwah.screen.indicators import find
from guwah.screen.report import write
from guwah.screen.stage import screen_file

from . import lists_files as lf
from .conftest import SHARED_DATA, run_cli

OFAC = SHARED_DATA / "ofac" / "sdn-2024-05-03.csv"
EU = SHARED_DATA / "eu" / "ghrsr-32020R1998.csv"
SUPPLIERS = [
    ["name_zh", "name_en", "address", "country", "uscc", "parent"],
    ["新疆生产建设兵团", "", "乌鲁木齐市", "China", "", ""],  # listed (OFAC), XPCC
    [
        "",
        "Hoshine Silicon Industry (Shanshan) Co., Ltd.",
        "Shanshan County, Turpan",
        "China",
        "",
        "",
    ],
    [
        "上海某某贸易有限公司",
        "",
        "上海市浦东新区",
        "China",
        "",
        "新疆生产建设兵团",
    ],  # listed parent
    ["某某棉业有限公司", "", "新疆阿克苏地区阿瓦提县", "China", "", ""],  # Xinjiang address
    ["第一师阿拉尔市某某纺织有限公司", "", "", "China", "", ""],  # XPCC naming
    ["", "Acme Apparel Ltd", "12 Bay Street, Toronto", "Canada", "", ""],
    ["", "", "no name here", "", "", ""],
    ["某某电子有限公司", "", "广东省深圳市", "China", "91650100MA77X7XX1X", ""],
]


@pytest.fixture(scope="module")
def screened_case(tmp_path_factory: pytest.TempPathFactory) -> Case:
    root = tmp_path_factory.mktemp("screen")
    case = Case.init(root / "case")
    import_list(case, OFAC, "ofac-csv", name="ofac", as_of="2024-05-03")
    page = root / "uflpa.html"
    page.write_text(lf.UFLPA_HTML, encoding="utf-8")
    import_list(case, page, "uflpa-html", name="uflpa", as_of="2024-01-01")
    return case


@pytest.fixture(scope="module")
def matcher(screened_case: Case) -> ListMatcher:
    with screened_case.sessions() as session:
        return ListMatcher.from_session(session)


def _csv(path: Path, rows: list[list[str]], encoding: str = "utf-8") -> Path:
    with path.open("w", encoding=encoding, newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


def test_indicators_from_gbt2260_and_xpcc_naming() -> None:
    assert find("某公司", "新疆维吾尔自治区喀什地区疏附县")[0].kind == "xinjiang"
    assert any("653121" in i.evidence for i in find("某公司", "疏附县托克扎克镇"))  # 疏附县
    assert any(i.kind == "xpcc" for i in find("新疆兵团第八师石河子某厂", ""))
    assert any(i.kind == "xpcc" for i in find("Xinjiang 8th Division Cotton Co", ""))
    assert any(
        "Kashgar" in i.evidence or "kashgar" in i.evidence for i in find("X", "Kashgar, XUAR")
    )
    assert find("Acme", "12 Bay Street, Toronto", country="Canada") == []
    assert find("Acme", "Shanshan Road 5, Taipei", country="Taiwan") == []  # foreign: no spellings
    assert any("USCC region" in i.evidence for i in find("X", "", "91650100MA77X7XX1X"))
    assert find("北京某科技有限公司", "北京市海淀区", "91110000600037341L") == []


def test_screen_ranks_risks_with_reasons(matcher: ListMatcher, tmp_path: Path) -> None:
    report = screen_file(matcher, _csv(tmp_path / "s.csv", SUPPLIERS))
    by = {r.line: r for r in report.results}
    assert (
        by[2].risk == "high"
        and "listed: XINJIANG PRODUCTION AND CONSTRUCTION CORPS" in by[2].reasons[0]
    )
    assert (
        by[2].hits[0]["list"]["list"] == "ofac" and by[2].hits[0]["list"]["as_of"] == "2024-05-03"
    )
    assert by[3].risk == "high" and any("uflpa" in r for r in by[3].reasons)  # the listed Hoshine
    assert by[4].risk == "high" and any(
        r.startswith("parent or owner listed") for r in by[4].reasons
    )
    assert by[5].risk == "medium" and any("阿瓦提" in r for r in by[5].reasons)
    assert by[6].risk == "high" and any("XPCC" in r for r in by[6].reasons)
    assert by[7].risk == "none" and not by[7].reasons
    assert by[8].error == "no supplier name in this row"
    assert by[9].risk == "medium" and any("USCC region" in r for r in by[9].reasons)
    ranked = [r.line for r in report.ranked()]
    assert ranked.index(2) < ranked.index(5) < ranked.index(7)


def test_mixed_encodings_and_bad_rows_do_not_stop_the_rest(
    matcher: ListMatcher, tmp_path: Path
) -> None:
    path = _csv(tmp_path / "mixed.csv", SUPPLIERS[:3])
    with path.open("ab") as fh:
        fh.write("某某棉业有限公司,,新疆和田地区,China,,\n".encode("gb18030"))
        fh.write(b'"broken,\n')
        fh.write("某某公司,,北京,China,,\n".encode())
    report = screen_file(matcher, path)
    gb = next(r for r in report.results if "和田" in r.supplier.get("address", ""))
    assert gb.warnings == ["not UTF-8: read as GB18030"] and gb.risk == "medium"
    assert len(report.results) == 5
    assert report.results[-1].supplier["name_zh"] == "某某公司"


def test_reports_xlsx_csv_json(matcher: ListMatcher, tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    for row in SUPPLIERS:
        ws.append(row)
    src = tmp_path / "s.xlsx"
    wb.save(src)
    report = screen_file(matcher, src)
    write(report, tmp_path / "r.xlsx")
    out = load_workbook(tmp_path / "r.xlsx")
    assert out.sheetnames == ["Suppliers", "Evidence"]
    rows = list(out["Suppliers"].iter_rows(values_only=True))
    assert rows[0][:2] == ("line", "name_zh") and rows[1][7] == "high"
    assert len(rows) == len(SUPPLIERS)
    evidence = list(out["Evidence"].iter_rows(values_only=True))
    assert any(r[6] == "ofac" and r[9] for r in evidence[1:])  # list and its file's SHA-256
    write(report, tmp_path / "r.json")
    data = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert data["suppliers"][0]["risk"] == "high" and data["counts"]["error"] == 1
    hostile = _csv(tmp_path / "h.csv", [*SUPPLIERS, ['=HYPERLINK("http://x")', "", "", "", "", ""]])
    write(screen_file(matcher, hostile), tmp_path / "r.csv")
    with (tmp_path / "r.csv").open(encoding="utf-8-sig") as fh:
        rows_csv = list(csv.DictReader(fh))
    assert rows_csv[0]["risk"] == "high"
    assert any(r["name_zh"].startswith("'=HYPERLINK") for r in rows_csv)  # a formula is only text


def test_screen_cli(screened_case: Case, tmp_path: Path) -> None:
    src = _csv(tmp_path / "s.csv", SUPPLIERS)
    out = run_cli("screen", src, "--out", tmp_path / "r.json", "--case", screened_case.root)
    assert "Screened 8 suppliers" in out.stdout and "1 rows with errors" in out.stdout
    bad = run_cli(
        "screen", src, "--out", tmp_path / "r.txt", "--case", screened_case.root, check=False
    )
    assert bad.returncode == 2
    nohead = _csv(tmp_path / "n.csv", [["a", "b"], ["1", "2"]])
    bad = run_cli(
        "screen", nohead, "--out", tmp_path / "r.json", "--case", screened_case.root, check=False
    )
    assert bad.returncode == 2 and "no supplier name column" in bad.stderr


@pytest.fixture(scope="module")
def client(screened_case: Case) -> Iterator[object]:
    from fastapi.testclient import TestClient

    from guwah.web.app import create_app

    with TestClient(create_app(screened_case), base_url="http://127.0.0.1:8000") as c:
        yield c


def test_match_api_yente_shape(client: object) -> None:
    from fastapi.testclient import TestClient

    assert isinstance(client, TestClient)
    body = {
        "queries": {
            "chen": {
                "schema": "Person",
                "properties": {"name": ["陈全国"], "birthDate": ["1955"], "nationality": ["cn"]},
            },
            "xpcc": {"schema": "Company", "properties": {"name": ["新疆生产建设兵团"]}},
            "nobody": {"schema": "Person", "properties": {"name": ["Jane Q. Nobody"]}},
        }
    }
    r = client.post("/api/match/all", json=body)
    assert r.status_code == 200, r.text
    resp = r.json()["responses"]
    top = resp["chen"]["results"][0]
    assert resp["chen"]["status"] == 200 and top["caption"] == "CHEN, Quanguo"
    assert top["match"] and top["score"] >= 0.95 and top["id"] == "ofac-29220"
    assert {"id", "caption", "schema", "properties", "score", "match", "explanations"} <= set(top)
    assert top["explanations"]["birthDate"]["detail"].startswith("birth year agree")
    assert top["explanations"]["name"]["score"] == 1.0
    assert top["list_version"]["list"] == "ofac" and top["list_version"]["as_of"] == "2024-05-03"
    assert resp["chen"]["total"]["value"] >= 1 and resp["chen"]["query"]["schema"] == "Person"
    assert resp["xpcc"]["results"][0]["caption"] == "XINJIANG PRODUCTION AND CONSTRUCTION CORPS"
    assert not any(x["match"] for x in resp["nobody"]["results"])
    r = client.post(
        "/api/match/uflpa?threshold=0.9&limit=1", json={"queries": {"q": body["queries"]["xpcc"]}}
    )
    assert r.status_code == 200 and len(r.json()["responses"]["q"]["results"]) == 1
    assert r.json()["responses"]["q"]["results"][0]["datasets"] == ["uflpa"]
    one = {"queries": {"q": {"schema": "Person", "properties": {"name": "Chen Quanguo"}}}}
    r = client.post("/api/match/ofac", json=one)  # a single value, not a list, as yente takes
    assert r.json()["responses"]["q"]["results"][0]["id"] == "ofac-29220"


def test_match_api_errors(client: object) -> None:
    from fastapi.testclient import TestClient

    assert isinstance(client, TestClient)
    q = {"schema": "Person", "properties": {"name": ["x"]}}
    r = client.post("/api/match/all", json={"queries": {str(i): q for i in range(101)}})
    assert r.status_code == 400 and "Too many" in r.json()["detail"]
    r = client.post(
        "/api/match/all", json={"queries": {"a": {"schema": "Banana", "properties": {}}}}
    )
    assert r.status_code == 400 and "schema" in r.json()["detail"]
    r = client.post("/api/match/nosuchlist", json={"queries": {"a": q}})
    assert r.status_code == 404
    assert client.post("/api/search", json={}).status_code == 405  # the rest stays read-only


def test_screen_api_reads_an_uploaded_file_and_writes_nothing(
    screened_case: Case, client: object, tmp_path: Path
) -> None:
    from fastapi.testclient import TestClient

    assert isinstance(client, TestClient)
    before = sorted(p.name for p in screened_case.root.rglob("*"))
    data = _csv(tmp_path / "s.csv", SUPPLIERS).read_bytes()
    r = client.post("/api/screen?filename=s.csv", content=data)
    assert r.status_code == 200, r.text
    report = r.json()
    assert report["suppliers"][0]["risk"] == "high" and report["counts"]["error"] == 1
    assert report["source"] == "s.csv"
    assert sorted(p.name for p in screened_case.root.rglob("*")) == before
    bad = client.post("/api/screen?filename=s.csv", content=b"a,b\n1,2\n")
    assert bad.status_code == 400 and "no supplier name column" in bad.json()["detail"]
    assert client.post("/api/screen?filename=../x.csv", content=data).status_code == 422


def test_screen_page_uploads_a_file(screened_case: Case, client: object, tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    assert isinstance(client, TestClient)
    assert "Screen suppliers" in client.get("/screen").text
    before = sorted(p.name for p in screened_case.root.rglob("*"))
    data = _csv(tmp_path / "s.csv", [*SUPPLIERS, ["<script>alert(1)</script>", "", "", "", "", ""]])
    r = client.post("/screen", files={"file": ("mine.csv", data.read_bytes(), "text/csv")})
    assert r.status_code == 200, r.text
    assert "mine.csv" in r.text and "XINJIANG PRODUCTION AND CONSTRUCTION CORPS" in r.text
    assert "<script>alert(1)</script>" not in r.text and "&lt;script&gt;" in r.text
    assert sorted(p.name for p in screened_case.root.rglob("*")) == before
    bad = client.post("/screen", files={"file": ("x.txt", b"hello", "text/plain")})
    assert bad.status_code == 400 and "csv or .xlsx" in bad.text
