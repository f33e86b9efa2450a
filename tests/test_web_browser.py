"""The workbench in a real browser: Playwright driving Debian's Chromium over the real server.

Skipped only where /usr/bin/chromium is missing (`apt-get install chromium`); Playwright
never downloads a browser here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from guwah.web.app import create_app
from tests.browser import serving
from tests.web_case import WebCase, web_case

pytestmark = pytest.mark.requires("chromium")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> WebCase:
    return web_case(tmp_path_factory)


@pytest.fixture(scope="module")
def server(built: WebCase) -> Iterator[str]:
    """The real app under uvicorn on a free 127.0.0.1 port."""
    with serving(create_app(built.case)) as base:
        yield base


def test_search_a_chinese_name_then_a_latin_uyghur_name_and_open_the_person(
    built: WebCase, server: str, page: Any
) -> None:
    han = built.recorded("han", name_len=2)
    page.goto(server + "/")
    page.fill("main input[name=q]", han["name"])
    page.press("main input[name=q]", "Enter")
    page.wait_for_url("**/search?q=*")
    assert page.locator("#total").inner_text().split()[0] != "0"
    assert han["name"] in page.locator("ol.hits mark").all_inner_texts()

    uyghur = built.recorded("uyghur")
    page.goto(server + "/people")
    page.fill("main input[name=q]", uyghur["latin"][-1])
    page.fill("main input[name=born]", uyghur["birth_date"][:4])
    page.press("main input[name=q]", "Enter")
    page.wait_for_url("**/people?q=*")
    page.locator("a.person-link").first.click()
    page.wait_for_url("**/people/*")
    assert page.locator("#id-number").inner_text() == uyghur["id_number"]
    assert uyghur["name"] in page.locator("table.names").inner_text()
    assert page.locator("h1.person-name").get_attribute("dir") == "auto"


def test_open_a_spreadsheet_at_a_records_cell(built: WebCase, server: str, page: Any) -> None:
    uyghur = built.recorded("uyghur")
    page.goto(f"{server}/people?q={uyghur['id_number']}")
    page.locator("a.person-link").first.click()
    page.wait_for_url("**/people/*")
    # the ID number's cell in the first record: follow its link into the item viewer
    row = page.locator("table.values tr", has=page.locator(f"td:text-is('{uyghur['id_number']}')"))
    row.first.locator("a.cell-link").click()
    page.wait_for_url("**/items/*", wait_until="load")
    cell = page.locator("td.target")
    assert cell.count() == 1
    assert cell.inner_text().strip() == uyghur["id_number"]
    assert cell.is_visible()
    # scrolled into the middle of the view, not under the sticky column letters
    page.wait_for_function(
        "() => { const r = document.querySelector('td.target').getBoundingClientRect();"
        " return r.top > 100 && r.bottom < window.innerHeight - 50; }"
    )


def test_report_page_links_findings_to_items(server: str, page: Any) -> None:
    page.goto(server + "/report")
    total = int(page.locator("#findings-total").inner_text().replace(",", ""))
    assert total > 0
    assert not page.locator("a.item-link").first.is_visible()  # folded: a long report
    page.locator("details.involved summary").first.click()
    link = page.locator("a.item-link").first
    link.click()
    page.wait_for_url("**/items/*")
    assert len(page.locator("#sha256").inner_text()) == 64


def test_cite_a_finding_from_the_report(built: WebCase, server: str, page: Any) -> None:
    """A researcher opens a finding on the report, clicks "cite", and has a citation with
    the SHA-256 of each item involved and the custody head of the moment; on the item page
    the "Cite this item" block opens with the same head."""
    from sqlalchemy import select

    from guwah.store.models import CustodyEvent, FindingItem, FindingRow

    with built.case.sessions() as s:
        finding = s.scalars(select(FindingRow).where(FindingRow.check == "near_duplicates")).first()
        assert finding is not None
        shas = list(
            s.scalars(select(FindingItem.sha256).where(FindingItem.finding_id == finding.id))
        )
        head = s.scalars(select(CustodyEvent).order_by(CustodyEvent.seq.desc())).first()
        assert head is not None
    page.goto(f"{server}/report?check=near_duplicates")
    page.locator(f"#finding-{finding.id} a.cite-link").click()
    page.wait_for_url("**/cite?finding=*")
    assert page.locator("details.cite").get_attribute("open") is not None
    assert page.locator("#cite-sha256").inner_text() == shas[0]
    assert page.locator("#cite-head-hash").inner_text() == head.hash
    assert page.locator("#cite-head-seq").inner_text() == str(head.seq)
    text = page.locator("#cite-text").inner_text()
    assert all(sha in text for sha in shas) and head.hash in text
    # the item page: the block is closed until clicked
    page.goto(f"{server}/items/{shas[0]}")
    assert not page.locator("#cite-text").is_visible()
    page.locator("details.cite summary").click()
    for _ in range(50):  # the CSP refuses wait_for_function with a string: poll instead
        if page.evaluate("() => document.querySelector('details.cite').open"):
            break
        page.wait_for_timeout(100)
    assert page.locator("#cite-text").is_visible()
    assert shas[0] in page.locator("#cite-text").inner_text()
    assert page.locator("#cite-head-hash").inner_text() == head.hash


def test_a_family_abroad_finds_a_brother_with_a_rough_birth_year_and_reads_the_summary(
    built: WebCase, server: str, page: Any
) -> None:
    """The relative's journey (issue 18): a Latin spelling of the name, the birth year one off,
    the person found, and a page whose summary and glosses need no Chinese."""
    uyghur = next(
        p
        for p in built.truth["people"]
        if p["ethnicity"] == "uyghur" and p.get("in_records") and p["rows"]
        and not p.get("anomalies") and p["latin"] and p.get("detention")
    )  # fmt: skip
    page.goto(server + "/people")
    page.fill("main input[name=q]", uyghur["latin"][0])
    page.fill("main input[name=born]", str(int(uyghur["birth_date"][:4]) + 1))
    page.press("main input[name=q]", "Enter")
    page.wait_for_url("**/people?q=*")
    page.locator("a.person-link").first.click()
    page.wait_for_url("**/people/*")
    assert page.locator("#id-number").inner_text() == uyghur["id_number"]
    summary = page.locator("#summary")
    assert summary.evaluate("e => e.checkVisibility()")
    text = summary.inner_text()
    assert "Recorded in" in text and "Detained" in text
    # every sentence quotes what the record writes and links to its cell
    assert summary.locator("a[href*='row=']").count() >= 1
    # … and reads without Chinese: each says in English words what it quotes, the county
    # by its Latin name
    for sentence in summary.locator("li").all_inner_texts():
        latin = re.findall(r"[A-Za-z]{2,}", re.sub(r"[\u3400-\u9fff]+", "", sentence))
        assert len(latin) >= 3, sentence
    assert uyghur["county_latin"] in text
    # the record's values carry their meaning in English beside them
    glosses = page.locator("table.values .means .gloss[lang=en]").all_inner_texts()
    assert {"male", "female"} & set(glosses) and "Uyghur" in glosses


def test_a_relative_in_the_same_household_is_one_click_away(
    built: WebCase, server: str, page: Any
) -> None:
    """The household register links the family both ways (issue 18, item 4)."""
    head = next(
        p
        for p in built.truth["people"]
        if p.get("in_resident_list") and p["relation_to_head"] == "户主" and len(p["family"]) >= 2
    )
    page.goto(server + "/people?q=" + head["id_number"])
    page.locator("a.person-link").first.click()
    page.wait_for_url("**/people/*")
    table = page.locator("table.household")
    assert table.count() == 1 and table.evaluate("e => e.checkVisibility()")
    relative = head["family"][0]
    row = table.locator("tr", has_text=relative["relation"])
    row.locator("a[href^='/people/']").first.click()
    page.wait_for_url("**/people/*")
    assert page.locator("#id-number").inner_text() == relative["id_number"]
    back = page.locator("table.household tr", has_text="户主")
    assert back.count() >= 1
    back.locator("a[href^='/people/']").first.click()
    page.wait_for_url("**/people/*")
    assert page.locator("#id-number").inner_text() == head["id_number"]
