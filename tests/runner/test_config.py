"""runs.yml: schema errors with file/line/key, grid expansion, parameter checks, safe report names."""
from __future__ import annotations

import pytest
from _data.runner import make_project

from evalkit.errors import ConfigError, ParameterError
from evalkit.runner.config import plan_batch, slugify

HELLO = "notebooks/hello.ipynb"


def test_grid_is_a_cartesian_product_with_named_reports(tmp_path):
    config = make_project(tmp_path, f"""
        jobs:
          - name: hello
            notebook: {HELLO}
            output: "{{lang}}-n{{n}}"
            grid: {{lang: [zh, en], n: [1, 2, 3]}}
          - name: plain
            notebook: {HELLO}
            grid: {{scale: [0.5, 2]}}
    """)
    plan = plan_batch(config)
    ids = [r.run_id for r in plan.runs]
    assert ids == ["hello/zh-n1", "hello/zh-n2", "hello/zh-n3", "hello/en-n1", "hello/en-n2", "hello/en-n3",
                   "hello/0.5", "hello/2.0"]
    assert plan.runs[4].parameters == {"lang": "en", "n": 2}
    # an int given for a float parameter reaches the notebook as a float
    assert plan.runs[-1].parameters == {"scale": 2.0} and isinstance(plan.runs[-1].parameters["scale"], float)
    assert plan.selected == frozenset(ids)
    assert plan.kernel_cwd == tmp_path / "notebooks"


def test_parameter_sets_defaults_and_fixed_parameters(tmp_path):
    config = make_project(tmp_path, f"""
        defaults:
          timeout: 30
          parameters: {{lang: en, not_declared_here: 1}}
        jobs:
          - name: sets
            notebook: {HELLO}
            output: "{{region}}"
            parameters: {{n: 5}}
            parameter_sets:
              - {{region: 沈阳市}}
              - {{region: 大连市, lang: zh}}
          - name: fail_default
            notebook: notebooks/fail.ipynb
            timeout: 5
    """)
    plan = plan_batch(config)
    first, second, failing = plan.runs
    # defaults apply only where the notebook declares them: fail.ipynb has no `lang`
    assert first.parameters == {"lang": "en", "n": 5, "region": "沈阳市"}
    assert second.parameters == {"lang": "zh", "n": 5, "region": "大连市"}
    assert failing.parameters == {} and failing.run_id == "fail/fail_default"
    assert (first.slug, second.slug) == ("沈阳市", "大连市")
    assert (first.job.timeout, failing.job.timeout) == (30.0, 5.0)


