"""Command line: `python -m pipeline watch|ingest|rank|extract|evaluate|fit-weights|migrate|canary|rescore|retention|
mask-check`."""

from __future__ import annotations

import argparse
import json
import logging
import signal
import sys
from collections import Counter
from pathlib import Path

from store.db import make_engine, migrate, session_scope
from store.settings import Settings, ensure_dirs, load


def _setup(settings: Settings):
    logging.basicConfig(
        level=settings.log_level.upper(), stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    ensure_dirs(settings)
    engine = make_engine(settings.database_url)
    migrate(settings, engine)
    return engine


def cmd_watch(settings: Settings, _args) -> int:
    from pipeline.watch import serve

    serve(settings, _setup(settings))
    return 0


def _expand(paths: list[str]) -> list[Path]:
    from pipeline.inbox import is_junk

    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files += sorted(
                p
                for p in path.rglob("*")
                if p.is_file()
                and not is_junk(p)
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
        elif path.is_file():
            files.append(path)
        else:
            print(f"not found: {raw}", file=sys.stderr)
    return files


def cmd_ingest(settings: Settings, args) -> int:
    from pipeline.ingest import Ingestor

    engine = _setup(settings)
    files = _expand(args.paths)
    ingestor = Ingestor(settings, engine)
    try:
        outcomes = ingestor.process(files)
    finally:
        ingestor.close()
    counts = Counter(o.outcome for o in outcomes)
    if args.json:
        print(json.dumps({"counts": dict(counts), "files": [o.__dict__ for o in outcomes]}, indent=2))
    else:
        for o in outcomes:
            if o.outcome not in ("scored", "duplicate"):
                print(f"{o.outcome:12} {o.path}: {o.reason}")
        print(
            f"processed {counts['scored']}, duplicate {counts['duplicate']}, "
            f"failed {counts['quarantined'] + counts['failed']}, skipped {counts['skipped']}"
        )
    return 1 if counts["quarantined"] + counts["failed"] else 0


def cmd_rank(settings: Settings, args) -> int:
    from store.queries import find_job, ranking

    engine = _setup(settings)
    with session_scope(engine) as session:
        job = find_job(session, args.job)
        if job is None:
            print(f"no job matches {args.job!r} (give its id or title)", file=sys.stderr)
            return 2
        rows, total = ranking(session, job.id, limit=args.limit)
    if args.json:
        print(
            json.dumps(
                {
                    "job": {"id": job.id, "title": job.title, "min_years": job.min_years},
                    "total": total,
                    "candidates": rows,
                },
                indent=2,
                default=str,
            )
        )
        return 0
    print(f"{job.title} (job {job.id}): {total} candidates")
    print(f"{'rank':>4}  {'score':>5}  {'candidate':30}  matched / missing")
    for row in rows:
        print(
            f"{row['rank']:>4}  {row['score']:>5.1f}  {row['name'][:30]:30}  "
            f"{', '.join(row['matched']) or '-'} / {', '.join(row['missing_required']) or '-'}"
        )
    return 0


def cmd_extract(settings: Settings, args) -> int:
    from pipeline import extract
    from pipeline.parse import ParseError, parse_bytes
    from pipeline.stages import Analysis, analyse_text
    from pipeline.taxonomy import load_taxonomy

    path = Path(args.file)
    try:
        parsed = parse_bytes(
            path.read_bytes(),
            path.name,
            pdf_engine=settings.pdf_engine,
            max_bytes=settings.max_file_bytes,
            max_pages=settings.max_pages,
            min_chars=settings.min_chars,
        )
    except ParseError as exc:
        print(
            json.dumps({"file": str(path), "error": exc.code, "reason": exc.reason})
            if args.json
            else f"{path}: {exc.reason}"
        )
        return 1
    taxonomy = load_taxonomy(settings.skills)
    item = Analysis(filename=path.name, kind=args.kind or extract.detect_kind(parsed.text), text=parsed.text)
    analyse_text(item, taxonomy)
    result = {
        "file": str(path),
        "kind": item.kind,
        "format": parsed.format,
        "engine": parsed.engine,
        "pages": parsed.pages,
        "text_length": len(parsed.text),
        "taxonomy_version": taxonomy.version,
        "skills": [
            {
                "name": m.skill,
                "category": m.category,
                "surface": m.surface,
                "start": m.start,
                "end": m.end,
                "evidence": m.snippet,
                **({"requirement": item.requirements.get(m.skill, "required")} if item.kind == "job" else {}),
            }
            for m in item.mentions
        ],
    }
    if item.kind == "job":
        result.update(title=item.title, years_required=item.years)
    else:
        result.update(name=item.name, email=item.email, years_experience=item.years)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(f"{path.name}: {item.kind}, {len(parsed.text)} characters, {len(item.mentions)} skill mentions")
        for m in result["skills"]:
            extra = f" [{m['requirement']}]" if "requirement" in m else ""
            print(f"  {m['name']:24} {m['category']:24} {m['surface']!r}{extra}: …{m['evidence']}…")
    return 0


def cmd_rescore(settings: Settings, _args) -> int:
    """What the watcher does between files after a taxonomy edit, in the foreground until nothing is stale."""
    import time
    from pipeline.ingest import Ingestor

    engine = _setup(settings)
    ingestor = Ingestor(settings, engine)
    started, batches, matches = time.perf_counter(), 0, 0
    try:
        while (batch := ingestor.rescore.step(ingestor.taxonomy)) is not None:
            batches, matches = batches + 1, matches + batch.matches
            print(f"\r{batches} batches, {matches:,} matches re-scored", end="", flush=True)
    finally:
        ingestor.close()
    print(
        f"{chr(10) if batches else ''}every document and match is on taxonomy {ingestor.taxonomy.version[:12]} "
        f"({batches} batches in {time.perf_counter() - started:.1f} s)"
    )


def cmd_evaluate(settings: Settings, args) -> int:
    from pipeline.evaluate import evaluate, format_report
    from pipeline.labels import LabelError

    try:
        report = evaluate(Path(args.dir), settings.skills, workers=settings.workers)
    except LabelError as exc:
        print(f"cannot evaluate {args.dir}: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(report, indent=2, default=str) if args.json else format_report(report))
    return 0


def cmd_fit_weights(settings: Settings, args) -> int:
    from pipeline.fit import cross_validate
    from pipeline.labels import LabelError

    try:
        report = cross_validate(Path(args.dir), settings.skills, write=args.write)
    except LabelError as exc:
        print(f"cannot fit on {args.dir}: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    for i, fold in enumerate(report["folds"], 1):
        print(f"fold {i}: held out {','.join(fold['held_out'])}: NDCG@5 {fold['ndcg@5']:.3f} with {fold['weights']}")
    print(f"cross-validated NDCG@5 {report['cv_ndcg@5']:.3f}")
    print(f"weights fitted on every job: {report['weights']}" + (" (written)" if args.write else ""))
    return 0


def cmd_canary(settings: Settings, args) -> int:
    """Read the canary documents with the taxonomy in skills/ and say how right extraction and ranking were."""
    from pipeline.canary import run
    from pipeline.stages import Limits
    from pipeline.taxonomy import load_taxonomy

    limits = Limits(settings.pdf_engine, settings.max_file_bytes, settings.max_pages, settings.min_chars)
    report = run(Path(args.folder) if args.folder else settings.canary, load_taxonomy(settings.skills), limits)
    passed = min(report.recall, report.precision, report.ndcg) >= args.min
    if args.json:
        print(json.dumps(report.as_dict() | {"passed": passed, "min": args.min}, indent=2))
        return 0 if passed else 1
    print(
        f"canaries {report.version}: recall {report.recall:.3f}, precision {report.precision:.3f}, "
        f"ranking NDCG@5 {report.ndcg:.3f}"
        + (f", required/preferred split {report.split:.3f}" if report.split is not None else "")
    )
    for doc in report.documents:
        notes = [
            f"{label} {', '.join(items)}"
            for label, items in (("missed", doc.missed), ("unexpected", doc.extra), ("wrong side", doc.misclassified))
            if items
        ]
        if doc.error:
            notes.insert(0, doc.error)
        print(f"  {doc.id:20} {doc.file:32} " + ("; ".join(notes) or "all right"))
    for job, ranked in report.rankings.items():
        print(f"  {job}: {' > '.join(ranked)}")
    print("PASS" if passed else f"FAIL: a figure is below {args.min}")
    return 0 if passed else 1


def cmd_retention(settings: Settings, args) -> int:
    from pipeline import retention

    engine = _setup(settings)
    if args.dry_run:
        due = retention.expired(engine, settings.retention_days)
        print(f"{len(due)} candidate(s) due for erasure: {due}")
        return 0
    erased = retention.run(settings, engine)
    print(f"erased {len(erased)} candidate(s): {erased}")
    return 0


def cmd_mask_check(settings: Settings, args) -> int:
    from pipeline.maskcheck import check
    from pipeline.stages import Limits
    from pipeline.taxonomy import load_taxonomy

    limits = Limits(settings.pdf_engine, settings.max_file_bytes, settings.max_pages, settings.min_chars)
    report = check(Path(args.folder), load_taxonomy(settings.skills), limits)
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        for kind, count in sorted(report["found"].items()):
            print(f"{kind:6} {report['hidden'].get(kind, 0)}/{count} hidden ({report['by_kind'][kind]:.1%})")
        print(
            f"all    {report['share_hidden']:.2%} of identifying items in evidence snippets hidden "
            f"({report['resumes']} resumes)"
        )
        whole = report["whole_text"]
        print(
            f"whole resume text: {whole['share_hidden']:.2%} hidden "
            + ", ".join(f"{k} {whole['hidden'].get(k, 0)}/{n}" for k, n in sorted(whole["found"].items()))
        )
    return 0 if report["share_hidden"] >= args.min else 1


def cmd_migrate(settings: Settings, _args) -> int:
    _setup(settings)
    print(f"database at head: {settings.database_url}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipeline", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("watch", help="run the ingest daemon on the inbox")
    p = sub.add_parser("ingest", help="process files or folders once, then print a summary")
    p.add_argument("paths", nargs="+")
    p.add_argument("--json", action="store_true")
    p = sub.add_parser("rank", help="print the ranking for a job (id or title)")
    p.add_argument("job")
    p.add_argument("--limit", type=int, default=50)
    p.add_argument("--json", action="store_true")
    p = sub.add_parser("extract", help="print the kind, text length and skills found in one file")
    p.add_argument("file")
    p.add_argument("--kind", choices=("resume", "job"))
    p.add_argument("--json", action="store_true")
    p = sub.add_parser("evaluate", help="measure extraction and ranking on a labelled set, beside baselines")
    p.add_argument(
        "dir",
        nargs="?",
        default=str(Path(__file__).resolve().parent.parent.parent / "shared" / "devset"),
        help="folder with labels.json and files/ (default: ../shared/devset)",
    )
    p.add_argument("--json", action="store_true")
    p = sub.add_parser("fit-weights", help="fit the score's component weights on a labelled set (cross-validated)")
    p.add_argument("dir")
    p.add_argument("--write", action="store_true", help="write the weights to pipeline/model_weights.json")
    p.add_argument("--json", action="store_true")
    sub.add_parser("migrate", help="upgrade the database schema to the latest version")
    sub.add_parser(
        "rescore",
        help="bring every document and match to the current taxonomy now (the watcher "
        "does it by itself, between files)",
    )
    p = sub.add_parser("canary", help="measure extraction and ranking on the canary documents; exit 1 below --min")
    p.add_argument("folder", nargs="?", help="canary folder (default: SHORTLIST_CANARY)")
    p.add_argument("--min", type=float, default=0.9, help="the lowest recall, precision and NDCG that pass")
    p.add_argument("--json", action="store_true")
    p = sub.add_parser("retention", help="erase candidates untouched for SHORTLIST_RETENTION_DAYS")
    p.add_argument("--dry-run", action="store_true", help="list who is due, erase nothing")
    p = sub.add_parser("mask-check", help="measure blind review's masking of evidence snippets on a folder of resumes")
    p.add_argument("folder")
    p.add_argument("--min", type=float, default=0.99, help="the lowest share hidden that passes")
    p.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    settings = load()
    handler = {
        "watch": cmd_watch,
        "ingest": cmd_ingest,
        "rank": cmd_rank,
        "extract": cmd_extract,
        "evaluate": cmd_evaluate,
        "fit-weights": cmd_fit_weights,
        "migrate": cmd_migrate,
        "canary": cmd_canary,
        "rescore": cmd_rescore,
        "retention": cmd_retention,
        "mask-check": cmd_mask_check,
    }[args.command]
    return handler(settings, args)


if __name__ == "__main__":
    # `rank … | head` ends quietly. Only as a program: main() called in-process (tests) must not make a later
    # write to a closed socket kill its caller.
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    sys.exit(main())
