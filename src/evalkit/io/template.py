"""The fill-in workbook analysts use to bring real data (``evalkit template``)."""
from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from evalkit import catalogue
from evalkit import regions as divisions
from evalkit._shared.codes import DEFAULT_AREA
from evalkit.errors import ParameterError
from evalkit.io.excel import write_excel

__all__ = ["TEMPLATE_MARKER", "template_regions", "write_template", "write_templates"]

#: Text in the first sheet that marks an ``evalkit template`` workbook (read sheet by sheet).
TEMPLATE_MARKER = "evalkit-template"


def template_regions(region: str | None = None, level: str | None = None) -> list[str]:
    """The regions a template lists: the area and its units at *level* (default: Liaoning and its 14 cities)."""
    if region is None and level is None:
        return [catalogue.PROVINCE, *catalogue.cities()]
    area, level = divisions.check_area_level(region or DEFAULT_AREA, level or "city")
    return [area, *divisions.units_of(area, level)]


def write_template(path: str | os.PathLike, *, years: range = range(2015, 2021),
                   regions: list[str] | None = None, region: str | None = None,
                   level: str | None = None) -> Path:
    """Write the fill-in workbook analysts use to bring real data (``evalkit template``).

    One instructions sheet, then one sheet per category of the indicator catalogue (the project's, if it
    has one): a row per region and indicator, the unit and definition beside each indicator, one empty
    column per year. :func:`read_panel` reads it back (all category sheets) and ``evalkit validate``
    explains every problem in it.

    Parameters
    ----------
    path
        The workbook to write (atomically).
    years
        The year columns.
    regions
        The regions' codes, in order; default the area and its units (``region``, ``level``).
    region, level
        The area and the level of its units (:func:`evalkit.regions.units_of`); default Liaoning's cities.

    Returns
    -------
    Path
        The workbook written.
    """
    regions = regions or template_regions(region, level)
    ind = catalogue.indicators()
    instructions = pd.DataFrame({TEMPLATE_MARKER: [
        "evalkit 数据填报模板 / evalkit data template",
        "每个类别一张工作表；每行一个地区和指标；在年份列中填入数值（使用“单位”列的单位）。",
        "One sheet per category; one row per region and indicator; enter values in the year columns, "
        "in the unit shown.",
        "不详的数值留空或填“—”；不要填写“约3万”这类近似值；可以写“3.2万”，会按单位换算。",
        "Leave unknown values empty or write —; no approximate values such as 约3万; 3.2万 is converted by the unit.",
        "数据来源与性质写在“来源”“状态”列（official 官方统计 / reported 公开报道 / derived 推算）。",
        "Put the source and status (official / reported / derived) in the 来源 and 状态 columns.",
        "填好后运行 evalkit validate 文件名.xlsx 检查，再在 runs.yml 或笔记本参数 data 中指向该文件。",
        "Then run `evalkit validate FILE.xlsx`, and point the notebooks' `data` parameter (or runs.yml) at the file.",
    ]})
    sheets = {"说明 Instructions": instructions}
    for category, part in ind.groupby("category", sort=False):
        rows = []
        for code, meta in part.iterrows():
            for region in regions:
                rows.append({"地区": region, "地区名称": catalogue.region_name(region), "指标": code,
                             "指标名称": meta["name_zh"], "单位": meta["unit"], "定义": meta["description"],
                             **{str(y): None for y in years}, "来源": "", "状态": ""})
        name = (part["category_zh"].iloc[0] if category != "context" else "背景指标")[:31]
        number = 2
        while name in sheets:  # two categories with one Chinese name (a project catalogue): keep both sheets
            name = f"{name[:27]} ({number})"
            number += 1
        sheets[name] = pd.DataFrame(rows)
    return write_excel(sheets, path, title="evalkit data template")


def write_templates(folder: str | os.PathLike, *, region: str = DEFAULT_AREA, level: str = "city",
                    years: range = range(2015, 2021), force: bool = False) -> list[Path]:
    """One workbook per unit of *region* at *level*, with that unit's rows only (``evalkit template --split``).

    A department sends each city (or county) bureau its own workbook; :func:`evalkit.io.read_panel` reads the
    returned folder and merges it. Files are named ``<code>_<name>.xlsx``.

    Raises
    ------
    ParameterError
        When a workbook to be written exists already (it may be filled in) and *force* is not set; nothing
        is written then.
    """
    area, level = divisions.check_area_level(region, level)
    target = Path(folder)
    units = divisions.units_of(area, level)
    files = [target / f"{code}_{divisions.name(code)}.xlsx" for code in units]
    existing = [f for f in files if f.exists()]
    if existing and not force:
        raise ParameterError(f"{len(existing)} workbook(s) exist already in {target} (filled in?), e.g. "
                             f"{existing[0].name}; choose another folder, or add --force to replace them")
    return [write_template(file, years=years, regions=[code]) for code, file in zip(units, files)]
