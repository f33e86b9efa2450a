"""Helpers the extractors share: strings safe for the database, JSON-safe metadata, the
encoding of Chinese text, OLE and zip containers read within bounds."""

from __future__ import annotations

import codecs
import re
import subprocess
import zipfile
import zlib
from datetime import date, datetime, time, timedelta
from fractions import Fraction
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

from guwah.config import Limits
from guwah.han import han_count, is_han
from guwah.ingest.registry import ExtractionError

_BAD_CHARS = re.compile("[\x00\ud800-\udfff]")
_CHINESE_CODECS = {"gb18030", "gbk", "gb2312", "hz", "big5", "big5hkscs", "cp950", "cp936"}
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_MAX_META_STR = 4000


def clean(text: str) -> str:
    """Drop NUL characters and lone surrogates, which PostgreSQL and SQLite UTF-8 reject."""
    return _BAD_CHARS.sub("", text)


def jsonable(value: Any, max_len: int = _MAX_META_STR) -> Any:
    """Plain JSON data from library values (bytes, Fractions, dates, tuples, tag objects)."""
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, float):
        return value if value == value and abs(value) != float("inf") else str(value)
    if isinstance(value, str):
        return clean(value)[:max_len]
    if isinstance(value, bytes | bytearray):
        return bytes_text(bytes(value), max_len)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, Fraction):
        return float(value) if value.denominator else str(value)
    if isinstance(value, dict):
        return {str(jsonable(k)): jsonable(v, max_len) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v, max_len) for v in value]
    return clean(str(value))[:max_len]


def bytes_text(data: bytes, max_len: int = _MAX_META_STR) -> str:
    """Text from a metadata byte string: UTF-8, else GB18030, else hex."""
    data = data.rstrip(b"\x00")
    for enc in ("utf-8", "gb18030"):
        try:
            return clean(data.decode(enc))[:max_len]
        except UnicodeDecodeError:
            continue
    return data.hex()[:max_len]


