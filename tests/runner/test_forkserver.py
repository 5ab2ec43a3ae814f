"""The fork server's preload: imports, then ``module:function`` calls that fill caches; failures only recorded."""
import gc

from evalkit.runner import forkserver
from evalkit.runner.execute import preload_modules


def test_preload_imports_then_calls_and_records_what_failed(tmp_path, monkeypatch):
    (tmp_path / "warm_probe.py").write_text(
        "CALLS = []\n\ndef fill():\n    CALLS.append('filled')\n\ndef broken():\n    raise ValueError('no table')\n",
        encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        status = forkserver._preload(["json", "warm_probe:fill", "warm_probe:broken", "no_such_module_xyz"])
    finally:
        gc.unfreeze()
    import warm_probe

    assert warm_probe.CALLS == ["filled"]
    assert set(status["failed"]) == {"warm_probe:broken", "no_such_module_xyz"}
    assert "ValueError: no table" in status["failed"]["warm_probe:broken"]


def test_notebooks_importing_evalkit_get_its_lazy_modules_and_tables_warmed():
    with_evalkit = preload_modules(["pandas", "evalkit.plots.targets"])
    assert {"openpyxl", "statsmodels.api", "evalkit.io:prepare"} <= set(with_evalkit)
    without = preload_modules(["pandas", "matplotlib_inline.backend_inline"])
    assert "evalkit.io:prepare" not in without and "matplotlib_inline.backend_inline" not in without


def test_prepare_fills_the_reference_caches():
    from evalkit import catalogue, io, regions

    io.prepare()
    assert regions.table.cache_info().currsize == 1 and catalogue.indicators.cache_info().currsize == 1


def test_a_call_may_take_one_argument_and_panels_are_read_only_for_evalkit_notebooks(tmp_path, monkeypatch):
    (tmp_path / "warm_probe2.py").write_text("SEEN = []\n\ndef take(arg):\n    SEEN.append(arg)\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        status = forkserver._preload(["warm_probe2:take=/data/a,b.csv"])
    finally:
        gc.unfreeze()
    import warm_probe2

    assert warm_probe2.SEEN == ["/data/a,b.csv"] and status["failed"] == {}
    assert "evalkit.io:read_panel=/p/panel.csv" in preload_modules(["evalkit.io"], ["/p/panel.csv"])
    assert not any("read_panel" in m for m in preload_modules(["pandas"], ["/p/panel.csv"]))
