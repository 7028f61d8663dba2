"""Benchmark the ranking page: 10,000 candidates, concurrent clients on 127.0.0.1, p50/p95/p99 and throughput.

    .venv/bin/python bench/web.py [--candidates 10000] [--clients 20] [--seconds 15]

Seeds a throw-away instance through the real pipeline (generated documents through its stages and writer,
tests/seed.py), starts `python -m ui` on a free port,
and drives the first page and a filtered page in turn, each for a bounded time. Prints figures;
never fails on a timing (a benchmark is not a test). Target: p95 under 100 ms at 20 clients.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from store.db import make_engine, migrate  # noqa: E402
from store.settings import ensure_dirs, load  # noqa: E402
from tests.seed import Seeder  # noqa: E402

SCENARIOS = (
    ("first page", "/jobs/{job}"),
    ("filtered", "/jobs/{job}?min_score=40&status=new&skill=Python"),
    ("sorted by name, page 20", "/jobs/{job}?sort=name&page=20"),
    ("first page as JSON", "/jobs/{job}.json"),
    # every request a view nobody asked for before: the cache never helps (the cost of a change)
    ("filtered, never cached", "/jobs/{job}?min_score={fresh}&status=new&skill=Python"),
    ("first page, never cached", "/jobs/{job}?min_score={fresh}"),
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


class Connection:
    """A minimal keep-alive HTTP/1.1 client: the load generator must cost far less than the server it measures."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def get(self, path: str) -> int:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        self.writer.write(f"GET {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n\r\n".encode())
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        length = 0
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":", 1)[1])
        await self.reader.readexactly(length)
        return status

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


async def drive(host: str, port: int, path: str, clients: int, seconds: float) -> tuple[list[float], int, float]:
    latencies: list[float] = []
    errors = 0
    fresh = (i / 10_000 for i in itertools.count(1))  # a new min_score (a new view) per request
    connections = [Connection(host, port) for _ in range(clients)]
    for connection in connections:  # connect and warm up
        await connection.get(path.replace("{fresh}", "0"))
    deadline = time.perf_counter() + seconds

    async def one_client(connection: Connection) -> None:
        nonlocal errors
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            status = await connection.get(path.replace("{fresh}", f"{next(fresh):.4f}"))
            latencies.append(time.perf_counter() - started)
            if status != 200:
                errors += 1

    started = time.perf_counter()
    await asyncio.gather(*(one_client(c) for c in connections))
    elapsed = time.perf_counter() - started
    for connection in connections:
        connection.close()
    return latencies, errors, elapsed


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidates", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=15.0, help="per scenario")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="shortlist-bench-") as home:
        env = {k: v for k, v in os.environ.items() if not k.startswith("SHORTLIST_")}
        port = free_port()
        env.update(
            SHORTLIST_HOME=home,
            SHORTLIST_SKILLS=str(ROOT / "skills"),
            SHORTLIST_PORT=str(port),
            SHORTLIST_HOST="127.0.0.1",
            SHORTLIST_LOG_LEVEL="WARNING",
            SHORTLIST_METRICS_PORT="0",
        )
        settings = load(env)
        ensure_dirs(settings)
        engine = make_engine(settings.database_url)
        migrate(settings, engine)
        started = time.perf_counter()
        job = Seeder(settings, engine).corpus(jobs=1, resumes=args.candidates)[0][0].id
        engine.dispose()
        print(f"seeded {args.candidates:,} candidates for job {job} in {time.perf_counter() - started:.1f} s")

        server = subprocess.Popen([sys.executable, "-m", "ui"], cwd=ROOT, env=env)
        try:
            base = f"http://127.0.0.1:{port}"
            for _ in range(100):
                try:
                    if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.1)
            print(f"python -m ui on {base}; {args.clients} concurrent clients, {args.seconds:g} s per scenario\n")
            print(
                f"{'scenario':26} {'requests':>9} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
                f"{'errors':>7} {'server CPU ms/req':>18}"
            )
            for name, path in SCENARIOS:
                before = cpu_seconds(server.pid)
                latencies, errors, elapsed = asyncio.run(
                    drive("127.0.0.1", port, path.replace("{job}", str(job)), args.clients, args.seconds)
                )
                cpu = (cpu_seconds(server.pid) - before) * 1000 / max(1, len(latencies) + args.clients)
                ms = [value * 1000 for value in latencies]
                print(
                    f"{name:26} {len(ms):>9,} {len(ms) / elapsed:>8.1f} {percentile(ms, 50):>8.1f} "
                    f"{percentile(ms, 95):>8.1f} {percentile(ms, 99):>8.1f} {errors:>7} {cpu:>18.2f}"
                )
            loadavg = os.getloadavg()
            print(
                f"\nmachine: {os.cpu_count()} CPUs, load average {loadavg[0]:.2f} {loadavg[1]:.2f} {loadavg[2]:.2f} "
                f"(other work on the machine inflates latency); target p95 < 100 ms at 20 clients"
            )
        finally:
            server.terminate()
            server.wait(timeout=15)
    return 0


if __name__ == "__main__":
    sys.exit(main())
