"""`python -m chaos list | run DRILL... | run all`: run the Chaos Toolkit experiments in chaos/experiments/.

Against the supervisord deployment `make run` started (found through the same SHORTLIST_*
settings), or with --sandbox against a throw-away one in a temporary SHORTLIST_HOME. Rollbacks
are always played. Each drill writes a Markdown and a JSON report; the exit code is 0 only when
every drill passed.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from pathlib import Path

from chaos import definition

EXPERIMENTS = Path(__file__).resolve().parent / "experiments"
ORDER = (
    "kill-web",
    "kill-watcher",
    "hang-web",
    "hang-watcher",
    "load-spike",
    "slow-network",
    "bad-input-storm",
    "db-locked",
    "break-taxonomy",
    "taxonomy-edit-under-load",
)


def experiments() -> dict[str, Path]:
    found = {p.stem: p for p in sorted(EXPERIMENTS.glob("*.yaml"))}
    return dict(sorted(found.items(), key=lambda kv: ORDER.index(kv[0]) if kv[0] in ORDER else len(ORDER)))


def load_experiment(path: Path, short: bool, extra: dict | None = None) -> dict:
    """The experiment as Chaos Toolkit reads it, with the `short` extension's values when asked."""
    checked, experiment = definition.read(path)
    configuration = experiment["configuration"]
    if short:
        configuration.update(checked.short_form())
    configuration["short"] = short
    configuration.update(extra or {})
    return experiment


def run_one(name: str, path: Path, short: bool, reports: Path | None) -> dict:
    from chaoslib.experiment import ensure_experiment_is_valid, run_experiment

    from chaos import control

    experiment = load_experiment(path, short)
    ensure_experiment_is_valid(experiment)
    control.reports_folder = reports
    control.last.clear()
    started = time.monotonic()
    run_experiment(experiment, settings={"runtime": {"rollbacks": {"strategy": "always"}}})
    result = control.last.get("report")
    if result is None:
        raise SystemExit(f"{name}: the experiment ran without the chaos.control control; no report was written")
    md, js = control.last["paths"]
    figures = [f"{'PASSED' if result['passed'] else 'FAILED'}", f"{time.monotonic() - started:.1f} s"]
    if result["time_to_recover_s"] is not None:
        figures.append(f"recovered in {result['time_to_recover_s']:.2f} s")
    if result["requests"]["attempted"]:
        figures.append(f"{result['requests']['failed']}/{result['requests']['attempted']} requests failed")
    for label, f in result["files"].items():
        figures.append(
            f"{label}: {f['good_scored']}/{f['good_dropped']} scored, {f['duplicates']} dup, "
            f"{f['quarantined']}/{f['bad_dropped']} quarantined"
        )
    print(f"{name}: {', '.join(figures)}\n  report {md}\n  json   {js}", flush=True)
    for check in result["checks"]:
        if not check["passed"]:
            print(
                f"  FAILED {check['name']}: measured {check['measured']}, bound {check['bound']} {check['detail']}",
                flush=True,
            )
    for error in result["errors"]:
        print(f"  ERROR {error}", flush=True)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m chaos", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("list", help="list the drills with their titles")
    run = sub.add_parser("run", help="run drills: names from `list`, or all")
    run.add_argument("drills", nargs="+", metavar="DRILL")
    run.add_argument("--short", action="store_true", help="the short form CI runs (each drill under 90 s)")
    run.add_argument(
        "--sandbox",
        action="store_true",
        help="start a throw-away deployment in a temporary SHORTLIST_HOME on free ports, then remove it",
    )
    run.add_argument("--keep", action="store_true", help="with --sandbox: leave its folder (logs, database) behind")
    run.add_argument("--reports", type=Path, help="folder for the reports (default: chaos/reports/)")
    run.add_argument("--quiet", action="store_true", help="only the summary lines")
    args = parser.parse_args(argv)

    known = experiments()
    names = list(known) if args.command == "list" or args.drills == ["all"] else args.drills
    unknown = [n for n in names if n not in known]
    if unknown:
        parser.error(f"unknown drill(s) {', '.join(unknown)}; one of: {', '.join(known)}, all")
    try:  # every drill file is checked before the first drill starts a deployment
        titles = {name: definition.read(known[name])[0].title for name in names}
    except definition.DrillFileError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.command == "list":
        for name, title in titles.items():
            print(f"{name:16} {title}")
        return 0
    logging.basicConfig(
        level=logging.WARNING if args.quiet else logging.INFO,
        stream=sys.stderr,
        format="%(asctime)s %(name)s %(levelname)s %(message)s",
    )

    sandbox = None
    if args.sandbox:
        from chaos.deployment import Sandbox

        sandbox = Sandbox()
        print(f"sandbox: starting supervisord in {sandbox.home}", flush=True)
        sandbox.start()
        os.environ.update(sandbox.shortlist_env())
    results = []
    try:
        for name in names:
            results.append(run_one(name, known[name], args.short, args.reports))
    finally:
        if sandbox is not None:
            sandbox.close(remove=not args.keep)
            if args.keep:
                print(f"sandbox kept in {sandbox.home}")
    passed = sum(1 for r in results if r["passed"])
    print(f"{passed} passed, {len(results) - passed} failed")
    return 0 if passed == len(results) else 1


if __name__ == "__main__":
    sys.exit(main())
