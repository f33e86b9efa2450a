"""Content extractors on real files made here: images, spreadsheets, PDFs, Word, text.

Originals are stored by hash with no file extension, so every file here is written under an
extension-less name. All names and numbers are fictional.
"""

from __future__ import annotations

import hashlib
import io
import json
import pickle
import struct
import zipfile
import zlib
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageDraw, ImageFont

from guwah.config import Limits
from guwah.ingest.extractors.spreadsheets import XLS, XLSX, sniff_delimiter
from guwah.ingest.registry import ExtractContext, Extraction, ExtractionError, pick
from tests.conftest import CJK_FONT, require

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ODS = "application/vnd.oasis.opendocument.spreadsheet"
FICTIONAL_ID = "653121199001011234"  # shape of a resident ID; not a real person

needs_cjk_font = pytest.mark.requires("cjk_font")


# -- helpers --------------------------------------------------------------------------------


def extract(path: Path, mime: str, limits: Limits | None = None) -> Extraction:
    """Run the registered extractor as the pipeline does; check its result travels."""
    extractor = pick(mime)
    assert extractor is not None, mime
    out = extractor.extract(path, mime, ExtractContext(limits or Limits()))
    json.dumps(out.meta, allow_nan=False)  # the database stores meta as JSON
    pickle.dumps(out)  # results cross process boundaries
    for page in out.pages:
        assert "\x00" not in page.text
    return out


def fails(path: Path, mime: str, limits: Limits | None = None) -> ExtractionError:
    with pytest.raises(ExtractionError) as info:
        extract(path, mime, limits)
    assert info.value.message
    return info.value


def blob(tmp_path: Path, data: bytes, name: str = "blob") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def saved(tmp_path: Path, write: Callable[[io.BytesIO], object], name: str = "blob") -> Path:
    buf = io.BytesIO()
    write(buf)
    return blob(tmp_path, buf.getvalue(), name)


def cells(out: Extraction, sheet: int = 0) -> dict[tuple[int, int], tuple[str, str]]:
    return {(r, c): (v, t) for r, c, v, t in out.sheets[sheet].cells}


# -- hand-built binary structures ---------------------------------------------------------


def _entry(tag: int, typ: int, count: int, payload: bytes) -> tuple[int, int, int, bytes]:
    return tag, typ, count, payload


def ascii_tag(tag: int, text: str) -> tuple[int, int, int, bytes]:
    data = text.encode("ascii") + b"\x00"
    return _entry(tag, 2, len(data), data)


def rational_tag(tag: int, *values: tuple[int, int]) -> tuple[int, int, int, bytes]:
    return _entry(tag, 5, len(values), b"".join(struct.pack("<II", n, d) for n, d in values))


def long_tag(tag: int, value: int) -> tuple[int, int, int, bytes]:
    return _entry(tag, 4, 1, struct.pack("<I", value))


def byte_tag(tag: int, value: int) -> tuple[int, int, int, bytes]:
    return _entry(tag, 1, 1, bytes([value]))


def _ifd(entries: list[tuple[int, int, int, bytes]], offset: int, next_ifd: int = 0) -> bytes:
    entries = sorted(entries)
    data_at = offset + 2 + 12 * len(entries) + 4
    head, data = struct.pack("<H", len(entries)), b""
    for tag, typ, count, payload in entries:
        if len(payload) <= 4:
            head += struct.pack("<HHI", tag, typ, count) + payload.ljust(4, b"\x00")
        else:
            head += struct.pack("<HHII", tag, typ, count, data_at + len(data))
            data += payload + b"\x00" * (len(payload) % 2)
    return head + struct.pack("<I", next_ifd) + data


def exif_app1(
    ifd0: list[tuple[int, int, int, bytes]],
    exif: list[tuple[int, int, int, bytes]],
    gps: list[tuple[int, int, int, bytes]],
    thumbnail: bytes,
) -> bytes:
    """EXIF APP1 payload (little-endian TIFF) with Exif and GPS IFDs and a JPEG thumbnail.

    Written by hand so the test does not depend on the writer it might share bugs with.
    """

    def size(entries: list[tuple[int, int, int, bytes]]) -> int:
        return len(_ifd(entries, 0))

    ptrs = [long_tag(0x8769, 0), long_tag(0x8825, 0)]
    thumb_ifd = [
        long_tag(0x0201, 0),
        long_tag(0x0202, len(thumbnail)),
        _entry(0x0103, 3, 1, b"\x06\x00"),
    ]
    at_exif = 8 + size(ifd0 + ptrs)
    at_gps = at_exif + size(exif)
    at_ifd1 = at_gps + size(gps)
    at_thumb = at_ifd1 + size(thumb_ifd)
    ptrs = [long_tag(0x8769, at_exif), long_tag(0x8825, at_gps)]
    thumb_ifd[0] = long_tag(0x0201, at_thumb)
    tiff = b"II*\x00" + struct.pack("<I", 8)
    tiff += _ifd(ifd0 + ptrs, 8, next_ifd=at_ifd1)
    tiff += _ifd(exif, at_exif) + _ifd(gps, at_gps) + _ifd(thumb_ifd, at_ifd1) + thumbnail
    return b"Exif\x00\x00" + tiff


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that declares a size (IHDR) but holds almost no data: a decompression bomb."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\x00"))
        + chunk(b"IEND", b"")
    )


