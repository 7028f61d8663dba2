"""Benchmark: a full re-score after a taxonomy edit at N resumes x M jobs, on the real watcher, with its peak memory.

The store is built through the real pipeline (chaos/seed.py: analyse_text and pipeline.record), then
the real watcher (`python -m pipeline watch`) is started on it, one skill is added under skills/, and
the re-score is timed from the edit to the `rescore` row's finish. Printed: the build time, the
re-score's seconds, documents and matches per second, batches, the watcher's CPU seconds and peak
RSS (VmHWM), its parse workers' CPU seconds (they re-extract), and where the batches spent their time
(shortlist_rescore_batch_seconds by kind).

    .venv/bin/python bench/rescore.py                          # 10,000 resumes x 50 jobs
    .venv/bin/python bench/rescore.py --resumes 2000 --jobs 20
    .venv/bin/python bench/rescore.py --home /tmp/rs --keep    # keep the built store; a second run reuses it
    .venv/bin/python bench/rescore.py --database postgresql    # the same on a throw-away PostgreSQL cluster
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import shutil
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from chaos.seed import seed  # noqa: E402
from pipeline.taxonomy import load_taxonomy  # noqa: E402
from store.db import make_engine  # noqa: E402
from tests.instance import ROOT, db_rows, free_port, instance, instance_env, start_watcher, wait_for  # noqa: E402

EDITS = {  # "wide": a skill every generated job asks for (every score changes); "rare": one nobody mentions
    "wide": (
        "category: Bench\nskills:\n  - name: Cross-team partnership {n}\n    aliases: [stakeholders, Partnered with]\n"
    ),
    "rare": "category: Bench\nskills:\n  - name: Zorblax {n}\n",
}


def _proc(pid: int) -> tuple[float, float]:
    """(CPU seconds, peak RSS in MB) of a process, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    cpu = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    status = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    return cpu, int(status["VmHWM"].split()[0]) / 1024


def _children_cpu(pid: int) -> float:
    """CPU seconds of a process's living children (the watcher's parse workers)."""
    total = 0.0
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            with contextlib.suppress(OSError):
                total += _proc(int(child))[0]
    return total


def build(home: Path, resumes: int, jobs: int, database_url: str | None) -> tuple[dict, object]:
    skills = home / "skills"
    if not skills.exists():
        shutil.copytree(ROOT / "skills", skills)
    extra = {"SHORTLIST_DATABASE_URL": database_url} if database_url else {}
    env = instance_env(home, SHORTLIST_SKILLS=str(skills), SHORTLIST_LOG_LEVEL="WARNING", **extra)
    settings = instance(env)
    have = db_rows(settings, "SELECT count(*) FROM match")[0][0]
    if have == resumes * jobs:
        print(f"reusing the store in {home}: {have:,} matches")
        return env, settings
    if have:
        raise SystemExit(f"{home} holds {have:,} matches, not {resumes * jobs:,}: use another --home")
    engine = make_engine(settings.database_url)
    try:
        done = seed(
            engine,
            load_taxonomy(skills),
            resumes,
            jobs,
            skills=skills,
            progress=lambda n: print(f"\r  built {n:,} of {resumes:,} resumes", end="", flush=True),
        )
    finally:
        engine.dispose()
    print(
        f"\nbuilt {resumes:,} resumes x {jobs} jobs through the pipeline in {done.seconds:.1f} s "
        f"({resumes / done.seconds:.0f} resumes/s)"
    )
    return env, settings


def batch_seconds(port: int) -> dict[str, tuple[float, int]]:
    text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read().decode()
    sums = dict(re.findall(r'shortlist_rescore_batch_seconds_sum\{kind="(\w+)"\} ([0-9.e+-]+)', text))
    counts = dict(re.findall(r'shortlist_rescore_batch_seconds_count\{kind="(\w+)"\} ([0-9.e+-]+)', text))
    return {kind: (float(sums[kind]), int(float(counts[kind]))) for kind in sums}


