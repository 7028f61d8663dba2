"""The evaluation harness: on a set the project generates (anywhere) and on ../shared/devset against floors."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from pipeline.__main__ import main
from pipeline.evaluate import evaluate
from pipeline.labels import LabelError, load_labels
from tests.instance import ROOT
from tests.labelled_set import write_labelled_set

pytestmark = pytest.mark.xdist_group("evaluate")  # one worker evaluates each set, once
DEVSET = Path(os.environ.get("DEVSET_DIR") or ROOT.parent / "shared" / "devset")
FLOORS = json.loads((ROOT / "tests" / "devset_floor.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    return write_labelled_set(tmp_path_factory.mktemp("labelled"))


@pytest.fixture(scope="module")
def report(generated):
    return evaluate(generated, ROOT / "skills", workers=1)


def test_every_generated_document_goes_through_the_real_pipeline(report, generated):
    labels = load_labels(generated)
    assert report["failed"] == {}
    assert set(report["skills"]["per_doc"]) == set(labels.docs)
    formats = {d.path.suffix for d in labels.docs.values()}
    assert {".pdf", ".docx", ".txt", ".md"} <= formats


def test_extraction_figures_on_the_generated_set(report):
    assert report["skills"]["overall"]["resume"]["recall"] >= 0.9
    assert report["skills"]["overall"]["jd"]["recall"] >= 0.9
    assert report["skills"]["overall"]["resume"]["precision"] >= 0.6
    assert report["traps"]["negative_fired"] == 0 and report["traps"]["positive_found"] == 2
    assert report["jd_years"]["mae"] == 0.0
    assert report["jd_requirement_agreement"] >= 0.9


def test_ranking_figures_for_the_model_and_both_baselines(report):
    assert set(report["ranking"]) == {"model", "bm25", "skills_only"}
    for name, figures in report["ranking"].items():
        assert len(figures["per_job"]) == 8
        for metric in ("hit@3", "ndcg@5", "ndcg@10", "map"):
            assert 0.0 <= figures["overall"][metric] <= 1.0, (name, metric)
    model = report["ranking"]["model"]["overall"]
    assert model["hit@3"] == 1.0 and model["ndcg@5"] >= 0.95
    assert model["ndcg@5"] >= report["ranking"]["bm25"]["overall"]["ndcg@5"]


def test_cli_prints_the_report_and_json(generated, capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("SHORTLIST_HOME", str(tmp_path))
    monkeypatch.setenv("SHORTLIST_SKILLS", str(ROOT / "skills"))
    monkeypatch.setenv("SHORTLIST_WORKERS", "1")
    assert main(["evaluate", str(generated), "--json"]) == 0
    parsed = json.loads(capsys.readouterr().out)
    assert parsed["ranking"]["model"]["overall"]["hit@3_count"] == "8 of 8"
    assert main(["evaluate", str(generated)]) == 0
    text = capsys.readouterr().out
    assert "ranking model" in text and "ranking bm25" in text and "NDCG@5" in text


def test_a_folder_without_labels_is_a_clear_error(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("SHORTLIST_HOME", str(tmp_path))
    with pytest.raises(LabelError, match="no labels.json"):
        load_labels(tmp_path)
    (tmp_path / "labels.json").write_text('{"docs": {"d1": {"kind": "resume", "file": "gone.pdf"}}}')
    with pytest.raises(LabelError, match="gone.pdf"):
        load_labels(tmp_path)
    assert main(["evaluate", str(tmp_path)]) == 2
    assert "gone.pdf" in capsys.readouterr().err


@pytest.fixture(scope="module")
def devset_report():
    if not (DEVSET / "labels.json").is_file():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"the dev set is not at {DEVSET}; CI must have it")
        pytest.skip(f"no dev set at {DEVSET}")
    return evaluate(DEVSET, ROOT / "skills")


@pytest.mark.parametrize("metric", sorted(FLOORS["ranking"]))
def test_devset_ranking_holds_its_floor(devset_report, metric):
    assert devset_report["ranking"]["model"]["overall"][metric] >= FLOORS["ranking"][metric]


def test_devset_model_beats_bm25_by_the_recorded_margin(devset_report):
    ranking = devset_report["ranking"]
    margin = ranking["model"]["overall"]["ndcg@5"] - ranking["bm25"]["overall"]["ndcg@5"]
    assert margin >= FLOORS["ndcg@5_over_bm25"]


@pytest.mark.parametrize("kind", ["resume", "jd"])
def test_devset_extraction_holds_its_floor(devset_report, kind):
    for metric, floor in FLOORS["skills"][kind].items():
        assert devset_report["skills"]["overall"][kind][metric] >= floor, metric
    assert devset_report["traps"]["negative_fired"] <= FLOORS["traps_negative_fired_at_most"]
