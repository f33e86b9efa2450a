"""The workbench in a real browser: Playwright driving Debian's Chromium over the real server.

Skipped only where /usr/bin/chromium is missing (`apt-get install chromium`); Playwright
never downloads a browser here.
"""

from __future__ import annotations

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
    link = page.locator("a.item-link").first
    link.click()
    page.wait_for_url("**/items/*")
    assert len(page.locator("#sha256").inner_text()) == 64
