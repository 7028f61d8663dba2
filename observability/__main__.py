"""Command line: `python -m observability generate|check` for the rules generated from slo.yaml, and
`targets|prometheus` for the Prometheus of this instance (observability/targets.py)."""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path

from observability import generate, targets


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m observability", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    gen = commands.add_parser("generate", help="write the recording and alerting rules from slo.yaml")
    size = gen.add_mutually_exclusive_group()
    size.add_argument(
        "--windows",
        choices=("full", "short"),
        default="full",
        help=f"short divides every window and `for` by {generate.SHORT_SCALE} (5m -> 5s), for tests",
    )
    size.add_argument("--scale", type=float, help="divide every window and `for` by this factor instead")
    gen.add_argument("--out", type=Path, help=f"folder to write into (default {generate.RULES_DIR})")
    gen.add_argument("--spec", type=Path, default=generate.SPEC, help="the SLO spec (default %(default)s)")
    gen.add_argument(
        "--web", metavar="HOST:PORT", help="also write OUT/prometheus.yml scraping this web process and --watcher"
    )
    gen.add_argument(
        "--watcher",
        metavar="HOST:PORT",
        default="127.0.0.1:9101",
        help="the watcher's metrics address for --web's config (default %(default)s)",
    )
    gen.add_argument(
        "--scrape-interval",
        default=None,
        help="scrape and evaluation interval of that config (default 1s with short windows, else 15s)",
    )

    check = commands.add_parser("check", help="exit 1 when the checked-in rules differ from what slo.yaml generates")
    check.add_argument("--spec", type=Path, default=generate.SPEC, help="the SLO spec (default %(default)s)")
    check.add_argument(
        "--rules", type=Path, default=generate.RULES_DIR, help="the folder of rules to compare (default %(default)s)"
    )

    where = commands.add_parser(
        "targets",
        help="write this instance's scrape targets and Prometheus config "
        "(from SHORTLIST_PORT, SHORTLIST_METRICS_PORT, SHORTLIST_PROMETHEUS_URL)",
    )
    where.add_argument("--out", type=Path, help="folder to write into (default $SHORTLIST_STORE/observability)")
    commands.add_parser(
        "prometheus",
        help="write them, then run Prometheus on them where SHORTLIST_PROMETHEUS_URL "
        "points (supervisord's prometheus program)",
    )
    return parser


def _instance(command: str, out: Path | None) -> int:
    """`targets` and `prometheus`: the files for the settings in force, and for `prometheus` Prometheus itself."""
    from store.settings import load

    settings = load()
    try:
        config = targets.write(settings, out)
        argv = targets.prometheus_argv(settings, config)
    except targets.TargetError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if command == "targets":
        for job, addresses in targets.instance_targets(settings).items():
            print(f"{job}: {', '.join(addresses) or '(none)'}")
        print(f"wrote {config}\nrun: {' '.join(argv)}")
        return 0
    binary = shutil.which("prometheus")
    if binary is None:
        print("prometheus is not installed: apt-get install prometheus", file=sys.stderr)
        return 3
    (settings.store / "prometheus").mkdir(parents=True, exist_ok=True)
    print(f"scraping {targets.instance_targets(settings)}; {' '.join(argv)}", file=sys.stderr, flush=True)
    os.execv(binary, argv)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command in ("targets", "prometheus"):
        return _instance(args.command, getattr(args, "out", None))
    try:
        spec = generate.load_spec(args.spec)
    except generate.SpecError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.command == "check":
        stale = generate.stale(args.rules, spec)
        for name in stale:
            print(f"stale: {args.rules / name}; run `python -m observability generate`", file=sys.stderr)
        if not stale:
            print(f"rules in {args.rules} match {args.spec}")
        return 1 if stale else 0

    scale = args.scale or (generate.SHORT_SCALE if args.windows == "short" else 1)
    if scale != 1 and args.out is None:
        print("error: scaled rules are for tests; give --out so the checked-in rules stay full-size", file=sys.stderr)
        return 2
    out = args.out or generate.RULES_DIR
    for path in generate.write(out, spec, scale):
        print(f"wrote {path}")
    if args.web:
        interval = args.scrape_interval or ("1s" if scale != 1 else "15s")
        config = out / "prometheus.yml"
        config.write_text(generate.prometheus_config(args.web, args.watcher, out, interval), encoding="utf-8")
        print(f"wrote {config}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
