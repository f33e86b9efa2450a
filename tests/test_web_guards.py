"""What another web site, a rebinding DNS name or a hostile URL can get from the workbench."""

from __future__ import annotations

import time
import warnings
from collections.abc import Iterator

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from guwah.search.query import MAX_UNITS, SNIPPET_SCAN_CHARS, make_snippet, parse_query
from guwah.web.app import create_app
from tests.conftest import run_cli
from tests.web_case import WebCase, web_case

BIG = str(2**63)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> WebCase:
    return web_case(tmp_path_factory)


@pytest.fixture(scope="module")
def client(built: WebCase) -> Iterator[TestClient]:
    app = create_app(built.case)

    @app.get("/test-only/boom")
    def boom() -> None:
        raise RuntimeError("secret detail of the failure")

    with TestClient(app, base_url="http://127.0.0.1:8000") as c:
        yield c


def _a_photo(client: TestClient) -> str:
    hits = client.get("/api/search", params={"q": "type:image", "limit": 1}).json()["hits"]
    return str(hits[0]["sha256"])


def test_dns_rebinding_names_are_refused(client: TestClient) -> None:
    for host in ("rebind.attacker.example", "rebind.attacker.example:8000", "127.0.0.1.nip.io"):
        r = client.get("/api/status", headers={"Host": host})
        assert r.status_code == 400, host
        assert "case" not in r.text.lower() or "127.0.0.1" in r.text
    for host in ("127.0.0.1:8000", "localhost:8000", "[::1]:8000", "LOCALHOST"):
        assert client.get("/api/status", headers={"Host": host}).status_code == 200, host


def test_other_sites_cannot_probe_originals(client: TestClient) -> None:
    sha = _a_photo(client)
    probe = {"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "no-cors", "Sec-Fetch-Dest": "image"}
    r = client.get(f"/items/{sha}/raw", headers=probe)
    assert r.status_code == 403 and not r.content.startswith(b"\xff\xd8")
    same_site = {**probe, "Sec-Fetch-Site": "same-site"}  # another port of localhost
    assert client.get(f"/items/{sha}/raw", headers=same_site).status_code == 403
    fetch = {"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "cors", "Sec-Fetch-Dest": "empty"}
    assert client.get("/api/status", headers=fetch).status_code == 403
    own = {"Sec-Fetch-Site": "same-origin", "Sec-Fetch-Mode": "no-cors", "Sec-Fetch-Dest": "image"}
    assert client.get(f"/items/{sha}/raw", headers=own).status_code == 200
    link = {
        "Sec-Fetch-Site": "cross-site",
        "Sec-Fetch-Mode": "navigate",
        "Sec-Fetch-Dest": "document",
    }
    assert client.get("/", headers=link).status_code == 200  # a link followed from elsewhere
    r = client.get(f"/items/{sha}/raw", headers=own)
    assert r.headers["Cross-Origin-Resource-Policy"] == "same-origin"


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/api/status",
        "/search?q=x",
        "/no-such-page",
        "/api/no-such",
        "/docs",
        "/test-only/boom",
    ],
)
def test_every_response_carries_the_protective_headers(client: TestClient, url: str) -> None:
    r = client.get(url)
    assert r.headers["Cache-Control"] == "no-store"
    assert r.headers["X-Frame-Options"] == "DENY"
    assert r.headers["Cross-Origin-Resource-Policy"] == "same-origin"
    assert "frame-ancestors 'none'" in r.headers["Content-Security-Policy"]
    assert r.headers["X-Content-Type-Options"] == "nosniff"


def test_a_server_error_says_nothing_of_its_cause(client: TestClient) -> None:
    r = client.get("/test-only/boom")
    assert r.status_code == 500 and "secret" not in r.text


@pytest.mark.parametrize(
    "url",
    [
        f"/people/{BIG}",
        f"/api/people/{BIG}",
        f"/api/findings?offset={BIG}",
    ],
)
def test_huge_integers_are_a_client_error_not_a_crash(client: TestClient, url: str) -> None:
    assert client.get(url).status_code == 422


def test_huge_sheet_index_and_superscript_year(client: TestClient) -> None:
    sha = _a_photo(client)
    assert client.get(f"/api/items/{sha}/sheets/{BIG}").status_code == 422
    assert client.get(f"/api/items/{sha}/sheets/0", params={"start": BIG}).status_code == 422
    r = client.get("/people", params={"q": "Ferhat", "born": "²"})
    assert r.status_code == 200


def test_head_answers_like_get_without_a_body(client: TestClient) -> None:
    get, head = client.get("/api/status"), client.head("/api/status")
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-type"] == get.headers["content-type"]
    assert head.headers["Cache-Control"] == "no-store"


def test_pages_tell_htmx_to_keep_no_history_copy(client: TestClient) -> None:
    assert '"historyCacheSize": 0' in client.get("/").text


def test_queries_are_bounded(client: TestClient) -> None:
    long = client.get("/api/search", params={"q": "x" * 1_200})
    assert long.status_code == 400 and "1,000" in long.text
    many = " ".join(f"w{i}" for i in range(MAX_UNITS + 1))
    r = client.get("/api/search", params={"q": many})
    assert r.status_code == 400 and "words" in r.text


def test_snippets_of_a_huge_page_are_bounded() -> None:
    """300,000 characters and 60 words: formerly seconds per hit, scanned once now."""
    words = [f"w{i}" for i in range(60)]
    text = " ".join(words * 700) + " ziel " + "a " * 100_000
    parsed = parse_query(" OR ".join(words[:59]) + " OR ziel")
    started = time.perf_counter()
    snippet = make_snippet(text, parsed.highlight)
    assert time.perf_counter() - started < 3.0  # was about 10 s before the bound
    assert snippet.marks, "the first match is marked"
    late = "a " * SNIPPET_SCAN_CHARS + "ziel"
    assert make_snippet(late, parse_query("ziel").highlight).marks == []


def test_serve_refuses_to_listen_beyond_this_machine(built: WebCase) -> None:
    r = run_cli("serve", "--host", "0.0.0.0", "--case", built.case.root, check=False)
    assert r.returncode == 2
    assert "refusing to listen on 0.0.0.0" in r.stderr
