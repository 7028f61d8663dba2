"""PDF text through pypdfium2 or pdfplumber behind one interface, with page and text-layer checks."""

from __future__ import annotations

import io
import logging
import re

from pipeline.parse.errors import ParseError, short_error

logging.getLogger("pdfminer").setLevel(logging.ERROR)

# Words are split where the gap between two glyphs exceeds this share of the
# font size. pdfplumber's default (x_tolerance=3 points) glues words together
# in TeX output, whose word gaps are offsets of 2.2 points or less instead of
# spaces; 0.14 em splits gaps down to 0.15 em and still keeps letter-spaced
# words (tracking up to 0.13 em) whole. bench/pdf_engines.py measures it.
WORD_GAP_EM = 0.14
PDFPLUMBER_OPTIONS = {"x_tolerance_ratio": WORD_GAP_EM}


def parse_pdf(data: bytes, engine: str, max_pages: int) -> tuple[str, int, str, str]:
    """Return (raw text, pages, what blank pages hold: "", "image" or "outlines", the engine that read it).

    PDFium text that lost its word spaces (`_glued`) is read again with pdfplumber."""
    if b"%%EOF" not in data:
        raise ParseError(
            "corrupt",
            "The PDF is truncated (it has no end-of-file marker); it was probably cut off "
            "while copying or downloading; export or download it again.",
        )
    extract = _pdfium_pages if engine == "pypdfium2" else _pdfplumber_pages
    try:
        pages, visual = extract(data, max_pages)
        if engine == "pypdfium2" and _glued(pages):
            engine = "pdfplumber"
            pages, visual = _pdfplumber_pages(data, max_pages)
    except ParseError:
        raise
    except Exception as exc:  # a third-party parser meeting hostile bytes; any failure means "unreadable"
        if _is_password_error(exc):
            raise ParseError(
                "encrypted", "The PDF is password-protected; remove the password and drop it again."
            ) from None
        if engine == "pypdfium2" and _has_no_pages(data):  # PDFium refuses to load a document without pages
            raise ParseError("empty", "The PDF has no pages.") from None
        raise ParseError(
            "corrupt", f"The PDF is damaged and could not be read ({short_error(exc)}); export or download it again."
        ) from None
    return "\n\n".join(pages), len(pages), visual, engine


def _has_no_pages(data: bytes) -> bool:
    try:
        _pdfplumber_pages(data, max_pages=0)
    except ParseError as error:
        return error.code == "empty"
    except Exception:
        return False
    return False


def _check_pages(count: int, max_pages: int) -> None:
    if count == 0:
        raise ParseError("empty", "The PDF has no pages.")
    if count > max_pages:
        raise ParseError(
            "too_many_pages",
            f"The PDF has {count} pages, more than the limit of {max_pages}; "
            "a resume or job description is rarely that long. Split it or "
            "drop only the relevant part.",
        )


def _pdfium_pages(data: bytes, max_pages: int) -> tuple[list[str], str]:
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    pdf = pdfium.PdfDocument(data)
    try:
        _check_pages(len(pdf), max_pages)
        texts: list[str] = []
        visual = ""
        for index in range(len(pdf)):
            page = pdf[index]
            try:
                textpage = page.get_textpage()
                try:
                    text = textpage.get_text_range()
                    if _fragmented(text):
                        text = _text_from_boxes(textpage)
                finally:
                    textpage.close()
                if len(text.strip()) < 20 and visual != "image":
                    images = paths = 0
                    for obj in page.get_objects(max_depth=3):
                        images += obj.type == pdfium_c.FPDF_PAGEOBJ_IMAGE
                        paths += obj.type == pdfium_c.FPDF_PAGEOBJ_PATH
                    visual = _visual(images, paths) or visual
            finally:
                page.close()
            # PDFium drops the line break after a hyphen it thinks splits a word and marks the hyphen U+FFFE;
            # put both back so that normalise decides, as it does for pdfplumber.
            texts.append(text.replace("\ufffe", "-\n"))
        return texts, visual
    finally:
        pdf.close()


