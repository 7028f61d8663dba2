"""Turn the SLO spec (observability/slo.yaml) into Prometheus recording and alerting rules."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

# SPEC is re-exported: the CLI and the tests know the spec's path as generate.SPEC.
from observability.spec import SPEC as SPEC, SpecError, humanize_duration, load_spec, parse_duration, scale_duration

HERE = Path(__file__).resolve().parent
RULES_DIR = HERE / "rules"
RECORDING = "slo_recording.yml"
ALERTS = "slo_alerts.yml"
SHORT_SCALE = 60  # `--windows short`: 5m -> 5s, 1h -> 1m, 30d -> 12h

_PLACEHOLDER = re.compile(r"\{\{\s*([^}]*?)\s*\}\}")


def _expand(expr: str, scale: float, window: str | None = None) -> str:
    def substitute(match: re.Match[str]) -> str:
        word = match.group(1)
        if word == "window":
            if window is None:
                raise SpecError(f"{{{{window}}}} outside an SLI expression: {expr}")
            return scale_duration(window, scale)
        return scale_duration(word, scale)

    return _PLACEHOLDER.sub(substitute, " ".join(str(expr).split()))


def _number(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _selector(labels: dict[str, str]) -> str:
    return "{" + ", ".join(f'{k}="{v}"' for k, v in labels.items()) + "}"


def _is_call(expr: str) -> bool:
    """Whether `expr` is one function call, like sum(...), that needs no parentheses around it."""
    match = re.match(r"^[a-z_]+\(", expr)
    if not match or not expr.endswith(")"):
        return False
    depth = 0
    for index, char in enumerate(expr[match.end() - 1 :], start=match.end() - 1):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == 0:
            return index == len(expr) - 1
    return False


def _sli_expr(sli: dict[str, str], scale: float, window: str) -> str:
    def part(key: str) -> str:
        expr = _expand(sli[key], scale, window)
        return expr if _is_call(expr) else f"({expr})"

    if "good" in sli or "bad" in sli:
        return f"{part('good' if 'good' in sli else 'bad')} / {part('total')}"
    return _expand(sli["ratio" if "ratio" in sli else "value"], scale, window)


def _recording_group(spec: dict[str, Any], slo: dict[str, Any], scale: float) -> dict[str, Any]:
    labels = {"service": spec["service"], "slo": slo["name"]}
    sel = _selector(labels)
    sli = slo["sli"]
    rules: list[dict[str, Any]] = []
    for window in spec["windows"]:
        rules.append(
            {
                "record": f"sli:{sli['record']}_rate{window}",
                "expr": _sli_expr(sli, scale, window),
                "labels": dict(labels),
            }
        )
    if slo.get("informational"):
        if "objective" in slo:
            rules.append(
                {
                    "record": "slo:objective:threshold",
                    "expr": _number(Decimal(str(slo["objective"]))),
                    "labels": dict(labels),
                }
            )
        return {"name": f"{spec['service']}-slo-{slo['name']}", "rules": rules}
    objective = Decimal(str(slo["objective"])) / 100
    budget = 1 - objective
    for window in spec["windows"]:
        source = f"sli:{sli['record']}_rate{window}{sel}"
        error = source if "bad" in sli else f"1 - {source}"
        rules.append({"record": f"slo:sli_error:ratio_rate{window}", "expr": error, "labels": dict(labels)})
    for window in spec["windows"]:
        rules.append(
            {
                "record": f"slo:burn_rate:ratio_rate{window}",
                "expr": f"slo:sli_error:ratio_rate{window}{sel} / {_number(budget)}",
                "labels": dict(labels),
            }
        )
    rules.append({"record": "slo:objective:ratio", "expr": _number(objective), "labels": dict(labels)})
    rules.append({"record": "slo:error_budget:ratio", "expr": _number(budget), "labels": dict(labels)})
    rules.append(
        {
            "record": "slo:error_budget_remaining:ratio",
            "expr": f"1 - slo:burn_rate:ratio_rate{spec['period']}{sel}",
            "labels": dict(labels),
        }
    )
    return {"name": f"{spec['service']}-slo-{slo['name']}", "rules": rules}


def _indicator_group(spec: dict[str, Any], scale: float) -> dict[str, Any]:
    rules = []
    for indicator in spec.get("indicators", []):
        for window in spec["windows"]:
            rules.append(
                {
                    "record": f"sli:{indicator['record']}_rate{window}",
                    "expr": _expand(indicator["expr"], scale, window),
                    "labels": {"service": spec["service"]},
                }
            )
    return {"name": f"{spec['service']}-indicators", "rules": rules}


def _sla_group(spec: dict[str, Any]) -> dict[str, Any]:
    sla = spec["sla"]
    slo = next(s for s in spec["slos"] if s["name"] == sla["slo"])
    source = f"sli:{slo['sli']['record']}_rate{sla['window']}" + _selector(
        {"service": spec["service"], "slo": slo["name"]}
    )
    terms, previous = [], Decimal(0)
    for tier in sorted(sla["credits"], key=lambda t: -t["below"]):
        step = Decimal(str(tier["credit"])) - previous
        previous = Decimal(str(tier["credit"]))
        terms.append(f"{_number(step)} * ({source} < bool {_number(Decimal(str(tier['below'])) / 100)})")
    return {
        "name": f"{spec['service']}-sla",
        "rules": [
            {
                "record": "sla:service_credit:percent",
                "expr": " + ".join(terms),
                "labels": {"service": spec["service"], "sla": sla["name"]},
            }
        ],
    }


def _records_group(spec: dict[str, Any], scale: float) -> dict[str, Any]:
    """Plain recording rules that SLIs build on, such as a bar that is met (1) or not (0) at each evaluation."""
    rules = [
        {"record": record["record"], "expr": _expand(record["expr"], scale), "labels": {"service": spec["service"]}}
        for record in spec["records"]
    ]
    return {"name": f"{spec['service']}-records", "rules": rules}


def recording_rules(spec: dict[str, Any], scale: float = 1) -> dict[str, Any]:
    groups = [_records_group(spec, scale)] if spec.get("records") else []
    groups += [_recording_group(spec, slo, scale) for slo in spec["slos"]]
    if spec.get("indicators"):
        groups.append(_indicator_group(spec, scale))
    if spec.get("sla"):
        groups.append(_sla_group(spec))
    return {"groups": groups}


def _burn_rate_alert(spec: dict[str, Any], slo: dict[str, Any], rule: dict[str, Any], scale: float) -> dict[str, Any]:
    labels = {"service": spec["service"], "slo": slo["name"]}
    sel = _selector(labels)
    rate = _number(Decimal(str(rule["burn_rate"])))
    long, short = rule["long"], rule["short"]
    period_ms = parse_duration(spec["period"])
    spent = Decimal(str(rule["burn_rate"])) * parse_duration(long) / period_ms * 100
    exhausted = humanize_duration(int(period_ms / Decimal(str(rule["burn_rate"]))))
    return {
        "alert": f"{slo['alert']}BurnRate{rule['name']}",
        "expr": (f"slo:burn_rate:ratio_rate{long}{sel} > {rate} and slo:burn_rate:ratio_rate{short}{sel} > {rate}"),
        "for": scale_duration(rule["for"], scale),
        "labels": {"severity": rule["severity"], "long_window": long, "short_window": short},
        "annotations": {
            "summary": f"{slo['title']}: error budget burning at {{{{ $value | humanize }}}}x over {long} and {short}",
            "description": (
                f"Objective {_number(Decimal(str(slo['objective'])))}% over {spec['period']}: "
                f"{slo['description']} A burn rate above {rate}x spends {_number(round(spent, 1))}% "
                f"of the error budget in {long} and all of it in {exhausted}."
            ),
            "runbook_url": f"{spec['runbook']}#{slo['name']}",
        },
    }


def _sla_alert(spec: dict[str, Any]) -> dict[str, Any]:
    sla = spec["sla"]
    slo = next(s for s in spec["slos"] if s["name"] == sla["slo"])
    source = f"sli:{slo['sli']['record']}_rate{sla['window']}" + _selector(
        {"service": spec["service"], "slo": slo["name"]}
    )
    objective = Decimal(str(sla["objective"]))
    return {
        "alert": f"{spec['service'].title()}Sla{sla['name'].title()}Breached",
        "expr": f"{source} < {_number(objective / 100)}",
        "labels": {"severity": "ticket", "sla": sla["name"]},
        "annotations": {
            "summary": f"{slo['title']} over {sla['window']} is below the {_number(objective)}% the SLA promises",
            "description": "The SLA obliges a fix within 24 hours and a service credit; see the SLA section of the runbook.",
            "runbook_url": f"{spec['runbook']}#sla",
        },
    }


def _plain_alert(spec: dict[str, Any], alert: dict[str, Any], scale: float) -> dict[str, Any]:
    return {
        "alert": alert["alert"],
        "expr": _expand(alert["expr"], scale),
        "for": scale_duration(alert["for"], scale),
        "labels": {"severity": alert["severity"], "service": spec["service"]},
        "annotations": {
            "summary": alert["summary"],
            "description": alert["description"],
            "runbook_url": f"{spec['runbook']}#{alert['alert'].lower()}",
        },
    }


def alerting_rules(spec: dict[str, Any], scale: float = 1) -> dict[str, Any]:
    rules = [
        _burn_rate_alert(spec, slo, rule, scale)
        for slo in spec["slos"]
        if not slo.get("informational")
        for rule in spec["burn_rate_alerts"]
    ]
    if spec.get("sla"):
        rules.append(_sla_alert(spec))
    rules += [_plain_alert(spec, alert, scale) for alert in spec.get("alerts", [])]
    return {"groups": [{"name": f"{spec['service']}-slo-alerts", "rules": rules}]}


def _header(scale: float) -> str:
    lines = ["# Generated by `python -m observability generate` from observability/slo.yaml; do not edit."]
    if scale != 1:
        lines.append(
            f"# Test rules: every window and `for` is divided by {scale:g}; the rule names keep the"
            " full-size window names."
        )
    return "\n".join(lines) + "\n"


def _dump(document: dict[str, Any]) -> str:
    return yaml.safe_dump(document, sort_keys=False, width=100_000, allow_unicode=True)


def render(spec: dict[str, Any] | None = None, scale: float = 1) -> dict[str, str]:
    """The rule files' names and texts, the same bytes for the same spec and scale."""
    if scale <= 0:
        raise SpecError(f"scale must be positive, got {scale}")
    spec = load_spec() if spec is None else spec
    return {
        RECORDING: _header(scale) + _dump(recording_rules(spec, scale)),
        ALERTS: _header(scale) + _dump(alerting_rules(spec, scale)),
    }


