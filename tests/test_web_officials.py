"""Officials and the sanctions gap in the workbench (issue 14, item 4): the registry ranked with
each imported list's status against the real OFAC and EU files, one official with every
mention linking to its page, the JSON and the CSV/XLSX, hostile text escaped."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from guwah.case import Case
from guwah.lists.stage import import_list
from guwah.officials.known import import_known
from guwah.officials.stage import build
from guwah.store.models_officials import Official, OfficialMention
from guwah.web.app import create_app
from tests.test_officials import EU, KNOWN, OFAC, SPEECH, _case_with

HOSTILE = (
    "关于<script>alert(1)</script>的通知\n疏公发〔2018〕9号\n各乡镇派出所：\n"
    '疏附县公安局副局长=HYPERLINK("x")王建国同志负责<b>督导</b>。\n\n疏附县公安局\n2018年4月2日\n'
)

HOSTILE_KNOWN = (
    '王建国,"<img src=x onerror=alert(1)>|Wang Jianguo",,副局长,疏附县公安局,2018,,'
    "\"<script>alert(2)</script> =cmd|' /C calc'!A0\"\n"
)


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> tuple[TestClient, Case]:
    tmp = tmp_path_factory.mktemp("web-officials")
    case = _case_with(tmp, {"内部讲话/speech.txt": SPEECH, "通知/hostile.txt": HOSTILE})
    import_list(case, OFAC, "ofac-csv", name="ofac", as_of="2024-05-03")
    import_list(case, EU, "eu-csv", name="eu")
    known = tmp / "known.csv"
    known.write_text(KNOWN + HOSTILE_KNOWN, encoding="utf-8")
    import_known(case, known)
    build(case)
    return TestClient(create_app(case), base_url="http://127.0.0.1:8000"), case


def _id(case: Case, name: str) -> int:
    with case.sessions() as s:
        offs = s.scalars(select(Official).where(Official.name == name)).all()
    assert len(offs) == 1, offs
    return offs[0].id


def test_the_gap_table_against_the_real_lists(client: tuple[TestClient, Case]) -> None:
    c, case = client
    js = c.get("/api/officials").json()
    assert js["lists"] == ["eu", "ofac"]
    rows = {r["name"]: r for r in js["rows"] if r["kind"] == "official"}
    status = {n: {k: v["status"] for k, v in rows[n]["lists"].items()} for n in rows}
    assert status["陈全国"] == {"ofac": "listed", "eu": "not listed"}
    assert status["朱海仑"] == {"ofac": "listed", "eu": "listed"}
    assert status["赵克志"] == {"ofac": "not listed", "eu": "not listed"}
    assert rows["陈全国"]["lists"]["ofac"]["version"].startswith("ofac@2024-05-03#")
    # the implicated but not sanctioned come first
    order = [r["name"] for r in js["rows"]]
    assert order.index("赵克志") < order.index("陈全国")
    unsanctioned = {r["name"] for r in c.get("/api/officials?show=unsanctioned").json()["rows"]}
    assert "赵克志" in unsanctioned and not {"陈全国", "朱海仑"} & unsanctioned
    html = c.get("/officials?show=unsanctioned").text
    assert "赵克志" in html and f'href="/officials/{_id(case, "陈全国")}"' not in html
    html = c.get("/officials").text
    assert f'href="/officials/{_id(case, "陈全国")}"' in html and "sev-critical" in html


def test_one_official_with_its_evidence(client: tuple[TestClient, Case]) -> None:
    c, case = client
    oid = _id(case, "朱海仑")
    js = c.get(f"/api/officials/{oid}").json()
    assert "Zhu Hailun" in js["names"] and js["birth_date"] == "1958"
    assert js["lists"]["eu"]["status"] == "listed"
    with case.sessions() as s:
        truth = s.scalars(select(OfficialMention).where(OfficialMention.official_id == oid)).all()
    assert len(js["mentions"]) == len(truth) >= 1
    m = js["mentions"][0]
    assert m["sha256"] == truth[0].sha256 and "朱海仑" in m["sentence"]
    assert (
        m["link"]
        == f"/items/{m['sha256']}?page={m['location']['page']}#page-{m['location']['page']}"
    )
    assert m["path"].endswith("speech.txt")
    html = c.get(f"/officials/{oid}").text
    assert m["sha256"] in html and m["link"].replace("&", "&amp;") in html
    # the link leads to the page that holds the sentence
    item = c.get(m["link"].split("#")[0]).text
    assert f'id="page-{m["location"]["page"]}"' in item and "朱海仑" in item
    assert c.get("/officials/999999").status_code == 404
    assert c.get("/api/officials/999999").status_code == 404


def test_hostile_text_is_escaped_in_pages_and_files(
    client: tuple[TestClient, Case], tmp_path: Path
) -> None:
    c, case = client
    oid = _id(case, "王建国")
    html = c.get(f"/officials/{oid}").text
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<script>alert" not in html and "&lt;script&gt;alert(2)" in html
    assert "HYPERLINK(&#34;x&#34;)" in html  # the sentence as written, quotes escaped
    listing = c.get("/officials?q=Wang").text
    assert "<img src=x" not in listing and "&lt;img src=x" in listing
    table = list(csv.reader(io.StringIO(c.get("/officials.csv").content.decode("utf-8-sig"))))
    assert table[0][:2] == ["kind", "name"] and {"eu", "ofac"} <= set(table[0])
    cells = [cell for row in table[1:] for cell in row]
    assert not any(cell.startswith(("=", "+", "@")) for cell in cells)
    xlsx = c.get("/officials.xlsx")
    assert xlsx.headers["content-disposition"].startswith("attachment")
    path = tmp_path / "gap.xlsx"
    path.write_bytes(xlsx.content)
    ws = openpyxl.load_workbook(path).active
    assert ws is not None and ws.cell(1, 2).value == "name"
    assert c.get("/officials.exe").status_code == 404


def test_a_case_without_officials_says_what_to_do(tmp_path: Path) -> None:
    case = Case.init(tmp_path / "case")
    c = TestClient(create_app(case), base_url="http://127.0.0.1:8000")
    page = c.get("/officials")
    assert page.status_code == 200 and "guwah officials build" in page.text
    assert c.get("/api/officials").json() == {"lists": [], "total": 0, "rows": []}


def test_the_dossier_downloads_from_the_official_page(client: tuple[TestClient, Case]) -> None:
    import pypdfium2

    c, case = client
    oid = _id(case, "陈全国")
    page = c.get(f"/officials/{oid}").text
    assert f'href="/officials/{oid}/dossier.pdf"' in page
    html = c.get(f"/officials/{oid}/dossier.html")
    assert html.headers["content-disposition"].startswith("attachment")
    with case.sessions() as s:
        shas = set(
            s.scalars(select(OfficialMention.sha256).where(OfficialMention.official_id == oid))
        )
    assert shas and all(sha in html.text for sha in shas)
    assert "Chen Quanguo" in html.text
    pdf = c.get(f"/officials/{oid}/dossier.pdf")
    assert pdf.content.startswith(b"%PDF")
    doc = pypdfium2.PdfDocument(pdf.content)
    text = "".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))
    assert "陈全国" in text
    assert c.get(f"/officials/{oid}/dossier.docx").status_code == 404
    assert c.get("/officials/999999/dossier.html").status_code == 404


def test_the_officials_pages_in_uyghur_and_chinese(client: tuple[TestClient, Case]) -> None:
    c, case = client
    ug = c.get("/officials?lang=ug").text
    assert '<html lang="ug" dir="rtl">' in ug and "ئەمەلدارلار ۋە جازا بوشلۇقى" in ug
    assert "陈全国" in ug  # names as written, whatever the interface's language
    zh = c.get(f"/officials/{_id(case, '陈全国')}?lang=zh-Hans").text
    assert "职务" in zh and "Mentions in the leak" not in zh
    c.cookies.clear()
