"""The analysis (report, workbench page) and the person summary in Uyghur and Chinese.

English is compared with main's code itself, not with a stored copy: the same case is
rendered by the packages as they were at commit ``BEFORE`` (out of this repository's history,
run in a subprocess over today's other packages) and by today's, and the two must be equal
byte for byte (only the report's "generated" time differs between two runs). In Uyghur and
Chinese, every message the analysis and the summary use is looked for in the render: none
may be left in English, and leaked text put into a translated message stays escaped.
"""

from __future__ import annotations

import html as htmllib
import json
import os
import re
import subprocess
import sys
import tarfile
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from fastapi.testclient import TestClient
from sqlalchemy import select

from guwah.analyse import words
from guwah.analyse.census import import_census
from guwah.analyse.report import render_html
from guwah.analyse.review import relabel
from guwah.analyse.stage import analyse, parse_options
from guwah.case import Case
from guwah.ingest.pipeline import ingest
from guwah.records.stage import build_records
from guwah.store.models import Person
from guwah.web.app import create_app
from tests.analyse_files import HOSTILE, OTHER, write_census, write_leak
from tests.conftest import run_cli
from tests.old_source import REPO, source_with_old_package

BEFORE = "e83f4ab4a6e5f253ee011d8a7f24785a0dda3d69"  # main when the analysis was translated
LANGS = ("ug", "zh-Hans")
REVIEWER = "<b>R. Eviewer</b>"  # typed by a person, shown inside a translated message
OPTIONS = (
    ("village", "", None),
    ("county", "sex,age,ethnicity", "2017-01..2018-12"),
    ("facility", "ethnicity", None),
    ("township", "sex", None),
)
GENERATED = re.compile(r"generated \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC")


@pytest.fixture(scope="module")
def family(tmp_path_factory: pytest.TempPathFactory) -> Case:
    """The analysis test leak (a family, conflicts, a hostile reason) with a census and a
    reviewer's relabel, so that every kind of table row occurs."""
    root = tmp_path_factory.mktemp("family-i18n")
    write_leak(root / "leak" / "名单.xlsx")
    case = Case.init(root / "case")
    ingest(case, [root / "leak"])
    build_records(case)
    write_census(root / "census.xlsx")
    import_census(case, root / "census.xlsx", "tester")
    relabel(case, OTHER, ["untrustworthy"], REVIEWER)
    return case


def _old_tree(tmp: Path, packages: tuple[str, ...]) -> Path:
    """today's src/ with these packages as they were at ``BEFORE``."""
    src = source_with_old_package(tmp, BEFORE, packages[0])
    for package in packages[1:]:
        tar = subprocess.run(
            ["git", "-C", str(REPO), "archive", BEFORE, f"src/guwah/{package}"],
            check=True,
            capture_output=True,
        ).stdout
        import shutil

        shutil.rmtree(src / "guwah" / package)
        with tarfile.open(fileobj=BytesIO(tar)) as t:
            t.extractall(src.parent, filter="data")
    return src


def _run_old(src: Path, script: str, *args: str) -> None:
    env = {**os.environ, "PYTHONPATH": str(src)}
    subprocess.run([sys.executable, "-c", script, *args], check=True, env=env, cwd=src.parent)


RENDER = """
import json, sys
from pathlib import Path
from guwah.case import Case
from guwah.analyse.report import render_html
from guwah.analyse.stage import analyse, parse_options
case = Case.open(Path(sys.argv[1]))
out = {}
for by, group, window in json.loads(sys.argv[2]):
    for pdf in (False, True):
        with case.sessions() as s:
            a = analyse(s, parse_options(by, group, window))
        out[f"{by}-{group}-{window}-{pdf}"] = render_html(case, a, pdf=pdf)[0]
Path(sys.argv[3]).write_text(json.dumps(out), encoding="utf-8")
"""


