"""OCR honesty (issue 18, item 6): a scanned order is a document, and a page that Tesseract read
with low confidence is marked so in the viewer, the search results and the terminal.

The pages are rendered here with a Noto CJK font and read by the real Tesseract; the
degraded scan is the same kind of page shrunk, blurred and speckled as a poor photocopy is.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from PIL import Image, ImageDraw, ImageFilter
from sqlalchemy import select

from guwah.case import Case
from guwah.ingest.ocr import UNRELIABLE_BELOW
from guwah.search.stage import search
from guwah.store.models import Item, Occurrence, Page
from guwah.web.app import create_app
from tests.browser import serving
from tests.conftest import run_cli
from tests.test_ocr import needs_font, needs_tesseract, photo_like, render

pytestmark = [needs_tesseract, needs_font]

ORDER = [
    "关于做好重点人员管控工作的通知",
    "各派出所：现将有关事项通知如下，请认真贯彻执行。",
    "一、加强排查，逐户登记，不漏一人。",
    "二、发现异常情况及时上报。",
]
NOTICE = [
    "关于开展教育转化工作的通知",
    "各乡镇：请于本月底前报送学员名单和转化情况。",
    "三、对拒不配合的人员逐级上报。",
    "四、本通知自下发之日起执行。",
]


def _poor_copy(lines: list[str]) -> Image.Image:
    """A page as a bad photocopy: shrunk to 40 %, blurred, 3,000 specks."""
    img = render(lines, 34).convert("L")
    img = img.resize((int(img.width * 0.4), int(img.height * 0.4)), Image.Resampling.BILINEAR)
    img = img.filter(ImageFilter.GaussianBlur(0.8))
    rnd, draw = random.Random(7), ImageDraw.Draw(img)
    for _ in range(3000):
        draw.point((rnd.randrange(img.width), rnd.randrange(img.height)), fill=rnd.choice((0, 255)))
    return img


@pytest.fixture(scope="module")
def ocr_case(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A leak of a clean scan, a poor copy and a photo, through the CLI: ingest without OCR,
    then `guwah ocr` (which must leave the index up to date by itself)."""
    root = tmp_path_factory.mktemp("ocr-honesty")
    leak = root / "leak"
    leak.mkdir()
    render(ORDER, 34).save(leak / "order-scan.png")
    _poor_copy(NOTICE).save(leak / "notice-copy.png")
    photo_like().save(leak / "street.jpg", "JPEG")
    case_dir = root / "case"
    run_cli("init", case_dir)
    run_cli("ingest", leak, "--case", case_dir, "--no-ocr", "--workers", "2")
    ocr = run_cli("ocr", "--case", case_dir, "--workers", "2")
    case = Case.open(case_dir)
    with case.sessions() as s:
        shas = dict(
            s.execute(
                select(Occurrence.path, Item.sha256).join(Item, Item.id == Occurrence.item_id)
            ).all()
        )
        pages = {
            sha: (conf, text)
            for sha, conf, text in s.execute(
                select(Item.sha256, Page.confidence, Page.text)
                .join(Page, Page.item_id == Item.id)
                .where(Page.method == "ocr")
            )
        }
    yield {"case": case, "dir": case_dir, "sha": shas, "pages": pages, "ocr_out": ocr.stdout}


def test_the_poor_copy_is_read_with_low_confidence_and_the_clean_scan_is_not(
    ocr_case: dict[str, Any],
) -> None:
    """The premise of the tests below, measured: what Tesseract made of each page."""
    clean_conf, clean_text = ocr_case["pages"][ocr_case["sha"]["order-scan.png"]]
    poor_conf, poor_text = ocr_case["pages"][ocr_case["sha"]["notice-copy.png"]]
    assert ORDER[0] in clean_text and clean_conf >= UNRELIABLE_BELOW
    assert poor_text.strip() and poor_conf < UNRELIABLE_BELOW
    assert "1 pages unreliable" in ocr_case["ocr_out"]


def test_scans_of_running_text_are_documents_photos_stay_images(ocr_case: dict[str, Any]) -> None:
    case = ocr_case["case"]
    shas = ocr_case["sha"]
    docs = search(case, "通知", filters={"type": "document"}, limit=50)
    assert {h.sha256 for h in docs.hits} == {shas["order-scan.png"], shas["notice-copy.png"]}
    assert search(case, "通知", filters={"type": "image"}).total == 0
    assert docs.facets["type"] == {"document": docs.total}
    # the photo is still an image, found by its file name
    photo = search(case, "street", filters={"type": "image"})
    assert [h.sha256 for h in photo.hits] == [shas["street.jpg"]]


def _page_hits(case: Case, sha: str, query: str) -> list[Any]:
    result = search(case, query, limit=50)
    return [h for h in result.hits if h.sha256 == sha and h.kind == "page"]


def test_search_hits_on_an_unreliable_page_say_so(ocr_case: dict[str, Any]) -> None:
    case, shas = ocr_case["case"], ocr_case["sha"]
    _, poor_text = ocr_case["pages"][shas["notice-copy.png"]]
    word = re.search(r"[\u4e00-\u9fff]{2}", poor_text)
    assert word, poor_text
    poor = _page_hits(case, shas["notice-copy.png"], word.group())
    clean = _page_hits(case, shas["order-scan.png"], "重点人员")
    assert poor and all(h.unreliable for h in poor)
    assert clean and not any(h.unreliable for h in clean)
    # the terminal and the JSON say it too
    out = run_cli("search", word.group(), "--case", ocr_case["dir"]).stdout
    assert "unreliable: check the scan" in out
    js = json.loads(run_cli("search", word.group(), "--json", "--case", ocr_case["dir"]).stdout)
    flagged = {h["sha256"] for h in js["hits"] if h["unreliable"]}
    assert flagged == {shas["notice-copy.png"]}


def test_the_viewer_marks_the_unreliable_page_and_types_the_scan(ocr_case: dict[str, Any]) -> None:
    shas = ocr_case["sha"]
    client = TestClient(create_app(ocr_case["case"]), base_url="http://127.0.0.1:8000")
    poor = client.get(f"/items/{shas['notice-copy.png']}").text
    clean = client.get(f"/items/{shas['order-scan.png']}").text
    photo = client.get(f"/items/{shas['street.jpg']}").text
    assert 'id="unreliable-1"' in poor and f"under {UNRELIABLE_BELOW:.0f}" in poor
    assert "unreliable-" not in clean
    assert 'id="scan-badge"' in poor and 'id="scan-badge"' in clean
    assert 'id="scan-badge"' not in photo
    hits = client.get("/search", params={"q": "通知"}).text
    assert hits.count("unreliable-badge") == len(
        _page_hits(ocr_case["case"], shas["notice-copy.png"], "通知")
    )


@pytest.mark.requires("chromium")
def test_in_chromium_the_warning_is_shown_beside_the_text(
    ocr_case: dict[str, Any], page: Any
) -> None:
    sha = ocr_case["sha"]["notice-copy.png"]
    page.set_viewport_size({"width": 375, "height": 800})
    with serving(create_app(ocr_case["case"])) as base:
        page.goto(f"{base}/items/{sha}")
        note = page.locator("#unreliable-1")
        assert note.evaluate("e => e.checkVisibility()")
        text_box = page.locator("pre.unreliable-text").bounding_box()
        note_box = note.bounding_box()
        assert note_box["y"] < text_box["y"]  # read before the text it warns of
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375
