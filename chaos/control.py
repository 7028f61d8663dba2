"""Chaos Toolkit control: opens the Drill before an experiment; after it, plays every rollback still owed,
checks nothing is left stopped, and writes the report.

Every experiment in chaos/experiments/ declares it, so the report is written however the
experiment is run: `python -m chaos run NAME`, or Chaos Toolkit's own `chaos run FILE`.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from chaos import drill as drills
from chaos import report
from chaos.deployment import Deployment

log = logging.getLogger("shortlist.chaos")
last: dict[str, Any] = {}  # the last report and where it was written, for `python -m chaos run`
reports_folder: Path | None = None  # set by `python -m chaos run --reports`; else chaos/reports/


def before_experiment_control(context: dict, configuration: dict | None = None, **_kwargs) -> None:
    configuration = configuration or {}
    drill = drills.begin(configuration.get("drill") or context.get("title", "drill"), configuration)
    drill.title = context.get("title", "")
    drill.hypothesis = context.get("description", "")
    steady = context.get("steady-state-hypothesis") or {}
    drill.steady_state = steady.get("title", "") + "".join(
        f"\n- {p['name']}: {p.get('provider', {}).get('func', '')} must be {p.get('tolerance')}"
        for p in steady.get("probes", [])
    )
    drill.deployment = Deployment()
    drill.files["autoheal_log_offset"] = drill.deployment.log_size("autoheal")
    if not drill.deployment.supervised():
        drill.error(
            f"no supervisord answers on {drill.deployment.socket}: start the deployment with "
            "`make run` (or run the drill with --sandbox)"
        )


def after_experiment_control(context: dict, state: dict | None = None, **_kwargs) -> None:
    drill = drills.end()
    if drill is None:
        return
    drill.rollback_all()  # whatever the experiment's rollbacks did or did not do
    for pid in drill.files.get("stopped_pids", []):
        if _state(pid) == "T":
            drill.error(f"pid {pid} is still stopped after the rollbacks")
    result = report.build(drill, state)
    folder = drill.config.get("reports") or reports_folder
    paths = report.write(result, Path(folder) if folder else None)
    last.update(report=result, paths=paths)
    log.info("report: %s", paths[0])


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return ""
