"""The batch end to end, with real kernels: failures isolated, cache, changes, Dask, Ctrl-C, a browser.

One project goes through a history of five batches (module fixture ``history``), and each test checks
one property of one step; the fixture notebooks are tiny so kernels dominate the cost.

1. everything runs: hello × 2 and evil succeed; fail raises, slow times out, crash kills its kernel;
   absent is skipped (its ``when_exists`` file is missing)
2. nothing changed: the three good runs are cached
3. ``force``: the cached evil run executes anyway
4. the data file of hello is broken: hello × 2 fail, their last good reports stay (stale), evil stays cached
5. the data file is fixed with new numbers: hello × 2 succeed with ``show_code``; key figures changed
"""
from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from _data.runner import make_project, write_notebook

from evalkit.errors import ParameterError
from evalkit.runner import batch as batch_module
from evalkit.runner import pdf, run_batch
from evalkit.runner.cache import capture_environment
from evalkit.runner.cli import run_command

RUNS = """
defaults:
  timeout: 60
  parameters: {{lang: zh}}
jobs:
  - name: hello
    notebook: notebooks/hello.ipynb
    output: "{{lang}}"
    grid: {{lang: [zh, en]}}
  - name: evil
    notebook: notebooks/hello.ipynb
    parameters: {{data: data/other.txt}}
    parameter_sets:
      - {{region: "<script>alert(1)</script>"}}
  - name: fail
    notebook: notebooks/fail.ipynb
  - name: slow
    notebook: notebooks/slow.ipynb
    timeout: 2
    parameters: {{marker: "{marker}"}}
  - name: crash
    notebook: notebooks/crash.ipynb
  - name: absent
    notebook: notebooks/fail.ipynb
    output: absent
    when_exists: data/nothing.txt
"""


def pid_alive(pid: int, *, wait: float = 5.0) -> bool:
    """Whether process *pid* still exists after up to *wait* seconds (zombies count as gone)."""
    deadline = time.monotonic() + wait
    while True:
        try:
            with open(f"/proc/{pid}/stat") as fh:
                alive = fh.read().split(") ")[1][0] != "Z"
        except FileNotFoundError:
            alive = False
        if not alive or time.monotonic() > deadline:
            return alive
        time.sleep(0.1)


def processes_in(folder: Path, *, wait: float = 5.0) -> list[int]:
    """Processes still working in *folder* (kernels and fork servers of a project) after up to *wait* s.

    Fork servers exit when their worker does, so give them a moment after the batch returns.
    """
    deadline = time.monotonic() + wait
    while True:
        found = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    if Path(os.readlink(entry / "cwd")) == folder and pid_alive(int(entry.name), wait=0):
                        found.append(int(entry.name))
                except OSError:
                    continue
        if not found or time.monotonic() > deadline:
            return found
        time.sleep(0.1)


