"""guwah.names.NameIndex: one person among many thousands, whatever the script."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from guwah.names import NameIndex
from guwah.synth import names as nm

N = 30_000


@pytest.fixture(scope="module")
def population() -> list[tuple[int, nm.Name]]:
    rng = random.Random(11)
    mix = ["uyghur"] * 6 + ["kazakh", "han", "han", "hui"]
    return [(i, nm.random_name(rng, rng.choice(mix), rng.choice("MF"))) for i in range(N)]


@pytest.fixture(scope="module")
def index(population: list[tuple[int, nm.Name]]) -> NameIndex:
    ix = NameIndex.build((i, n.chinese) for i, n in population)
    ix.add("target-uyghur", "阿不都热依木·吐尔地")
    ix.add("target-han", "陈全国")
    ix.add("target-latin", "Abdukerim Toxti")
    ix.add("target-two-char", "霍军")
    return ix


def _keys(results: list) -> list:  # type: ignore[type-arg]
    return [k for k, _ in results]


def test_latin_query_finds_chinese_script_name(index: NameIndex) -> None:
    res = index.search("Abdurahim Turdi", limit=50)
    assert "target-uyghur" in _keys(res)
    top = res[0][1]
    assert top.match and top.score == 1.0
    assert index.last.scored < index.distinct_names  # never a full scan


def test_wade_giles_and_pinyin_find_han_name(index: NameIndex) -> None:
    for q in ("Chen Quanguo", "Ch'en Ch'üan-kuo", "Quanguo Chen"):
        res = index.search(q, limit=5)
        assert res and res[0][0] == "target-han", q


def test_two_character_han_name(index: NameIndex) -> None:
    res = index.search("Huo Jun", limit=50)
    assert "target-two-char" in _keys(res)
    assert all(m.score >= res[-1][1].score for _, m in res)


def test_chinese_query_finds_latin_name(index: NameIndex) -> None:
    res = index.search("阿不都克热木·托合提", limit=50)
    assert "target-latin" in _keys(res)
    assert "target-uyghur" not in [k for k, m in res if m.match]


def test_random_people_found_in_either_script(
    index: NameIndex, population: list[tuple[int, nm.Name]]
) -> None:
    rng = random.Random(3)
    for key, name in rng.sample(population, 40):
        for q in (name.chinese, rng.choice(name.latin)):
            res = index.search(q, limit=2000)
            assert key in _keys(res), q
            assert res[0][1].score >= 0.8
            assert index.last.scored <= index.max_candidates < index.distinct_names


def test_limit_and_ranking(index: NameIndex) -> None:
    res = index.search("Memet", limit=7)
    assert len(res) <= 7
    scores = [m.score for _, m in res]
    assert scores == sorted(scores, reverse=True)


def test_save_and_load(tmp_path: Path) -> None:
    ix = NameIndex.build([(1, "阿不都热依木·吐尔地"), ("p2", "陈全国"), ([3, "a"], "Wang Wei")])
    path = tmp_path / "names.jsonl"
    ix.save(path)
    back = NameIndex.load(path)
    assert len(back) == 3
    assert back.search("Chen Quanguo")[0][0] == "p2"
    assert back.search("王伟")[0][0] == (3, "a")


def test_an_index_that_keeps_its_forms_ranks_as_one_that_reads_them(
    population: list[tuple[int, nm.Name]],
) -> None:
    """``keep_forms`` (the list matcher's) holds each name's forms instead of reading them
    again: the same hits, in the same order, with the same scores and explanations."""
    names = [(i, n.chinese) for i, n in population[:3000]]
    names += [(f"latin-{i}", n.latin[0]) for i, n in population[3000:4000]]
    kept = NameIndex.build(names, keep_forms=True)
    read = NameIndex.build(names)
    rng = random.Random(5)
    queries = [n.latin[-1] for _, n in rng.sample(population[:3000], 40)]
    queries += [n.chinese for _, n in rng.sample(population[3000:4000], 20)]
    for query in queries:
        got, want = kept.search(query, limit=10), read.search(query, limit=10)
        assert [(k, m.score, m.explanation) for k, m in got] == [
            (k, m.score, m.explanation) for k, m in want
        ], query
    assert any(kept.search(q, limit=1) for q in queries)  # the queries find someone
