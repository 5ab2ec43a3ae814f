"""Every notebook is thin and parameterised: a tagged, typed parameters cell; no functions or classes."""
import ast
from pathlib import Path

import nbformat
import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_is_thin_and_parameterised(path):
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    params = [c for c in code if "parameters" in c.metadata.get("tags", [])]
    assert len(params) == 1, "exactly one cell tagged 'parameters'"
    tree = ast.parse(params[0].source)
    assert tree.body and all(isinstance(node, ast.AnnAssign) for node in tree.body), \
        "parameters are declared as `name: type = default  # comment`"
    for cell in code:
        parsed = ast.parse(cell.source)
        defs = [n for n in ast.walk(parsed) if isinstance(n, (ast.FunctionDef, ast.ClassDef, ast.Lambda))]
        assert not defs, f"logic belongs in evalkit, not in notebook cells: {cell.source[:80]}"
        assert cell.source.count("\n") < 20, f"cell too long: {cell.source[:80]}"
    assert not any(c.get("outputs") for c in code), "notebooks are committed without outputs"
    first_md = next(c for c in nb.cells if c.cell_type == "markdown")
    assert first_md.source.startswith("# "), "the first markdown cell is the report title"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_one_language_per_report(path):
    """Prose is in markdown cells tagged ``lang-zh`` / ``lang-en`` (the exporter keeps the report's language);
    code cells hold no Chinese text — captions and notes come from the message catalogue."""
    import re

    from evalkit import i18n
    from evalkit.runner.contract import cell_language

    nb = nbformat.read(path, as_version=4)
    markdown = [c for c in nb.cells if c.cell_type == "markdown"]
    langs = [cell_language(c) for c in markdown]
    assert None not in langs, "every markdown cell is tagged lang-zh or lang-en"
    assert langs == ["zh", "en"] * (len(langs) // 2), "each Chinese cell is followed by its English version"
    han = re.compile(r"[\u4e00-\u9fff]")
    for cell in markdown:
        text = re.sub(r"`[^`]*`", "", cell.source)
        if cell_language(cell) == "en":
            assert not han.search(text), f"Chinese in an English cell: {cell.source[:80]}"
        else:
            assert not re.search(r"[A-Za-z]+ [a-z]+ [a-z]+ [a-z]+", text), f"English prose in a zh cell: {text[:80]}"
    for zh, en in zip(markdown[::2], markdown[1::2]):
        assert zh.source.split(" ", 1)[0] == en.source.split(" ", 1)[0], "the pair has the same heading level"
    for cell in (c for c in nb.cells if c.cell_type == "code"):
        assert not han.search(cell.source.split("#")[0] if "parameters" in cell.metadata.get("tags", [])
                              else cell.source), f"Chinese text in code (use the catalogue): {cell.source[:80]}"
        for key in re.findall(r"""\bt\(\s*["']([\w.]+)["']""", cell.source):
            assert i18n.has(key), f"{key} is not in the catalogue"