@pytest.fixture(scope="module")
def history(tmp_path_factory):
    root = tmp_path_factory.mktemp("project")
    marker = root / "slow.pid"
    config = make_project(root, RUNS.format(marker=marker))
    reports = root / "reports"
    steps: dict = {"root": root, "config": config, "marker": marker, "reports": reports}
    environment = capture_environment(root)
    kernels = tmp_path_factory.mktemp("jupyter") / "kernels" / "python3"
    kernels.mkdir(parents=True)
    # the kernelspec `ipykernel install` (make) writes: an interpreter option before `-m ipykernel_launcher`
    (kernels / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-Xfrozen_modules=off", "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3", "language": "python"}), encoding="utf-8")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("JUPYTER_PATH", str(kernels.parent.parent))
        # Pin the environment fingerprint: other people editing src/evalkit during the test must not
        # turn a cache hit into a miss (capture_environment itself is tested in test_runner_cache).
        mp.setattr(batch_module, "capture_environment", lambda _root: environment)
        steps[1] = run_batch(config, workers=2)
        steps["zh_html_1"] = (reports / "hello" / "zh.html").read_bytes()
        steps["zh_ipynb_1"] = (reports / "hello" / "zh.ipynb").read_text(encoding="utf-8")
        t0 = time.perf_counter()
        steps[2] = run_batch(config, only=["hello", "evil"])
        steps["rerun_s"] = time.perf_counter() - t0
        steps["zh_html_2"] = (reports / "hello" / "zh.html").read_bytes()
        steps[3] = run_batch(config, only=["evil"], force=True)
        (root / "data" / "values.txt").write_text("oops\n", encoding="utf-8")
        steps[4] = run_batch(config, only=["hello", "evil"])
        steps["zh_html_4"] = (reports / "hello" / "zh.html").read_bytes()
        steps["index_4"] = (reports / "index.html").read_text(encoding="utf-8")
        (root / "data" / "values.txt").write_text("1\n2\n3\n4\n", encoding="utf-8")
        steps[5] = run_batch(config, only=["hello"], show_code=True)
    return steps


def status_of(manifest, run_id: str) -> str:
    return next(r["status"] for r in manifest.records if r["id"] == run_id)


def record_of(manifest, run_id: str) -> dict:
    return next(r for r in manifest.records if r["id"] == run_id)


def test_failures_are_isolated_and_every_kind_is_recognised(history):
    m = history[1]
    assert {r["id"]: r["status"] for r in m.records} == {
        "hello/zh": "success", "hello/en": "success", "hello/evil": "success", "fail/fail": "failed",
        "slow/slow": "timeout", "crash/crash": "kernel_died", "fail/absent": "skipped"}
    assert m.batch["status"] == "failed" and not m.ok
    assert m.batch["counts"] == {"success": 3, "cached": 0, "skipped": 1, "failed": 3, "warm_kernels": 6}
    assert sorted(m.failed["id"]) == ["crash/crash", "fail/fail", "slow/slow"]
    assert record_of(m, "fail/absent")["skip_reason"] == "data/nothing.txt does not exist (when_exists)"


def test_error_pages_show_the_failing_cell_and_the_error(history):
    reports = history["reports"]
    fail = (reports / "fail" / "fail.error.html").read_text(encoding="utf-8")
    assert "出错的单元格 <code>In [3]</code>" in fail  # the page speaks the run's language (zh by default)
    assert "raise ValueError(f&#34;bad value for x: {x}&#34;)" in fail and "ValueError: bad value for x: 1" in fail
    assert "此前没有成功的运行" in fail  # no earlier report to fall back to
    assert not (reports / "fail" / "fail.html").exists()
    slow = (reports / "slow" / "slow.error.html").read_text(encoding="utf-8")
    assert "longer than its timeout of 2 s" in slow and "time.sleep(seconds)" in slow
    crash = (reports / "crash" / "crash.error.html").read_text(encoding="utf-8")
    assert "内核意外退出" in crash and "os.kill(os.getpid(), signal.Signals(code))" in crash
    errors = {r["id"]: r["error"]["summary"] for r in history[1].records if r.get("error")}
    assert errors["fail/fail"] == "ValueError: bad value for x: 1 in cell In [3]"
    assert re.match(r"the kernel died in cell (In \[2\]|code cell 2) ", errors["crash/crash"])
    executed = json.loads((reports / "fail" / "fail.error.ipynb").read_text(encoding="utf-8"))
    assert any(o.get("ename") == "ValueError" for c in executed["cells"] for o in c.get("outputs", []))


def test_a_timed_out_kernel_is_stopped_and_nothing_is_left_running(history):
    pid = int(history["marker"].read_text())
    assert not pid_alive(pid)
    assert processes_in(history["root"] / "notebooks") == []
    # kernels ran in notebooks/ but left nothing there (sockets and logs live in a private folder)
    assert sorted(p.name for p in (history["root"] / "notebooks").iterdir()) == [
        "crash.ipynb", "fail.ipynb", "hello.ipynb", "slow.ipynb"]
    assert not [p for p in history["reports"].rglob("*") if p.name.endswith(".tmp")]


def test_reports_are_small_self_contained_escaped_and_hide_code(history):
    reports = history["reports"]
    zh = history["zh_html_1"].decode("utf-8")
    assert len(history["zh_html_1"]) < 200_000
    assert "data:image/png;base64," in zh  # the chart is embedded
    assert not re.search(r"<script", zh, re.I) and "Content-Security-Policy" in zh
    assert "总计 18.0" in zh and "你好报告 · Hello report" in zh
    assert 'class="input_area"' not in zh  # code hidden by default
    evil = (reports / "hello" / "evil.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in evil and "<script>alert" not in evil
    assert "&lt;b&gt;bold&lt;/b&gt;" in evil  # a DataFrame cell with markup shows as text
    # one language per page: cells tagged lang-zh / lang-en appear only in reports of that language
    en_html = (reports / "hello" / "en.html").read_text(encoding="utf-8")
    assert "仅中文段落" in zh and "English-only paragraph" not in zh
    assert "English-only paragraph" in en_html and "仅中文段落" not in en_html
    assert '<html lang="en">' in en_html and "Parameters" in en_html and "参数" not in en_html
    # a library warning never reaches the page; the manifest records it
    assert "UserWarning: leaky" not in zh and "UserWarning: leaky" not in en_html
    assert any("UserWarning: leaky library warning" in w for w in record_of(history[1], "hello/zh")["warnings"])
    # every chart carries its title as alt text
    assert '<img alt="沈阳市" src="data:image/png;base64,' in zh
    en = json.loads((reports / "hello" / "en.ipynb").read_text(encoding="utf-8"))
    injected = next(c for c in en["cells"] if "injected-parameters" in c["metadata"].get("tags", []))
    assert 'lang = "en"' in "".join(injected["source"])


def test_a_runaway_print_does_not_make_a_runaway_page():
    import nbformat

    from evalkit.runner.export import notebook_body

    text = "".join(f"line {i} <b>\n" for i in range(500_000))  # 7 MB, as from a print in a loop
    chunks = [text[i:i + 100_000] for i in range(0, len(text), 100_000)]  # the kernel sends it in pieces
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "for i in range(500_000): print(f'line {i} <b>')",
        outputs=[nbformat.v4.new_output("stream", name="stdout", text=chunk) for chunk in chunks])])
    body = str(notebook_body(nb, show_code=False))
    assert len(body) < 200_000 and "line 0 &lt;b&gt;" in body and "line 499999 &lt;b&gt;" in body
    omitted = int(re.search(r"此处省略 ([\d,]+) 个字符", body).group(1).replace(",", ""))
    assert 0 < len(text) - omitted <= 40_000
    assert "".join(o.text for o in nb.cells[0].outputs) == text  # the executed notebook keeps everything


