"""Every page type on a phone (375 px) and a desktop (1280 px), in Chromium: no horizontal
scrolling of the page, no serious or critical accessibility violation by axe-core (vendored
from npm, tests/vendor/axe-core), a skip link to the content, and a record's cell in view."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from guwah.store.models import Item, Person, Record
from guwah.store.models_officials import Official
from guwah.web.app import create_app
from tests.browser import serving
from tests.web_case import WebCase, web_case

pytestmark = pytest.mark.requires("chromium")
AXE = (Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js").read_text(encoding="utf-8")
SERIOUS = ("serious", "critical")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> WebCase:
    return web_case(tmp_path_factory)


@pytest.fixture(scope="module")
def base(built: WebCase) -> Iterator[str]:
    with serving(create_app(built.case)) as url:
        yield url


def _pages(built: WebCase) -> list[str]:
    with built.case.sessions() as s:
        person = s.scalars(select(Person.id).where(Person.n_photos > 0)).first()
        sheet = s.scalars(select(Item.sha256).where(Item.mime.like("%spreadsheet%"))).first()
        photo = s.scalars(select(Item.sha256).where(Item.mime == "image/jpeg")).first()
        pdf = s.scalars(select(Item.sha256).where(Item.mime == "application/pdf")).first()
        official = s.scalars(select(Official.id).order_by(Official.n_documents.desc())).first()
    return [
        "/", "/search?q=疏附", "/people?q=Abdurehim", f"/people/{person}", f"/items/{sheet}",
        f"/items/{photo}", f"/items/{pdf}", "/report", "/analysis", "/lists", "/screen",
        "/demography", "/browse", f"/cite?item={photo}", "/api", "/officials",
        f"/officials/{official}",
    ]  # fmt: skip


@pytest.mark.parametrize("width", [375, 1280])
def test_every_page_fits_the_screen_and_passes_axe(
    built: WebCase, base: str, browser: Any, width: int
) -> None:
    # axe is injected as a script: the workbench's CSP rightly refuses it, so bypass it here
    context = browser.new_context(bypass_csp=True, viewport={"width": width, "height": 800})
    page = context.new_page()
    problems = []
    try:
        for path in _pages(built):
            page.goto(base + path)
            scroll, inner = page.evaluate(
                "[document.scrollingElement.scrollWidth, window.innerWidth]"
            )
            if scroll > inner + 1:
                problems.append(f"{path}: the page scrolls sideways ({scroll} px > {inner} px)")
            page.evaluate(AXE)
            found = page.evaluate(
                "axe.run(document, {resultTypes: ['violations']}).then(r => r.violations"
                ".map(v => [v.id, v.impact, v.nodes.map(n => n.target.join(' ')).slice(0, 3)]))"
            )
            problems += [f"{path}: {v[0]} ({v[1]}) at {v[2]}" for v in found if v[1] in SERIOUS]
    finally:
        context.close()
    assert not problems, "\n".join(problems)


def test_a_skip_link_leads_to_the_content(base: str, page: Any) -> None:
    page.goto(base + "/browse")  # (a page whose search box is not focused already)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to the content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_a_records_cell_is_in_view_on_a_phone(built: WebCase, base: str, browser: Any) -> None:
    """The investigator on a 375 px screen opens a record's cell far to the right and below:
    the grid scrolls inside itself to it; the page itself does not scroll sideways."""
    with built.case.sessions() as s:
        rec = s.scalars(select(Record).order_by(Record.row.desc())).first()
        assert rec is not None
        sha = s.scalar(select(Item.sha256).where(Item.id == rec.item_id))
    context = browser.new_context(viewport={"width": 375, "height": 700})
    page = context.new_page()
    try:
        page.goto(f"{base}/items/{sha}?row={rec.row}&col=8")
        page.wait_for_selector("td.target")
        page.wait_for_timeout(300)  # the reveal runs on load
        cell, grid = page.evaluate(
            "[document.querySelector('td.target').getBoundingClientRect().toJSON(),"
            " document.querySelector('.grid-wrap').getBoundingClientRect().toJSON()]"
        )
        assert grid["left"] - 1 <= cell["left"] and cell["right"] <= grid["right"] + 1, (cell, grid)
        assert grid["top"] - 1 <= cell["top"] and cell["bottom"] <= grid["bottom"] + 1, (cell, grid)
        assert page.evaluate("document.scrollingElement.scrollWidth") <= 376
    finally:
        context.close()


def test_the_reports_tab_order_stays_short(base: str, page: Any) -> None:
    """Every finding's files are folded on a long report: a keyboard user tabs through each
    finding's fold and citation, not through every file of every finding."""
    page.goto(base + "/report")
    shown = page.locator("div.finding").count()
    links = page.locator("div.finding a.item-link")
    assert shown > 20 and links.count() >= shown
    visible = "Array.from(document.querySelectorAll('div.finding a.item-link'))" \
        ".filter(e => e.checkVisibility()).length"  # fmt: skip
    assert page.evaluate(visible) == 0  # folded: no file of any finding is a tab stop
    first = page.locator("div.finding").first
    first.locator("summary").click()
    opened = first.locator("a.item-link")
    assert opened.count() >= 1 and opened.first.is_visible()
    assert page.evaluate(visible) == opened.count()  # only the finding that was opened
