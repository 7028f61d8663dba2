"""The SLOs measured for real: the web and the watcher as processes, a real Prometheus scraping them every second
with the short-window rules generated from observability/slo.yaml, traffic with failures and a slow request, files
dropped into the inbox; then every Grafana panel query, the /slo page and `python -m ui slo` against that
Prometheus; then the web stopped, availability falling and the fast-burn page going off.

Run with -s to see how long each phase took. The /slo page without a reachable Prometheus is tested at the end
with a TestClient.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from observability import generate
from store.settings import load
from tests.instance import ROOT, db_rows, free_port, instance_env, start_watcher, wait_for
from tests.fixtures import make_corrupt_pdf, make_pdf, sample_job, sample_resume
from tests.observability.test_observability import dashboard_exprs
from tests.ui.support import client_for, ui_settings
from ui.security import CSRF_COOKIE

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("slo-live")]  # one worker starts the stack, once
PROMETHEUS = Path("/usr/bin/prometheus")
SLOW_SECONDS = 2.6  # how long the test holds the database's write lock under a request: over the SLO's 2 s
NOT_FOUND = ("/nope", "/jobs/999999", "/candidates/999999", "/slo?range=1y")


@dataclass
class Stack:
    """The running processes of one instance and how to reach them."""

    home: Path
    env: dict[str, str]
    web_url: str
    prom_url: str
    logs: Path
    procs: dict[str, subprocess.Popen] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    sent: dict[str, int] = field(default_factory=dict)

    def query(self, expr: str) -> list[dict]:
        """An instant query; an error from Prometheus fails the test with its message."""
        response = httpx.get(f"{self.prom_url}/api/v1/query", params={"query": expr}, timeout=2, trust_env=False)
        body = response.json()
        assert body["status"] == "success", f"{expr}: {body.get('error')}"
        return body["data"]["result"]

    def value(self, expr: str) -> float | None:
        """The single value of `expr`; None when there is no series or it is NaN."""
        result = self.query(expr)
        if not result:
            return None
        value = float(result[0]["value"][1])
        return None if value != value else value

    def log_tail(self) -> str:
        return "\n".join(
            f"--- {p.name}\n" + p.read_text(errors="replace")[-3000:] for p in sorted(self.logs.glob("*.log"))
        )

    def stop(self, name: str) -> None:
        proc = self.procs.get(name)
        if proc is None or proc.poll() is not None:
            return
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=1, trust_env=False).status_code == 200
    except httpx.HTTPError:
        return False


def _start(stack: Stack, name: str, argv: list[str]) -> None:
    handle = open(stack.logs / f"{name}.log", "ab")
    stack.procs[name] = subprocess.Popen(argv, cwd=ROOT, env=stack.env, stdout=handle, stderr=subprocess.STDOUT)
    handle.close()


def _hold_write_lock(database: Path, seconds: float, taken: threading.Event) -> None:
    """Take SQLite's write lock and keep it, as a long writer would: a web write waits on its busy timeout."""
    connection = sqlite3.connect(database, isolation_level=None, timeout=10)
    try:
        connection.execute("BEGIN IMMEDIATE")
        taken.set()
        time.sleep(seconds)
        connection.execute("COMMIT")
    finally:
        connection.close()


