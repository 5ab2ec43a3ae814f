"""The parameter contract: what a notebook's ``parameters`` cell declares, and checks against it."""
from __future__ import annotations

import datetime as dt
import json

import pytest
from _data.runner import FIXTURES, write_notebook

from evalkit.errors import ParameterError
from evalkit.runner.cli import params_command
from evalkit.runner.contract import notebook_parameters

CELL = '''\
data: str = "data/sample/panel.csv"  # panel file, relative to the project root
lang: str = "zh"  # choices: zh, en
n_draws: int = 1000  # Monte Carlo draws
alpha = 0.1  # significance level; choices: 0.05, 0.1
regions: list[str] = ["210100"]  # region codes
weights: dict[str, float] | None = None  # weights by indicator
method: Literal["trend", "ets"] = "trend"
verbose = False
# the year the plan ends
end_year = 2020
seed = int("7")
'''


@pytest.fixture
def contract(tmp_path):
    return notebook_parameters(write_notebook(tmp_path / "nb.ipynb", CELL))


def test_types_defaults_choices_and_descriptions(contract):
    p = {x.name: x for x in contract.parameters}
    assert contract.names == ["data", "lang", "n_draws", "alpha", "regions", "weights", "method", "verbose",
                              "end_year", "seed"]
    assert (str(p["data"].type), p["data"].default, p["data"].description) == (
        "str", "data/sample/panel.csv", "panel file, relative to the project root")
    assert p["lang"].choices == ("zh", "en") and p["lang"].description == ""
    assert str(p["n_draws"].type) == "int" and p["n_draws"].default == 1000
    # no annotation: the type comes from the default literal; numeric choices are parsed as numbers
    assert str(p["alpha"].type) == "float" and p["alpha"].choices == (0.05, 0.1)
    assert p["alpha"].description == "significance level"
    assert str(p["regions"].type) == "list[str]"
    assert str(p["weights"].type) == "dict[str, float] | None"
    assert p["method"].choices == ("trend", "ets") and str(p["method"].type) == "str"
    assert str(p["verbose"].type) == "bool"
    assert p["end_year"].description == "the year the plan ends"  # a comment line above the declaration
    # an expression default is kept as source text and checked as any type
    assert not p["seed"].literal_default and p["seed"].default_source == 'int("7")'
    assert "seed" not in contract.defaults() and contract.defaults()["lang"] == "zh"


def test_problems_name_the_parameter_and_the_fix(contract):
    problems = contract.problems({
        "lnag": "en",  # misspelt
        "n_draws": "many",  # wrong type
        "lang": "fr",  # outside the choices
        "alpha": 0.2,
        "regions": ["210100", 210200],
        "verbose": 1,
        "data": dt.date(2020, 1, 1),  # what YAML makes of an unquoted date
    })
    text = "\n".join(problems)
    assert len(problems) == 7
    assert "unknown parameter 'lnag' — did you mean 'lang'?" in text
    assert "parameter 'n_draws': expected int, got str 'many'" in text
    assert "parameter 'lang': str 'fr' is not one of the choices zh, en" in text
    assert "float 0.2 is not one of the choices 0.05, 0.1" in text
    assert "expected str, got int 210200 (inside the list)" in text
    assert "parameter 'verbose': expected bool, got int 1" in text
    assert "a date 2020-01-01" in text and "quotes" in text


def test_valid_values_pass_and_ints_become_floats(contract, tmp_path):
    values = {"n_draws": 10, "alpha": 0.05, "weights": None, "regions": [], "method": "ets", "seed": "anything"}
    assert contract.problems(values) == []
    assert contract.problems({"alpha": 1}) != []  # 1 is a number but not one of the declared choices
    scaled = notebook_parameters(write_notebook(tmp_path / "scale.ipynb", "scale: float = 1.0"))
    coerced = scaled.coerce({"scale": 2})
    assert coerced == {"scale": 2.0} and isinstance(coerced["scale"], float)


def test_default_outside_its_choices_is_a_notebook_error(tmp_path):
    path = write_notebook(tmp_path / "bad.ipynb", 'lang: str = "fr"  # choices: zh, en')
    with pytest.raises(ParameterError, match=r"default 'fr' of 'lang' is not one of its choices zh, en"):
        notebook_parameters(path)


def test_choice_of_the_wrong_type_is_a_notebook_error(tmp_path):
    path = write_notebook(tmp_path / "bad.ipynb", "n: int = 1  # choices: 1, two")
    with pytest.raises(ParameterError, match=r"choice 'two' of 'n' is not a int"):
        notebook_parameters(path)


def test_notebook_without_parameters_cell_accepts_nothing(tmp_path):
    path = tmp_path / "plain.ipynb"
    path.write_text(json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {},
                                "cells": [{"cell_type": "markdown", "metadata": {}, "source": "# 标题"}]}))
    contract = notebook_parameters(path)
    assert contract.cell_index is None and contract.parameters == () and contract.title == "标题"
    assert "no parameters cell" in contract.problems({"x": 1})[0]


def test_unreadable_notebooks_are_parameter_errors(tmp_path):
    with pytest.raises(ParameterError, match="not found"):
        notebook_parameters(tmp_path / "missing.ipynb")
    (tmp_path / "broken.ipynb").write_text("{not json")
    with pytest.raises(ParameterError, match=r"not a readable \.ipynb"):
        notebook_parameters(tmp_path / "broken.ipynb")
    bad = write_notebook(tmp_path / "syntax.ipynb", "lang: str = ")
    with pytest.raises(ParameterError, match="parameters cell is not valid Python"):
        notebook_parameters(bad)


def test_fixture_contract_title_and_imports():
    contract = notebook_parameters(FIXTURES / "hello.ipynb")
    assert contract.title == "你好报告 · Hello report"
    assert contract["lang"].choices == ("zh", "en")
    assert {"matplotlib.pyplot", "pandas", "evalkit", "evalkit.report"} <= set(contract.imports)


def test_params_command_prints_the_contract(capsys):
    assert params_command([str(FIXTURES / "hello.ipynb")]) == 0
    out = capsys.readouterr().out
    assert "你好报告 · Hello report" in out
    lines = [ln.split() for ln in out.splitlines()]
    assert ["lang", "str", '"zh"', "zh,", "en", "report", "language"] in lines
    assert params_command([str(FIXTURES / "hello.ipynb"), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    (entry,) = data.values()
    assert {p["name"]: p["choices"] for p in entry["parameters"]}["lang"] == ["zh", "en"]
    assert params_command(["no/such.ipynb"]) == 2
    assert "not found" in capsys.readouterr().err
