"""Column contracts: the panel's columns, the header spellings readers accept, the reference tables' columns.

Accepted spellings (Chinese or English headers, status words) are declared here, so the rules readers follow
are in one place.
"""
from __future__ import annotations

import re
from functools import lru_cache

import numpy as np
import pandas as pd

from evalkit import units
from evalkit.errors import ColumnError, Problem

__all__ = [
    "HEADER_ALIASES",
    "OPTIONAL_INPUT_COLUMNS",
    "PANEL_COLUMNS",
    "REFERENCE_COLUMNS",
    "REQUIRED_COLUMNS",
    "STATUS_ALIASES",
    "STATUS_VALUES",
    "YEAR_RANGE",
    "canonical_header",
    "check_reference",
    "parse_year",
    "read_reference_csv",
    "type_reference",
]

PANEL_COLUMNS = ["region", "year", "indicator", "value", "source", "status", "note"]
REQUIRED_COLUMNS = ["region", "year", "indicator", "value"]
STATUS_VALUES = ("official", "reported", "derived", "illustrative")
YEAR_RANGE = (1949, 2100)

#: Header spellings accepted on input, folded to the canonical names.
HEADER_ALIASES: dict[str, str] = {
    "region": "region", "地区": "region", "地区代码": "region", "区划代码": "region", "行政区划代码": "region",
    "地区编码": "region", "城市": "region", "地市": "region", "region_code": "region", "code": "region",
    "year": "year", "年份": "year", "年度": "year", "年": "year",
    "indicator": "indicator", "指标": "indicator", "指标代码": "indicator", "指标名称": "indicator_name",
    "value": "value", "数值": "value", "值": "value", "数据": "value",
    "source": "source", "来源": "source", "数据来源": "source", "资料来源": "source",
    "status": "status", "状态": "status", "数据状态": "status", "数据性质": "status",
    "note": "note", "备注": "note", "说明": "note", "notes": "note",
    "unit": "unit", "单位": "unit", "计量单位": "unit",
    "region_name": "region_name", "地区名称": "region_name",
    "indicator_name": "indicator_name", "definition": "definition", "定义": "definition", "指标解释": "definition",
}
#: Columns a file may carry besides the panel's own: checked or used, never silently dropped.
OPTIONAL_INPUT_COLUMNS = ("unit", "region_name", "indicator_name", "definition")

#: Status words in Chinese, folded to the canonical ones (including the words the template and the
#: data audit print: 官方统计, 公开报道, 推算, 示例(生成)).
STATUS_ALIASES = {"官方": "official", "统计": "official", "公报": "official", "官方统计": "official",
                   "报道": "reported", "报告": "reported", "公开报道": "reported", "推算": "derived",
                   "计算": "derived", "示例": "illustrative", "模拟": "illustrative", "示例数据": "illustrative",
                   "示例(生成)": "illustrative"}

REFERENCE_COLUMNS: dict[str, list[str]] = {
    "regions": ["code", "name_zh", "name_en", "level", "parent", "population_2020", "population_source"],
    "indicators": ["code", "name_zh", "name_en", "category", "category_zh", "category_en", "unit",
                   "polarity", "kind", "in_assessment", "denominator", "decimals", "keywords_zh", "description"],
    "targets": ["plan", "indicator", "name_zh", "region", "baseline_year", "baseline", "target_year", "target",
                "target_type", "target_low", "target_high", "binding", "source", "note"],
    "pilots": ["region", "programme", "batch", "year", "status", "source", "note"],
    "divisions": ["code", "name_zh", "name_en", "level", "parent", "name_en_source", "source"],
    "division_changes": ["former_code", "former_name", "year", "code", "name_zh", "change", "source", "one_to_one"],
    "seed_2020_figures": ["figure", "description_en", "value", "unit", "region", "as_of", "indicator", "kind",
                          "source"],
}
_SOURCED = {"targets": "source", "pilots": "source", "seed_2020_figures": "source", "divisions": "source",
            "division_changes": "source"}



_YEAR_TEXT = re.compile(r"^\s*(\d{1,6})(?:\.0+)?\s*(?:年度?)?\s*$")


def canonical_header(name: object) -> str | None:
    """The canonical column name for a header cell, or ``None`` if it is not recognised."""
    key = re.sub(r"\s+", "", str(name)).lstrip("\ufeff")  # "地区\n代码": a line break typed in a header cell
    return HEADER_ALIASES.get(key) or HEADER_ALIASES.get(key.lower())


def parse_year(cell: object) -> int | None:
    """``2015``, ``"2015"``, ``"2015年"``, ``"2015年度"``, ``2015.0`` → 2015; anything else → ``None``.

    Any whole number is returned (``20200`` too) so the caller can say it is out of range.
    """
    if isinstance(cell, (int, np.integer)) and not isinstance(cell, bool):
        return int(cell)
    if isinstance(cell, float) and cell.is_integer():
        return int(cell)
    return _year_from_text(str(cell))


@lru_cache(maxsize=4096)  # a panel repeats a few years on every row
def _year_from_text(text: str) -> int | None:
    match = _YEAR_TEXT.match(units.normalise_text(text))
    return int(match.group(1)) if match else None


def check_reference(name: str, table: pd.DataFrame, *, path: str) -> None:
    """Check a reference table's columns and that every row names its source."""
    expected = REFERENCE_COLUMNS.get(name)
    if expected is None:
        return
    missing = [c for c in expected if c not in table.columns]
    if missing:
        raise ColumnError([Problem(f"missing column {c!r}", file=path, column=c,
                                   fix=f"the {name} table needs columns {', '.join(expected)}") for c in missing],
                          path=path)
    source_col = _SOURCED.get(name)
    if source_col:
        empty = table.index[table[source_col].fillna("").str.strip() == ""]
        if len(empty):
            raise ColumnError([Problem("row without a source", file=path, row=int(i) + 2, column=source_col,
                                       fix="every reference row must name where its figure came from")
                               for i in empty], path=path)


def type_reference(name: str, table: pd.DataFrame) -> pd.DataFrame:
    """Give a reference table read as text its column types (flags as bool, numbers as numbers; codes stay text)."""
    del name  # the column names decide; the parameter keeps the contract's shape
    table = table.copy()
    for col in ("polarity", "decimals"):
        if col in table:
            table[col] = table[col].astype(int)
    if "in_assessment" in table:
        table["in_assessment"] = table["in_assessment"].astype(int).astype(bool)
    if "population_2020" in table:
        table["population_2020"] = pd.to_numeric(table["population_2020"].replace("", None))
    for col in ("baseline", "target", "target_low", "target_high", "value"):
        if col in table:
            table[col] = pd.to_numeric(table[col].replace("", None))
    for col in ("baseline_year", "target_year"):
        if col in table:
            table[col] = pd.to_numeric(table[col].replace("", None)).astype("Int64")
    return table


def read_reference_csv(name: str, path) -> pd.DataFrame:
    """Read ``data/reference/<name>.csv`` (UTF-8, every cell as text), check its contract and type its columns."""
    table = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    check_reference(name, table, path=str(path))
    return type_reference(name, table)