def _renders(case: Case, lang: str | None = None) -> dict[str, str]:
    out = {}
    for by, group, window in OPTIONS:
        for pdf in (False, True):
            with case.sessions() as s:
                a = analyse(s, parse_options(by, group, window))
            out[f"{by}-{group}-{window}-{pdf}"] = render_html(case, a, pdf=pdf, lang=lang)[0]
    return out


def test_the_english_report_is_byte_for_byte_mains(family: Case, tmp_path: Path) -> None:
    src = _old_tree(tmp_path, ("analyse",))
    _run_old(src, RENDER, str(family.root), json.dumps(OPTIONS), str(tmp_path / "old.json"))
    old = json.loads((tmp_path / "old.json").read_text("utf-8"))
    new = _renders(family)
    assert old.keys() == new.keys()
    for key in old:
        assert len(GENERATED.findall(old[key])) == 1, key  # the one line that differs by run
        before, after = (
            GENERATED.sub("generated T", old[key]),
            GENERATED.sub("generated T", new[key]),
        )
        assert before == after, key
    # and the comparison can fail: the report carries the relabel and the census
    some = new["county-sex,age,ethnicity-2017-01..2018-12-False"]
    assert "relabelled by &lt;b&gt;R. Eviewer&lt;/b&gt;" in some and "1 regions" in some


SUMMARY = """
import json, sys
from pathlib import Path
from sqlalchemy import select
from guwah.case import Case
from guwah.person.summary import summarise
from guwah.records.people import get_person
from guwah.store.models import Person
case = Case.open(Path(sys.argv[1]))
with case.sessions() as s:
    out = {pid: [x.as_dict() for x in summarise(get_person(s, pid))]
           for pid in s.scalars(select(Person.id).order_by(Person.id))}
Path(sys.argv[2]).write_text(json.dumps(out, ensure_ascii=False), encoding="utf-8")
"""


def test_the_english_person_summary_is_mains(family: Case, tmp_path: Path) -> None:
    from guwah.person.summary import summarise
    from guwah.records.people import get_person

    src = _old_tree(tmp_path, ("person",))
    _run_old(src, SUMMARY, str(family.root), str(tmp_path / "old.json"))
    old = json.loads((tmp_path / "old.json").read_text("utf-8"))
    with family.sessions() as s:
        ids = list(s.scalars(select(Person.id).order_by(Person.id)))
        new = {str(pid): [x.as_dict() for x in summarise(get_person(s, pid))] for pid in ids}
    # a sentence's text parts may be cut differently ("Detained" + " from "): the page joins them
    assert {k: _joined(v) for k, v in old.items()} == {k: _joined(v) for k, v in new.items()}
    sentences = [x["text"] for v in new.values() for x in v]
    assert any(t.startswith("Detained from") for t in sentences)
    assert any(t.startswith("Relatives named in the records") for t in sentences)


