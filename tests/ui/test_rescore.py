"""The re-score as the team sees it: the banner with its progress bar on the jobs and ranking pages, the versions a
ranking's scores come from, the fragment htmx refreshes on every batch, and the JSON twins."""

from __future__ import annotations

import re

from chaos.seed import seed
from pipeline.ingest import Ingestor
from pipeline.metrics import PipelineMetrics
from pipeline.taxonomy import load_taxonomy
from store.db import make_engine
from tests.instance import wait_for
from tests.pipeline.test_rescore import EDIT_1, make_instance
from tests.ui.support import client_for
from ui.feed import Subscriber, topics


def seen(client, shown) -> dict:
    """The re-score status once the pages show it: they read through a cache the change feed invalidates, so
    a batch committed a moment ago shows within the feed's poll interval (0.1 s here), not at once."""

    def status() -> dict | None:
        found = client.get("/jobs.json").json()["rescore"]
        return found if shown(found) else None

    return wait_for(status, timeout=30, interval=0.05, message="the re-score status on /jobs.json")


def test_pages_show_the_rescore_progress_and_the_taxonomy_of_each_ranking(tmp_path):
    env, settings, skills = make_instance(tmp_path, RESCORE_MATCHES="30")
    engine = make_engine(settings.database_url)
    seed(engine, load_taxonomy(skills), 40, 3, skills=skills)
    ingestor = Ingestor(settings, engine, PipelineMetrics())
    old = ingestor.taxonomy.version
    try:
        with client_for(settings) as client:
            assert "Re-scoring" not in client.get("/jobs").text
            (skills / "zz_edit.yaml").write_text(EDIT_1)
            ingestor.reload_taxonomy()
            for _ in range(3):  # the jobs, then two batches of 10 resumes x 3 jobs
                ingestor.rescore.step(ingestor.taxonomy)
            new = ingestor.taxonomy.version
            status = seen(client, lambda s: s["done"] == 3 + 20 + 60)
            assert status["active"] and status["taxonomy_version"] == new and 0 < status["percent"] < 100
            assert status["done"] == 3 + 20 + 60 and status["total"] == 43 + 120
            page = client.get("/jobs").text
            percent = f"{status['percent']:.0f}"
            assert f"Re-scoring: {percent} %" in page and f'<progress max="100" value="{status["percent"]}"' in page
            changed = re.search(r"taxonomy changed at <time[^>]*>(\d\d:\d\d)</time>", page)
            assert changed and changed.group(1) == status["changed_at"][11:16]
            assert 'hx-trigger="sse:rescore, sse:resync"' in page

            ranking = client.get("/jobs/1.json").json()
            versions = {v["short"]: (v["matches"], v["current"]) for v in ranking["scored_with"]}
            assert versions == {new[:12]: (20, True), old[:12]: (20, False)}
            fragment = client.get("/rescore?job_id=1", headers={"HX-Request": "true"}).text
            assert fragment.lstrip().startswith('<section id="rescore-status"') and "<html" not in fragment
            assert f'<code title="{old}">{old[:12]}</code> (previous, 20 candidates)' in fragment

            while ingestor.rescore.step(ingestor.taxonomy):
                pass
            done = seen(client, lambda s: not s["active"])
            assert not done["active"] and done["percent"] == 100 and done["finished_at"]
            assert "Re-scoring" not in client.get("/jobs").text
            page = client.get("/jobs/1").text
            assert f'<code title="{new}">{new[:12]}</code> (current).' in page
            assert client.get("/readyz").status_code in (200, 503)  # the probe still answers (no watcher here)
    finally:
        ingestor.close()
        engine.dispose()


def test_rescore_events_refresh_the_banner_and_the_finish_refreshes_the_rankings():
    assert topics({"kind": "rescore.progress"}) == ["rescore"]
    assert topics({"kind": "rescore.started"}) == ["rescore"]
    assert set(topics({"kind": "rescore.finished"})) >= {"rescore", "jobs", "rankings"}
    frames = Subscriber(team=True, hashes=None).frames([{"id": 7, "kind": "rescore.progress", "sha256": None}])
    assert "event: rescore\ndata: 7" in frames and "event: rankings" not in frames