def test_manifest_records_provenance(history):
    data = json.loads((history["reports"] / "manifest.json").read_text(encoding="utf-8"))
    env = data["environment"]
    assert env["python"] and env["packages"]["papermill"] and len(env["evalkit_source_sha256"]) == 64
    assert "git_commit" in env and "git_dirty" in env
    values = history["root"] / "data" / "values.txt"
    assert data["inputs"]["data/values.txt"] == hashlib.sha256(values.read_bytes()).hexdigest()
    first = json.loads(json.dumps(history[1].to_dict()))
    zh = next(r for r in first["runs"] if r["id"] == "hello/zh")
    assert zh["parameters"] == {"lang": "zh"} and zh["started"] <= zh["finished"]
    assert zh["inputs"].keys() == {"data/reference/regions.csv", "data/values.txt"}
    assert zh["figures"] == {"total": 18.0, "lang": "zh"} and zh["warm_kernel"] is True
    assert first["batch"]["counts"]["failed"] == 3 and first["batch"]["executor"] == "2 local workers"


def test_nothing_changed_means_nothing_runs(history):
    m = history[2]
    assert [r["status"] for r in m.records if r["in_batch"]] == ["cached", "cached", "cached"]
    assert m.batch["counts"]["success"] == 0 and history["rerun_s"] < 3.0
    assert history["zh_html_2"] == history["zh_html_1"]
    assert record_of(m, "fail/fail")["in_batch"] is False  # not selected: its last state is carried over


