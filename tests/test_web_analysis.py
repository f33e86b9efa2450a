"""The workbench's Analysis page on the real app over a real case (the test leak of
tests/analyse_files.py): tables, filters, each count to its people, each person to records."""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator

import pytest

with warnings.catch_warnings():  # starlette's note about httpx's successor
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from guwah.case import Case
from guwah.ingest.pipeline import ingest
from guwah.records.stage import build_records
from guwah.web import routes_analysis
from guwah.web.app import create_app
from tests.analyse_files import A, B, C, D, write_leak


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    root = tmp_path_factory.mktemp("web-analysis")
    write_leak(root / "leak" / "名单.xlsx")
    case = Case.init(root / "case")
    ingest(case, [root / "leak"])
    build_records(case)
    with TestClient(create_app(case), base_url="http://127.0.0.1:8000") as c:
        yield c


def test_analysis_page_counts_open_their_people_and_records(client: TestClient) -> None:
    r = client.get("/analysis", params={"by": "county", "group": "sex"})
    assert r.status_code == 200
    html = r.text
    assert "Detained by place of residence (county) and sex" in html
    assert "Violation matrix" in html and "<svg" in html
    # the hostile reason is text, never markup
    assert "<script>alert" not in html and "&lt;script&gt;" in html
    links = re.findall(r'href="(/analysis/people\?[^"]+)"', html)
    assert links
    # the summary's "detained" line: four people, one of them in three sheets
    detained = re.search(
        r'detained \(any record says so\)</td><td class="num"><a href="([^"]+)">4<', html
    )
    assert detained, html[:2000]
    page = client.get(detained.group(1).replace("&amp;", "&"))
    assert page.status_code == 200
    assert A in page.text
    person_links = re.findall(r'href="/people/(\d+)"', page.text)
    assert len(person_links) == 4
    assert "?sheet=" in page.text and "row=" in page.text
    person = client.get(f"/people/{person_links[0]}")
    assert person.status_code == 200


def test_analysis_filters_and_bad_input(client: TestClient) -> None:
    r = client.get("/analysis", params={"window": "2018-01..2018-12"})
    assert r.status_code == 200
    assert "not counted in the window" in r.text
    assert client.get("/analysis", params={"by": "planet"}).status_code == 400
    assert client.get("/analysis", params={"window": "soon"}).status_code == 400
    assert client.get("/analysis/people", params={"ref": "x"}).status_code == 422
    assert client.get("/analysis/people", params={"ref": "N999999"}).status_code == 404
    assert "Analysis" in client.get("/").text


def test_people_of_a_count_page(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    """A count's people come in pages (one of the large leak holds hundreds of thousands):
    every person once, in order, over the pages."""
    monkeypatch.setattr(routes_analysis, "PAGE", 3)
    html = client.get("/analysis").text
    link = re.search(
        r'detained \(any record says so\)</td><td class="num"><a href="([^"]+)">4<', html
    )
    assert link
    url = link.group(1).replace("&amp;", "&")
    first = client.get(url)
    assert first.status_code == 200
    assert "people 1–3 of 4" in first.text and "page 1 of 2" in first.text
    nxt = re.search(r'<a href="([^"]+)" rel="next">', first.text)
    assert nxt and 'rel="prev"' not in first.text
    second = client.get(nxt.group(1).replace("&amp;", "&"))
    assert second.status_code == 200
    assert "people 4–4 of 4" in second.text and 'rel="next"' not in second.text
    ids = [re.findall(r'href="/people/(\d+)"', p.text) for p in (first, second)]
    assert [len(i) for i in ids] == [3, 1] and len(set(ids[0] + ids[1])) == 4
    assert ids[0] + ids[1] == sorted(ids[0] + ids[1], key=int)
    text = first.text + second.text
    assert all(n in text for n in (A, B, C, D))
    assert client.get(url + "&page=3").status_code == 404
    assert client.get(url + "&page=0").status_code == 422
    monkeypatch.setattr(routes_analysis, "PAGE", 500)
    one = client.get(url)
    assert "page 1 of" not in one.text and len(re.findall(r'href="/people/(\d+)"', one.text)) == 4
