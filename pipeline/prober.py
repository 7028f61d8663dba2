"""The watcher's canary prober: reads the canary documents on a period and after each taxonomy reload."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from pipeline.canary import CanaryReport, run
from pipeline.metrics import PipelineMetrics
from pipeline.stages import Limits
from pipeline.taxonomy import Taxonomy
from store.settings import Settings

log = logging.getLogger("shortlist.canary")


class CanaryProber:
    """A daemon thread: one canary run at start, then every `canary_seconds`, and soon after `poke()`."""

    def __init__(
        self, settings: Settings, metrics: PipelineMetrics, taxonomy: Callable[[], Taxonomy], limits: Limits
    ) -> None:
        self.settings, self.metrics, self.taxonomy, self.limits = settings, metrics, taxonomy, limits
        self.wake = threading.Event()
        self.stopping = threading.Event()
        self.last: CanaryReport | None = None

    def poke(self) -> None:
        """Run again now: the taxonomy changed."""
        self.wake.set()

    def probe(self) -> CanaryReport | None:
        """One run; the gauges and the run counter follow it. A canary folder that cannot be read counts an error."""
        started = time.perf_counter()
        try:
            report = run(self.settings.canary, self.taxonomy(), self.limits)
        except Exception as exc:
            self.metrics.canary_runs.labels("error").inc()
            log.error("canary run failed: %s", exc)
            return None
        self.metrics.set_canary(report.version, report.recall, report.precision, report.ndcg)
        self.metrics.canary_runs.labels("ok").inc()
        self.metrics.canary_last_run.set(time.time())
        if self.last is None or (report.recall, report.precision, report.ndcg) != (
            self.last.recall,
            self.last.precision,
            self.last.ndcg,
        ):
            log.info(
                "canaries %s: recall %.3f, precision %.3f, ndcg %.3f (%.0f ms)",
                report.version,
                report.recall,
                report.precision,
                report.ndcg,
                1000 * (time.perf_counter() - started),
            )
        self.last = report
        return report

    def loop(self) -> None:
        while not self.stopping.is_set():
            self.probe()
            self.wake.wait(self.settings.canary_seconds)
            self.wake.clear()

    def start(self) -> None:
        if self.settings.canary_seconds > 0 and self.settings.canary.is_dir():
            threading.Thread(target=self.loop, name="canary", daemon=True).start()
        else:
            log.info("canary runs off (SHORTLIST_CANARY_SECONDS=0 or no folder %s)", self.settings.canary)

    def stop(self) -> None:
        self.stopping.set()
        self.wake.set()
