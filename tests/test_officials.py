"""Officials: mentions from text and sheets (and bad input: garbled OCR, names split across
lines, titles without names), the registry (same name in two counties stays two), and the
sanctions gap against the real OFAC and EU files."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select

from guwah.case import Case, CaseError
from guwah.lists.stage import import_list
from guwah.officials.gap import LISTED, NOT_LISTED, POSSIBLE, gap_table, write
from guwah.officials.known import import_known
from guwah.officials.sheets import sheet_mentions
from guwah.officials.stage import build
from guwah.officials.text import find_mentions
from guwah.store.models_officials import Official, OfficialMention, OfficialPost, OfficialUnit

from .conftest import SHARED_DATA, run_cli

OFAC = SHARED_DATA / "ofac" / "sdn-2024-05-03.csv"
EU = SHARED_DATA / "eu" / "ghrsr-32020R1998.csv"

ORDER = """关于进一步加强教培中心安全管理工作的通知
疏公发〔2017〕41号
各派出所、各教培中心：
根据疏附县委政法委工作安排，现就有关事项通知如下。
联系人：朱马别克·阿尔曼

疏附县公安局
2017年6月10日
抄送：疏附县委政法委、喀什地区公安局
"""


def names(text: str) -> list[str]:
    return [m.name for m in find_mentions(text)[0]]


def test_title_unit_and_name() -> None:
    ms, _ = find_mentions("疏附县公安局党委书记、局长阿迪力·艾尔肯同志主持会议。")
    assert [(m.name, m.title, m.unit) for m in ms] == [
        ("阿迪力·艾尔肯", "党委书记、局长", "疏附县公安局")
    ]
    text = "要认真学习贯彻自治区党委书记陈全国同志的讲话精神，落实公安部部长赵克志同志的要求。"
    ms, _ = find_mentions(text)
    assert [(m.name, m.unit, m.title) for m in ms] == [
        ("陈全国", "自治区", "党委书记"),
        ("赵克志", "公安部", "部长"),
    ]
    m = ms[0]
    assert text[m.start : m.end] == "陈全国" and m.sentence.startswith("要认真学习")


def test_labels_lists_and_verbs() -> None:
    assert names("出席：哈勇、阿迪力·艾尔肯、杨鹏、热孜万古丽·艾克拜尔") == [
        "哈勇",
        "阿迪力·艾尔肯",
        "杨鹏",
        "热孜万古丽·艾克拜尔",
    ]
    assert names(
        "2018年2月15日，马玉兰主持召开会议，牙合甫·买合木提、穆明及各乡镇党委书记参加会议。"
    ) == [
        "马玉兰",
        "牙合甫·买合木提",
        "穆明",
    ]
    assert names("会议决定，由穆明负责教培中心日常管理。") == ["穆明"]
    assert names("李永强（疏附县委书记）") == ["李永强"]


def test_document_header() -> None:
    ms, h = find_mentions(ORDER)
    assert h.number == "疏公发〔2017〕41号" and h.date == "2017-06-10"
    assert h.issuer == "疏附县公安局" and h.recipients == ["各派出所", "各教培中心"]
    assert h.copies == ["疏附县委政法委", "喀什地区公安局"]
    assert h.issuer_span is not None and ORDER[slice(*h.issuer_span)] == "疏附县公安局"
    assert [(m.name, m.role) for m in ms] == [("朱马别克·阿尔曼", "contact")]
    # OCR's brackets and spaces
    _, h = find_mentions("特公发 (2018] 91号\n各乡镇派出所 :")
    assert h.number == "特公发〔2018〕91号"


def test_titles_without_names() -> None:
    assert names("疏附县公安局党委书记、局长") == []
    assert names("会议要求，各乡镇党委书记参加会议，各派出所所长列席。") == []
    assert names("同志们：\n今天召开这次会议，主要任务是总结前一阶段工作。") == []
    assert names("全县在押139人，其中本月新收押46人。") == []


def test_garbled_ocr() -> None:
    # noise: no name is made up and nothing breaks
    assert names("联系人：口口口 ■■ 丨丨\n□□公发〔20l8〕号\n\x00\ufffd党委书记") == []
    assert find_mentions("")[0] == []
    # a name's dot read as a comma or a spaced quotation mark, spaces between characters
    assert names("第四，阿迪力，艾尔肯同志和杨鹏同志要亲自抓。") == ["阿迪力·艾尔肯", "杨鹏"]
    assert names("会议，吴志强、库尔班 “ 亚森及各乡镇党委书记参加会议。") == [
        "吴志强",
        "库尔班·亚森",
    ]
    assert names("自治区党委书记 陈 全 国 同志") == ["陈全国"]


def test_names_split_across_lines() -> None:
    text = "联系人：朱马别\n克·阿尔曼\n\n疏附县公安局\n2018年3月1日"
    ms, h = find_mentions(text)
    assert [m.name for m in ms] == ["朱马别克·阿尔曼"]
    assert text[ms[0].start : ms[0].end] == "朱马别\n克·阿尔曼"
    assert h.issuer == "疏附县公安局"
    # a paragraph wrapped in a scan: the name runs on into the next line
    wrapped = (
        "第四，各级领导干部要敢于担当。疏附县公安局党委书记、局长阿迪力·艾\n"
        "尔肯同志要亲自抓，出了问题要追究责任。今天的会议就开到这里。谢谢大家。"
    )
    assert names(wrapped) == ["阿迪力·艾尔肯"]


def test_sheet_columns_and_footer() -> None:
    cells = [
        (1, 1, "疏附县塔格拉克乡在押人员花名册"),
        (2, 1, "姓名"),
        (2, 2, "经办民警"),
        (2, 3, "审核人"),
        (3, 1, "阿不都热依木·吐尔地"),
        (3, 2, "王伟"),
        (3, 3, "艾则孜·阿布都"),
        (4, 2, "=HYPERLINK(1)"),
        (9, 1, "制表人：刘建华    审核人：努尔买买提·萨迪克"),
    ]
    got = [(m.name, m.role, m.row, m.col) for m in sheet_mentions(cells)]
    assert got == [
        ("王伟", "handling_officer", 3, 2),
        ("艾则孜·阿布都", "reviewer", 3, 3),
        ("刘建华", "reporter", 9, 1),
        ("努尔买买提·萨迪克", "reviewer", 9, 1),
    ]


def _case_with(tmp_path: Path, files: dict[str, str]) -> Case:
    src = tmp_path / "leak"
    for rel, text in files.items():
        p = src / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")
    case_dir = tmp_path / "case"
    run_cli("init", case_dir)
    run_cli("ingest", src, "--case", case_dir, "--no-ocr")
    return Case.open(case_dir)


def test_same_name_two_counties_stays_two(tmp_path: Path) -> None:
    case = _case_with(
        tmp_path,
        {
            "a/order.txt": ORDER.replace("朱马别克·阿尔曼", "王伟")
            + "\n疏附县公安局副局长王伟同志负责。\n",
            "b/order.txt": "关于照片采集的通知\n特公发〔2018〕7号\n各乡镇派出所：\n"
            "特克斯县公安局副局长王伟同志负责督导。\n\n特克斯县公安局\n2018年3月2日\n",
            "c/minutes.txt": "会议纪要\n疏附县公安局副局长王伟同志汇报了工作。\n\n疏附县公安局\n2018年5月2日\n",
        },
    )
    stats = build(case)
    assert stats.mentions >= 4
    with case.sessions() as s:
        offs = s.scalars(select(Official).where(Official.name == "王伟")).all()
        assert sorted(o.jurisdiction for o in offs) == ["特克斯县", "疏附县"]
        shufu = next(o for o in offs if o.jurisdiction == "疏附县")
        assert shufu.n_documents == 2
        posts = s.scalars(select(OfficialPost).where(OfficialPost.official_id == shufu.id)).all()
        assert {(p.unit, p.title) for p in posts} == {("疏附县公安局", "副局长")}
        assert {p.date_from for p in posts} == {"2017-06-10"}
        m = s.scalars(
            select(OfficialMention).where(OfficialMention.official_id == shufu.id)
        ).first()
        assert m is not None and len(m.sha256) == 64 and m.page_no is not None
        # the unit hierarchy: bureau → county → prefecture → region
        bureau = s.scalar(select(OfficialUnit).where(OfficialUnit.name == "疏附县公安局"))
        assert bureau is not None and bureau.kind == "public_security_bureau"
        chain = []
        u = bureau.parent
        while u is not None:
            chain.append(u.name)
            u = u.parent
        assert chain == ["疏附县", "喀什地区", "新疆维吾尔自治区"]
    again = build(case)  # idempotent
    assert again.mentions == stats.mentions and again.officials == stats.officials


KNOWN = """name,names,birth_date,post,unit,from,to,source
陈全国,Chen Quanguo|陳全國,1955,自治区党委书记,新疆维吾尔自治区党委,2016-08,2021-12,US Treasury press release sm1073
朱海仑,Zhu Hailun,1958,自治区党委副书记、政法委书记,新疆维吾尔自治区党委,2016,2019,EU 2021/478
赵克志,Zhao Kezhi,1953,公安部部长,公安部,2017-11,2022-06,mps.gov.cn
"""

SPEECH = (
    "李永强同志在全县教育转化工作推进会上的讲话\n同志们：\n"
    "要认真学习贯彻自治区党委书记陈全国同志的讲话精神，落实公安部部长赵克志同志对公安工作的要求。\n"
    "会议传达学习了自治区党委副书记、政法委书记朱海仑同志在全区维稳工作会议上的讲话精神。\n\n"
    "疏附县委办公室\n2018年7月23日\n"
)


@pytest.fixture(scope="module")
def gap_case(tmp_path_factory: pytest.TempPathFactory) -> Case:
    tmp = tmp_path_factory.mktemp("gap")
    case = _case_with(tmp, {"内部讲话/speech.txt": SPEECH})
    import_list(case, OFAC, "ofac-csv", name="ofac", as_of="2024-05-03")
    import_list(case, EU, "eu-csv", name="eu")
    known = tmp / "known.csv"
    known.write_text(KNOWN, encoding="utf-8")
    assert import_known(case, known).added == 3
    build(case)
    return case


def _rows(case: Case) -> dict[str, object]:
    from guwah.lists.match import ListMatcher

    with case.sessions() as s:
        rows, list_names = gap_table(s, ListMatcher.from_session(s))
    assert list_names == ["eu", "ofac"]
    return {r.name: r for r in rows}


def test_gap_real_lists(gap_case: Case) -> None:
    rows = _rows(gap_case)
    chen, zhu, zhao = rows["陈全国"], rows["朱海仑"], rows["赵克志"]
    assert chen.lists["ofac"].status == LISTED and chen.lists["eu"].status == NOT_LISTED  # type: ignore[attr-defined]
    assert zhu.lists["ofac"].status == LISTED and zhu.lists["eu"].status == LISTED  # type: ignore[attr-defined]
    assert zhao.lists["ofac"].status == NOT_LISTED and zhao.lists["eu"].status == NOT_LISTED  # type: ignore[attr-defined]
    # the imported officials were joined to the leak's mentions (same name, same jurisdiction)
    assert chen.n_documents == 1 and zhao.n_documents == 1  # type: ignore[attr-defined]
    assert chen.lists["ofac"].version.startswith("ofac@2024-05-03#")  # type: ignore[attr-defined]
    # a county official of the leak is on no list
    assert rows["李永强"].lists["ofac"].status == NOT_LISTED  # type: ignore[attr-defined]


def test_name_only_match_with_conflicting_birth_year_is_possible(
    gap_case: Case, tmp_path: Path
) -> None:
    other = tmp_path / "other.csv"
    other.write_text(
        "name,names,birth_date,post,unit\n陈全国,Chen Quanguo,1980,民警,特克斯县公安局\n",
        encoding="utf-8",
    )
    import_known(gap_case, other)
    rows = _rows(gap_case)
    with gap_case.sessions() as s:
        twins = s.scalars(select(Official).where(Official.name == "陈全国")).all()
        assert len(twins) == 2  # same name, another jurisdiction: two officials
    from guwah.lists.match import ListMatcher

    with gap_case.sessions() as s:
        all_rows, _ = gap_table(s, ListMatcher.from_session(s))
    young = next(r for r in all_rows if r.name == "陈全国" and r.jurisdiction == "特克斯县")
    st = young.lists["ofac"]
    assert st.status == POSSIBLE and "birth" in st.explanation.lower()
    assert rows["陈全国"].lists["ofac"].status == LISTED  # type: ignore[attr-defined]


def test_gap_files_one_column_per_list(gap_case: Case, tmp_path: Path) -> None:
    out = tmp_path / "gap.csv"
    run_cli("gap", "--case", gap_case.root, "--out", out)
    with out.open(encoding="utf-8-sig") as fh:
        table = list(csv.DictReader(fh))
    assert {"eu", "ofac", "eu (why)", "ofac (why)"} <= set(table[0])
    chen = next(r for r in table if r["name"] == "陈全国" and "新疆" in r["jurisdiction"])
    assert chen["ofac"].startswith("listed") and chen["eu"] == "not listed"
    xlsx = tmp_path / "gap.xlsx"
    from guwah.lists.match import ListMatcher

    with gap_case.sessions() as s:
        rows, names_ = gap_table(s, ListMatcher.from_session(s))
    rows[0].name = "=HYPERLINK(1)"
    write(rows, names_, xlsx)
    ws = openpyxl.load_workbook(xlsx).active
    assert ws is not None
    header = [c.value for c in ws[1]]
    assert header[9:11] == ["eu", "ofac"]
    assert ws.cell(2, 2).value == "'=HYPERLINK(1)"
    bad = run_cli("gap", "--case", gap_case.root, "--out", tmp_path / "x.pdf", check=False)
    assert bad.returncode == 2 and "--out must end" in bad.stderr


def test_known_import_bad_input(tmp_path: Path) -> None:
    case = Case.init(tmp_path / "case")
    bad = tmp_path / "bad.csv"
    bad.write_text("who,post\nX,Y\n", encoding="utf-8")
    with pytest.raises(CaseError, match="'name' column"):
        import_known(case, bad)
    bad.write_text("name,birth_date\n陈全国,fifty-five\n", encoding="utf-8")
    with pytest.raises(CaseError, match="line 2: birth_date"):
        import_known(case, bad)
    bad.write_bytes(b"name\n\xff\xfe\n")
    with pytest.raises(CaseError, match="not UTF-8"):
        import_known(case, bad)
    with case.sessions() as s:
        assert s.scalars(select(Official)).all() == []  # nothing half-imported


def test_officials_imported_after_a_build_survive_the_next_build(tmp_path: Path) -> None:
    """Import known officials into a case whose registry is already built, then rebuild:
    the imported names, birth date and posts must stay (the order of the steps is the user's)."""
    case = _case_with(tmp_path, {"内部讲话/speech.txt": SPEECH})
    build(case)
    known = tmp_path / "known.csv"
    known.write_text(KNOWN, encoding="utf-8")
    stats = import_known(case, known)
    assert stats.updated == 3  # the leak already named all three
    build(case)
    with case.sessions() as s:
        chen = s.scalars(select(Official).where(Official.name == "陈全国")).one()
        assert "陳全國" in chen.names and chen.birth_date == "1955"
        assert chen.n_documents == 1
        posts = s.scalars(select(OfficialPost).where(OfficialPost.official_id == chen.id)).all()
        assert any(p.source == "import" and p.date_from == "2016-08" for p in posts)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # what Tesseract made of synthetic scans (benchmarks/officials.py, medium leak, seed 1)
        ("组会议，郭勇、赛买提 ' 帕尔哈提及各乡镇党委书记参加会议。", "赛买提·帕尔哈提"),
        ("出席:杨军、郭勇、赛买提 ' 帕尔哈提、依沙克 “，吐尔孙江\n", "依沙克·吐尔孙江"),
        ("联系人:艾买提 “' 塔依尔", "艾买提·塔依尔"),
        ("出席:李永强、吴志强、库尔班 “ 亚森、王伟。", "库尔班·亚森"),
        # a first part that ends in a one-character segment (努尔 + 兰: Nurlan)
        ("按照应收尽收的要求继续排查，努尔兰.巴合提同志\n负责督导。", "努尔兰·巴合提"),
        # 和 joins two comrades; it is not the second one's first character
        ("牙合甫·买合木提同志和穆明同志要亲自抓", "穆明"),
    ],
)
def test_ocr_forms_of_a_names_dot_and_joined_names(text: str, expected: str) -> None:
    assert expected in names(text)


