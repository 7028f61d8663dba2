"""Open-loop HTTP load: a fixed request rate, bounded in time and count, to loopback (or a drill's own netns) only.

Requests are sent on schedule whether or not earlier ones have answered (so a stalled server
shows as queued, timed-out requests rather than a politely slower client), each on a new
connection, and latency is measured from the scheduled send time. Each request is one Sample.

`python -m chaos.load URL [URL ...] --rate R --duration S --json` runs the same client from a
shell, for instance inside a network namespace with `ip netns exec`.
"""

from __future__ import annotations

import argparse
import http.client
import ipaddress
import json
import socket
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from urllib.parse import urlsplit

MAX_SECONDS = 300.0  # no load runs longer than this, whatever it is asked
MAX_RATE = 500.0


@dataclass
class Sample:
    at: float  # scheduled send time, seconds on the drill's clock
    latency: float  # seconds from the scheduled send to the end of the response (or the error)
    status: int  # HTTP status, 0 when no response came
    error: str = ""

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 400


def check_target(url: str, allowed: tuple[str, ...] = ()) -> None:
    """Refuse any address that is not loopback or explicitly allowed (a drill's own network namespace)."""
    host = urlsplit(url).hostname or ""
    if host == "localhost" or host in allowed:
        return
    try:
        if ipaddress.ip_address(host).is_loopback:
            return
    except ValueError:
        pass
    raise ValueError(
        f"refusing to send load to {host!r}: drills only target loopback addresses or a network namespace they created"
    )


def fetch(url: str, timeout: float) -> tuple[int, str]:
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=timeout)
    try:
        conn.request(
            "GET",
            (parts.path or "/") + (f"?{parts.query}" if parts.query else ""),
            headers={"User-Agent": "shortlist-chaos", "Connection": "close"},
        )
        response = conn.getresponse()
        response.read()
        return response.status, ""
    except (socket.timeout, TimeoutError):
        return 0, "timeout"
    except ConnectionRefusedError:
        return 0, "refused"
    except (ConnectionResetError, BrokenPipeError, http.client.RemoteDisconnected):
        return 0, "reset"
    except OSError as exc:
        return 0, type(exc).__name__
    finally:
        conn.close()


class Load:
    """Send GETs to `urls` in turn at `rate` per second until stopped or `duration` seconds have passed."""

    def __init__(
        self,
        urls: list[str],
        rate: float,
        duration: float = MAX_SECONDS,
        timeout: float = 2.0,
        clock=time.monotonic,
        origin: float | None = None,
        allowed: tuple[str, ...] = (),
    ) -> None:
        for url in urls:
            check_target(url, allowed)
        if not 0 < rate <= MAX_RATE:
            raise ValueError(f"rate must be in (0, {MAX_RATE:g}] requests per second, got {rate}")
        self.urls, self.rate, self.timeout = urls, rate, timeout
        self.duration = min(duration, MAX_SECONDS)
        self.clock = clock
        self.origin = clock() if origin is None else origin
        self.samples: list[Sample] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        # enough threads for every request that can be in flight at once; more are queued, and wait
        self._pool = ThreadPoolExecutor(
            max_workers=max(4, min(256, int(rate * timeout) + 4)), thread_name_prefix="load"
        )
        self._thread = threading.Thread(target=self._schedule, name="load-scheduler", daemon=True)
        self.started = self.stopped = 0.0

    def start(self) -> "Load":
        self.started = self.clock() - self.origin
        self._thread.start()
        return self

    def _schedule(self) -> None:
        begin = self.clock()
        limit = int(self.duration * self.rate)
        for i in range(limit):
            due = begin + i / self.rate
            if self._stop.wait(max(0.0, due - self.clock())):
                break
            self._pool.submit(self._one, self.urls[i % len(self.urls)], due)

    def _one(self, url: str, due: float) -> None:
        status, error = fetch(url, self.timeout)
        sample = Sample(round(due - self.origin, 4), round(self.clock() - due, 4), status, error)
        with self._lock:
            self.samples.append(sample)

    def stop(self) -> list[Sample]:
        self._stop.set()
        self._thread.join()
        self._pool.shutdown(wait=True)
        self.stopped = self.clock() - self.origin
        with self._lock:
            return sorted(self.samples, key=lambda s: s.at)

    def wait(self) -> list[Sample]:
        self._thread.join()
        return self.stop()


def quantile(values: list[float], q: float) -> float | None:
    """Nearest-rank quantile."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(round(q * len(ordered) + 0.5)) - 1))]


def summarize(samples: list[Sample], latency_bound: float = 2.0) -> dict:
    latencies = [s.latency for s in samples]
    failed = [s for s in samples if not s.ok]
    kinds: dict[str, int] = {}
    for s in failed:
        key = s.error or f"HTTP {s.status}"
        kinds[key] = kinds.get(key, 0) + 1
    ok_latencies = [s.latency for s in samples if s.ok]
    return {
        "attempted": len(samples),
        "failed": len(failed),
        "error_ratio": round(len(failed) / len(samples), 5) if samples else 0.0,
        "failures_by_kind": kinds,
        "first_failure_at": failed[0].at if failed else None,
        "last_failure_at": max(s.at for s in failed) if failed else None,
        "p50_s": _round(quantile(latencies, 0.50)),
        "p95_s": _round(quantile(latencies, 0.95)),
        "p99_s": _round(quantile(latencies, 0.99)),
        "max_s": _round(max(latencies) if latencies else None),
        "p95_ok_s": _round(quantile(ok_latencies, 0.95)),
        "under_bound_ratio": round(sum(1 for v in latencies if v < latency_bound) / len(latencies), 5)
        if latencies
        else None,
        "latency_bound_s": latency_bound,
    }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m chaos.load", description=__doc__.split("\n")[0])
    parser.add_argument("urls", nargs="+")
    parser.add_argument("--rate", type=float, default=5.0, help="requests per second")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds (at most %g)" % MAX_SECONDS)
    parser.add_argument("--timeout", type=float, default=5.0, help="seconds one request may take")
    parser.add_argument(
        "--allow", action="append", default=[], help="a non-loopback address this run may target (a drill's netns peer)"
    )
    parser.add_argument("--json", action="store_true", help="print every sample and the summary as JSON")
    args = parser.parse_args(argv)
    load = Load(args.urls, args.rate, args.duration, args.timeout, allowed=tuple(args.allow))
    samples = load.start().wait()
    summary = summarize(samples)
    if args.json:
        json.dump({"summary": summary, "samples": [asdict(s) for s in samples]}, sys.stdout)
    else:
        print(json.dumps(summary, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
