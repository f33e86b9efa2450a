"""Face blurring: how many faces the detector finds, and what a pseudonymised view shows.

Run: .venv/bin/python benchmarks/faces.py [--synthetic 200] [--repeats 3]

- Real faces: the hand-labelled photos of public officials in tests/files/faces
  (labels.csv, drawn by a person, not by the detector). A labelled face is found when a
  detection overlaps it with IoU >= 0.3; a detection that overlaps no label is a false alarm.
- Synthetic portraits: N heads drawn by guwah's generator (guwah.synth.photos.render), which
  have no eyes, nose or mouth: how many the detector finds, how many are blurred whole.
- Time per photo (median of --repeats runs over the set), the blurred copy included.
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import statistics
import time
from pathlib import Path

from guwah.access.faces import blur_faces
from guwah.synth.photos import render

FACES = Path(__file__).resolve().parent.parent / "tests" / "files" / "faces"


def iou(a: tuple[int, ...], b: tuple[int, ...]) -> float:
    w = max(0, min(a[2], b[2]) - max(a[0], b[0]))
    h = max(0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = w * h
    return inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter)


def real_faces() -> None:
    labels: dict[str, list[tuple[int, ...]]] = {}
    with (FACES / "labels.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            labels.setdefault(row["file"], []).append(
                tuple(int(row[k]) for k in ("left", "top", "right", "bottom"))
            )
    found = total = false = whole = 0
    for name, boxes in labels.items():
        result = blur_faces((FACES / name).read_bytes())
        dets = [(f.x, f.y, f.x + f.w, f.y + f.h) for f in result.faces]
        hit = [any(iou(b, d) >= 0.3 for d in dets) for b in boxes]
        found += sum(hit)
        total += len(boxes)
        false += sum(1 for d in dets if all(iou(b, d) < 0.3 for b in boxes))
        whole += result.whole
        print(f"  {name}: {sum(hit)}/{len(boxes)} found, {len(dets)} detections"
              + (", no face two models agree on: whole picture blurred" if result.whole else ""))  # fmt: skip
    print(f"real faces: {found}/{total} found (recall {found / total:.2f}); "
          f"{false} detections on no labelled face; {whole}/{len(labels)} pictures blurred "
          "whole")  # fmt: skip


def synthetic(n: int, repeats: int) -> None:
    rng = random.Random(1)
    photos = []
    for _ in range(n):
        buf = io.BytesIO()
        render(rng, (200, 205, 210)).save(buf, "JPEG", quality=88)
        photos.append(buf.getvalue())
    results = [blur_faces(p) for p in photos]
    detected = sum(1 for r in results if r.faces)
    whole = sum(1 for r in results if r.whole)
    print(f"synthetic portraits: a detection (a false alarm: they have no face) in "
          f"{detected}/{n}; blurred whole: {whole}/{n}")  # fmt: skip
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for p in photos:
            blur_faces(p)
        times.append((time.perf_counter() - t0) / n)
    print(f"time per 240x320 photo (median of {repeats}): {statistics.median(times) * 1000:.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--synthetic", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    real_faces()
    synthetic(args.synthetic, args.repeats)


if __name__ == "__main__":
    main()
