"""make validate's collector: records from case modules → validation.json and a readable page."""
import json
import sys
import types

import pytest

from evalkit import reproduce
from evalkit.errors import ReferenceDataMissing


@pytest.fixture
def fake_cases(monkeypatch):
    good = types.ModuleType("fake_good")
    good.records = lambda: [
        {"case": "c", "quantity": "x", "value": 1.0004, "reference": 1.0, "tolerance": 5e-4},
        {"case": "c", "quantity": "y", "value": 2.0, "reference": 1.0, "tolerance": 0.1},
        {"case": "c", "quantity": "<b>z</b>", "value": float("nan"), "reference": None},
    ]
    missing = types.ModuleType("fake_missing")

    def _absent():
        raise ReferenceDataMissing("reference data /nowhere not found")
    missing.records = _absent
    monkeypatch.setitem(sys.modules, "fake_good", good)
    monkeypatch.setitem(sys.modules, "fake_missing", missing)
    return ["fake_good", "fake_missing", "evalkit.reproduce.not_written_yet"]


def test_collect_keeps_records_and_explains_what_did_not_run(fake_cases):
    records, skipped = reproduce.collect(fake_cases)
    assert [r["quantity"] for r in records] == ["x", "y", "<b>z</b>"]
    assert any("/nowhere" in s for s in skipped) and any("not_written_yet" in s for s in skipped)


def test_json_and_html_outputs(fake_cases, tmp_path):
    records, skipped = reproduce.collect(fake_cases)
    reproduce.write_json(records, tmp_path / "validation.json")
    data = json.loads((tmp_path / "validation.json").read_text(encoding="utf-8"))
    assert data[0] == {"case": "c", "quantity": "x", "value": 1.0004, "reference": 1.0, "tolerance": 5e-4}
    assert data[2]["value"] is None  # NaN is not valid JSON
    page = reproduce.write_html(records, skipped, tmp_path / "validation.html").read_text(encoding="utf-8")
    assert "1 / 2" in page  # one of the two toleranced quantities is within tolerance
    assert "✓" in page and "✗" in page
    assert "<b>z</b>" not in page and "&lt;b&gt;z&lt;/b&gt;" in page


def test_a_record_without_the_required_keys_is_an_error(monkeypatch):
    bad = types.ModuleType("fake_bad")
    bad.records = lambda: [{"case": "c", "value": 1.0}]
    monkeypatch.setitem(sys.modules, "fake_bad", bad)
    with pytest.raises(ValueError, match="quantity"):
        reproduce.collect(["fake_bad"])


def test_page_is_in_the_report_language(fake_cases):
    import re

    records, skipped = reproduce.collect(fake_cases)
    zh = reproduce.render_html(records, skipped)
    en = reproduce.render_html(records, skipped, lang="en")
    assert '<html lang="zh-CN">' in zh and "方法验证" in zh and "未运行的案例" in zh and "已发表值" in zh
    assert "Summary" not in zh and "published" not in zh
    assert '<html lang="en">' in en and "Not run" in en and not re.search(r"[\u4e00-\u9fff]", en)
