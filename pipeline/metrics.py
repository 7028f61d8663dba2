"""The watcher's Prometheus metrics, in one registry that tests can make fresh."""

from __future__ import annotations

import logging
from typing import Iterator

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    PlatformCollector,
    ProcessCollector,
    start_http_server,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, col, func, select

from store.db import is_sqlite, read_engine
from store.models import Failure

log = logging.getLogger(__name__)

STAGE_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)
LATENCY_BUCKETS = (0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300)
SCORE_BUCKETS = (10, 20, 30, 40, 50, 60, 70, 80, 90, 100)


class PipelineMetrics:
    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        r = self.registry
        ProcessCollector(registry=r)  # process_start_time_seconds: the restart panels count changes of it
        PlatformCollector(registry=r)
        self.seen = Counter(
            "shortlist_ingest_seen_total", "Files the watcher picked up, by kind.", ["kind"], registry=r
        )
        self.files = Counter(
            "shortlist_ingest_files_total", "Files finished, by kind and outcome.", ["kind", "outcome"], registry=r
        )
        self.stage = Histogram(
            "shortlist_stage_seconds",
            "Time spent in each pipeline stage.",
            ["stage"],
            buckets=STAGE_BUCKETS,
            registry=r,
        )
        self.drop_to_scored = Histogram(
            "shortlist_drop_to_scored_seconds",
            "Seconds from a file's last change in the inbox to its committed score.",
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.score = Histogram(
            "resume_matching_score", "Match scores (0-100) computed.", buckets=SCORE_BUCKETS, registry=r
        )
        self.backlog = Gauge("shortlist_backlog_files", "Files waiting in the inbox.", registry=r)
        self.last_ingest = Gauge(
            "shortlist_last_ingest_timestamp_seconds", "Unix time of the last successful ingest.", registry=r
        )
        self.taxonomy_skills = Gauge("shortlist_taxonomy_skills", "Skills in the loaded taxonomy.", registry=r)
        self.taxonomy_info = Gauge(
            "shortlist_taxonomy_info", "The loaded taxonomy version (1 for the current one).", ["version"], registry=r
        )
        self.taxonomy_errors = Counter(
            "shortlist_taxonomy_errors_total", "Taxonomy reloads refused because the files were invalid.", registry=r
        )
        self.worker_restarts = Counter(
            "shortlist_worker_restarts_total",
            "Parse workers replaced after a crash or time-out.",
            ["reason"],
            registry=r,
        )
        self.retries = Counter(
            "shortlist_db_retries_total", "Commits retried because the database was busy.", registry=r
        )
        self.store: StoreCollector | None = None
        for kind in ("resume", "job"):
            self.seen.labels(kind)
            for outcome in ("scored", "duplicate", "failed", "quarantined"):
                self.files.labels(kind, outcome)
        for stage in ("parse", "extract", "score", "commit", "total"):
            self.stage.labels(stage)
        self._canary(r)
        self._rescore(r)

    def _canary(self, r: CollectorRegistry) -> None:
        self.canary_recall = Gauge(
            "shortlist_extraction_recall",
            "Share of the canary documents' known skills that extraction found.",
            ["canary_version"],
            registry=r,
        )
        self.canary_precision = Gauge(
            "shortlist_extraction_precision",
            "Share of the skills extracted from the canary documents that are right.",
            ["canary_version"],
            registry=r,
        )
        self.canary_ndcg = Gauge(
            "shortlist_ranking_ndcg",
            "NDCG@5 of the canary jobs' rankings against their answers.",
            ["canary_version"],
            registry=r,
        )
        self.canary_runs = Counter(
            "shortlist_canary_runs_total",
            "Canary runs, by outcome (ok, or error when the canary folder could not be read).",
            ["outcome"],
            registry=r,
        )
        self.canary_last_run = Gauge(
            "shortlist_canary_last_run_timestamp_seconds", "Unix time of the last canary run.", registry=r
        )
        for outcome in ("ok", "error"):
            self.canary_runs.labels(outcome)

    def _rescore(self, r: CollectorRegistry) -> None:
        self.rescore_backlog = Gauge(
            "shortlist_rescore_backlog",
            "Documents and matches still on an old taxonomy or model version, by kind.",
            ["kind"],
            registry=r,
        )
        self.rescore_done = Counter(
            "shortlist_rescore_done_total",
            "Documents re-extracted and matches re-scored "
            "after a taxonomy change, by kind (its rate is the re-score's speed).",
            ["kind"],
            registry=r,
        )
        self.rescore_progress = Gauge(
            "shortlist_rescore_progress_ratio",
            "Share of the current re-score done (1 when nothing is stale).",
            registry=r,
        )
        self.rescore_batch = Histogram(
            "shortlist_rescore_batch_seconds",
            "Time of one re-score batch (one transaction), by kind.",
            ["kind"],
            buckets=STAGE_BUCKETS,
            registry=r,
        )
        self.rescore_last_batch = Gauge(
            "shortlist_rescore_last_batch_timestamp_seconds", "Unix time the last re-score batch committed.", registry=r
        )
        self.rescore_errors = Counter(
            "shortlist_rescore_errors_total", "Re-score batches that failed (retried).", registry=r
        )
        for kind in ("documents", "matches"):
            self.rescore_backlog.labels(kind)
            self.rescore_done.labels(kind)
        self.rescore_progress.set(1)

    def read_store(self, database_url: str) -> None:
        """Serve the figures the database holds, read at each scrape (once per registry)."""
        if self.store is None:
            self.store = StoreCollector(database_url)
            self.registry.register(self.store)

    def set_taxonomy(self, version: str, skills: int) -> None:
        self.taxonomy_info.clear()
        self.taxonomy_info.labels(version).set(1)
        self.taxonomy_skills.set(skills)

    def set_canary(self, version: str, recall: float, precision: float, ndcg: float) -> None:
        for gauge, value in (
            (self.canary_recall, recall),
            (self.canary_precision, precision),
            (self.canary_ndcg, ndcg),
        ):
            gauge.clear()  # one series: the current canary set's
            gauge.labels(version).set(value)

    def serve(self, host: str, port: int) -> None:
        if port:
            start_http_server(port, addr=host, registry=self.registry)


class StoreCollector(Collector):
    """Figures the database holds, read at scrape time: a file quarantined by the watcher, or retried or dismissed
    from the web, shows at the next scrape, whichever process wrote it. One indexed count each, on a read-only
    connection that waits at most READ_TIMEOUT_MS for a lock (a scrape must not hang on a busy database)."""

    READ_TIMEOUT_MS = 2000
    QUARANTINED = ("shortlist_quarantined_files", "Files waiting in inbox/failed.")

    def __init__(self, database_url: str) -> None:
        self.database_url = database_url
        self.engine: Engine | None = None

    def describe(self) -> Iterator[GaugeMetricFamily]:
        yield GaugeMetricFamily(*self.QUARANTINED)  # registering reads nothing from the database

    def collect(self) -> Iterator[GaugeMetricFamily]:
        if self.engine is None:
            self.engine = read_engine(self.database_url)
        try:
            with Session(self.engine) as session:
                if is_sqlite(self.database_url):
                    session.connection().exec_driver_sql(f"PRAGMA busy_timeout={self.READ_TIMEOUT_MS}")
                quarantined = session.exec(
                    select(func.count()).select_from(Failure).where(col(Failure.retried_at).is_(None))
                ).one()
        except SQLAlchemyError as exc:  # no sample rather than a failed scrape: the other figures still count
            log.warning("cannot read the store's figures for /metrics: %s", exc)
            return
        yield GaugeMetricFamily(*self.QUARANTINED, value=quarantined)

    def close(self) -> None:
        if self.engine is not None:
            self.engine.dispose()
