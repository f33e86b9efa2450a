"""The web workbench and its JSON API, over a real case of the small synthetic leak."""

from __future__ import annotations

import hashlib
import re
import warnings
from collections.abc import Iterator
from typing import Any

import pytest

with warnings.catch_warnings():  # starlette's note about httpx's successor
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from guwah.web.app import create_app
from tests.web_case import WebCase, web_case


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> WebCase:
    return web_case(tmp_path_factory)


@pytest.fixture(scope="module")
def client(built: WebCase) -> Iterator[TestClient]:
    with TestClient(create_app(built.case), base_url="http://127.0.0.1:8000") as c:
        yield c


def _person_hits(client: TestClient, q: str, **params: Any) -> list[dict[str, Any]]:
    r = client.get("/api/people", params={"q": q, **params})
    assert r.status_code == 200, r.text
    return r.json()


def test_search_finds_a_two_character_chinese_name_at_its_row(
    built: WebCase, client: TestClient
) -> None:
    han = built.recorded("han", name_len=2)
    row = han["rows"][0]
    r = client.get("/api/search", params={"q": han["name"], "limit": 200})
    assert r.status_code == 200
    data = r.json()
    assert data["total"] >= 1
    rows = {(h["path"], h["row"]) for h in data["hits"] if h["kind"] == "row"}
    assert (row["path"], row["row"]) in rows
    hit = next(h for h in data["hits"] if (h["path"], h["row"]) == (row["path"], row["row"]))
    marked = [hit["snippet"][a:b] for a, b in hit["marks"]]
    assert han["name"] in marked
    # the page shows the hit, marked, linking to the item viewer at the row
    page = client.get("/search", params={"q": han["name"]})
    assert page.status_code == 200
    assert f"<mark>{han['name']}</mark>" in page.text
    assert "?sheet=" in page.text and "&amp;row=" in page.text


def test_people_search_with_a_latin_spelling_of_a_uyghur_name(
    built: WebCase, client: TestClient
) -> None:
    target = built.recorded("uyghur")
    hits = _person_hits(client, target["latin"][-1], born=target["birth_date"][:4])
    assert hits and hits[0]["person"]["id_number"] == target["id_number"]
    pid = hits[0]["person"]["id"]
    person = client.get(f"/api/people/{pid}").json()
    assert target["name"] in [s["name"] for s in person["scripts"]]
    latin = next(s["latin"] for s in person["scripts"] if s["name"] == target["name"])
    assert latin and latin[0].isascii()
    page = client.get("/people", params={"q": target["latin"][0]})
    assert f'href="/people/{pid}"' in page.text
    year = int(target["birth_date"][:4])
    approx = {"q": target["latin"][-1], "born": year + 1, "county": target["county_latin"]}
    assert f'href="/people/{pid}"' in client.get("/people", params=approx).text
    aged = {"q": target["latin"][-1], "age": f"{2018 - year}@2018"}
    assert f'href="/people/{pid}"' in client.get("/people", params=aged).text
    bad = client.get("/people", params={"q": target["latin"][-1], "age": "forty"})
    assert bad.status_code == 200 and "AGE@YEAR" in bad.text
    assert client.get("/api/people", params={"q": "x", "age": "forty"}).status_code == 422
    html = client.get(f"/people/{pid}").text
    assert target["name"] in html and 'dir="auto"' in html
    assert client.get("/api/people/999999").status_code == 404


def test_the_top_search_box_finds_a_latin_spelling_of_a_chinese_written_name(
    built: WebCase, client: TestClient
) -> None:
    """The rows are written in Chinese; full text cannot find "Abdurehim Turdi" in them, so
    a name-like query also goes to the person search, shown above the file hits."""
    target = built.recorded("uyghur")
    latin = target["latin"][-1]
    api = client.get("/api/search", params={"q": latin}).json()
    assert not any(target["name"] in (h.get("snippet") or "") for h in api["hits"])
    page = client.get("/search", params={"q": latin})
    assert page.status_code == 200 and "People named like this" in page.text
    (pid,) = [h["person"]["id"] for h in _person_hits(client, target["id_number"])]
    assert f'href="/people/{pid}"' in page.text.split("</section>")[0]
    for not_a_name in ('"a phrase" OR county:疏附县', "653121", "type:document"):
        assert "People named like this" not in client.get("/search", params={"q": not_a_name}).text


