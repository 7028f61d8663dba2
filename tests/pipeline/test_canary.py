"""Canary documents: the shipped set passes with the shipped taxonomy, and the watcher's gauges follow an edit."""

from __future__ import annotations

import json
import re
import shutil
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
import yaml

from pipeline import parse
from pipeline.canary import canary_version, load_spec, run
from pipeline.stages import Limits
from pipeline.taxonomy import load_taxonomy
from tests.instance import ROOT, db_rows, free_port, instance_env, start_watcher, wait_for
from tests.make_canaries import render

CANARY = ROOT / "skills" / "canary"
LIMITS = Limits("pypdfium2", 20_000_000, 50, 80)


def test_shipped_canaries_pass_with_the_shipped_taxonomy():
    """The check a taxonomy edit must pass: every figure at least 0.9, each job's strong fit ranked first."""
    report = run(CANARY, load_taxonomy(ROOT / "skills"), LIMITS)
    assert report.recall >= 0.9 and report.precision >= 0.9 and report.ndcg >= 0.9, report.as_dict()
    assert not [d.id for d in report.documents if d.error]
    for doc in load_spec(CANARY):
        if doc["kind"] == "job":
            strong = {rid for rid, grade in doc["grades"].items() if grade == 2}
            assert report.rankings[doc["id"]][0] in strong, (doc["id"], report.rankings[doc["id"]])


def test_canaries_cover_three_formats_and_name_only_skills_the_taxonomy_knows():
    taxonomy = load_taxonomy(ROOT / "skills")
    spec = load_spec(CANARY)
    assert {Path(d["file"]).suffix for d in spec} == {".pdf", ".docx", ".txt"}
    assert len({d["layout"] for d in spec}) >= 4
    named = {s for d in spec for key in ("skills", "required", "preferred") for s in d.get(key, [])}
    assert named <= set(taxonomy.skills), named - set(taxonomy.skills)


def test_shipped_files_are_what_the_generator_renders(tmp_path):
    """Edit canaries.yaml, then `python -m tests.make_canaries`: the files in files/ must follow."""
    render(CANARY, tmp_path)
    for doc in load_spec(CANARY):
        shipped = parse.parse_bytes((CANARY / "files" / doc["file"]).read_bytes(), doc["file"])
        fresh = parse.parse_bytes((tmp_path / doc["file"]).read_bytes(), doc["file"])
        assert shipped.text == fresh.text, doc["file"]
        words = re.compile(r"[\w.+#/]+")  # a table's cells come back joined by " | ": compare the words
        assert words.findall(doc["text"]) == words.findall(shipped.text), doc["file"]


def test_a_lost_alias_lowers_recall_and_the_version_follows_the_folder(tmp_path):
    skills = tmp_path / "skills"
    shutil.copytree(ROOT / "skills", skills)
    before = run(CANARY, load_taxonomy(skills), LIMITS)
    _drop_alias(skills, "BLS")
    after = run(CANARY, load_taxonomy(skills), LIMITS)
    assert after.recall < before.recall
    nurse = next(d for d in after.documents if d.id == "r-nurse")
    assert "Basic Life Support" in nurse.missed
    copy = tmp_path / "canary"
    shutil.copytree(CANARY, copy)
    assert canary_version(copy) == before.version
    (copy / "canaries.yaml").write_text((copy / "canaries.yaml").read_text() + "\n# edited\n")
    assert canary_version(copy) != before.version


def test_cli_reports_and_fails_below_the_bar(tmp_path):
    ok = subprocess.run(
        [sys.executable, "-m", "pipeline", "canary", "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env=_env(tmp_path, ROOT / "skills"),
    )
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["passed"] is True
    strict = subprocess.run(
        [sys.executable, "-m", "pipeline", "canary", "--min", "1.01"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env=_env(tmp_path, ROOT / "skills"),
    )
    assert strict.returncode == 1 and "FAIL" in strict.stdout and "r-nurse" in strict.stdout


def test_watcher_gauges_drop_when_an_alias_goes_and_recover_when_it_returns(tmp_path):
    """The real watcher: a taxonomy reload reruns the canaries at once; nothing is written to the tables."""
    skills = tmp_path / "skills"
    shutil.copytree(ROOT / "skills", skills)
    port = free_port()
    env = _env(tmp_path, skills) | {
        "SHORTLIST_METRICS_PORT": str(port),
        "SHORTLIST_CANARY_SECONDS": "3600",
        "SHORTLIST_CANARY": str(CANARY),
    }
    proc = start_watcher(env, tmp_path / "watcher.log")
    try:

        def recall(expect_runs: int):
            body = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read().decode()
            runs = re.search(r'shortlist_canary_runs_total\{outcome="ok"\} (\S+)', body)
            value = re.search(r'shortlist_extraction_recall\{canary_version="\w+"\} (\S+)', body)
            if runs and value and float(runs.group(1)) >= expect_runs:
                return float(value.group(1))
            return None

        first = wait_for(lambda: _quiet(recall, 1), 60, message="a first canary run")
        assert first >= 0.9
        edited, original = _drop_alias(skills, "BLS")
        dropped = wait_for(lambda: _quiet(recall, 2), 60, message="a canary run after the edit")
        assert dropped < first
        edited.write_text(original, encoding="utf-8")
        assert wait_for(lambda: _quiet(recall, 3), 60, message="a canary run after the undo") == first
        assert db_rows_count(tmp_path) == 0
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(30)


def db_rows_count(home: Path) -> int:
    from store.settings import load

    settings = load({"SHORTLIST_HOME": str(home)})
    return db_rows(settings, "SELECT count(*) FROM document")[0][0]


def _quiet(probe, *args):
    try:
        return probe(*args)
    except OSError:  # the metrics port is not listening yet
        return None


def _env(home: Path, skills: Path) -> dict[str, str]:
    return instance_env(home, SHORTLIST_SKILLS=str(skills))


def _drop_alias(skills: Path, alias: str) -> tuple[Path, str]:
    """Remove `alias` from the skills file that declares it; return that file and its text before."""
    for path in sorted(skills.glob("*.yaml")):
        original = path.read_text(encoding="utf-8")
        data = yaml.safe_load(original)
        for skill in data["skills"]:
            if alias in skill.get("aliases", []):
                skill["aliases"].remove(alias)
                if isinstance(skill.get("case_sensitive"), list) and alias in skill["case_sensitive"]:
                    skill["case_sensitive"].remove(alias)
                path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
                return path, original
    raise AssertionError(f"no skill has the alias {alias!r}")


def test_a_mistake_in_canaries_yaml_names_the_file_the_line_and_the_document(tmp_path):
    from pipeline.canary import CanaryError

    text = (CANARY / "canaries.yaml").read_text(encoding="utf-8")
    folder = tmp_path / "canary"
    folder.mkdir()
    (folder / "canaries.yaml").write_text(text.replace("    kind: resume\n", "    kind: resum\n", 1), encoding="utf-8")
    with pytest.raises(CanaryError) as caught:
        load_spec(folder)
    line = text.splitlines().index("    kind: resume") + 1
    assert str(caught.value).startswith(f"{folder / 'canaries.yaml'}:{line}: documents[0] ('r-backend').kind: "), str(
        caught.value
    )
    (folder / "canaries.yaml").write_text(text.replace("r-nurse: 0}", "r-nurze: 0}", 1), encoding="utf-8")
    with pytest.raises(CanaryError, match="grades r-nurze, not resumes of this set"):
        load_spec(folder)
