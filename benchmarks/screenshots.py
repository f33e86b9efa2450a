"""Screenshots of the workbench's main pages, on the small synthetic leak, into docs/screenshots.

Run: .venv/bin/python benchmarks/screenshots.py [--case DIR] [--out docs/screenshots] [--only NAMES]

Without --case it builds (or reuses) bench-out/case-web-small-3 from the small synthetic leak
(seed 3): ingest, records, verify, search index. It starts the real server on a free
127.0.0.1 port and drives Debian's Chromium (/usr/bin/chromium) with Playwright at 1280 px, and
at 375 px (a phone: the ``-375`` shots, the person page and a record's cell in its sheet); the
PNGs are reduced to a 256-colour palette to stay small. ``--only person-375,item-375`` takes
those shots alone. Synthetic data only.
"""

from __future__ import annotations

import argparse
import io
import json
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench-out"
sys.path.insert(0, str(ROOT / "src"))

from guwah.case import Case  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def guwah(*args: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "guwah", *args],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def prepare() -> tuple[Path, Path]:
    leak, truth = OUT / "leak-small-3", OUT / "leak-small-3.truth.json"
    case = OUT / "case-web-small-3"
    if not leak.exists():
        guwah("synth", str(leak), "--seed", "3", "--scale", "small", "--truth", str(truth))
    if not (case / "guwah.toml").exists():
        guwah("init", str(case))
        guwah("ingest", str(leak), "--case", str(case), "--custodian", "screenshots")
        guwah("records", "--case", str(case))
        guwah("verify", "--case", str(case))
        guwah("officials", "build", "--case", str(case))
        guwah("search", "--update", "--case", str(case))
    return case, truth


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def save(png: bytes, path: Path) -> int:
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB")
    small = image.quantize(colors=256, method=Image.Quantize.MEDIANCUT)
    small.save(path, "PNG", optimize=True)
    return path.stat().st_size


PHONE = {"width": 375, "height": 812}  # a phone's CSS pixels (issue 18, item 7)
DESKTOP = {"width": 1280, "height": 860}


def shoot(base: str, pages: list[tuple[str, str, dict[str, int]]], out: Path) -> None:
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport=DESKTOP)
        for name, url, viewport in pages:
            page.set_viewport_size(viewport)
            page.goto(base + url, wait_until="load")
            page.wait_for_timeout(300)  # the viewer's scroll to the highlighted cell
            wide = page.evaluate("document.scrollingElement.scrollWidth")
            if wide > viewport["width"] + 1:
                raise SystemExit(f"{url} scrolls sideways at {viewport['width']} px ({wide} px)")
            size = save(page.screenshot(), out / f"{name}.png")
            print(f"{name:11} {size / 1024:6.0f} KB  {viewport['width']} px  {url}")
        browser.close()


def pick(truth: dict[str, Any]) -> dict[str, Any]:
    return next(
        p
        for p in truth["people"]
        if p["ethnicity"] == "uyghur"
        and p.get("in_records")
        and p["rows"]
        and not p.get("anomalies")
        and p.get("photos")
        and p.get("detention")
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--case", type=Path, help="A built case (default: build the small leak).")
    parser.add_argument("--truth", type=Path, help="Its truth file (with --case).")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--only", help="Comma-separated shot names (default: every shot).")
    args = parser.parse_args()
    if args.case:
        case_dir, truth_path = args.case, args.truth
    else:
        case_dir, truth_path = prepare()
    truth = json.loads(Path(truth_path).read_text(encoding="utf-8"))
    person = pick(truth)

    import uvicorn
    from fastapi.testclient import TestClient

    from guwah.web.app import create_app

    app = create_app(Case.open(case_dir))
    # find the person's id and their ID number's cell (the app answers only loopback names)
    with TestClient(app, base_url="http://127.0.0.1:8000") as client:
        hit = client.get("/api/people", params={"q": person["id_number"]}).json()[0]["person"]
        record = hit["records"][0]
        value = next(v for v in record["values"] if v["field"] == "id_number")
    cell = (
        f"/items/{record['sha256']}?sheet={record['sheet_index']}"
        f"&row={value['row']}&col={value['col']}"
    )
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    shots = [
        ("overview", "/", DESKTOP),
        ("search", f"/search?q={person['name'].split('·')[0]}", DESKTOP),
        ("item", cell, DESKTOP),
        ("person", f"/people/{hit['id']}", DESKTOP),
        ("report", "/report", DESKTOP),
        ("officials", "/officials", DESKTOP),
        # on a phone: the person, and a record's cell scrolled into view inside its sheet
        ("person-375", f"/people/{hit['id']}?lang=en", PHONE),
        ("item-375", cell + "&lang=en", PHONE),
        # the interface in Uyghur (right to left) and Chinese; the last two, since
        # ?lang= is remembered in a cookie
        ("person-ug", f"/people/{hit['id']}?lang=ug", DESKTOP),
        ("overview-zh", "/?lang=zh-Hans", DESKTOP),
    ]
    if args.only:
        wanted = set(args.only.split(","))
        unknown = wanted - {name for name, _u, _v in shots}
        if unknown:
            raise SystemExit(f"no such shot: {', '.join(sorted(unknown))}")
        shots = [s for s in shots if s[0] in wanted]
    try:
        shoot(f"http://127.0.0.1:{port}", shots, args.out)
    finally:
        server.should_exit = True
        thread.join(timeout=10)


if __name__ == "__main__":
    main()
