"""The synthetic leak generator: determinism, internal consistency and planted anomalies.

These tests read the generated files back (openpyxl, xlrd, csv, Pillow), not just the truth.
"""

from __future__ import annotations

import csv
import email
import email.message
import email.policy
import hashlib
import io
import json
import mailbox
import re
import tarfile
import tempfile
import zipfile
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import docx
import openpyxl
import pytest
import xlrd
from PIL import Image
from stdnum.cn import ric

from guwah.synth import KINDS, generate
from guwah.synth.data import reference

CST = timezone(timedelta(hours=8))
PHOTO_NAME = re.compile(
    r"^(?:(\d{17}[\dX])_(\d{14})|(\d{17}[\dX])|(\d{14})_(\d{17}[\dX]))(?: \(\d+\))?\.jpg$"
)
EDITORS = ("Adobe", "GIMP")


# -- helpers ---------------------------------------------------------------------------
def read_item(root: Path, item: str) -> bytes:
    """Bytes of a leak item, following ``archive!/member`` paths (zip and tar.gz)."""
    parts = item.split("!/")
    data = (root / parts[0]).read_bytes()
    for container, member in zip(parts, parts[1:], strict=False):
        if container.endswith(".mbox"):
            data = dict(mbox_messages(data))[member]
        elif container.isdigit():  # a message of a mailbox: its attachment
            data = dict(mail_attachments(data))[member]
        elif container.endswith(".zip"):
            data = zipfile.ZipFile(io.BytesIO(data)).read(member)
        else:
            with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tf:
                f = tf.extractfile(member)
                assert f is not None
                data = f.read()
    return data


def mbox_messages(data: bytes) -> Iterator[tuple[str, bytes]]:
    """(number, bytes) of every message of an mbox, numbered from 1 (stdlib ``mailbox``)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "box.mbox"
        path.write_bytes(data)
        box = mailbox.mbox(path, create=False)
        for n, key in enumerate(box.iterkeys(), start=1):
            yield str(n), box.get_bytes(key, from_=False)
        box.close()


def mail_attachments(data: bytes) -> Iterator[tuple[str, bytes]]:
    """(file name, bytes) of a message's attachments (stdlib ``email``)."""
    msg = email.message_from_bytes(data, policy=email.policy.default)
    assert isinstance(msg, email.message.EmailMessage)
    for part in msg.iter_attachments():
        payload = part.get_payload(decode=True)
        if part.get_filename() and isinstance(payload, bytes):
            yield part.get_filename() or "", payload


def iter_items(root: Path) -> Iterator[tuple[str, bytes]]:
    """Every file of the leak, archive members included, as (item path, bytes)."""

    def members(prefix: str, data: bytes) -> Iterator[tuple[str, bytes]]:
        yield prefix, data
        if prefix.endswith(".mbox"):
            for n, message in mbox_messages(data):
                yield f"{prefix}!/{n}", message
                for name, attached in mail_attachments(message):
                    yield from members(f"{prefix}!/{n}!/{name}", attached)
        elif prefix.endswith(".zip"):
            zf = zipfile.ZipFile(io.BytesIO(data))
            for name in zf.namelist():
                yield from members(f"{prefix}!/{name}", zf.read(name))
        elif prefix.endswith(".tar.gz"):
            with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tf:
                for m in tf.getmembers():
                    f = tf.extractfile(m)
                    assert f is not None
                    yield from members(f"{prefix}!/{m.name}", f.read())

    for p in sorted(root.rglob("*")):
        if p.is_file():
            yield from members(p.relative_to(root).as_posix(), p.read_bytes())


