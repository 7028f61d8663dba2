"""Turn the bytes of a resume or job description (PDF, DOCX, TXT, MD) into normalised text, or a ParseError saying why not.

Pure: bytes in, text out; no filesystem, no database. The contract for callers:

- ``parse_bytes(data, filename)`` returns a ``Parsed`` or raises ``ParseError``;
  any other exception is a bug here, never a property of the input.
- ``ParseError.code`` is a short stable slug (see ``CODES``) and
  ``ParseError.reason`` a sentence for the person who dropped the file.
- The format comes from the content (magic bytes), the file name only breaks ties.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.parse.detect import decode_text, detect_format
from pipeline.parse.errors import CODES, ParseError, size_and_limit
from pipeline.parse.normalise import CID_ARTEFACT, normalise
from pipeline.parse.pdf import PDFPLUMBER_OPTIONS, WORD_GAP_EM, parse_pdf
from pipeline.parse.word import parse_docx

__all__ = [
    "CODES",
    "ENGINES",
    "FORMATS",
    "PDFPLUMBER_OPTIONS",
    "WORD_GAP_EM",
    "ParseError",
    "Parsed",
    "detect_format",
    "normalise",
    "parse_bytes",
]

ENGINES = ("pypdfium2", "pdfplumber")
FORMATS = ("pdf", "docx", "txt", "md")


@dataclass(frozen=True)
class Parsed:
    text: str
    format: str
    pages: int
    engine: str


def parse_bytes(
    data: bytes,
    filename: str,
    *,
    pdf_engine: str = "pypdfium2",
    max_bytes: int = 20 * 1024 * 1024,
    max_pages: int = 50,
    min_chars: int = 80,
) -> Parsed:
    """Parse one file's bytes; raise ParseError with a readable reason when it cannot be used."""
    if pdf_engine not in ENGINES:
        raise ValueError(f"pdf_engine must be one of {ENGINES}, got {pdf_engine!r}")
    _check_size(data, max_bytes)
    fmt = detect_format(data, filename)
    raw_visual = ""
    if fmt == "pdf":
        raw, pages, raw_visual, engine = parse_pdf(data, pdf_engine, max_pages)
    elif fmt == "docx":
        raw, pages = parse_docx(data, max_pages)
        engine = "python-docx"
    else:
        raw, pages, engine = decode_text(data) or "", 1, "text"
    text = normalise(raw)
    _check_enough(raw, text, raw_visual, min_chars, fmt, pages)
    return Parsed(text=text, format=fmt, pages=pages, engine=engine)


def _check_size(data: bytes, max_bytes: int) -> None:
    if not data:
        raise ParseError("empty", "The file is empty (0 bytes); it was probably not saved or copied completely.")
    if len(data) > max_bytes:
        said, allowed = size_and_limit(len(data), max_bytes)
        raise ParseError(
            "too_large",
            f"The file is {said}, more than the {allowed} limit; "
            "export a smaller PDF (without large images) and drop it again.",
        )


def _check_enough(raw: str, text: str, visual: str, min_chars: int, fmt: str, pages: int) -> None:
    chars = sum(1 for ch in text if not ch.isspace())
    if chars >= min_chars:
        return
    if visual == "image":
        raise ParseError(
            "no_text_layer",
            "The PDF looks like a scanned image: no text layer; run OCR first "
            "(or export the original document as PDF) and drop it again.",
        )
    if visual == "outlines":
        raise ParseError(
            "no_text_layer",
            "The PDF has no text layer: its letters are drawn as shapes (outlined text); "
            "export it again with text kept as text, or run OCR.",
        )
    garbled = len(CID_ARTEFACT.findall(raw)) + raw.count("\ufffd")
    if fmt == "pdf" and garbled >= max(10, chars):
        raise ParseError(
            "no_text_layer",
            "The PDF's fonts carry no Unicode map, so its text comes out as glyph codes; "
            "export it again from the original document, or run OCR.",
        )
    where = f"{pages} page(s)" if fmt == "pdf" else "the file"
    if chars == 0:
        raise ParseError("too_little_text", f"No text was found in {where}; there is nothing to match.")
    raise ParseError(
        "too_little_text",
        f"Only {chars} characters of text were found in {where}; a resume or job "
        f"description needs at least {min_chars}.",
    )