def test_force_runs_a_cached_run(history):
    assert status_of(history[3], "hello/evil") == "success"
    assert history[3].batch["counts"]["cached"] == 0


def test_a_failed_run_keeps_its_last_good_report_marked_stale(history):
    m = history[4]
    zh = record_of(m, "hello/zh")
    assert zh["status"] == "failed" and zh["stale"] is True and zh["report"] == "hello/zh.html"
    assert "could not convert string to float: 'oops'" in zh["error"]["summary"]
    assert history["zh_html_4"] == history["zh_html_1"]  # untouched
    assert status_of(m, "hello/evil") == "cached"  # reads data/other.txt, which did not change
    assert zh["last_success"]["finished"] == record_of(history[1], "hello/zh")["finished"]
    assert "过期" in history["index_4"] and 'href="hello/zh.error.html"' in history["index_4"]


def test_changes_since_the_last_success_are_reported(history):
    m, reports = history[5], history["reports"]
    zh = record_of(m, "hello/zh")
    assert zh["status"] == "success" and zh["stale"] is False
    assert zh["changes"] == [{"name": "total", "kind": "changed", "old": 18.0, "new": 30.0, "delta": 12.0,
                              "relative": pytest.approx(2 / 3)}]
    assert not (reports / "hello" / "zh.error.html").exists()
    page = (reports / "hello" / "zh.html").read_text(encoding="utf-8")
    assert "+12 (+66.7%)" in page and 'class="input_area"' in page  # show_code
    index = (reports / "index.html").read_text(encoding="utf-8")
    assert "1 项变化" in index and "total" in index


def test_cli_prints_a_summary_and_exits_nonzero_on_failures(history, monkeypatch, capsys):
    monkeypatch.setattr(batch_module, "run_batch", lambda *a, **k: history[1])
    assert run_command(["--config", str(history["config"])]) == 1
    out = capsys.readouterr().out
    assert "3 re-run, 0 unchanged (cached), 3 failed, 1 skipped" in out
    assert "✗ fail/fail [failed]: ValueError: bad value for x: 1" in out and "fail.error.html" in out

    def invalid(*a, **k):
        raise ParameterError("lang must be zh or en")

    monkeypatch.setattr(batch_module, "run_batch", invalid)
    assert run_command([]) == 2 and "lang must be zh or en" in capsys.readouterr().err


def test_dask_local_cluster_with_ordinary_kernels_gives_the_same_outputs(history, tmp_path, monkeypatch):
    config = make_project(tmp_path, RUNS.format(marker=tmp_path / "m"))
    monkeypatch.setenv("EVALKIT_WARM_KERNELS", "0")  # the Dask workers start kernels the ordinary way
    m = run_batch(config, only=["hello/zh"], dask_local=1)
    zh = record_of(m, "hello/zh")
    assert zh["status"] == "success" and zh["warm_kernel"] is False
    assert m.batch["executor"] == "dask LocalCluster × 1"

    def outputs(text: str) -> list:
        nb = json.loads(text)
        return [[(o["output_type"], sorted(o.get("data", {})), o.get("text")) for o in c.get("outputs", [])
                 if o.get("name") != "stderr"]  # a warning names the kernel's temporary file
                for c in nb["cells"] if c["cell_type"] == "code"]

    # an ordinary kernel and a warm (forked) one produce the same outputs, the chart included
    cold = outputs((tmp_path / "reports" / "hello" / "zh.ipynb").read_text(encoding="utf-8"))
    assert cold == outputs(history["zh_ipynb_1"])
    assert ("display_data", ["image/png", "text/plain"], None) in [o for cell in cold for o in cell]
    assert zh["figures"] == record_of(history[1], "hello/zh")["figures"]