def _drive_traffic(stack: Stack, client: httpx.Client, job_id: int, candidate_id: int) -> None:
    """Pages, failures and one slow request, spread over several scrapes: rate() counts only increases it sees
    between two scrapes, so every series is created in the first round and grows in the later ones."""
    pages = [
        "/jobs",
        f"/jobs/{job_id}",
        f"/jobs/{job_id}.json",
        f"/candidates/{candidate_id}",
        "/upload",
        "/check",
        "/failed",
        "/slo",
        "/slo.json",
    ]
    good = bad = 0
    decision = f"/jobs/{job_id}/candidates/{candidate_id}/decision"
    for round_ in range(4):
        for path in pages:
            response = client.get(path)
            assert response.status_code < 400, (path, response.status_code, response.text[:300])
            good += 1
        for path in NOT_FOUND:
            assert client.get(path).status_code in (400, 404), path
            bad += 1
        response = client.post(
            decision,
            data={"status": "shortlisted" if round_ % 2 else "new"},
            headers={"X-CSRF-Token": client.cookies[CSRF_COOKIE]},
        )
        assert response.status_code == 303, response.text[:300]
        good += 1
        time.sleep(1.1)
    # A write held up by another writer: the request waits on the busy timeout and is served, slowly.
    taken = threading.Event()
    holder = threading.Thread(
        target=_hold_write_lock, args=(stack.home / "store" / "shortlist.db", SLOW_SECONDS, taken)
    )
    holder.start()
    assert taken.wait(10), "could not take the database's write lock"
    started = time.monotonic()
    response = client.post(
        decision, data={"status": "shortlisted"}, headers={"X-CSRF-Token": client.cookies[CSRF_COOKIE]}, timeout=30
    )
    slow = time.monotonic() - started
    holder.join()
    assert response.status_code == 303 and slow > 2, (response.status_code, slow)
    stack.sent = {"good": good + 1, "failed": bad, "slow": 1}


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    assert PROMETHEUS.exists(), "prometheus is not installed: apt-get install prometheus (.ci/run installs it)"
    began = time.monotonic()
    root = tmp_path_factory.mktemp("slo-live")
    web_port, watcher_port, prom_port = free_port(), free_port(), free_port()
    home, rules, logs = root / "home", root / "prometheus", root / "logs"
    logs.mkdir()
    env = instance_env(
        home,
        SHORTLIST_PORT=str(web_port),
        SHORTLIST_METRICS_PORT=str(watcher_port),
        SHORTLIST_PROMETHEUS_URL=f"http://127.0.0.1:{prom_port}",
    )
    stack = Stack(
        home=home, env=env, web_url=f"http://127.0.0.1:{web_port}", prom_url=f"http://127.0.0.1:{prom_port}", logs=logs
    )
    # Short windows (5m -> 5 s, 1h -> 1 min, 30d -> 12 h) and 1 s scrapes, from the same spec as the real rules.
    generate.write(rules, scale=generate.SHORT_SCALE)
    config = rules / "prometheus.yml"
    config.write_text(
        generate.prometheus_config(f"127.0.0.1:{web_port}", f"127.0.0.1:{watcher_port}", rules, scrape_interval="1s"),
        encoding="utf-8",
    )
    try:
        _start(stack, "web", [sys.executable, "-m", "ui"])
        stack.procs["watcher"] = start_watcher(env, logs / "watcher.log")
        wait_for(lambda: _answers(f"{stack.web_url}/healthz"), timeout=20, message="the web process")
        wait_for(lambda: _answers(f"http://127.0.0.1:{watcher_port}/metrics"), timeout=20, message="the watcher")
        # Prometheus last, so its first scrape finds both up and uptime starts at 100%.
        _start(
            stack,
            "prometheus",
            [
                str(PROMETHEUS),
                f"--config.file={config}",
                f"--storage.tsdb.path={root / 'tsdb'}",
                f"--web.listen-address=127.0.0.1:{prom_port}",
                "--log.level=warn",
            ],
        )
        wait_for(lambda: _answers(f"{stack.prom_url}/-/ready"), timeout=20, message="Prometheus to be ready")
        # Both targets scraped before anything happens, so the first increases are seen by rate().
        wait_for(
            lambda: len([r for r in stack.query('up{job=~"shortlist-.*"} == 1')]) == 2,
            timeout=15,
            message="Prometheus scraping both processes",
        )
        stack.timings["start"] = time.monotonic() - began

        began = time.monotonic()
        inbox = home / "inbox"
        (inbox / "jobs" / "backend.txt").write_text(sample_job(0), encoding="utf-8")
        (inbox / "resumes" / "ada.txt").write_text(sample_resume(0), encoding="utf-8")
        (inbox / "resumes" / "grace.pdf").write_bytes(make_pdf(sample_resume(1)))
        (inbox / "resumes" / "broken.pdf").write_bytes(make_corrupt_pdf())
        settings = load(env)
        wait_for(
            lambda: (
                db_rows(settings, "SELECT count(*) FROM match")[0][0] >= 2
                and db_rows(settings, "SELECT count(*) FROM failure")[0][0] >= 1
            ),
            timeout=30,
            message="two matches scored and the broken file quarantined",
        )
        job_id, candidate_id = db_rows(settings, "SELECT job_id, candidate_id FROM match ORDER BY id LIMIT 1")[0]
        stack.timings["ingest"] = time.monotonic() - began

        began = time.monotonic()
        with httpx.Client(base_url=stack.web_url, timeout=5, trust_env=False) as client:
            client.get("/check")  # the CSRF cookie
            _drive_traffic(stack, client, job_id, candidate_id)
        stack.timings["traffic"] = time.monotonic() - began
        yield stack
    except BaseException:
        print(stack.log_tail())
        raise
    finally:
        for name in ("web", "watcher", "prometheus"):
            stack.stop(name)
        print("\nSLO live timings (s):", {k: round(v, 1) for k, v in stack.timings.items()})


