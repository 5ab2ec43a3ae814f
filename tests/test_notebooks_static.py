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
