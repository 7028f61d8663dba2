"""The watcher's Prometheus metrics, in one registry that tests can make fresh."""
from __future__ import annotations

from prometheus_client import (CollectorRegistry, Counter, Gauge, Histogram, PlatformCollector, ProcessCollector,
                               start_http_server)

STAGE_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)
LATENCY_BUCKETS = (0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300)
SCORE_BUCKETS = (10, 20, 30, 40, 50, 60, 70, 80, 90, 100)


class PipelineMetrics:
    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        r = self.registry
        ProcessCollector(registry=r)  # process_start_time_seconds: the restart panels count changes of it
        PlatformCollector(registry=r)
        self.seen = Counter("shortlist_ingest_seen_total", "Files the watcher picked up, by kind.", ["kind"], registry=r)
        self.files = Counter("shortlist_ingest_files_total", "Files finished, by kind and outcome.",
                             ["kind", "outcome"], registry=r)
        self.stage = Histogram("shortlist_stage_seconds", "Time spent in each pipeline stage.", ["stage"],
                               buckets=STAGE_BUCKETS, registry=r)
        self.drop_to_scored = Histogram("shortlist_drop_to_scored_seconds",
                                        "Seconds from a file's last change in the inbox to its committed score.",
                                        buckets=LATENCY_BUCKETS, registry=r)
        self.score = Histogram("resume_matching_score", "Match scores (0-100) computed.", buckets=SCORE_BUCKETS,
                               registry=r)
        self.backlog = Gauge("shortlist_backlog_files", "Files waiting in the inbox.", registry=r)
        self.last_ingest = Gauge("shortlist_last_ingest_timestamp_seconds",
                                 "Unix time of the last successful ingest.", registry=r)
        self.quarantined = Gauge("shortlist_quarantined_files", "Files waiting in inbox/failed.", registry=r)
        self.taxonomy_skills = Gauge("shortlist_taxonomy_skills", "Skills in the loaded taxonomy.", registry=r)
        self.taxonomy_info = Gauge("shortlist_taxonomy_info", "The loaded taxonomy version (1 for the current one).",
                                   ["version"], registry=r)
        self.taxonomy_errors = Counter("shortlist_taxonomy_errors_total",
                                       "Taxonomy reloads refused because the files were invalid.", registry=r)
        self.worker_restarts = Counter("shortlist_worker_restarts_total",
                                       "Parse workers replaced after a crash or time-out.", ["reason"], registry=r)
        self.retries = Counter("shortlist_db_retries_total", "Commits retried because the database was busy.",
                               registry=r)
        self.canary_recall = Gauge("shortlist_extraction_recall",
                                   "Share of the canary documents' known skills that extraction found.",
                                   ["canary_version"], registry=r)
        self.canary_precision = Gauge("shortlist_extraction_precision",
                                      "Share of the skills extracted from the canary documents that are right.",
                                      ["canary_version"], registry=r)
        self.canary_ndcg = Gauge("shortlist_ranking_ndcg", "NDCG@5 of the canary jobs' rankings against their answers.",
                                 ["canary_version"], registry=r)
        self.canary_runs = Counter("shortlist_canary_runs_total", "Canary runs, by outcome (ok, or error when the "
                                   "canary folder could not be read).", ["outcome"], registry=r)
        self.canary_last_run = Gauge("shortlist_canary_last_run_timestamp_seconds",
                                     "Unix time of the last canary run.", registry=r)
        for outcome in ("ok", "error"):
            self.canary_runs.labels(outcome)
        self.rescore_backlog = Gauge("shortlist_rescore_backlog", "Documents and matches still on an old taxonomy "
                                     "or model version, by kind.", ["kind"], registry=r)
        self.rescore_done = Counter("shortlist_rescore_done_total", "Documents re-extracted and matches re-scored "
                                    "after a taxonomy change, by kind (its rate is the re-score's speed).", ["kind"],
                                    registry=r)
        self.rescore_progress = Gauge("shortlist_rescore_progress_ratio", "Share of the current re-score done "
                                      "(1 when nothing is stale).", registry=r)
        self.rescore_batch = Histogram("shortlist_rescore_batch_seconds", "Time of one re-score batch (one "
                                       "transaction), by kind.", ["kind"], buckets=STAGE_BUCKETS, registry=r)
        self.rescore_last_batch = Gauge("shortlist_rescore_last_batch_timestamp_seconds",
                                        "Unix time the last re-score batch committed.", registry=r)
        self.rescore_errors = Counter("shortlist_rescore_errors_total", "Re-score batches that failed (retried).",
                                      registry=r)
        for kind in ("documents", "matches"):
            self.rescore_backlog.labels(kind)
            self.rescore_done.labels(kind)
        self.rescore_progress.set(1)
        for kind in ("resume", "job"):
            self.seen.labels(kind)
            for outcome in ("scored", "duplicate", "failed", "quarantined"):
                self.files.labels(kind, outcome)
        for stage in ("parse", "extract", "score", "commit", "total"):
            self.stage.labels(stage)

    def set_taxonomy(self, version: str, skills: int) -> None:
        self.taxonomy_info.clear()
        self.taxonomy_info.labels(version).set(1)
        self.taxonomy_skills.set(skills)

    def set_canary(self, version: str, recall: float, precision: float, ndcg: float) -> None:
        for gauge, value in ((self.canary_recall, recall), (self.canary_precision, precision),
                             (self.canary_ndcg, ndcg)):
            gauge.clear()  # one series: the current canary set's
            gauge.labels(version).set(value)

    def serve(self, host: str, port: int) -> None:
        if port:
            start_http_server(port, addr=host, registry=self.registry)