def _joined(sentences: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for x in sentences:
        parts: list[Any] = []
        for p in x["parts"]:
            if isinstance(p, str) and parts and isinstance(parts[-1], str):
                parts[-1] += p
            else:
                parts.append(p)
        out.append({"text": x["text"], "parts": parts})
    return out


# -- Uyghur and Chinese ----------------------------------------------------------------------

ANALYSE_FILES = ("analyse/words.py", "analyse/report.py", "analyse/charts.py", "report.html")
PLACEHOLDER = re.compile(r"%\(\w+\)s|\{\w+\}|</?[a-z][^>]*>")
TWO_WORDS = re.compile(r"[A-Za-z]{2,}[,:;]? [A-Za-z(]{2,}")


def _messages(parts: tuple[str, ...]) -> list[str]:
    """The English of every message Babel extracts from these files (both plural forms)."""
    with (REPO / "babel.cfg").open(encoding="utf-8") as f:
        method_map, options_map = parse_mapping_cfg(f)
    out: list[str] = []
    for filename, _line, message, _c, _ctx in extract_from_dir(
        str(REPO), method_map, options_map, keywords=DEFAULT_KEYWORDS
    ):
        if filename.endswith(parts):
            out += list(message) if isinstance(message, tuple) else [message]
    return out


def _english_left(page: str, messages: list[str]) -> list[str]:
    """The pieces of English messages (between their values and tags) found in a page's text;
    a single word counts only as a whole heading or cell (a code such as ``none`` is data)."""
    text = " ".join(htmllib.unescape(re.sub(r"<[^>]+>", " ", page)).split())
    cells = {htmllib.unescape(c).strip() for c in re.findall(r"<t[hd][^>]*>([^<]*)</t[hd]>", page)}
    heads = set(re.findall(r"<(?:h2|dt|th)[^>]*>([^<]*)<", page))
    left = set()
    for msg in messages:
        for piece in PLACEHOLDER.split(msg):
            piece = " ".join(piece.split()).strip(" .·,;:()")
            word = bool(piece) and " " not in piece
            in_text = TWO_WORDS.search(piece) is not None and piece in text
            heading = word and piece in heads and not piece.isupper()  # not SHA-256
            if in_text or heading or (word and piece in cells and _is_label(piece)):
                left.add(piece)
    return sorted(left)


def _is_label(word: str) -> bool:
    # codes shown as written in every language: status, reason and rule codes, table keys
    return word in {"male", "female", "suggested", "confirmed", "rejected", "unknown", "all"}


def _without_other_sections(page: str) -> str:
    """The report without the demography and officials sections (English, other modules)."""
    return re.sub(r'<div lang="en" dir="ltr">.*?</div>\n', "", page, flags=re.S)


@pytest.mark.parametrize("code", LANGS)
def test_every_table_word_has_a_translation(family: Case, code: str) -> None:
    """Every title, column, note and label cell the stage writes is one of the messages,
    with a translation: checked over every table the options make, in both languages."""
    with words.speaking(code):
        for by, group, window in OPTIONS:
            with family.sessions() as s:
                a = analyse(s, parse_options(by, group, window))
            missing = [m for t in a.tables for m in words.untranslated(t)]
            assert not missing, (by, group, missing)
    # the check can fail: a text the stage might write that no message knows
    from guwah.analyse.tables import Table

    odd = Table("summary", "A new table", ["what", "people"], [["a new line", 1]])
    with words.speaking(code):
        assert words.untranslated(odd) == ["A new table", "summary.what: a new line"]


def test_every_label_of_the_data_files_has_a_message() -> None:
    """The matrix's categories and rules' reasoning, the age bands (data files the tables
    show in English) are messages; the taxonomies carry their own Chinese and Uyghur."""
    from guwah.analyse.taxonomy import (
        age_bands,
        matrix_rules,
        ohchr_categories,
        reasons,
        statuses,
    )

    texts = [c["en"] for c in ohchr_categories()["categories"]]
    texts += [r["reasoning"] for r in matrix_rules()["rules"]]
    texts += [b.en for b in age_bands()]
    assert [t for t in texts if t not in words.STATIC] == []
    assert {b.code for b in age_bands()} == set(words.AGE_CODES)
    terms = [*statuses().terms, statuses().unknown, *reasons().terms]
    assert [t.code for t in terms if not (t.zh and t.ug)] == []


@pytest.mark.parametrize("code", LANGS)
def test_the_report_in_uyghur_and_chinese_has_no_english_left(family: Case, code: str) -> None:
    messages = _messages(ANALYSE_FILES)
    assert len(messages) > 150
    for key, page in _renders(family, code).items():
        direction = ' dir="rtl"' if code == "ug" else ""
        assert page.startswith(f'<!doctype html>\n<html lang="{code}"{direction}>'), key
        left = _english_left(_without_other_sections(page), messages)
        assert not left, (key, left)
        # leaked text and a reviewer's name inside translated messages: text, never markup
        assert "<script>alert" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
        assert "<b>R. Eviewer" not in page
        if "county" in key:
            assert "&lt;b&gt;R. Eviewer&lt;/b&gt;" in page
        # WeasyPrint draws SVG text unshaped, a code point at a time: a Uyghur PDF's charts
        # are HTML (its text shaped like the rest); the HTML report keeps its SVG charts
        rtl_pdf = code == "ug" and key.endswith("True")
        assert ('<figure class="chart">' in page) == rtl_pdf and ("<svg" in page) != rtl_pdf
    english = _renders(family)["village--None-False"]
    assert _english_left(english, messages)  # the check finds English where it is


def test_numbers_and_dates_per_locale(family: Case) -> None:
    zh = _renders(family, "zh-Hans")["county-sex,age,ethnicity-2017-01..2018-12-False"]
    assert "时间范围 2017年1月1日..2018年12月31日" in zh and "2018年2月" in zh
    ug = _renders(family, "ug")["county-sex,age,ethnicity-2017-01..2018-12-False"]
    assert "31-دېكابىر، 2018" in ug
    with words.speaking("zh-Hans"):
        assert words.number(1234567) == "1,234,567" and words.number(0.25) == "0.25"
    with words.speaking("en"):
        assert words.number(1234567) == "1234567" and words.day("2018-12-31") == "2018-12-31"


def test_a_language_that_is_not_offered_is_refused(family: Case) -> None:
    with family.sessions() as s:
        a = analyse(s, parse_options("village", "", None))
    with pytest.raises(ValueError, match="choose en, ug or zh-Hans"):
        render_html(family, a, lang="fr")


def test_guwah_report_lang(family: Case, tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    proc = run_cli("report", "--case", family.root, "--out", out, "--lang", "ug")
    assert proc.returncode == 0, proc.stderr
    page = out.read_text("utf-8")
    assert '<html lang="ug" dir="rtl">' in page and "خاتىرىلەردىكى تۇتۇپ تۇرۇش: تەھلىل" in page
    # the CSVs beside it are the English report's: their columns are names for programs
    assert (tmp_path / "r_tables" / "summary.csv").read_text("utf-8-sig").startswith("what,people")
    bad = run_cli("report", "--case", family.root, "--out", out, "--lang", "fr", check=False)
    assert bad.returncode == 2 and "choose en, ug (Uyghur) or zh-Hans" in bad.stderr
    assert "--lang ug" in run_cli("report", "--help").stdout


# -- the workbench ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def client(family: Case) -> Iterator[TestClient]:
    with TestClient(create_app(family), base_url="http://127.0.0.1:8000") as c:
        yield c


def _pages(c: TestClient, case: Case, lang: str) -> dict[str, str]:
    with case.sessions() as s:
        ids = list(s.scalars(select(Person.id).order_by(Person.id)))
    out = {}
    for by, group, window in OPTIONS:
        q = f"by={by}&group={group}&window={window or ''}&lang={lang}"
        out[f"analysis {q}"] = c.get(f"/analysis?{q}").text
    for pid in ids:
        out[f"person {pid}"] = c.get(f"/people/{pid}?lang={lang}").text
    return out


WEB = """
import json, sys
from pathlib import Path
from fastapi.testclient import TestClient
from guwah.case import Case
from guwah.web.app import create_app
case = Case.open(Path(sys.argv[1]))
with TestClient(create_app(case), base_url="http://127.0.0.1:8000") as c:
    out = {p: c.get(p).text for p in json.loads(sys.argv[2])}
Path(sys.argv[3]).write_text(json.dumps(out, ensure_ascii=False), encoding="utf-8")
"""


def test_the_english_pages_are_mains(family: Case, client: TestClient, tmp_path: Path) -> None:
    pages = list(_pages(client, family, "en"))
    paths = [
        "/analysis?" + k.split(" ", 1)[1] if k.startswith("analysis") else f"/people/{k.split()[1]}"
        for k in pages
    ]
    src = _old_tree(tmp_path, ("web", "analyse", "person"))
    _run_old(src, WEB, str(family.root), json.dumps(paths), str(tmp_path / "old.json"))
    old = json.loads((tmp_path / "old.json").read_text("utf-8"))
    client.cookies.clear()
    # one change on purpose since: how a relative was linked reads in words, not as its code
    worded = {
        "household": "in the same household register",
        "relatives_column": "named in a record&#39;s relatives column",
    }
    for path in paths:
        before = old[path]
        for code, words_now in worded.items():
            before = before.replace(
                f'<td class="muted">{code}</td>', f'<td class="muted">{words_now}</td>'
            )
        assert client.get(path).text == before, path
    people = client.get(paths[0]).text
    assert "detained (any record says so)" in people


SUMMARY_FILES = ("person/summary.py",)


@pytest.mark.parametrize("code", LANGS)
def test_the_workbench_in_uyghur_and_chinese_has_no_english_left(
    family: Case, client: TestClient, code: str
) -> None:
    messages = _messages(ANALYSE_FILES + SUMMARY_FILES)
    client.cookies.clear()
    for key, page in _pages(client, family, code).items():
        if key.startswith("person"):
            page = page.split('id="summary"', 1)[1].split("</section>", 1)[0]
            assert f'lang="{code}"' in page
        else:
            page = page.split("<main", 1)[1]
        left = _english_left(page, messages)
        assert not left, (key, left)
        assert "<script>alert" not in page
    english = client.get("/analysis?lang=en").text.split("<main", 1)[1]
    assert "Children whose parents are both detained" in _english_left(english, messages)
    client.get(f"/?lang={code}")
    # a count's people: the heading is the table's and the row's words
    analysis = client.get(f"/analysis?lang={code}").text
    link = re.search(r'href="(/analysis/people\?[^"]+)"', analysis)
    assert link
    heading = client.get(link.group(1).replace("&amp;", "&")).text.split("<h1", 1)[1]
    assert not _english_left(heading.split("</h1>")[0], messages)
    pages = _pages(client, family, code).values()
    assert all("<script>alert" not in p for p in pages)
    summaries = [p.split('id="summary"', 1)[-1].split("</section>", 1)[0] for p in pages]
    escaped = HOSTILE.replace("<", "&lt;").replace(">", "&gt;")
    assert any(escaped in s for s in summaries)  # the hostile reason, quoted in a summary


@pytest.mark.requires("chromium")
@pytest.mark.parametrize("code", ("ug", "zh-Hans", "en"))
def test_the_charts_keep_their_labels_beside_their_bars(
    family: Case, browser: Any, code: str
) -> None:
    """In Chromium: every chart's text lies inside the chart and each label ends before the
    bars begin, in a right-to-left page too (SVG text inherits the page's direction)."""
    from tests.browser import serving

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        with serving(create_app(family)) as url:
            page.goto(f"{url}/analysis?lang={code}")
            charts = page.evaluate(
                "[...document.querySelectorAll('svg.chart')].map(svg => {"
                " const b = svg.getBoundingClientRect();"
                " const texts = [...svg.querySelectorAll('text')].map(t => {"
                "   const r = t.getBoundingClientRect();"
                "   return [r.left, r.right, t.getAttribute('text-anchor') || ''] });"
                " const bars = [...svg.querySelectorAll('rect')].map(r => r.getBoundingClientRect().left);"
                " return {box: [b.left, b.right], texts, bars} })"
            )
    finally:
        context.close()
    assert len(charts) == 3
    for chart in charts:
        left, right = chart["box"]
        assert all(left - 1 <= t[0] and t[1] <= right + 1 for t in chart["texts"]), chart
        labels = [t for t in chart["texts"] if t[2] == "end"]
        assert labels and all(t[1] <= min(chart["bars"]) + 1 for t in labels), chart
