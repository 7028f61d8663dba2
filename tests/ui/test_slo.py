"""The SLO report's pure parts (quantile, own figures, formatting, chart geometry) and its behaviour when what
SHORTLIST_PROMETHEUS_URL points at is silent or not Prometheus. Against a real Prometheus: test_slo_live.py."""

from __future__ import annotations

import asyncio
import math
import socket
import time

import pytest
from prometheus_client import CollectorRegistry, generate_latest

from tests.ui.support import LiveServer, client_for, ui_settings
from ui import slo
from ui.metrics import WebMetrics
from ui.pages.slo import chart


def test_histogram_quantile_follows_prometheus():
    buckets = [(0.1, 50), (0.5, 90), (1.0, 100), (math.inf, 100)]
    assert slo.histogram_quantile(0.5, buckets) == pytest.approx(0.1)
    assert slo.histogram_quantile(0.95, buckets) == pytest.approx(0.75)  # halfway through (0.5, 1.0]
    assert slo.histogram_quantile(0.25, buckets) == pytest.approx(0.05)  # the first bucket starts at 0
    assert slo.histogram_quantile(0.99, [(1.0, 5), (math.inf, 10)]) == 1.0  # in +Inf: the highest finite bound
    assert slo.histogram_quantile(0.95, [(1.0, 0), (math.inf, 0)]) is None
    assert slo.histogram_quantile(0.95, []) is None


def test_own_figures_leave_out_probes_and_read_registry_and_text_alike():
    metrics = WebMetrics(CollectorRegistry())
    for route, status, seconds in [
        ("/jobs", "200", 0.05),
        ("/jobs", "200", 0.3),
        ("/other", "404", 0.01),
        ("/jobs/{job_id}", "500", 3.0),
        ("/healthz", "200", 0.001),
        ("/metrics", "200", 0.001),
    ]:
        metrics.requests.labels("GET", route, status).inc()
        metrics.latency.labels("GET", route).observe(seconds)
    from_registry = slo.local_figures(slo.samples_from_registry(metrics.registry))
    from_text = slo.local_figures(slo.samples_from_text(generate_latest(metrics.registry).decode()))
    assert from_registry == from_text
    assert from_registry["requests"] == 4
    assert from_registry["success_ratio"] == 0.5 and from_registry["error_ratio"] == 0.25
    assert from_registry["under_2s_ratio"] == 0.75
    assert 2.0 < from_registry["p95_seconds"] <= 5.0
    verdicts = {s["name"]: s["meets"] for s in from_registry["slos"]}
    assert verdicts == {"requests-success": False, "error-rate": False, "latency": False}


def test_no_requests_read_as_no_figures_not_as_failure():
    figures = slo.local_figures(slo.samples_from_registry(WebMetrics(CollectorRegistry()).registry))
    assert figures["requests"] == 0 and figures["success_ratio"] is None and figures["p95_seconds"] is None
    assert {s["meets"] for s in figures["slos"]} == {None}


@pytest.mark.parametrize(
    ("value", "text"),
    [(1.0, "100%"), (0.995, "99.5%"), (0.99912, "99.91%"), (0.0, "0%"), (None, "–"), (-26.9, "-2690%")],
)
def test_percentages_read_plainly(value, text):
    assert slo.percent(value) == text


def test_objectives_come_from_the_spec():
    objectives = {o.name: o for o in slo.objectives(slo.load_spec())}
    assert objectives["requests-success"].objective_text() == "99%"
    assert objectives["error-rate"].objective_text() == "under 1%" and objectives["error-rate"].lower_is_better
    assert objectives["error-rate"].meets(0.005) and not objectives["error-rate"].meets(0.02)
    assert objectives["latency"].threshold == 0.95
    assert objectives["matching-score"].objective_text() == "none: shown only"
    assert not objectives["matching-score"].is_ratio


def _row(series, **changes):
    row = {
        "title": "Request success",
        "is_ratio": True,
        "lower_is_better": False,
        "threshold": 0.99,
        "objective_text": "99%",
        "series": series,
    }
    return {**row, **changes}


