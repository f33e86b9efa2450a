"""Archives (RAR, ISO, cpio, xar, cab) and e-mail (.eml, .emlx, .mbox, .msg, .pst) as
containers: real files from public test suites, or made here by the real programs."""

from __future__ import annotations

import json
import shutil
import struct
import subprocess
import zlib
from email.message import EmailMessage
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select

from guwah.case import Case
from guwah.config import CONFIG_NAME
from guwah.ingest.executor import SerialExecutor
from guwah.ingest.pipeline import ingest
from guwah.store.models import Cell, CustodyEvent, Item, Occurrence, Page, Sheet
from tests.conftest import STRICT, run_cli

FILES = Path(__file__).parent / "files" / "containers"


def _run(case: Case, leak: Path) -> tuple[dict[str, Occurrence], dict[int, Item]]:
    ingest(case, [leak], executor=SerialExecutor())
    with case.sessions() as s:
        occ = {o.path: o for o in s.scalars(select(Occurrence))}
        items = {i.id: i for i in s.scalars(select(Item))}
    return occ, items


def _item(state: tuple[dict[str, Occurrence], dict[int, Item]], path: str) -> Item:
    occ, items = state
    assert path in occ, f"{path} not among {sorted(occ)}"
    item_id = occ[path].item_id
    assert item_id is not None, f"{path}: {occ[path].error_cause} {occ[path].error}"
    return items[item_id]


def _copy(leak: Path, *names: str) -> Path:
    leak.mkdir(exist_ok=True)
    for name in names:
        shutil.copy(FILES / name, leak / name)
    return leak


def _text(case: Case, item: Item) -> str:
    with case.sessions() as s:
        return "\n".join(s.scalars(select(Page.text).where(Page.item_id == item.id)))


def _limit(case: Case, key: str, value: int) -> Case:
    path = case.root / CONFIG_NAME
    text = path.read_text()
    assert f"{key} = " in text
    lines = [f"{key} = {value}" if ln.startswith(f"{key} = ") else ln for ln in text.splitlines()]
    path.write_text("\n".join(lines) + "\n")
    return Case.open(case.root)


# --- RAR -------------------------------------------------------------------------------


def test_rar_4_and_5_solid_unicode_and_nested_documents(case: Case, tmp_path: Path) -> None:
    leak = _copy(
        tmp_path / "leak",
        "rar3-solid.rar",
        "rar5-solid.rar",
        "rar5-subdirs.rar",
        "unicode.rar",
        "test-documents.rar",
    )
    state = _run(case, leak)
    solid = _item(state, "rar3-solid.rar")
    assert (solid.status, solid.extractor, solid.meta["format"]) == ("ok", "rar", "RAR 4")
    assert _item(state, "rar5-solid.rar").meta["format"] == "RAR 5"
    assert _item(state, "rar3-solid.rar!/stest2.txt").status == "ok"
    assert _item(state, "rar5-subdirs.rar!/sub/üȵĩöḋè/file.txt").size == 5
    assert _item(state, "unicode.rar!/𝐀𝐁𝐁𝐂.txt").status == "ok"
    xls = _item(state, "test-documents.rar!/test-documents/testEXCEL.xls")
    assert xls.mime == "application/vnd.ms-excel" and xls.status == "ok"
    pdf = _item(state, "test-documents.rar!/test-documents/testPDF.pdf")
    assert "Tika" in _text(case, pdf)


