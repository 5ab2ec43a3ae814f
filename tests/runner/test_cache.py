"""The cache key: it changes with each input a run depends on, and only with those."""
from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from pathlib import Path

import pytest
from _data.runner import make_project

from evalkit.runner.cache import Environment, capture_environment, display_path, notebook_digest, run_inputs, run_key
from evalkit.runner.config import plan_batch

RUNS = """
jobs:
  - name: hello
    notebook: notebooks/hello.ipynb
    output: "{lang}"
    grid: {lang: [zh, en]}
  - name: other
    notebook: notebooks/hello.ipynb
    output: other
    parameters: {data: data/other.txt}
    inputs: [data/extra/*.csv]
"""

ENV = Environment(git_commit="abc", git_dirty=False, python="3.11.7", platform="Linux x86_64",
                  packages={"pandas": "3.0.0", "papermill": "2.7.0"}, evalkit_version="0.1.0",
                  evalkit_source_sha256="0" * 64)


@pytest.fixture
def project(tmp_path):
    config = make_project(tmp_path, RUNS)
    (tmp_path / "data" / "extra").mkdir()
    (tmp_path / "data" / "extra" / "a.csv").write_text("x\n1\n")
    (tmp_path / "data" / "scenarios").mkdir()
    (tmp_path / "data" / "scenarios" / "baseline.yml").write_text("name: baseline\n")
    return config


def keys(config, *, environment=ENV, show_code=False) -> dict[str, str]:
    """The cache key of every run, computed the way the batch computes it."""
    from evalkit.runner.cache import sha256_file

    plan = plan_batch(config)
    result = {}
    for run in plan.runs:
        inputs = {display_path(p, plan.root): sha256_file(p) for p in run_inputs(run, plan)}
        result[run.run_id] = run_key(run, notebook_sha=notebook_digest(plan.notebooks[run.job.notebook]),
                                     inputs=inputs, environment=environment, show_code=show_code, kernel="python3")
    return result


def edit_notebook(config, change) -> None:
    path = config.parent / "notebooks" / "hello.ipynb"
    nb = json.loads(path.read_text(encoding="utf-8"))
    change(nb)
    path.write_text(json.dumps(nb), encoding="utf-8")


def test_inputs_found_from_parameters_defaults_reference_data_and_declarations(project):
    plan = plan_batch(project)
    zh, _, other = plan.runs
    root = project.parent
    assert [display_path(p, root) for p in run_inputs(zh, plan)] == [
        "data/reference/regions.csv", "data/scenarios/baseline.yml", "data/values.txt"]  # `data` defaults
    assert [display_path(p, root) for p in run_inputs(other, plan)] == [
        "data/extra/a.csv", "data/other.txt", "data/reference/regions.csv", "data/scenarios/baseline.yml"]


def test_unchanged_inputs_give_the_same_key_even_when_files_are_touched(project):
    before = keys(project)
    values = project.parent / "data" / "values.txt"
    os.utime(values, (1, 1))  # a new modification time, the same content
    edit_notebook(project, lambda nb: nb["cells"][2].update(outputs=[], execution_count=7))  # outputs only
    assert keys(project) == before
    assert len(set(before.values())) == 3