def test_a_chart_breaks_its_line_where_there_is_no_value_and_draws_the_objective():
    series = [[0, 1.0], [10, 0.995], [20, None], [30, 0.5], [40, 0.6], [50, None], [60, 1.0]]
    geometry = chart(_row(series), 0, 60)
    assert len(geometry["paths"]) == 2 and len(geometry["dots"]) == 1
    assert geometry["lo_label"] == "20%" and geometry["hi_label"] == "100%"
    assert geometry["top"] < geometry["objective_y"] < geometry["bottom"]
    assert "lowest 50%" in geometry["summary"] and not geometry["empty"]
    empty = chart(_row([]), 0, 60)
    assert empty["empty"] and empty["paths"] == [] and "no data" in empty["summary"]


def test_an_error_ratio_chart_starts_at_zero_with_its_budget_in_view():
    geometry = chart(
        _row([[0, 0.0], [10, 0.002]], lower_is_better=True, threshold=0.01, objective_text="under 1%"), 0, 10
    )
    assert geometry["lo_label"] == "0%" and geometry["hi_label"] == "2%"
    assert geometry["objective_y"] is not None


def test_a_silent_prometheus_costs_the_page_two_seconds_not_more(tmp_path):
    with socket.socket() as listener:  # accepts connections (the kernel's backlog) and never answers
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        url = "http://127.0.0.1:%d" % listener.getsockname()[1]
        began = time.monotonic()
        report = asyncio.run(slo.measure(url))
        assert time.monotonic() - began < slo.TIMEOUT + 1
        assert "did not answer within 2 s" in report["prometheus_error"] and report["source"] == "local"
        settings = ui_settings(tmp_path, SHORTLIST_PROMETHEUS_URL=url)
        with client_for(settings) as client:
            began = time.monotonic()
            page = client.get("/slo")
            assert time.monotonic() - began < slo.TIMEOUT + 1
            assert "did not answer within 2 s" in page.text


def test_a_server_that_is_not_prometheus_is_named_as_such(tmp_path):
    with LiveServer(ui_settings(tmp_path / "other")) as other:  # a web UI, not a Prometheus
        report = asyncio.run(slo.measure(other.url))
    assert report["prometheus_error"] == f"{other.url} answered HTTP 404, not Prometheus's API"
    assert [row["status"] for row in report["slos"]] == ["no-data"] * len(report["slos"])


def test_the_page_refreshes_its_body_alone(tmp_path):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        url = "http://127.0.0.1:%d" % closed.getsockname()[1]  # bound, not listening: refused
    settings = ui_settings(tmp_path, SHORTLIST_PROMETHEUS_URL=url)
    with client_for(settings) as client:
        page = client.get("/slo?range=6h")
        assert 'hx-get="/slo?range=6h" hx-trigger="every 15s"' in page.text and 'href="/slo"' in page.text
        part = client.get("/slo?range=6h", headers={"HX-Request": "true", "HX-Target": "slo-body"})
        assert part.text.lstrip().startswith('<section id="slo-body"') and "<html" not in part.text


def test_scrape_check_tells_this_instance_from_another_one():
    bound = {"shortlist-web": "127.0.0.1:18080", "shortlist-watcher": "127.0.0.1:19101"}
    elsewhere = [
        {"job": "shortlist-web", "instance": "127.0.0.1:8080", "health": "down"},
        {"job": "shortlist-watcher", "instance": "127.0.0.1:19101", "health": "up"},
        {"job": "prometheus", "instance": "127.0.0.1:9090", "health": "up"},
    ]
    checks = slo.scrape_check(bound, elsewhere)
    assert [(c["job"], c["state"], c["others"]) for c in checks] == [
        ("shortlist-web", "missing", ["127.0.0.1:8080"]),
        ("shortlist-watcher", "up", []),
    ]
    unscraped, note = slo._scrape_verdict("http://127.0.0.1:9090", checks)
    assert unscraped == (
        "Prometheus at http://127.0.0.1:9090 has no target for this instance: it does not scrape "
        "the web UI on 127.0.0.1:18080 (its shortlist-web job scrapes 127.0.0.1:8080). "
        "What it records would describe another service, or nothing, so no SLO figures are shown"
    )
    assert note is None
    both = elsewhere + [{"job": "shortlist-web", "instance": "localhost:18080", "health": "down"}]
    checks = slo.scrape_check(bound, both)
    assert checks[0]["state"] == "down" and checks[0]["instance"] == "localhost:18080"  # down is an outage, shown
    assert slo._scrape_verdict("http://p", checks) == (
        None,
        "Prometheus also scrapes 127.0.0.1:8080 (shortlist-web): the SLIs add those instances in.",
    )
    assert slo._scrape_verdict("http://p", slo.scrape_check(bound, []))[0].count("no shortlist-") == 2
