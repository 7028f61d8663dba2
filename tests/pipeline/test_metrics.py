"""The watcher's metrics: figures the database holds are read at scrape time, whoever changed them."""

from __future__ import annotations

import sqlite3
import time

from prometheus_client import generate_latest
from prometheus_client.parser import text_string_to_metric_families

from pipeline.ingest import Ingestor
from pipeline.metrics import PipelineMetrics
from tests.fixtures import make_corrupt_pdf
from tests.instance import db_rows
from tests.ui.support import client_for, csrf


def scrape(metrics: PipelineMetrics, name: str) -> float | None:
    """One sample from the registry's exposition text, as Prometheus would read it."""
    text = generate_latest(metrics.registry).decode()
    return next((s.value for f in text_string_to_metric_families(text) for s in f.samples if s.name == name), None)


def test_quarantined_files_follow_a_retry_from_the_web_without_the_watcher(settings, engine):
    metrics = PipelineMetrics()
    metrics.read_store(settings.database_url)
    metrics.read_store(settings.database_url)  # registered once, however often asked
    ingestor = Ingestor(settings, engine, metrics)
    try:
        assert scrape(metrics, "shortlist_quarantined_files") == 0
        for name in ("broken.pdf", "broken-too.pdf"):
            bad = settings.inbox_dir("resume") / name
            bad.write_bytes(make_corrupt_pdf() + name.encode())
            assert [o.outcome for o in ingestor.process([bad])] == ["quarantined"]
        assert scrape(metrics, "shortlist_quarantined_files") == 2
        [(failure_id,), _] = db_rows(settings, "SELECT id FROM failure ORDER BY id")
        with client_for(settings) as client:  # the web process's own engine and connection
            response = client.post(f"/failed/{failure_id}/retry", headers={"X-CSRF-Token": csrf(client)})
            assert response.status_code == 200, response.text
        assert scrape(metrics, "shortlist_quarantined_files") == 1  # no watcher pass in between
        db_rows(settings, "DELETE FROM failure")  # any other connection, a dismissal by hand
        assert scrape(metrics, "shortlist_quarantined_files") == 0
    finally:
        ingestor.close()
        metrics.store.close()


def test_a_scrape_reads_past_a_writer_holding_the_lock(settings, engine):
    metrics = PipelineMetrics()
    metrics.read_store(settings.database_url)
    path = settings.database_url.split("///", 1)[1]
    writer = sqlite3.connect(path, isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")  # what the db-locked drill does
        started = time.monotonic()
        assert scrape(metrics, "shortlist_quarantined_files") == 0
        assert time.monotonic() - started < 2
    finally:
        writer.execute("ROLLBACK")
        writer.close()
        metrics.store.close()