def test_ctrl_c_stops_cleanly_and_keeps_the_previous_report(tmp_path):
    marker = tmp_path / "nap.pid"
    runs = ("jobs:\n  - name: nap\n    notebook: notebooks/slow.ipynb\n"
            f"    parameters: {{seconds: SECONDS, marker: \"{marker}\"}}\n")
    config = make_project(tmp_path, runs.replace("SECONDS", "0"))
    assert run_batch(config).ok
    report = tmp_path / "reports" / "slow" / "nap.html"
    before = report.read_bytes()
    marker.unlink()
    config.write_text(runs.replace("SECONDS", "120"), encoding="utf-8")
    code = ("import sys; from evalkit.runner.cli import run_command; "
            f"sys.exit(run_command(['--config', {str(config)!r}]))")
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True, text=True)
    try:
        deadline = time.monotonic() + 60
        while not marker.exists() and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.1)
        assert marker.exists(), proc.communicate(timeout=5)
        time.sleep(0.3)
        os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in a terminal does: the whole foreground group
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 130, err
    assert "interrupted" in err and "Traceback" not in err
    assert report.read_bytes() == before
    assert not [p for p in (tmp_path / "reports").rglob("*") if ".tmp" in p.name]
    manifest = json.loads((tmp_path / "reports" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["batch"]["status"] == "interrupted"
    (nap,) = manifest["runs"]
    assert nap["status"] == "success" and nap["in_batch"] is False  # the earlier success still stands
    assert not pid_alive(int(marker.read_text()))
    assert processes_in(tmp_path / "notebooks") == []


def processes_tagged(tag: str, *, wait: float = 5.0) -> list[int]:
    """Processes whose environment has ``EVALKIT_TEST_TAG=tag`` (a batch's workers, fork servers, kernels)."""
    needle = f"EVALKIT_TEST_TAG={tag}".encode()
    deadline = time.monotonic() + wait
    while True:
        found = []
        for entry in Path("/proc").iterdir():
            try:
                if entry.name.isdigit() and needle in (entry / "environ").read_bytes().split(b"\0"):
                    found.append(int(entry.name))
            except OSError:
                continue
        found = [pid for pid in found if pid_alive(pid, wait=0)]
        if not found or time.monotonic() > deadline:
            return found


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGKILL], ids=["SIGTERM", "SIGKILL"])
def test_a_batch_stopped_by_a_signal_leaves_no_process_and_no_lock_behind(tmp_path, signum):
    # cron, systemd (KillMode=process/mixed), `timeout` and `kill` signal the batch process alone
    marker = tmp_path / "nap.pid"
    config = make_project(tmp_path, "jobs:\n  - name: nap\n    notebook: notebooks/slow.ipynb\n"
                                    f"    parameters: {{seconds: 120, marker: \"{marker}\"}}\n")
    tag = f"{os.getpid()}-{tmp_path.name}"
    code = ("import sys; from evalkit.runner.cli import run_command; "
            f"sys.exit(run_command(['--config', {str(config)!r}]))")
    log = tmp_path / "stderr.txt"
    with open(log, "w") as stderr:  # a file, not a pipe: orphaned workers would hold a pipe open
        proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.DEVNULL, stderr=stderr,
                                env={**os.environ, "EVALKIT_TEST_TAG": tag}, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while not marker.exists() and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.1)
        assert marker.exists(), log.read_text()
        time.sleep(0.3)
        os.kill(proc.pid, signum)
        proc.wait(timeout=60)
        left = processes_tagged(tag)
    finally:
        for pid in processes_tagged(tag, wait=0) + ([proc.pid] if proc.poll() is None else []):
            os.kill(pid, signal.SIGKILL)
    assert left == [] and not pid_alive(int(marker.read_text()))
    assert not [p for p in (tmp_path / "reports").rglob("*") if ".tmp" in p.name]
    with batch_module._batch_lock(tmp_path / "reports"):  # the next batch can start
        pass
    if signum == signal.SIGTERM:  # stopped the way Ctrl-C stops it
        err = log.read_text()
        assert proc.returncode == 130 and "interrupted" in err and "Traceback" not in err, err
        manifest = json.loads((tmp_path / "reports" / "manifest.json").read_text(encoding="utf-8"))
        assert manifest["batch"]["status"] == "interrupted"
        assert (tmp_path / "reports" / "index.html").is_file()


