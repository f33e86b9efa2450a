"""Paging through a sheet in the JSON API: every row once, in order, none lost or repeated."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

from openpyxl import Workbook

with warnings.catch_warnings():  # starlette's note about httpx's successor
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from guwah.web.app import create_app
from tests.conftest import ingest_one_file

N_ROWS = 257  # data rows under one header: three pages of 100, the last one short


def write_roster(path: Path) -> list[list[str]]:
    wb = Workbook()
    big = wb.active
    assert big is not None
    big.title = "花名册"
    rows = [["序号", "姓名", "备注"]] + [
        [str(i), f"测试人{i:03d}", f"第{i}行"] for i in range(1, N_ROWS + 1)
    ]
    for row in rows:
        big.append(row)
    small = wb.create_sheet("说明")
    small.append(["only one row"])
    wb.save(path)
    return rows


def test_paging_a_sheet_returns_every_row_once(tmp_path: Path) -> None:
    case, sha, written = ingest_one_file(tmp_path, "roster.xlsx", write_roster)

    with TestClient(create_app(case), base_url="http://127.0.0.1:8000") as client:
        sheets = client.get(f"/api/items/{sha}").json()["sheets"]
        big = next(s["index"] for s in sheets if s["name"] == "花名册")
        small = next(s["index"] for s in sheets if s["name"] == "说明")

        seen: list[tuple[int, list[str]]] = []
        starts: list[int] = []
        start: int | None = 1
        while start is not None:
            r = client.get(f"/api/items/{sha}/sheets/{big}", params={"start": start})
            assert r.status_code == 200, r.text
            window: dict[str, Any] = r.json()
            assert window["start"] == start and window["n_rows"] == N_ROWS + 1
            starts.append(start)
            seen += [(n, cells) for n, cells in window["rows"]]
            start = window["next"]
            assert len(starts) < 10, "paging does not end"

        assert starts == [1, 101, 201]
        assert [n for n, _ in seen] == list(range(1, N_ROWS + 2))  # none lost, none twice
        assert [cells for _, cells in seen] == written
        last = client.get(f"/api/items/{sha}/sheets/{big}", params={"start": 201}).json()
        assert (last["start"], last["end"], last["next"], last["prev"]) == (201, 258, None, 101)

        one = client.get(f"/api/items/{sha}/sheets/{small}").json()
        assert one["rows"] == [[1, ["only one row"]]] and one["next"] is None

        beyond = client.get(f"/api/items/{sha}/sheets/{big}", params={"start": 999}).json()
        assert beyond["start"] == N_ROWS + 1 and len(beyond["rows"]) == 1
        assert client.get(f"/api/items/{sha}/sheets/{big}", params={"start": 0}).status_code == 422
        assert client.get(f"/api/items/{sha}/sheets/99").status_code == 404