def test_quotation_marks_tight_around_words_stay_quotation_marks() -> None:
    found = names("要认真学习“三个代表”重要思想，王伟同志负责。")
    assert found == ["王伟"]
    assert not any("·" in n for n in names("他说“好”“对”，李强同志同意。"))


def test_a_name_with_and_without_its_dot_is_one_official(tmp_path: Path) -> None:
    """OCR or a clerk leaves out the dot of a transcribed name: same county, same official."""
    case = _case_with(
        tmp_path,
        {
            "a/speech.txt": "讲话\n吴志强同志和库尔班亚森同志要亲自抓。\n\n疏附县委办公室\n2018年7月23日\n",
            "b/minutes.txt": "会议纪要\n疏附县公安局副局长库尔班·亚森同志汇报了工作。\n\n疏附县公安局\n2018年5月2日\n",
        },
    )
    build(case)
    with case.sessions() as s:
        offs = s.scalars(select(Official).where(Official.jurisdiction == "疏附县")).all()
        kurban = [o for o in offs if o.name.replace("·", "") == "库尔班亚森"]
        assert len(kurban) == 1, [(o.name, o.key) for o in offs]
        assert kurban[0].name == "库尔班·亚森" and set(kurban[0].names) == {
            "库尔班·亚森",
            "库尔班亚森",
        }
        assert kurban[0].n_documents == 2
