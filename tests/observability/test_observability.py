"""The SLO spec, the rules generated from it, Prometheus's configs, the dashboards and docs/slo.md, checked with promtool."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from observability import generate

ROOT = Path(__file__).resolve().parents[2]
OBS = ROOT / "observability"
RULES = OBS / "rules"
DASHBOARDS = OBS / "grafana" / "dashboards"
PROVISIONING = OBS / "grafana" / "provisioning"
DOCS = ROOT / "docs" / "slo.md"
PROMTOOL = Path("/usr/bin/promtool")
BRIEF_P95 = "histogram_quantile(0.95, sum(rate(http_request_latency_seconds_bucket[5m])) by (le))"
WINDOWS = ["5m", "30m", "1h", "2h", "6h", "1d", "3d", "30d"]
# The workbook's multi-window multi-burn-rate pairs: (severity, burn rate, long window, short window).
WORKBOOK = {("page", 14.4, "1h", "5m"), ("page", 6, "6h", "30m"), ("ticket", 3, "1d", "2h"), ("ticket", 1, "3d", "6h")}


def promtool(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    assert PROMTOOL.exists(), "promtool is missing: `apt-get install prometheus` (the CI script installs it)"
    return subprocess.run([str(PROMTOOL), *args], capture_output=True, text=True, timeout=300, cwd=cwd)


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "observability", *args], capture_output=True, text=True, timeout=60, cwd=ROOT
    )


def load(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def rules(path: Path) -> list[dict]:
    return [rule for group in load(path)["groups"] for rule in group["rules"]]


def dashboard_exprs() -> list[tuple[str, str, str]]:
    found = []
    for path in sorted(DASHBOARDS.glob("*.json")):
        for panel in json.loads(path.read_text(encoding="utf-8"))["panels"]:
            for target in panel.get("targets", []):
                found.append((path.name, panel["title"], target["expr"]))
    return found


def check_rules_file(tmp_path: Path, exprs: list[str]) -> subprocess.CompletedProcess[str]:
    """Load each expression as a recording rule, which makes promtool parse and type-check it."""
    document = {
        "groups": [{"name": "exprs", "rules": [{"record": f"expr:check:{i}", "expr": e} for i, e in enumerate(exprs)]}]
    }
    path = tmp_path / "exprs.yml"
    path.write_text(yaml.safe_dump(document, width=100_000), encoding="utf-8")
    return promtool("check", "rules", str(path))


# --- the generator


def test_checked_in_rules_match_the_spec():
    assert generate.stale() == [], "run `python -m observability generate` and commit the rules"


def test_check_command_fails_on_stale_rules(tmp_path):
    generate.write(tmp_path)
    assert run_cli("check", "--rules", str(tmp_path)).returncode == 0
    recording = tmp_path / generate.RECORDING
    recording.write_text(recording.read_text(encoding="utf-8").replace("0.99", "0.999"), encoding="utf-8")
    result = run_cli("check", "--rules", str(tmp_path))
    assert result.returncode == 1
    assert generate.RECORDING in result.stderr


def test_generation_is_deterministic():
    assert generate.render() == generate.render()
    assert generate.render(scale=60) == generate.render(scale=60)


@pytest.mark.parametrize(
    ("duration", "scale", "expected"),
    [
        ("5m", 60, "5s"),
        ("1h", 60, "1m"),
        ("3d", 60, "72m"),
        ("30d", 60, "12h"),
        ("2m", 60, "2s"),
        ("5m", 120, "2500ms"),
        ("1d", 1, "1d"),
        ("90s", 1, "90s"),
    ],
)
def test_durations_scale_to_prometheus_durations(duration, scale, expected):
    assert generate.scale_duration(duration, scale) == expected


def test_a_broken_spec_is_refused_with_its_reason(tmp_path):
    spec = load(generate.SPEC)
    spec["period"] = "7d"
    path = tmp_path / "slo.yaml"
    path.write_text(yaml.safe_dump(spec), encoding="utf-8")
    with pytest.raises(generate.SpecError, match="period 7d"):
        generate.load_spec(path)
    result = run_cli("check", "--spec", str(path))
    assert result.returncode == 2 and "period 7d" in result.stderr


LATENCY = "    alert: ShortlistLatency\n    objective: 95\n"


@pytest.mark.parametrize(
    ("old", "new", "message", "at"),
    [
        (LATENCY, "    alert: ShortlistLatency\n", "slos[2] ('latency'): needs `objective`", "  - name: latency"),
        (
            LATENCY,
            "    alert: ShortlistLatency\n    objectve: 95\n",
            "slos[2] ('latency').objectve: Extra inputs are not permitted",
            "    objectve: 95",
        ),
        (
            "burn_rate: 3,    long: 1d,",
            "burn_rate: 3,    long: 1x,",
            "burn_rate_alerts[2] ('Warning').long: not a duration with one unit: '1x'",
            "  - {name: Warning,  severity: ticket, burn_rate: 3,",
        ),
        (
            "  - name: latency\n",
            "  - name: requests-success\n",
            "slos: SLO 'requests-success' is declared twice",
            "slos:",
        ),
        ("  slo: uptime\n", "  slo: uptim\n", "sla: sla.slo 'uptim' is not an SLO", "sla:"),
        ("3d, 30d]\n", "3d, 30d\n", "invalid YAML", "windows: [5m"),
    ],
)
def test_a_mistake_in_the_spec_names_the_file_the_line_and_the_slo(tmp_path, old, new, message, at):
    text = generate.SPEC.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path = tmp_path / "slo.yaml"
    path.write_text(text.replace(old, new), encoding="utf-8")
    line = next(i for i, row in enumerate(path.read_text().splitlines(), 1) if row.startswith(at))
    with pytest.raises(generate.SpecError) as caught:
        generate.load_spec(path)
    first = str(caught.value).splitlines()[0]
    assert first.startswith(f"{path}:{line}: ") and message in first, (line, first)


def test_scaled_rules_refuse_to_overwrite_the_checked_in_ones():
    result = run_cli("generate", "--windows", "short")
    assert result.returncode == 2 and "--out" in result.stderr
    assert generate.stale() == []


# --- the rules


def test_rules_pass_promtool_check():
    result = promtool("check", "rules", str(RULES / generate.RECORDING), str(RULES / generate.ALERTS))
    assert result.returncode == 0, result.stdout + result.stderr


def test_rule_unit_tests_pass():
    tests = sorted(p.name for p in RULES.glob("*.test.yml"))
    assert tests, "no promtool unit tests in observability/rules"
    result = promtool("test", "rules", *tests, cwd=RULES)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_sli_is_recorded_over_every_window():
    spec = generate.load_spec()
    records = {(r["record"], r["labels"].get("slo")) for r in rules(RULES / generate.RECORDING)}
    for slo in spec["slos"]:
        for window in WINDOWS:
            assert (f"sli:{slo['sli']['record']}_rate{window}", slo["name"]) in records
        if not slo.get("informational"):
            for window in WINDOWS:
                assert (f"slo:burn_rate:ratio_rate{window}", slo["name"]) in records
            assert ("slo:error_budget_remaining:ratio", slo["name"]) in records
    names = {name for name, _ in records}
    assert "sli:http_requests_success:ratio_rate5m" in names
    assert {f"sli:http_request_latency_seconds:p95_rate{w}" for w in WINDOWS} <= names
    assert "sla:service_credit:percent" in names


def test_the_brief_p95_is_recorded_verbatim():
    p95 = next(
        r for r in rules(RULES / generate.RECORDING) if r["record"] == "sli:http_request_latency_seconds:p95_rate5m"
    )
    assert p95["expr"] == BRIEF_P95


def test_burn_rate_alerts_follow_the_workbook():
    spec = generate.load_spec()
    alerts = rules(RULES / generate.ALERTS)
    for slo in spec["slos"]:
        if slo.get("informational"):
            assert not [a for a in alerts if a.get("labels", {}).get("slo") == slo["name"]]
            continue
        mine = [a for a in alerts if a["alert"].startswith(slo["alert"] + "BurnRate")]
        found = set()
        for alert in mine:
            labels = alert["labels"]
            threshold = float(re.search(r"> ([\d.]+) and", alert["expr"]).group(1))
            found.add((labels["severity"], threshold, labels["long_window"], labels["short_window"]))
            assert f"slo:burn_rate:ratio_rate{labels['long_window']}" in alert["expr"]
            assert f"slo:burn_rate:ratio_rate{labels['short_window']}" in alert["expr"]
            assert f'slo="{slo["name"]}"' in alert["expr"]
            assert alert["annotations"]["runbook_url"] == f"docs/slo.md#{slo['name']}"
            assert {"summary", "description"} <= set(alert["annotations"])
            critical = alert["alert"].endswith("Critical")
            assert labels["severity"] == ("page" if critical else "ticket")
        assert found == WORKBOOK, slo["name"]
    assert "ShortlistAvailabilityBurnRateCritical" in {a["alert"] for a in alerts}


def test_every_alert_is_unit_tested_firing_and_silent():
    names = {a["alert"] for a in rules(RULES / generate.ALERTS)}
    fired, silent = set(), set()
    for path in RULES.glob("*.test.yml"):
        for test in load(path)["tests"]:
            for case in test.get("alert_rule_test", []):
                (fired if case.get("exp_alerts") else silent).add(case["alertname"])
    assert names - fired == set(), "alerts never shown firing in a promtool test"
    assert names - silent == set(), "alerts never shown silent in a promtool test"


def test_runbook_links_resolve_to_sections_of_the_docs():
    anchors = _anchors(DOCS.read_text(encoding="utf-8"))
    for alert in rules(RULES / generate.ALERTS):
        page, _, anchor = alert["annotations"]["runbook_url"].partition("#")
        assert page == "docs/slo.md"
        assert anchor in anchors, f"{alert['alert']}: no section #{anchor} in docs/slo.md"


# --- short windows for integration tests


def test_short_windows_keep_the_names_and_shrink_the_windows(tmp_path):
    result = run_cli(
        "generate",
        "--windows",
        "short",
        "--out",
        str(tmp_path),
        "--web",
        "127.0.0.1:18080",
        "--watcher",
        "127.0.0.1:19101",
    )
    assert result.returncode == 0, result.stderr
    for name in (generate.RECORDING, generate.ALERTS):
        full, short = rules(RULES / name), rules(tmp_path / name)
        assert [r.get("record") or r["alert"] for r in full] == [r.get("record") or r["alert"] for r in short]
    short_exprs = {r["record"]: r["expr"] for r in rules(tmp_path / generate.RECORDING)}
    assert "[5s]" in short_exprs["sli:http_requests_success:ratio_rate5m"]
    assert "[12h]" in short_exprs["sli:shortlist_uptime:ratio_rate30d"]
    assert "[72m]" in short_exprs["sli:ingest_files_scored:ratio_rate3d"]
    critical = next(r for r in rules(tmp_path / generate.ALERTS) if r["alert"] == "ShortlistUptimeBurnRateCritical")
    assert critical["for"] == "2s"
    stalled = next(r for r in rules(tmp_path / generate.ALERTS) if r["alert"] == "ShortlistIngestStalled")
    assert "[15s]" in stalled["expr"] and stalled["for"] == "5s"
    checked = promtool("check", "rules", str(tmp_path / generate.RECORDING), str(tmp_path / generate.ALERTS))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    config = load(tmp_path / "prometheus.yml")
    assert config["global"]["scrape_interval"] == "1s"
    targets = {job["job_name"]: job["static_configs"][0]["targets"] for job in config["scrape_configs"]}
    assert targets == {"shortlist-web": ["127.0.0.1:18080"], "shortlist-watcher": ["127.0.0.1:19101"]}
    checked = promtool("check", "config", str(tmp_path / "prometheus.yml"))
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_any_scale_is_available_from_python(tmp_path):
    paths = generate.write(tmp_path, scale=120)
    assert sorted(p.name for p in paths) == sorted([generate.RECORDING, generate.ALERTS])
    exprs = {r["record"]: r["expr"] for r in rules(tmp_path / generate.RECORDING)}
    assert "[2500ms]" in exprs["sli:http_requests_success:ratio_rate5m"]
    assert "every window and `for` is divided by 120" in (tmp_path / generate.RECORDING).read_text(encoding="utf-8")


# --- Prometheus and blackbox configs


@pytest.mark.parametrize("name", ["prometheus.yml", "prometheus.compose.yml"])
def test_prometheus_configs_pass_promtool(name):
    result = promtool("check", "config", str(OBS / name))
    assert result.returncode == 0, result.stdout + result.stderr


def test_prometheus_scrapes_both_processes_and_loads_the_rules():
    config = load(OBS / "prometheus.compose.yml")
    assert config["global"]["scrape_interval"] == "15s"
    assert config["rule_files"] == ["rules/slo_recording.yml", "rules/slo_alerts.yml"]
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}
    assert jobs["shortlist-web"]["static_configs"][0]["targets"] == ["web:8080"]
    # every watcher replica, found by Docker's DNS: service discovery, not a fixed list
    assert jobs["shortlist-watcher"]["dns_sd_configs"] == [
        {"names": ["watcher"], "type": "A", "port": 9101, "refresh_interval": "30s"}
    ]


def test_the_local_config_names_no_address_and_reads_each_job_from_a_target_file():
    """Issue 8: it scraped 127.0.0.1:8080, :9101 and :9090 whatever the settings said."""
    config = load(OBS / "prometheus.yml")
    assert config["global"]["scrape_interval"] == "15s"
    assert config["rule_files"] == ["rules/slo_recording.yml", "rules/slo_alerts.yml"]
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}
    assert set(jobs) == {"shortlist-web", "shortlist-watcher", "prometheus"}
    for name, job in jobs.items():
        assert "static_configs" not in job, f"{name} names a fixed address"
        assert job["file_sd_configs"] == [{"files": [f"targets/{name}.json"]}]


def _moved(tmp_path, **extra):
    from store.settings import load as load_settings
    from tests.instance import instance_env

    env = instance_env(
        tmp_path,
        SHORTLIST_PORT="18080",
        SHORTLIST_METRICS_PORT="19101",
        SHORTLIST_PROMETHEUS_URL="http://127.0.0.1:19090",
    )
    env.update(extra)
    return env, load_settings(env)


def test_targets_follow_the_ports_and_make_a_config_promtool_accepts(tmp_path):
    from observability import targets

    env, settings = _moved(tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "observability", "targets"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    out = settings.store / "observability"
    assert "shortlist-web: 127.0.0.1:18080" in done.stdout and f"wrote {out / 'prometheus.yml'}" in done.stdout
    found = {p.stem: json.loads(p.read_text()) for p in (out / "targets").glob("*.json")}
    assert found == {
        "shortlist-web": [{"targets": ["127.0.0.1:18080"], "labels": {}}],
        "shortlist-watcher": [{"targets": ["127.0.0.1:19101"], "labels": {}}],
        "prometheus": [{"targets": ["127.0.0.1:19090"], "labels": {}}],
    }
    config = load(out / "prometheus.yml")
    assert config["rule_files"] == [str(RULES / generate.RECORDING), str(RULES / generate.ALERTS)]
    assert config["scrape_configs"] == load(OBS / "prometheus.yml")["scrape_configs"]
    checked = promtool("check", "config", str(out / "prometheus.yml"))
    assert checked.returncode == 0 and "WARNING" not in checked.stdout + checked.stderr, checked.stdout + checked.stderr
    argv = targets.prometheus_argv(settings, out / "prometheus.yml")
    assert "--web.listen-address=127.0.0.1:19090" in argv
    assert f"--storage.tsdb.path={settings.store / 'prometheus'}" in argv
    assert f"--config.file={out / 'prometheus.yml'}" in argv and "--storage.tsdb.retention.time=35d" in argv


def test_targets_of_wildcard_binds_a_disabled_watcher_and_a_path_prefix(tmp_path):
    from observability import targets

    _env, settings = _moved(
        tmp_path,
        SHORTLIST_HOST="0.0.0.0",
        SHORTLIST_METRICS_PORT="0",
        SHORTLIST_PROMETHEUS_URL="http://127.0.0.1:19090/prom/",
    )
    config = targets.write(settings, tmp_path / "out")
    found = {p.stem: json.loads(p.read_text()) for p in (tmp_path / "out" / "targets").glob("*.json")}
    assert found["shortlist-web"] == [{"targets": ["127.0.0.1:18080"], "labels": {}}]
    assert found["shortlist-watcher"] == []
    assert found["prometheus"] == [{"targets": ["127.0.0.1:19090"], "labels": {"__metrics_path__": "/prom/metrics"}}]
    assert "--web.external-url=http://127.0.0.1:19090/prom/" in targets.prometheus_argv(settings, config)
    assert targets.bind_addresses(settings) == {"shortlist-web": "0.0.0.0:18080"}
    assert targets.scrape_address("::", 8080) == "[::1]:8080"


def test_the_scrape_interval_follows_its_setting_and_a_scrape_times_out_within_it(tmp_path):
    from observability import targets

    _env, settings = _moved(tmp_path)
    default = load(targets.write(settings, tmp_path / "default"))["global"]
    assert default == {"scrape_interval": "15s", "scrape_timeout": "10s", "evaluation_interval": "15s"}
    _env, settings = _moved(tmp_path, SHORTLIST_SCRAPE_SECONDS="1")
    quick = load(targets.write(settings, tmp_path / "quick"))["global"]
    assert quick == {"scrape_interval": "1s", "scrape_timeout": "1s", "evaluation_interval": "1s"}
    assert targets.duration(0.25) == "250ms" and targets.duration(120) == "120s"


@pytest.mark.parametrize("url", ["http://127.0.0.1", "https://127.0.0.1:9090", "127.0.0.1:9090"])
def test_a_prometheus_url_it_cannot_listen_on_is_refused_with_the_reason(tmp_path, url):
    env, _settings = _moved(tmp_path, SHORTLIST_PROMETHEUS_URL=url)
    done = subprocess.run(
        [sys.executable, "-m", "observability", "targets"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stderr.startswith(f"error: SHORTLIST_PROMETHEUS_URL={url!r}"), done.stderr


@pytest.mark.parametrize(
    ("bound", "scraped", "same"),
    [
        ("127.0.0.1:18080", "127.0.0.1:18080", True),
        ("127.0.0.1:18080", "127.0.0.1:8080", False),  # another instance's port: issue 8
        ("127.0.0.1:18080", "localhost:18080", True),
        ("127.0.0.1:18080", "[::1]:18080", True),  # loopback is loopback
        ("127.0.0.1:18080", "192.0.2.7:18080", False),  # another machine
        ("0.0.0.0:8080", "web:8080", True),  # compose: a service name
        ("127.0.0.1:9101", "watcher:9101", True),  # compose: the watcher, as the web's settings see it
        ("0.0.0.0:8080", "192.0.2.7:8080", True),  # bound to every interface
        ("0.0.0.0:8080", "web:9101", False),
        ("127.0.0.1:18080", "not an address", False),
    ],
)
def test_a_target_is_this_instance_when_port_and_host_agree(bound, scraped, same):
    from observability.targets import same_target

    assert same_target(bound, scraped) is same


def test_compose_probes_healthz_with_a_module_blackbox_defines():
    job = next(j for j in load(OBS / "prometheus.compose.yml")["scrape_configs"] if j["job_name"] == "blackbox")
    assert job["static_configs"][0]["targets"] == ["http://web:8080/healthz"]
    module = job["params"]["module"][0]
    assert load(OBS / "blackbox.yml")["modules"][module]["prober"] == "http"
    assert any(r.get("replacement") == "blackbox:9115" for r in job["relabel_configs"])


# --- Grafana


def test_every_dashboard_query_is_valid_promql(tmp_path):
    exprs = dashboard_exprs()
    assert len(exprs) > 30
    result = check_rules_file(tmp_path, [expr for _, _, expr in exprs])
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_dashboard_query_check_catches_invalid_promql(tmp_path):
    result = check_rules_file(tmp_path, ["rate(http_requests_total)"])
    assert result.returncode != 0


def test_dashboard_queries_name_only_recorded_series_and_no_grafana_variables():
    recorded = {r["record"] for r in rules(RULES / generate.RECORDING)}
    for name, title, expr in dashboard_exprs():
        assert "$" not in expr, f"{name} / {title}: Grafana variables do not run against Prometheus as is"
        unquoted = re.sub(r'"[^"]*"', '""', expr)
        for series in re.findall(r"[a-zA-Z_][a-zA-Z0-9_]*:[a-zA-Z0-9_:]+", unquoted):
            assert series in recorded, f"{name} / {title}: {series} is not a recording rule"


def test_the_slo_overview_shows_every_slo_against_its_objective_and_the_alerts():
    overview = (DASHBOARDS / "slo-overview.json").read_text(encoding="utf-8")
    for slo in generate.load_spec()["slos"]:
        assert f"sli:{slo['sli']['record']}_rate5m" in overview, slo["name"]
        if "objective" in slo:  # its objective line; an informational figure without one has none to draw
            assert f'slo=\\"{slo["name"]}\\"' in overview, slo["name"]
    for needle in (
        "slo:error_budget_remaining:ratio",
        "slo:burn_rate:ratio_rate1h",
        "ALERTS{",
        "process_start_time_seconds",
        "sla:service_credit:percent",
    ):
        assert needle in overview


def test_dashboards_use_the_provisioned_datasource():
    datasource = load(PROVISIONING / "datasources" / "prometheus.yml")["datasources"][0]
    assert datasource["type"] == "prometheus"
    uids = set()
    for path in DASHBOARDS.glob("*.json"):
        dashboard = json.loads(path.read_text(encoding="utf-8"))
        assert dashboard["uid"] not in uids
        uids.add(dashboard["uid"])
        for panel in dashboard["panels"]:
            if panel["type"] != "row":
                assert panel["datasource"]["uid"] == datasource["uid"], f"{path.name} / {panel['title']}"
    assert len(uids) >= 3
    provider = load(PROVISIONING / "dashboards" / "provider.yml")["providers"][0]
    assert provider["type"] == "file" and provider["options"]["path"]


# --- docs


def _anchors(markdown: str) -> set[str]:
    """GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens."""
    headings = re.findall(r"^#+\s+(.+)$", markdown, flags=re.MULTILINE)
    return {re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-") for h in headings}


def test_docs_give_the_promql_of_every_sli_and_the_brief_p95_verbatim():
    text = DOCS.read_text(encoding="utf-8")
    assert BRIEF_P95 in text
    records = {
        r["record"]: r["expr"]
        for r in rules(RULES / generate.RECORDING)
        if r["record"].startswith("sli:") and r["record"].endswith("_rate5m")
    }
    for record, expr in records.items():
        assert expr in text, f"docs/slo.md does not show the PromQL of {record}"
    credit = next(r for r in rules(RULES / generate.RECORDING) if r["record"] == "sla:service_credit:percent")
    assert credit["expr"] in text
    anchors = _anchors(text)
    for slo in generate.load_spec()["slos"]:
        assert slo["name"] in anchors
    assert {"sla", "error-budget-policy"} <= anchors


def test_docs_state_the_sla_obligations_and_credits():
    text = DOCS.read_text(encoding="utf-8")
    sla = generate.load_spec()["sla"]
    assert "within 24 hours" in text
    for tier in sla["credits"]:
        assert re.search(rf"below {tier['below']}% \| {tier['credit']}%", text), tier
    assert "feature freeze" in text
