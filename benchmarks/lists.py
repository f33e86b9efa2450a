"""Lists benchmark: guwah's list matcher beside nomenklatura's logic-v2, in one run.

1. **Persons** against the full OFAC SDN list (``../shared/data/ofac/sdn-2024-05-03.csv``):
   positives are officials on the list written in other scripts and spellings
   (``data/lists_person_positives.csv``: Chinese characters, Wade-Giles, Uyghur Latin, pinyin
   of the Chinese transcription, given name first) and every Chinese national on the list whose
   ``FAMILY, Given`` name is written without the comma, given name first; negatives are yente's
   50,000 synthetic non-matches (``../shared/data/yente/negatives_global.csv``; ``--negatives N``
   takes the first N). guwah is measured end to end (each query against the whole list through
   its blocking index) and, like logic-v2, pair by pair: each positive with its listed entity,
   each negative with a listed person sharing one of its name words (a hard, neutral pair).
2. **Companies**: ``data/company_pairs.csv`` (Chinese legal names and English names, with hard
   negatives of the same place and industry), scored by both.
3. **Screening** 10,000 suppliers against every list (OFAC, EU): seconds.

logic-v2 runs in its own virtual environment (``.bench-venv``: ``python3 -m venv .bench-venv &&
.bench-venv/bin/pip install nomenklatura``); without it its columns are skipped.

    PYTHONPATH=src .venv/bin/python benchmarks/lists.py [--negatives 10000]
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from guwah.lists.companies import company_key, compare
from guwah.lists.match import Listed, ListMatcher, Query
from guwah.lists.stage import read_entities
from guwah.names.data import surnames
from guwah.names.forms import forms

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
HERE = Path(__file__).resolve().parent
BENCH_PY = ROOT / ".bench-venv" / "bin" / "python"
THRESHOLD = 0.7
# positives whose English name can be read from the Chinese (pinyin, translation, institution)
DERIVABLE = ("pinyin", "translated", "institution", "hard_negative")


def matcher_for(paths: list[tuple[Path, str]]) -> ListMatcher:
    listed = []
    for path, fmt in paths:
        entities, _ = read_entities(path.read_bytes(), fmt)
        version = {"list": fmt.split("-")[0], "version": 1, "as_of": "", "sha256": ""}
        listed += [
            Listed(len(listed) + i, e.id, e.schema, e.caption, e.properties, e.location, version)
            for i, e in enumerate(entities)
        ]
    return ListMatcher(listed)


def clear_name_caches() -> None:
    """Empty every memo cache of the names engine (parse, forms, scores, romanisation)."""
    import importlib

    for mod in (
        "han",
        "names.forms",
        "names.han",
        "names.keys",
        "names.match",
        "names.parse",
        "names.scripts",
        "names.uyghur",
        "names.romanise",
    ):
        module = importlib.import_module(f"guwah.{mod}")
        for value in vars(module).values():
            info = getattr(value, "cache_info", None)
            # memo caches only (bounded); unbounded ones hold the loaded tables
            if callable(info) and info().maxsize is not None:
                value.cache_clear()


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def logic_v2(pairs: list[dict[str, Any]]) -> tuple[list[float], float] | None:
    run = logic_v2_passes(pairs, 1)
    return (run[0], run[1][0]) if run else None


def logic_v2_passes(
    pairs: list[dict[str, Any]], passes: int
) -> tuple[list[float], list[float]] | None:
    """logic-v2's scores and the CPU seconds of each of ``passes`` passes over ``pairs``, in
    one fresh process (the first pass cold, the rest warm); None without ``.bench-venv``."""
    if not BENCH_PY.exists():
        return None
    payload = "".join(json.dumps(p, ensure_ascii=False) + "\n" for p in pairs)
    out = subprocess.run(
        [str(BENCH_PY), str(HERE / "lists_logic_v2.py"), "--passes", str(passes)],
        input=payload,
        capture_output=True,
        text=True,
        check=True,
    )
    data = json.loads(out.stdout)
    return data["scores"], data["passes"]


def person_queries(m: ListMatcher, n_neg: int) -> tuple[list[tuple[Query, str, str]], list[Query]]:
    """Positives ``(query, expected id, category)`` and negatives."""
    pos: list[tuple[Query, str, str]] = []
    with (HERE / "data" / "lists_person_positives.csv").open(encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            q = Query("Person", [r["query"]], birth_dates=[r["birth_year"]])
            pos.append((q, r["ofac_id"], r["category"]))
    known = set(surnames().values())
    for e in m.entities:
        if e.schema != "Person" or "China" not in e.properties.get("nationality", []):
            continue
        name = e.properties["name"][0]
        mm = re.fullmatch(r"([A-Z]+), ([A-Z][a-z]+)", name)
        if mm and mm.group(1).lower() in known:
            q = Query("Person", [f"{mm.group(2)} {mm.group(1).title()}"])
            q.birth_dates = [d[:4] for d in e.properties.get("birthDate", [])[:1]]
            pos.append((q, e.entity_id, "list_pinyin_given_first"))
    neg: list[Query] = []
    with (DATA / "yente" / "negatives_global.csv").open(encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            if len(neg) >= n_neg:
                break
            neg.append(
                Query(
                    "Person",
                    [r["full_name"]],
                    birth_dates=[r["date_of_birth"]] if r["date_of_birth"] else [],
                    genders=[r["gender"]] if r["gender"] else [],
                    nationalities=[r["nationality"]] if r["nationality"] else [],
                    birth_places=[r["place_of_birth"]] if r["place_of_birth"] else [],
                )
            )
    return pos, neg


def props(q: Query) -> dict[str, list[str]]:
    out = {"name": q.names, "birthDate": q.birth_dates, "gender": q.genders}
    out["nationality"] = q.nationalities
    return {k: v for k, v in out.items() if v}


def listed_props(e: Listed) -> dict[str, list[str]]:
    keep = ("name", "alias", "weakAlias", "birthDate", "gender", "nationality", "birthPlace")
    return {k: v for k, v in e.properties.items() if k in keep}


def same_candidates(m: ListMatcher, queries: list[Query], n: int) -> None:
    """Screening throughput with the same candidates for both engines: ``n`` queries (spread
    over positives and negatives), each against the listed persons that guwah's blocking
    index puts forward. guwah is timed end to end (blocking included; the memo caches emptied
    and only the listed names analysed beforehand); logic-v2 only on scoring those
    candidates (its blocking is given to it free)."""
    from guwah.lists.match import _person_readings

    step = max(1, len(queries) // n)
    sample = queries[::step][:n]
    cands: list[list[int]] = []
    for q in sample:
        found: set[int] = set()
        for _, qname in _person_readings(q.names):
            for nid in m.people.candidates(qname):
                found.update(k[0] for k in m.people._keys[nid])  # type: ignore[index]
        cands.append(sorted(found))
    clear_name_caches()
    for e in m.entities:  # a loaded list has its names analysed, not the queries
        for name in e.names():
            forms(name)
    start = time.process_time()
    for q in sample:
        m.match(q, threshold=THRESHOLD, limit=5)
    g_secs = time.process_time() - start
    n_pairs = sum(map(len, cands))
    line = (
        f"same candidates: {len(sample)} queries, {n_pairs:,} candidate pairs "
        f"({n_pairs / len(sample):.0f} per query); guwah {len(sample) / g_secs:,.1f} queries/s (CPU)"
    )
    nk = logic_v2(
        [
            {"q": props(q), "c": listed_props(m.entities[i])}
            for q, c in zip(sample, cands, strict=True)
            for i in c
        ]
    )
    if nk:
        nk_qps = len(sample) / nk[1]
        line += f"; logic-v2 {nk_qps:,.1f} queries/s: guwah {len(sample) / g_secs / nk_qps:.1f}×"
    print(line)


def hard_pairs(
    m: ListMatcher, pos: list[tuple[Query, str, str]], neg: list[Query]
) -> list[tuple[Query, int, bool, str]]:
    """``(query, listed index, is a match, category)``: each positive with its listed entity,
    each negative with the first listed person sharing one of its name words (longest first)."""
    by_id = {e.entity_id: i for i, e in enumerate(m.entities)}
    tokens: dict[str, int] = {}  # a name word → the first listed person with it
    for i, e in enumerate(m.entities):
        if e.schema == "Person":
            for n in e.properties.get("name", []) + e.properties.get("alias", []):
                for t in re.findall(r"\w{3,}", n.lower()):
                    tokens.setdefault(t, i)
    pairs: list[tuple[Query, int, bool, str]] = [
        (q, by_id[w], True, c) for q, w, c in pos if w in by_id
    ]
    for q in neg:
        words = sorted(re.findall(r"\w{3,}", q.names[0].lower()), key=len, reverse=True)
        hit = next((tokens[t] for t in words if t in tokens), None)
        if hit is not None:
            pairs.append((q, hit, False, "negative_sharing_a_name_word"))
    return pairs


def persons(m: ListMatcher, n_neg: int, n_queries: int = 300) -> None:
    pos, neg = person_queries(m, n_neg)
    print(
        f"== persons: {len(pos)} positives, {len(neg):,} negatives, against "
        f"{sum(e.schema == 'Person' for e in m.entities):,} OFAC persons"
    )
    # end to end: each query against the whole list
    start = time.perf_counter()
    found: dict[str, list[bool]] = {}
    for q, want, cat in pos:
        hits = m.match(q, threshold=THRESHOLD, limit=5)
        found.setdefault(cat, []).append(any(h.match and h.listed.entity_id == want for h in hits))
    fp_queries = 0
    for q in neg:
        if any(h.match for h in m.match(q, threshold=THRESHOLD, limit=3)):
            fp_queries += 1
    secs = time.perf_counter() - start
    n_q = len(pos) + len(neg)
    print(
        f"guwah end to end: {n_q:,} queries in {secs:.1f} s = {n_q / secs:,.0f} queries/s "
        f"(each against the whole list); false-positive queries {fp_queries} of {len(neg):,} "
        f"({fp_queries / len(neg):.4%})"
    )
    for cat, oks in sorted(found.items()):
        print(f"  recall {cat:<28} {sum(oks):>4}/{len(oks):<4} = {sum(oks) / len(oks):.3f}")
    same_candidates(m, [q for q, _, _ in pos] + neg, n_queries)
    # pair by pair, side by side
    pairs = hard_pairs(m, pos, neg)
    # the end-to-end pass above left these very pairs in the names engine's caches: empty
    # them, so that every query is read from its name as written ("cold", as logic-v2 is
    # timed; the listed names were read once, when the matcher indexed them), then once more
    # with the memo caches of the listed names' words filled too. benchmarks/lists_throughput.py
    # measures both engines in alternating rounds, cold and warm.
    clear_name_caches()
    start = time.process_time()
    g_scores = [m.compare(q, i).score for q, i, _, _ in pairs]
    g_secs = time.process_time() - start
    clear_name_caches()
    for e in m.entities:
        for n in e.names():
            forms(n)
    start = time.process_time()
    prepared = [m.compare(q, i).score for q, i, _, _ in pairs]
    p_secs = time.process_time() - start
    assert prepared == g_scores
    nk = logic_v2([{"q": props(q), "c": listed_props(m.entities[i])} for q, i, _, _ in pairs])
    print(
        f"pairs: {sum(p[2] for p in pairs)} positive, {sum(not p[2] for p in pairs)} "
        "negative (a yente negative with a listed person sharing a name word)"
    )
    rows = [("guwah", g_scores, g_secs), ("guwah (list words warm)", prepared, p_secs)]
    rows += [("logic-v2", nk[0], nk[1])] if nk else []
    for name, scores, secs in rows:
        tp = sum(s >= THRESHOLD and p[2] for s, p in zip(scores, pairs, strict=True))
        fp = sum(s >= THRESHOLD and not p[2] for s, p in zip(scores, pairs, strict=True))
        fn = sum(s < THRESHOLD and p[2] for s, p in zip(scores, pairs, strict=True))
        p_, r_, f_ = prf(tp, fp, fn)
        cross = [
            s >= THRESHOLD
            for s, p in zip(scores, pairs, strict=True)
            if p[2] and p[3] != "list_pinyin_given_first"
        ]
        print(
            f"  {name:<22} P {p_:.3f} R {r_:.3f} F1 {f_:.3f}  false positives {fp:>4}  "
            f"cross-script recall {sum(cross)}/{len(cross)} = {sum(cross) / len(cross):.3f}  "
            f"{len(pairs) / secs:,.0f} pairs/s (CPU)"
        )


def companies() -> None:
    with (HERE / "data" / "company_pairs.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    gold = [r["is_match"] == "true" for r in rows]
    start = time.perf_counter()
    g = [compare(company_key(r["name_zh"]), company_key(r["name_en"])).score for r in rows]
    g_secs = time.perf_counter() - start
    nk = logic_v2(
        [
            {"schema": "Company", "q": {"name": [r["name_zh"]]}, "c": {"name": [r["name_en"]]}}
            for r in rows
        ]
    )
    print(
        f"== companies: {len(rows)} pairs ({sum(gold)} matches, {len(rows) - sum(gold)} hard "
        "negatives)"
    )
    for name, scores, secs in [("guwah", g, g_secs)] + ([("logic-v2", *nk)] if nk else []):
        pred = [s >= THRESHOLD for s in scores]
        tp = sum(a and b for a, b in zip(pred, gold, strict=True))
        fp = sum(a and not b for a, b in zip(pred, gold, strict=True))
        fn = sum(b and not a for a, b in zip(pred, gold, strict=True))
        p_, r_, f_ = prf(tp, fp, fn)
        print(f"  {name:<9} P {p_:.3f} R {r_:.3f} F1 {f_:.3f}  {len(rows) / secs:,.0f} pairs/s")
        keep = [i for i, r in enumerate(rows) if r["category"] in DERIVABLE]
        tp = sum(pred[i] and gold[i] for i in keep)
        fp = sum(pred[i] and not gold[i] for i in keep)
        fn = sum(gold[i] and not pred[i] for i in keep)
        p_, r_, f_ = prf(tp, fp, fn)
        print(
            f"  {name:<9} names with a lexical link only ({len(keep)} pairs: no brand, postal "
            f"or exonym positives): P {p_:.3f} R {r_:.3f} F1 {f_:.3f}"
        )
        for cat in sorted({r["category"] for r in rows}):
            idx = [i for i, r in enumerate(rows) if r["category"] == cat]
            ok = sum(pred[i] == gold[i] for i in idx)
            print(f"      {cat:<22} {ok}/{len(idx)} right")
        if name == "guwah":
            for i, r in enumerate(rows):
                if pred[i] != gold[i]:
                    print(
                        f"      wrong: {r['name_zh']} ~ {r['name_en']} ({scores[i]:.2f}, "
                        f"gold {r['is_match']})"
                    )


def screening(m: ListMatcher, n: int = 10_000) -> None:
    from guwah.screen.stage import screen_file

    rnd = random.Random(7)
    with (HERE / "data" / "company_pairs.csv").open(encoding="utf-8") as fh:
        names = [(r["name_zh"], r["name_en"]) for r in csv.DictReader(fh)]
    places = [
        "新疆乌鲁木齐市",
        "上海市浦东新区",
        "广东省深圳市",
        "新疆喀什地区疏附县",
        "浙江省宁波市",
        "Shanghai",
        "Kashgar, Xinjiang",
        "Ningbo, Zhejiang",
        "",
    ]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "suppliers.csv"
        with path.open("w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(["name_zh", "name_en", "address", "country", "uscc", "parent"])
            for i in range(n):
                zh, en = rnd.choice(names)
                if rnd.random() < 0.5:
                    zh = zh.replace("有限公司", f"{i}号有限公司")
                w.writerow(
                    [
                        zh,
                        en if rnd.random() < 0.5 else "",
                        rnd.choice(places),
                        "China",
                        "",
                        rnd.choice(names)[0] if rnd.random() < 0.1 else "",
                    ]
                )
        start = time.perf_counter()
        report = screen_file(m, path)
        secs = time.perf_counter() - start
    print(
        f"== screening: {n:,} suppliers against {len(m.entities):,} list entities in "
        f"{secs:.1f} s ({n / secs:,.0f} suppliers/s); risks {report.counts()}"
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--negatives", type=int, default=10_000)
    ap.add_argument("--only", choices=("persons", "companies", "screening"))
    args = ap.parse_args()
    if not BENCH_PY.exists():
        print(
            "(.bench-venv with nomenklatura not found: logic-v2 columns skipped)", file=sys.stderr
        )
    start = time.perf_counter()
    ofac = matcher_for([(DATA / "ofac" / "sdn-2024-05-03.csv", "ofac-csv")])
    print(f"OFAC matcher built in {time.perf_counter() - start:.1f} s")
    if args.only in (None, "persons"):
        persons(ofac, args.negatives)
    if args.only in (None, "companies"):
        companies()
    if args.only in (None, "screening"):
        both = matcher_for(
            [
                (DATA / "ofac" / "sdn-2024-05-03.csv", "ofac-csv"),
                (DATA / "eu" / "ghrsr-32020R1998.csv", "eu-csv"),
            ]
        )
        screening(both)


if __name__ == "__main__":
    main()
