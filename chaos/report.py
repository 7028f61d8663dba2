"""A drill's report: what was supposed to hold, what was done, what was measured, against the SLOs; JSON and Markdown."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

from chaos.drill import Drill
from observability.spec import SpecError, load_spec, parse_duration
from store.settings import ROOT

SLO_FILE = ROOT / "observability" / "slo.yaml"
REPORTS = ROOT / "chaos" / "reports"
DRILL_SLOS = ("requests-success", "latency")


def slo_targets(path: Path = SLO_FILE) -> dict[str, Any]:
    """The request-success and latency objectives and the compliance period, from observability/slo.yaml."""
    spec = load_spec(path)
    slos = {s["name"]: s for s in spec["slos"]}
    missing = [name for name in DRILL_SLOS if name not in slos]
    if missing:
        raise SpecError(f"{path}: the drills measure against the SLO(s) {', '.join(missing)}, which it lacks")
    return {
        "success_objective": float(slos["requests-success"]["objective"]),
        "latency_objective": float(slos["latency"]["objective"]),
        "latency_threshold_s": 2.0,
        "period": spec["period"],
        "period_s": parse_duration(spec["period"]) // 1000,
    }


def error_budget(requests: dict, normal_rate: float, downtime_s: float | None, slo: dict) -> dict:
    """Failed requests against the availability budget, over the drill and as a share of a whole period's."""
    budget = 1 - slo["success_objective"] / 100
    attempted, failed, slow = requests["attempted"], requests["failed"], requests["slow"]
    allowed = budget * attempted
    period_requests = normal_rate * slo["period_s"]
    latency_budget = 1 - slo["latency_objective"] / 100
    return {
        "objective_pct": slo["success_objective"],
        "budget_ratio": round(budget, 6),
        "allowed_failures_in_drill": round(allowed, 2),
        "drill_budget_consumed_pct": round(100 * failed / allowed, 1) if allowed else None,
        "period": slo["period"],
        "normal_rate_rps": normal_rate,
        "period_budget_requests": int(budget * period_requests),
        "period_budget_consumed_pct": round(100 * failed / (budget * period_requests), 5) if period_requests else None,
        "downtime_s": downtime_s,
        "period_downtime_budget_s": int(budget * slo["period_s"]),
        "period_downtime_consumed_pct": round(100 * downtime_s / (budget * slo["period_s"]), 5)
        if downtime_s is not None
        else None,
        "latency_objective_pct": slo["latency_objective"],
        "slow_requests": slow,
        "latency_budget_consumed_pct": round(100 * slow / (latency_budget * attempted), 1) if attempted else None,
    }


def _activities(journal: dict | None) -> list[dict[str, Any]]:
    """Each action, probe and rollback Chaos Toolkit ran: its status, duration and, when it failed, why."""
    activities = []
    for run in (journal or {}).get("run", []) + (journal or {}).get("rollbacks", []):
        failed = {"error": str(run.get("exception", ""))[-300:]} if run["status"] != "succeeded" else {}
        activity = run["activity"]
        activities.append(
            {
                "name": activity["name"],
                "type": activity["type"],
                "status": run["status"],
                "duration_s": round(run.get("duration", 0), 3),
                **failed,
            }
        )
    return activities