# Every SLI the spec records, with what the traffic above must make of it over the 1-hour (here 1-minute) window.
def _expected(stack: Stack) -> dict[str, callable]:
    return {
        # 2xx/3xx over all: the 404s and the 400 count against it.
        'sli:http_requests_success:ratio_rate1h{slo="requests-success"}': lambda v: 0.5 < v < 1,
        # 5xx over all: nothing here fails with a server error, so present and 0.
        'sli:http_requests_errors:ratio_rate1h{slo="error-rate"}': lambda v: v == 0,
        # Under 2 s over all: the request held up by the write lock is over.
        'sli:http_request_latency_under_2s:ratio_rate1h{slo="latency"}': lambda v: 0.8 < v < 1,
        "sli:http_request_latency_seconds:p95_rate1h": lambda v: 0 < v < 10,
        # Scrapes of the web: all answered, unless a loaded machine made one time out.
        'sli:shortlist_uptime:ratio_rate1h{slo="uptime"}': lambda v: v > 0.9,
        # Scored or duplicate over finished: the broken PDF was quarantined.
        'sli:ingest_files_scored:ratio_rate1h{slo="ingest-success"}': lambda v: 0.5 <= v < 1,
        'sli:ingest_drop_to_scored_under_60s:ratio_rate1h{slo="drop-to-scored"}': lambda v: v == 1,
        'sli:resume_matching_score:avg_rate1h{slo="matching-score"}': lambda v: 0 <= v <= 100,
        'slo:error_budget_remaining:ratio{slo="requests-success"}': lambda v: v < 1,
    }


def test_recorded_slis_reflect_the_traffic_and_the_files(stack):
    expected = _expected(stack)
    seen: dict[str, float | None] = {}

    def all_as_expected() -> bool:
        for expr, check in expected.items():
            seen[expr] = stack.value(expr)
        return all(seen[e] is not None and expected[e](seen[e]) for e in expected)

    began = time.monotonic()
    try:
        wait_for(all_as_expected, timeout=20, interval=0.5, message="the recorded SLIs to reflect the traffic")
    except AssertionError:
        pytest.fail(
            "SLIs not as expected after traffic "
            + json.dumps(stack.sent)
            + ":\n"
            + "\n".join(f"  {e} = {seen.get(e)}" for e in expected)
        )
    stack.timings["slis"] = time.monotonic() - began
    print("\nSLIs after traffic:", json.dumps({e.split("{")[0]: round(v, 4) for e, v in seen.items()}, indent=1))


def test_every_dashboard_panel_query_returns_data(stack):
    wait_for(
        lambda: stack.value('sli:http_requests_success:ratio_rate30d{slo="requests-success"}') is not None,
        timeout=20,
        message="recorded SLIs",
    )
    exprs = dashboard_exprs()
    assert len(exprs) > 30
    empty, nan_only = [], []
    for name, title, expr in exprs:
        result = stack.query(expr)
        if not result:
            empty.append(f"{name} / {title}: {expr}")
        elif all(r["value"][1] == "NaN" for r in result):
            nan_only.append(title)
    assert not empty, "dashboard queries that return nothing after traffic:\n" + "\n".join(empty)
    print(f"\n{len(exprs)} panel queries answered; NaN only (no events in their window right now): {nan_only}")


def test_the_slo_page_and_the_report_read_prometheus(stack):
    wait_for(
        lambda: stack.value('slo:error_budget_remaining:ratio{slo="requests-success"}') is not None,
        timeout=20,
        message="the error budget series",
    )
    report = httpx.get(f"{stack.web_url}/slo.json", timeout=5, trust_env=False).json()
    assert report["source"] == "prometheus" and report["prometheus_error"] is None, report["prometheus_error"]
    rows = {row["name"]: row for row in report["slos"]}
    assert set(rows) == {s["name"] for s in generate.load_spec()["slos"]}
    success = rows["requests-success"]
    assert success["sli_period"] is not None and success["sli_period"] < 1
    assert success["budget_remaining"] is not None and success["budget_remaining"] < 1
    assert success["burn_rate"] is not None  # over 1 min here: 0 again once the failures are that old
    assert success["series"] and report["chart_window"] == "5m"
    assert rows["uptime"]["sli_period"] > 0.9
    assert rows["matching-score"]["informational"] and rows["matching-score"]["sli_period"] is not None
    assert report["sla"]["uptime"] == rows["uptime"]["sli_period"]

    page = httpx.get(f"{stack.web_url}/slo?range=15m", timeout=5, trust_env=False)
    assert page.status_code == 200
    assert "not reachable" not in page.text
    assert page.text.count('<svg class="slo-chart"') == len(rows)
    # Prometheus has run for seconds: a few points (a line, or a dot per point), and the objective line.
    assert '<path class="sli" d="M' in page.text or '<circle class="sli-dot"' in page.text
    assert '<line class="objective"' in page.text
    assert 'href="/slo"' in page.text  # in the navigation

    cli = subprocess.run(
        [sys.executable, "-m", "ui", "slo", "--json"],
        cwd=ROOT,
        env=stack.env,
        capture_output=True,
        text=True,
        timeout=30,
    )
    printed = json.loads(cli.stdout)
    assert printed["source"] == "prometheus"
    # A tenth of the requests failed: far more than the 1% budget over the (short) 30-day window.
    assert "requests-success" in printed["exhausted"] and cli.returncode == 1, cli.stderr
    text = subprocess.run(
        [sys.executable, "-m", "ui", "slo"], cwd=ROOT, env=stack.env, capture_output=True, text=True, timeout=30
    )
    assert text.returncode == 1 and "Request success" in text.stdout and "exhausted" in text.stdout, text.stdout