def cfb_with_stream(name: str, payload: bytes) -> bytes:
    """A minimal OLE compound file (MS-CFB v3) holding one stream, e.g. EncryptedPackage.

    Password-protected .xlsx/.docx files are such containers (MS-OFFCRYPTO). The stream is
    at least 4096 bytes so it lives in normal sectors, not the mini stream.
    """
    payload = payload.ljust(4096, b"\x00")
    n_data = (len(payload) + 511) // 512
    end, free, fat_sect, no_stream = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD, 0xFFFFFFFF
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 16
    header += struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + b"\x00" * 6
    header += struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, end, 0, end, 0)
    header += struct.pack("<I", 0) + struct.pack("<I", free) * 108  # DIFAT: FAT in sector 0
    fat = [fat_sect, end] + [2 + i + 1 for i in range(n_data - 1)] + [end]
    fat_sector = b"".join(struct.pack("<I", v) for v in fat).ljust(512, b"\xff")

    def direntry(entry_name: str, kind: int, child: int, start: int, size: int) -> bytes:
        raw = entry_name.encode("utf-16-le") + b"\x00\x00"
        out = raw.ljust(64, b"\x00") + struct.pack("<HBB", len(raw), kind, 1)
        out += struct.pack("<III", no_stream, no_stream, child) + b"\x00" * 16
        out += struct.pack("<I", 0) + b"\x00" * 16 + struct.pack("<IQ", start, size)
        return out

    directory = direntry("Root Entry", 5, 1, end, 0) + direntry(name, 2, no_stream, 2, len(payload))
    directory = directory.ljust(512, b"\x00")
    return header + fat_sector + directory + payload.ljust(n_data * 512, b"\x00")


def noise_photo(width: int = 640, height: int = 480) -> Image.Image:
    """Continuous-tone stand-in for a photograph: gradients and sensor-like noise."""
    grad = Image.linear_gradient("L").rotate(30).resize((width, height))
    radial = Image.radial_gradient("L").resize((width, height))
    noise = Image.effect_noise((width, height), 40)
    return Image.merge("RGB", (grad, radial, ImageChops.blend(grad, noise, 0.5)))


def text_scan(lines: list[str], size: int = 36, width: int = 1400) -> Image.Image:
    img = Image.new("L", (width, 120 + len(lines) * size * 2), 250)
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype(str(CJK_FONT), size, index=2)
    for i, line in enumerate(lines):
        draw.text((60, 60 + i * size * 2), line, fill=20, font=font)
    return img


# -- images ---------------------------------------------------------------------------------


@pytest.fixture
def exif_jpeg(tmp_path: Path) -> tuple[Path, bytes]:
    thumb = io.BytesIO()
    noise_photo(160, 120).save(thumb, "JPEG", quality=70)
    app1 = exif_app1(
        ifd0=[
            ascii_tag(0x010F, "FictionCam"),
            ascii_tag(0x0110, "FC-100"),
            ascii_tag(0x0131, "FirmWare 1.0"),
            ascii_tag(0x010E, "test photo (fictional)"),
            ascii_tag(0x0132, "2018:03:02 10:00:00"),
        ],
        exif=[
            ascii_tag(0x9003, "2018:03:01 09:15:22"),
            ascii_tag(0x9011, "+08:00"),
            ascii_tag(0xA431, "SN-0042"),
        ],
        gps=[
            ascii_tag(0x0001, "N"),
            rational_tag(0x0002, (39, 1), (28, 1), (125, 10)),
            ascii_tag(0x0003, "E"),
            rational_tag(0x0004, (75, 1), (59, 1), (3, 1)),
            byte_tag(0x0005, 0),
            rational_tag(0x0006, (12895, 10)),
        ],
        thumbnail=thumb.getvalue(),
    )
    path = saved(tmp_path, lambda b: noise_photo().save(b, "JPEG", quality=85, exif=app1))
    return path, thumb.getvalue()


