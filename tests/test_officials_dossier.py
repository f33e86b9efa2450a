"""Responsibility and dossiers on the small synthetic leak (seed 3), against its truth JSON:
the units and detainee counts under officials computed from the truth (never from guwah's
functions), the dossier's names, evidence hashes (of the leak's own files) and sanctions
status on the real OFAC and EU files, hostile text escaped, the PDF read back with pdfium,
ambiguous and unknown officials at the CLI, and the officials' section of the report."""

from __future__ import annotations

import hashlib
import re
import tarfile
import zipfile
from collections import Counter
from pathlib import Path
from typing import Any

import openpyxl
import pypdfium2 as pdfium
import pytest
from sqlalchemy import select

from guwah.analyse.report import write_report
from guwah.analyse.stage import Options
from guwah.case import Case
from guwah.lists.match import ListMatcher
from guwah.lists.stage import import_list
from guwah.officials.dossier import DossierError, dossier, render_html, write_dossier
from guwah.officials.known import import_known
from guwah.officials.report import render_report_section
from guwah.officials.responsibility import Responsibility, responsibility
from guwah.officials.stage import build
from guwah.store.models_officials import Official, OfficialMention

from .conftest import SHARED_DATA, run_cli
from .web_case import copy_case, web_case

OFAC = SHARED_DATA / "ofac" / "sdn-2024-05-03.csv"
EU = SHARED_DATA / "eu" / "ghrsr-32020R1998.csv"

# published posts; 陈全国 twice: the second a namesake in another county (two officials)
KNOWN = """name,names,birth_date,post,unit,from,to,source
陈全国,Chen Quanguo|陳全國,1955,自治区党委书记,新疆维吾尔自治区党委,2016-08,2021-12,US Treasury press release sm1073
朱海仑,Zhu Hailun,1958,自治区党委副书记、政法委书记,新疆维吾尔自治区党委,2016,2019,EU 2021/478
赵克志,Zhao Kezhi,1953,公安部部长,公安部,2017-11,2022-06,mps.gov.cn
陈全国,Chen Quanguo|<b onmouseover=alert(1)>陈</b>,1980,民警,特克斯县公安局,,,a namesake
"""
# a roster whose footer cell carries markup (a text file with <script> in it is read as HTML,
# and its tags are gone before any official is looked for: a sheet's cell keeps them)
HOSTILE = '制表人：刘建华 <script>alert("x")</script>'


class Leak:
    def __init__(self, case: Case, truth: dict[str, Any], leak: Path, root: Path) -> None:
        self.case, self.truth, self.leak, self.root = case, truth, leak, root

    def official(self, name: str, place: str) -> Official:
        with self.case.sessions() as s:
            o = s.scalar(
                select(Official).where(Official.name == name, Official.jurisdiction == place)
            )
            assert o is not None, (name, place)
            s.expunge(o)
            return o

    def of_role(self, role: str, county: str) -> dict[str, Any]:
        return next(
            o for o in self.truth["officials"] if o["role"] == role and o["county"] == county
        )

    def resp(self, o: Official) -> Responsibility:
        with self.case.sessions() as s:
            return responsibility(s, o.id)

    def html(self, o: Official) -> str:
        with self.case.sessions() as s:
            return render_html(dossier(s, self.case, o.id, ListMatcher.from_session(s)))


@pytest.fixture(scope="module")
def leak(tmp_path_factory: pytest.TempPathFactory) -> Leak:
    built = web_case(tmp_path_factory)
    root = tmp_path_factory.mktemp("dossier")
    case = copy_case(built.case, root / "case")
    extra = root / "extra" / "疏附县公安局"
    extra.mkdir(parents=True)
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["疏附县公安局督导人员名单"])
    ws.append(["姓名", "单位"])
    ws.append(["王小明", "疏附县公安局"])
    ws.append([HOSTILE])
    wb.save(extra / "督导名单.xlsx")
    run_cli("ingest", root / "extra", "--case", case.root, "--no-ocr")
    import_list(case, OFAC, "ofac-csv", name="ofac", as_of="2024-05-03")
    import_list(case, EU, "eu-csv", name="eu")
    known = root / "known.csv"
    known.write_text(KNOWN, encoding="utf-8")
    import_known(case, known)
    build(case)
    return Leak(case, built.truth, built.case.root.parent / "leak", root)