def run(home: Path, resumes: int, jobs: int, edit: str, database_url: str | None = None) -> None:
    env, settings = build(home, resumes, jobs, database_url)
    port = free_port()
    env = {**env, "SHORTLIST_METRICS_PORT": str(port)}
    proc = start_watcher(env, home / "watcher.log")
    try:
        # this watcher's own beat (a reused store holds the last one's): the edit must find it started
        beat = "SELECT 1 FROM heartbeat WHERE pid = ?"
        wait_for(lambda: db_rows(settings, beat, proc.pid), 120, message="the watcher's heartbeat")
        wait_for(
            lambda: db_rows(settings, "SELECT 1 FROM rescore WHERE finished_at IS NOT NULL"),
            3600,
            message="the watcher to find nothing stale",
        )
        cpu0, _ = _proc(proc.pid)
        workers0 = _children_cpu(proc.pid)
        skills = Path(env["SHORTLIST_SKILLS"])
        earlier = list(skills.glob("zz-bench-*.yaml"))
        n = 1 + max((int(p.stem.rsplit("-", 1)[1]) for p in earlier), default=-1)
        for path in earlier if edit == "wide" else ():  # a reused store: the earlier edit's aliases would clash
            path.unlink()
        (skills / f"zz-bench-{n}.yaml").write_text(EDITS[edit].format(n=n))
        version = load_taxonomy(skills).version
        started = time.perf_counter()
        finished = "SELECT 1 FROM rescore WHERE taxonomy_version = ? AND finished_at IS NOT NULL"
        wait_for(lambda: db_rows(settings, finished, version), 7200, interval=0.2, message="the re-score")
        seconds = time.perf_counter() - started
        cpu1, peak = _proc(proc.pid)
        workers1 = _children_cpu(proc.pid)
        total, batches = db_rows(settings, "SELECT total, batches FROM rescore")[0]
        documents = db_rows(settings, "SELECT count(*) FROM document")[0][0]
        matches = db_rows(settings, "SELECT count(*) FROM match")[0][0]
        stale = db_rows(settings, "SELECT count(*) FROM match WHERE taxonomy_version != ?", version)[0][0]
        kinds = batch_seconds(port)
    finally:
        proc.terminate()
        proc.wait(60)
    load = os.getloadavg()
    print(
        f"re-score after a '{edit}' edit: {documents:,} documents and {matches:,} matches in {seconds:.1f} s "
        f"({matches / seconds:,.0f} matches/s, {documents / seconds:,.0f} documents/s), {batches} batches, "
        f"{stale} left stale"
    )
    print(
        f"watcher: {cpu1 - cpu0:.1f} CPU s during the re-score (its parse workers {workers1 - workers0:.1f}), "
        f"peak RSS {peak:.0f} MB; load average "
        f"{load[0]:.1f} on {os.cpu_count()} CPUs"
    )
    for kind, (spent, count) in sorted(kinds.items()):
        if count:
            print(f"  {kind:8} {count:5} batches  {spent:7.1f} s  {spent / count:6.2f} s per batch")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--resumes", type=int, default=10_000)
    parser.add_argument("--jobs", type=int, default=50)
    parser.add_argument(
        "--edit",
        choices=sorted(EDITS),
        default="wide",
        help="wide: a skill every job asks for (every score changes); rare: one no document has",
    )
    parser.add_argument("--home", type=Path, help="instance folder (default: a temporary one)")
    parser.add_argument("--keep", action="store_true", help="keep --home afterwards (reused when run again)")
    parser.add_argument(
        "--database",
        choices=["sqlite", "postgresql"],
        default="sqlite",
        help="postgresql: a throw-away cluster (tests/pg.py) with its durable defaults",
    )
    args = parser.parse_args()
    home = args.home or Path(tempfile.mkdtemp(prefix="shortlist-rescore-"))
    home.mkdir(parents=True, exist_ok=True)
    cluster = None
    try:
        url = None
        if args.database == "postgresql":
            from tests.pg import Cluster

            cluster = Cluster(fast=False).start()
            url = cluster.create_database("bench_rescore")
        print(f"database: {args.database}")
        run(home, args.resumes, args.jobs, args.edit, url)
    finally:
        if cluster is not None:
            cluster.stop()
        if not args.keep:
            shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