def write(out_dir: Path = RULES_DIR, spec: dict[str, Any] | None = None, scale: float = 1) -> list[Path]:
    """Write the rule files into `out_dir` and return their paths."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, text in render(spec, scale).items():
        path = out_dir / name
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def stale(rules_dir: Path = RULES_DIR, spec: dict[str, Any] | None = None) -> list[str]:
    """Names of the checked-in rule files that differ from what the spec generates."""
    rules_dir = Path(rules_dir)
    return [
        name
        for name, text in render(spec).items()
        if not (rules_dir / name).is_file() or (rules_dir / name).read_text(encoding="utf-8") != text
    ]


def prometheus_config(
    web: str, watcher: str, rules_dir: Path, scrape_interval: str = "15s", evaluation_interval: str | None = None
) -> str:
    """A prometheus.yml scraping `web` and `watcher` (host:port) with the rules in `rules_dir`.

    For integration tests: generate short-window rules with write(dir, scale=SHORT_SCALE) and a
    config beside them with prometheus_config(..., dir, scrape_interval="1s").
    """
    rules_dir = Path(rules_dir).resolve()
    config = {
        "global": {"scrape_interval": scrape_interval, "evaluation_interval": evaluation_interval or scrape_interval},
        "rule_files": [str(rules_dir / RECORDING), str(rules_dir / ALERTS)],
        "scrape_configs": [
            {"job_name": "shortlist-web", "static_configs": [{"targets": [web]}]},
            {"job_name": "shortlist-watcher", "static_configs": [{"targets": [watcher]}]},
        ],
    }
    return "# Generated by `python -m observability generate` for a test Prometheus.\n" + _dump(config)