def build(drill: Drill, journal: dict | None = None) -> dict[str, Any]:
    slo = slo_targets()
    threshold = slo["latency_threshold_s"]
    samples = drill.files.get("samples", {})
    attempted = sum(s["attempted"] for s in drill.load_stats.values())
    failed = sum(s["failed"] for s in drill.load_stats.values())
    slow = sum(1 for runs in samples.values() for s in runs if s["latency"] >= threshold)
    requests = {
        "attempted": attempted,
        "failed": failed,
        "slow": slow,
        "error_ratio": round(failed / attempted, 5) if attempted else None,
        "by_load": drill.load_stats,
    }
    downtime = drill.measures.get("time_to_recover_s")
    activities = _activities(journal)
    failed_activities = [a["name"] for a in activities if a["status"] != "succeeded"]
    passed = (
        drill.passed
        and not failed_activities
        and (journal or {}).get("status", "completed") == "completed"
        and not (journal or {}).get("deviated", False)
    )
    files = drill.files.get("results", {})
    return {
        "drill": drill.name,
        "title": drill.title,
        "passed": passed,
        "short": bool(drill.config.get("short")),
        "started_at": drill.started_at,
        "duration_s": round(drill.now(), 2),
        "hypothesis": drill.hypothesis.strip(),
        "steady_state": drill.steady_state,
        "deployment": {"web": drill.deployment.base_url, "home": str(drill.deployment.settings.home)},
        "time_to_detect_s": drill.measures.get("time_to_detect_s"),
        "time_to_recover_s": drill.measures.get("time_to_recover_s"),
        "requests": requests,
        "error_budget": error_budget(requests, float(drill.config.get("normal_rate", 5)), downtime, slo)
        if attempted
        else None,
        "files": files,
        "checks": [asdict(c) for c in drill.checks],
        "measures": {k: v for k, v in drill.measures.items() if k not in ("time_to_detect_s", "time_to_recover_s")},
        "marks": drill.marks,
        "notes": drill.notes,
        "errors": drill.errors + [f"activity {name} did not succeed" for name in failed_activities],
        "rollbacks": drill.rollbacks_done,
        "activities": activities,
        "chaostoolkit": {"status": (journal or {}).get("status"), "deviated": (journal or {}).get("deviated")},
        "configuration": {k: v for k, v in drill.config.items() if not isinstance(v, dict)},
    }


def _fmt(value: Any, unit: str = "") -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.3g}{unit}" if abs(value) < 1000 else f"{value:,.0f}{unit}"
    return f"{value}{unit}"


def markdown(report: dict[str, Any]) -> str:
    verdict = "PASSED" if report["passed"] else "FAILED"
    lines = [
        f"# Drill {report['drill']}: {verdict}",
        "",
        f"**{report['title']}**",
        "",
        f"Started {report['started_at']}, took {report['duration_s']:.1f} s"
        f"{' (short form)' if report['short'] else ''}, against {report['deployment']['web']}.",
        "",
        "## Hypothesis",
        "",
        report["hypothesis"],
        "",
        "## Steady state",
        "",
        report["steady_state"],
        "",
        "## Figures",
        "",
        "| figure | value |",
        "| --- | --- |",
        f"| time to detect | {_fmt(report['time_to_detect_s'], ' s')} |",
        f"| time to recover | {_fmt(report['time_to_recover_s'], ' s')} |",
    ]
    lines += _request_figures(report["requests"], report["error_budget"])
    for label, f in report["files"].items():
        lines += _file_figures(label, f)
    lines += _load_table(report["requests"]["by_load"])
    lines += _outcome(report)
    return "\n".join(lines)


def _request_figures(req: dict[str, Any], budget: dict[str, Any] | None) -> list[str]:
    lines: list[str] = []
    if req["attempted"]:
        lines += [
            f"| requests attempted / failed | {req['attempted']} / {req['failed']} ({100 * req['error_ratio']:.2f}%) |",
            f"| requests slower than 2 s | {req['slow']} |",
        ]
    if budget:
        lines += [
            f"| error budget of this drill ({100 - budget['objective_pct']:g}% of its requests) | "
            f"{_fmt(budget['drill_budget_consumed_pct'], '%')} consumed "
            f"({req['failed']} of {budget['allowed_failures_in_drill']:g} allowed) |",
            f"| share of the {budget['period']} request budget at {budget['normal_rate_rps']:g} req/s | "
            f"{_fmt(budget['period_budget_consumed_pct'], '%')} of {budget['period_budget_requests']:,} |",
        ]
        if budget["downtime_s"] is not None:
            lines.append(
                f"| share of the {budget['period']} downtime budget ({budget['period_downtime_budget_s']:,} s)"
                f" | {_fmt(budget['period_downtime_consumed_pct'], '%')} ({budget['downtime_s']:g} s) |"
            )
        lines.append(
            f"| latency budget of this drill ({100 - budget['latency_objective_pct']:g}% may take 2 s or "
            f"more) | {_fmt(budget['latency_budget_consumed_pct'], '%')} consumed |"
        )
    return lines