def test_a_dead_worker_process_fails_only_the_run_that_killed_it(tmp_path):
    # The pool fails every unfinished run when one worker process dies (the out-of-memory killer picks
    # the worker holding a huge notebook); only the run that kills its worker each time may fail.
    config = make_project(tmp_path, """
        jobs:
          - {name: killer, notebook: notebooks/killer.ipynb}
          - {name: hello, notebook: notebooks/hello.ipynb}
    """)
    write_notebook(tmp_path / "notebooks" / "killer.ipynb", "x: int = 1", (
        "import os, signal\n"
        "ppid = lambda pid: int(open(f'/proc/{pid}/stat').read().rsplit(')', 1)[1].split()[1])\n"
        "worker = ppid(os.getpid())\n"
        "if 'forkserver' in open(f'/proc/{worker}/cmdline').read():\n"
        "    worker = ppid(worker)\n"
        "os.kill(worker, signal.SIGKILL)"), metadata={"kernelspec": {"name": "python3", "display_name": "Python 3"}})
    m = run_batch(config, workers=2)
    assert {r["id"]: r["status"] for r in m.records} == {"killer/killer": "failed", "hello/hello": "success"}
    assert "worker" in record_of(m, "killer/killer")["error"]["summary"]


def test_the_manifest_written_after_each_run_keeps_the_runs_still_to_come(tmp_path, monkeypatch):
    # A batch killed outright (SIGKILL, power loss) leaves the manifest of its last finished run: the
    # runs it had not reached must keep their last success there, or the next batch re-runs them all.
    from evalkit.runner.execute import RunOutcome

    config = make_project(tmp_path, "jobs:\n  - {name: hello, notebook: notebooks/hello.ipynb, "
                                    "output: '{lang}', grid: {lang: [zh, en]}}\n")
    last = {"finished": "2020-01-01T00:00:00+08:00", "key": "k", "figures": {"total": 1.0}}
    runs = [{"id": f"hello/{lang}", "status": "success", "in_batch": True, "last_success": last}
            for lang in ("zh", "en")]
    (tmp_path / "reports").mkdir()
    (tmp_path / "reports" / "manifest.json").write_text(json.dumps({"schema": 1, "runs": runs}))

    def first_run_only(pending, *args, **kwargs):
        run = pending[0][0]
        yield RunOutcome(run_id=run.run_id, status="success", started="s", finished="f", duration_s=1.0,
                         notebook_json="{}", html="<p>")

    written = []
    monkeypatch.setattr(batch_module, "_execute", first_run_only)
    monkeypatch.setattr(batch_module.Manifest, "write", lambda self: written.append(self.to_dict()))
    run_batch(config, force=True)
    after_first = {r["id"]: r for r in written[0]["runs"]}
    assert written[0]["batch"]["status"] == "running" and after_first["hello/zh"]["status"] == "success"
    assert after_first["hello/en"]["last_success"] == last