# -- the truth, read independently ---------------------------------------------------------


def truth_counts(truth: dict[str, Any], facilities: set[str], until: str = "9999") -> Counter[str]:
    """Detainees the truth places in ``facilities``, detained on or before ``until``."""
    return Counter(
        p["detention"]["facility"]
        for p in truth["people"]
        if p.get("detention")
        and p.get("in_records")
        and p["detention"]["facility"] in facilities
        and p["detention"]["date"] <= until
    )


def truth_facilities(truth: dict[str, Any], county: str) -> set[str]:
    return {f["name"] for f in truth["facilities"] if f["county"] == county}


def file_sha256(leak: Path, path: str) -> str:
    """The SHA-256 of a file of the leak as written to disk (inside an archive: the member's)."""
    if "!/" not in path:
        return hashlib.sha256((leak / path).read_bytes()).hexdigest()
    outer, member = path.split("!/", 1)
    if outer.endswith(".zip"):
        with zipfile.ZipFile(leak / outer) as z:
            return hashlib.sha256(z.read(member)).hexdigest()
    with tarfile.open(leak / outer) as t:
        fh = t.extractfile(member)
        assert fh is not None
        return hashlib.sha256(fh.read()).hexdigest()


def naming(truth: dict[str, Any], name: str) -> list[dict[str, Any]]:
    return [d for d in truth["documents"] if any(m["name"] == name for m in d["mentions"])]


# -- responsibility ------------------------------------------------------------------------


def test_county_police_chief_units_and_detainees(leak: Leak) -> None:
    for county in ("疏附县",):  # the leak gives 特克斯县's chief no title: no post, no units
        chief = leak.of_role("police_chief", county)
        r = leak.resp(leak.official(chief["name"], county))
        facilities = truth_facilities(leak.truth, county)
        expected = truth_counts(leak.truth, facilities)
        post = next(p for p in r.posts if p.post.unit == f"{county}公安局")
        got = {d.facility: d.n for d in post.detainees}
        assert got == dict(expected) and sum(got.values()) > 0
        under = {u.name for u in post.units if u.kind == "facility"}
        assert {f for f in facilities if expected[f]} <= under
        assert all(f.startswith(county) for f in under)  # nothing of the other county
        assert r.n_detainees == sum(expected.values())
        # every count carries sample records: an original's SHA-256, sheet and row
        for d in post.detainees:
            assert d.sample and all(len(e.sha256) == 64 and "row" in e.location for e in d.sample)


def test_centre_director_has_only_the_centre(leak: Leak) -> None:
    director = leak.of_role("centre_director", "疏附县")
    facility = next(f for f in truth_facilities(leak.truth, "疏附县") if f in director["post"])
    r = leak.resp(leak.official(director["name"], "疏附县"))
    counts = {d.facility: d.n for p in r.posts for d in p.detainees}
    assert counts == {facility: truth_counts(leak.truth, {facility})[facility]}
    # the county bureau's order to 各教培中心 reached the centre
    orders = [
        d["number"]
        for d in leak.truth["documents"]
        if d["issuer"] == "疏附县公安局" and any("各教培中心" in x for x in d["recipients"])
    ]
    assert orders
    received = {o.number for o in r.orders if o.relation == "received"}
    assert set(orders) <= received


def test_orders_issued_by_the_bureau(leak: Leak) -> None:
    chief = leak.of_role("police_chief", "疏附县")
    r = leak.resp(leak.official(chief["name"], "疏附县"))
    numbered = {
        d["number"]
        for d in leak.truth["documents"]
        if d["issuer"] == "疏附县公安局" and "公发" in d["number"]
    }
    assert numbered and numbered <= {o.number for o in r.orders if o.relation == "issued"}
    for o in r.orders:
        assert len(o.ref.sha256) == 64 and o.ref.location["page"] >= 1