def test_stopping_the_web_drops_availability_and_pages(stack):
    assert stack.procs["web"].poll() is None, "the web process is not running"
    wait_for(
        lambda: stack.value('sli:shortlist_uptime:ratio_rate5m{slo="uptime"}') == 1,
        timeout=15,
        message="uptime at 100% before the stop",
    )
    began = time.monotonic()
    stack.stop("web")  # what `supervisorctl stop web` does: SIGTERM
    wait_for(
        lambda: (stack.value('sli:shortlist_uptime:ratio_rate5m{slo="uptime"}') or 1) < 1,
        timeout=15,
        interval=0.5,
        message="uptime to fall",
    )
    stack.timings["uptime falls"] = time.monotonic() - began
    alert = 'ALERTS{alertname="ShortlistUptimeBurnRateCritical", long_window="1h"}'
    states = wait_for(
        lambda: {r["metric"]["alertstate"] for r in stack.query(alert)},
        timeout=30,
        interval=0.5,
        message="ShortlistUptimeBurnRateCritical to go pending",
    )
    stack.timings["alert pending"] = time.monotonic() - began
    assert states <= {"pending", "firing"}
    wait_for(
        lambda: {r["metric"]["alertstate"] for r in stack.query(alert)} == {"firing"},
        timeout=15,
        interval=0.5,
        message="ShortlistUptimeBurnRateCritical to fire",
    )
    stack.timings["alert firing"] = time.monotonic() - began
    assert stack.value('slo:error_budget_remaining:ratio{slo="uptime"}') < 1

    # What the outage cost, read while the web is down: the report asks Prometheus directly.
    cli = subprocess.run(
        [sys.executable, "-m", "ui", "slo", "--json", "--range", "15m"],
        cwd=ROOT,
        env=stack.env,
        capture_output=True,
        text=True,
        timeout=30,
    )
    uptime = next(row for row in json.loads(cli.stdout)["slos"] if row["name"] == "uptime")
    assert uptime["sli_now"] is not None and uptime["sli_now"] < 1
    assert uptime["series"][-1][1] < 1, uptime["series"]  # the chart's last point is in the outage
    assert uptime["budget_remaining"] < 1 and uptime["status"] in ("burning", "exhausted")
    assert any(a["alertname"] == "ShortlistUptimeBurnRateCritical" for a in uptime["alerts"])
    assert cli.returncode in (0, 1)


# --- without Prometheus: a TestClient app whose SHORTLIST_PROMETHEUS_URL is a closed port


@pytest.fixture
def unreachable(tmp_path):
    settings = ui_settings(tmp_path, SHORTLIST_PROMETHEUS_URL=f"http://127.0.0.1:{free_port()}")
    with client_for(settings) as client:
        yield client


def test_without_prometheus_the_page_says_so_and_shows_its_own_figures(unreachable):
    for _ in range(3):
        assert unreachable.get("/jobs").status_code == 200
    assert unreachable.get("/nope").status_code == 404
    unreachable.get("/healthz")  # a probe: left out of the figures
    began = time.monotonic()
    page = unreachable.get("/slo")
    assert time.monotonic() - began < 3
    assert page.status_code == 200
    assert "is not reachable" in page.text and "own figures" in page.text
    assert "4 requests" in page.text  # three pages and the 404; not the probe
    report = unreachable.get("/slo.json").json()
    assert report["source"] == "local" and "not reachable" in report["prometheus_error"]
    local = report["local"]
    assert local["requests"] == 5  # and the /slo page itself
    assert local["success_ratio"] == pytest.approx(4 / 5)
    assert local["error_ratio"] == 0 and local["under_2s_ratio"] == 1
    assert local["p95_seconds"] is not None and local["p95_seconds"] < 2
    assert [s["name"] for s in local["slos"]] == ["requests-success", "error-rate", "latency"]
    assert {row["name"]: row["status"] for row in report["slos"]}["requests-success"] == "no-data"


def test_the_slo_page_refuses_an_unknown_range(unreachable):
    response = unreachable.get("/slo.json?range=1y")
    assert response.status_code == 400 and "range must be one of" in response.json()["error"]