def test_jpeg_exif_tags_read_back_exactly(exif_jpeg: tuple[Path, bytes]) -> None:
    out = extract(exif_jpeg[0], "image/jpeg")
    assert (out.meta["width"], out.meta["height"]) == (640, 480)
    assert (out.meta["format"], out.meta["mode"]) == ("JPEG", "RGB")
    exif = out.meta["exif"]
    assert exif["EXIF DateTimeOriginal"] == "2018:03:01 09:15:22"
    assert exif["Image Make"] == "FictionCam"
    assert exif["Image Model"] == "FC-100"
    assert exif["Image Software"] == "FirmWare 1.0"
    assert exif["Image ImageDescription"] == "test photo (fictional)"
    assert exif["GPS GPSLatitudeRef"] == "N"
    assert "GPS GPSLongitude" in exif
    assert out.meta["exif_summary"] == {
        "datetime_original": "2018-03-01T09:15:22+08:00",
        "datetime_digitized": None,
        "datetime": "2018-03-02T10:00:00",
        "make": "FictionCam",
        "model": "FC-100",
        "software": "FirmWare 1.0",
        "serial": "SN-0042",
        "description": "test photo (fictional)",
    }
    gps = out.meta["gps"]
    assert gps["lat"] == pytest.approx(39 + 28 / 60 + 12.5 / 3600, abs=1e-6)
    assert gps["lon"] == pytest.approx(75 + 59 / 60 + 3 / 3600, abs=1e-6)
    assert gps["alt"] == pytest.approx(1289.5)


def test_jpeg_embedded_thumbnail_detected(exif_jpeg: tuple[Path, bytes]) -> None:
    path, thumb = exif_jpeg
    out = extract(path, "image/jpeg")
    assert out.meta["thumbnail"]["width"] == 160
    assert out.meta["thumbnail"]["height"] == 120
    assert out.meta["thumbnail"]["sha256"] == hashlib.sha256(thumb).hexdigest()


def test_southern_western_gps_is_negative(tmp_path: Path) -> None:
    app1 = exif_app1(
        ifd0=[ascii_tag(0x010F, "FictionCam")],
        exif=[],
        gps=[
            ascii_tag(0x0001, "S"),
            rational_tag(0x0002, (33, 1), (52, 1), (0, 1)),
            ascii_tag(0x0003, "W"),
            rational_tag(0x0004, (70, 1), (30, 1), (0, 1)),
            byte_tag(0x0005, 1),
            rational_tag(0x0006, (20, 1)),
        ],
        thumbnail=b"",
    )
    out = extract(
        saved(tmp_path, lambda b: noise_photo(64, 48).save(b, "JPEG", exif=app1)), "image/jpeg"
    )
    assert out.meta["gps"] == {"lat": -33.8666667, "lon": -70.5, "alt": -20.0}


def test_photo_is_not_queued_for_ocr(exif_jpeg: tuple[Path, bytes]) -> None:
    out = extract(exif_jpeg[0], "image/jpeg")
    assert out.meta["text_test"]["verdict"] is False
    assert out.ocr_pages == []


@needs_cjk_font
def test_scanned_page_is_queued_for_ocr(tmp_path: Path) -> None:
    scan = text_scan(["关于加强教育转化工作的通知", "Notice on education work (fictional)"] * 4)
    out = extract(
        saved(tmp_path, lambda b: scan.convert("RGB").save(b, "JPEG", quality=80)), "image/jpeg"
    )
    assert out.meta["text_test"]["verdict"] is True
    assert out.ocr_pages == [1]


@needs_cjk_font
def test_multipage_tiff_queues_every_page(tmp_path: Path) -> None:
    pages = [text_scan([f"第{i}页 page {i}"] * 3) for i in (1, 2, 3)]
    path = saved(
        tmp_path, lambda b: pages[0].save(b, "TIFF", save_all=True, append_images=pages[1:])
    )
    out = extract(path, "image/tiff")
    assert out.meta["frames"] == 3
    assert out.ocr_pages == [1, 2, 3]


