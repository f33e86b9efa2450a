"""E-mail as containers: .eml and .emlx (stdlib ``email``), .mbox (``mailbox``); Outlook's
.msg and .pst are in ``outlook``.

A message's headers are its metadata (from, to, cc, bcc, date, subject, message-id,
in-reply-to, references), its body (plain text, else HTML made text) its one page of text,
and its attachments its members: ``mail.eml!/roster.xlsx``. A mailbox's messages are its
members (``leak.mbox!/12``, ``export.pst!/Inbox/12``), each read again as a message, so an
attachment sits at ``export.pst!/Inbox/12!/roster.xlsx``. Attached messages are members
too, so nesting is bounded by the same depth, count and size limits as archives.
"""

from __future__ import annotations

import email
import email.policy
import email.utils
import mailbox
import mimetypes
import re
from collections.abc import Iterator
from datetime import UTC
from email.message import EmailMessage, Message
from pathlib import Path
from typing import Any

from guwah.ingest.containers.base import (
    ArchiveError,
    Container,
    ContainerContext,
    Member,
    MemberResult,
)
from guwah.ingest.extractors.common import clean
from guwah.ingest.extractors.documents import html_to_text
from guwah.ingest.registry import PageText, register

_ADDRESS_FIELDS = ("from", "to", "cc", "bcc", "reply_to")
_MAX_HEADER = 4000


def header_text(value: Any) -> str:
    return clean(str(value or "")).strip()[:_MAX_HEADER]


def addresses(values: list[str]) -> list[dict[str, str]]:
    out = []
    for name, address in email.utils.getaddresses([header_text(v) for v in values if v]):
        if name or address:
            out.append({"name": clean(name), "address": clean(address)})
    return out[:500]


def _date_iso(value: str) -> str | None:
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    return parsed.isoformat()


def header_meta(get_all: Any) -> dict[str, Any]:
    """Metadata from a message's headers; ``get_all(name)`` returns the header's values."""
    meta: dict[str, Any] = {}
    for key in _ADDRESS_FIELDS:
        found = addresses(get_all(key.replace("_", "-")) or [])
        if found:
            meta[key] = found
    date = header_text((get_all("date") or [""])[0])
    if date:
        meta["date"] = date
        iso = _date_iso(date)
        if iso:
            meta["date_iso"] = iso
    for key in ("subject", "message-id", "in-reply-to"):
        value = header_text((get_all(key) or [""])[0])
        if value:
            meta[key.replace("-", "_")] = value
    refs = " ".join(header_text(v) for v in get_all("references") or [])
    if refs.split():
        meta["references"] = refs.split()[:200]
    return meta


def summary_text(meta: dict[str, Any], body: str) -> str:
    """The page a message shows: its headers as lines, then the body."""
    lines = []
    for key, label in (("from", "From"), ("to", "To"), ("cc", "Cc"), ("bcc", "Bcc")):
        if key in meta:
            people = ", ".join(
                f"{a['name']} <{a['address']}>" if a["name"] else a["address"] for a in meta[key]
            )
            lines.append(f"{label}: {people}")
    for key, label in (("date", "Date"), ("subject", "Subject")):
        if key in meta:
            lines.append(f"{label}: {meta[key]}")
    if meta.get("attachments"):
        lines.append("Attachments: " + ", ".join(meta["attachments"]))
    return "\n".join(lines) + "\n\n" + body.strip()


class UniqueNames:
    """Unique member names within one message (two attachments may share a name)."""

    def __init__(self) -> None:
        self.seen: set[str] = set()

    def __call__(self, name: str) -> str:
        base, n = name, 1
        while name in self.seen:
            n += 1
            stem, dot, ext = base.rpartition(".")
            name = f"{stem} ({n}).{ext}" if dot and stem else f"{base} ({n})"
        self.seen.add(name)
        return name


_RAW_NAME = re.compile(r'(?:file)?name\s*=\s*"?([^";\r\n]+)', re.I)


def _raw_name(part: Message) -> bytes | None:
    """The attachment name's bytes as sent, for names in undeclared 8-bit (often GBK)."""
    for header, value in part.raw_items():
        if header.lower() in ("content-disposition", "content-type"):
            m = _RAW_NAME.search(str(value))
            if m:
                return m.group(1).strip().encode("ascii", "surrogateescape")
    return None


def _filename(part: Message, index: int) -> tuple[str, str | None]:
    """An attachment's name; undeclared 8-bit names (often GBK) decoded, raw bytes kept."""
    name = str(part.get_filename() or "")
    raw = _raw_name(part) if ("\ufffd" in name or not name.isascii()) else None
    if raw is not None and not raw.isascii():
        for encoding in ("utf-8", "gb18030"):
            try:
                decoded = raw.decode(encoding)
                return safe_name(decoded), None if encoding == "utf-8" else raw.hex()
            except UnicodeDecodeError:
                continue
        return safe_name(raw.decode("utf-8", "replace")), raw.hex()
    if safe_name(name):
        return safe_name(name), None
    ext = mimetypes.guess_extension(part.get_content_type()) or ".bin"
    return f"attachment-{index}{ext}", None


def safe_name(name: str) -> str:
    return clean(name).replace("/", "_").replace("\\", "_").strip()


def _body(msg: EmailMessage, ctx: ContainerContext) -> str:
    """The message's text: its plain body, else its HTML body made text."""
    try:
        part = msg.get_body(preferencelist=("plain", "html"))
    except (KeyError, LookupError, ValueError):
        part = None
    if part is None:
        return ""
    try:
        content = part.get_content()
    except (LookupError, ValueError, AssertionError) as exc:
        ctx.out.warnings.append(f"body not decoded: {exc}")
        payload = part.get_payload(decode=True)
        content = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""
    if not isinstance(content, str):
        return ""
    limit = ctx.limits.max_text_bytes
    if len(content) > limit:
        content = content[:limit]
        ctx.out.warnings.append(f"body longer than {limit:,} characters: only the start was read")
    if part.get_content_type() == "text/html":
        ctx.out.meta["body"] = "html"
        return html_to_text(content)[0]
    ctx.out.meta["body"] = "plain"
    return content.replace("\r\n", "\n")