def sheets_of(item: str, data: bytes) -> Iterator[tuple[str | None, list[list[Any]]]]:
    """(sheet name, rows) of a spreadsheet; dates come back as ``date``."""
    if item.endswith(".xlsx"):
        wb = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
        for ws in wb.worksheets:
            yield ws.title, [list(r) for r in ws.iter_rows(values_only=True)]
    elif item.endswith(".xls"):
        book = xlrd.open_workbook(file_contents=data)
        for sh in book.sheets():
            rows = []
            for r in range(sh.nrows):
                row: list[Any] = []
                for c in range(sh.ncols):
                    cell = sh.cell(r, c)
                    if cell.ctype == xlrd.XL_CELL_DATE:
                        row.append(xlrd.xldate_as_datetime(cell.value, book.datemode).date())
                    else:
                        row.append(cell.value)
                rows.append(row)
            yield sh.name, rows
    else:
        for enc in ("utf-8-sig", "gb18030"):
            try:
                text = data.decode(enc)
                break
            except UnicodeDecodeError:
                continue
        yield None, list(csv.reader(io.StringIO(text)))


FIELD_OF = {h: field for field, hs in reference().headers.items() for h in hs}


def parse_date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    s = str(value or "").strip()
    m = re.fullmatch(r"(\d{4})\D(\d{1,2})\D(\d{1,2})\D?", s) or re.fullmatch(
        r"(\d{4})(\d{2})(\d{2})", s
    )
    return date(int(m[1]), int(m[2]), int(m[3])) if m else None


def id_text(value: Any) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(int(value))
    return str(value or "").strip()


def records(root: Path) -> list[dict[str, Any]]:
    """Every data row of every spreadsheet, keyed by canonical field."""
    out = []
    for item, data in iter_items(root):
        if not item.endswith((".xlsx", ".xls", ".csv")) or "~$" in item:
            continue
        for sheet, rows in sheets_of(item, data):
            header = None
            for i, row in enumerate(rows, start=1):
                cells = ["" if v is None else v for v in row]
                if header is None:
                    if "性别" in cells:
                        header = [FIELD_OF.get(str(c), "") for c in cells]
                    continue
                rec = {f: v for f, v in zip(header, cells, strict=False) if f}
                if id_text(rec.get("id_number")):
                    out.append(rec | {"_item": item, "_sheet": sheet, "_row": i})
    return out


def anomaly_ids(truth: dict[str, Any], kind: str) -> set[str]:
    return {a["id_number"] for a in truth["anomalies"] if a["kind"] == kind}


# -- fixtures ----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, dict[str, Any]]:
    out = tmp_path_factory.mktemp("synth") / "leak"
    result = generate(out, seed=1, scale="small")
    return result, json.loads(result.truth.read_text("utf-8"))


@pytest.fixture(scope="module")
def rows(small: tuple[Any, dict[str, Any]]) -> list[dict[str, Any]]:
    return records(small[0].out)


