"""The GB/T 9704 layout: A4, margins, fonts with East Asian names and free fallbacks, fixed pitch, page numbers."""
from __future__ import annotations

import io

import docx
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from docx.oxml.ns import qn
from docx.shared import Pt
from PIL import Image

from evalkit import documents
from evalkit.documents.layout import _image_bytes, new_draft, rank_interval


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    draft = new_draft(title="测试")
    draft.heading("一、总体进展", 1)
    draft.heading("（一）社会救助", 2)
    draft.paragraph("正文。")
    draft.table(pd.DataFrame({"指标": ["甲", "乙"], "数值": [1234.5, None]}), "示例表")
    return docx.Document(str(draft.save(tmp_path_factory.mktemp("layout") / "layout.docx")))


def _east_asian(style) -> str:
    return style.element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia"))


def test_page_is_a4_with_the_gbt9704_margins(saved):
    section = saved.sections[0]
    measured = [section.page_width.mm, section.page_height.mm, section.top_margin.mm, section.bottom_margin.mm,
                section.left_margin.mm, section.right_margin.mm]
    assert measured == pytest.approx([210, 297, 37, 35, 28, 26], abs=0.05)  # Word stores twips


def test_styles_carry_the_east_asian_fonts_and_sizes(saved):
    styles = saved.styles
    assert _east_asian(styles["Normal"]) == "仿宋_GB2312" and styles["Normal"].font.size == Pt(16)
    assert _east_asian(styles["Heading 1"]) == "黑体" and styles["Heading 1"].font.size == Pt(16)
    assert _east_asian(styles["Heading 2"]) == "楷体_GB2312"
    assert _east_asian(styles["Title"]) == "方正小标宋简体" and styles["Title"].font.size == Pt(22)
    assert styles["Heading 1"].font.bold is False


def test_body_has_a_fixed_pitch_of_22_lines_in_the_type_area(saved):
    fmt = saved.styles["Normal"].paragraph_format
    assert fmt.line_spacing == Pt(28.95)
    type_area_pt = (297 - 37 - 35) / 25.4 * 72
    assert round(type_area_pt / 28.95) == 22


def test_font_table_names_a_free_fallback_for_each_east_asian_font(saved):
    part = next(r.target_part for r in saved.part.rels.values() if r.reltype.endswith("/fontTable"))
    xml = part.blob.decode("utf-8")
    for name in ("仿宋_GB2312", "黑体", "楷体_GB2312", "方正小标宋简体"):
        assert f'w:name="{name}"' in xml
    assert 'w:val="Noto Serif CJK SC"' in xml and 'w:val="Noto Sans CJK SC"' in xml


def test_footer_has_a_page_field_between_dashes(saved):
    footer = saved.sections[0].footer.paragraphs[0]
    assert footer.text.startswith("— ") and footer.text.endswith(" —")
    assert "PAGE" in footer._p.xml


def test_headings_are_word_built_in_styles(saved):
    assert [p.style.name for p in saved.paragraphs if p.style.name.startswith("Heading")] == ["Heading 1",
                                                                                            "Heading 2"]


def test_table_cells_use_the_report_number_format(saved):
    table = saved.tables[0]
    assert [c.text for c in table.rows[1].cells] == ["甲", "1,234.5"]
    assert [c.text for c in table.rows[2].cells] == ["乙", "—"]


def _chart(layout):
    fig, ax = plt.subplots(figsize=(4, 3), layout=layout)
    ax.plot([2015, 2018, 2020], [25.5, 27.0, 28.3], marker="o", label="实际")
    ax.set_title("每千名老年人口拥有养老床位数（张）", loc="left")
    ax.set_ylabel("张")
    fig.legend(loc="upper center", ncols=1)
    plt.close(fig)
    return fig


@pytest.mark.parametrize("layout", [None, "constrained"])
def test_a_chart_is_the_picture_savefig_draws_at_200_dpi(layout):
    expected = io.BytesIO()
    _chart(layout).savefig(expected, format="png", dpi=200, bbox_inches="tight")
    fig = _chart(layout)
    canvas, dpi, engine = fig.canvas, fig.dpi, fig.get_layout_engine()
    got = Image.open(io.BytesIO(_image_bytes(fig.axes[0])))
    want = Image.open(expected)
    assert got.size == want.size and got.mode == want.mode == "RGBA"
    assert got.info["dpi"] == want.info["dpi"] and want.info["dpi"] == pytest.approx((200, 200), abs=0.01)
    assert np.array_equal(np.asarray(got), np.asarray(want))  # the same pixels, not only the same size
    assert fig.canvas is canvas and fig.dpi == dpi and fig.get_layout_engine() is engine  # the figure as it was


def test_rank_interval_text():
    assert rank_interval(3.0, 5.0) == "第3–5名"
    assert rank_interval(1, 1) == "第1名"
    assert rank_interval(2, 4, "en") == "2–4"


def test_save_is_atomic(tmp_path, monkeypatch):
    path = tmp_path / "a.docx"
    path.write_bytes(b"the good file")
    draft = new_draft()

    def broken(stream):
        stream.write(b"half")
        raise OSError("disk full")

    monkeypatch.setattr(draft.document, "save", broken)
    with pytest.raises(OSError):
        draft.save(path)
    assert path.read_bytes() == b"the good file"
    assert [p.name for p in tmp_path.iterdir()] == ["a.docx"]


def test_public_names():
    assert documents.MARGINS_MM == {"top": 37, "bottom": 35, "left": 28, "right": 26}