@pytest.mark.parametrize(
    ("fmt", "mime"),
    [
        ("PNG", "image/png"),
        ("GIF", "image/gif"),
        ("BMP", "image/bmp"),
        ("WEBP", "image/webp"),
        ("TIFF", "image/tiff"),
    ],
)
def test_other_formats_give_size_and_format(tmp_path: Path, fmt: str, mime: str) -> None:
    out = extract(saved(tmp_path, lambda b: noise_photo(300, 200).save(b, fmt)), mime)
    assert (out.meta["width"], out.meta["height"], out.meta["format"]) == (300, 200, fmt)
    assert "verdict" in out.meta["text_test"]


def test_png_declaring_fifty_thousand_squared_pixels_is_a_bomb(tmp_path: Path) -> None:
    err = fails(blob(tmp_path, png_header_only(50_000, 50_000)), "image/png")
    assert err.cause == "bomb"
    assert "decompression bomb" in err.message


def test_image_just_over_the_pixel_limit_is_a_bomb(tmp_path: Path) -> None:
    # Pillow only warns between 1x and 2x the limit; that must refuse too.
    path = saved(tmp_path, lambda b: noise_photo(40, 40).save(b, "PNG"))
    assert fails(path, "image/png", Limits(max_image_pixels=1000)).cause == "bomb"