@pytest.mark.parametrize("change, affected", [
    ("notebook code", {"hello/zh", "hello/en", "hello/other"}),
    ("parameter", {"hello/zh"}),
    ("parameter file", {"hello/zh", "hello/en"}),
    ("reference data", {"hello/zh", "hello/en", "hello/other"}),
    ("scenario spec", {"hello/zh", "hello/en", "hello/other"}),  # scenarios.load("baseline") reads it
    ("declared input", {"hello/zh", "hello/en", "hello/other"}),
    ("job input glob", {"hello/other"}),
    ("evalkit source", {"hello/zh", "hello/en", "hello/other"}),
    ("package version", {"hello/zh", "hello/en", "hello/other"}),
    ("show code", {"hello/zh", "hello/en", "hello/other"}),
])
def test_each_input_kind_changes_exactly_the_runs_that_read_it(project, change, affected):
    root = project.parent
    before = keys(project)
    environment, show_code = ENV, False
    if change == "notebook code":
        edit_notebook(project, lambda nb: nb["cells"][3]["source"].append("\nprint('more')"))
    elif change == "parameter":
        project.write_text(RUNS.replace("grid: {lang: [zh, en]}", "parameter_sets: [{lang: zh, n: 4}, {lang: en}]"))
    elif change == "parameter file":
        (root / "data" / "values.txt").write_text("1\n2\n4\n")
    elif change == "reference data":
        (root / "data" / "reference" / "regions.csv").write_text("code,name_zh\n210200,大连市\n")
    elif change == "scenario spec":
        (root / "data" / "scenarios" / "baseline.yml").write_text("name: baseline\nhorizon_end: 2030\n")
    elif change == "declared input":
        (root / "data" / "declared.csv").write_text("a\n")
        assert keys(project) == before  # not declared yet: not an input
        edit_notebook(project, lambda nb: nb["metadata"].update(evalkit={"inputs": ["data/declared.csv"]}))
        before = keys(project)
        (root / "data" / "declared.csv").write_text("b\n")
    elif change == "job input glob":
        (root / "data" / "extra" / "b.csv").write_text("x\n2\n")
    elif change == "evalkit source":
        environment = dataclasses.replace(ENV, evalkit_source_sha256="1" * 64)
    elif change == "package version":
        environment = dataclasses.replace(ENV, packages={**ENV.packages, "pandas": "3.0.1"})
    elif change == "show code":
        show_code = True
    after = keys(project, environment=environment, show_code=show_code)
    assert {rid for rid in before if before[rid] != after[rid]} == affected


def test_git_state_is_recorded_but_does_not_invalidate(project):
    assert keys(project) == keys(project, environment=dataclasses.replace(ENV, git_commit="def", git_dirty=True))


def test_capture_environment_records_versions_git_and_source_hash(tmp_path):
    env = capture_environment(tmp_path)  # not a git repository
    assert env.git_commit is None and env.git_dirty is None
    assert env.packages["papermill"] and env.packages["nbconvert"]
    assert len(env.evalkit_source_sha256) == 64 and env.python.count(".") == 2
    assert set(env.to_dict()) >= {"git_commit", "git_dirty", "python", "packages", "evalkit_source_sha256"}
    repo = Path(__file__).resolve().parents[2]
    if (repo / ".git").exists():
        in_repo = capture_environment(repo)
        assert len(in_repo.git_commit) == 40 and isinstance(in_repo.git_dirty, bool)


def test_file_hashes_are_sha256_of_content(project):
    from evalkit.runner.cache import sha256_file

    path = project.parent / "data" / "values.txt"
    assert sha256_file(path) == hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_rewrite_that_keeps_size_and_modification_time_is_still_seen(project):
    # `cp -p`, `rsync -t` and unzip restore the old mtime; one Python session may run several batches
    from evalkit.runner.cache import sha256_file

    path = project.parent / "data" / "values.txt"
    before = sha256_file(path)
    st = path.stat()
    path.write_text("7\n8\n9\n")  # same size
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert path.stat().st_mtime_ns == st.st_mtime_ns and sha256_file(path) != before


def test_a_long_text_parameter_is_not_mistaken_for_a_path(tmp_path):
    # 86 Chinese characters are over the 255-byte limit of a file name: stat() raises, not "no such file"
    title = "沈阳市民政局关于养老服务体系建设的评估" * 5
    config = make_project(tmp_path, f"jobs:\n  - {{name: a, notebook: notebooks/hello.ipynb, "
                                    f"parameters: {{region: {title}}}}}\n")
    plan = plan_batch(config)
    assert [display_path(p, tmp_path) for p in run_inputs(plan.runs[0], plan)] == [
        "data/reference/regions.csv", "data/values.txt"]  # no scenarios folder in this project
