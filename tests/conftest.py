"""Shared fixtures: real cases on disk, a small leak of real files, the CLI as users run it."""

from __future__ import annotations

import functools
import io
import os
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import pytest
from PIL import Image

from guwah.case import Case
from guwah.ingest.executor import ProcessExecutor

T = TypeVar("T")
ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("GUWAH_STRICT_META", "1")  # metadata outside item_meta.toml fails a test
SHARED_DATA = ROOT.parent / "shared" / "data"


def run_cli(
    *args: str | Path, check: bool = True, **kw: object
) -> subprocess.CompletedProcess[str]:
    """Run ``guwah`` in a subprocess exactly as a user would."""
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}
    proc = subprocess.run(
        [sys.executable, "-m", "guwah", *map(str, args)],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        **kw,  # type: ignore[arg-type]
    )
    if check and proc.returncode != 0:
        raise AssertionError(
            f"guwah {' '.join(map(str, args))} exited {proc.returncode}\n"
            f"stdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
        )
    return proc


@pytest.fixture
def case(tmp_path: Path) -> Case:
    return Case.init(tmp_path / "case")


@pytest.fixture
def executor() -> Iterator[ProcessExecutor]:
    ex = ProcessExecutor(workers=2)
    yield ex
    ex.close()


def jpeg_bytes(seed: int = 0, when: datetime | None = None, make: str = "Canon") -> bytes:
    img = Image.new("RGB", (64, 48), (seed * 37 % 256, seed * 91 % 256, 120))
    exif = Image.Exif()
    exif[0x010F] = make
    exif[0x0110] = "EOS 5D"
    exif[0x010E] = f"synthetic test image {seed}"  # also keeps every seed distinct
    if when is not None:
        exif.get_ifd(0x8769)[0x9003] = when.strftime("%Y:%m:%d %H:%M:%S")
    buf = io.BytesIO()
    img.save(buf, "JPEG", exif=exif.tobytes())
    return buf.getvalue()


