"""The SLOs describe this instance, on whatever ports it runs (issue 8, "the SLOs measured someone else").

The whole stack under the repo's supervisord.conf (web, watcher, Prometheus) on non-default free ports: Prometheus
listens where SHORTLIST_PROMETHEUS_URL says, scrapes exactly this web and watcher, and the success-rate SLI follows
the traffic sent. Then a real Prometheus that scrapes another instance (down, so its SLOs read as an outage): the
/slo page and `python -m ui slo` say it has no target for this instance instead of reporting that outage.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import httpx
import pytest

from observability import generate
from tests.instance import ROOT, free_port, instance_env, wait_for
from tests.test_supervisor import Supervisor
from tests.ui.support import client_for, ui_settings

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("slo-instance")]  # one worker starts each stack, once
GOOD = ["/jobs", "/upload", "/check", "/failed"] * 2  # eight pages that answer 200
BAD = ["/nope", "/jobs/999999"]  # two that answer 404


def _query(prom_url: str, expr: str) -> list[dict]:
    body = httpx.get(f"{prom_url}/api/v1/query", params={"query": expr}, timeout=3, trust_env=False).json()
    assert body["status"] == "success", f"{expr}: {body.get('error')}"
    return body["data"]["result"]


def _value(prom_url: str, expr: str) -> float | None:
    result = _query(prom_url, expr)
    return float(result[0]["value"][1]) if result else None


def _targets(prom_url: str) -> set[tuple[str, str, str]]:
    try:
        body = httpx.get(f"{prom_url}/api/v1/targets", params={"state": "active"}, timeout=3, trust_env=False).json()
    except (httpx.HTTPError, ValueError):  # not listening yet, or "Service Unavailable" while it starts
        return set()
    return {(t["labels"]["job"], t["labels"]["instance"], t["health"]) for t in body["data"]["activeTargets"]}


def _ready(prom_url: str) -> bool:
    try:
        return httpx.get(f"{prom_url}/-/ready", timeout=2, trust_env=False).status_code == 200
    except httpx.HTTPError:
        return False


@pytest.fixture(scope="module")
def stack():
    assert shutil.which("prometheus"), "prometheus is not installed: apt-get install prometheus"
    home = Path(tempfile.mkdtemp(prefix="sl-ports-"))  # short: a unix socket path must stay under 108 bytes
    supervisor = Supervisor(ROOT / "supervisord.conf", home, scrape_seconds="1")  # 15 s in production
    try:
        wait_for(lambda: supervisor.running("web") and supervisor.healthz(), timeout=30, message="web healthy")
        wait_for(lambda: supervisor.running("watcher") and supervisor.metrics(), timeout=30, message="watcher up")
        supervisor.prom_url = f"http://127.0.0.1:{supervisor.prom_port}"
        wait_for(lambda: _ready(supervisor.prom_url), timeout=30, message="Prometheus ready")
        yield supervisor
    except BaseException:
        print("\n".join(f"--- {n}\n{supervisor.log(n)[-3000:]}" for n in ("supervisord", "prometheus", "web")))
        raise
    finally:
        supervisor.close()
        shutil.rmtree(home, ignore_errors=True)


def test_prometheus_listens_where_the_setting_says_and_scrapes_exactly_this_instance(stack):
    assert {stack.port, stack.metrics_port, stack.prom_port}.isdisjoint({8080, 9101, 9090})
    expected = {
        ("shortlist-web", f"127.0.0.1:{stack.port}", "up"),
        ("shortlist-watcher", f"127.0.0.1:{stack.metrics_port}", "up"),
        ("prometheus", f"127.0.0.1:{stack.prom_port}", "up"),
    }
    try:
        wait_for(
            lambda: _targets(stack.prom_url) == expected,
            timeout=45,
            interval=0.5,
            message="Prometheus scraping this instance's three processes, all up",
        )
    except AssertionError:
        pytest.fail(f"targets {_targets(stack.prom_url)}, expected {expected}\n{stack.log('prometheus')[-2000:]}")
    assert (stack.store / "observability" / "prometheus.yml").exists()


def _send(client: httpx.Client) -> None:
    for path in GOOD:
        assert client.get(path).status_code == 200, path
    for path in BAD:
        assert client.get(path).status_code == 404, path


def test_the_slis_describe_this_instance(stack):
    user = 'route!~"/metrics|/healthz|/readyz"'
    mine = f'instance="127.0.0.1:{stack.port}", {user}'
    wait_for(
        lambda: _value(stack.prom_url, f'up{{job="shortlist-web", instance="127.0.0.1:{stack.port}"}}') == 1,
        timeout=45,
        message="a first scrape of the web",
    )
    with httpx.Client(base_url=f"http://127.0.0.1:{stack.port}", timeout=10, trust_env=False) as client:
        # rate() counts what grows between two scrapes: the first round creates the series, the second grows them.
        _send(client)
        wait_for(
            lambda: _value(stack.prom_url, f"sum(http_requests_total{{{mine}}})") == 10,
            timeout=40,
            interval=0.5,
            message="Prometheus to scrape the first ten requests",
        )
        _send(client)
    wait_for(
        lambda: _value(stack.prom_url, f"sum(http_requests_total{{{mine}}})") == 20,
        timeout=40,
        interval=0.5,
        message="Prometheus to scrape the second ten",
    )
    success = 'sli:http_requests_success:ratio_rate5m{slo="requests-success"}'
    # Eight of every ten requests answered 200: the recording rule (evaluated every second here) says 80%. An
    # evaluation from before the failures' series had two samples (a scrape in the middle of the first ten) reads
    # 1.0 for a moment, so the value is read until it settles; one that never reaches 80% fails here.
    seen: list[float | None] = []

    def settled():
        seen.append(_value(stack.prom_url, success))
        return seen[-1] is not None and seen[-1] == pytest.approx(0.8, abs=0.05)

    try:
        wait_for(settled, timeout=40, interval=0.5, message="the success-rate SLI to read 80%")
    except AssertionError as timed_out:
        raise AssertionError(f"{timed_out}; the last values read: {seen[-3:]}") from None
    # This web is up (another instance's port would read 0). Prometheus starts beside it, so its first scrape may
    # have come before the web listened: one miss among the scrapes of the last five minutes.
    assert _value(stack.prom_url, f'up{{job="shortlist-web", instance="127.0.0.1:{stack.port}"}}') == 1
    assert _value(stack.prom_url, 'sli:shortlist_uptime:ratio_rate5m{slo="uptime"}') > 0.5

    report = httpx.get(f"http://127.0.0.1:{stack.port}/slo.json", timeout=10, trust_env=False).json()
    assert report["source"] == "prometheus" and report["unscraped"] is None, report["unscraped"]
    assert {(t["job"], t["state"]) for t in report["targets"]} == {("shortlist-web", "up"), ("shortlist-watcher", "up")}
    rows = {row["name"]: row for row in report["slos"]}
    assert rows["requests-success"]["sli_now"] == pytest.approx(0.8, abs=0.05)
    assert rows["uptime"]["sli_now"] > 0.5 and rows["uptime"]["status"] != "not-scraped"
    cli = subprocess.run(
        [sys.executable, "-m", "ui", "slo", "--json"],
        cwd=ROOT,
        env=stack.env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    printed = json.loads(cli.stdout)
    assert printed["unscraped"] is None and printed["source"] == "prometheus", cli.stderr
    assert cli.returncode in (0, 1)  # 1: a fifth of the requests failed, which spends the month's budget


# --- a Prometheus that scrapes another instance


@pytest.fixture(scope="module")
def foreign(tmp_path_factory):
    """A real Prometheus (short-window rules, 1 s scrapes) whose Shortlist targets are another instance's ports,
    where nothing answers: what it records reads as that instance's outage."""
    assert shutil.which("prometheus"), "prometheus is not installed: apt-get install prometheus"
    root = tmp_path_factory.mktemp("foreign")
    other_web, other_watcher, prom_port = free_port(), free_port(), free_port()
    generate.write(root, scale=generate.SHORT_SCALE)
    config = root / "prometheus.yml"
    config.write_text(
        generate.prometheus_config(f"127.0.0.1:{other_web}", f"127.0.0.1:{other_watcher}", root, scrape_interval="1s"),
        encoding="utf-8",
    )
    log = open(root / "prometheus.log", "wb")
    proc = subprocess.Popen(
        [
            shutil.which("prometheus"),
            f"--config.file={config}",
            f"--storage.tsdb.path={root / 'tsdb'}",
            f"--web.listen-address=127.0.0.1:{prom_port}",
            "--log.level=warn",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    log.close()
    url = f"http://127.0.0.1:{prom_port}"
    try:
        wait_for(lambda: _ready(url), timeout=30, message="Prometheus to be ready")
        wait_for(
            lambda: (
                _targets(url)
                and (_value(url, 'slo:error_budget_remaining:ratio{slo="uptime"}') or 0) < 0
                and (_value(url, "sla:service_credit:percent") or 0) > 0
            ),
            timeout=30,
            interval=0.5,
            message="the other instance's uptime budget spent and a service credit owed",
        )
        yield url, f"127.0.0.1:{other_web}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_the_slo_page_says_prometheus_has_no_target_for_this_instance_not_an_outage(foreign, tmp_path):
    prom_url, other = foreign
    # The trap: what this Prometheus records is an outage with its budget spent.
    assert _value(prom_url, 'slo:error_budget_remaining:ratio{slo="uptime"}') < 0
    assert _value(prom_url, "sla:service_credit:percent") > 0
    port, metrics_port = free_port(), free_port()
    env = dict(SHORTLIST_PORT=str(port), SHORTLIST_METRICS_PORT=str(metrics_port), SHORTLIST_PROMETHEUS_URL=prom_url)
    with client_for(ui_settings(tmp_path, **env)) as client:
        for _ in range(3):
            assert client.get("/jobs").status_code == 200
        page = client.get("/slo")
        report = client.get("/slo.json").json()
    assert page.status_code == 200
    assert "has no target for this instance" in page.text and f"127.0.0.1:{port}" in page.text
    assert other in page.text  # what it scrapes instead
    assert "This is not an outage" in page.text and "own figures" in page.text
    for outage in ("exhausted", "service credit", '<svg class="slo-chart"'):
        assert outage not in page.text.lower(), outage
    assert report["source"] == "local" and report["prometheus_error"] is None
    assert report["unscraped"].startswith(f"Prometheus at {prom_url} has no target for this instance")
    assert report["exhausted"] == [] and report["sla"]["uptime"] is None and report["sla"]["credit_percent"] is None
    assert {row["status"] for row in report["slos"]} == {"not-scraped"}
    assert {row["budget_remaining"] for row in report["slos"]} == {None}
    web = next(t for t in report["targets"] if t["job"] == "shortlist-web")
    assert web["state"] == "missing" and web["others"] == [other]
    assert report["local"]["requests"] == 4  # three pages and /slo, served by this process

    cli = subprocess.run(
        [sys.executable, "-m", "ui", "slo"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env=instance_env(tmp_path, **env),
    )
    assert cli.returncode == 4, cli.stdout + cli.stderr
    assert "has no target for this instance" in cli.stdout
    assert "exhausted" not in cli.stdout and "service credit" not in cli.stdout


# --- the README's quick start: how to move the ports, and `make run` doing it


def test_the_quick_start_says_how_to_move_the_ports_and_make_run_follows_them():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    quick_start = readme.split("## Two commands", 1)[1].split("\n## ", 1)[0]
    example = re.search(r"^((?:SHORTLIST_[A-Z_]+=\S+ )+)make run$", quick_start, re.M)
    assert example, "the quick start shows no `SHORTLIST_…=… make run` with the ports moved"
    moved = dict(pair.split("=", 1) for pair in example.group(1).split())
    assert set(moved) == {"SHORTLIST_PORT", "SHORTLIST_METRICS_PORT", "SHORTLIST_PROMETHEUS_URL"}
    assert moved["SHORTLIST_PORT"] != "8080" and moved["SHORTLIST_METRICS_PORT"] != "9101"
    assert not moved["SHORTLIST_PROMETHEUS_URL"].endswith(":9090")
    # The same three settings on free ports (the example's own may be taken on a shared machine), through make.
    home = Path(tempfile.mkdtemp(prefix="sl-readme-"))
    run = Supervisor(ROOT / "supervisord.conf", home, ["make", "--no-print-directory", "run"], scrape_seconds="1")
    prom_url = f"http://127.0.0.1:{run.prom_port}"
    try:
        assert {run.env[name] for name in moved} == {str(run.port), str(run.metrics_port), prom_url}
        readyz = f"http://127.0.0.1:{run.port}/readyz"
        wait_for(
            lambda: run.healthz() and httpx.get(readyz, timeout=2, trust_env=False).status_code == 200,
            timeout=45,
            message="/readyz on the moved port",
        )
        expected = {
            ("shortlist-web", f"127.0.0.1:{run.port}", "up"),
            ("shortlist-watcher", f"127.0.0.1:{run.metrics_port}", "up"),
            ("prometheus", f"127.0.0.1:{run.prom_port}", "up"),
        }
        wait_for(
            lambda: _targets(prom_url) == expected,
            timeout=45,
            interval=0.5,
            message="Prometheus on the moved port scraping the moved ones",
        )
        os.killpg(run.proc.pid, signal.SIGINT)  # Ctrl-C
        run.proc.wait(timeout=30)
    finally:
        run.close()
        shutil.rmtree(home, ignore_errors=True)