def read_message(data: bytes, ctx: ContainerContext, fmt: str) -> Iterator[MemberResult]:
    """Headers and body into ``ctx.out``; every attachment stored as a member."""
    msg = email.message_from_bytes(data, policy=email.policy.default)
    assert isinstance(msg, EmailMessage)
    if not msg.keys():
        raise ArchiveError("corrupt", "not an e-mail message: no headers")
    ctx.out.meta["format"] = fmt
    ctx.out.meta.update(header_meta(msg.get_all))
    body = _body(msg, ctx)
    parts, texts = _parts(msg)
    for part in texts:
        body += "\n\n" + _part_text(part)
    names = UniqueNames()
    attachments: list[str] = []
    try:
        for index, part in enumerate(parts, start=1):
            name, raw_hex = _filename(part, index)
            name = names(name)
            attachments.append(name)
            member = Member(name=name, raw_name_hex=raw_hex)
            try:
                payload = _payload(part)
            except (LookupError, ValueError, TypeError, AttributeError, IndexError) as exc:
                yield MemberResult(
                    member, error=ArchiveError("corrupt", f"attachment not decoded: {exc}")
                )
                continue
            yield ctx.store_bytes(member, payload)
    finally:  # the message's own text, even when a bound stopped the attachments
        if attachments:
            ctx.out.meta["attachments"] = attachments[:1000]
        if msg.defects:
            ctx.out.warnings.extend(f"message defect: {type(d).__name__}" for d in msg.defects[:20])
        ctx.out.pages.append(PageText(1, clean(summary_text(ctx.out.meta, body)), "text"))


def _payload(part: Message) -> bytes:
    if part.get_content_type() == "message/rfc822":
        inner = part.get_payload()
        attached = inner[0] if isinstance(inner, list) else inner
        if not isinstance(attached, Message):
            raise ValueError("attached message without content")
        return attached.as_bytes()
    decoded = part.get_payload(decode=True)
    return decoded if isinstance(decoded, bytes) else b""


def _parts(msg: EmailMessage) -> tuple[list[Message], list[Message]]:
    """(attachments, further inline text parts) in order; an attached message is one
    attachment (its own parts are read when it is read); the body's alternatives skipped."""
    body_ids = set()
    for pref in (("plain",), ("html",)):
        try:
            found = msg.get_body(preferencelist=pref)
        except (KeyError, LookupError, ValueError):
            found = None
        if found is not None:
            body_ids.add(id(found))
    attachments: list[Message] = []
    texts: list[Message] = []

    def walk(part: Message, in_alternative: bool) -> None:
        ctype = part.get_content_type()
        if ctype == "message/rfc822":
            attachments.append(part)
        elif part.is_multipart():
            for sub in part.get_payload():
                if isinstance(sub, Message):
                    walk(sub, in_alternative or ctype == "multipart/alternative")
        elif id(part) in body_ids:
            return
        elif (
            part.get_content_disposition() == "attachment"
            or part.get_filename()
            or part.get_content_maintype() != "text"
        ):
            attachments.append(part)
        elif ctype == "text/plain" or not in_alternative:
            texts.append(part)

    for sub in msg.get_payload() if msg.is_multipart() else []:
        if isinstance(sub, Message):
            walk(sub, msg.get_content_type() == "multipart/alternative")
    return attachments, texts


def _part_text(part: Message) -> str:
    try:
        content = part.get_content()  # type: ignore[attr-defined]
    except (LookupError, ValueError, AssertionError, AttributeError):
        payload = part.get_payload(decode=True)
        content = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""
    if not isinstance(content, str):
        return ""
    return html_to_text(content)[0] if part.get_content_type() == "text/html" else content


def _read_bounded(path: Path, ctx: ContainerContext) -> bytes:
    size = path.stat().st_size
    if size > ctx.limits.max_member_bytes:
        raise ArchiveError(
            "too_large", f"message of {size:,} bytes is over limits.max_member_bytes"
        )
    return path.read_bytes()


@register
class EmlReader(Container):
    name = "eml"
    version = "1"
    mimetypes = frozenset({"message/rfc822", "message/x-emlx"})

    def members(self, path: Path, mime: str, ctx: ContainerContext) -> Iterator[MemberResult]:
        ctx.whole_archive_ratio = False  # attachments are base64: smaller than the message
        data = _read_bounded(path, ctx)
        fmt = "eml"
        if mime == "message/x-emlx":  # a byte count line, the message, Apple's plist
            first, _, rest = data.partition(b"\n")
            count = int(first.strip() or 0) if first.strip().isdigit() else len(rest)
            data, fmt = rest[:count], "emlx"
        yield from read_message(data, ctx, fmt)


@register
class MboxReader(Container):
    name = "mbox"
    version = "1"
    mimetypes = frozenset({"application/mbox"})

    def members(self, path: Path, mime: str, ctx: ContainerContext) -> Iterator[MemberResult]:
        ctx.whole_archive_ratio = False
        box = mailbox.mbox(str(path), create=False)
        n = 0
        try:
            for n, key in enumerate(box.iterkeys(), start=1):
                yield ctx.store_bytes(Member(name=str(n)), box.get_bytes(key, from_=False))
        finally:
            box.close()
        ctx.out.meta.update(format="mbox", messages=n)