def test_regional_post_counts_only_its_time(leak: Leak) -> None:
    """朱海仑's post as the leak evidences it runs from the first to the last document that
    names him; detainees detained after it are not under that post."""
    docs = naming(leak.truth, "朱海仑")
    last = max(d["claimed_date"] for d in docs)
    r = leak.resp(leak.official("朱海仑", "新疆维吾尔自治区"))
    leak_post = next(p for p in r.posts if p.post.source == "leak")
    assert leak_post.post.date_to == last
    every = {f["name"] for f in leak.truth["facilities"]}
    expected = truth_counts(leak.truth, every, last)
    assert {d.facility: d.n for d in leak_post.detainees if d.n} == dict(expected)
    later = truth_counts(leak.truth, every) - expected
    assert sum(later.values()) > 0
    assert sum(d.n_outside for d in leak_post.detainees) == sum(later.values())
    # the imported post (2016–2019) covers them all: counted once each over both posts
    assert r.n_detainees == sum(truth_counts(leak.truth, every).values())


# -- the dossier ---------------------------------------------------------------------------


def _status(html: str, list_name: str) -> str:
    m = re.search(rf'<td>{list_name}</td><td>[^<]*</td><td class="[^"]+">([^<]+)</td>', html)
    assert m, list_name
    return m.group(1)


def test_dossier_html(leak: Leak) -> None:
    chen = leak.official("陈全国", "新疆维吾尔自治区")
    html = leak.html(chen)
    for form in ("陈全国", "Chen Quanguo", "陳全國", "1955"):
        assert form in html
    docs = naming(leak.truth, "陈全国")
    assert len(docs) >= 2
    for d in docs:
        assert file_sha256(leak.leak, d["path"]) in html, d["path"]
    assert "<mark>陈全国</mark>" in html
    assert _status(html, "ofac") == "listed" and _status(html, "eu") == "not listed"
    assert "ofac@2024-05-03#" in html
    zhu = leak.html(leak.official("朱海仑", "新疆维吾尔自治区"))
    assert _status(zhu, "ofac") == "listed" and _status(zhu, "eu") == "listed"
    zhao = leak.html(leak.official("赵克志", "公安部"))
    assert _status(zhao, "ofac") == "not listed" and _status(zhao, "eu") == "not listed"
    # the detainees under the posts, as the truth counts them
    every = {f["name"] for f in leak.truth["facilities"]}
    assert f"{sum(truth_counts(leak.truth, every).values())} people are recorded" in html


def test_hostile_text_escaped(leak: Leak) -> None:
    with leak.case.sessions() as s:
        o = s.scalars(
            select(Official)
            .join(OfficialMention, OfficialMention.official_id == Official.id)
            .where(OfficialMention.sentence.contains("<script>"))
        ).first()
        assert o is not None and o.name == "刘建华"
        oid = o.id
    with leak.case.sessions() as s:
        html = render_html(dossier(s, leak.case, oid, ListMatcher.from_session(s)))
    assert "<script" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    assert "<mark>刘建华</mark>" in html
    sha = hashlib.sha256((leak.root / "extra" / "疏附县公安局" / "督导名单.xlsx").read_bytes())
    assert sha.hexdigest() in html
    # an imported name form that is markup is shown as text
    twin = leak.html(leak.official("陈全国", "特克斯县"))
    assert "<b onmouseover" not in twin and "&lt;b onmouseover=alert(1)&gt;" in twin


