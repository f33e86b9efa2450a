"""The workbench's Lists page and a person's "sanctions" panel, over a copy of the small
synthetic leak's case with a watch list naming one of its people in Latin letters."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from typing import Any

import pytest

with warnings.catch_warnings():  # starlette's note about httpx's successor
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from guwah.case import Case
from guwah.lists.stage import import_list
from guwah.web.app import create_app
from tests.web_case import copy_case, web_case


@pytest.fixture(scope="module")
def listed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Case, dict[str, Any]]:
    built = web_case(tmp_path_factory)
    root = tmp_path_factory.mktemp("listed") / "case"
    copy_case(built.case, root)  # the shared case stays as it was
    case = Case.open(root)
    person = built.recorded("uyghur")
    watch = root.parent / "watch.csv"
    watch.write_text(
        "id,schema,name,birthDate,program\n"
        f"w1,Person,{person['latin'][0]},{person['birth_date'][:4]},watch list\n"
        "w2,Person,Nobody Inthecase,1950,watch list\n",
        encoding="utf-8",
    )
    import_list(case, watch, "csv", name="watch", as_of="2024-01-01")
    watch.write_text(
        "id,schema,name,birthDate,program\n"
        f"w1,Person,{person['latin'][0]},{person['birth_date'][:4]},watch list (renewed)\n",
        encoding="utf-8",
    )
    import_list(case, watch, "csv", name="watch", as_of="2024-06-01")
    return case, person


@pytest.fixture(scope="module")
def client(listed: tuple[Case, dict[str, Any]]) -> Iterator[TestClient]:
    with TestClient(create_app(listed[0]), base_url="http://127.0.0.1:8000") as c:
        yield c


def _pid(client: TestClient, person: dict[str, Any]) -> int:
    r = client.get("/api/people", params={"q": person["name"], "born": person["birth_date"][:4]})
    assert r.status_code == 200, r.text
    return int(r.json()[0]["person"]["id"])


def test_lists_page_shows_versions_counts_changes(client: TestClient) -> None:
    r = client.get("/lists")
    assert r.status_code == 200
    assert "watch" in r.text and "2024-06-01" in r.text and "1 delisted" in r.text
    versions = client.get("/api/lists").json()
    latest = next(v for v in versions if v["as_of"] == "2024-06-01")
    assert latest["schemas"] == {"Person": 1}
    r = client.get(f"/lists/{latest['id']}")
    assert "delisted" in r.text and "Nobody Inthecase" in r.text and "renewed" in r.text
    changes = client.get(f"/api/lists/{latest['id']}/changes").json()
    assert {c["kind"] for c in changes} == {"changed", "delisted"}
    assert client.get("/lists/99999").status_code == 404


def test_person_page_has_a_sanctions_panel_when_listed(
    listed: tuple[Case, dict[str, Any]], client: TestClient
) -> None:
    _, person = listed
    r = client.get(f"/people/{_pid(client, person)}")
    assert r.status_code == 200
    assert 'id="sanctions"' in r.text and "watch v" in r.text and "2024-06-01" in r.text
    pid = _pid(client, person)
    pages = [client.get(f"/people/{i}") for i in range(1, 8) if i != pid]
    pages = [p for p in pages if p.status_code == 200 and person["name"] not in p.text]
    assert pages and all('id="sanctions"' not in p.text for p in pages)
