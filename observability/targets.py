"""Where Prometheus finds this instance: scrape targets and listen address from the port settings.

The settings are SHORTLIST_PORT, _METRICS_PORT and _PROMETHEUS_URL.

observability/prometheus.yml names no address: each job reads its targets from a file_sd file, `targets/<job>.json`
beside the config. `write()` writes those files for the settings in force, and a copy of prometheus.yml whose rule
files point back into observability/rules/, into `$SHORTLIST_STORE/observability/`; `python -m observability
prometheus` (supervisord's prometheus program) does that and then runs Prometheus on it, listening where
SHORTLIST_PROMETHEUS_URL points. `same_target()` is how the /slo page tells whether a target Prometheus scrapes is
this instance.
"""

from __future__ import annotations

import ipaddress
import json
import os
from pathlib import Path
from urllib.parse import urlsplit

import yaml

HERE = Path(__file__).resolve().parent
TEMPLATE = HERE / "prometheus.yml"
WEB, WATCHER, PROMETHEUS = "shortlist-web", "shortlist-watcher", "prometheus"
RETENTION = "35d"  # the 30-day SLO windows and the monthly SLA need a little over 30 days
_WILDCARDS = {"", "0.0.0.0", "::", "*"}


class TargetError(ValueError):
    """A setting the scrape targets or Prometheus's listen address cannot be made from; the message names it."""


def host_port(address: str) -> tuple[str, int]:
    """Split "host:port" or "[v6]:port"; the host keeps no brackets."""
    host, sep, port = address.rpartition(":")
    if not sep or not port.isdigit():
        raise TargetError(f"not a host:port address: {address!r}")
    return host.strip("[]"), int(port)


def join(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def scrape_address(host: str, port: int) -> str:
    """Where Prometheus on this machine reaches a process bound to host:port (a wildcard bind: on loopback)."""
    if host in _WILDCARDS:
        host = "::1" if host == "::" else "127.0.0.1"
    return join(host, port)


def prometheus_listen(url: str) -> tuple[str, str]:
    """The --web.listen-address for a Prometheus reached at `url`, and the path it serves under ("" for /)."""
    parts = urlsplit(url)
    if parts.scheme != "http" or not parts.hostname:
        raise TargetError(
            f"SHORTLIST_PROMETHEUS_URL={url!r}: the Prometheus `make run` starts serves plain "
            "http; give a URL like http://127.0.0.1:9090"
        )
    try:
        port = parts.port
    except ValueError:
        port = None
    if not port:
        raise TargetError(
            f"SHORTLIST_PROMETHEUS_URL={url!r} names no port for Prometheus to listen on; "
            "give one, like http://127.0.0.1:9090"
        )
    return join(parts.hostname, port), parts.path.rstrip("/")


def instance_targets(settings) -> dict[str, list[str]]:
    """Each scrape job's targets for this instance: its web UI, its watcher (none when SHORTLIST_METRICS_PORT
    is 0) and the Prometheus at SHORTLIST_PROMETHEUS_URL."""
    listen, _path = prometheus_listen(settings.prometheus_url)
    return {
        WEB: [scrape_address(settings.host, settings.port)],
        WATCHER: [scrape_address(settings.metrics_host, settings.metrics_port)] if settings.metrics_port else [],
        PROMETHEUS: [scrape_address(*host_port(listen))],
    }


def bind_addresses(settings) -> dict[str, str]:
    """Where this instance's web UI and watcher listen, by job: what a target Prometheus scrapes must match."""
    bound = {WEB: join(settings.host, settings.port)}
    if settings.metrics_port:
        bound[WATCHER] = join(settings.metrics_host, settings.metrics_port)
    return bound


def _ip(host: str):
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def same_target(bound: str, scraped: str) -> bool:
    """Whether a target Prometheus scrapes (`scraped`, its instance label) is the process bound at `bound`.

    The ports must agree: two instances on one machine never share one. So must the hosts when both are IP
    addresses (any, for a process bound to all interfaces; loopback matches loopback); a name such as localhost
    or a compose service (web:8080) is taken at its word.
    """
    try:
        ours, theirs = host_port(bound), host_port(scraped)
    except TargetError:
        return False
    if ours[1] != theirs[1]:
        return False
    a, b = _ip("0.0.0.0" if ours[0] in _WILDCARDS else ours[0]), _ip(theirs[0])
    if a is None or b is None or a.is_unspecified:
        return True
    return a == b or (a.is_loopback and b.is_loopback)


def config_dir(settings) -> Path:
    return settings.store / "observability"


def _write_atomically(path: Path, text: str) -> None:
    """Prometheus watches the target files: it must never read one half-written."""
    partial = path.with_name(f".{path.name}.tmp")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)


def duration(seconds: float) -> str:
    """A Prometheus duration: whole seconds as "15s", anything finer in milliseconds ("1500ms")."""
    millis = max(1, round(seconds * 1000))
    return f"{millis // 1000}s" if millis % 1000 == 0 else f"{millis}ms"


def intervals(scrape_seconds: float) -> dict[str, str]:
    """Scrape and rule-evaluation interval from SHORTLIST_SCRAPE_SECONDS; a scrape times out within its interval."""
    every = duration(scrape_seconds)
    return {
        "scrape_interval": every,
        "scrape_timeout": duration(min(10.0, scrape_seconds)),
        "evaluation_interval": every,
    }


def write(settings, out: Path | None = None, template: Path = TEMPLATE) -> Path:
    """Write the target files and the config for `settings` into `out` (config_dir by default); return the config."""
    out = Path(out) if out is not None else config_dir(settings)
    (out / "targets").mkdir(parents=True, exist_ok=True)
    targets = instance_targets(settings)
    _listen, path = prometheus_listen(settings.prometheus_url)
    labels = {PROMETHEUS: {"__metrics_path__": f"{path}/metrics"}} if path else {}
    for job, addresses in targets.items():
        groups = [{"targets": addresses, "labels": labels.get(job, {})}] if addresses else []
        _write_atomically(out / "targets" / f"{job}.json", json.dumps(groups, indent=2) + "\n")
    config = yaml.safe_load(template.read_text(encoding="utf-8"))
    config["global"] = {**config.get("global", {}), **intervals(settings.scrape_seconds)}
    config["rule_files"] = [str((template.parent / rule).resolve()) for rule in config.get("rule_files", [])]
    header = (
        f"# Written by `python -m observability targets` from {template} at every start of Prometheus;\n"
        "# edit that file instead. The jobs' targets are in targets/*.json beside this file.\n"
    )
    config_path = out / "prometheus.yml"
    _write_atomically(config_path, header + yaml.safe_dump(config, sort_keys=False))
    return config_path


def prometheus_argv(settings, config: Path, binary: str = "prometheus") -> list[str]:
    """The command line of the Prometheus for this instance: its config, its data in the store, its address."""
    listen, path = prometheus_listen(settings.prometheus_url)
    argv = [
        binary,
        f"--config.file={config}",
        f"--storage.tsdb.path={settings.store / 'prometheus'}",
        f"--storage.tsdb.retention.time={RETENTION}",
        f"--web.listen-address={listen}",
        "--web.enable-lifecycle",
    ]
    if path:
        argv.append(f"--web.external-url={settings.prometheus_url}")
    return argv