def decode_text(data: bytes, declared: str | None = None) -> tuple[str, str]:
    """Decode bytes of unknown encoding; returns (text, encoding name).

    Order: byte-order mark, strict UTF-8, an encoding the file declares (HTML meta) if it
    decodes cleanly, then charset-normalizer. GBK/GB2312 are read as their superset GB18030.
    When charset-normalizer guesses an unrelated codec (short Chinese texts often come back
    as cp949) and the bytes are plausible GB18030 Chinese, GB18030 wins: this is a workbench
    for Chinese state records.
    """
    for bom, enc in (
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            return _decode(data, enc)
    try:
        return clean(data.decode("utf-8")), "utf-8"
    except UnicodeDecodeError as exc:
        if exc.reason == "unexpected end of data":  # cut inside a character by a size limit
            return clean(data[: exc.start].decode("utf-8")), "utf-8"
    named = _normalise_codec(declared) if declared else None
    if named:
        try:
            return clean(data.decode(named)), named
        except UnicodeDecodeError:
            pass
    return _decode(data, _guess_codec(data))


def _decode(data: bytes, enc: str) -> tuple[str, str]:
    return clean(data.decode(enc, errors="replace")), enc


def _normalise_codec(name: str) -> str | None:
    try:
        enc = codecs.lookup(name.strip().lower()).name
    except LookupError:
        return None
    return "gb18030" if enc in {"gbk", "gb2312", "cp936"} else enc


def _guess_codec(data: bytes) -> str:
    from charset_normalizer import from_bytes

    sample = data[: 4 << 20]
    best = from_bytes(sample).best()
    guess = _normalise_codec(best.encoding) if best is not None else None
    if guess in _CHINESE_CODECS or (guess or "").startswith("utf"):
        return guess or "gb18030"
    if _plausible_gb(sample):
        return "gb18030"
    return guess or "gb18030"


def _plausible_gb(sample: bytes) -> bool:
    """Decodes as GB18030 into mostly Chinese text (charset-normalizer misreads short GBK)."""
    text = sample.decode("gb18030", errors="replace")
    if not text or text.count("\ufffd") > 2:  # a cut last character is fine, more is not
        return False
    han = han_count(text)
    good = sum(
        1
        for ch in text
        if ch.isascii()
        or is_han(ch)
        or "\u3000" <= ch <= "\u303f"
        or "\uff00" <= ch <= "\uffef"
        or ch in "·•・﹒‧—…“”‘’《》"
    )
    return han > 0 and good / len(text) >= 0.97


def read_bounded(path: Path, max_bytes: int) -> tuple[bytes, bool]:
    """The first ``max_bytes`` of a file and whether it was longer."""
    with path.open("rb") as fh:
        data = fh.read(max_bytes + 1)
    return data[:max_bytes], len(data) > max_bytes


def is_ole(path: Path) -> bool:
    with path.open("rb") as fh:
        return fh.read(8) == _OLE_MAGIC


def check_ole_encrypted(path: Path, what: str) -> None:
    """Raise ``encrypted`` for an Office file encrypted with a password.

    Encrypted .docx/.xlsx files are not zips but OLE compound files holding an
    ``EncryptedPackage`` stream (MS-OFFCRYPTO).
    """
    if not is_ole(path):
        return
    import olefile

    try:
        with olefile.OleFileIO(str(path)) as ole:
            encrypted = ole.exists("EncryptedPackage")
    except Exception as exc:  # olefile raises plain OSError/struct errors on damage
        raise ExtractionError("corrupt", f"damaged OLE container ({what}): {exc}") from exc
    if encrypted:
        raise ExtractionError(
            "encrypted",
            f"encrypted {what}: the file is password-protected and cannot be read without "
            "the password",
        )


def open_zip(path: Path, limits: Limits, what: str) -> zipfile.ZipFile:
    """Open an Office zip package, refusing zip bombs before any library inflates it."""
    try:
        zf = zipfile.ZipFile(path)
        infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise ExtractionError("corrupt", f"damaged {what}: not a readable zip package") from exc
    total = sum(i.file_size for i in infos)
    packed = sum(i.compress_size for i in infos)
    if len(infos) > limits.max_archive_members or total > limits.max_member_bytes:
        zf.close()
        raise ExtractionError(
            "too_large", f"{what} unpacks to {total:,} bytes in {len(infos):,} parts: too large"
        )
    if total > limits.ratio_allowance_bytes and total > limits.max_expansion_ratio * max(packed, 1):
        zf.close()
        raise ExtractionError(
            "bomb",
            f"{what} expands {total / max(packed, 1):,.0f}-fold ({total:,} bytes): "
            "refused as a zip bomb",
        )
    return zf


_DC = "{http://purl.org/dc/elements/1.1/}"
_DCT = "{http://purl.org/dc/terms/}"
_CP = "{http://schemas.openxmlformats.org/package/2006/metadata/core-properties}"
_EP = "{http://schemas.openxmlformats.org/officeDocument/2006/extended-properties}"


def office_zip_props(zf: zipfile.ZipFile) -> dict[str, Any]:
    """Core and extended properties of an OOXML package (docProps/core.xml, app.xml)."""
    props: dict[str, Any] = {}
    core = _zip_xml(zf, "docProps/core.xml")
    if core is not None:
        for key, tag in (
            ("creator", _DC + "creator"),
            ("title", _DC + "title"),
            ("subject", _DC + "subject"),
            ("description", _DC + "description"),
            ("last_modified_by", _CP + "lastModifiedBy"),
            ("revision", _CP + "revision"),
            ("keywords", _CP + "keywords"),
            ("category", _CP + "category"),
            ("last_printed", _CP + "lastPrinted"),
            ("created", _DCT + "created"),
            ("modified", _DCT + "modified"),
        ):
            el = core.find(tag)
            if el is not None and el.text:
                props[key] = clean(el.text.strip())
    app = _zip_xml(zf, "docProps/app.xml")
    if app is not None:
        for key, tag in (
            ("application", "Application"),
            ("app_version", "AppVersion"),
            ("company", "Company"),
            ("manager", "Manager"),
            ("template", "Template"),
            ("total_time", "TotalTime"),
        ):
            el = app.find(_EP + tag)
            if el is not None and el.text:
                props[key] = clean(el.text.strip())
    if "creator" in props:
        props["author"] = props["creator"]
    return props


# what zipfile raises on a damaged member: bad header magic or CRC, a broken deflate stream
ZIP_MEMBER_ERRORS = (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError)


def read_member(zf: zipfile.ZipFile, name: str, what: str, max_bytes: int = 64 << 20) -> bytes:
    """One member of a zip package, or ``corrupt`` naming the member when it is damaged."""
    info = zf.getinfo(name)
    if info.file_size > max_bytes:
        raise ExtractionError(
            "too_large", f"{what}: {name} unpacks to {info.file_size:,} bytes, over the limit"
        )
    try:
        return zf.read(info)
    except ZIP_MEMBER_ERRORS as exc:
        raise ExtractionError(
            "corrupt", f"damaged {what}: its part {name} cannot be unpacked ({exc})"
        ) from exc


def _zip_xml(zf: zipfile.ZipFile, name: str) -> ET.Element | None:
    try:
        info = zf.getinfo(name)
        if info.file_size > 8 << 20:
            return None
        return ET.fromstring(zf.read(info))
    except (KeyError, ET.ParseError, *ZIP_MEMBER_ERRORS):
        return None


def run_tool(cmd: list[str], what: str, timeout_s: float) -> str:
    """Run a reader program (djvutxt, mdb-export…) on a file; its stdout as text.

    Over ``timeout_s`` it is stopped (cause ``timeout``); a failure is ``corrupt`` with the
    program's first line of complaint, the stored file's path left out.
    """
    try:
        done = subprocess.run(cmd, capture_output=True, timeout=timeout_s, check=False)
    except subprocess.TimeoutExpired as exc:
        raise ExtractionError(
            "timeout", f"{cmd[0]} took longer than {timeout_s:g} s and was stopped"
        ) from exc
    if done.returncode != 0:
        err = done.stderr.decode("utf-8", "replace")
        for arg in cmd[1:]:
            if "/" in arg:
                err = err.replace(arg, "the file")
        first = next((ln.strip("* ") for ln in err.splitlines() if ln.strip("* ")), "failed")
        raise ExtractionError("corrupt", f"damaged {what} ({cmd[0]}: {first[:300]})")
    return done.stdout.decode("utf-8", "replace")
