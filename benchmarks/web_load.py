"""The workbench under load (issue 15, item 4): p50/p95 and errors of the search, person and
item pages at 1, 10 and 50 concurrent users, over HTTP on loopback.

Run: .venv/bin/python benchmarks/web_load.py --case /work/bench/scale/large-1/case
     .venv/bin/python benchmarks/web_load.py --scale medium     (builds bench-out/case-web-…)

The server is ``guwah serve`` itself, in its own process (one uvicorn worker, local mode with
its per-run access token, the audit of reads on), so the load clients do not share its
interpreter. Each user is a thread with its own httpx client and signed-in session cookie,
asking in turn for a search page, a person page and an item page: queries (person names
and ID numbers) and ids (people, a mix of sheets, photos and PDFs) drawn from the case
itself with a fixed seed, fresh ones at each level. A level stops after ``--requests``
requests or ``--seconds`` seconds, whichever comes first; an error is any answer but 200,
or no answer within ``--timeout`` seconds.

The case is not written: unless ``--in-place``, it is served from a copy under bench-out/
(the database and the search index copied with SQLite's backup API, consistent even while
another command writes the case; the originals and derived PDFs linked, only read), since
serving writes the audit of reads into the case's database.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import OUT, ROOT, guwah  # noqa: E402
from web_pages import percentile, prepare, sample_items  # noqa: E402

sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

KINDS = ("search", "person", "item")


def snapshot(case: Path, dest: Path, fresh: bool = False) -> Path:
    """A copy of ``case`` to serve: database and search index by SQLite's backup API, the
    originals and converted PDFs linked (the workbench only reads them). Made once."""
    if (dest / "guwah.db").exists() and not fresh:
        print(f"serving the copy made earlier: {dest} (--fresh-copy to make it again)")
        return dest
    if dest.exists():
        shutil.rmtree(dest)
    (dest / "derived").mkdir(parents=True)
    (dest / "tmp").mkdir()
    for rel in ("derived/search.sqlite", "guwah.db"):  # guwah.db last: it marks a whole copy
        if not (case / rel).exists():
            continue
        t0 = time.perf_counter()
        src = sqlite3.connect(f"file:{case / rel}?mode=ro", uri=True)
        dst = sqlite3.connect(dest / f"{rel}.part")
        with src, dst:
            src.backup(dst)
        src.close()
        dst.close()
        (dest / f"{rel}.part").rename(dest / rel)
        print(
            f"copied {rel} ({(dest / rel).stat().st_size / 2**20:,.0f} MiB) in "
            f"{time.perf_counter() - t0:.0f} s",
            flush=True,
        )
    shutil.copy(case / "guwah.toml", dest / "guwah.toml")
    (dest / "evidence").symlink_to((case / "evidence").resolve())
    if (case / "derived" / "pdf").exists():
        (dest / "derived" / "pdf").symlink_to((case / "derived" / "pdf").resolve())
    return dest


def draw(case_dir: Path, rnd: random.Random, n: int, sets: int) -> list[dict[str, list[str]]]:
    """``sets`` times ``n`` URLs of each page kind, drawn from the case with ``rnd``:
    searches for person names (two in three) and ID numbers, people, items (a third sheets,
    a third photos, the rest PDFs)."""
    from urllib.parse import quote

    from sqlalchemy import select

    from guwah.case import Case
    from guwah.store.models import Person

    out = []
    with Case.open(case_dir).reader().sessions() as s:
        people = s.execute(select(Person.id, Person.name, Person.id_number)).all()
        names = [p.name for p in people if p.name]
        ids = [p.id_number for p in people if p.id_number]
        for _ in range(sets):
            queries = rnd.sample(names, n - n // 3) + rnd.sample(ids, n // 3)
            rnd.shuffle(queries)
            items = sample_items(s, rnd, n)
            out.append(
                {
                    "search": [f"/search?q={quote(q)}" for q in queries],
                    "person": [f"/people/{p.id}" for p in rnd.sample(people, n)],
                    "item": [f"/items/{sha}" for sha in rnd.sample(items, len(items))],
                }
            )
    return out


class Server:
    """``guwah serve`` on a free loopback port, in its own process; its log in ``log``."""

    def __init__(self, case_dir: Path, log: Path) -> None:
        from tests.browser import free_port

        self.port = free_port()
        self.log = log.open("w", encoding="utf-8")
        cmd = guwah("serve", "--case", str(case_dir), "--port", str(self.port))
        env = {**os.environ, "COLUMNS": "400", "PYTHONPATH": str(ROOT / "src")}
        self.proc = subprocess.Popen(
            cmd, stdout=subprocess.PIPE, stderr=self.log, text=True, env=env
        )
        assert self.proc.stdout is not None
        self.token = ""
        for line in self.proc.stdout:  # the address with this run's token comes first
            if m := re.search(r"\?token=(\S+)", line):
                self.token = m.group(1)
                break
        if not self.token:
            raise SystemExit(f"guwah serve printed no address; see {log}")
        self.base = f"http://127.0.0.1:{self.port}"
        threading.Thread(target=self.proc.stdout.read, daemon=True).start()
        self._wait_ready()

    def _wait_ready(self) -> None:
        import httpx

        for _ in range(600):
            try:
                httpx.get(self.base + "/static/guwah.css", timeout=2)
                return
            except httpx.TransportError:
                if self.proc.poll() is not None:
                    raise SystemExit(f"guwah serve stopped; see {self.log.name}") from None
                time.sleep(0.1)
        raise SystemExit("guwah serve did not answer within a minute")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()


def run_level(
    server: Server, users: int, paths: list[tuple[str, str]], seconds: float, timeout: float
) -> dict[str, Any]:
    """``users`` threads asking for ``paths`` (each path once) until done or ``seconds``."""
    import httpx

    clients = []
    for _ in range(users):  # signed in before the clock starts, as a user who opened the page
        c = httpx.Client(base_url=server.base, timeout=timeout)
        c.get(f"/?token={server.token}")
        clients.append(c)
    lock = threading.Lock()
    todo = iter(paths)
    times: dict[str, list[float]] = {k: [] for k in KINDS}
    errors: dict[str, list[str]] = {k: [] for k in KINDS}
    start = time.perf_counter()
    deadline = start + seconds

    def user(client: httpx.Client) -> None:
        while time.perf_counter() < deadline:
            with lock:
                job = next(todo, None)
            if job is None:
                return
            kind, path = job
            t0 = time.perf_counter()
            try:
                status = client.get(path).status_code
                why = "" if status == 200 else f"HTTP {status}"
            except httpx.HTTPError as exc:
                why = type(exc).__name__
            ms = (time.perf_counter() - t0) * 1000
            with lock:
                (errors[kind].append(f"{why} {path}") if why else times[kind].append(ms))

    threads = [threading.Thread(target=user, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - start
    for c in clients:
        c.close()
    done = sum(len(v) for v in times.values()) + sum(len(v) for v in errors.values())
    kinds = {}
    for kind in KINDS:
        t = times[kind]
        kinds[kind] = {
            "ok": len(t),
            "errors": len(errors[kind]),
            "p50_ms": round(statistics.median(t), 1) if t else None,
            "p95_ms": round(percentile(t, 0.95), 1) if t else None,
            "max_ms": round(max(t), 1) if t else None,
            "first_errors": errors[kind][:5],
        }
    return {
        "users": users,
        "requests": done,
        "wall_s": round(wall, 1),
        "per_s": round(done / wall, 1) if wall else 0.0,
        "load_after": [round(x, 2) for x in os.getloadavg()],
        "kinds": kinds,
    }


def table(levels: list[dict[str, Any]]) -> str:
    rows = [
        "| users | page | ok | errors | p50 ms | p95 ms | max ms | level: requests/s, wall s |",
        "|---:|---|---:|---:|---:|---:|---:|---|",
    ]
    for lv in levels:
        for kind, k in lv["kinds"].items():
            rows.append(
                f"| {lv['users']} | {kind} | {k['ok']} | {k['errors']} | {k['p50_ms']} | "
                f"{k['p95_ms']} | {k['max_ms']} | {lv['per_s']}/s, {lv['wall_s']} s |"
            )
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--case", type=Path, help="a built case (read, never written)")
    where.add_argument("--scale", default="medium", help="else build a synthetic case")
    parser.add_argument("--users", default="1,10,50", help="concurrent users, per level")
    parser.add_argument("--requests", type=int, default=300, help="requests per level, at most")
    parser.add_argument("--seconds", type=float, default=120, help="seconds per level, at most")
    parser.add_argument("--timeout", type=float, default=60, help="seconds before an error")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--in-place", action="store_true", help="serve the case, not a copy")
    parser.add_argument("--fresh-copy", action="store_true", help="copy the case again")
    parser.add_argument("--json", type=Path, help="where the figures go (default: bench-out/)")
    args = parser.parse_args()

    case = args.case.resolve() if args.case else prepare(args.scale, args.seed)[0]
    name = f"{case.parent.name}-{case.name}" if args.case else case.name
    served = case if args.in_place else snapshot(case, OUT / f"web-load-{name}", args.fresh_copy)
    levels_users = [int(u) for u in args.users.split(",")]
    rnd = random.Random(args.seed)
    per_kind = -(-args.requests // len(KINDS))
    t0 = time.perf_counter()
    *pools, warm = draw(served, rnd, per_kind, len(levels_users) + 1)
    print(f"drew {per_kind} URLs per page kind per level in {time.perf_counter() - t0:.1f} s")

    server = Server(served, OUT / f"web-load-{name}.server.log")
    results = []
    try:
        warm_up = [(k, p) for k in KINDS for p in warm[k][:5]]  # not counted
        run_level(server, 1, warm_up, 120, args.timeout)
        print(
            f"case {case} ({'in place' if args.in_place else 'served from a copy'}); "
            f"load before: {os.getloadavg()}",
            flush=True,
        )
        for users, pool in zip(levels_users, pools, strict=True):
            paths = [(k, pool[k][i]) for i in range(per_kind) for k in KINDS if i < len(pool[k])]
            level = run_level(server, users, paths, args.seconds, args.timeout)
            results.append(level)
            for kind, k in level["kinds"].items():
                print(
                    f"{users:3} users  {kind:7} ok {k['ok']:4} err {k['errors']:3}  p50 "
                    f"{k['p50_ms']} ms  p95 {k['p95_ms']} ms  max {k['max_ms']} ms",
                    flush=True,
                )
                for e in k["first_errors"]:
                    print(f"      error: {e}")
            print(
                f"    {level['requests']} requests in {level['wall_s']} s "
                f"({level['per_s']}/s); load {level['load_after']}",
                flush=True,
            )
    finally:
        server.stop()
    out = args.json or OUT / f"web-load-{name}.json"
    report = {
        "case": str(case),
        "served": str(served),
        "args": {k: str(v) for k, v in vars(args).items()},
        "cpus": os.cpu_count(),
        "levels": results,
    }
    out.write_text(json.dumps(report, indent=1, ensure_ascii=False), encoding="utf-8")
    print(table(results))
    print(f"figures: {out}")


if __name__ == "__main__":
    main()