def test_rar_encrypted_links_and_damage(case: Case, tmp_path: Path) -> None:
    leak = _copy(
        tmp_path / "leak",
        "rar5-psw.rar",
        "rar5-hpsw.rar",
        "rar3-comment-psw.rar",
        "rar5-evil-symlink-traversal.rar",
        "badrar.rar",
    )
    whole = (FILES / "test-documents.rar").read_bytes()
    (leak / "truncated.rar").write_bytes(whole[: len(whole) // 2])
    (leak / "after.txt").write_text("the run goes on")
    state = _run(case, leak)
    occ, _ = state
    for name in ("rar5-psw.rar", "rar5-hpsw.rar", "rar3-comment-psw.rar"):
        item = _item(state, name)
        assert item.status == "error" and item.error_cause == "encrypted", name
        assert "password" in (item.error or "")
    assert occ["rar5-psw.rar!/stest1.txt"].error_cause == "encrypted"
    evil = "rar5-evil-symlink-traversal.rar"
    assert occ[f"{evil}!/up"].error_cause == "link"  # the link is never followed
    assert _item(state, f"{evil}!/up/pwned.txt").size == 23  # content kept, never written out
    assert occ["badrar.rar!/secret.txt"].error_cause == "link"
    truncated = _item(state, "truncated.rar")
    assert truncated.error_cause == "corrupt" or any(
        o.error_cause == "corrupt" for p, o in occ.items() if p.startswith("truncated.rar!/")
    )
    assert _item(state, "truncated.rar!/test-documents/testEXCEL.xls").size  # before the cut
    assert _item(state, "after.txt").status == "ok"
    assert not (tmp_path / "pwned.txt").exists() and not (leak / "pwned.txt").exists()


def _rename_rar4_member(data: bytes, old: bytes, new: bytes) -> bytes:
    """A RAR 4 archive with one member's stored name replaced by bytes of the same length,
    its header CRC recomputed (RAR 4: CRC-32 of the header from its type byte, low 16 bits).
    No free program writes RAR; this makes the GBK-named member a Chinese WinRAR writes."""
    out = bytearray(data)
    pos = 7  # after the marker block
    while pos < len(out):
        _crc, htype, flags, size = struct.unpack_from("<HBHH", out, pos)
        if htype == 0x74:
            name_size = struct.unpack_from("<H", out, pos + 26)[0]
            if bytes(out[pos + 32 : pos + 32 + name_size]) == old:
                assert len(new) == len(old) and not flags & 0x200  # no Unicode name flag
                out[pos + 32 : pos + 32 + name_size] = new
                crc = zlib.crc32(bytes(out[pos + 2 : pos + size])) & 0xFFFF
                struct.pack_into("<H", out, pos, crc)
                return bytes(out)
        packed = struct.unpack_from("<I", out, pos + 7)[0] if flags & 0x8000 else 0
        pos += size + packed
    raise AssertionError(f"{old!r} not in the archive")


def test_rar_member_named_in_gbk(case: Case, tmp_path: Path) -> None:
    gbk = "名单.txt".encode("gbk")
    original = (FILES / "rar3-symlink-unix.rar").read_bytes()
    leak = tmp_path / "leak"
    leak.mkdir()
    (leak / "gbk.rar").write_bytes(_rename_rar4_member(original, b"data.txt", gbk))
    state = _run(case, leak)
    occ, _ = state
    member = occ["gbk.rar!/名单.txt"]
    assert member.raw_name_hex == gbk.hex()
    assert _item(state, "gbk.rar!/名单.txt").size == 5


# --- libarchive: ISO 9660, cpio, xar, cab ---------------------------------------------------


def _programs(*names: str) -> None:
    missing = [n for n in names if shutil.which(n) is None]
    if missing:  # a skip that CI would not see is a failure there (GUWAH_STRICT_TESTS=1)
        (pytest.fail if STRICT else pytest.skip)(
            f"not installed: {missing} (scripts/ensure-system-deps.sh installs them)"
        )


def test_iso_cpio_xar_cab_made_by_the_real_programs(case: Case, tmp_path: Path) -> None:
    _programs("xorriso", "cpio", "bsdtar", "gcab")
    src = tmp_path / "src"
    (src / "dir").mkdir(parents=True)
    (src / "dir" / "名单.txt").write_text("阿不都热依木 名单\n", encoding="utf-8")
    (src / "notes.txt").write_text("notes in every archive\n")
    leak = tmp_path / "leak"
    leak.mkdir()
    subprocess.run(
        ["xorriso", "-as", "mkisofs", "-quiet", "-J", "-R", "-o", str(leak / "disc.iso"), "."],
        cwd=src,
        check=True,
        capture_output=True,
    )
    with open(leak / "bundle.cpio", "wb") as out:
        subprocess.run(
            ["cpio", "-o", "-H", "newc", "--quiet"],
            cwd=src,
            input=b"notes.txt\ndir/\xe5\x90\x8d\xe5\x8d\x95.txt\n",
            stdout=out,
            check=True,
        )
    subprocess.run(
        ["bsdtar", "--format", "xar", "-cf", str(leak / "pack.xar"), "."], cwd=src, check=True
    )
    subprocess.run(["gcab", "-c", str(leak / "setup.cab"), "notes.txt"], cwd=src, check=True)
    state = _run(case, leak)
    for name, fmt in (
        ("disc.iso", "ISO9660"),
        ("bundle.cpio", "cpio"),
        ("pack.xar", "xar"),
        ("setup.cab", "CAB"),
    ):
        archive = _item(state, name)
        assert archive.status == "ok" and archive.extractor == "libarchive", name
        assert fmt.lower() in archive.meta["format"].lower(), archive.meta
        assert _item(state, f"{name}!/notes.txt").status == "ok", name
    assert _item(state, "disc.iso!/dir/名单.txt").status == "ok"
    assert _item(state, "bundle.cpio!/dir/名单.txt").status == "ok"
    occ, _ = state
    damaged = (leak / "disc.iso").read_bytes()[:40000]
    (tmp_path / "leak2").mkdir()
    (tmp_path / "leak2" / "damaged.iso").write_bytes(damaged)
    state = _run(case, tmp_path / "leak2")
    damaged_item = _item(state, "damaged.iso")  # recorded with what it held, never a crash
    assert damaged_item.status in ("ok", "error") and damaged_item.error_cause != "reader_bug"


# --- e-mail ----------------------------------------------------------------------------


def _roster(path: Path) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "名单"
    ws.append(["姓名", "身份证号", "拘留原因"])
    ws.append(["阿不都热依木·吐尔地", "653121198001010012", "Zebrafinch"])
    wb.save(path)
    return path.read_bytes()


def _mail_with_roster(tmp_path: Path) -> bytes:
    msg = EmailMessage()
    msg["From"] = "王建国 <wang.jianguo@police.example.cn>"
    msg["To"] = "Records Office <records@police.example.cn>"
    msg["Cc"] = "duty@police.example.cn"
    msg["Subject"] = "本周名单 weekly roster"
    msg["Date"] = "Mon, 14 May 2018 09:30:00 +0800"
    msg["Message-ID"] = "<roster-20180514@police.example.cn>"
    msg["In-Reply-To"] = "<request-20180513@police.example.cn>"
    msg["References"] = "<start@police.example.cn> <request-20180513@police.example.cn>"
    msg.set_content("请查收附件中的名单。\nSee the attached roster.")
    msg.add_alternative(
        "<html><body><p>请查收附件中的<b>名单</b>。</p></body></html>", subtype="html"
    )
    msg.add_attachment(
        _roster(tmp_path / "roster.xlsx"),
        maintype="application",
        subtype="vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        filename="roster.xlsx",
    )
    return msg.as_bytes()


def _gbk_named_attachment() -> bytes:
    """An attachment named in raw GBK bytes, as Chinese mail clients send them."""
    name = "名单.txt".encode("gbk")
    return (
        b"From: a@example.cn\r\nTo: b@example.cn\r\nSubject: gbk\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="XX"\r\n\r\n--XX\r\n'
        b"Content-Type: text/plain\r\n\r\nbody\r\n--XX\r\n"
        b'Content-Type: text/plain\r\nContent-Disposition: attachment; filename="'
        + name
        + b'"\r\n\r\nlist content\r\n--XX--\r\n'
    )


def test_eml_headers_body_and_attached_roster_with_provenance(case: Case, tmp_path: Path) -> None:
    leak = tmp_path / "leak"
    leak.mkdir()
    (leak / "weekly.eml").write_bytes(_mail_with_roster(tmp_path))
    (leak / "gbk.eml").write_bytes(_gbk_named_attachment())
    state = _run(case, leak)
    mail = _item(state, "weekly.eml")
    assert mail.mime == "message/rfc822" and mail.extractor == "eml" and mail.status == "ok"
    meta = mail.meta
    assert meta["from"] == [{"name": "王建国", "address": "wang.jianguo@police.example.cn"}]
    assert meta["to"][0]["address"] == "records@police.example.cn"
    assert meta["cc"] == [{"name": "", "address": "duty@police.example.cn"}]
    assert meta["subject"] == "本周名单 weekly roster"
    assert meta["date_iso"] == "2018-05-14T01:30:00"
    assert meta["message_id"] == "<roster-20180514@police.example.cn>"
    assert meta["in_reply_to"] == "<request-20180513@police.example.cn>"
    assert meta["references"][-1] == "<request-20180513@police.example.cn>"
    assert meta["attachments"] == ["roster.xlsx"] and meta["body"] == "plain"
    text = _text(case, mail)
    assert "请查收附件中的名单" in text and "王建国 <wang.jianguo@police.example.cn>" in text
    assert "<b>" not in text
    roster = _item(state, "weekly.eml!/roster.xlsx")
    occ, _ = state
    assert occ["weekly.eml!/roster.xlsx"].parent_item_id == mail.id
    with case.sessions() as s:
        sheet = s.scalars(select(Sheet).where(Sheet.item_id == roster.id)).one()
        cells = {
            (c.row, c.col): c.value
            for c in s.scalars(select(Cell).where(Cell.sheet_id == sheet.id))
        }
    assert sheet.name == "名单" and cells[(2, 1)] == "阿不都热依木·吐尔地"
    gbk = occ["gbk.eml!/名单.txt"]
    assert gbk.raw_name_hex == "名单.txt".encode("gbk").hex() and gbk.item_id is not None


def test_real_eml_emlx_mbox_msg_pst(case: Case, tmp_path: Path) -> None:
    leak = _copy(
        tmp_path / "leak",
        "email_multipart_mixed.eml",
        "email_attached_inline.eml",
        "testThunderbirdEml.eml",
        "plaintext.emlx",
        "richtext.emlx",
        "plan.mbox",
        "piste.msg",
        "strangeDate.msg",
        "testPST.pst",
    )
    state = _run(case, leak)
    occ, items = state
    inline = _item(state, "email_attached_inline.eml")
    assert inline.meta["members"] == 1
    inner = _item(state, "email_attached_inline.eml!/attachment-1.eml")
    assert inner.mime == "message/rfc822" and inner.extractor == "eml"
    plain = _item(state, "plaintext.emlx")
    assert plain.meta["format"] == "emlx" and plain.meta["from"][0]["name"] == "Michael"
    rich = _item(state, "richtext.emlx")
    assert rich.mime == "message/x-emlx" and rich.status == "ok"
    box = _item(state, "plan.mbox")
    assert box.extractor == "mbox" and box.meta["messages"] >= 1
    first = _item(state, "plan.mbox!/1")
    assert first.mime == "message/rfc822" and first.meta.get("subject")
    msg = _item(state, "piste.msg")
    assert msg.extractor == "msg" and msg.status == "ok"
    assert msg.meta["from"] == [{"name": "GMX Magazin", "address": "mailings@gmxnet.de"}]
    assert msg.meta["subject"] == "Ab auf die Piste!"
    assert "Piste" in _text(case, msg)
    odd = _item(state, "strangeDate.msg")  # no sender, a date extract-msg cannot parse
    assert odd.status == "ok" and odd.meta["subject"] == "MSG Test File"
    assert odd.meta["to"][0]["address"] == "time2talk@online-convert.com"
    pst = _item(state, "testPST.pst")
    assert pst.extractor == "pst" and pst.status == "ok" and pst.meta["messages"] >= 6
    messages = [p for p in occ if p.startswith("testPST.pst!/") and p.count("!/") == 1]
    assert len(messages) == pst.meta["messages"]
    one = _item(state, sorted(messages)[0])
    assert one.mime == "message/rfc822" and one.meta.get("from")
    assert all(i.error_cause != "reader_bug" for i in items.values())


def test_the_same_mail_twice_in_one_run(case: Case, tmp_path: Path) -> None:
    """A second copy of a mail (or an mbox) is a new path of the same item: its members get
    new paths too, and its body is not recorded twice (it crashed the whole run once)."""
    leak = _copy(tmp_path / "leak", "email_attached_inline.eml", "plan.mbox")
    (leak / "copy").mkdir()
    shutil.copy(FILES / "email_attached_inline.eml", leak / "copy" / "again.eml")
    shutil.copy(FILES / "plan.mbox", leak / "copy" / "again.mbox")
    state = _run(case, leak)
    occ, _ = state
    first, again = _item(state, "email_attached_inline.eml"), _item(state, "copy/again.eml")
    assert first.id == again.id and first.status == "ok"
    assert (
        _item(state, "copy/again.eml!/attachment-1.eml").id
        == _item(state, "email_attached_inline.eml!/attachment-1.eml").id
    )
    assert "copy/again.mbox!/1" in occ
    with case.sessions() as s:
        pages = s.scalars(select(Page.page_no).where(Page.item_id == first.id)).all()
        extracted = s.scalars(
            select(CustodyEvent.seq).where(
                CustodyEvent.item_sha256 == first.sha256, CustodyEvent.event == "extracted"
            )
        ).all()
    assert len(pages) == len(set(pages)) and len(extracted) == 1


def test_bad_mail_is_an_error_on_its_item(case: Case, tmp_path: Path) -> None:
    leak = tmp_path / "leak"
    leak.mkdir()
    pst = (FILES / "testPST.pst").read_bytes()
    (leak / "truncated.pst").write_bytes(pst[:20000])
    msg = (FILES / "piste.msg").read_bytes()
    (leak / "truncated.msg").write_bytes(msg[:9000])
    (leak / "damaged.msg").write_bytes(msg[:4096] + b"\xff" * 7904 + msg[12000:])
    (leak / "after.txt").write_text("the run goes on")
    state = _run(case, leak)
    pst = _item(state, "truncated.pst")
    assert pst.mime == "application/vnd.ms-outlook-pst" and pst.error_cause == "corrupt"
    assert "Could not get root record" in (pst.error or "")
    # libmagic no longer names the cut .msg an Outlook message: kept as unsupported OLE
    msg = _item(state, "truncated.msg")
    assert msg.status in ("error", "unsupported") and msg.error
    assert msg.error_cause != "reader_bug", msg.error
    damaged = _item(state, "damaged.msg")  # still an Outlook message to libmagic
    assert damaged.mime == "application/vnd.ms-outlook" and damaged.error_cause == "corrupt"
    assert "not a readable Outlook message" in (damaged.error or "")
    assert _item(state, "after.txt").status == "ok"


def _nested(depth: int) -> bytes:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "bomb@example.cn", "x@example.cn", "level 0"
    msg.set_content("the innermost message")
    for level in range(1, depth + 1):
        outer = EmailMessage()
        outer["From"], outer["To"] = "bomb@example.cn", "x@example.cn"
        outer["Subject"] = f"level {level}"
        outer.set_content(f"wrapping level {level}")
        outer.add_attachment(msg)
        msg = outer
    return msg.as_bytes()


def test_mailbox_bombs_are_bounded(case: Case, tmp_path: Path) -> None:
    leak = tmp_path / "leak"
    leak.mkdir()
    (leak / "deep.eml").write_bytes(_nested(12))
    wide = EmailMessage()
    wide["From"], wide["To"], wide["Subject"] = "bomb@example.cn", "x@example.cn", "wide"
    wide.set_content("thousands of attachments")
    for i in range(3000):
        wide.add_attachment(
            f"part {i}".encode(), maintype="text", subtype="plain", filename=f"p{i}.txt"
        )
    (leak / "wide.eml").write_bytes(wide.as_bytes())
    case = _limit(case, "max_archive_members", 500)
    state = _run(case, leak)
    occ, items = state
    depth = case.settings.limits.max_archive_depth
    deepest = [o for o in occ.values() if o.path.startswith("deep.eml")]
    assert max(o.depth for o in deepest) == depth
    bounded = [items[o.item_id] for o in deepest if o.depth == depth and o.item_id]
    assert bounded and bounded[0].error_cause == "bomb"
    wide_item = _item(state, "wide.eml")
    assert wide_item.status == "error" and wide_item.error_cause == "bomb"
    stored = [p for p, o in occ.items() if p.startswith("wide.eml!/") and o.item_id]
    assert 400 <= len(stored) <= 500
    assert "thousands of attachments" in _text(case, wide_item)  # its own text is kept


def test_search_finds_mail_by_sender_and_by_a_word_in_an_attachment(tmp_path: Path) -> None:
    leak = tmp_path / "leak"
    leak.mkdir()
    (leak / "weekly.eml").write_bytes(_mail_with_roster(tmp_path))
    (leak / "other.txt").write_text("nothing to see")
    case_dir = tmp_path / "case"
    run_cli("init", case_dir)
    run_cli("ingest", leak, "--case", case_dir, "--no-ocr")

    def hits(query: str) -> list[dict[str, object]]:
        out = run_cli("search", query, "--case", case_dir, "--json").stdout
        return list(json.loads(out)["hits"])

    by_sender = hits("wang.jianguo@police.example.cn")
    assert any(h["path"] == "weekly.eml" and h["type"] == "mail" for h in by_sender), by_sender
    assert any(h["path"] == "weekly.eml" for h in hits("王建国"))
    in_attachment = hits("Zebrafinch")
    assert any(h["path"] == "weekly.eml!/roster.xlsx" for h in in_attachment), in_attachment