def test_truncated_jpeg_is_corrupt(tmp_path: Path) -> None:
    whole = io.BytesIO()
    noise_photo(800, 600).save(whole, "JPEG", quality=90)
    err = fails(blob(tmp_path, whole.getvalue()[: len(whole.getvalue()) // 2]), "image/jpeg")
    assert err.cause == "corrupt"
    assert "truncated" in err.message


@pytest.mark.parametrize("mime", ["image/jpeg", "image/png", PDF, DOCX, XLSX, XLS, ODS])
def test_zero_byte_file_is_corrupt(tmp_path: Path, mime: str) -> None:
    assert fails(blob(tmp_path, b""), mime).cause == "corrupt"


@pytest.mark.parametrize("mime", ["image/jpeg", PDF, DOCX, XLSX, XLS, ODS])
def test_random_bytes_are_corrupt(tmp_path: Path, mime: str) -> None:
    data = hashlib.sha256(b"seed").digest() * 64
    assert fails(blob(tmp_path, data), mime).cause == "corrupt"


# -- spreadsheets ---------------------------------------------------------------------------

TITLE = "某乡人员名单（虚构数据）"
HEADER = ["序号", "姓名", "身份证号", "出生日期"]


def make_xlsx(path: Path) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.worksheets[0]
    ws.title = "名单"
    ws["A1"] = TITLE
    ws.merge_cells("A1:D1")
    ws.append(HEADER)
    ws.append([1, "测试人甲", FICTIONAL_ID, datetime(1990, 1, 1)])
    ws.append([2.0, "Test Person B", 653121199001011234.0, datetime(1985, 6, 30, 14, 5)])
    ws["E3"] = "=1+2"
    ws["F3"] = True
    ws["G3"] = 3.25
    other = wb.create_sheet("统计")
    other["B2"] = "合计"
    other.merge_cells("B2:C3")
    other["D5"] = 42
    wb.properties.creator = "Fictional Clerk"
    wb.properties.lastModifiedBy = "Another Clerk"
    wb.properties.title = "Test workbook"
    wb.properties.created = datetime(2018, 3, 1, 9, 0)
    wb.save(path)


def test_xlsx_cells_merges_dates_and_numbers(tmp_path: Path) -> None:
    path = tmp_path / "blob"
    make_xlsx(path)
    out = extract(path, XLSX)
    assert [s.name for s in out.sheets] == ["名单", "统计"]
    got = cells(out)
    assert got[(1, 1)] == (TITLE, "s")
    assert [got[(2, c)][0] for c in range(1, 5)] == HEADER
    assert got[(3, 1)] == ("1", "n")
    assert got[(3, 2)] == ("测试人甲", "s")
    assert got[(3, 3)] == (FICTIONAL_ID, "s")  # an ID stored as text stays exact
    assert got[(3, 4)] == ("1990-01-01", "d")
    assert got[(3, 5)] == ("=1+2", "f")  # never calculated: the formula is kept
    assert got[(3, 6)] == ("TRUE", "b")
    assert got[(3, 7)] == ("3.25", "n")
    assert got[(4, 1)] == ("2", "n")  # no spurious ".0"
    assert got[(4, 3)] == (repr(653121199001011234.0), "n")  # as stored, not "repaired"
    assert got[(4, 4)] == ("1985-06-30T14:05:00", "d")
    assert (1, 2) not in got  # only non-empty cells
    assert out.sheets[0].merged == ["A1:D1"]
    assert (out.sheets[0].n_rows, out.sheets[0].n_cols) == (4, 7)
    assert out.sheets[1].merged == ["B2:C3"]
    assert cells(out, 1) == {(2, 2): ("合计", "s"), (5, 4): ("42", "n")}
    assert any("floating point" in w and "C4" in w for w in out.warnings)
    assert out.meta["formulas"]["名单"]["cells"] == ["E3"]
    office = out.meta["office"]
    assert office["creator"] == office["author"] == "Fictional Clerk"
    assert office["last_modified_by"] == "Another Clerk"
    assert office["title"] == "Test workbook"
    assert office["created"].startswith("2018-03-01T09:00")


def test_xlsx_cached_formula_value_is_used(tmp_path: Path) -> None:
    sheet_xml = (
        '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats'
        '.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1"><v>2</v></c>'
        '<c r="B1"><f>A1*21</f><v>42</v></c></row></sheetData></worksheet>'
    )
    path = tmp_path / "blob"
    make_xlsx(path)
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp_path / "b2", "w") as dst:
        for info in src.infolist():
            data = (
                sheet_xml.encode()
                if info.filename == "xl/worksheets/sheet2.xml"
                else src.read(info)
            )
            dst.writestr(info, data)
    out = extract(tmp_path / "b2", XLSX)
    assert cells(out, 1) == {(1, 1): ("2", "n"), (1, 2): ("42", "n")}
    assert out.meta["formulas"]["统计"] == {"count": 1, "cells": ["B1"]}


def test_xlsx_over_cell_limit_is_truncated(tmp_path: Path) -> None:
    path = tmp_path / "blob"
    make_xlsx(path)
    out = extract(path, XLSX, Limits(max_sheet_cells=5))
    assert out.sheets[0].truncated and len(out.sheets[0].cells) == 5
    assert any("max_sheet_cells" in w for w in out.warnings)


def test_truncated_xlsx_is_corrupt(tmp_path: Path) -> None:
    path = tmp_path / "whole"
    make_xlsx(path)
    data = path.read_bytes()
    assert fails(blob(tmp_path, data[: len(data) // 2]), XLSX).cause == "corrupt"


def test_xlsx_zip_bomb_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "blob"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/worksheets/sheet1.xml", b"\x00" * (4 << 20))
    limits = Limits(max_expansion_ratio=100.0, ratio_allowance_bytes=1 << 20)
    assert fails(path, XLSX, limits).cause == "bomb"


@pytest.mark.parametrize("mime", [XLSX, XLS, DOCX])
def test_password_protected_office_file_is_encrypted(tmp_path: Path, mime: str) -> None:
    path = blob(tmp_path, cfb_with_stream("EncryptedPackage", b"\x08\x00\x00\x00" + b"\xaa" * 64))
    err = fails(path, mime)
    assert err.cause == "encrypted"
    assert "password" in err.message


def make_xls(path: Path) -> None:
    import xlwt

    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("名单")
    ws.write_merge(0, 0, 0, 3, TITLE)
    for c, h in enumerate(HEADER):
        ws.write(1, c, h)
    date_style = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    ws.write(2, 0, 1)
    ws.write(2, 1, "测试人甲")
    ws.write(2, 2, FICTIONAL_ID)
    ws.write(2, 3, datetime(1990, 1, 1), date_style)
    ws.write(3, 0, 2.5)
    ws.write(3, 2, 653121199001011234.0)
    ws.write(3, 4, True)
    other = wb.add_sheet("统计")
    other.write_merge(1, 2, 1, 2, "合计")
    wb.save(str(path))


def test_xls_cells_merges_and_dates(tmp_path: Path) -> None:
    path = tmp_path / "blob"
    make_xls(path)
    out = extract(path, XLS)
    assert [s.name for s in out.sheets] == ["名单", "统计"]
    got = cells(out)
    assert got[(1, 1)] == (TITLE, "s")
    assert [got[(2, c)][0] for c in range(1, 5)] == HEADER
    assert got[(3, 1)] == ("1", "n")
    assert got[(3, 2)] == ("测试人甲", "s")
    assert got[(3, 3)] == (FICTIONAL_ID, "s")
    assert got[(3, 4)] == ("1990-01-01", "d")
    assert got[(4, 1)] == ("2.5", "n")
    assert got[(4, 3)] == (repr(653121199001011234.0), "n")
    assert got[(4, 5)] == ("TRUE", "b")
    assert out.sheets[0].merged == ["A1:D1"]
    assert out.sheets[1].merged == ["B2:C3"]
    assert cells(out, 1) == {(2, 2): ("合计", "s")}


def make_ods(path: Path) -> None:
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import CoveredTableCell, Table, TableCell, TableRow
    from odf.text import P

    doc = OpenDocumentSpreadsheet()
    doc.meta.addElement(
        __import__("odf.meta", fromlist=["InitialCreator"]).InitialCreator(text="Fictional Clerk")
    )
    table = Table(name="名单")

    def row(*cells_: TableCell) -> None:
        tr = TableRow()
        for cell in cells_:
            tr.addElement(cell)
        table.addElement(tr)

    def text(value: str, **kw: object) -> TableCell:
        cell = TableCell(valuetype="string", **kw)
        cell.addElement(P(text=value))
        return cell

    row(text(TITLE, numbercolumnsspanned=4), CoveredTableCell(numbercolumnsrepeated=3))
    row(*(text(h) for h in HEADER))
    row(
        TableCell(valuetype="float", value="1"),
        text("测试人甲"),
        text(FICTIONAL_ID),
        TableCell(valuetype="date", datevalue="1990-01-01"),
    )
    row(TableCell(numbercolumnsrepeated=2), TableCell(valuetype="float", value="2.5"))
    doc.spreadsheet.addElement(table)
    second = Table(name="统计")
    tr = TableRow()
    tr.addElement(TableCell(valuetype="float", value="42", numbercolumnsrepeated=2))
    second.addElement(tr)
    doc.spreadsheet.addElement(second)
    doc.save(str(path))


def test_ods_cells_merges_and_repeats(tmp_path: Path) -> None:
    path = tmp_path / "blob"
    make_ods(path)
    out = extract(path, ODS)
    assert [s.name for s in out.sheets] == ["名单", "统计"]
    got = cells(out)
    assert got[(1, 1)] == (TITLE, "s")
    assert [got[(2, c)][0] for c in range(1, 5)] == HEADER
    assert got[(3, 1)] == ("1", "n")
    assert got[(3, 3)] == (FICTIONAL_ID, "s")
    assert got[(3, 4)] == ("1990-01-01", "d")
    assert got[(4, 3)] == ("2.5", "n")  # after two repeated empty cells
    assert out.sheets[0].merged == ["A1:D1"]
    assert cells(out, 1) == {(1, 1): ("42", "n"), (1, 2): ("42", "n")}
    assert out.meta["office"]["creator"] == "Fictional Clerk"


CSV_ROWS = [
    HEADER,
    ["1", "测试人甲", FICTIONAL_ID, "1990-01-01"],
    ["2", "测试人乙", "65312119850630002X", ""],
]


@pytest.mark.parametrize(
    ("encoding", "delimiter"),
    [
        ("gbk", ","),
        ("utf-8-sig", ","),
        ("utf-8", "\t"),
        ("gb18030", ";"),
        ("utf-16", ","),
        ("utf-8", "\uff0c"),
    ],
)
def test_csv_encodings_and_delimiters(tmp_path: Path, encoding: str, delimiter: str) -> None:
    text = "\r\n".join(delimiter.join(r) for r in CSV_ROWS) + "\r\n"
    out = extract(blob(tmp_path, text.encode(encoding)), "text/csv")
    got = cells(out)
    assert [got[(1, c)][0] for c in range(1, 5)] == HEADER  # no BOM left on the first header
    assert got[(2, 2)] == ("测试人甲", "s")
    assert got[(2, 3)] == (FICTIONAL_ID, "s")
    assert got[(3, 3)][0] == "65312119850630002X"
    assert (3, 4) not in got
    assert out.meta["delimiter"] == delimiter
    assert out.meta["encoding"] in {"gbk": {"gb18030"}, "gb18030": {"gb18030"}}.get(
        encoding, {out.meta["encoding"]}
    )


def test_csv_quoted_fields_keep_delimiters_and_newlines(tmp_path: Path) -> None:
    data = '姓名,备注\n"测试人甲","住址：某村,3组\n第二行"\n'.encode("gbk")
    got = cells(extract(blob(tmp_path, data), "text/csv"))
    assert got[(2, 2)] == ("住址：某村,3组\n第二行", "s")


def test_sniff_delimiter_prefers_consistent_splits() -> None:
    assert sniff_delimiter("a;b;c\n1;2,5;3\n4;5;6\n") == ";"
    assert sniff_delimiter("only one column\nsecond\n") == ","


# -- PDF ------------------------------------------------------------------------------------


def make_pdf(
    path: Path, *, image_page: bool = True, encrypt: tuple[str, str | None] | None = None
) -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_author("Fictional Author")
    pdf.set_title("Test order (fictional)")
    pdf.set_creator("TestWriter 1.0")
    pdf.set_creation_date(datetime(2018, 3, 1, 9, 15, 22, tzinfo=timezone(timedelta(hours=8))))
    require("cjk_font")
    pdf.add_font("noto", fname=str(CJK_FONT), collection_font_number=2)
    pdf.set_font("noto", size=14)
    pdf.add_page()
    pdf.multi_cell(0, 10, "Page one: notice on education work.\n关于加强教育转化工作的通知")
    pdf.add_page()
    pdf.multi_cell(0, 10, "Page two: list of facilities (fictional).")
    if image_page:
        pdf.add_page()
        pdf.image(noise_photo(400, 300), x=10, y=10, w=180)
    if encrypt:
        pdf.set_encryption(owner_password=encrypt[0], user_password=encrypt[1])
    pdf.output(str(path))


def test_pdf_text_per_page_metadata_and_ocr_pages(tmp_path: Path) -> None:
    path = tmp_path / "blob"
    make_pdf(path)
    out = extract(path, PDF)
    assert [p.page_no for p in out.pages] == [1, 2, 3]
    assert "Page one: notice on education work." in out.pages[0].text
    assert "关于加强教育转化工作的通知" in out.pages[0].text
    assert "Page two" in out.pages[1].text and "Page one" not in out.pages[1].text
    assert out.pages[2].text.strip() == ""
    assert out.ocr_pages == [3]
    pdf = out.meta["pdf"]
    assert pdf["Author"] == "Fictional Author"
    assert pdf["Title"] == "Test order (fictional)"
    assert pdf["Creator"] == "TestWriter 1.0"
    assert pdf["CreationDate"].startswith("D:20180301091522")
    assert pdf["CreationDate_iso"] == "2018-03-01T09:15:22+08:00"
    assert pdf["pages"] == out.meta["page_count"] == 3
    assert pdf["encrypted"] is False


def test_pdf_page_limit_reads_first_pages_and_warns(tmp_path: Path) -> None:
    path = tmp_path / "blob"
    make_pdf(path)
    out = extract(path, PDF, Limits(max_pdf_pages=2))
    assert [p.page_no for p in out.pages] == [1, 2]
    assert out.ocr_pages == []
    assert any("max_pdf_pages" in w for w in out.warnings)


def test_password_protected_pdf_is_encrypted(tmp_path: Path) -> None:
    path = tmp_path / "blob"
    make_pdf(path, image_page=False, encrypt=("owner-secret", "user-secret"))
    err = fails(path, PDF)
    assert err.cause == "encrypted"
    assert "password" in err.message


def test_pdf_with_owner_password_only_is_read_and_flagged(tmp_path: Path) -> None:
    path = tmp_path / "blob"
    make_pdf(path, image_page=False, encrypt=("owner-secret", None))
    out = extract(path, PDF)
    assert "Page two" in out.pages[1].text
    assert out.meta["pdf"]["encrypted"] is True


def test_truncated_pdf_is_corrupt(tmp_path: Path) -> None:
    path = tmp_path / "whole"
    make_pdf(path)
    data = path.read_bytes()
    assert fails(blob(tmp_path, b"%PDF-1.4\n" + data[200:400]), PDF).cause == "corrupt"


# -- Word -----------------------------------------------------------------------------------


def make_docx(path: Path) -> None:
    import docx

    doc = docx.Document()
    doc.add_paragraph("关于加强教育转化工作的通知（虚构）")
    table = doc.add_table(rows=2, cols=3)
    table.cell(0, 0).merge(table.cell(0, 1)).text = "姓名"
    table.cell(0, 2).text = "身份证号"
    table.cell(1, 0).text = "测试人甲"
    table.cell(1, 1).text = "男"
    table.cell(1, 2).text = FICTIONAL_ID
    doc.add_paragraph("Closing paragraph.")
    doc.sections[0].header.paragraphs[0].text = "机密 (test)"
    props = doc.core_properties
    props.author = "Fictional Author"
    props.last_modified_by = "Another Clerk"
    props.title = "Test notice"
    props.revision = 7
    props.created = datetime(2018, 3, 1, 9, 0, tzinfo=UTC)
    props.modified = datetime(2018, 3, 2, 10, 0, tzinfo=UTC)
    doc.save(str(path))


def test_docx_text_in_order_and_core_properties(tmp_path: Path) -> None:
    path = tmp_path / "blob"
    make_docx(path)
    out = extract(path, DOCX)
    assert out.pages[0].text.splitlines() == [
        "关于加强教育转化工作的通知（虚构）",
        "姓名\t身份证号",
        f"测试人甲\t男\t{FICTIONAL_ID}",
        "Closing paragraph.",
    ]
    office = out.meta["office"]
    assert office["author"] == "Fictional Author"
    assert office["last_modified_by"] == "Another Clerk"
    assert office["title"] == "Test notice"
    assert office["revision"] == "7"
    assert office["created"] == "2018-03-01T09:00:00Z"
    assert office["modified"] == "2018-03-02T10:00:00Z"
    assert out.meta["docx"]["headers"] == ["机密 (test)"]


# -- text and HTML --------------------------------------------------------------------------

NOTICE = "关于加强教育转化工作的通知\n各乡镇：现将有关事项通知如下。\n"


@pytest.mark.parametrize(
    ("encoding", "detected"),
    [
        ("gbk", "gb18030"),
        ("gb18030", "gb18030"),
        ("utf-8", "utf-8"),
        ("utf-8-sig", "utf-8-sig"),
        ("utf-16", "utf-16"),
    ],
)
def test_text_encodings(tmp_path: Path, encoding: str, detected: str) -> None:
    out = extract(blob(tmp_path, NOTICE.encode(encoding)), "text/plain")
    assert out.pages[0].text == NOTICE
    assert out.meta["encoding"] == detected


def test_short_gbk_text_is_not_mistaken_for_korean(tmp_path: Path) -> None:
    text = "日期：2018年3月1日 人员：阿不都"
    out = extract(blob(tmp_path, text.encode("gbk")), "text/plain")
    assert out.pages[0].text == text
    assert out.meta["encoding"] == "gb18030"


def test_text_nul_characters_are_dropped(tmp_path: Path) -> None:
    out = extract(blob(tmp_path, b"abc\x00def\n"), "text/plain")
    assert out.pages[0].text == "abcdef\n"


def test_text_over_limit_is_cut_with_a_warning(tmp_path: Path) -> None:
    data = (NOTICE * 100).encode("utf-8")
    out = extract(blob(tmp_path, data), "text/plain", Limits(max_text_bytes=1001))
    assert NOTICE.startswith(out.pages[0].text[:10])
    assert len(out.pages[0].text.encode("utf-8")) <= 1001
    assert out.meta["encoding"] == "utf-8"
    assert any("only the start" in w for w in out.warnings)


def test_html_declared_gb2312_scripts_skipped(tmp_path: Path) -> None:
    html = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">'
        "<title>通知 &amp; 公告</title><style>p {color: red}</style>"
        "<script>var secret = '不应出现';</script></head>"
        "<body><h1>关于加强教育转化工作的通知</h1><p>各乡镇：<br>现将有关事项通知如下。</p>"
        "<table><tr><td>姓名</td><td>测试人甲</td></tr></table></body></html>"
    )
    out = extract(blob(tmp_path, html.encode("gbk")), "text/html")
    assert out.meta["title"] == "通知 & 公告"
    assert out.meta["encoding"] == "gb18030"
    lines = out.pages[0].text.splitlines()
    assert lines == [
        "关于加强教育转化工作的通知",
        "各乡镇：",
        "现将有关事项通知如下。",
        "姓名 测试人甲",
    ]
    assert "不应出现" not in out.pages[0].text and "color" not in out.pages[0].text


def test_dates_are_iso(tmp_path: Path) -> None:
    from guwah.ingest.extractors.spreadsheets import format_datetime, format_number

    assert format_datetime(datetime(2018, 3, 1)) == "2018-03-01"
    assert format_datetime(date(2018, 3, 1)) == "2018-03-01"
    assert format_datetime(datetime(2018, 3, 1, 9, 5, 7)) == "2018-03-01T09:05:07"
    assert format_number(3.0) == "3"
    assert format_number(2**60 * 1.0) == repr(2**60 * 1.0)
    assert format_number(0.1) == "0.1"


def test_short_gbk_csv_with_uyghur_name_separators_is_read_as_chinese(tmp_path: Path) -> None:
    """charset-normalizer alone guesses a Thai code page for this; '·' must not tip it."""
    from guwah.ingest.extractors.common import decode_text

    rows = ["姓名,性别,出生日期,住址"] + [
        f"艾力·买买提,男,1980-01-01,疏附县托克扎克镇{i}村" for i in range(5)
    ]
    text, encoding = decode_text(("\r\n".join(rows) + "\r\n").encode("gbk"))
    assert encoding == "gb18030"
    assert "艾力·买买提" in text
