"""Small things the workbench's users ran into: the report header, the API index, the names
originals download under."""

from __future__ import annotations

import warnings
from collections.abc import Iterator

import pytest
from sqlalchemy import select

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from guwah.store.models import Item, Occurrence
from guwah.web.app import create_app
from tests.web_case import WebCase, web_case


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> WebCase:
    return web_case(tmp_path_factory)


@pytest.fixture(scope="module")
def client(built: WebCase) -> Iterator[TestClient]:
    with TestClient(create_app(built.case), base_url="http://127.0.0.1:8000") as c:
        yield c


def test_report_header_counts_originals(built: WebCase, client: TestClient) -> None:
    page = client.get("/report").text
    assert "built-in method" not in page
    with built.case.sessions() as s:
        n = len(s.scalars(select(Item.id)).all())
    assert f"checks run on {n:,} originals" in page


def test_api_index_lists_every_endpoint(client: TestClient) -> None:
    r = client.get("/api")
    assert r.status_code == 200
    schema = client.get("/openapi.json").json()
    for path in schema["paths"]:
        assert f"<code>{path}</code>" in r.text, path


def test_originals_download_under_their_own_name(built: WebCase, client: TestClient) -> None:
    with built.case.sessions() as s:
        sha, path = s.execute(
            select(Item.sha256, Occurrence.path)
            .join(Occurrence, Occurrence.item_id == Item.id)
            .where(Item.mime.like("%spreadsheet%"))
            .order_by(Occurrence.id)
        ).first()
    r = client.get(f"/items/{sha}/raw")
    name = path.replace("!/", "/").rsplit("/", 1)[-1]
    disposition = r.headers["content-disposition"]
    assert disposition.startswith("attachment")
    assert name.rsplit(".", 1)[-1] in disposition  # the extension travels with it
    from urllib.parse import unquote

    assert name in unquote(disposition)
