"""Build ``benchmarks/data/real_pairs.csv``: name pairs from real, public bilingual sources.

The forms are in ``data/real_name_forms.csv`` (entity, kind, form, source) exactly as the
sources print them (generic administrative suffixes such as 县/Nahiyisi/County dropped from
place names, except in the traditional/simplified pairs); the sources, with their addresses,
in ``data/real_name_sources.csv``. Nothing here comes from guwah's tables or functions.

Positive pairs: within one entity, every form against the entity's anchor (its Latin name:
latin, else uly, ofac, latin_alt, sasm), the simplified Chinese form against every other
non-Han form, and traditional against simplified. Negative pairs: the hand-chosen hard
negatives below (different public figures or places whose names share a surname, a syllable
or most letters). Each pair's ``split`` is ``dev`` or ``heldout`` by a hash of its entity
group, so that one person or place never sits in both halves; only ``dev`` may be looked at
when the name tables are tuned.

A second, independent set (``--set 2``: ``data/real_name_forms_2.csv``, sources in
``data/real_name_sources_2.csv``, pairs in ``data/real_pairs_2.csv``) was gathered on 2026-12-03
from other public pages (Wikipedia copies in several languages, RFA, CPJ, UHRP, Xinhua, Ming Pao,
the Uyghur-language Xinjiang government site …) for other people and places than the first set;
its pairs are all ``set2`` (a development set: its mistakes may be read). Tone digits printed
in Wade-Giles (Pao1-erh2-han4) are dropped.

A third set (``--set 3``: ``data/real_name_forms_3.csv``, sources in
``data/real_name_sources_3.csv``, pairs in ``data/real_pairs_3.csv``, split ``set3``) was gathered
on 2026-12-04 for people and places in neither earlier set: leaders of the 1930s-40s republics
(Khoja Niyaz, Sabit Damulla, Elihan Tore, Abdukerim Abbasov, Muhammad Amin Bughra, Isa Yusuf
Alptekin), Yakub Beg, the Kazakh Ospan Batyr, the Kyrgyz manaschi Jusup Mamay, officials, and
Ghulja, Korla, Karasahr, Tashkurgan, Cherchen and Chuguchak with their older names; a second
development set.

A fourth set (``--set 4``: ``data/real_name_forms_4.csv``, sources in
``data/real_name_sources_4.csv``, pairs in ``data/real_pairs_4.csv``, split ``heldout4``) was
gathered on 2026-12-04 (third session) as a larger held-out set that nobody has tuned on: 62
people and places in none of the earlier sets (Xinjiang counties with their Uyghur, Kazakh,
Mongolian and older Chinese names; party secretaries, the Hong Kong designees of the OFAC list,
Uyghur writers, singers, actresses, activists and historical figures). Its pairs are never
listed by ``names_real.py``; only its aggregate figures are printed.

Run: ``.venv/bin/python benchmarks/make_real_pairs.py [--set 2|3|4]`` (rewrites the CSV).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
from collections import defaultdict
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
ANCHOR_ORDER = ("latin", "uly", "ofac", "eu", "latin_alt", "sasm", "pinyin")
HAN_KINDS = ("zh", "zh_hant")
#: kinds of the second set that are variants of a base kind (for the category only)
BASE_KIND = {
    "uey_alt": "uey",
    "zh_alt": "zh",
    "pinyin_alt": "pinyin",
    "uly_alt": "uly",
    "kazakh_arabic": "uey",
    "cyrillic_alt": "cyrillic",
}

#: (entity, kind, entity, kind): different people or places with similar names
NEGATIVES = [
    ("chen_quanguo", "zh", "chen_mingguo", "zh"),
    ("chen_quanguo", "ofac", "chen_mingguo", "zh"),
    ("chen_mingguo", "ofac", "chen_quanguo", "zh_hant"),
    ("chen_zhu", "zh", "chen_quanguo", "ofac"),
    ("chen_zhu", "ofac", "chen_mingguo", "zh"),
    ("chen_quanguo", "zh_hant", "chen_zhu", "zh"),
    ("chen_quanguo", "ofac", "chen_zhu", "zh_hant"),
    ("wang_mingshan", "zh", "wang_junzheng", "zh"),
    ("wang_mingshan", "ofac", "wang_dongming", "zh"),
    ("wang_dongming", "ofac", "wang_mingshan", "zh"),
    ("wang_dongming", "zh_hant", "wang_mingshan", "zh"),
    ("wang_chen", "zh", "wang_junzheng", "ofac"),
    ("wang_chen", "ofac", "wang_dongming", "zh_hant"),
    ("wang_junzheng", "ofac", "wang_mingshan", "zh"),
    ("hao_mingjin", "zh", "wang_mingshan", "zh"),
    ("cai_dafeng", "zh", "cao_jianming", "ofac"),
    ("cao_jianming", "zh", "cai_dafeng", "ofac"),
    ("ding_zhongli", "zh", "deng_zhonghua", "ofac"),
    ("deng_zhonghua", "zh_hant", "ding_zhongli", "ofac"),
    ("shen_yueyue", "zh", "sun_jinlong", "ofac"),
    ("you_quan", "ofac", "chen_quanguo", "zh"),
    ("erkin_tuniyaz", "latin", "arken_imirbaki", "latin"),
    ("arken_imirbaki", "zh_hant", "erkin_tuniyaz", "ofac"),
    ("erkin_tuniyaz", "uey", "arken_imirbaki", "ofac"),
    ("rahile_dawut", "latin", "tomur_dawamat", "latin"),
    ("rahile_dawut", "zh", "tomur_dawamat", "uey"),
    ("rahile_dawut", "uey", "tomur_dawamat", "latin"),
    ("rebiya_kadeer", "zh", "rahile_dawut", "zh"),
    ("rebiya_kadeer", "latin", "rahile_dawut", "latin"),
    ("rahile_dawut", "pinyin", "rebiya_kadeer", "latin"),
    ("shohrat_zakir", "latin", "seypidin_azizi", "latin"),
    ("seypidin_azizi", "zh", "shohrat_zakir", "zh"),
    ("tashpolat_tiyip", "zh", "tomur_dawamat", "uey"),
    ("ilham_tohti", "uly", "tomur_dawamat", "latin"),
    ("nur_bekri", "zh", "ilham_tohti", "latin"),
    ("place_aksu", "zh", "place_akto", "latin"),
    ("place_akto", "zh", "place_aksu", "uly"),
    ("place_aksu", "uey", "place_akto", "latin"),
    ("place_akto", "uey", "place_aksu", "latin_alt"),
    ("place_shufu", "zh", "place_shule", "pinyin"),
    ("place_shule", "zh", "place_shufu", "pinyin"),
    ("place_konasheher", "latin", "place_yengisheher", "latin"),
    ("place_konasheher", "zh", "place_yengisheher", "zh"),
    ("place_konasheher", "uey", "place_yengisheher", "sasm"),
    ("place_tianshan", "zh", "place_dongshan", "pinyin"),
    ("place_dongshan", "zh", "place_tianshan", "uly"),
    ("place_aral", "zh", "place_altay", "uly"),
    ("place_altay", "zh", "place_aral", "latin_alt"),
    ("place_aral", "uey", "place_altay", "uey"),
    ("place_urumqi", "zh", "place_urho", "pinyin"),
    ("place_urho", "zh", "place_urumqi", "uly"),
    ("place_turpan", "zh", "place_tumxuk", "latin_alt"),
    ("place_tumxuk", "zh", "place_turpan", "uly"),
    ("place_awat", "zh", "place_aral", "latin_alt"),
    ("place_karamay", "zh", "place_kashgar", "sasm"),
    ("place_shihezi", "zh", "place_shuimogou", "latin_alt"),
    ("place_saybagh", "zh", "place_shuimogou", "pinyin"),
    ("place_dabancheng", "zh", "place_tianshan", "pinyin"),
]

#: hard negatives of the second set (different people or places)
NEGATIVES_2 = [
    ("yang_zengxin", "zh_hant", "yang_fasen", "zh"),
    ("yang_fasen", "latin", "yang_zengxin", "pinyin"),
    ("yang_fasen", "zh", "yang_zengxin", "pinyin"),
    ("wu_zhongxin", "zh_hant", "zhang_zhizhong", "pinyin"),
    ("zhang_zhizhong", "zh_hant", "wu_zhongxin", "pinyin"),
    ("jin_shuren", "zh_hant", "sheng_shicai", "pinyin"),
    ("sheng_shicai", "zh_hant", "jin_shuren", "pinyin"),
    ("liu_wenlong", "zh_hant", "li_rong", "pinyin"),
    ("li_rong", "zh_hant", "liu_wenlong", "pinyin"),
    ("liu_wenlong", "zh_hant", "liu_sushe", "zh_hant"),
    ("liu_sushe", "uey", "liu_wenlong", "pinyin"),
    ("yao_daohong", "zh_hant", "yulbars_khan", "zh_hant"),
    ("yao_daohong", "pinyin", "yulbars_khan", "latin"),
    ("hou_jiyu", "zh_hant", "zhu_ruichi", "pinyin"),
    ("zhu_ruichi", "zh_hant", "hou_jiyu", "pinyin"),
    ("sun_hongmei", "zh_hant", "han_zheng", "zh"),
    ("sun_hongmei", "uey", "liu_sushe", "uey"),
    ("ma_xingrui", "uey", "xi_jinping", "uey"),
    ("ma_xingrui", "latin", "xi_jinping", "uey"),
    ("xi_jinping", "latin", "ma_xingrui", "uey"),
    ("dilraba_dilmurat", "latin", "dilnigar_ilhamjan", "latin"),
    ("dilraba_dilmurat", "pinyin", "dilnigar_ilhamjan", "pinyin"),
    ("dilnigar_ilhamjan", "pinyin", "dilraba_dilmurat", "latin"),
    ("ismail_amat", "zh", "mirahmetjan_muzepper", "zh"),
    ("ismail_amat", "latin", "mirahmetjan_muzepper", "zh"),
    ("nurlan_abilmazhinuly", "zh", "batuer_abudula", "zh"),
    ("batuer_abudula", "pinyin", "nurlan_abilmazhinuly", "zh"),
    ("abdurehim_otkur", "latin", "abdurehim_heyit", "latin"),
    ("abdurehim_otkur", "uey", "abdurehim_heyit", "uey"),
    ("abdurehim_heyit", "latin", "abdurehim_otkur", "uey"),
    ("abdulla_abdurehim", "latin", "abdurehim_otkur", "latin"),
    ("abdulla_abdurehim", "uey", "abdurehim_heyit", "latin"),
    ("dolkun_isa", "latin", "abdugheni_dolkun", "latin"),
    ("abdugheni_dolkun", "latin", "dolkun_isa", "zh"),
    ("shirzat_bawudun", "latin", "sattar_sawut", "latin"),
    ("sattar_sawut", "latin", "shirzat_bawudun", "zh"),
    ("zordun_sabir", "uey", "zunun_kadir", "uey"),
    ("zunun_kadir", "latin", "zordun_sabir", "latin"),
    ("kurban_tulum", "zh", "burhan_shahidi", "zh"),
    ("burhan_shahidi", "latin", "kurban_tulum", "latin"),
    ("masud_sabri", "latin", "zordun_sabir", "latin"),
    ("masud_sabri", "uey", "zordun_sabir", "uey"),
    ("ghazi_emet", "latin", "ismail_amat", "latin"),
    ("ghazi_emet", "uey", "ismail_amat", "uly"),
    ("place_kuqa", "zh", "place_kumul", "latin"),
    ("place_kumul", "uey", "place_kuqa", "latin"),
    ("place_hotan", "zh", "place_yutian", "latin"),
    ("place_yutian", "zh", "place_hotan", "pinyin"),
    ("place_lop", "zh", "place_yopurga", "pinyin_alt"),
    ("place_qira", "zh", "place_jiya", "latin"),
    ("place_jiya", "zh", "place_qira", "uly"),
    ("place_niye", "uey", "place_jiya", "uey"),
    ("place_niye", "uly", "place_jiya", "latin"),
    ("place_yengisar", "zh", "place_xayar", "zh"),
    ("place_yarkant", "zh", "place_xayar", "latin"),
    ("place_baicheng", "zh", "place_bayingolin", "latin"),
    ("place_bayingolin", "zh", "place_baicheng", "latin"),
    ("place_baijiantan", "zh", "place_baicheng", "latin"),
    ("place_baicheng", "zh", "place_baijiantan", "pinyin"),
    ("place_dushanzi", "pinyin", "place_pishan", "pinyin"),
    ("place_pishan", "zh", "place_dushanzi", "latin"),
    ("place_shanshan", "pinyin", "place_pishan", "latin"),
    ("place_guma", "uly", "place_kumul", "latin"),
    ("place_lukeqin", "zh", "place_lianmuqin", "pinyin"),
    ("place_lianmuqin", "zh", "place_lukeqin", "pinyin"),
    ("place_dikan", "zh", "place_dalangkan", "pinyin"),
    ("place_dalangkan", "zh", "place_dikan", "pinyin"),
    ("place_tuyugou", "zh", "place_toutunhe", "pinyin"),
    ("place_makit", "latin", "place_maytagh", "latin"),
]

#: hard negatives of the third set (different people or places with a shared name, syllable
#: or most letters)
NEGATIVES_3 = [
    ("abdukerim_abbasov", "latin", "abdulahat_abdurixit", "latin"),
    ("abdulahat_abdurixit", "latin_alt", "abdukerim_abbasov", "latin_alt"),
    ("muhammad_amin_bughra", "zh", "yakub_beg", "zh"),
    ("muhammad_amin_bughra", "latin", "yakub_beg", "pinyin"),
    ("yakub_beg", "uey", "muhammad_amin_bughra", "uey"),
    ("yakub_beg", "zh", "muhammad_amin_bughra", "latin"),
    ("isa_alptekin", "zh", "jusup_mamay", "zh"),
    ("isa_alptekin", "latin", "jusup_mamay", "latin"),
    ("jusup_mamay", "zh", "isa_alptekin", "latin"),
    ("ismail_tiliwaldi", "latin", "isa_alptekin", "latin"),
    ("elihan_tore", "zh", "isa_alptekin", "zh"),
    ("elihan_tore", "latin", "ismail_tiliwaldi", "latin"),
    ("khoja_niyaz", "latin", "sabit_damulla", "latin"),
    ("khoja_niyaz", "zh", "elihan_tore", "latin"),
    ("qadan_kabenuly", "latin", "qurmash_sirjanuly", "latin"),
    ("serikzhan_orynbai", "latin", "qadan_kabenuly", "latin"),
    ("ospan_batyr", "latin", "qurmash_sirjanuly", "latin"),
    ("ospan_batyr", "zh_hant", "ismail_tiliwaldi", "latin"),
    ("place_korla", "zh", "place_karashahr", "latin"),
    ("place_karashahr", "zh", "place_korla", "latin"),
    ("place_korla", "uey", "place_karashahr", "uly"),
    ("place_qiemo", "sasm", "place_karashahr", "uly"),
    ("place_qiemo", "zh", "place_karashahr", "pinyin"),
    ("place_tacheng", "latin", "place_qiemo", "latin"),
    ("place_qiemo", "latin_alt", "place_tacheng", "latin"),
    ("place_tacheng", "zh", "place_tashkurgan", "zh"),
    ("place_tashkurgan", "latin", "place_tacheng", "pinyin_alt"),
    ("place_yining", "zh", "place_karashahr", "pinyin"),
    ("place_karashahr", "zh", "place_yining", "pinyin"),
    ("place_tacheng", "latin_alt", "place_qiemo", "pinyin_alt"),
    ("place_yining", "latin", "place_korla", "latin_alt"),
    ("place_korla", "zh", "place_yining", "latin_alt"),
]

#: hard negatives of the fourth (held-out) set: different people or places whose names share
#: a surname, a syllable, a character or most letters
NEGATIVES_4 = [
    ("place_toksun", "zh", "place_toksu", "latin"),
    ("place_toksu", "zh_alt", "place_toksun", "latin"),
    ("place_toksun", "uey", "place_toksu", "uey"),
    ("place_toksu", "uly", "place_toksun", "latin"),
    ("place_toksun", "pinyin", "place_toksu", "pinyin_alt"),
    ("place_koktokay", "latin", "place_burultokay", "latin"),
    ("place_burultokay", "uly", "place_koktokay", "uly"),
    ("place_koktokay", "zh", "place_burultokay", "pinyin"),
    ("place_burultokay", "zh", "place_koktokay", "zh"),
    ("place_hejing", "zh", "place_hoxud", "zh"),
    ("place_hejing", "latin", "place_hoxud", "pinyin"),
    ("place_hoxud", "zh", "place_hejing", "pinyin"),
    ("place_jinghe", "zh", "place_jimsar", "latin"),
    ("place_jimsar", "zh", "place_jinghe", "latin"),
    ("place_jinghe", "uly", "place_jimsar", "uly"),
    ("place_maralbexi", "zh", "place_barkol", "latin"),
    ("place_barkol", "zh", "place_maralbexi", "pinyin"),
    ("place_qitai", "zh", "place_qinggil", "pinyin"),
    ("place_qinggil", "zh", "place_qitai", "latin"),
    ("place_qinggil", "zh", "place_jinghe", "zh"),
    ("place_qinggil", "pinyin", "place_jinghe", "zh"),
    ("place_jinghe", "latin", "place_qinggil", "zh"),
    ("place_kargilik", "zh", "place_charkhlik", "latin"),
    ("place_charkhlik", "zh", "place_kargilik", "latin"),
    ("place_kargilik", "latin", "place_charkhlik", "latin"),
    ("place_kargilik", "uey", "place_charkhlik", "uey"),
    ("place_charkhlik", "uly", "place_kargilik", "uly"),
    ("place_tekes", "zh", "place_tokkuztara", "zh_alt"),
    ("place_tokkuztara", "uly", "place_toksu", "uly"),
    ("place_usu", "zh", "place_ulugqat", "zh"),
    ("place_ulugqat", "pinyin", "place_usu", "zh"),
    ("place_usu", "pinyin", "place_ulugqat", "zh"),
    ("place_hoboksar", "zh", "place_hoxud", "latin"),
    ("place_hoxud", "zh", "place_hoboksar", "latin"),
    ("place_hejing", "zh", "place_hoboksar", "latin"),
    ("place_burqin", "zh", "place_burultokay", "zh_alt"),
    ("place_burqin", "latin", "place_burultokay", "latin"),
    ("place_mongolkure", "zh", "place_usu", "zh"),
    ("place_mongolkure", "pinyin", "place_usu", "zh"),
    ("wang_lequan", "zh", "wang_enmao", "zh"),
    ("wang_enmao", "latin", "wang_lequan", "zh"),
    ("wang_lequan", "latin", "wang_enmao", "pinyin"),
    ("zheng_yanxiong", "ofac", "teresa_cheng", "zh"),
    ("teresa_cheng", "zh_hant", "zheng_yanxiong", "zh"),
    ("zhang_xiaoming", "ofac", "zheng_yanxiong", "zh"),
    ("zheng_yanxiong", "ofac", "zhang_xiaoming", "zh"),
    ("luo_huining", "ofac", "stephen_lo", "zh"),
    ("stephen_lo", "zh_hant", "luo_huining", "zh"),
    ("carrie_lam", "zh", "teresa_cheng", "zh"),
    ("memtimin_hoshur", "latin", "adil_hoshur", "latin"),
    ("adil_hoshur", "pinyin", "memtimin_hoshur", "latin_alt"),
    ("hoshur_eli", "latin", "adil_hoshur", "latin"),
    ("hoshur_eli", "uey", "memtimin_hoshur", "latin"),
    ("mihrigul_tursun", "latin", "sanubar_tursun", "latin"),
    ("sanubar_tursun", "uey", "mihrigul_tursun", "uey"),
    ("sanubar_tursun", "zh", "mihrigul_tursun", "latin"),
    ("turghun_almas", "latin", "mihrigul_tursun", "uly"),
    ("apaq_khoja", "latin", "yusuf_khoja", "latin"),
    ("yusuf_khoja", "latin_alt", "apaq_khoja", "latin_alt"),
    ("yusuf_khoja", "latin", "yusuf_khass_hajib", "latin"),
    ("yusuf_khass_hajib", "latin_alt", "yusuf_khoja", "latin_alt"),
    ("gulchehra_hoja", "latin", "apaq_khoja", "latin"),
    ("satuq_bughra_khan", "latin", "amannisa_khan", "latin"),
    ("amannisa_khan", "zh", "satuq_bughra_khan", "latin"),
    ("gulnezer_bextiyar", "latin", "gulchehra_hoja", "latin"),
    ("gulnezer_bextiyar", "zh", "gulchehra_hoja", "latin"),
    ("madina_memet", "latin", "memtimin_hoshur", "latin"),
    ("madina_memet", "zh", "memtimin_hoshur", "latin"),
]

#: forms file, negatives, output file and split (None: by hash) of each set
SETS = {
    "1": ("real_name_forms.csv", NEGATIVES, "real_pairs.csv", None),
    "2": ("real_name_forms_2.csv", NEGATIVES_2, "real_pairs_2.csv", "set2"),
    "3": ("real_name_forms_3.csv", NEGATIVES_3, "real_pairs_3.csv", "set3"),
    "4": ("real_name_forms_4.csv", NEGATIVES_4, "real_pairs_4.csv", "heldout4"),
}


def group(entity: str) -> str:
    return entity.split("__")[0]


def split_of(key: str) -> str:
    """``dev``, ``dev2`` or ``heldout`` by hashes of the entity group.

    The first session's held-out half (sha1, odd first byte) had been scored, and its misses
    read, by the time its F1 stood at 0.871 (2026-12-01); on 2026-12-02 it was cut in two by a
    second hash: ``dev2``, whose misses may now be read and fixed, and ``heldout``, whose
    misses are never listed. The salt (7) was chosen among 0-9 for the most even pair counts
    (87 / 87), before any score of either part was computed.
    """
    if hashlib.sha1(key.encode()).digest()[0] % 2 == 0:
        return "dev"
    second = hashlib.sha256(f"heldout7:{key}".encode()).digest()[0] % 2
    return "dev2" if second == 0 else "heldout"


def category(ka: str, kb: str) -> str:
    kinds = {BASE_KIND.get(ka, ka), BASE_KIND.get(kb, kb)}
    if kinds == {"zh", "zh_hant"}:
        return "traditional_simplified"
    if kinds <= set(HAN_KINDS):
        return "han_han"
    if kinds & set(HAN_KINDS):
        other = (kinds - set(HAN_KINDS)) or kinds
        return f"han_{sorted(other)[0]}"
    if "uey" in kinds:
        return "arabic_latin"
    if "cyrillic" in kinds:
        return "cyrillic_latin"
    if kinds & {"pinyin", "pinyin_tone"}:
        return "pinyin_latin"
    return "latin_variant"


def build(which: str = "1") -> list[dict[str, str]]:
    forms_file, negatives, _, fixed_split = SETS[which]
    forms: dict[str, list[dict[str, str]]] = defaultdict(list)
    with (DATA / forms_file).open(encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            forms[r["entity"]].append(r)
    out: list[dict[str, str]] = []
    seen: set[tuple[str, str]] = set()

    def add(a: dict[str, str], b: dict[str, str], match: bool) -> None:
        key = (a["form"], b["form"])
        if a["form"] == b["form"] or key in seen or key[::-1] in seen:
            return
        seen.add(key)
        if match:
            grp, cat = group(a["entity"]), category(a["kind"], b["kind"])
        else:
            grp = "|".join(sorted((group(a["entity"]), group(b["entity"]))))
            cat = category(a["kind"], b["kind"])
            cat = "negative_" + ("han_han" if cat == "traditional_simplified" else cat)
        sources = " ".join(dict.fromkeys([a["source"], b["source"]]))
        out.append(
            {
                "name1": a["form"],
                "name2": b["form"],
                "is_match": "true" if match else "false",
                "category": cat,
                "entity": grp,
                "split": fixed_split or split_of(grp),
                "source": sources,
            }
        )

    for rows in forms.values():
        by_kind = {r["kind"]: r for r in rows}
        anchor = next((by_kind[k] for k in ANCHOR_ORDER if k in by_kind), rows[0])
        for r in rows:
            if r is not anchor:
                add(r, anchor, True)
        zh = by_kind.get("zh")
        if zh is not None:
            for r in rows:
                if r["kind"] != "zh":
                    add(zh, r, True)
    index = {(r["entity"], r["kind"]): r for rows in forms.values() for r in rows}
    for ea, ka, eb, kb in negatives:
        add(index[(ea, ka)], index[(eb, kb)], False)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--set", choices=sorted(SETS), default="1", help="which set of forms")
    args = ap.parse_args()
    pairs = build(args.set)
    path = DATA / SETS[args.set][2]
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(pairs[0]))
        w.writeheader()
        w.writerows(pairs)
    pos = sum(p["is_match"] == "true" for p in pairs)
    halves = {
        s: sum(p["split"] == s for p in pairs)
        for s in ("dev", "dev2", "heldout", "set2", "set3", "heldout4")
    }
    print(f"{len(pairs)} pairs ({pos} match, {len(pairs) - pos} not) -> {path}; {halves}")


if __name__ == "__main__":
    main()
