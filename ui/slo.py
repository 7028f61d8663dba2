"""The SLO report: every SLO of observability/slo.yaml as Prometheus measures it, or this web process's own figures.

`measure()` asks Prometheus's HTTP API for the series the generated rules record (the SLI now and over
the compliance period, the error budget remaining, the burn rate over the last hour, the alerts and a
range of the SLI for a chart) and, given this instance's addresses, which targets it scrapes, all queries
at once and within `TIMEOUT` seconds together, so a slow or
missing Prometheus never holds a page up. A Prometheus that scrapes no target for this instance (another
instance's ports, say) has SLIs of some other service: the report then withholds them and says so.
`local_figures()` computes what a process can say about its
own requests since it started, from its prometheus_client registry or from its /metrics text. The /slo
page (ui/pages/slo.py) and `python -m ui slo` (`cli()`) show the same report.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import math
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Iterable, Iterator

import httpx

from observability.spec import load_spec, parse_duration
from observability.targets import WATCHER, WEB, bind_addresses, same_target

TIMEOUT = 2.0  # seconds for all the Prometheus queries of one report together
NOW_WINDOW = "5m"  # "now" is the shortest SLI window the rules record
BURN_WINDOW = "1h"  # the burn rate shown, the fast page alert's long window
# The span a chart shows and the SLI window it plots, by the ?range= a person picks.
RANGES = {"15m": "5m", "1h": "5m", "6h": "5m", "1d": "1h", "7d": "1h", "30d": "1d"}
DEFAULT_RANGE = "1h"
POINTS = 120  # points per chart
# The HTTP SLIs leave out probes and scrapes (observability/slo.yaml explains why); so do the local figures.
NON_USER_ROUTES = frozenset({"/metrics", "/healthz", "/readyz"})
# SLIs a web process can compute from its own registry: the SLI's record name -> the local figure.
LOCAL_SLIS = {
    "http_requests_success:ratio": "success_ratio",
    "http_requests_errors:ratio": "error_ratio",
    "http_request_latency_under_2s:ratio": "under_2s_ratio",
}
# Exit codes of `python -m ui slo` (documented in the README).
EXIT_OK, EXIT_EXHAUSTED, EXIT_UNREACHABLE, EXIT_NOT_SCRAPED = 0, 1, 3, 4
PROCESSES = {WEB: "web UI", WATCHER: "watcher"}  # the scrape jobs of this instance's processes


@functools.cache
def current_spec() -> dict[str, Any]:
    """observability/slo.yaml, read once per process (Prometheus too needs a reload to see a change)."""
    return load_spec()


class PrometheusError(Exception):
    """Prometheus did not answer, or answered with an error; the message says which, for a person."""


@dataclass(frozen=True)
class Objective:
    """One SLO of the spec, as the report needs it."""

    name: str
    title: str
    description: str
    target: float | None  # the share that must be good (0.99); None for an informational figure
    informational: bool
    lower_is_better: bool  # the SLI is an error ratio, like error-rate's
    is_ratio: bool  # False for a plain value (the average matching score)
    record: str

    @classmethod
    def from_spec(cls, slo: dict[str, Any]) -> "Objective":
        sli = slo["sli"]
        is_ratio = "value" not in sli
        return cls(
            name=slo["name"],
            title=slo["title"],
            description=slo["description"],
            target=float(slo["objective"]) / (100 if is_ratio else 1) if "objective" in slo else None,
            informational=bool(slo.get("informational")),
            lower_is_better="bad" in sli,
            is_ratio=is_ratio,
            record=sli["record"],
        )

    def metric(self, window: str) -> str:
        return f"sli:{self.record}_rate{window}"

    @property
    def threshold(self) -> float | None:
        """What the SLI itself is held to: the objective, or for an error ratio the budget (1 - objective)."""
        if self.target is None:
            return None
        return 1 - self.target if self.lower_is_better else self.target

    def objective_text(self) -> str:
        if self.target is None:
            return "none: shown only"
        if not self.is_ratio:
            return f"at least {number(self.target)}"
        return f"under {percent(1 - self.target)}" if self.lower_is_better else percent(self.target)

    def meets(self, value: float | None) -> bool | None:
        if value is None or self.threshold is None:
            return None
        return value <= self.threshold if self.lower_is_better else value >= self.threshold


def objectives(spec: dict[str, Any]) -> list[Objective]:
    return [Objective.from_spec(slo) for slo in spec["slos"]]


# --- formatting, shared by the page and the command line


def number(value: float | None, digits: int = 1) -> str:
    if value is None:
        return "–"
    text = f"{value:.{digits}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def percent(value: float | None, digits: int = 2) -> str:
    """A fraction as a percentage with at most `digits` decimals: 0.995 is "99.5%", 1.0 is "100%"."""
    return "–" if value is None else number(100 * value, digits) + "%"


def burn(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:.2f}x" if value < 10 else f"{value:.1f}x"


def sli_text(objective: Objective, value: float | None) -> str:
    return percent(value) if objective.is_ratio else number(value)


# --- Prometheus's HTTP API


def _float(text: str) -> float | None:
    """A sample value; NaN (0 of 0 requests) and infinities read as no value."""
    value = float(text)
    return value if math.isfinite(value) else None


class Prometheus:
    """The two calls of Prometheus's HTTP API the report needs, on one httpx client."""

    def __init__(self, url: str, client: httpx.AsyncClient) -> None:
        self.url = url.rstrip("/")
        self.client = client

    async def _get(self, path: str, params: dict[str, Any]) -> Any:
        try:
            response = await self.client.get(self.url + path, params=params)
        except httpx.TimeoutException:
            raise PrometheusError(f"Prometheus at {self.url} did not answer within {TIMEOUT:g} s") from None
        except httpx.HTTPError as exc:
            reason = str(exc) or type(exc).__name__
            raise PrometheusError(f"Prometheus at {self.url} is not reachable ({reason})") from None
        try:
            body = response.json()
        except ValueError:
            raise PrometheusError(f"{self.url} answered HTTP {response.status_code}, not Prometheus's API") from None
        if not isinstance(body, dict) or body.get("status") != "success":
            error = body.get("error") if isinstance(body, dict) else None
            raise PrometheusError(f"Prometheus at {self.url} refused the query: {error or response.status_code}")
        return body["data"]

    async def query(self, expr: str) -> list[tuple[dict[str, str], float | None]]:
        data = await self._get("/api/v1/query", {"query": expr})
        return [(item["metric"], _float(item["value"][1])) for item in data["result"]]

    async def query_range(
        self, expr: str, start: float, end: float, step: float
    ) -> list[tuple[dict[str, str], list[tuple[float, float | None]]]]:
        data = await self._get(
            "/api/v1/query_range", {"query": expr, "start": f"{start:.3f}", "end": f"{end:.3f}", "step": f"{step:g}"}
        )
        return [(item["metric"], [(float(t), _float(v)) for t, v in item["values"]]) for item in data["result"]]

    async def targets(self) -> list[dict[str, str]]:
        """The targets Prometheus scrapes now: job, instance and health (up, down, or unknown before a scrape)."""
        data = await self._get("/api/v1/targets", {"state": "active"})
        return [
            {
                "job": t["labels"].get("job", ""),
                "instance": t["labels"].get("instance", ""),
                "health": t.get("health", "unknown"),
            }
            for t in data.get("activeTargets", [])
        ]


