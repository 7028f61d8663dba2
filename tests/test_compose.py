"""compose.yaml, Dockerfile and .dockerignore: valid for Debian's docker-compose, and healing as documented.

No Docker engine runs here, so the files are checked as `docker-compose config` reads them, and the
healthcheck commands are run for real against a local stand-in.
"""

from __future__ import annotations

import http.server
import re
import shutil
import subprocess
import threading
from pathlib import Path

import pytest
import yaml

from tests.instance import ROOT, free_port

SHORTLIST = ("web", "watcher")


@pytest.fixture(scope="module")
def compose() -> dict:
    tool = shutil.which("docker-compose")
    assert tool, "docker-compose is not installed: apt-get install docker-compose"
    done = subprocess.run(
        [tool, "-f", str(ROOT / "compose.yaml"), "config"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return yaml.safe_load(done.stdout)


def test_services_are_the_ones_the_brief_names(compose):
    default = {name for name, service in compose["services"].items() if not service.get("profiles")}
    assert default == {"web", "watcher", "prometheus", "grafana", "blackbox", "autoheal"}


def test_every_service_restarts_unless_stopped(compose):
    policies = {name: service.get("restart") for name, service in compose["services"].items()}
    assert policies == {name: "unless-stopped" for name in compose["services"]}


@pytest.mark.parametrize("name", SHORTLIST)
def test_web_and_watcher_have_healthchecks_and_the_autoheal_label(compose, name):
    service = compose["services"][name]
    assert service["labels"].get("autoheal") == "true"
    check = service["healthcheck"]
    assert check["test"][0] == "CMD" and check["test"][1] == "python"
    assert check["retries"] >= 2
    seconds = {key: _seconds(check[key]) for key in ("interval", "timeout", "start_period")}
    # unhealthy within interval x retries; autoheal then acts within its own interval
    assert seconds["interval"] * check["retries"] <= 30 and seconds["timeout"] <= seconds["interval"]
    assert seconds["start_period"] > 0


@pytest.mark.parametrize("name", SHORTLIST)
def test_web_and_watcher_share_the_image_and_named_volumes(compose, name):
    service = compose["services"][name]
    assert service["image"] == "sre-app" and service["build"]["context"] == str(ROOT)
    mounts = {m.split(":")[0]: m.split(":")[1] for m in service["volumes"]}
    assert mounts == {"inbox": "/data/inbox", "store": "/data/store"}
    assert {"inbox", "store"} <= set(compose["volumes"])


def test_commands_and_ports(compose):
    services = compose["services"]
    assert services["web"]["command"] == ["python", "-m", "ui"]
    assert services["watcher"]["command"] == ["python", "-m", "pipeline", "watch"]
    assert services["web"]["environment"]["SHORTLIST_HOST"] == "0.0.0.0"
    assert services["watcher"]["environment"]["SHORTLIST_METRICS_HOST"] == "0.0.0.0"
    published = {name: {p["published"] for p in s.get("ports", [])} for name, s in services.items()}
    assert published["web"] == {8080} and published["prometheus"] == {9090} and published["grafana"] == {3000}
    assert not published["watcher"] and not published["blackbox"] and not published["autoheal"]


def test_autoheal_companion_watches_the_label_through_the_docker_socket(compose):
    autoheal = compose["services"]["autoheal"]
    assert autoheal["image"].startswith("willfarrell/autoheal")
    assert autoheal["environment"]["AUTOHEAL_CONTAINER_LABEL"] == "autoheal"
    assert any(v.startswith("/var/run/docker.sock:/var/run/docker.sock") for v in autoheal["volumes"])


def test_observability_files_it_mounts_exist_and_name_these_services(compose):
    for service in ("prometheus", "blackbox", "grafana"):
        for mount in compose["services"][service]["volumes"]:
            source = mount.split(":")[0]
            if source.startswith("/"):  # a bind mount, made absolute by `config`
                assert Path(source).exists(), f"{service} mounts {source}, which is missing"
    prometheus = compose["services"]["prometheus"]
    config_file = next(a.split("=", 1)[1] for a in prometheus["command"] if a.startswith("--config.file="))
    mounted = {m.split(":")[1]: m.split(":")[0] for m in prometheus["volumes"]}
    config = yaml.safe_load(Path(mounted[config_file]).read_text())
    targets = {t for job in config["scrape_configs"] for sc in job.get("static_configs", []) for t in sc["targets"]}
    assert "web:8080" in targets
    discovered = {
        (name, sd["port"])
        for job in config["scrape_configs"]
        for sd in job.get("dns_sd_configs", [])
        for name in sd["names"]
    }
    assert ("watcher", 9101) in discovered
    replacements = {r.get("replacement") for job in config["scrape_configs"] for r in job.get("relabel_configs", [])}
    assert "blackbox:9115" in replacements
    provider = yaml.safe_load((ROOT / "observability/grafana/provisioning/dashboards/provider.yml").read_text())
    grafana = {m.split(":")[1]: m.split(":")[0] for m in compose["services"]["grafana"]["volumes"]}
    for entry in provider["providers"]:
        assert entry["options"]["path"] in grafana, "grafana's dashboard folder is not mounted where provisioned"


class _Health(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200 if self.path in ("/healthz", "/metrics") else 404)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.mark.parametrize("name, port", [("web", 8080), ("watcher", 9101)])
def test_healthcheck_commands_pass_when_answered_and_fail_when_not(compose, name, port):
    argv = compose["services"][name]["healthcheck"]["test"][1:]
    assert f"127.0.0.1:{port}/" in argv[-1]
    local = free_port()
    argv = [arg.replace(f"127.0.0.1:{port}/", f"127.0.0.1:{local}/") for arg in argv]
    python = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv/bin/python").exists() else "python3"
    argv[0] = python
    assert subprocess.run(argv, capture_output=True, timeout=10).returncode != 0  # nothing listens yet
    server = http.server.ThreadingHTTPServer(("127.0.0.1", local), _Health)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=10)
        assert done.returncode == 0, done.stderr
    finally:
        server.shutdown()
        server.server_close()


def test_dockerfile_installs_the_project_like_make_run():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert re.search(r"^FROM python:3\.11-slim$", dockerfile, re.M)
    assert re.search(r"pip install \.(\s|$)", dockerfile)
    assert "HEALTHCHECK" in dockerfile and '"python", "-m", "ui"' in dockerfile
    ignored = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    for source in re.findall(r"^COPY (\S+) ", dockerfile, re.M):
        assert (ROOT / source).exists(), f"Dockerfile copies {source}, which is missing"
        assert source not in ignored, f".dockerignore drops {source}, which the Dockerfile copies"
    for heavy in (".venv", ".git", "store/shortlist.db*", "inbox"):
        assert heavy in ignored
    makefile = (ROOT / "Makefile").read_text()
    assert "pip install -q -e ." in makefile  # same pyproject, editable on a workstation


def _seconds(value) -> float:
    if isinstance(value, (int, float)):
        return float(value)
    total, units = 0.0, {"h": 3600, "m": 60, "s": 1, "ms": 0.001}
    for number, unit in re.findall(r"([\d.]+)(ms|h|m|s)", value):
        total += float(number) * units[unit]
    return total


def test_the_postgres_profile_adds_the_database_and_the_watchers_scale(tmp_path):
    """`--profile postgres` with SHORTLIST_WATCHERS=3: a PostgreSQL service, three watcher replicas, and web and
    watchers pointed at it by SHORTLIST_DATABASE_URL; without the profile, SQLite and one watcher as before."""
    tool = shutil.which("docker-compose")
    assert tool, "docker-compose is not installed: apt-get install docker-compose"
    url = "postgresql+psycopg://shortlist:shortlist@postgres:5432/shortlist"
    env = {"PATH": "/usr/bin:/bin", "SHORTLIST_DATABASE_URL": url, "SHORTLIST_WATCHERS": "3"}
    done = subprocess.run(
        [tool, "-f", str(ROOT / "compose.yaml"), "--profile", "postgres", "config"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    services = yaml.safe_load(done.stdout)["services"]
    assert services["postgres"]["image"].startswith("postgres:")
    assert services["postgres"]["healthcheck"]["test"][1] == "pg_isready"
    assert services["watcher"]["deploy"]["replicas"] == 3
    assert "ports" not in services["watcher"], "replicas cannot share a published port"
    assert services["web"]["environment"]["SHORTLIST_DATABASE_URL"] == url
    assert services["watcher"]["environment"]["SHORTLIST_DATABASE_URL"] == url


def test_without_the_profile_it_is_sqlite_and_one_watcher(compose):
    assert compose["services"]["postgres"]["profiles"] == ["postgres"]  # started only with --profile postgres
    assert compose["services"]["watcher"]["deploy"]["replicas"] == 1
    assert compose["services"]["web"]["environment"]["SHORTLIST_DATABASE_URL"] == "sqlite:////data/store/shortlist.db"
