"""The shipped reference tables: complete, sourced, and consistent with the catalogue and the seed."""
import re

import pytest

from evalkit import catalogue, io, paths


def test_targets_are_sourced_and_typed():
    targets = io.read_reference("targets")
    assert (targets["source"].str.len() > 0).all()
    assert set(targets["target_type"]) <= {"at_least", "at_most", "range", "reach"}
    ranges = targets[targets["target_type"] == "range"]
    assert ranges["target_low"].notna().all() and ranges["target_high"].notna().all()
    others = targets[targets["target_type"] != "range"]
    assert others["target"].notna().all()
    linked = targets.loc[targets["indicator"] != "", "indicator"]
    assert set(linked) <= set(catalogue.indicators().index)
    # the national 13th-plan targets: 23 rows (two targets have urban and rural parts)
    assert (targets[(targets["plan"] == "13th") & (targets["region"] == "*")].shape[0]) == 23
    beds = targets[(targets["indicator"] == "beds_per_1000_elderly") & (targets["region"] == "*")].iloc[0]
    assert (beds.target_low, beds.target_high) == (35, 40)


def test_unknown_baselines_are_left_empty_not_invented():
    targets = io.read_reference("targets")
    national = targets[targets["region"] == "*"]
    assert national["baseline"].isna().all()


def test_pilots_known_batches():
    pilots = io.read_reference("pilots")
    confirmed = pilots[pilots["status"] == "confirmed"]
    assert dict(zip(confirmed["region"], confirmed["year"])) == {
        "211000": "2018", "210800": "2018", "210700": "2019", "210300": "2019", "210600": "2020", "210400": "2020"}
    assert (pilots.loc[pilots["status"] != "confirmed", "batch"] == "unknown").all()


def test_real_series_validate_as_panels_with_sources():
    panel = io.reference_panel()
    assert set(panel["status"]) <= {"official", "reported", "derived"}
    assert (panel["source"].str.len() > 10).all()
    liaoning = panel[(panel.region == "210000") & (panel.indicator == "pop_resident")].set_index("year")["value"]
    assert liaoning[2020] == 42591407  # 7th census


def test_seed_figures_appear_in_the_seed_text():
    seed = paths.seed_dir() / "000_094b9a3db5cf8248.txt"
    if not seed.exists():
        pytest.skip(f"the source document is not at {seed}")
    text = seed.read_text(encoding="utf-8")
    figures = io.read_reference("seed_2020_figures")
    magnitudes = {"万": 1e4, "亿": 1e8}
    numbers = set()
    for match in re.finditer(r"(\d+(?:\.\d+)?)(万|亿)?", text):
        value = float(match.group(1)) * magnitudes.get(match.group(2), 1)
        numbers.add(round(value, 4))
    missing = [f for f, v in zip(figures["figure"], figures["value"]) if round(float(v), 4) not in numbers]
    assert missing == []


def test_the_division_table_is_sourced_and_consistent():
    from evalkit import io

    table = io.read_reference("divisions")
    assert table["code"].str.fullmatch(r"\d{6}").all() and table["code"].is_unique
    assert table["source"].str.contains("PyPI").all()  # every row names the package and its table
    assert set(table["parent"]) - set(table["code"]) == {"000000"}
    assert set(table["level"]) == {"province", "city", "county"}
    # the English names: official for the 34 province-level units, pinyin otherwise, never empty
    assert (table["name_en_source"] == "official").sum() == 34 and table["name_en"].str.len().gt(0).all()
    # GB/T 2260 facts of 2020: 莱芜市 merged into 济南 (2019), 三沙's two districts (2020), 辽中 a district
    assert "371200" not in set(table["code"]) and {"460302", "460303", "210115"} <= set(table["code"])


def test_the_crosswalk_of_2015_to_2020_is_sourced():
    from evalkit import io

    changes = io.read_reference("division_changes")
    row = changes.set_index("former_code").loc["210122"]
    assert (row["code"], int(row["year"]), row["change"], row["one_to_one"]) == ("210115", 2016, "撤县设区", "1")
    assert changes["source"].str.len().gt(0).all()