def test_item_json_has_hashes_paths_and_custody(built: WebCase, client: TestClient) -> None:
    row = built.recorded("uyghur")["rows"][0]
    hit = client.get("/api/search", params={"q": f'path:"{row["path"].split("/")[-1]}"'}).json()
    sha = hit["hits"][0]["sha256"]
    item = client.get(f"/api/items/{sha}").json()
    data = (built.case.blobs.path_for(sha)).read_bytes()
    assert item["sha256"] == sha == hashlib.sha256(data).hexdigest()
    assert item["md5"] == hashlib.md5(data).hexdigest()
    assert item["sha1"] == hashlib.sha1(data).hexdigest()
    assert item["size"] == len(data)
    assert row["path"] in [p["path"] for p in item["paths"]]
    assert {"stored", "extracted"} <= {e["event"] for e in item["custody"]}
    assert item["sheets"] and item["kind"] == "spreadsheet"
    page = client.get(f"/items/{sha}", params={"sheet": 0, "row": row["row"], "col": 2})
    assert page.status_code == 200
    assert 'class="target" id="cell"' in page.text


def test_images_are_served_with_their_bytes_and_type(built: WebCase, client: TestClient) -> None:
    hits = client.get("/api/search", params={"q": "type:image", "limit": 3}).json()["hits"]
    sha = hits[0]["sha256"]
    r = client.get(f"/items/{sha}/raw")
    assert r.status_code == 200
    assert r.headers["content-type"] == "image/jpeg"
    assert hashlib.sha256(r.content).hexdigest() == sha
    assert "sandbox" in r.headers["content-security-policy"]
    page = client.get(f"/items/{sha}").text
    assert f'src="/items/{sha}/raw"' in page and "EXIF" in page


@pytest.mark.parametrize(
    "url",
    [
        "/items/..%2F..%2F..%2Fetc%2Fpasswd/raw",
        "/items/%2e%2e/raw",
        "/api/items/..%2Fguwah.db",
        "/items/" + "A" * 64 + "/raw",  # upper case: not how the store names files
        "/items/" + "0" * 63 + "/raw",
        "/items/" + "0" * 64 + "/raw",  # well formed, not in the case
        "/items/" + "0" * 64 + "/pages/1.png",
        "/static/../guwah.db",
        "/static/%2e%2e/%2e%2e/case.py",
    ],
)
def test_bad_sha256_and_path_traversal_are_refused(client: TestClient, url: str) -> None:
    r = client.get(url)
    assert r.status_code in (404, 422), (url, r.status_code)
    assert b"SQLite format" not in r.content and b"root:" not in r.content


def test_pages_and_api(built: WebCase, client: TestClient) -> None:
    overview = client.get("/")
    assert overview.status_code == 200 and "Case overview" in overview.text
    status = client.get("/api/status").json()
    assert status["summary"]["items"] > 100 and len(status["custody_head"]["hash"]) == 64
    findings = client.get("/api/findings", params={"limit": 5}).json()
    assert findings["total"] > 0 and findings["findings"][0]["items"]
    report = client.get("/report")
    assert report.status_code == 200 and "/items/" in report.text
    assert client.get("/docs").status_code == 200
    paths = client.get("/openapi.json").json()["paths"]
    for p in ("/api/search", "/api/people", "/api/people/{person_id}", "/api/items/{sha256}"):
        assert p in paths
    # read-only: only matching and screening take a POST (they only read the case)
    posts = ("/api/match/{list_name}", "/api/screen")
    assert all(set(ops) == {"get"} for p, ops in paths.items() if p not in posts)
    assert all(set(paths[p]) == {"post"} for p in posts)
    assert client.post("/api/search", params={"q": "x"}).status_code == 405
    # a document's page is rendered from the PDF and cached as derived data
    pdf = client.get("/api/search", params={"q": "讲话 type:document", "limit": 20}).json()
    sha = next(h["sha256"] for h in pdf["hits"] if h["path"].endswith(".pdf"))
    png = client.get(f"/items/{sha}/pages/1.png")
    assert png.status_code == 200 and png.content[:8] == b"\x89PNG\r\n\x1a\n"
    assert (built.case.derived_dir / "web" / "pages" / sha / "1.png").exists()
    assert client.get(f"/items/{sha}/pages/999.png").status_code == 404