def write_small_leak(root: Path) -> Path:
    """A handful of real files of the kinds a leak holds, one nested archive, a duplicate."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "photos").mkdir()
    for i in range(3):
        when = datetime(2018, 3, 1 + i, 9, 30, 0)
        name = f"65312119800101{i:03d}X_{when:%Y%m%d%H%M%S}.jpg"
        (root / "photos" / name).write_bytes(jpeg_bytes(i, when))
    (root / "名单.csv").write_bytes("姓名,身份证号\n测试甲,360426199101010071\n".encode("gbk"))
    (root / "notes.txt").write_text("会议纪要 meeting notes\n", encoding="utf-8")
    (root / "copy-of-notes.txt").write_text("会议纪要 meeting notes\n", encoding="utf-8")
    (root / "looks-like-a.jpg").write_text("this is text, not a photo\n", encoding="utf-8")
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as z:
        z.writestr("inner/readme.txt", "inner file")
    with zipfile.ZipFile(root / "bundle.zip", "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("docs/notes.txt", "会议纪要 meeting notes\n")  # same content as notes.txt
        z.writestr("docs/inner.zip", inner.getvalue())
    return root


@pytest.fixture
def small_leak(tmp_path: Path) -> Path:
    return write_small_leak(tmp_path / "leak")


def _pg_bin() -> Path | None:
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    return candidates[-1].parent if candidates else None


PG_SCRIPT = ROOT / "scripts" / "test-postgres.sh"
#: a PostgreSQL server started outside the tests (``.ci/run`` starts one for the whole run)
EXTERNAL_PG = os.environ.get("GUWAH_TEST_PG_URL", "")


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """A throwaway PostgreSQL server for server-mode tests: GUWAH_TEST_PG_URL when set
    (``.ci/run``), else one from the Debian package started for this session on loopback by
    ``scripts/test-postgres.sh`` (as the user ``postgres`` when run as root)."""
    import tempfile

    require("postgresql")
    if EXTERNAL_PG:
        yield EXTERNAL_PG
        return
    # not under pytest's tmp dir: that one is private to root, and the server runs as postgres
    root = Path(tempfile.mkdtemp(prefix="guwah-pg-"))
    proc = subprocess.run(
        ["bash", PG_SCRIPT, "start", root], capture_output=True, text=True, timeout=120
    )
    if proc.returncode != 0:
        shutil.rmtree(root, ignore_errors=True)
        pytest.fail(f"the PostgreSQL test server did not start:\n{proc.stderr}", pytrace=False)
    try:
        yield proc.stdout.strip()
    finally:
        subprocess.run(["bash", PG_SCRIPT, "stop", root], capture_output=True, timeout=120)


def ingest_one_file(tmp_path: Path, name: str, write: Callable[[Path], T]) -> tuple[Case, str, T]:
    """A new case holding one file that ``write(path)`` made: the case, its SHA-256, what
    ``write`` returned (what was written, to compare against)."""
    import hashlib

    from guwah.ingest.pipeline import ingest

    leak = tmp_path / "leak"
    leak.mkdir()
    written = write(leak / name)
    sha = hashlib.sha256((leak / name).read_bytes()).hexdigest()
    case = Case.init(tmp_path / "case")
    ex = ProcessExecutor(workers=2)
    try:
        ingest(case, [leak], executor=ex)
    finally:
        ex.close()
    return case, sha, written


def pg_database(pg_url: str, name: str) -> str:
    """A fresh, empty database ``name`` on the test server; its URL."""
    from sqlalchemy import create_engine, text

    admin = create_engine(
        pg_url.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name}"))
        conn.execute(text(f"CREATE DATABASE {name}"))
    admin.dispose()
    assert "/postgres?" in pg_url, f"the test server's URL names the database postgres: {pg_url}"
    return pg_url.replace("/postgres?", f"/{name}?")


# --- Programs and services some tests need -----------------------------------------------
# A test that needs one says so with ``@pytest.mark.requires("tesseract")`` (or calls
# ``require("tesseract")`` in a fixture). Without it the test is skipped with the Debian
# package to install; with GUWAH_STRICT_TESTS=1 (CI, `.ci/run`) it FAILS instead, so a
# missing program can never leave the suite quietly green.

STRICT = os.environ.get("GUWAH_STRICT_TESTS") == "1"
CJK_FONT = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
CHROMIUM = Path("/usr/bin/chromium")


def _tesseract_ready() -> bool:
    from guwah.ingest.ocr import available_languages

    return shutil.which("tesseract") is not None and {"chi_sim", "eng"} <= available_languages()


REQUIREMENTS: dict[str, tuple[Callable[[], bool], str]] = {
    "postgresql": (
        lambda: bool(EXTERNAL_PG) or _pg_bin() is not None,
        "the PostgreSQL server (Debian: postgresql) or GUWAH_TEST_PG_URL",
    ),
    "tesseract": (
        _tesseract_ready,
        "Tesseract with Chinese and English "
        "(Debian: tesseract-ocr tesseract-ocr-chi-sim tesseract-ocr-eng)",
    ),
    "cjk_font": (CJK_FONT.exists, f"the Noto CJK font {CJK_FONT} (Debian: fonts-noto-cjk)"),
    "chromium": (CHROMIUM.exists, f"Debian's Chromium at {CHROMIUM} (Debian: chromium)"),
    "libreoffice": (
        lambda: shutil.which("soffice") is not None,
        "LibreOffice (Debian: libreoffice-writer-nogui libreoffice-impress-nogui)",
    ),
    "root": (lambda: os.geteuid() == 0, "root (CI runs as root; run pytest as root)"),
}


@functools.cache
def available(name: str) -> bool:
    return REQUIREMENTS[name][0]()


def require(name: str) -> None:
    """Skip the test when ``name`` is missing; fail it under GUWAH_STRICT_TESTS=1."""
    if available(name):
        return
    message = f"needs {REQUIREMENTS[name][1]}"
    if STRICT:
        pytest.fail(f"GUWAH_STRICT_TESTS=1 and this test {message}", pytrace=False)
    pytest.skip(message)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "requires(*names): programs or services the test needs "
        f"({', '.join(REQUIREMENTS)}); skipped without them, failed under GUWAH_STRICT_TESTS=1",
    )


def pytest_runtest_setup(item: pytest.Item) -> None:
    for mark in item.iter_markers("requires"):
        for name in mark.args:
            require(name)


def pytest_report_header(config: pytest.Config) -> list[str]:
    met = [n for n in REQUIREMENTS if available(n)]
    missing = [n for n in REQUIREMENTS if not available(n)]
    mode = "missing ones FAIL" if STRICT else "missing ones skip; GUWAH_STRICT_TESTS=1 fails them"
    lines = [f"guwah test requirements: present {', '.join(met) or 'none'} ({mode})"]
    if missing:
        lines.append(f"guwah test requirements MISSING: {', '.join(missing)}")
    if "root" in met:
        lines.append("running as root: the root-only tests run (they drop to another user)")
    return lines


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's Chromium driven by Playwright (never a downloaded browser)."""
    from playwright.sync_api import sync_playwright

    from tests.browser import CHROMIUM_ARGS

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh browser context (no cookies) with one page, 1280 × 900."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    pg.set_default_timeout(15_000)
    yield pg
    context.close()
