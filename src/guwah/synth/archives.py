"""Where generated files go: the leak directory, or (nested) zip and tar.gz archives in it.

Every sink returns the *truth path* of what it wrote: the path relative to the leak root,
with ``!/`` between an archive and a member (``a.zip!/b.zip!/c.jpg``).
"""

from __future__ import annotations

import gzip
import io
import os
import re
import tarfile
import zipfile
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Protocol

#: Times in the leak are local Xinjiang police time, which is Beijing time.
CST = timezone(timedelta(hours=8))


def epoch(when: datetime) -> float:
    """POSIX time of a naive local (UTC+8) time."""
    return when.replace(tzinfo=CST).timestamp()


def zip_time(when: datetime) -> tuple[int, int, int, int, int, int]:
    w = max(when, datetime(1980, 1, 1))
    return (w.year, w.month, w.day, w.hour, w.minute, w.second - w.second % 2)


class Sink(Protocol):
    def path_of(self, rel: str) -> str: ...

    def write(self, rel: str, data: bytes, mtime: datetime) -> str: ...


class DiskSink:
    """The leak directory; counts files and bytes; keeps paths unique like Windows does."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.n_files = 0
        self.n_bytes = 0

    def path_of(self, rel: str) -> str:
        return rel

    def unique(self, rel: str) -> str:
        """``rel`` or, if taken, ``stem (2).ext`` (asks the file system: no list of paths in memory)."""
        if not (self.root / rel).exists():
            return rel
        stem, dot, ext = rel.rpartition(".")
        n = 2
        while (self.root / f"{stem} ({n}){dot}{ext}").exists():
            n += 1
        return f"{stem} ({n}){dot}{ext}"

    def write(self, rel: str, data: bytes, mtime: datetime) -> str:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("xb") as fh:
            fh.write(data)
        t = epoch(mtime)
        os.utime(path, (t, t))
        self.n_files += 1
        self.n_bytes += len(data)
        return rel

    def fix_dir_times(self, when: datetime) -> None:
        """Give every directory the same mtime so the tree is reproducible."""
        t = epoch(when)
        for dirpath, _dirs, _files in os.walk(self.root, topdown=False):
            os.utime(dirpath, (t, t))


class _ArchiveSink:
    """Members collected in memory; ``close`` writes the archive into its parent sink."""

    def __init__(self, parent: Sink, rel: str) -> None:
        self.parent = parent
        self.rel = rel
        self.path = parent.path_of(rel)
        self.members: list[tuple[str, bytes, datetime]] = []

    def path_of(self, rel: str) -> str:
        return f"{self.path}!/{rel}"

    def write(self, rel: str, data: bytes, mtime: datetime) -> str:
        self.members.append((rel, data, mtime))
        return self.path_of(rel)


class ZipSink(_ArchiveSink):
    """A zip archive built in memory and written into its parent sink on ``close``."""

    def close(self) -> str:
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
            for name, data, when in self.members:
                info = zipfile.ZipInfo(name, zip_time(when))
                info.compress_type = (
                    zipfile.ZIP_STORED if name.endswith(".zip") else zipfile.ZIP_DEFLATED
                )
                info.external_attr = 0o644 << 16
                zf.writestr(info, data)
        last = max((m[2] for m in self.members), default=datetime(2018, 8, 1))
        return self.parent.write(self.rel, buf.getvalue(), last)


class TarGzSink(_ArchiveSink):
    """A gzip-compressed tar archive with fixed owners, modes and gzip header time."""

    def close(self) -> str:
        last = max((m[2] for m in self.members), default=datetime(2018, 8, 1))
        raw = io.BytesIO()
        with (
            gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=int(epoch(last))) as gz,
            tarfile.open(fileobj=gz, mode="w", format=tarfile.PAX_FORMAT) as tf,
        ):
            for name, data, when in self.members:
                info = tarfile.TarInfo(name)
                info.size = len(data)
                info.mtime = int(epoch(when))
                info.mode = 0o644
                info.uid = info.gid = 0
                info.uname = info.gname = "root"
                tf.addfile(info, io.BytesIO(data))
        return self.parent.write(self.rel, raw.getvalue(), last)


_CORE_DATE = re.compile(rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)")


def normalise_ooxml(
    data: bytes, when: datetime, created: datetime | None = None, modified: datetime | None = None
) -> bytes:
    """Rewrite an xlsx/docx so member dates and core-property dates are fixed (reproducible).

    ``created``/``modified`` are naive local times written as UTC in ``docProps/core.xml``.
    """

    def w3c(t: datetime) -> bytes:
        utc = t.replace(tzinfo=CST).astimezone(UTC)
        return utc.strftime("%Y-%m-%dT%H:%M:%SZ").encode()

    def fix_core(xml: bytes) -> bytes:
        def sub(m: re.Match[bytes]) -> bytes:
            t = created if m.group(2) == b"created" else modified
            return m.group(0) if t is None else m.group(1) + w3c(t) + m.group(3)

        return _CORE_DATE.sub(sub, xml)

    src = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            body = src.read(item.filename)
            if item.filename == "docProps/core.xml":
                body = fix_core(body)
            info = zipfile.ZipInfo(item.filename, zip_time(when))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            dst.writestr(info, body)
    return buf.getvalue()


class MboxSink(_ArchiveSink):
    """A mail export (mbox): each file written is attached to a message of its own, as a
    clerk would send a roster; truth paths are ``export.mbox!/<n>!/<file name>``, the paths
    guwah gives mailbox messages and their attachments."""

    def __init__(self, parent: Sink, rel: str, sender: str, recipient: str) -> None:
        super().__init__(parent, rel)
        self.sender = sender
        self.recipient = recipient

    def write(self, rel: str, data: bytes, mtime: datetime) -> str:
        self.members.append((rel, data, mtime))
        return f"{self.path}!/{len(self.members)}!/{rel.rsplit('/', 1)[-1]}"

    def close(self) -> str:
        from email.generator import BytesGenerator
        from email.message import EmailMessage
        from email.utils import format_datetime

        out = io.BytesIO()
        for n, (rel, data, when) in enumerate(self.members, start=1):
            name = rel.rsplit("/", 1)[-1]
            msg = EmailMessage()
            msg["From"] = self.sender
            msg["To"] = self.recipient
            msg["Subject"] = f"报送：{name.rsplit('.', 1)[0]}"
            msg["Date"] = format_datetime(when.replace(tzinfo=CST))
            msg["Message-ID"] = f"<synth-{n}-{int(epoch(when))}@police.example.cn>"
            msg["X-Guwah-Synthetic"] = "SYNTHETIC — generated by guwah synth"
            msg.set_content(f"附件为{name}，请查收。\nSYNTHETIC — generated by guwah synth\n")
            maintype, subtype = _attachment_type(name)
            msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
            msg.set_boundary(f"==guwah-synth-{n}==")
            out.write(f"From police-mail {when:%a %b %d %H:%M:%S %Y}\n".encode())
            BytesGenerator(out, mangle_from_=True, policy=msg.policy.clone(linesep="\n")).flatten(
                msg
            )
            out.write(b"\n")
        last = max((m[2] for m in self.members), default=datetime(2018, 8, 1))
        return self.parent.write(self.rel, out.getvalue(), last)


def _attachment_type(name: str) -> tuple[str, str]:
    ext = name.rsplit(".", 1)[-1].lower()
    types = {
        "xlsx": ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        "xls": ("application", "vnd.ms-excel"),
        "csv": ("text", "csv"),
    }
    return types.get(ext, ("application", "octet-stream"))
