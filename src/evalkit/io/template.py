"""The fill-in workbook analysts use to bring real data (``evalkit template``)."""
from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from evalkit import catalogue
from evalkit.io.excel import write_excel

__all__ = ["TEMPLATE_MARKER", "write_template"]

#: Text in the first sheet that marks an ``evalkit template`` workbook (read sheet by sheet).
TEMPLATE_MARKER = "evalkit-template"


def write_template(path: str | os.PathLike, *, years: range = range(2015, 2021),
                   regions: list[str] | None = None) -> Path:
    """Write the fill-in workbook analysts use to bring real data (``evalkit template``).

    One instructions sheet, then one sheet per category: a row per region and indicator, the unit and
    definition beside each indicator, one empty column per year. :func:`read_panel` reads it back
    (all category sheets) and ``evalkit validate`` explains every problem in it.
    """
    regions = regions or [catalogue.PROVINCE, *catalogue.cities()]
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
        sheets[name] = pd.DataFrame(rows)
    return write_excel(sheets, path, title="evalkit data template")