def _file_figures(label: str, f: dict[str, Any]) -> list[str]:
    lines: list[str] = []
    if f["good_dropped"]:
        lines.append(
            f"| files ({label}): good dropped / scored / duplicates / lost | {f['good_dropped']} / "
            f"{f['good_scored']} / {f['duplicates']} / {f['lost']} |"
        )
    if f.get("good_quarantined"):
        codes = ", ".join(f"{k} {v}" for k, v in sorted(f.get("good_quarantined_codes", {}).items()))
        lines.append(
            f"| files ({label}): good files quarantined instead of scored | {f['good_quarantined']} ({codes}) |"
        )
    if f["bad_dropped"]:
        codes = ", ".join(f"{k} {v}" for k, v in sorted(f["quarantine_codes"].items()))
        lines.append(
            f"| files ({label}): bad dropped / quarantined | {f['bad_dropped']} / {f['quarantined']} ({codes}) |"
        )
    lines.append(f"| files ({label}): last drop to all done | {_fmt(f['seconds_from_last_drop_to_done'], ' s')} |")
    return lines


def _load_table(by_load: dict[str, Any]) -> list[str]:
    lines: list[str] = []
    if by_load:
        lines += [
            "",
            "## Load",
            "",
            "| load | rate | attempted | failed | p50 | p95 | p99 | max | failures |",
            "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
        ]
        for name, s in by_load.items():
            kinds = ", ".join(f"{k} {v}" for k, v in s["failures_by_kind"].items()) or "–"
            lines.append(
                f"| {name} | {s['rate']:g}/s | {s['attempted']} | {s['failed']} | {_fmt(s['p50_s'], ' s')} | "
                f"{_fmt(s['p95_s'], ' s')} | {_fmt(s['p99_s'], ' s')} | {_fmt(s['max_s'], ' s')} | {kinds} |"
            )
    return lines


def _outcome(report: dict[str, Any]) -> list[str]:
    """Checks, measurements, timeline, notes, errors and rollbacks."""
    lines = ["", "## Checks", "", "| check | result | measured | bound |", "| --- | --- | --- | --- |"]
    for c in report["checks"]:
        detail = f" ({c['detail']})" if c["detail"] else ""
        lines.append(
            f"| {c['name']} | {'ok' if c['passed'] else '**FAILED**'} | {_fmt(c['measured'])}{detail} | "
            f"{_fmt(c['bound'])} |"
        )
    if report["measures"]:
        lines += ["", "## Other measurements", ""]
        lines += [f"- {k}: `{json.dumps(v, default=str)}`" for k, v in report["measures"].items()]
    lines += ["", "## Timeline (seconds since the drill started)", ""]
    lines += [f"- {t:7.2f} {name}" for name, t in sorted(report["marks"].items(), key=lambda kv: kv[1])]
    if report["notes"]:
        lines += ["", "## Notes", ""] + [f"- {n}" for n in report["notes"]]
    if report["errors"]:
        lines += ["", "## Errors", ""] + [f"- {e}" for e in report["errors"]]
    lines += ["", "## Rolled back", ""]
    lines += [
        f"- {r['rollback']}: {'ok' if r['ok'] else 'FAILED ' + r.get('error', '')}" for r in report["rollbacks"]
    ] or ["- nothing to roll back"]
    lines += [
        "",
        f"Chaos Toolkit status: {report['chaostoolkit']['status']}, deviated: {report['chaostoolkit']['deviated']}.",
        "",
    ]
    return lines


def write(report: dict[str, Any], folder: Path | None = None) -> tuple[Path, Path]:
    folder = Path(folder or REPORTS)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = report["started_at"].replace(":", "").replace("-", "").split("+")[0]
    base = folder / f"{stamp}-{report['drill']}"
    base.with_suffix(".json").write_text(json.dumps(report, indent=2, default=str) + "\n")
    base.with_suffix(".md").write_text(markdown(report))
    return base.with_suffix(".md"), base.with_suffix(".json")
