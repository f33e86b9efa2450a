"""The right model per page: OSD picks it, pages are turned and levelled, chi_tra must win by a
margin, mixed pages re-read their other script's lines, false columns are joined, blank pages
are not errors."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from guwah.ingest.deskew import skew_angle
from guwah.ingest.ocr import OcrPage, ocr_item
from guwah.ingest.ocr_layout import rows_of, rows_text, segments_of
from guwah.synth.ocr_pages import SynthPage, render
from tests.conftest import CJK_FONT
from tests.test_ocr import needs_font, needs_tesseract


@needs_tesseract
@needs_font
def test_uyghur_page_runs_uig_alone_and_an_upside_down_page_is_turned(tmp_path: Path) -> None:
    for kind, model in (("uyghur", "uig"), ("rotated", "chi_sim")):
        page = render(kind, 3, lines=4)
        path = tmp_path / kind
        page.image.save(path, "PNG", dpi=(300, 300))
        [got] = ocr_item(path, "image/png", [1], "chi_sim+uig+eng", 120, per_page=True)
        assert got.language == model, got.detail
        assert got.detail["models"][-1] == model, got.detail
        assert page.text.split("\n")[0][:6] in got.text
        if kind == "uyghur":  # told from its ink rows: no OSD, one read
            assert got.detail["models"] == ["uig"] and "osd" not in got.detail
            assert "lines look Arabic" in got.detail["why"]
    # guessed Han from its ink, read badly, so turned by OSD and read again
    assert got.detail.get("rotated") == 180 and "< 40: OSD" in got.detail["why"], got.detail


@needs_tesseract
def test_blank_page_has_no_text_and_is_not_an_error(tmp_path: Path) -> None:
    path = tmp_path / "blank"
    Image.new("L", (1200, 1600), 255).save(path, "PNG")
    [got] = ocr_item(path, "image/png", [1], "chi_sim+uig+eng", 60, per_page=True)
    assert got.text == "" and got.detail["why"] == "blank page" and not got.detail["unreliable"]


def _cer(truth: str, got: str) -> float:
    from rapidfuzz.distance import Levenshtein

    ref, hyp = "".join(truth.split()), "".join(got.split())
    return Levenshtein.distance(ref, hyp) / max(1, len(ref))


def _read(tmp_path: Path, page: SynthPage) -> OcrPage:
    path = tmp_path / f"{page.kind}.png"
    page.image.save(path, "PNG", dpi=(page.dpi, page.dpi))
    [got] = ocr_item(path, "image/png", [1], "chi_sim+uig+eng", 300, per_page=True)
    return got


@needs_tesseract
@needs_font
def test_a_simplified_form_keeps_chi_sim_though_chi_tra_scores_a_little_higher(
    tmp_path: Path,
) -> None:
    got = _read(tmp_path, render("form", 1))
    tried = got.detail["tried"]
    assert "chi_tra" in tried and tried["chi_tra"] > tried["chi_sim"], tried  # the trap
    assert got.language == "chi_sim", got.detail
    assert "人员登记表" in got.text or "测试人甲" in got.text


@needs_tesseract
@needs_font
def test_a_traditional_page_is_read_with_chi_tra(tmp_path: Path) -> None:
    page = render("traditional", 1, lines=6)
    got = _read(tmp_path, page)
    assert got.language == "chi_tra", got.detail
    assert _cer(page.text, got.text) < 0.15


@needs_tesseract
@needs_font
def test_a_mixed_page_reads_its_other_scripts_lines_again_with_that_model_alone(
    tmp_path: Path,
) -> None:
    # the ink rows tell Chinese and Uyghur lines: chi_sim first, then its Uyghur lines
    for seed in (2, 3):
        page = render("mixed", seed, lines=6)
        got = _read(tmp_path, page)
        assert got.detail["models"] == ["chi_sim", "chi_sim+uig"], got.detail
        assert "lines look mixed" in got.detail["why"]
        assert "3 lines under 60 read again with uig" in got.detail["why"]
        assert _cer(page.text, got.text) < 0.03, got.text
        uyghur = [line for line in page.text.split("\n") if "\u0600" <= line[0] <= "\u06ff"]
        assert len(uyghur) == 3 and all(line.split()[0] in got.text for line in uyghur)


@needs_tesseract
@needs_font
def test_when_the_line_reread_drops_a_line_the_page_is_read_with_both_models(
    tmp_path: Path,
) -> None:
    page = render("mixed", 1)  # Tesseract's uig drops one of its Uyghur lines, alone on a page
    got = _read(tmp_path, page)
    assert got.detail["models"] == ["chi_sim", "chi_sim+uig"]
    assert "read again with uig; confidence" in got.detail["why"]
    assert "< 80: chi_sim+uig tried" in got.detail["why"]
    path = tmp_path / "by-hand.png"
    page.image.save(path, "PNG", dpi=(300, 300))
    by_hand = subprocess.run(
        ["tesseract", str(path), "-", "-l", "chi_sim+uig", "--psm", "3"],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "OMP_THREAD_LIMIT": "1"},
    ).stdout
    assert _cer(page.text, got.text) <= _cer(page.text, by_hand) + 0.005


@needs_tesseract
@needs_font
def test_lines_tesseract_splits_into_false_columns_are_read_in_order(tmp_path: Path) -> None:
    # Every line starts with an eight-character phrase and a full-width comma: the commas
    # line up and Tesseract's layout takes the page for two columns.
    phrases = ["根据上级工作部署", "各乡镇要高度重视", "认真落实有关要求", "加强日常管理工作"]
    img = Image.new("RGB", (2480, 900), (252, 252, 250))
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype(str(CJK_FONT), 50)
    lines = []
    for i in range(6):
        line = "，".join(phrases[(i + k) % 4] for k in range(4)) + "。"
        draw.text((180, 130 + i * 110), line, font=font, fill=(20, 20, 20))
        lines.append(line)
    got = _read(tmp_path, SynthPage("chinese", img, "\n".join(lines), "chi_sim"))
    assert _cer("\n".join(lines), got.text) < 0.02, got.text
    assert got.text.split("\n")[0].startswith(lines[0][:12])


@needs_tesseract
@needs_font
def test_a_page_tilted_three_degrees_is_levelled_and_read(tmp_path: Path) -> None:
    page = render("chinese", 2, lines=6)
    tilted = page.image.rotate(3.0, expand=True, fillcolor=(252, 252, 250))
    got = _read(tmp_path, SynthPage("chinese", tilted, page.text, "chi_sim"))
    assert abs(got.detail["deskewed"] - 3.0) < 0.2, got.detail
    assert _cer(page.text, got.text) < 0.02


def test_skew_angle_finds_the_tilt_a_page_was_given_and_none_on_a_level_page() -> None:
    page = render("uyghur", 4, lines=8).image
    assert abs(skew_angle(page)) < 0.2
    for angle in (-4.5, -1.2, 0.8, 2.6):
        tilted = page.rotate(angle, expand=True, fillcolor=(252, 252, 250))
        assert abs(skew_angle(tilted) - angle) < 0.15, angle
    assert skew_angle(Image.new("L", (800, 1000), 255)) == 0.0


def test_rows_join_a_line_cut_by_a_narrow_river_but_not_two_real_columns() -> None:
    def data(words: list[tuple[int, int, int, int, str]]) -> dict[str, list[object]]:
        cols: dict[str, list[object]] = {k: [] for k in ("text", "conf", "block_num", "par_num")}
        cols.update({k: [] for k in ("line_num", "left", "top", "width", "height")})
        for block, line, left, top, text in words:
            for key, value in zip(
                ("text", "conf", "block_num", "par_num", "line_num", "left", "top"),
                (text, 90, block, 1, line, left, top),
                strict=True,
            ):
                cols[key].append(value)
            cols["width"].append(400)
            cols["height"].append(50)
        return cols

    # two blocks, 36 px apart (under a character): one text, read line by line
    river = data(
        [
            (1, 1, 180, 100, "甲"),
            (1, 2, 180, 210, "丙"),
            (2, 1, 616, 100, "乙"),
            (2, 2, 616, 210, "丁"),
        ]
    )
    assert rows_text(rows_of(segments_of(river))) == "甲乙\n丙丁"
    # two columns 200 px apart (four characters): kept apart
    columns = data(
        [
            (1, 1, 180, 100, "甲"),
            (1, 2, 180, 210, "丙"),
            (2, 1, 780, 100, "乙"),
            (2, 2, 780, 210, "丁"),
        ]
    )
    assert rows_text(rows_of(segments_of(columns))) == "甲\n丙\n\n乙\n丁"