def test_an_interrupted_write_leaves_the_old_file(tmp_path, monkeypatch):
    from evalkit._shared import files
    from evalkit.runner import manifest as manifest_module

    target = tmp_path / "r.html"
    manifest_module.write_atomic(target, "old")  # the runner writes through the one atomic writer

    def interrupted(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(files.os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        manifest_module.write_atomic(target, "new" * 1000)
    assert target.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["r.html"]


# --- headless browser ---------------------------------------------------------------------------------------

class Chromium(pdf.Chromium):
    """The runner's DevTools driver, plus what a reader's check needs: a screenshot and the console errors."""

    def visit(self, url: str, screenshot: Path) -> list[str]:
        """Open *url*, save a full-page screenshot, return the console errors it produced."""
        target, session = self.open(url)
        time.sleep(0.3)  # late console messages (CSP reports arrive after load)
        shot = self.send("Page.captureScreenshot", session, format="png", captureBeyondViewport=True)
        screenshot.write_bytes(base64.b64decode(shot["data"]))
        errors = []
        for event in self.events:
            params = event.get("params", {})
            if event.get("method") == "Runtime.exceptionThrown":
                errors.append(params["exceptionDetails"].get("text", "exception"))
            elif event.get("method") == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
                errors.append(" ".join(str(a.get("value")) for a in params.get("args", [])))
            elif event.get("method") == "Log.entryAdded" and params["entry"].get("level") == "error":
                errors.append(params["entry"].get("text", ""))
        self.close_tab(target)
        return errors


@pytest.fixture(scope="module")
def chromium(tmp_path_factory):
    binary = next((shutil.which(b) for b in ("chromium", "chromium-browser", "google-chrome") if shutil.which(b)), None)
    if binary is None:
        message = ("no chromium binary on PATH: install it with "
                   "`apt-get update && apt-get install -y chromium fonts-noto-cjk`")
        if os.environ.get("CI"):
            pytest.fail(f"CI is set but the headless-browser check cannot run: {message}")
        pytest.skip(message)
    browser = Chromium(binary, tmp_path_factory.mktemp("chromium-profile"))
    yield browser
    browser.close()


def test_browser_shows_index_and_report_without_console_errors(history, chromium, tmp_path):
    reports = history["reports"]
    shots = Path(os.environ.get("EVALKIT_SCREENSHOTS", tmp_path))
    shots.mkdir(parents=True, exist_ok=True)
    for page in ("index.html", "hello/zh.html", "fail/fail.error.html"):
        png = shots / (page.replace("/", "_") + ".png")
        errors = chromium.visit((reports / page).as_uri(), png)
        assert errors == [], f"{page}: {errors}"
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 20_000
    # the check can fail: a page with an inline script under the same policy reports an error
    bad = tmp_path / "bad.html"
    bad.write_text((reports / "index.html").read_text(encoding="utf-8").replace(
        "</body>", "<script>console.log('injected')</script></body>"), encoding="utf-8")
    assert chromium.visit(bad.as_uri(), tmp_path / "bad.png") != []


def test_every_report_has_a_print_version_when_a_browser_is_installed(history):
    from evalkit.runner.pdf import find_browser

    if find_browser() is None:
        if os.environ.get("CI"):
            pytest.fail("CI is set but no chromium is installed: the PDFs cannot be checked")
        pytest.skip("no chromium on this machine (the batch skips PDFs and says so)")
    reports = history["reports"]
    record = record_of(history[5], "hello/zh")
    assert record["pdf"] == "hello/zh.pdf"
    pdf = (reports / "hello" / "zh.pdf").read_bytes()
    assert pdf.startswith(b"%PDF-") and b"/FontFile" in pdf  # fonts embedded
    assert 'href="zh.pdf"' in (reports / "hello" / "zh.html").read_text(encoding="utf-8")
    assert 'href="hello/zh.pdf"' in (reports / "index.html").read_text(encoding="utf-8")
    assert not (reports / "fail" / "fail.pdf").exists()  # failed runs have no print version


def test_without_a_browser_the_batch_skips_pdfs_and_says_so_once(tmp_path, monkeypatch):
    import io

    config = make_project(tmp_path, """
        jobs:
          - name: hello
            notebook: notebooks/hello.ipynb
            grid: {lang: [zh, en]}
    """)
    monkeypatch.setenv("EVALKIT_CHROMIUM", "")
    log = io.StringIO()
    manifest = run_batch(config, workers=1, log=log)
    assert manifest.ok and not list((tmp_path / "reports").rglob("*.pdf"))
    assert log.getvalue().count("PDFs skipped") == 1