def _fragmented(text: str) -> bool:
    """PDFium sometimes puts every glyph on its own line (pages of few lines, one text object per glyph)."""
    lines = [line for line in text.splitlines() if line.strip()]
    return len(lines) >= 8 and sum(len(line.strip()) <= 2 for line in lines) > len(lines) / 2


_LETTERS = re.compile(r"[A-Za-z]+")
GLUED_MIN_WORDS = 40  # fewer words say too little about spacing
GLUED_MEAN_LETTERS = 6.7  # English prose averages 5 to 6.5 letters a word...
GLUED_LONG_SHARE = 0.04  # ...and under 2 % of its words have 14 letters or more


def _glued(pages: list[str]) -> bool:
    """True when PDFium lost most word spaces ("HumanResource Generalist who isan greatcommunicator"):
    some PDFs rendered from web pages place words by position, without space characters, in
    fonts whose glyph boxes PDFium misreads; pdfminer (pdfplumber) spaces them right."""
    words = _LETTERS.findall("\n".join(pages))
    if len(words) < GLUED_MIN_WORDS:
        return False
    mean = sum(map(len, words)) / len(words)
    long = sum(len(w) >= 14 for w in words) / len(words)
    return mean >= GLUED_MEAN_LETTERS and long >= GLUED_LONG_SHARE


def _text_from_boxes(textpage) -> str:
    """Rebuild a page's text from PDFium's glyph boxes: lines by baseline, words by gaps (as pdfplumber does)."""
    import pypdfium2.raw as pdfium_c

    glyphs = []
    space_before = False
    for index in range(textpage.count_chars()):
        if pdfium_c.FPDFText_IsGenerated(textpage.raw, index) == 1:
            continue
        char = chr(pdfium_c.FPDFText_GetUnicode(textpage.raw, index) or 32)
        if char.isspace():
            space_before = True
            continue
        left, bottom, right, top = textpage.get_charbox(index, loose=True)
        size = pdfium_c.FPDFText_GetFontSize(textpage.raw, index) or (top - bottom) or 10.0
        glyphs.append((bottom, left, right, size, char, space_before))
        space_before = False
    lines: list[list[tuple]] = []
    for glyph in sorted(glyphs, key=lambda g: -g[0]):
        if lines and abs(lines[-1][0][0] - glyph[0]) <= 0.3 * glyph[3]:
            lines[-1].append(glyph)
        else:
            lines.append([glyph])
    out = []
    for line in lines:
        parts, previous = [], None
        for bottom, left, right, size, char, space in sorted(line, key=lambda g: g[1]):
            if previous is not None and (space or left - previous > WORD_GAP_EM * size):
                parts.append(" ")
            parts.append(char)
            previous = right
        out.append("".join(parts))
    return "\n".join(out)


def _pdfplumber_pages(data: bytes, max_pages: int) -> tuple[list[str], str]:
    import pdfplumber

    with pdfplumber.open(io.BytesIO(data)) as pdf:
        _check_pages(len(pdf.pages), max_pages)
        texts: list[str] = []
        visual = ""
        for page in pdf.pages:
            text = page.extract_text(**PDFPLUMBER_OPTIONS)
            if len(text.strip()) < 20 and visual != "image":
                visual = _visual(len(page.images), len(page.curves) + len(page.lines) + len(page.rects)) or visual
            texts.append(text)
            page.close()
        return texts, visual


def _visual(images: int, paths: int) -> str:
    if images:
        return "image"
    return "outlines" if paths >= 100 else ""


def _is_password_error(exc: Exception) -> bool:
    code = getattr(exc, "err_code", None)
    if code is not None:
        import pypdfium2.raw as pdfium_c

        return code in (pdfium_c.FPDF_ERR_PASSWORD, pdfium_c.FPDF_ERR_SECURITY)
    from pdfminer.pdfdocument import PDFEncryptionError

    inner = exc.args[0] if exc.args else None
    return isinstance(exc, PDFEncryptionError) or isinstance(inner, PDFEncryptionError)