def test_guwah_serve_prints_its_address_and_serves(built: WebCase) -> None:
    import os
    import socket
    import subprocess
    import sys
    import time
    import urllib.error
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "guwah", "serve", "--case", str(built.case.root)]
        + ["--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "NO_COLOR": "1", "COLUMNS": "200"},
    )
    try:
        assert proc.stdout is not None
        printed = proc.stdout.readline() + proc.stdout.readline()
        url = re.search(rf"http://127\.0\.0\.1:{port}/\?token=([\w-]+)", printed)
        assert url, printed  # the address, with this run's access token
        token = url.group(1)
        deadline = time.monotonic() + 20
        while True:
            try:
                status = f"http://127.0.0.1:{port}/api/status"
                with pytest.raises(urllib.error.HTTPError) as refused:
                    urllib.request.urlopen(status)  # no token: not for anyone who finds the port
                assert refused.value.code == 401
                signed = urllib.request.Request(
                    status, headers={"Authorization": f"Bearer {token}"}
                )
                with urllib.request.urlopen(signed) as r:
                    assert r.status == 200
                    break
            except urllib.error.URLError as exc:
                if isinstance(exc, urllib.error.HTTPError) or time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_a_persons_household_from_the_register(built: WebCase, client: TestClient) -> None:
    """The head of a household in the register: the wife and children on the same household
    number are listed and linked, each with the relation written and its English."""
    head = next(
        p
        for p in built.truth["people"]
        if p.get("in_resident_list") and p["relation_to_head"] == "户主" and len(p["family"]) >= 3
    )
    (hit,) = _person_hits(client, head["id_number"])
    person = client.get(f"/api/people/{hit['person']['id']}").json()
    (household,) = person["households"]
    assert household["own_relation"] == "户主" and "花名册" in household["path"]
    listed = {}
    for m in household["members"]:
        assert m["person_id"] and len(m["sha256"]) == 64 and m["row"] > 0
        other = client.get(f"/api/people/{m['person_id']}").json()
        listed[other["id_number"]] = m["relation"]
    assert listed == {f["id_number"]: f["relation"] for f in head["family"]}
    page = client.get(f"/people/{hit['person']['id']}").text
    assert f"Household {household['number']}" in page
    assert all(f'href="/people/{m["person_id"]}"' in page for m in household["members"])
    assert "(wife)" in page or "(husband)" in page


def test_a_summary_a_reader_of_no_chinese_understands(built: WebCase, client: TestClient) -> None:
    """A detained person's page says in English where, since when, why and in what status,
    every value quoted as written and linked to its cell."""
    target = next(
        p
        for p in built.truth["people"]
        if p.get("in_records") and p.get("detention") and p["county"] == "疏附县"
        and p["detention"].get("reason")
    )  # fmt: skip
    (hit,) = _person_hits(client, target["id_number"])
    page = client.get(f"/people/{hit['person']['id']}").text
    summary = page.split('id="summary"')[1].split("</section>")[0]
    assert "In plain English" in page and "Recorded in" in summary
    assert "Shufu (Konasheher)" in summary  # the county by its exonyms
    assert "Reason written:" in summary and target["detention"]["reason"] in summary
    assert "Status by the analysis rule:" in summary
    assert "?sheet=" in summary and "&amp;row=" in summary  # every quote opens its cell
