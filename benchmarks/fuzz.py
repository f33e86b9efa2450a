"""Mutated real files through every reader, and random queries through the search parser.

For ``--seconds`` each: real files of other tools' test suites (``tests/files/``) are
mutated (bytes flipped, cut short, a run repeated, two files spliced) and ingested by the
real pipeline, a batch at a time, into a throw-away case; then random queries (words in
every script, quotes, operators, filters, control characters) go through ``guwah search``.
A run counts files, causes and seconds; a *finding* is an item with cause ``reader_bug``,
a run that stops, or a query that raises anything but a ``QueryError``. Each finding is
printed with the seed that makes it again; turn it into a regression test.

    .venv/bin/python benchmarks/fuzz.py --seconds 120 --seed 1
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from sqlalchemy import select

from guwah.case import Case
from guwah.ingest.executor import ProcessExecutor
from guwah.ingest.pipeline import ingest
from guwah.search.query import QueryError
from guwah.search.stage import build_index, search
from guwah.store.models import Item

ROOT = Path(__file__).resolve().parents[1]
CORPORA = [ROOT / "tests" / "files" / "realworld", ROOT / "tests" / "files" / "containers"]
ALPHABET = (
    "abcXYZ019 -:*\"'()[]{}^~|&!.,;/\\"
    + "阿不都热依木·吐尔地疏附县陈全国陳全國"
    + "ئابدۇرېھىم"
    + "\u202e\u2066\x00\x1b\t\n"
    + "ÄÖé"
)
FIELDS = ["type:", "kind:", "county:", "from:", "to:", "findings:", "sha256:", "path:", "-", ""]


def mutate(data: bytes, rng: random.Random, other: bytes) -> bytes:
    if not data:
        return data
    how = rng.choice(("flip", "cut", "repeat", "splice", "zero"))
    b = bytearray(data)
    if how == "flip":
        for _ in range(rng.randint(1, 32)):
            i = rng.randrange(len(b))
            b[i] ^= 1 << rng.randrange(8)
    elif how == "cut":
        del b[rng.randrange(len(b)) :]
    elif how == "repeat":
        i = rng.randrange(len(b))
        j = min(len(b), i + rng.randint(1, 4096))
        b[i:i] = b[i:j] * rng.randint(2, 50)
    elif how == "splice":
        i = rng.randrange(len(b))
        b[i:] = other[rng.randrange(max(1, len(other))) :]
    else:
        i = rng.randrange(len(b))
        b[i : i + rng.randint(1, 512)] = bytes(min(512, len(b) - i))
    return bytes(b)


def fuzz_readers(
    seconds: float, rng: random.Random, work: Path, keep: Path | None = None
) -> dict[str, object]:
    files = sorted(
        p for c in CORPORA for p in c.iterdir() if p.is_file() and p.name != "SOURCES.md"
    )
    deadline = time.monotonic() + seconds
    causes: Counter[str] = Counter()
    findings: list[str] = []
    batches = files_in = 0
    executor = ProcessExecutor(workers=2)
    try:
        while time.monotonic() < deadline:
            batch_seed = rng.randrange(1 << 30)
            brng = random.Random(batch_seed)
            leak = work / f"leak-{batches}"
            leak.mkdir()
            for n in range(20):
                src = brng.choice(files)
                data = mutate(src.read_bytes(), brng, brng.choice(files).read_bytes())
                (leak / f"{n:02d}-{src.name}").write_bytes(data)
            case = Case.init(work / f"case-{batches}")
            try:
                ingest(case, [leak], executor=executor)
            except Exception as exc:  # a run that stops is a finding
                findings.append(
                    f"batch seed {batch_seed}: the run stopped: {type(exc).__name__}: {exc}"
                )
            with case.sessions() as s:
                rows = s.execute(select(Item.error_cause, Item.mime, Item.sha256, Item.error))
                for cause, name, sha, error in rows:
                    causes[cause or "ok"] += 1
                    if (name or "").startswith("image/"):  # what a pseudonymised view shows
                        findings += _blur(case, sha, batch_seed)
                    if cause == "reader_bug":
                        findings.append(
                            f"batch seed {batch_seed}: reader_bug on a {name} {sha[:12]}: {error}"
                        )
                        if keep is not None:
                            keep.mkdir(parents=True, exist_ok=True)
                            kept = keep / f"{sha[:16]}-{name.replace('/', '_')}"
                            shutil.copyfile(case.blobs.path_for(sha), kept)
            files_in += 20
            batches += 1
            shutil.rmtree(leak)
    finally:
        executor.close()
    return {"files": files_in, "batches": batches, "causes": dict(causes), "findings": findings}


def _blur(case: Case, sha: str, batch_seed: int) -> list[str]:
    """A mutated picture through the face blurring: a clear FaceError or a JPEG, nothing else."""
    from guwah.access.faces import FaceError, blur_faces

    try:
        out = blur_faces(case.blobs.path_for(sha).read_bytes())
    except FaceError:
        return []
    except Exception as exc:
        return [f"batch seed {batch_seed}: blur_faces raised {type(exc).__name__}: {exc}"]
    return [] if out.data.startswith(b"\xff\xd8") else [f"batch seed {batch_seed}: no JPEG"]


def fuzz_queries(seconds: float, rng: random.Random, case: Case) -> dict[str, object]:
    deadline = time.monotonic() + seconds
    n, refused, findings = 0, 0, []
    while time.monotonic() < deadline:
        words = [
            rng.choice(FIELDS) + "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 12)))
            for _ in range(rng.randint(1, 6))
        ]
        q = rng.choice((" ", " OR ", " AND ")).join(words)
        n += 1
        try:
            search(case, q, limit=5)
        except QueryError:
            refused += 1
        except Exception as exc:
            findings.append(f"query {q!r}: {type(exc).__name__}: {exc}")
    return {"queries": n, "refused": refused, "findings": findings}


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--seconds", type=float, default=120, help="time for each of the two parts")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--keep", type=Path, help="copy each file that found a reader_bug here")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    work = Path(tempfile.mkdtemp(prefix="guwah-fuzz-"))
    try:
        t0 = time.monotonic()
        readers = fuzz_readers(args.seconds, rng, work, args.keep)
        print(f"readers: {readers['files']} mutated files in {readers['batches']} runs, "
              f"{time.monotonic() - t0:.0f} s; causes {readers['causes']}")  # fmt: skip
        case = Case.open(work / "case-0")
        build_index(case)
        queries = fuzz_queries(args.seconds, rng, case)
        print(f"queries: {queries['queries']} random queries, {queries['refused']} refused "
              "with a QueryError")  # fmt: skip
        found = [*readers["findings"], *queries["findings"]]  # type: ignore[misc]
        for f in found:
            print("FINDING", f)
        print(f"{len(found)} findings")
        return 1 if found else 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
