"""Access in a real browser (Playwright, Debian's Chromium): the local access token, signing
in, a pseudonymised viewer, and another site's probe for an original."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from guwah.case import Case
from guwah.store.models import Item, Person
from guwah.web.app import create_app
from tests.browser import serving
from tests.conftest import run_cli
from tests.web_case import WebCase, copy_case, web_case

pytestmark = pytest.mark.requires("chromium")
PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> WebCase:
    return web_case(tmp_path_factory)


@pytest.fixture(scope="module")
def team(built: WebCase, tmp_path_factory: pytest.TempPathFactory) -> Case:
    root = tmp_path_factory.mktemp("team-browser") / "case"
    copy_case(built.case, root)
    run_cli("users", "add", "vera", "--role", "viewer", "--password-stdin", "--case", root,
            input=PASSWORD + "\n")  # fmt: skip
    return Case.open(root)


def test_local_workbench_opens_only_with_its_printed_address(built: WebCase, page: Any) -> None:
    with serving(create_app(built.case, local_token="tok-for-this-run")) as base:
        page.goto(base + "/")
        assert "not signed in" in page.content()
        page.goto(base + "/?token=tok-for-this-run")
        assert page.url == base + "/"
        page.goto(base + "/people")  # the session cookie, no token in the address any more
        assert page.locator("h1").first.inner_text() != "" and "not signed in" not in page.content()


def test_a_viewer_signs_in_and_sees_pseudonyms(team: Case, page: Any) -> None:
    with team.sessions() as s:
        person = s.scalars(
            select(Person).where(Person.name.is_not(None), Person.n_photos > 0)
        ).first()
        assert person is not None and person.name
    with serving(create_app(team)) as base:
        page.goto(f"{base}/people/{person.id}")
        assert "/login" in page.url
        page.fill("input[name=name]", "vera")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.goto(f"{base}/people/{person.id}")
        text = page.inner_text("main")
        assert person.name not in text
        assert "P-" in page.inner_text("h1")
        assert "pseudonym" in text
        for img in page.locator("img").all():  # lazy images load when seen
            img.scroll_into_view_if_needed()
        for _ in range(200):  # (wait_for_function evaluates a string: the CSP refuses it)
            if page.evaluate("Array.from(document.images).every(i => i.complete)"):
                break
            page.wait_for_timeout(100)
        shown = page.evaluate(
            "Array.from(document.images).map(i => [new URL(i.src).pathname, i.naturalWidth])"
        )
        assert shown and all(path.endswith("/blurred.jpg") and w > 0 for path, w in shown), shown
        assert page.evaluate("document.cookie") == ""  # HttpOnly: no script can read it
        page.click("form.who button")
        assert "/login" in page.url
        page.goto(f"{base}/people/{person.id}")
        assert "/login" in page.url


def test_another_site_cannot_tell_which_photos_the_case_holds(built: WebCase, page: Any) -> None:
    with built.case.sessions() as s:
        sha = s.scalars(select(Item.sha256).where(Item.mime == "image/jpeg")).first()
    with serving(create_app(built.case)) as base:  # even with no sign-in at all
        page.set_content(
            f'<img id="probe" src="{base}/items/{sha}/raw" '
            "onload=\"document.title='loaded'\" onerror=\"document.title='refused'\">"
        )
        page.wait_for_function("document.title !== ''")
        assert page.title() == "refused"
        page.goto(f"{base}/items/{sha}")  # the workbench's own page shows it
        loaded = page.evaluate(
            "Array.from(document.images).some(i => i.src.endsWith('/raw') && i.naturalWidth > 0)"
        )
        assert loaded
