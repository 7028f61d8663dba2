"""Benchmark: ingest throughput with 1, 2 and 4 watcher processes on one inbox, on SQLite and PostgreSQL.

Same files, same run: 10 job descriptions are ingested first, then the resumes (PDF and DOCX) are dropped at
once and timed from the drop to the last commit. Each watcher has one parse worker (SHORTLIST_WORKERS=1), so
"N watchers" is N parse processes plus N drivers contending for the database. PostgreSQL is a throw-away
cluster with its durable defaults (fsync, synchronous_commit on); SQLite runs as `make run` has it (WAL,
synchronous=NORMAL). Prints figures; never fails on a timing.

    .venv/bin/python bench/scale.py [--resumes 300] [--watchers 1 2 4]
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.fixtures import make_docx, make_pdf, sample_job, sample_resume  # noqa: E402
from tests.instance import db_rows, instance, instance_env, start_watcher, wait_for  # noqa: E402


def _count(settings) -> int:
    try:
        return db_rows(settings, "SELECT count(*) FROM document")[0][0]
    except Exception:
        return 0


def run(database_url: str | None, watchers: int, resumes: list[tuple[str, bytes]], jobs: list[str]) -> dict:
    with tempfile.TemporaryDirectory(prefix="shortlist-scale-") as home:
        extra = {
            "SHORTLIST_WORKERS": "1",
            "SHORTLIST_CANARY_SECONDS": "0",
            "SHORTLIST_LOG_LEVEL": "INFO",
            "SHORTLIST_STABLE_SECONDS": "0.2",
            "SHORTLIST_RESCAN_SECONDS": "5",
        }
        if database_url:
            extra["SHORTLIST_DATABASE_URL"] = database_url
        env = instance_env(Path(home), **extra)
        settings = instance(env)
        logs = [Path(home) / f"watcher{n}.log" for n in range(watchers)]
        procs = [start_watcher(env, log) for log in logs]
        try:
            wait_for(
                lambda: (
                    all("watching" in log.read_text() for log in logs if log.exists())
                    and all(log.exists() for log in logs)
                ),
                180,
                message="every watcher to start",
            )
            for i, text in enumerate(jobs):
                (settings.inbox / "jobs" / f"job{i}.txt").write_text(text)
            wait_for(lambda: _count(settings) == len(jobs), 120, message="the jobs")
            started = time.perf_counter()
            for name, data in resumes:
                (settings.inbox / "resumes" / name).write_bytes(data)
            total = len(jobs) + len(resumes)
            wait_for(lambda: _count(settings) == total, 1200, interval=0.1, message=f"{total} documents")
            seconds = time.perf_counter() - started
        finally:
            for proc in procs:
                proc.send_signal(signal.SIGTERM)
            for proc in procs:
                proc.wait(60)
        matches = db_rows(settings, "SELECT count(*) FROM match")[0][0]
        return {"seconds": seconds, "files_per_s": len(resumes) / seconds, "matches": matches}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resumes", type=int, default=300)
    parser.add_argument("--watchers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument(
        "--pg-option",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a PostgreSQL server setting, e.g. synchronous_commit=off (repeatable)",
    )
    args = parser.parse_args()
    jobs = [sample_job(i) for i in range(10)]
    resumes = [
        (f"r{i}.docx", make_docx(sample_resume(i).splitlines()))
        if i % 3 == 0
        else (f"r{i}.pdf", make_pdf(sample_resume(i, long=True)))
        for i in range(args.resumes)
    ]
    from tests.pg import Cluster

    cluster = Cluster(fast=False, options=tuple(args.pg_option)).start()
    print(
        f"{args.resumes} resumes (2/3 PDF, 1/3 DOCX) after 10 jobs; {os.cpu_count()} CPUs; one parse worker "
        f"per watcher; PostgreSQL settings: {', '.join(args.pg_option) or 'defaults'}"
    )
    print(f"{'database':<11} {'watchers':>8} {'seconds':>8} {'resumes/s':>10} {'matches':>8}")
    try:
        for watchers in args.watchers:
            for name in ("sqlite", "postgresql"):
                url = cluster.create_database(f"bench_{watchers}") if name == "postgresql" else None
                result = run(url, watchers, resumes, jobs)
                print(
                    f"{name:<11} {watchers:>8} {result['seconds']:>8.1f} {result['files_per_s']:>10.1f} "
                    f"{result['matches']:>8}",
                    flush=True,
                )
                if url:
                    cluster.drop_database(f"bench_{watchers}")
    finally:
        cluster.stop()


if __name__ == "__main__":
    main()