@pytest.mark.parametrize("body, line, key, message", [
    ("job:\n  - name: a\n", 1, "job", "did you mean 'jobs'?"),
    (f"jobs:\n  - name: a\n    notebook: {HELLO}\n    grids: {{lang: [zh]}}\n", 4, "jobs.a.grids",
     "did you mean 'grid'?"),
    (f"jobs:\n  - name: a\n    notebook: {HELLO}\n    grid:\n      lang: zh\n", 5, "jobs.a.grid.lang",
     "grid values must be a non-empty list"),
    (f"jobs:\n  - name: a\n    notebook: {HELLO}\n    grid: {{lang: [zh]}}\n    parameter_sets: [{{n: 1}}]\n", 5,
     "jobs.a.parameter_sets", "either `grid` or `parameter_sets`"),
    (f"jobs:\n  - name: a\n    notebook: {HELLO}\n    notebook: {HELLO}\n", 4, "notebook", "appears twice"),
    (f"jobs:\n  - name: a\n    notebook: {HELLO}\n  - name: a\n    notebook: {HELLO}\n", 4, "jobs.a.name",
     "used twice"),
    ("jobs:\n  - name: a\n    notebook: notebooks/nope.ipynb\n", 3, "jobs.a.notebook", "not found"),
    ("jobs:\n  - name: a\n    notebook: [x\n", 4, None, "not valid YAML"),
    ("jobs:\n  - name: a\n    notebook: !!python/object/apply:os.system ['echo unsafe']\n", 3, None,
     "not valid YAML"),
    (f"jobs:\n  - name: a\n    notebook: {HELLO}\n    timeout: -1\n", 4, "jobs.a.timeout", "positive number"),
    (f"jobs:\n  - name: a\n    notebook: {HELLO}\n    timeout: .inf\n", 4, "jobs.a.timeout", "finite number"),
    (f"jobs:\n  - name: a\n    notebook: {HELLO}\n    output: '{{lang.upper}}'\n", 4, "jobs.a.output",
     "plain parameter name"),
    (f"jobs:\n  - name: a\n    notebook: {HELLO}\n    output: '{{lang'\n", 4, "jobs.a.output",
     "bad output template"),
    ("jobs: []\n", 1, "jobs", "non-empty list"),
    (f"jobs:\n  - name: ../up\n    notebook: {HELLO}\n", 2, "jobs[0].name", "letters, digits"),
])
def test_config_errors_name_file_line_and_key(tmp_path, body, line, key, message):
    config = make_project(tmp_path, body)
    with pytest.raises(ConfigError) as info:
        plan_batch(config)
    err = info.value
    assert err.file == str(config) and err.line == line and err.key == key
    assert message in str(err)
    assert str(config) in str(err) and f"line {line}" in str(err)


def test_parameter_problems_are_listed_together_before_anything_runs(tmp_path):
    config = make_project(tmp_path, f"""
        jobs:
          - name: hello
            notebook: {HELLO}
            grid: {{lnag: [zh, en]}}
          - name: typed
            notebook: {HELLO}
            parameter_sets:
              - {{n: three}}
              - {{lang: fr}}
    """)
    with pytest.raises(ParameterError) as info:
        plan_batch(config)
    text = str(info.value)
    assert "4 parameter problems" in text and "no notebook was run" in text
    assert "line 4, job hello (lnag='zh'): unknown parameter 'lnag' — did you mean 'lang'?" in text
    assert "line 8, job typed (n='three'): parameter 'n': expected int, got str 'three'" in text
    assert "line 9, job typed (lang='fr'): parameter 'lang': str 'fr' is not one of the choices zh, en" in text
    assert not (tmp_path / "reports").exists()


def test_run_batch_checks_parameters_before_starting_workers(tmp_path, monkeypatch):
    from evalkit.runner import batch

    config = make_project(tmp_path, f"jobs:\n  - name: a\n    notebook: {HELLO}\n    parameters: {{n: x}}\n")
    monkeypatch.setattr(batch, "_execute", lambda *a, **k: pytest.fail("a run was started"))
    with pytest.raises(ParameterError, match="expected int"):
        batch.run_batch(config)


def test_only_selects_runs_and_rejects_patterns_matching_nothing(tmp_path):
    config = make_project(tmp_path, f"""
        jobs:
          - {{name: hello, notebook: {HELLO}, output: "{{lang}}", grid: {{lang: [zh, en]}}}}
          - {{name: fail, notebook: notebooks/fail.ipynb}}
    """)
    assert plan_batch(config, only=["hello/en"]).selected == {"hello/en"}
    assert plan_batch(config, only=["hel*"]).selected == {"hello/zh", "hello/en"}
    assert plan_batch(config, only=["fail", "hello/zh"]).selected == {"fail/fail", "hello/zh"}
    with pytest.raises(ParameterError, match="matches no run — job names: hello, fail"):
        plan_batch(config, only=["nope"])


def test_colliding_report_names_are_a_config_error(tmp_path):
    config = make_project(tmp_path, f"""
        jobs:
          - {{name: a, notebook: {HELLO}, output: same}}
          - {{name: b, notebook: {HELLO}, output: SAME}}
    """)
    with pytest.raises(ConfigError, match=r"two runs would write reports/hello/SAME.html: job a \(line 2\)"):
        plan_batch(config)


