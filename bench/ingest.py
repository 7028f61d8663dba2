"""Benchmark: end-to-end ingest throughput (drop to committed), per-stage milliseconds, both PDF engines."""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.instance import db_rows, free_port, instance_env, start_watcher, wait_for  # noqa: E402
from tests.fixtures import make_pdf, sample_job, sample_resume  # noqa: E402
from store.settings import load  # noqa: E402


def stage_ms(metrics: str) -> dict[str, float]:
    sums = dict(re.findall(r'shortlist_stage_seconds_sum\{stage="(\w+)"\} ([0-9.e+-]+)', metrics))
    counts = dict(re.findall(r'shortlist_stage_seconds_count\{stage="(\w+)"\} ([0-9.e+-]+)', metrics))
    return {stage: 1000 * float(sums[stage]) / float(counts[stage]) for stage in sums if float(counts[stage])}


def run(engine: str, resumes: list[bytes], jobs: list[str]) -> dict:
    with tempfile.TemporaryDirectory(prefix="shortlist-bench-") as home:
        port = free_port()
        env = instance_env(
            Path(home),
            SHORTLIST_PDF_ENGINE=engine,
            SHORTLIST_METRICS_PORT=str(port),
            SHORTLIST_STABLE_SECONDS="0.2",
            SHORTLIST_LOG_LEVEL="WARNING",
        )
        settings = load(env)
        proc = start_watcher(env, Path(home) / "watcher.log")
        try:
            wait_for(lambda: _get(port), 60, message="the watcher's /metrics")
            for i, text in enumerate(jobs):
                (settings.inbox / "jobs" / f"job{i}.txt").write_text(text)
            wait_for(lambda: _count(settings) == len(jobs), 60, message="the jobs")
            started = time.perf_counter()
            for i, data in enumerate(resumes):
                (settings.inbox / "resumes" / f"resume{i}.pdf").write_bytes(data)
            total = len(jobs) + len(resumes)
            wait_for(lambda: _count(settings) == total, 600, interval=0.05, message="every resume")
            elapsed = time.perf_counter() - started
            metrics = _get(port)
        finally:
            proc.terminate()
            proc.wait(30)
    return {
        "engine": engine,
        "files": len(resumes),
        "seconds": elapsed,
        "per_second": len(resumes) / elapsed,
        "stages_ms": stage_ms(metrics),
    }


def _get(port: int) -> str:
    try:
        return urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=2).read().decode()
    except OSError:
        return ""


def _count(settings) -> int:
    try:
        return db_rows(settings, "SELECT count(*) FROM document")[0][0]
    except Exception:
        return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--resumes", type=int, default=200)
    parser.add_argument("--jobs", type=int, default=5)
    parser.add_argument("--engines", default="pypdfium2,pdfplumber")
    args = parser.parse_args()
    resumes = [make_pdf(sample_resume(i, long=True)) for i in range(args.resumes)]
    jobs = [sample_job(i) for i in range(args.jobs)]
    pages = sum(data.count(b"/Type /Page\n") + data.count(b"/Type /Page ") for data in resumes) / len(resumes)
    print(
        f"{args.resumes} generated resumes (~{pages:.1f} pages each), {args.jobs} jobs, "
        f"scored against every job; drop to committed"
    )
    print(f"{'engine':10} {'files/s':>8} {'seconds':>8}  per-file stage ms (parse, extract, score, commit, total)")
    for engine in args.engines.split(","):
        result = run(engine, resumes, jobs)
        st = result["stages_ms"]
        print(
            f"{engine:10} {result['per_second']:8.1f} {result['seconds']:8.2f}  "
            + ", ".join(f"{name} {st.get(name, 0):.1f}" for name in ("parse", "extract", "score", "commit", "total"))
        )
    from bench.pdf_engines import compare_engines, summarise

    rows = compare_engines(
        [(f"resume{i}.pdf", data, sample_resume(i, long=True)) for i, data in enumerate(resumes[:30])]
    )
    print("\nPDF engines on the same 30 files (parse only; recall = expected words recovered intact):")
    for engine, row in summarise(rows).items():
        print(
            f"  {engine:10} mean {row['mean_ms']:7.1f} ms  median {row['median_ms']:7.1f} ms  "
            f"recall {row['recall']:.3f}  failed {row['failed']}"
        )


if __name__ == "__main__":
    main()
