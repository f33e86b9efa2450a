"""The search index on real ingested files: Chinese inside sentences, Uyghur in Arabic and
Latin script, English, ID numbers, phrases, facets, snippets, incremental updates, the CLI."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path

import pytest
from docx import Document
from openpyxl import Workbook

from guwah.case import Case
from guwah.ingest.executor import make_executor
from guwah.ingest.pipeline import ingest
from guwah.records.stage import build_records
from guwah.search import build_index, search, stage
from guwah.search.query import QueryError, parse_query
from guwah.search.tokenize import index_text, query_units
from tests.conftest import CJK_FONT, jpeg_bytes, require, run_cli

# fictional people, ID numbers only shaped like resident IDs
UYGHUR = "阿不都热依木·吐尔地"
UYGHUR_ID = "653121198001010012"
HAN_ID = "654027199203040021"
PHOTO_ID = "653121199001011234"
SPEECH = "今天的会议由张伟同志主持，他要求各乡镇加强教育转化工作。"
ARABIC = "ئابدۇرېھىم تۇردى تەربىيەلەش مەركىزىگە ئەۋەتىلدى"


def _xlsx(path: Path, rows: list[list[str]]) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "在押人员"
    for row in rows:
        ws.append(row)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)


def write_leak(root: Path) -> Path:
    docs = root / "疏附县公安局" / "文件"
    docs.mkdir(parents=True)
    doc = Document()
    doc.add_paragraph(SPEECH)
    doc.add_paragraph("The detention facility was expanded in spring.")
    doc.save(docs / "讲话.docx")
    (docs / "notes.txt").write_text(f"{ARABIC}\nMinutes of the Kashgar meeting.\n", "utf-8")
    from fpdf import FPDF

    require("cjk_font")
    pdf = FPDF()
    pdf.add_font("noto", fname=str(CJK_FONT), collection_font_number=2)
    pdf.set_font("noto", size=14)
    pdf.add_page()
    pdf.multi_cell(0, 10, "关于加强管理的通知：请王芳同志负责落实。")
    pdf.output(str(docs / "通知.pdf"))
    header = ["序号", "姓名", "身份证号码", "性别", "民族", "户籍地址", "关押地点"]
    _xlsx(
        root / "疏附县公安局" / "表格" / "在押人员花名册.xlsx",
        [
            header,
            ["1", UYGHUR, UYGHUR_ID, "男", "维吾尔族", "疏附县塔格拉克乡1组", "疏附县看守所"],
            [
                "2",
                "努尔买买提·阿里木",
                "653121198502020034",
                "男",
                "维吾尔族",
                "疏附县",
                "疏附县看守所",
            ],
        ],
    )
    _xlsx(
        root / "特克斯县公安局" / "表格" / "名单.xlsx",
        [header, ["1", "李明", HAN_ID, "女", "汉族", "特克斯县", "特克斯县拘留所"]],
    )
    photos = root / "疏附县公安局" / "人员照片"
    photos.mkdir(parents=True)
    (photos / f"{PHOTO_ID}_20180301093000.jpg").write_bytes(jpeg_bytes(7, datetime(2018, 3, 1)))
    return root


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Case:
    tmp = tmp_path_factory.mktemp("search")
    case = Case.init(tmp / "case")
    ingest(case, [write_leak(tmp / "leak")], executor=make_executor(0, None, serial=True))
    build_records(case)
    build_index(case)
    return case


def test_tokens_bigrams_ids_and_folding() -> None:
    assert index_text("张伟同志") == "张伟 伟同 同志 志"
    assert index_text("Abduréhim") == "abdurehim"
    assert index_text(f"号{UYGHUR_ID[:-1]}X") == f"号 {UYGHUR_ID[:-1]}x {UYGHUR_ID[:6]}"
    # presentation forms, ZWNJ and tatweel fold to the plain letters
    assert index_text("ﺋﺎﺑﺪ\u200cۇ") == index_text("ئابدۇ")
    assert index_text("تـــۇردى") == index_text("تۇردى")
    assert [u.tokens for u in query_units("吐尔地")] == [("吐尔", "尔地")]
    assert query_units("地")[0].prefix


def test_two_character_name_inside_a_sentence(built: Case) -> None:
    result = search(built, "张伟")
    pages = [h for h in result.hits if h.kind == "page"]
    assert len(pages) == 1 and pages[0].path.endswith("讲话.docx")
    assert pages[0].snippet.marked().count("[张伟]") == 1
    # the point: a plain unicode61 index keeps the sentence as one token and misses the name
    plain = sqlite3.connect(":memory:")
    plain.execute("CREATE VIRTUAL TABLE t USING fts5(body, tokenize='unicode61')")
    plain.execute("INSERT INTO t VALUES (?)", (SPEECH,))
    assert plain.execute("SELECT count(*) FROM t WHERE t MATCH ?", ('"张伟"',)).fetchone()[0] == 0


@pytest.mark.requires("cjk_font")
def test_name_in_a_pdf_page(built: Case) -> None:
    hits = search(built, "王芳").hits
    assert [(h.kind, h.page_no, h.path.endswith("通知.pdf")) for h in hits] == [("page", 1, True)]


def test_uyghur_name_in_a_spreadsheet_cell_gives_provenance(built: Case) -> None:
    result = search(built, "吐尔地")
    rows = [h for h in result.hits if h.kind == "row"]
    assert len(rows) == 1
    hit = rows[0]
    assert len(hit.sha256) == 64 and hit.sheet == "在押人员" and hit.row == 2
    assert hit.path.endswith("在押人员花名册.xlsx")
    assert "[吐尔地]" in hit.snippet.marked()
    # the Latin reading of the transcribed name finds the same row
    latin = search(built, "Abdurehim")
    assert (hit.sha256, 2) in {(h.sha256, h.row) for h in latin.hits}


def test_arabic_script_uyghur_and_english(built: Case) -> None:
    hits = search(built, "تۇردى").hits
    assert [h.path.endswith("notes.txt") for h in hits if h.kind == "page"] == [True]
    # written with a presentation form and a ZWNJ, the query still finds it
    assert search(built, "ﺗﯘﺭﺩﻯ").hits or search(built, "تۇر\u200cدى").hits
    # English, any case
    hits = search(built, "KASHGAR").hits
    assert [h.path.endswith("notes.txt") for h in hits if h.kind == "page"] == [True]
    assert any(h.path.endswith("讲话.docx") for h in search(built, "detention").hits)


def test_id_number_exact_and_region_prefix(built: Case) -> None:
    hits = search(built, UYGHUR_ID).hits
    assert [(h.kind, h.row) for h in hits] == [("row", 2)]
    assert not search(built, UYGHUR_ID[:-1] + "9").hits
    photo = search(built, PHOTO_ID).hits
    assert [h.kind for h in photo] == ["item"] and photo[0].type == "image"
    region = search(built, "653121", filters={"kind": "row"})
    assert region.total == 2  # both rows of 疏附县; not the 特克斯县 row


def test_phrase_query(built: Case) -> None:
    assert search(built, '"张伟同志主持"').hits
    assert not search(built, '"张伟主持"').hits  # the words are there, not in this order
    assert search(built, '"facility was expanded"').hits
    assert not search(built, '"expanded facility"').hits


def test_facets_restrict_and_count(built: Case) -> None:
    everything = search(built, "", limit=100)
    assert everything.facets["county"]["疏附县"] > everything.facets["county"]["特克斯县"] >= 2
    images = search(built, "type:image")
    assert images.total == 1 and images.hits[0].type == "image"
    assert images.facets["type"] == {"image": 1}
    tekes = search(built, "county:特克斯县 kind:row")
    assert tekes.total == 2  # the header row and 李明's row
    assert {h.county for h in tekes.hits} == {"特克斯县"}
    assert search(built, "李明", filters={"county": "疏附县"}).total == 0
    held = search(built, "facility:疏附县看守所")
    assert held.total == 2 and held.facets["facility"] == {"疏附县看守所": 2}
    dated = search(built, "type:image from:2018-03 to:2018-03")
    assert dated.total == 1
    assert search(built, "type:image from:2018-04").total == 0
    assert search(built, "findings:yes").total == 0


def test_past_the_match_cap_totals_are_a_lower_bound_and_ranking_is_among_the_first(
    built: Case, monkeypatch: pytest.MonkeyPatch
) -> None:
    everything = search(built, "", limit=1000)
    assert everything.exact and everything.total > 4
    monkeypatch.setattr(stage, "MATCH_CAP", 4)
    capped = search(built, "", limit=1000)
    assert capped.total == 4 and not capped.exact
    assert [h.doc_id for h in capped.hits] == [h.doc_id for h in everything.hits][:4]
    assert sum(capped.facets["kind"].values()) == 4  # facets count what was read


def test_an_index_of_an_older_schema_asks_for_a_rebuild_and_an_update_rebuilds_it(
    tmp_path: Path,
) -> None:
    case = Case.init(tmp_path / "case")
    leak = tmp_path / "leak"
    leak.mkdir()
    (leak / "a.txt").write_text("会议由热合曼主持。\n", "utf-8")
    ingest(case, [leak], executor=make_executor(0, None, serial=True))
    build_index(case)
    path = case.derived_dir / "search.sqlite"
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    with pytest.raises(QueryError, match="guwah search --rebuild"):
        search(case, "热合曼")
    stats = build_index(case)  # the update after the next ingest
    assert stats.items_indexed == 1
    assert search(case, "热合曼").total >= 1


def test_incremental_update_adds_without_duplicates(tmp_path: Path) -> None:
    case = Case.init(tmp_path / "case")
    first = tmp_path / "a"
    first.mkdir()
    (first / "one.txt").write_text("第一份材料提到热合曼。\n", "utf-8")
    ex = make_executor(0, None, serial=True)
    ingest(case, [first], executor=ex)
    stats = build_index(case)
    assert stats.items_indexed == 1 and stats.docs_added == 2  # the page and the item
    assert build_index(case).items_indexed == 0  # nothing new: nothing done
    second = tmp_path / "b"
    second.mkdir()
    (second / "two.txt").write_text("第二份材料提到古丽。\n", "utf-8")
    (second / "again.txt").write_text("第一份材料提到热合曼。\n", "utf-8")  # same content
    ingest(case, [second], executor=ex)
    stats = build_index(case)
    assert stats.items_indexed == 2  # the new file, and the old one with a new path
    assert len([h for h in search(case, "古丽").hits if h.kind == "page"]) == 1
    old = search(case, "热合曼")
    assert len([h for h in old.hits if h.kind == "page"]) == 1  # not twice
    assert search(case, "path:again").total == 1  # the new path is searchable
    assert stats.docs_total == 4


def test_search_cli(built: Case) -> None:
    help_text = run_cli("search", "--help").stdout
    assert "Example" in help_text
    out = run_cli("search", "吐尔地", "--case", built.root, "--json").stdout
    import json

    data = json.loads(out)
    assert data["hits"][0]["row"] == 2 and data["hits"][0]["sheet"] == "在押人员"
    assert data["hits"][0]["marks"]
    text = run_cli("search", "张伟", "--case", built.root, "--type", "document").stdout
    assert "讲话.docx" in text
    missing = run_cli("search", "不存在的词语", "--case", built.root, check=False)
    assert missing.returncode == 1


def test_ingest_cli_updates_the_index(tmp_path: Path) -> None:
    run_cli("init", tmp_path / "case")
    leak = tmp_path / "leak"
    leak.mkdir()
    (leak / "x.txt").write_text("巴克拉克乡会议记录\n", "utf-8")
    out = run_cli("ingest", leak, "--case", tmp_path / "case", "--no-ocr", "--workers", "1")
    assert "Search index" in out.stdout
    assert search(Case.open(tmp_path / "case"), "克拉").total >= 1


def test_records_and_verify_keep_the_index_current(tmp_path: Path) -> None:
    """No `guwah search --update` between the stages: facets follow records and findings."""
    root = tmp_path / "case"
    run_cli("init", root)
    run_cli("ingest", write_leak(tmp_path / "leak"), "--case", root, "--no-ocr", "--serial")
    case = Case.open(root)
    assert search(case, "facility:疏附县看守所").total == 0  # no records yet
    assert search(case, "findings:yes").total == 0

    skipped = run_cli("records", "--case", root, "--no-index")
    assert "Search index:" not in skipped.stdout and "guwah search --update" in skipped.stderr
    assert search(case, "facility:疏附县看守所").total == 0  # stale, and the user was told

    out = run_cli("records", "--case", root).stdout
    assert "Search index:" in out
    held = search(case, "facility:疏附县看守所")
    assert held.total == 2 and held.facets["facility"] == {"疏附县看守所": 2}

    out = run_cli("verify", "--case", root, "--serial").stdout
    assert "findings marked" in out
    flagged = search(case, "findings:yes", limit=100)
    assert flagged.total > 0 and all(h.has_findings for h in flagged.hits)
    assert any(h.path.endswith(f"{PHOTO_ID}_20180301093000.jpg") for h in flagged.hits)
    assert search(case, "findings:是").total == flagged.total  # the same filter in Chinese
    assert search(case, "findings:否").total == search(case, "").total - flagged.total


def test_findings_filter_in_chinese(built: Case) -> None:
    everything = search(built, "", limit=1).total
    assert search(built, "findings:否").total == search(built, "findings:无").total == everything
    assert search(built, "findings:是").total == search(built, "findings:有").total == 0
    with pytest.raises(QueryError, match="findings:yes"):
        search(built, "findings:也许")


def test_parse_query_fields_or_not() -> None:
    q = parse_query('吐尔地 OR 古丽 -Kashgar type:image county:"疏附县" 12:30')
    assert q.filters == {"type": "image", "county": "疏附县"}
    assert q.match is not None and " OR " in q.match and "NOT" in q.match