def digest(root: Path) -> dict[str, tuple[str, float]]:
    return {
        p.relative_to(root).as_posix(): (
            hashlib.sha256(p.read_bytes()).hexdigest(),
            p.stat().st_mtime,
        )
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


# -- tests -------------------------------------------------------------------------------
def test_same_seed_same_bytes(small: tuple[Any, dict[str, Any]], tmp_path: Path) -> None:
    again = generate(tmp_path / "leak", seed=1, scale="small")
    assert digest(small[0].out) == digest(again.out)
    assert small[0].truth.read_bytes() == again.truth.read_bytes()


def test_other_seed_differs_and_rate_zero_plants_nothing(
    small: tuple[Any, dict[str, Any]], tmp_path: Path
) -> None:
    other = generate(tmp_path / "leak", seed=2, scale="small", anomaly_rate=0.0)
    a, b = digest(small[0].out), digest(other.out)
    assert a != b
    common = set(a) & set(b) - {"README.txt", ".DS_Store"}
    assert sum(a[k][0] == b[k][0] for k in common) < 0.05 * max(1, len(common))
    assert sum(other.anomalies.values()) == 0
    assert json.loads(other.truth.read_text("utf-8"))["anomalies"] == []


def test_small_scale_size_and_truth_outside(small: tuple[Any, dict[str, Any]]) -> None:
    result, truth = small
    files = [p for p in result.out.rglob("*") if p.is_file()]
    assert len(files) == result.n_files == truth["summary"]["n_files"]
    assert 250 <= result.n_files <= 350
    assert result.n_bytes == sum(p.stat().st_size for p in files)
    assert result.truth == result.out.with_name("leak.truth.json")
    assert result.out.resolve() not in result.truth.resolve().parents
    assert not list(result.out.rglob("*.truth.json"))
    assert result.n_people == len(truth["people"]) == truth["summary"]["n_people"]
    kinds = {p.suffix for p in files}
    assert {".jpg", ".xlsx", ".xls", ".csv", ".docx", ".pdf", ".zip", ".gz", ".txt"} <= kinds


def test_refuses_non_empty_out(tmp_path: Path) -> None:
    (tmp_path / "leak").mkdir()
    (tmp_path / "leak" / "x").write_text("x")
    with pytest.raises(FileExistsError):
        generate(tmp_path / "leak")
    with pytest.raises(ValueError):
        generate(tmp_path / "new", truth=tmp_path / "new" / "t.json")


def test_every_kind_planted_and_items_exist(small: tuple[Any, dict[str, Any]]) -> None:
    result, truth = small
    assert set(result.anomalies) == set(KINDS)
    assert all(result.anomalies[k] >= 1 for k in KINDS), result.anomalies
    assert sum(result.anomalies.values()) == len(truth["anomalies"])
    items = {i for i, _ in iter_items(result.out)}
    for a in truth["anomalies"]:
        assert a["kind"] in KINDS and a["field"] and a["expected"]
        for item in a["items"]:
            assert item in items, item
    for c in truth["copies"]:
        assert read_item(result.out, c["path"]) == read_item(result.out, c["copy_of"])


def test_ids_agree_with_records_except_planted(
    small: tuple[Any, dict[str, Any]], rows: list[dict[str, Any]]
) -> None:
    _, truth = small
    bad = anomaly_ids(truth, "id_bad_checksum")
    birth = anomaly_ids(truth, "id_birthdate_mismatch")
    sex = anomaly_ids(truth, "id_sex_mismatch")
    retired = [a for a in truth["anomalies"] if a["kind"] == "id_region_not_in_use"]
    region = anomaly_ids(truth, "id_region_mismatch") | {
        a["id_number"] for a in retired if "id_region_mismatch" in a.get("also", [])
    }
    conflict_rows = {
        (loc["path"], loc["sheet"], loc["row"])
        for p in truth["people"]
        for loc in p["rows"]
        if "birth_date" in loc.get("overrides", {})
    }
    assert len(rows) > 500
    seen: dict[str, set[str]] = {"bad": set(), "birth": set(), "sex": set(), "region": set()}
    for r in rows:
        number = id_text(r["id_number"])
        assert len(number) == 18, r
        # the check digit by python-stdnum (it expects the check digit's place: 18 digits);
        # not ric.is_valid, which also wants the region in use in the birth year
        assert (ric.calc_check_digit(number) == number[-1]) == (number not in bad), r
        if number in bad:
            seen["bad"].add(number)
            continue
        if "birth_date" in r:
            agrees = parse_date(r["birth_date"]) == ric.get_birth_date(number)
            expected = (
                number not in birth and (r["_item"], r["_sheet"], r["_row"]) not in conflict_rows
            )
            assert agrees == expected, r
            if not agrees and number in birth:
                seen["birth"].add(number)
        recorded = "M" if r["sex"] == "男" else "F"
        assert (recorded == ("M" if int(number[16]) % 2 else "F")) == (number not in sex), r
        if number in sex:
            seen["sex"].add(number)
        if "address" in r:
            county = COUNTY_OF_CODE.get(number[:6], "elsewhere")
            assert (county in str(r["address"])) == (number not in region), r
            if number in region:
                seen["region"].add(number)
    assert seen["bad"] == bad and seen["sex"] == sex and seen["birth"] == birth
    assert seen["region"] and seen["region"] <= region


#: the leak's counties and every code each has carried (GB/T 2260, written by hand from the
#: Ministry of Civil Affairs' code lists: Tekes was 652427 to 1984, Ili's 654127 to 2001, then
#: 654027; Konasheher 653121 and Yengisheher 653122 never changed)
COUNTY_OF_CODE = {
    "653121": "疏附县",
    "653122": "疏勒县",
    "652427": "特克斯县",
    "654127": "特克斯县",
    "654027": "特克斯县",
}


def test_region_codes_are_the_county_when_the_number_was_assigned(
    small: tuple[Any, dict[str, Any]], rows: list[dict[str, Any]]
) -> None:
    """GB 11643-1999 § 5.2: older people of Tekes mostly carry 654127, some 654027; people
    born since 2002 only 654027; nobody born after 1984 the retired 652427 unless planted."""
    _, truth = small
    planted = {a["id_number"]: a for a in truth["anomalies"] if a["kind"] == "id_region_not_in_use"}
    assert planted, "the impossible code is planted"
    older: Counter[str] = Counter()
    for r in rows:
        number = id_text(r["id_number"])
        born = int(number[6:10])
        if number in planted:
            a = planted[number]
            assert a["values"]["retired"] < born and a["values"]["id_region"] == number[:6]
            continue
        address = str(r.get("address", ""))
        if "特克斯县" not in address or number[:6] not in COUNTY_OF_CODE:
            continue
        assert number[:6] != "652427", r
        if born >= 2002:
            assert number[:6] == "654027", r
        elif born < 1984:
            older[number[:6]] += 1
    assert older["654127"] > older["654027"] > 0, older


def test_id_conflicts_are_in_the_files(
    small: tuple[Any, dict[str, Any]], rows: list[dict[str, Any]]
) -> None:
    _, truth = small
    for number in anomaly_ids(truth, "id_conflict"):
        mine = [r for r in rows if id_text(r["id_number"]) == number]
        names = {re.sub(r"[·•．]", "·", str(r["name"])) for r in mine}
        births = {parse_date(r["birth_date"]) for r in mine if "birth_date" in r}
        assert len(mine) >= 2
        assert len(names) > 1 or len(births) > 1, mine


def test_photos_agree_with_names_and_people_except_planted(
    small: tuple[Any, dict[str, Any]], rows: list[dict[str, Any]]
) -> None:
    result, truth = small
    by_kind: dict[str, set[str]] = {k: set() for k in KINDS}
    for a in truth["anomalies"]:
        by_kind[a["kind"]].update(a["items"])
    record_ids = {id_text(r["id_number"]) for r in rows}
    released = {c.model: c.released for c in reference().cameras}
    photos = 0
    photo_ids = set()
    for item, data in iter_items(result.out):
        if not item.endswith(".jpg") or "扫描件" in item:
            continue
        photos += 1
        m = PHOTO_NAME.match(item.rsplit("/", 1)[-1])
        assert m, item
        number = m[1] or m[3] or m[5]
        stamp = m[2] or m[4]
        photo_ids.add(number)
        with Image.open(io.BytesIO(data)) as img:
            exif = img.getexif()
            sub = exif.get_ifd(0x8769)
        assert "SYNTHETIC" in exif[0x010E]
        taken = datetime.strptime(sub[0x9003], "%Y:%m:%d %H:%M:%S")
        if stamp:
            named = datetime.strptime(stamp, "%Y%m%d%H%M%S")
            assert (taken == named) == (item not in by_kind["exif_time_mismatch"]), item
            assert date(2018, 1, 1) <= named.date() <= date(2018, 7, 31)
            if "!/" not in item:
                mtime = (result.out / item).stat().st_mtime
                assert datetime.fromtimestamp(mtime, CST).replace(tzinfo=None) == named
        edited = any(e in exif.get(0x0131, "") for e in EDITORS)
        assert edited == (item in by_kind["edited_photo"]), item
        late = released[exif[0x0110]] > taken.date()
        assert late == (item in by_kind["camera_anachronism"]), item
        assert (number in record_ids) == (item not in by_kind["orphan_photo"]), item
    assert photos > 200
    detainees = {id_text(r["id_number"]) for r in rows if r.get("facility")}
    missing = anomaly_ids(truth, "missing_photo")
    assert missing and missing <= detainees
    assert detainees - photo_ids == missing


def test_truth_rows_point_at_the_person(
    small: tuple[Any, dict[str, Any]], rows: list[dict[str, Any]]
) -> None:
    _, truth = small
    at = {(r["_item"], r["_sheet"], r["_row"]): r for r in rows}
    placed = 0
    for p in truth["people"]:
        for loc in p["rows"]:
            r = at[(loc["path"], loc["sheet"], loc["row"])]
            assert id_text(r["id_number"]) == p["id_number"]
            if "name" not in loc.get("overrides", {}):
                assert re.sub(r"[·•．]", "·", str(r["name"])) == p["name"]
            placed += 1
        if p["in_records"]:
            assert p["rows"]
        assert p["family"] or not p["in_records"] or p["relation_to_head"] == "户主"
    assert placed == len(rows)
    numbers = [p["id_number"] for p in truth["people"]]
    assert len(set(numbers)) == len(numbers)


def test_files_marked_synthetic(small: tuple[Any, dict[str, Any]]) -> None:
    result, truth = small
    readme = (result.out / "README.txt").read_text("utf-8")
    assert "SYNTHETIC" in readme and "seed 1" in readme and "guwah" in readme
    assert truth["synthetic"] is True
    checked = set()
    for item, data in iter_items(result.out):
        if item.endswith(".docx"):
            assert "SYNTHETIC" in docx.Document(io.BytesIO(data)).core_properties.comments
        elif item.endswith(".xlsx") and "~$" not in item:
            assert openpyxl.load_workbook(io.BytesIO(data)).properties.keywords == "SYNTHETIC"
        elif item.endswith(".pdf"):
            assert b"SYNTHETIC" in data
        elif item.endswith(".png"):
            with Image.open(io.BytesIO(data)) as img:
                assert "SYNTHETIC" in img.info["Description"]
        else:
            continue
        checked.add(item.rsplit(".", 1)[-1])
    assert checked == {"docx", "xlsx", "pdf", "png"}


def test_documents_and_backdating(small: tuple[Any, dict[str, Any]]) -> None:
    result, truth = small
    backdated = {
        i for a in truth["anomalies"] if a["kind"] == "document_backdated" for i in a["items"]
    }
    assert backdated
    for d in truth["documents"]:
        if not d["path"].endswith(".docx"):
            continue
        props = docx.Document(io.BytesIO(read_item(result.out, d["path"]))).core_properties
        assert props.created is not None
        created = props.created.replace(tzinfo=UTC).astimezone(CST).date()
        claimed = date.fromisoformat(d["claimed_date"])
        assert (created > claimed) == (d["path"] in backdated), d["path"]
        text = "\n".join(
            p.text for p in docx.Document(io.BytesIO(read_item(result.out, d["path"]))).paragraphs
        )
        assert f"{claimed.year}年{claimed.month}月{claimed.day}日" in text


def test_person_keys_are_unique(tmp_path: Path) -> None:
    """Two people never share a key, even when the generator removes people it placed."""
    result = generate(tmp_path / "leak", seed=5, scale=600)  # seed 5 once repeated two keys
    people = json.loads(Path(result.truth).read_text(encoding="utf-8"))["people"]
    keys = [p["key"] for p in people]
    assert len(keys) == len(set(keys))
