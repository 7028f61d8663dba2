"""Compare the PDF text engines: milliseconds per document and how many words come out intact.

    .venv/bin/python bench/pdf_engines.py [FOLDER_OR_PDF ...] [--count N] [--repeat R]

Generated PDFs (resumes and job descriptions: plain lines with space
characters, pdfTeX-like TJ arrays without them, and one text object per
glyph with letter spacing, as some design tools export) have known text, so their word
recall is measured: the share of the expected words found intact in the
extracted text. Stress PDFs push word gaps and letter spacing to the edges. Real PDFs from the given folders have no known text; for them
the telling figure is "long", the share of 20+ letter tokens (words run
together). A benchmark, not a test: it prints figures and never fails.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline import parse  # noqa: E402

# Engine variants measured besides the two engines: the name, the engine and the pdfplumber options.
VARIANTS = {"pdfplumber-defaults": ("pdfplumber", {})}


def compare_engines(
    pdfs: list[tuple[str, bytes, str | None]], *, engines: tuple[str, ...] = parse.ENGINES, repeat: int = 3
) -> list[dict]:
    """Parse each (name, bytes, expected text or None) with each engine; one row per document and engine.

    A row: name, engine, ms (median of `repeat` runs of parse_bytes), pages,
    chars, words, recall (share of expected words recovered intact, None when
    the text is unknown), long (share of tokens with 20+ letters) and error
    (the ParseError code, or None).
    """
    rows = []
    for name, data, expected in pdfs:
        for engine in engines:
            rows.append(_measure(name, data, expected, engine, repeat))
    return rows


def summarise(rows: list[dict]) -> dict[str, dict]:
    """Per engine: documents, failures, mean and median ms, mean recall over known texts, mean long share."""
    summary: dict[str, dict] = {}
    for engine in dict.fromkeys(row["engine"] for row in rows):
        mine = [row for row in rows if row["engine"] == engine]
        ok = [row for row in mine if row["error"] is None]
        recalls = [row["recall"] for row in ok if row["recall"] is not None]
        summary[engine] = {
            "documents": len(mine),
            "failed": len(mine) - len(ok),
            "mean_ms": statistics.fmean(row["ms"] for row in mine) if mine else 0.0,
            "median_ms": statistics.median(row["ms"] for row in mine) if mine else 0.0,
            "recall": statistics.fmean(recalls) if recalls else None,
            "long": statistics.fmean(row["long"] for row in ok) if ok else None,
        }
    return summary


def _measure(name: str, data: bytes, expected: str | None, engine: str, repeat: int) -> dict:
    real_engine, options = VARIANTS.get(engine, (engine, None))
    times, parsed, error = [], None, None
    with _pdfplumber_options(options):
        for _ in range(max(1, repeat)):
            start = time.perf_counter()
            try:
                parsed = parse.parse_bytes(data, name, pdf_engine=real_engine, max_pages=10_000, min_chars=1)
            except parse.ParseError as exc:
                error = exc.code
            times.append((time.perf_counter() - start) * 1000)
    text = parsed.text if parsed else ""
    tokens = text.split()
    return {
        "name": name,
        "engine": engine,
        "ms": statistics.median(times),
        "pages": parsed.pages if parsed else 0,
        "chars": len(text),
        "words": len(tokens),
        "recall": word_recall(expected, text) if expected is not None and parsed else None,
        "long": sum(1 for t in tokens if sum(ch.isalpha() for ch in t) >= 20) / len(tokens) if tokens else 0.0,
        "error": error,
    }


@contextlib.contextmanager
def _pdfplumber_options(options: dict | None) -> Iterator[None]:
    saved = parse.PDFPLUMBER_OPTIONS
    if options is not None:
        parse.PDFPLUMBER_OPTIONS = options
    try:
        yield
    finally:
        parse.PDFPLUMBER_OPTIONS = saved


def word_recall(expected: str, extracted: str) -> float:
    """Share of the expected words (whitespace-separated, with a letter or digit) found intact in the extracted text."""
    want = Counter(t for t in parse.normalise(expected).split() if any(ch.isalnum() for ch in t))
    got = Counter(extracted.split())
    total = sum(want.values())
    return sum((want & got).values()) / total if total else 1.0


def generated_pdfs(count: int) -> list[tuple[str, bytes, str]]:
    """Realistic layouts: plain lines, pdfTeX-like TJ arrays, one text object per glyph."""
    from tests.fixtures import make_pdf, sample_job, sample_resume

    pdfs = []
    for i in range(count):
        resume = sample_resume(i, long=True)
        pdfs.append((f"resume-{i}-plain.pdf", make_pdf(resume), resume))
        pdfs.append((f"resume-{i}-tex.pdf", make_pdf(resume, style="latex"), resume))
        pdfs.append((f"resume-{i}-glyphs.pdf", make_pdf(resume, style="glyphs"), resume))
        job = sample_job(i)
        pdfs.append((f"job-{i}-tex.pdf", make_pdf(job, style="latex"), job))
    return pdfs


def stress_pdfs(count: int) -> list[tuple[str, bytes, str]]:
    """Edge layouts: TeX lines shrunk to 0.15-0.25 em gaps, glyphs letter-spaced by 0.12 em."""
    from tests.fixtures import make_pdf, sample_resume

    pdfs = []
    for i in range(count):
        resume = sample_resume(i, long=True)
        pdfs.append(
            (f"stress-{i}-tight.pdf", make_pdf(resume, style="latex", word_gap=(0.15, 0.25), font_size=9), resume)
        )
        pdfs.append((f"stress-{i}-spaced.pdf", make_pdf(resume, style="glyphs", tracking=0.12), resume))
    return pdfs


def folder_pdfs(paths: list[str]) -> list[tuple[str, bytes, None]]:
    found = []
    for arg in paths:
        path = Path(arg)
        files = sorted(path.rglob("*.pdf")) if path.is_dir() else [path]
        found += [(str(f), f.read_bytes(), None) for f in files]
    return found


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", help="folders or PDF files to measure besides the generated ones")
    parser.add_argument("--count", type=int, default=10, help="generated resumes and jobs (default 10 each)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per document; the median is reported")
    args = parser.parse_args(argv)

    engines = parse.ENGINES + tuple(VARIANTS)
    pdfs = generated_pdfs(args.count) + stress_pdfs(max(1, args.count // 2)) + folder_pdfs(args.paths)
    parse.parse_bytes(pdfs[0][1], "warm-up.pdf")  # import and initialise both libraries outside the timings
    parse.parse_bytes(pdfs[0][1], "warm-up.pdf", pdf_engine="pdfplumber")
    rows = compare_engines(pdfs, engines=engines, repeat=args.repeat)

    width = max(len(name) for name, _, _ in pdfs)
    print(f"{'document':<{width}}  " + "  ".join(f"{e:>30}" for e in engines))
    print(f"{'':<{width}}  " + "  ".join(f"{'ms   recall   long':>30}" for _ in engines))
    for name, _, _ in pdfs:
        cells = [_cell(row) for row in rows if row["name"] == name]
        print(f"{name:<{width}}  " + "  ".join(f"{c:>30}" for c in cells))
    print()
    for group, prefix in (("generated", ("resume-", "job-")), ("stress", ("stress-",)), ("folders", None)):
        subset = [r for r in rows if r["name"].startswith(prefix or ("resume-", "job-", "stress-")) == bool(prefix)]
        if not subset:
            continue
        print(f"{group}: {len({r['name'] for r in subset})} documents")
        for engine, s in summarise(subset).items():
            recall = "-" if s["recall"] is None else f"{s['recall']:.4f}"
            long = "-" if s["long"] is None else f"{s['long']:.4f}"
            print(
                f"  {engine:<20} mean {s['mean_ms']:7.1f} ms  median {s['median_ms']:7.1f} ms  "
                f"recall {recall}  long {long}  failed {s['failed']}"
            )


def _cell(row: dict) -> str:
    if row["error"]:
        return f"{row['ms']:.1f} {row['error']}"
    recall = "-" if row["recall"] is None else f"{row['recall']:.3f}"
    return f"{row['ms']:7.1f} {recall:>8} {row['long']:6.3f}"


if __name__ == "__main__":
    main()