def scrape_check(bound: dict[str, str], active: list[dict[str, str]]) -> list[dict[str, Any]]:
    """For each process of this instance (scrape job -> address it listens on), the target Prometheus scrapes it
    as and that target's health, or state "missing"; and the other instances Prometheus scrapes under that job."""
    checks = []
    for job, address in bound.items():
        of_job = [t for t in active if t["job"] == job]
        mine = [t for t in of_job if same_target(address, t["instance"])]
        checks.append(
            {
                "job": job,
                "process": PROCESSES.get(job, job),
                "address": address,
                "state": mine[0]["health"] if mine else "missing",
                "instance": mine[0]["instance"] if mine else None,
                "others": sorted(t["instance"] for t in of_job if t not in mine),
            }
        )
    return checks


def _judge_targets(report: dict[str, Any], instance: dict[str, str], active: list[dict[str, str]]) -> bool:
    """Fill the report's targets, unscraped and note; True when Prometheus does not scrape this instance."""
    report["targets"] = scrape_check(instance, active)
    report["unscraped"], report["note"] = _scrape_verdict(report["prometheus_url"], report["targets"])
    if report["unscraped"]:
        report["source"] = "local"
    return report["unscraped"] is not None


def _scrape_verdict(url: str, checks: list[dict[str, Any]]) -> tuple[str | None, str | None]:
    """(why the SLIs are withheld, or None; a note on other instances whose figures the SLIs add in, or None)."""
    missing = [c for c in checks if c["state"] == "missing"]
    if missing:
        parts = [
            f"the {c['process']} on {c['address']} ("
            + (f"its {c['job']} job scrapes {', '.join(c['others'])}" if c["others"] else f"no {c['job']} target")
            + ")"
            for c in missing
        ]
        return (
            f"Prometheus at {url} has no target for this instance: it does not scrape "
            + " or ".join(parts)
            + ". What it records would describe another service, or nothing, so no SLO figures are shown"
        ), None
    others = [f"{', '.join(c['others'])} ({c['job']})" for c in checks if c["others"]]
    if others:
        return None, ("Prometheus also scrapes " + "; ".join(others) + ": the SLIs add those instances in.")
    return None, None