def test_dossier_pdf_text(leak: Leak, tmp_path: Path) -> None:
    chen = leak.official("陈全国", "新疆维吾尔自治区")
    out = tmp_path / "chen.pdf"
    o, seconds, sha = write_dossier(leak.case, str(chen.id), out)
    assert o.id == chen.id and sha == hashlib.sha256(out.read_bytes()).hexdigest()
    assert out.read_bytes().startswith(b"%PDF-")
    pdf = pdfium.PdfDocument(str(out))
    text = "".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    assert len(pdf) >= 2 and "陈全国" in text and "Chen Quanguo" in text
    # a Uyghur official's dossier shows the name in Arabic script (derived), rendered
    uyghur = next(
        o for o in leak.truth["officials"] if "·" in o["name"] and o["role"] == "magistrate"
    )
    out2 = tmp_path / "ug.pdf"
    write_dossier(leak.case, uyghur["name"], out2, images=False)
    pdf2 = pdfium.PdfDocument(str(out2))
    text2 = "".join(pdf2[i].get_textpage().get_text_range() for i in range(len(pdf2)))
    assert uyghur["name"] in text2
    assert re.search("[\u0600-\u06ff\ufb50-\ufeff]", text2)


def test_cli_ambiguous_unknown_and_latin(leak: Leak, tmp_path: Path) -> None:
    twins = run_cli(
        "dossier", "陈全国", "--case", leak.case.root, "--out", tmp_path / "x.html", check=False
    )
    assert twins.returncode == 2
    ids = [leak.official("陈全国", p).id for p in ("新疆维吾尔自治区", "特克斯县")]
    assert "2 officials match" in twins.stderr
    for i in ids:
        assert re.search(rf"^\s+{i}\s", twins.stderr, re.M)
    assert not (tmp_path / "x.html").exists()
    gone = run_cli(
        "dossier", "不存在", "--case", leak.case.root, "--out", tmp_path / "y.html", check=False
    )
    assert gone.returncode == 1 and "no official matches '不存在'" in gone.stderr
    bad = run_cli(
        "dossier", "1", "--case", leak.case.root, "--out", tmp_path / "y.doc", check=False
    )
    assert bad.returncode == 2 and "--out must end" in bad.stderr
    # a name in another script: Zhao Kezhi is one official
    ok = run_cli("dossier", "Zhao Kezhi", "--case", leak.case.root, "--out", tmp_path / "z.html")
    assert "赵克志" in ok.stdout and "赵克志" in (tmp_path / "z.html").read_text(encoding="utf-8")
    with leak.case.sessions() as s, pytest.raises(DossierError) as exc:
        from guwah.officials.dossier import resolve_official

        resolve_official(s, "Chen Quanguo")
    assert len(exc.value.candidates) == 2


# -- the report ----------------------------------------------------------------------------


def test_report_section(leak: Leak, tmp_path: Path) -> None:
    html = render_report_section(leak.case)
    assert "Officials implicated but not sanctioned" in html
    assert "ofac@2024-05-03#" in html and "eu@" in html
    rows = re.findall(r"<tr>\n<td lang=\"zh-Hans\">(.*?) <span", html)
    names = " ".join(rows)
    assert "赵克志" in names  # in the leak, on neither list
    assert "朱海仑" not in names and "陈全国 | Chen Quanguo | 陳全國" not in names  # listed
    assert "<b onmouseover" not in html
    assert render_report_section(Case.init(tmp_path / "empty")) == ""
    # in the case's report, once, between the tables and the appendices
    out = tmp_path / "report.html"
    write_report(leak.case, Options(by="county"), out)
    report = out.read_text(encoding="utf-8")
    assert report.count('id="officials-gap"') == 1
    assert report.index('id="officials-gap"') < report.index('id="appendix-a"')


# -- the time rule, by hand, on SQLite and PostgreSQL ----------------------------------------

