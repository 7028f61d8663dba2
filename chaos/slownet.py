"""Chaos Toolkit actions for the slow network: a namespace and veth pair (chaos/netem.py), added latency,
the load client run inside the namespace, and the comparison of client- and server-side latency."""

from __future__ import annotations

import json
import sys

from chaos.actions import _drill, prepare_job


def create_slow_link() -> dict:
    """A network namespace and veth pair with a relay to the web; the undo deletes them all."""
    from chaos.netem import SlowLink

    drill, dep = _drill()
    link = SlowLink((dep.host, dep.port))
    drill.files["link"] = link

    def undo() -> None:
        link.down()
        left = link.leftovers()
        if left:
            raise RuntimeError(f"still there after clean-up: {', '.join(left)}")

    drill.on_rollback("delete the network namespace", undo)
    link.up()
    drill.measure(netns=link.netns, veth=[link.host_if, link.ns_if], relay=link.url)
    return {"netns": link.netns, "url": link.url}


def remove_slow_link() -> dict:
    """Rollback: delete the namespace, the veth pair and the qdiscs; fail if any is left."""
    drill, _ = _drill()
    drill.rollback_label("remove the netem qdiscs")
    drill.rollback_label("delete the network namespace")
    return {}


def add_latency(delay_ms: float = 150.0, jitter_ms: float = 10.0) -> dict:
    drill, _ = _drill()
    link = drill.files["link"]
    drill.on_rollback("remove the netem qdiscs", link.undelay)
    how = link.delay(delay_ms, jitter_ms)
    drill.mark("fault")
    drill.measure(
        delay=f"{delay_ms:g} ms ± {jitter_ms:g} ms each way", delay_mechanism=how, qdiscs=link.qdiscs().strip()
    )
    if link.mechanism != "netem":
        drill.note(
            f"tc netem is not available here ({how}); the same delay was added by the drill's relay on "
            "the host end of the veth pair, after the namespace's traffic crossed it"
        )
    return {"delay_ms": delay_ms, "jitter_ms": jitter_ms, "mechanism": link.mechanism}


def remove_latency() -> dict:
    drill, _ = _drill()
    drill.rollback_label("remove the netem qdiscs")
    drill.mark("fault ended")
    return {}


def load_through_link(name: str = "baseline", rate: float = 5.0, seconds: float = 10.0, timeout: float = 5.0) -> dict:
    """Run the load client inside the namespace against the ranking page across the link; also record what
    the web's own latency histogram saw for the same requests."""
    drill, dep = _drill()
    link = drill.files["link"]
    path = f"/jobs/{drill.files.get('job_id') or prepare_job()}"
    before = dep.web_metrics()
    started = drill.now()
    done = link.run_in(
        [
            sys.executable,
            "-m",
            "chaos.load",
            link.url + path,
            "--rate",
            str(rate),
            "--duration",
            str(seconds),
            "--timeout",
            str(timeout),
            "--allow",
            link.host_addr,
            "--json",
        ],
        timeout=seconds + timeout + 30,
    )
    if done.returncode != 0:
        raise RuntimeError(f"the client in {link.netns} failed: {done.stderr.strip()[-500:]}")
    out = json.loads(done.stdout)
    stats = out["summary"]
    stats.update(
        rate=rate, started_at=round(started, 3), stopped_at=round(drill.now(), 3), urls=[path + " (from the netns)"]
    )
    after = dep.web_metrics()
    stats["server"] = _server_latency(before, after, "/jobs/{job_id}")
    drill.load_stats[name] = stats
    drill.files.setdefault("samples", {})[name] = out["samples"]
    return stats


def _server_latency(before: dict, after: dict, route: str) -> dict:
    def pick(metrics: dict, name: str, **labels: str) -> float:
        return sum(
            v
            for (n, ls), v in metrics.items()
            if n == name and dict(ls).get("route") == route and all(dict(ls).get(k) == val for k, val in labels.items())
        )

    count = pick(after, "http_request_latency_seconds_count") - pick(before, "http_request_latency_seconds_count")
    total = pick(after, "http_request_latency_seconds_sum") - pick(before, "http_request_latency_seconds_sum")
    under = pick(after, "http_request_latency_seconds_bucket", le="2.0") - pick(
        before, "http_request_latency_seconds_bucket", le="2.0"
    )
    return {
        "requests": int(count),
        "mean_s": round(total / count, 4) if count else None,
        "under_2s_ratio": round(under / count, 5) if count else None,
    }


def compare_latency(
    baseline: str = "baseline",
    slow: str = "slow",
    delay_ms: float = 150.0,
    p95_under: float = 2.0,
    max_error_ratio: float = 0.01,
) -> dict:
    """Check the client-side latency SLI shows the added delay (at least one extra round trip) while the
    request SLOs hold, and report what the server's own histogram saw."""
    drill, _ = _drill()
    a, b = drill.load_stats[baseline], drill.load_stats[slow]
    added = round((b["p50_s"] or 0) - (a["p50_s"] or 0), 4)
    rtt = 2 * delay_ms / 1000
    drill.measure(
        client_p50_added_s=added,
        round_trip_added_s=rtt,
        server_mean_baseline_s=a["server"]["mean_s"],
        server_mean_slow_s=b["server"]["mean_s"],
    )
    drill.check(
        "client-side latency SLI shows the delay (p50 up by at least one round trip)",
        added >= rtt * 0.9,
        f"+{added:.3f} s",
        f">= +{rtt * 0.9:.3f} s",
    )
    drill.check(
        f"client p95 under {p95_under:g} s across the slow link",
        (b["p95_s"] or 0) < p95_under,
        b["p95_s"],
        f"< {p95_under:g} s",
    )
    drill.check(
        f"errors under {max_error_ratio:.0%} across the slow link",
        b["error_ratio"] < max_error_ratio,
        f"{b['failed']}/{b['attempted']}",
        f"< {max_error_ratio:.0%}",
    )
    server_a, server_b = a["server"]["mean_s"], b["server"]["mean_s"]
    if server_a is not None and server_b is not None:
        drill.note(
            f"the web's own http_request_latency_seconds for the ranking page averaged {server_a * 1000:.1f} "
            f"ms before and {server_b * 1000:.1f} ms with the delay: the server-side SLI measures from "
            "request to response inside the process and cannot see the network, so only a client-side "
            "probe (the blackbox exporter under compose) shows what users wait"
        )
    return {"client_p50_added_s": added}