async def _all(coroutines: list, timeout: float) -> list:
    """Run the queries together; the first failure or the deadline cancels the rest."""
    tasks = [asyncio.ensure_future(c) for c in coroutines]
    try:
        async with asyncio.timeout(timeout):
            return await asyncio.gather(*tasks)
    except TimeoutError:
        raise PrometheusError(f"Prometheus did not answer within {timeout:g} s") from None
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


async def _nothing() -> None:
    """Stands in for a query the report does not make."""


def _by_slo(samples: list[tuple[dict[str, str], Any]]) -> dict[str, Any]:
    return {labels["slo"]: value for labels, value in samples if "slo" in labels}


async def measure(
    url: str,
    range_key: str = DEFAULT_RANGE,
    *,
    spec: dict[str, Any] | None = None,
    timeout: float = TIMEOUT,
    now: float | None = None,
    instance: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The report for every SLO, from the Prometheus at `url`; on any failure, the spec's SLOs without figures
    and `prometheus_error` saying what went wrong. With `instance` (scrape job -> the address this instance's
    process listens on, observability.targets.bind_addresses), `targets` says how Prometheus scrapes each, and
    when it scrapes none for one of them, `unscraped` says so and the SLOs have no figures (status not-scraped)."""
    spec = spec or current_spec()
    if range_key not in RANGES:
        raise ValueError(f"range must be one of {', '.join(RANGES)}")
    end = time.time() if now is None else now
    start = end - parse_duration(range_key) / 1000
    report: dict[str, Any] = {
        "source": "prometheus",
        "prometheus_url": url,
        "prometheus_error": None,
        "note": None,
        "generated_at": datetime.fromtimestamp(end, timezone.utc).isoformat(timespec="seconds"),
        "range": range_key,
        "ranges": list(RANGES),
        "start": start,
        "end": end,
        "step": max(1.0, round((end - start) / POINTS, 3)),
        "window_now": NOW_WINDOW,
        "burn_window": BURN_WINDOW,
        "chart_window": RANGES[range_key],
        "period": spec["period"],
        "targets": None,
        "unscraped": None,
    }
    found = await _ask(report, spec["service"], timeout, instance)
    _fill(report, spec, found)
    return report


async def _ask(
    report: dict[str, Any], service: str, timeout: float, instance: dict[str, str] | None
) -> dict[str, list]:
    """Every query the report needs, at once; empty answers when Prometheus fails or measures another service."""
    url, period, sel = report["prometheus_url"], report["period"], f'service="{service}"'
    names = ("now", "period", "burn", "budget", "alerts", "credit", "series")
    async with httpx.AsyncClient(timeout=timeout, trust_env=False) as client:
        prom = Prometheus(url, client)
        try:
            *answers, active = await _all(
                [
                    prom.query(f'{{__name__=~"sli:.+_rate{NOW_WINDOW}", {sel}}}'),
                    prom.query(f'{{__name__=~"sli:.+_rate{period}", {sel}}}'),
                    prom.query(f"slo:burn_rate:ratio_rate{BURN_WINDOW}{{{sel}}}"),
                    prom.query(f"slo:error_budget_remaining:ratio{{{sel}}}"),
                    prom.query(f"ALERTS{{{sel}}}"),
                    prom.query(f"sla:service_credit:percent{{{sel}}}"),
                    prom.query_range(
                        f'{{__name__=~"sli:.+_rate{report["chart_window"]}", {sel}, slo!=""}}',
                        report["start"],
                        report["end"],
                        report["step"],
                    ),
                    prom.targets() if instance is not None else _nothing(),
                ],
                timeout,
            )
        except PrometheusError as exc:
            report.update(source="local", prometheus_error=str(exc))
            return {name: [] for name in names}
    if instance is not None and _judge_targets(report, instance, active):
        return {name: [] for name in names}  # another service's figures
    found = dict(zip(names, answers, strict=True))
    if not found["now"] and not found["period"]:
        report["note"] = " ".join(
            filter(
                None,
                [
                    f"Prometheus at {url} answers but has recorded no Shortlist SLIs yet: it needs the rules in "
                    "observability/rules/ loaded and the web process as a target, and a minute of data.",
                    report["note"],
                ],
            )
        )
    return found


def _fill(report: dict[str, Any], spec: dict[str, Any], found: dict[str, list]) -> None:
    """The rows, the SLA and the alerts of the report, from the answers."""
    period = report["period"]
    sli_now, sli_period = _by_slo(found["now"]), _by_slo(found["period"])
    burn_rates, budgets = _by_slo(found["burn"]), _by_slo(found["budget"])
    charts = {labels["slo"]: values for labels, values in found["series"] if "slo" in labels}
    firing: dict[str, list[dict[str, str]]] = {}
    other_alerts = []
    for labels, _value in found["alerts"]:
        alert = {
            "alertname": labels.get("alertname", "?"),
            "state": labels.get("alertstate", "?"),
            "severity": labels.get("severity", ""),
            "window": labels.get("long_window", ""),
        }
        (firing.setdefault(labels["slo"], []) if "slo" in labels else other_alerts).append(alert)
    hour_share = parse_duration(BURN_WINDOW) / parse_duration(period)
    rows = []
    for objective in objectives(spec):
        row = _row(
            objective,
            sli_now.get(objective.name),
            sli_period.get(objective.name),
            budgets.get(objective.name),
            burn_rates.get(objective.name),
            hour_share,
            sorted(firing.get(objective.name, []), key=lambda a: (a["state"] != "firing", a["alertname"])),
        )
        row["series"] = [[t, v] for t, v in charts.get(objective.name, [])]
        if report["unscraped"]:
            row["status"] = "not-scraped"
        rows.append(row)
    report["slos"] = rows
    report["p95_seconds"] = next(
        (
            v
            for labels, v in found["now"]
            if labels.get("__name__", "").startswith("sli:http_request_latency_seconds:p95_rate")
        ),
        None,
    )
    sla = spec.get("sla")
    report["sla"] = None
    if sla:
        credit = found["credit"]
        report["sla"] = {
            "slo": sla["slo"],
            "objective": float(sla["objective"]) / 100,
            "window": sla["window"],
            "uptime": sli_period.get(sla["slo"]) if sla["window"] == period else None,
            "credit_percent": credit[0][1] if credit else None,
        }
    report["alerts"] = other_alerts
    report["exhausted"] = [row["name"] for row in rows if row["status"] == "exhausted"]


def _row(
    objective: Objective,
    now: float | None,
    over_period: float | None,
    budget: float | None,
    burn_rate: float | None,
    hour_share: float,
    alerts: list[dict[str, str]],
) -> dict[str, Any]:
    row: dict[str, Any] = {
        "name": objective.name,
        "title": objective.title,
        "description": objective.description,
        "informational": objective.informational,
        "lower_is_better": objective.lower_is_better,
        "is_ratio": objective.is_ratio,
        "objective": objective.target,
        "threshold": objective.threshold,
        "objective_text": objective.objective_text(),
        "sli_now": now,
        "sli_period": over_period,
        "budget_remaining": None if objective.informational else budget,
        "burn_rate": None if objective.informational else burn_rate,
        "budget_spent_last_hour": None if objective.informational or burn_rate is None else burn_rate * hour_share,
        "alerts": alerts,
    }
    row["status"] = _status(objective, row)
    return row


def _status(objective: Objective, row: dict[str, Any]) -> str:
    """ok, burning (an alert pending or firing, or the budget going faster than it lasts), exhausted or no-data;
    an informational SLO meets or is below its threshold, or is only shown when it has none."""
    if objective.informational:
        value = row["sli_period"] if row["sli_period"] is not None else row["sli_now"]
        if objective.target is None:
            return "no-data" if value is None else "shown"
        met = objective.meets(value)
        return "no-data" if met is None else "meets" if met else "below"
    if row["budget_remaining"] is None and row["sli_now"] is None:
        return "no-data"
    if row["budget_remaining"] is not None and row["budget_remaining"] <= 0:
        return "exhausted"
    if row["alerts"] or (row["burn_rate"] or 0) > 1:
        return "burning"
    return "ok"


# --- what a process knows about its own requests


Sample = tuple[str, dict[str, str], float]


def samples_from_registry(registry) -> Iterator[Sample]:
    for family in registry.collect():
        for sample in family.samples:
            yield sample.name, sample.labels, sample.value


def samples_from_text(text: str) -> Iterator[Sample]:
    from prometheus_client.parser import text_string_to_metric_families

    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            yield sample.name, sample.labels, sample.value


def histogram_quantile(q: float, buckets: Iterable[tuple[float, float]]) -> float | None:
    """Prometheus's histogram_quantile over cumulative (upper bound, count) buckets: linear within the bucket
    the rank falls in; the highest finite bound when it falls in +Inf; None without observations."""
    ordered = sorted(buckets)
    if not ordered or ordered[-1][0] != math.inf or ordered[-1][1] <= 0:
        return None
    rank = q * ordered[-1][1]
    lower, below = 0.0, 0.0
    for bound, count in ordered:
        if count >= rank:
            if bound == math.inf:
                return lower
            if bound <= 0:
                return bound
            return lower + (bound - lower) * (rank - below) / (count - below) if count > below else lower
        lower, below = bound, count
    return lower


def local_figures(samples: Iterable[Sample], spec: dict[str, Any] | None = None) -> dict[str, Any]:
    """Request success, errors, share under 2 s and p95 of this process's user requests since it started."""
    spec = spec or current_spec()
    requests = good = errors = timed = 0.0
    buckets: dict[float, float] = {}
    started = None
    for name, labels, value in samples:
        if name == "process_start_time_seconds":
            started = value
        if labels.get("route") in NON_USER_ROUTES:
            continue
        if name == "http_requests_total":
            requests += value
            status = labels.get("status", "")
            good += value if status[:1] in ("2", "3") else 0
            errors += value if status[:1] == "5" else 0
        elif name == "http_request_latency_seconds_bucket":
            bound = float(labels["le"])
            buckets[bound] = buckets.get(bound, 0.0) + value
        elif name == "http_request_latency_seconds_count":
            timed += value
    figures = {
        "started_at": datetime.fromtimestamp(started, timezone.utc).isoformat(timespec="seconds") if started else None,
        "requests": int(requests),
        "timed_requests": int(timed),
        "success_ratio": good / requests if requests else None,
        "error_ratio": errors / requests if requests else None,
        "under_2s_ratio": buckets[2.0] / timed if timed and 2.0 in buckets else None,
        "p95_seconds": histogram_quantile(0.95, buckets.items()),
    }
    figures["slos"] = [
        {
            "name": o.name,
            "title": o.title,
            "objective_text": o.objective_text(),
            "value": figures[LOCAL_SLIS[o.record]],
            "meets": o.meets(figures[LOCAL_SLIS[o.record]]),
        }
        for o in objectives(spec)
        if o.record in LOCAL_SLIS
    ]
    return figures


# --- `python -m ui slo`


def table(report: dict[str, Any]) -> str:
    """The report as a plain-text table."""
    lines = []
    if report["prometheus_error"]:
        lines.append(f"{report['prometheus_error']}.")
    elif report.get("unscraped"):
        lines.append(f"{report['unscraped']}.")
        lines.append(
            "`make run` starts a Prometheus that scrapes this instance's ports; or point "
            "SHORTLIST_PROMETHEUS_URL at one that does."
        )
    else:
        lines.append(f"Shortlist SLOs from Prometheus at {report['prometheus_url']}, {report['generated_at']}")
        if report["note"]:
            lines.append(report["note"])
        lines += ["", *_slo_lines(report), *_budget_lines(report)]
    if report.get("local") is not None:
        lines += ["", *_local_lines(report["local"])]
    return "\n".join(lines)


def _slo_lines(report: dict[str, Any]) -> list[str]:
    """One aligned line per SLO under a heading: objective, SLI now and over the period, budget, burn, status."""
    now, burn_window = f"now ({report['window_now']})", f"burn ({report['burn_window']})"
    head = ("SLO", "objective", now, report["period"], "budget left", burn_window, "status")
    rows = [head]
    objectives_by_name = {o.name: o for o in objectives(current_spec())}
    for row in report["slos"]:
        objective = objectives_by_name.get(row["name"])
        fmt = (lambda v, objective=objective: sli_text(objective, v)) if objective else percent
        status = row["status"] + "".join(
            f", {a['alertname']} {a['state']}" + (f" ({a['window']})" if a["window"] else "") for a in row["alerts"]
        )
        budget = percent(row["budget_remaining"], 1)
        rows.append(
            (
                row["title"],
                row["objective_text"],
                fmt(row["sli_now"]),
                fmt(row["sli_period"]),
                budget,
                burn(row["burn_rate"]),
                status,
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(head) - 1)]
    return ["  ".join(cell.ljust(widths[i]) for i, cell in enumerate(r[:-1])) + "  " + r[-1] for r in rows]


def _budget_lines(report: dict[str, Any]) -> list[str]:
    """The SLA's uptime and credit, the alerts, and which error budgets are exhausted."""
    lines = []
    sla = report.get("sla")
    if sla and sla["uptime"] is not None:
        lines.append("")
        lines.append(
            f"SLA: uptime over {sla['window']} {percent(sla['uptime'])} "
            f"(promised {percent(sla['objective'])}), "
            f"service credit owed {number(sla['credit_percent'])}%"
        )
    for alert in report["alerts"]:
        lines.append(f"alert {alert['alertname']} {alert['state']} ({alert['severity']})")
    if report["exhausted"]:
        lines.append("")
        lines.append(
            "Error budget exhausted: "
            + ", ".join(report["exhausted"])
            + " (docs/slo.md, error budget policy: feature freeze)."
        )
    return lines


def _local_lines(local: dict[str, Any]) -> list[str]:
    """The web process's own request figures, for when Prometheus cannot answer."""
    if local.get("error"):
        return [f"The web process's own figures are not available either: {local['error']}."]
    since = f" since it started at {local['started_at']}" if local["started_at"] else " since it started"
    lines = [
        f"The web process's own figures{since}: {local['requests']} requests, p95 {number(local['p95_seconds'], 3)} s"
    ]
    for item in local["slos"]:
        verdict = {True: "meets", False: "misses", None: "no requests"}[item["meets"]]
        lines.append(f"  {item['title']}: {percent(item['value'])} (objective {item['objective_text']}), {verdict}")
    return lines


def _web_figures(settings) -> dict[str, Any]:
    """The running web process's own figures, from its /metrics."""
    host = "127.0.0.1" if settings.host in ("0.0.0.0", "::", "") else settings.host
    url = f"http://{host}:{settings.port}/metrics"
    try:
        response = httpx.get(url, timeout=TIMEOUT, trust_env=False)
        response.raise_for_status()
    except httpx.HTTPError as exc:
        return {"error": f"{url}: {exc or type(exc).__name__}", "url": url}
    return {"url": url, **local_figures(samples_from_text(response.text))}


def cli(argv: list[str] | None = None) -> int:
    """`python -m ui slo`: print the report; exit 1 when an error budget is exhausted, 3 without Prometheus,
    4 when Prometheus scrapes no target for this instance."""
    from store.settings import load

    parser = argparse.ArgumentParser(prog="python -m ui slo", description="Every SLO as Prometheus measures it.")
    parser.add_argument("--json", action="store_true", help="print the report as JSON (as /slo.json serves it)")
    parser.add_argument("--prometheus", metavar="URL", help="Prometheus to ask (default SHORTLIST_PROMETHEUS_URL)")
    parser.add_argument(
        "--range",
        choices=list(RANGES),
        default=DEFAULT_RANGE,
        help="span of the SLI series in --json (default %(default)s)",
    )
    args = parser.parse_args(argv)
    settings = load()
    report = asyncio.run(
        measure(args.prometheus or settings.prometheus_url, args.range, instance=bind_addresses(settings))
    )
    report["local"] = _web_figures(settings) if report["prometheus_error"] or report["unscraped"] else None
    if args.json:
        print(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        print(table(report))
    if report["prometheus_error"]:
        return EXIT_UNREACHABLE
    if report["unscraped"]:
        return EXIT_NOT_SCRAPED
    return EXIT_EXHAUSTED if report["exhausted"] else EXIT_OK


if __name__ == "__main__":
    sys.exit(cli())