NOTICE = """关于加强看守所安全管理工作的通知
疏公发〔2018〕{n}号
各派出所、各教培中心：
疏附县公安局党委书记、局长阿迪力·艾尔肯同志要求，各单位严格落实安全管理责任。

疏附县公安局
{date}
"""


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_post_time_and_release_dates(backend: str, tmp_path: Path, request: Any) -> None:
    """tests/analyse_files.py's roster, by hand: A at 疏附县看守所 (收押 2018-03-05, 释放
    2018-09-01) and at the first centre (2018-02-01); D at the centre (2018-04-01); B at the
    centre dated 2030 (implausible: undated); C at 疏附县看守所 (2017-06-01). The bureau
    chief's post runs 2018-09-15 – 2018-10-01 (two notices): A was released before it."""
    from guwah.ingest.pipeline import ingest
    from guwah.records.stage import build_records
    from tests.analyse_files import write_leak

    from .conftest import pg_database

    url = ""
    if backend == "postgresql":
        url = pg_database(request.getfixturevalue("pg_url"), "guwah_dossier")
    write_leak(tmp_path / "leak" / "名单.xlsx")
    docs = tmp_path / "leak" / "疏附县公安局"
    docs.mkdir()
    (docs / "a.txt").write_text(NOTICE.format(n=51, date="2018年9月15日"), encoding="utf-8")
    (docs / "b.txt").write_text(NOTICE.format(n=60, date="2018年10月1日"), encoding="utf-8")
    case = Case.init(tmp_path / "case", database_url=url)
    assert case.engine.dialect.name == backend
    ingest(case, [tmp_path / "leak"])
    build_records(case)
    build(case)
    with case.sessions() as s:
        chief = s.scalar(select(Official).where(Official.name == "阿迪力·艾尔肯"))
        assert chief is not None and chief.jurisdiction == "疏附县"
        r = responsibility(s, chief.id)
        html = render_html(dossier(s, case, chief.id, ListMatcher.from_session(s)))
    assert "<mark>阿迪力·艾尔肯</mark>" in html and "No lists imported" in html
    [post] = r.posts
    assert (post.post.date_from, post.post.date_to) == ("2018-09-15", "2018-10-01")
    got = {d.facility: (d.n, d.n_outside, d.n_undated) for d in post.detainees}
    assert got == {"疏附县看守所": (1, 1, 0), "疏附县第一职业技能教育培训中心": (1, 1, 1)}
    assert (r.n_detainees, r.n_undated) == (2, 1)  # C and D; B
    # the samples are of the people counted: C on row 6 and D on row 4 of the first sheet
    rows = {
        d.facility: [(e.location["sheet"], e.location["row"]) for e in d.sample]
        for d in post.detainees
    }
    assert rows == {"疏附县看守所": [(0, 6)], "疏附县第一职业技能教育培训中心": [(0, 4)]}
    assert {o.number for o in r.orders if o.relation == "issued"} == {
        "疏公发〔2018〕51号",
        "疏公发〔2018〕60号",
    }


@pytest.mark.parametrize(
    ("code", "heading", "column"),
    [
        ("zh-Hans", "涉案但未受制裁的官员", "辖区"),
        ("ug", "چېتىلغان، ئەمما جازالانمىغان ئەمەلدارلار", "باشقۇرۇش دائىرىسى"),
    ],
)
def test_report_section_in_chinese_and_uyghur(
    leak: Leak, code: str, heading: str, column: str
) -> None:
    """The section's words in the report's language; the leak's names, the posts and the
    list versions as written."""
    from guwah.analyse import words

    english = render_report_section(leak.case)
    with words.speaking(code):
        html = render_report_section(leak.case)
    assert heading in html and f"<th>{column}</th>" in html
    written = re.findall(r'<td lang="zh-Hans">([^<]*)', english)  # names, units, posts
    assert written and all(cell in html for cell in written)
    assert re.findall(r"ofac@2024-05-03#\w+", english) == re.findall(r"ofac@2024-05-03#\w+", html)
    for words_of_the_section in (
        "Officials implicated", "Jurisdiction", "heaviest evidence first",
        "writes the whole table", "not listed", "(id ",
    ):  # fmt: skip
        assert words_of_the_section in english and words_of_the_section not in html
