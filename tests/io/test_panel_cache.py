"""A process reads a panel file once: a second read with the same options is a copy; a changed file is read again."""
import os

import pandas as pd

from evalkit import io

ROWS = "region,year,indicator,value\n210100,2019,beds_per_1000_elderly,30.5\n210100,2020,beds_per_1000_elderly,31.0\n"


def test_a_second_read_is_an_independent_copy_and_an_edit_is_seen(tmp_path):
    path = tmp_path / "panel.csv"
    path.write_text(ROWS, encoding="utf-8")
    first = io.read_panel(path)
    first.loc[0, "value"] = -1.0  # the caller's copy: the next read does not see this
    first.attrs["notes"] = ["changed"]
    second = io.read_panel(path)
    assert second["value"].tolist() == [30.5, 31.0] and second.attrs.get("notes") != ["changed"]
    path.write_text(ROWS.replace("31.0", "32.5"), encoding="utf-8")
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 1_000_000))  # a later save
    third = io.read_panel(path)
    assert third["value"].tolist() == [30.5, 32.5]
    assert third.attrs["sha256"] != second.attrs["sha256"]
    pd.testing.assert_frame_equal(io.read_panel(path, default_status="official").drop(columns="status"),
                                  third.drop(columns="status"))
    assert set(io.read_panel(path, default_status="official")["status"]) == {"official"}  # options are in the key


def test_a_large_file_is_not_kept(tmp_path, monkeypatch):
    from evalkit.io import panel as panel_module

    monkeypatch.setattr(panel_module, "_READ_MAX_BYTES", 10)  # every test file is larger
    path = tmp_path / "big.csv"
    path.write_text(ROWS, encoding="utf-8")
    before = list(panel_module._READ)
    io.read_panel(path)
    assert set(panel_module._READ) == set(before)  # nothing added
