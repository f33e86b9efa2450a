"""Glosses beside the original (issue 18, item 1): what records' fields and values mean, in
English and Uyghur where a data file says, never replacing what the record writes."""

from __future__ import annotations

import csv
from importlib import resources
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from guwah.person.glossary import field_gloss, value_gloss
from guwah.store.models import Item, Record, RecordValue, Sheet
from guwah.web.app import create_app
from tests.browser import serving
from tests.web_case import WebCase, web_case


def test_facility_names_are_glossed_by_the_kind_they_name() -> None:
    # the longest kind a name holds wins: a VSETC is not a generic "education centre"
    vsetc = value_gloss("facility", "疏附县第一职业技能教育培训中心")
    assert vsetc is not None and "Vocational Skills Education and Training" in vsetc.en
    assert "jeacs" in vsetc.source  # Zenz 2022, where the term is published
    jail = value_gloss("facility", "喀什市看守所")
    assert jail is not None and jail.en == "pre-trial detention centre" and jail.ug
    # traditional characters read as the simplified ones
    assert value_gloss("facility", "疏附縣看守所") == jail
    # a name no data file explains gets no gloss rather than a guess
    assert value_gloss("facility", "某某单位") is None
    assert value_gloss("reason", "其他") is None
    assert value_gloss("name", "阿不都热依木·吐尔地") is None


def test_every_facility_kind_names_its_source() -> None:
    text = resources.files("guwah.reference").joinpath("glossary").joinpath(
        "facility_kinds.csv"
    ).read_text(encoding="utf-8")  # fmt: skip
    rows = list(csv.DictReader(text.splitlines()))
    assert len(rows) >= 8
    for r in rows:
        assert r["zh"] and r["en"] and len(r["source"]) > 10, r


def test_values_of_each_kind() -> None:
    reason = value_gloss("reason", "参加非法宗教活动，有极端思想")
    assert reason is not None and "religious practice" in reason.en and "extremist" in reason.en
    assert reason.ug  # each label's Uyghur
    status = value_gloss("category", "已释放")
    assert status is not None and status.en == "released" and "释放" in status.source
    wife = value_gloss("relation_to_head", "妻子")
    assert wife is not None and wife.en == "wife" and wife.ug == "ئايالى"
    assert value_gloss("ethnicity", "维吾尔族") == value_gloss("ethnicity", "维族")
    county = value_gloss("county", "疏附县")
    assert county is not None and "Shufu" in county.en and "Konasheher" in county.en
    village = value_gloss("village", "托万克其村")
    assert village is not None and "*" in village.en and "not a name in use" in village.source
    reason_field = field_gloss("reason")
    assert reason_field is not None and reason_field.en == "Detention reason" and reason_field.ug


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> WebCase:
    return web_case(tmp_path_factory)


def _facility_value(built: WebCase) -> Any:
    with built.case.sessions() as s:
        return s.execute(
            select(RecordValue.raw, Item.sha256, Sheet.sheet_index, RecordValue.row)
            .join(Record, Record.id == RecordValue.record_id)
            .join(Sheet, Sheet.id == Record.sheet_id)
            .join(Item, Item.id == Sheet.item_id)
            .where(RecordValue.field == "facility", RecordValue.raw.like("%看守所%"))
        ).first()


def test_the_sheet_grid_and_person_page_show_glosses_beside_the_original(built: WebCase) -> None:
    row = _facility_value(built)
    assert row is not None, "the small leak records someone in a 看守所"
    raw, sha, sheet_index, r = row
    client = TestClient(create_app(built.case), base_url="http://127.0.0.1:8000")
    grid = client.get(f"/items/{sha}", params={"sheet": sheet_index, "row": r}).text
    cell = grid[grid.index(f'title="{raw}"') :]
    cell = cell[: cell.index("</td>")]
    assert f">{raw}<" in cell  # the original as written …
    assert "pre-trial detention centre" in cell  # … and beside it what it is
    # the column's field is named above it, in English
    header = grid[grid.index('data-field="facility"') :]
    assert "Facility" in header[: header.index("</th>")]


@pytest.mark.requires("chromium")
def test_in_chromium_a_gloss_reads_beside_the_value_and_uyghur_runs_right_to_left(
    built: WebCase, page: Any
) -> None:
    person = built.recorded("uyghur")
    with serving(create_app(built.case)) as base:
        page.goto(f"{base}/people?q={person['id_number']}")
        page.locator("a.person-link").first.click()
        page.wait_for_selector("table.values")
        means = page.locator("table.values .means")
        assert means.count() >= 2  # sex, ethnicity at least
        first = means.first
        assert first.evaluate("e => e.checkVisibility()")
        ug = page.locator("table.values .gloss[lang='ug-Arab']").first
        assert ug.evaluate("e => getComputedStyle(e).direction") == "rtl"
        # the original stays in the same cell, before its gloss
        cell_text = first.evaluate("e => e.parentElement.textContent")
        original = first.evaluate("e => e.previousElementSibling.textContent")
        assert original and cell_text.startswith(original)


def test_places_in_uyghur_only_as_a_published_source_names_them() -> None:
    addr = value_gloss(
        "household_address", "新疆维吾尔自治区喀什地区疏附县托克扎克镇奥依巴格村1组1号"
    )
    assert addr is not None
    # the county and the town as Wikipedia gives them in Uyghur; the village is in no source,
    # so it has no Uyghur and keeps its pinyin reading marked as one
    assert addr.ug == "كونا شەھەر › توققۇزاق"
    assert "Toqquzaq town" in addr.en and "Aoyibage* village" in addr.en
    text = resources.files("guwah.reference").joinpath("glossary").joinpath(
        "places_ug.csv"
    ).read_text(encoding="utf-8")  # fmt: skip
    rows = list(csv.DictReader(text.splitlines()))
    assert len(rows) >= 30 and all(r["source"].startswith("http") and r["ug"] for r in rows)
