"""Outlook as containers: .msg (``extract-msg``) and .pst/.ost (Debian's ``readpst`` from
pst-utils). Headers, body and attachments as for any e-mail (``mail``); a PST's messages
become RFC 822 members (``export.pst!/Inbox/12``), each read again as an .eml.
"""

from __future__ import annotations

import os
import resource
import subprocess
import tempfile
from collections.abc import Iterator
from datetime import UTC
from pathlib import Path
from typing import Any

from guwah.ingest.containers.base import (
    ArchiveError,
    Container,
    ContainerContext,
    Member,
    MemberResult,
)
from guwah.ingest.containers.mail import (
    UniqueNames,
    addresses,
    header_meta,
    header_text,
    safe_name,
    summary_text,
)
from guwah.ingest.extractors.common import clean
from guwah.ingest.extractors.documents import html_to_text
from guwah.ingest.registry import PageText, register


@register
class MsgReader(Container):
    """Outlook .msg: headers, body, attachments; attached messages exported as .msg."""

    name = "msg"
    version = "1"
    mimetypes = frozenset({"application/vnd.ms-outlook"})

    def members(self, path: Path, mime: str, ctx: ContainerContext) -> Iterator[MemberResult]:
        import extract_msg
        import extract_msg.exceptions

        ctx.whole_archive_ratio = False
        try:
            msg = extract_msg.openMsg(str(path), strict=False)
        except (extract_msg.exceptions.ExMsgBaseException, OSError, ValueError) as exc:
            raise _msg_failure(exc) from exc
        with msg:
            class_type = str(getattr(msg, "classType", "") or "")
            if "SMIME" in class_type.upper() and "SIGNED" not in class_type.upper():
                raise ArchiveError(
                    "encrypted", f"encrypted Outlook message ({class_type}): no key to read it"
                )
            yield from self._read(msg, ctx)

    def _read(self, msg: Any, ctx: ContainerContext) -> Iterator[MemberResult]:
        headers = msg.header
        meta = header_meta(headers.get_all) if headers is not None and headers.keys() else {}
        for key, attr in (("from", "sender"), ("to", "to"), ("cc", "cc"), ("bcc", "bcc")):
            if key not in meta and getattr(msg, attr, None):
                meta[key] = addresses([str(getattr(msg, attr))])
        if "subject" not in meta and msg.subject:
            meta["subject"] = header_text(msg.subject)
        if "date" not in meta and msg.date:
            meta["date"] = header_text(msg.date)
            meta["date_iso"] = msg.date.astimezone(UTC).replace(tzinfo=None).isoformat()
        if "message_id" not in meta and getattr(msg, "messageId", None):
            meta["message_id"] = header_text(msg.messageId)
        ctx.out.meta.update(format="msg", **meta)
        body = msg.body or ""
        if not body.strip() and msg.htmlBody:
            html = msg.htmlBody
            text = html.decode("utf-8", "replace") if isinstance(html, bytes) else str(html)
            body = html_to_text(text)[0]
            ctx.out.meta["body"] = "html"
        elif body:
            ctx.out.meta["body"] = "plain"
        names = UniqueNames()
        attachments: list[str] = []
        try:
            for index, att in enumerate(msg.attachments, start=1):
                raw = att.longFilename or att.shortFilename or att.displayName or ""
                name = safe_name(str(raw)) or f"attachment-{index}"
                data = att.data
                if not isinstance(data, bytes):  # an attached message: exported as a .msg
                    exported = getattr(data, "exportBytes", None)
                    if exported is None:
                        attachments.append(names(name))
                        yield MemberResult(
                            Member(name=attachments[-1]),
                            error=ArchiveError("unsupported", "attachment of a kind not exported"),
                        )
                        continue
                    data = exported()
                    if "." not in name:
                        name = f"{name}.msg"
                attachments.append(names(name))
                yield ctx.store_bytes(Member(name=attachments[-1]), data or b"")
        finally:
            if attachments:
                ctx.out.meta["attachments"] = attachments[:1000]
            ctx.out.pages.append(PageText(1, clean(summary_text(ctx.out.meta, body)), "text"))


def _msg_failure(exc: Exception) -> ArchiveError:
    text = f"{type(exc).__name__}: {exc}"[:300]
    if "ncrypt" in text or "assword" in text:
        return ArchiveError("encrypted", f"encrypted Outlook message: {text}")
    return ArchiveError("corrupt", f"not a readable Outlook message: {text}")


@register
class PstReader(Container):
    """Outlook .pst/.ost through ``readpst -M``: one RFC 822 message per file, per folder."""

    name = "pst"
    version = "1"
    mimetypes = frozenset({"application/vnd.ms-outlook-pst"})

    def members(self, path: Path, mime: str, ctx: ContainerContext) -> Iterator[MemberResult]:
        ctx.whole_archive_ratio = False
        with tempfile.TemporaryDirectory(dir=ctx.scratch(), prefix="readpst-") as out:
            self._convert(path, Path(out), ctx)
            folders: set[str] = set()
            n = 0
            for dirpath, dirnames, filenames in os.walk(out, followlinks=False):
                dirnames.sort()
                rel = os.path.relpath(dirpath, out)
                for fname in sorted(filenames, key=lambda f: (len(f), f)):
                    file = Path(dirpath) / fname
                    if file.is_symlink() or not file.is_file():
                        continue
                    name = fname if rel == "." else f"{rel}/{fname}"
                    folders.add(rel)
                    n += 1
                    ctx.budget.take_member()
                    with open(file, "rb") as fh:
                        yield from ctx.copy_member(
                            Member(name=name), fh, ctx.limits.max_member_bytes
                        )
                    file.unlink()
        ctx.out.meta.update(format="pst", messages=n, folders=sorted(folders)[:1000])

    def _convert(self, path: Path, out: Path, ctx: ContainerContext) -> None:
        cap = ctx.limits.max_member_bytes

        def limits() -> None:  # in the child: no file it writes may outgrow a member
            resource.setrlimit(resource.RLIMIT_FSIZE, (cap, cap))

        try:
            proc = subprocess.run(
                ["readpst", "-q", "-M", "-b", "-o", str(out), str(path)],
                capture_output=True,
                timeout=ctx.limits.item_timeout_s,
                preexec_fn=limits,  # noqa: PLW1509 (no threads are started in between)
                check=False,
            )
        except FileNotFoundError as exc:
            raise ArchiveError(
                "unsupported", "readpst is not installed (Debian package pst-utils)"
            ) from exc
        except subprocess.TimeoutExpired as exc:
            raise ArchiveError(
                "timeout", f"readpst took longer than {ctx.limits.item_timeout_s:g} s: stopped"
            ) from exc
        if proc.returncode != 0:
            said = proc.stderr + b"\n" + proc.stdout  # readpst reports some errors on stdout
            err = said.decode("utf-8", "replace").strip()[-300:]
            raise ArchiveError(
                "corrupt", f"not a readable Outlook PST (readpst exit {proc.returncode}): {err}"
            )
