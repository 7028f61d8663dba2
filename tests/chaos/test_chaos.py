"""Every chaos drill in its short form against a real supervisord deployment in a temporary SHORTLIST_HOME.

Each drill runs as `python -m chaos run NAME --short`, the way an operator runs it, and the test
reads its JSON report: it fails on any lost or duplicated file, a recovery slower than the
drill's bound, a drill over 90 s, or anything left behind (a stopped process, a network
namespace). Run with -s to see each drill's figures. The first tests check the parts that need
no deployment: the experiment files, the documents, the load guard, the budget arithmetic and
the rollback bookkeeping.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from tests.instance import ROOT

# Under pytest-xdist (`make test`) one worker runs every drill, one after another, and the idle-CPU measurement
# (tests/test_idle.py): a drill loading the machine never overlaps another drill or that measurement.
pytestmark = pytest.mark.xdist_group("drills")
SHORT_LIMIT = 90.0  # seconds a drill's short form may take
START_WITHIN = 180.0  # a liveness bound for the sandbox's web and watcher to be ready, on a loaded machine
BOUNDS = {"kill-web": 5.0, "hang-web": 30.0, "hang-watcher": 30.0}  # time to recover, seconds


# -- without a deployment -------------------------------------------------------------------------


def test_every_experiment_is_valid_chaos_toolkit_with_the_control_a_rollback_and_a_short_form():
    from chaoslib.experiment import ensure_experiment_is_valid

    from chaos.__main__ import ORDER, experiments, load_experiment

    found = experiments()
    assert tuple(found) == ORDER
    for name, path in found.items():
        raw = yaml.safe_load(path.read_text())
        assert raw["configuration"]["drill"] == name
        assert raw["description"].strip() and raw["steady-state-hypothesis"]["probes"]
        assert raw["rollbacks"], f"{name} declares no rollback"
        assert any(c["provider"]["module"] == "chaos.control" for c in raw["controls"])
        assert any(e["name"] == "shortlist" and e["short"] for e in raw["extensions"])
        experiment = load_experiment(path, short=True)
        ensure_experiment_is_valid(experiment)
        assert experiment["configuration"]["short"] is True


@pytest.mark.parametrize(
    ("old", "new", "message", "at"),
    [
        (
            "    short: {before: 2, after: 2}",
            "    short: {befor: 2, after: 2}",
            "extensions: the shortlist extension's short form sets befor, not in configuration",
            "extensions:",
        ),
        (
            "  drill: kill-web\n",
            "  drill: kill-webb\n",
            "configuration: configuration.drill must be 'kill-web'",
            "configuration:",
        ),
        (
            "provider: {type: python, module: chaos.control}",
            "provider: {type: python, module: chaos.controls}",
            "controls: needs the chaos.control control",
            "controls:",
        ),
        ('title: "kill-web:', 'titel: "kill-web:', "title: Field required", "version:"),
    ],
)
def test_a_mistake_in_a_drill_file_names_the_file_and_the_line(tmp_path, old, new, message, at):
    from chaos.__main__ import experiments, load_experiment
    from chaos.definition import DrillFileError

    text = experiments()["kill-web"].read_text()
    assert text.count(old) == 1, old
    path = tmp_path / "kill-web.yaml"
    path.write_text(text.replace(old, new))
    line = next(i for i, row in enumerate(path.read_text().splitlines(), 1) if row.startswith(at))
    with pytest.raises(DrillFileError) as caught:
        load_experiment(path, short=True)
    first = str(caught.value).splitlines()[0]
    assert first.startswith(f"{path}:{line}: ") and message in first, (line, first)


def test_corpus_bad_files_get_the_quarantine_code_they_are_made_for_and_good_ones_parse():
    from chaos import corpus
    from pipeline.parse import ParseError, parse_bytes

    limit = 1024 * 1024
    for i, kind in enumerate(corpus.BAD_KINDS):
        doc = corpus.bad("t", i, limit, kind)
        with pytest.raises(ParseError) as caught:
            parse_bytes(doc.data, doc.name, max_bytes=limit)
        assert caught.value.code == doc.expect, (kind, caught.value)
    for i in range(3):
        doc = corpus.good("t", i)
        parsed = parse_bytes(doc.data, doc.name)
        assert doc.email in parsed.text and parsed.format == doc.name.rsplit(".", 1)[1]
    assert corpus.good("a", 0).data != corpus.good("b", 0).data  # a new run brings new bytes


def test_load_refuses_anything_but_loopback_and_the_address_it_is_given():
    from chaos.load import Load, check_target

    check_target("http://127.0.0.1:8080/")
    check_target("http://[::1]:8080/")
    check_target("http://169.254.101.1:4000/", allowed=("169.254.101.1",))
    for url in ("http://10.0.0.1/", "http://192.168.1.1/", "http://example.com/", "http://169.254.101.1:4000/"):
        with pytest.raises(ValueError, match="refusing"):
            check_target(url)
    with pytest.raises(ValueError, match="rate"):
        Load(["http://127.0.0.1:1/"], rate=10_000)


def test_error_budget_against_the_slo_file():
    from chaos.report import error_budget, slo_targets

    slo = slo_targets()
    assert slo["success_objective"] == 99 and slo["period_s"] == 30 * 86400
    budget = error_budget({"attempted": 1000, "failed": 5, "slow": 10}, 5.0, 3.0, slo)
    assert budget["allowed_failures_in_drill"] == 10 and budget["drill_budget_consumed_pct"] == 50
    assert budget["period_budget_requests"] == 129_600  # 1% of 5 req/s over 30 days
    assert budget["period_downtime_budget_s"] == 25_920 and budget["latency_budget_consumed_pct"] == 20


def test_rollbacks_all_play_newest_first_even_when_one_fails():
    from chaos.drill import Drill

    drill, played = Drill("t", {}), []
    drill.on_rollback("a", lambda: played.append("a"))
    drill.on_rollback("b", lambda: 1 / 0)
    drill.on_rollback("c", lambda: played.append("c"))
    drill.rollback_label("c")
    drill.rollback_all()
    drill.rollback_all()  # nothing twice
    assert played == ["c", "a"]
    assert [r["ok"] for r in drill.rollbacks_done] == [True, False, True]
    assert not drill.passed and "ZeroDivisionError" in drill.errors[0]


# -- every drill, short, against a real deployment -----------------------------------------------


@pytest.fixture(scope="module")
def deployment():
    from chaos.deployment import Sandbox

    sandbox = Sandbox()
    try:
        sandbox.start(timeout=START_WITHIN)
        yield sandbox
    finally:
        sandbox.close()


def run_drill(sandbox, name: str, reports: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHORTLIST_")}
    env.update(sandbox.shortlist_env())
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "chaos", "run", name, "--short", "--quiet", "--reports", str(reports)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    took = time.monotonic() - started
    found = sorted(reports.glob(f"*-{name}.json"))
    assert found, f"{name} wrote no report (exit {done.returncode}):\n{done.stdout}\n{done.stderr[-3000:]}"
    report = json.loads(found[-1].read_text())
    report["wall_s"] = took
    figures = {k: report[k] for k in ("time_to_detect_s", "time_to_recover_s")}
    print(
        f"\n[{name}] {took:.1f} s, passed={report['passed']}, {figures}, "
        f"requests {report['requests']['failed']}/{report['requests']['attempted']} failed, "
        f"files {json.dumps({k: {f: v[f] for f in ('good_dropped', 'good_scored', 'duplicates', 'lost', 'bad_dropped', 'quarantined')} for k, v in report['files'].items()})}"
    )
    print(done.stdout.strip())
    report["stdout"] = done.stdout
    return report


def assert_sound(report: dict) -> None:
    """What every drill must show: no file lost or duplicated, its bound met, quick, everything undone."""
    name = report["drill"]
    for label, files in report["files"].items():
        assert files["duplicates"] == 0, f"{name}: {files['duplicates']} duplicated files in {label}: {files}"
        assert files["lost"] == 0, f"{name}: {files['lost']} lost files in {label}: {files}"
    bound = BOUNDS.get(name)
    if bound is not None:
        assert report["time_to_recover_s"] is not None and report["time_to_recover_s"] < bound, (
            f"{name}: recovered in {report['time_to_recover_s']} s, bound {bound} s"
        )
    assert all(r["ok"] for r in report["rollbacks"]), report["rollbacks"]
    assert report["passed"], f"{name} failed:\n{report['stdout']}"
    assert report["duration_s"] < SHORT_LIMIT, f"{name} took {report['duration_s']} s in its short form"


@pytest.mark.slow
@pytest.mark.parametrize("name", ["kill-web", "hang-web", "hang-watcher", "load-spike", "bad-input-storm", "db-locked"])
def test_drill(deployment, tmp_path, name):
    report = run_drill(deployment, name, tmp_path)
    assert_sound(report)
    if name.startswith("hang-"):
        assert report["measures"]["autoheal_log"].startswith(f"restart shortlist:{name[5:]}")
        assert not [pid for pid in session_pids(deployment) if _state(pid) == "T"], "a process is left stopped"


@pytest.mark.slow
def test_drill_kill_watcher(deployment, tmp_path):
    report = run_drill(deployment, "kill-watcher", tmp_path)
    files = report["files"]["resumes"]
    assert files["good_dropped"] == 300 and files["duplicates"] == 0, files
    assert report["measures"]["kills"] >= 5
    assert files["good_quarantined_codes"].get("gave_up", 0) == 0, files
    assert_sound(report)


@pytest.mark.slow
def test_drill_slow_network_leaves_no_namespace(deployment, tmp_path):
    report = run_drill(deployment, "slow-network", tmp_path)
    assert_sound(report)
    namespaces = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
    assert report["measures"]["netns"] not in namespaces
    assert subprocess.run(["ip", "link", "show", report["measures"]["veth"][0]], capture_output=True).returncode != 0
    slow, baseline = report["requests"]["by_load"]["slow"], report["requests"]["by_load"]["baseline"]
    assert slow["p50_s"] - baseline["p50_s"] >= 0.27  # 150 ms each way: one added round trip at least


@pytest.mark.slow
def test_drill_break_taxonomy_drops_accuracy_fires_the_page_and_recovers(deployment, tmp_path):
    report = run_drill(deployment, "break-taxonomy", tmp_path)
    assert_sound(report)
    checks = {c["name"]: c for c in report["checks"]}
    for name in ("accuracy dropped", "page firing", "accuracy recovered", "page resolved"):
        assert checks[name]["passed"], checks[name]
    measures = report["measures"]
    assert measures["recall_when_dropped"] < 0.9 <= measures["recall_when_recovered"], measures
    skills = Path(deployment.env["SHORTLIST_SKILLS"])
    assert sorted(p.name for p in skills.glob("*.yaml")) == sorted(p.name for p in (ROOT / "skills").glob("*.yaml"))


def session_pids(sandbox) -> list[int]:
    from chaos.deployment import session_pids as pids

    return pids(sandbox.proc.pid)


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return ""


@pytest.mark.slow
@pytest.mark.timeout(900)  # a hang guard: its own sandbox, seeding and drill take over 300 s on a loaded machine
def test_drill_taxonomy_edit_under_load(tmp_path):
    """Its own deployment: the drill fills the store with thousands of documents and edits the sandbox's skills/."""
    from chaos.deployment import Sandbox

    sandbox = Sandbox()
    try:
        sandbox.start(timeout=START_WITHIN)
        report = run_drill(sandbox, "taxonomy-edit-under-load", tmp_path)
    finally:
        sandbox.close()
    measures = report["measures"]
    assert measures["stale_matches"] == 0 and measures["stale_documents"] == 0, measures
    assert measures["matches"] == measures["expected_matches"] >= 800 * 10 and measures["duplicate_matches"] == 0
    assert measures["autoheal_restarts"] == 0 and measures["watcher_watch"]["pids"][1:] == []
    assert measures["web_watch"]["failed_probes"] == 0, measures["web_watch"]
    assert measures["rescore_batches"] >= 2
    assert_sound(report)