def test_when_exists_marks_runs_skipped(tmp_path):
    config = make_project(tmp_path, f"""
        jobs:
          - {{name: present, notebook: {HELLO}, when_exists: data/values.txt}}
          - {{name: absent, notebook: {HELLO}, when_exists: ../shared/seed/none.txt}}
    """)
    present, absent = plan_batch(config).runs
    assert present.skip_reason is None
    assert absent.skip_reason == "../shared/seed/none.txt does not exist (when_exists)"


@pytest.mark.parametrize("text, expected", [
    ("../../etc/passwd", "etc_passwd"),
    ("沈阳市 / 大连市", "沈阳市_大连市"),
    ("<script>alert(1)</script>", "script_alert_1_script"),
    ("..", "run"),
    (".hidden", "hidden"),
    ("CON", "_CON"),
    ("a:b*c?d|e", "a_b_c_d_e"),
    ("ＡＢＣ１", "ABC1"),  # full-width forms are normalised
])
def test_slugify_makes_safe_file_names(text, expected):
    assert slugify(text) == expected


def test_slugify_bounds_length_and_keeps_distinct_names_distinct():
    a, b = slugify("省" * 100 + "甲"), slugify("省" * 100 + "乙")
    assert a != b and len(a.encode()) <= 120 and len(b.encode()) <= 120
    assert "/" not in a and not a.startswith(".")


def test_a_collision_inside_one_grid_names_the_values_that_collide(tmp_path):
    config = make_project(tmp_path, f"""
        jobs:
          - name: a
            notebook: {HELLO}
            output: "{{region}}"
            grid: {{region: [沈阳 市, 沈阳_市, 大连]}}
    """)
    with pytest.raises(ConfigError, match=r"reports/hello/沈阳_市.html: job a \(line 5, region='沈阳 市'\) and "
                                          r"job a \(line 5, region='沈阳_市'\)"):
        plan_batch(config)


def test_a_report_name_cannot_take_another_reports_error_page(tmp_path):
    config = make_project(tmp_path, f"""
        jobs:
          - {{name: a, notebook: {HELLO}, output: "{{region}}", grid: {{region: [x, x.error]}}}}
    """)
    with pytest.raises(ConfigError, match=r"two runs would write reports/hello/x.error.html"):
        plan_batch(config)


def test_yaml_merge_keys_share_settings_and_explicit_keys_win(tmp_path):
    config = make_project(tmp_path, f"""
        jobs:
          - &city {{name: zh, notebook: {HELLO}, timeout: 30, parameters: {{lang: zh}}}}
          - <<: *city
            name: en
            parameters: {{lang: en}}
    """)
    zh, en = plan_batch(config).runs
    assert (en.job.name, en.job.timeout, en.parameters) == ("en", 30.0, {"lang": "en"})
    assert (zh.job.name, zh.parameters) == ("zh", {"lang": "zh"})


def test_a_job_without_a_name_takes_its_notebook_stem(tmp_path):
    config = make_project(tmp_path, f"""
        jobs:
          - notebook: {HELLO}
            grid: {{lang: [zh, en]}}
    """)
    plan = plan_batch(config)
    assert [r.job.name for r in plan.runs] == ["hello", "hello"]
    assert [r.run_id for r in plan.runs] == ["hello/zh", "hello/en"]


def test_the_batch_file_is_accepted_as_a_positional_argument(tmp_path, capsys):
    from evalkit.runner.cli import run_command

    missing = tmp_path / "runs-x.yml"
    assert run_command([str(missing)]) == 2
    assert str(missing) in capsys.readouterr().err
    assert run_command(["--config", str(missing)]) == 2
    assert str(missing) in capsys.readouterr().err
    with pytest.raises(SystemExit):
        run_command([str(missing), "--config", str(tmp_path / "other.yml")])
