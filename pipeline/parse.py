"""Turn the bytes of a resume or job description (PDF, DOCX, TXT, MD) into normalised text, or a ParseError saying why not.

Pure: bytes in, text out; no filesystem, no database. The contract for callers:

- ``parse_bytes(data, filename)`` returns a ``Parsed`` or raises ``ParseError``;
  any other exception is a bug here, never a property of the input.
- ``ParseError.code`` is a short stable slug (see ``CODES``) and
  ``ParseError.reason`` a sentence for the person who dropped the file.
- The format comes from the content (magic bytes), the file name only breaks ties.
"""
from __future__ import annotations

import codecs
import io
import logging
import re
import unicodedata
import zipfile
from dataclasses import dataclass

ENGINES = ("pypdfium2", "pdfplumber")
FORMATS = ("pdf", "docx", "txt", "md")
CODES = (
    "empty", "too_large", "unsupported_type", "mislabelled", "corrupt", "encrypted",
    "too_many_pages", "zip_bomb", "no_text_layer", "too_little_text",
)

# A DOCX is refused before python-docx opens it when its central directory
# promises more than this in total, or more than ZIP_MAX_RATIO times the file
# size once that total is past ZIP_RATIO_FLOOR. Real resumes expand 3-20x.
ZIP_MAX_TOTAL = 100 * 1024 * 1024
ZIP_RATIO_FLOOR = 10 * 1024 * 1024
ZIP_MAX_RATIO = 100
ZIP_MAX_ENTRIES = 2000

# Words are split where the gap between two glyphs exceeds this share of the
# font size. pdfplumber's default (x_tolerance=3 points) glues words together
# in TeX output, whose word gaps are offsets of 2.2 points or less instead of
# spaces; 0.14 em splits gaps down to 0.15 em and still keeps letter-spaced
# words (tracking up to 0.13 em) whole. bench/pdf_engines.py measures it.
WORD_GAP_EM = 0.14
PDFPLUMBER_OPTIONS = {"x_tolerance_ratio": WORD_GAP_EM}

logging.getLogger("pdfminer").setLevel(logging.ERROR)


class ParseError(Exception):
    """A file that cannot become text, with a slug for code and a sentence for people."""

    def __init__(self, code: str, reason: str):
        super().__init__(code, reason)
        self.code = code
        self.reason = reason

    def __str__(self) -> str:
        return f"{self.code}: {self.reason}"


@dataclass(frozen=True)
class Parsed:
    text: str
    format: str
    pages: int
    engine: str


def parse_bytes(data: bytes, filename: str, *, pdf_engine: str = "pypdfium2",
                max_bytes: int = 20 * 1024 * 1024, max_pages: int = 50,
                min_chars: int = 80) -> Parsed:
    """Parse one file's bytes; raise ParseError with a readable reason when it cannot be used."""
    if pdf_engine not in ENGINES:
        raise ValueError(f"pdf_engine must be one of {ENGINES}, got {pdf_engine!r}")
    _check_size(data, max_bytes)
    fmt = detect_format(data, filename)
    raw_visual = ""
    if fmt == "pdf":
        raw, pages, raw_visual = _parse_pdf(data, pdf_engine, max_pages)
        engine = pdf_engine
    elif fmt == "docx":
        raw, pages = _parse_docx(data, max_pages)
        engine = "python-docx"
    else:
        raw, pages, engine = _decode_text(data) or "", 1, "text"
    text = normalise(raw)
    _check_enough(raw, text, raw_visual, min_chars, fmt, pages)
    return Parsed(text=text, format=fmt, pages=pages, engine=engine)


def _check_size(data: bytes, max_bytes: int) -> None:
    if not data:
        raise ParseError("empty", "The file is empty (0 bytes); it was probably not saved or copied completely.")
    if len(data) > max_bytes:
        raise ParseError("too_large", f"The file is {_mb(len(data))}, more than the {_mb(max_bytes)} limit; "
                                      "export a smaller PDF (without large images) and drop it again.")


def _check_enough(raw: str, text: str, visual: str, min_chars: int, fmt: str, pages: int) -> None:
    chars = sum(1 for ch in text if not ch.isspace())
    if chars >= min_chars:
        return
    if visual == "image":
        raise ParseError("no_text_layer", "The PDF looks like a scanned image: no text layer; run OCR first "
                                          "(or export the original document as PDF) and drop it again.")
    if visual == "outlines":
        raise ParseError("no_text_layer", "The PDF has no text layer: its letters are drawn as shapes (outlined text); "
                                          "export it again with text kept as text, or run OCR.")
    garbled = len(_CID.findall(raw)) + raw.count("\ufffd")
    if fmt == "pdf" and garbled >= max(10, chars):
        raise ParseError("no_text_layer", "The PDF's fonts carry no Unicode map, so its text comes out as glyph codes; "
                                          "export it again from the original document, or run OCR.")
    where = f"{pages} page(s)" if fmt == "pdf" else "the file"
    if chars == 0:
        raise ParseError("too_little_text", f"No text was found in {where}; there is nothing to match.")
    raise ParseError("too_little_text", f"Only {chars} characters of text were found in {where}; a resume or job "
                                        f"description needs at least {min_chars}.")


def _mb(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / 1024 / 1024:.1f} MB"
    return f"{size / 1024:.0f} kB" if size >= 1024 else f"{size} bytes"


# --------------------------------------------------------------------------- detection

_BINARY_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"{\\rtf", "an RTF document"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"\x7fELF", "a program"),
)
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_WORD_MAIN = b"wordprocessingml.document.main"
_ZIP_KINDS = (
    ("xl/workbook.xml", "an Excel workbook"),
    ("ppt/presentation.xml", "a PowerPoint presentation"),
    ("mimetype", "an OpenDocument file"),
)
_SAVE_AS = "save it as PDF or DOCX and drop it again"


def detect_format(data: bytes, filename: str) -> str:
    """Return "pdf", "docx", "txt" or "md": from the content first, the extension second."""
    if not data:
        raise ParseError("empty", "The file is empty (0 bytes); it was probably not saved or copied completely.")
    ext = _extension(filename)
    if b"%PDF-" in data[:1024]:
        return "pdf"
    if data[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        return _zip_format(data, ext)
    if data.startswith(_OLE2):
        if "EncryptedPackage".encode("utf-16-le") in data:
            raise ParseError("encrypted", "The Word document is password-protected; remove the password "
                                          "and drop it again.")
        raise ParseError("unsupported_type", f"{_named(filename)} is an old-style Office file (Word 97-2003 .doc "
                                             f"or similar); {_SAVE_AS}.")
    for magic, kind in _BINARY_MAGIC:
        if data.startswith(magic):
            raise ParseError("unsupported_type", f"{_named(filename)} is {kind}, not a resume or job description "
                                                 f"Shortlist can read; {_SAVE_AS}.")
    if _decode_text(data) is not None:
        return "md" if ext in (".md", ".markdown") else "txt"
    if ext in (".pdf", ".docx"):
        expected = "a PDF" if ext == ".pdf" else "a Word document"
        raise ParseError("mislabelled", f"{_named(filename)} is named {ext} but its content is not {expected} "
                                        "(nor text); it is damaged or has the wrong extension.")
    raise ParseError("unsupported_type", f"{_named(filename)} is binary data that is not PDF, DOCX or text; "
                                         f"{_SAVE_AS}.")


def _extension(filename: str) -> str:
    name = filename.rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    return "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""


def _named(filename: str) -> str:
    name = filename.rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    return f"The file {name!r}" if name else "The file"


def _zip_format(data: bytes, ext: str) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = set(zf.namelist())
            content_types = zf.read("[Content_Types].xml") if "[Content_Types].xml" in names else b""
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError, NotImplementedError):
        if ext == ".docx" or b"word/document.xml" in data:
            return "docx"  # _parse_docx reports it as corrupt
        raise ParseError("corrupt", "The file is a damaged ZIP archive (truncated or broken); "
                                    "save or download it again.") from None
    if "word/document.xml" in names or _WORD_MAIN in content_types:
        return "docx"
    for marker, kind in _ZIP_KINDS:
        if marker in names:
            raise ParseError("unsupported_type", f"The file is {kind}, not a Word document; {_SAVE_AS}.")
    raise ParseError("unsupported_type", "The file is a ZIP archive, not a document; unzip it and drop "
                                         "the resumes or job descriptions themselves.")


def _decode_text(data: bytes) -> str | None:
    """Decode bytes that look like text (UTF-8, UTF-16, cp1252 or latin-1); None for binary data."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = data.decode("utf-16", errors="replace")
    elif data.startswith(codecs.BOM_UTF8):
        text = data[3:].decode("utf-8", errors="replace")
    elif b"\x00" in data:
        text = _utf16_without_bom(data)
        if text is None:
            return None
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            try:
                text = data.decode("cp1252")
            except UnicodeDecodeError:
                text = data.decode("latin-1")
    controls = sum(1 for ch in text if _is_bad_control(ch))
    return None if controls > len(text) * 0.01 else text


def _utf16_without_bom(data: bytes) -> str | None:
    even, odd = data[0::2], data[1::2]
    if len(data) >= 4 and odd.count(0) >= 0.9 * len(odd):
        return data.decode("utf-16-le", errors="replace")
    if len(data) >= 4 and even.count(0) >= 0.9 * len(even):
        return data.decode("utf-16-be", errors="replace")
    return None


def _is_bad_control(ch: str) -> bool:
    return unicodedata.category(ch) == "Cc" and ch not in "\t\n\r\f\x1a"


# --------------------------------------------------------------------------- PDF

def _parse_pdf(data: bytes, engine: str, max_pages: int) -> tuple[str, int, str]:
    """Return (raw text, pages, what blank pages hold: "", "image" or "outlines")."""
    if b"%%EOF" not in data:
        raise ParseError("corrupt", "The PDF is truncated (it has no end-of-file marker); it was probably cut off "
                                    "while copying or downloading; export or download it again.")
    extract = _pdfium_pages if engine == "pypdfium2" else _pdfplumber_pages
    try:
        pages, visual = extract(data, max_pages)
    except ParseError:
        raise
    except Exception as exc:  # a third-party parser meeting hostile bytes; any failure means "unreadable"
        if _is_password_error(exc):
            raise ParseError("encrypted", "The PDF is password-protected; remove the password and drop it again.") from None
        if engine == "pypdfium2" and _has_no_pages(data):  # PDFium refuses to load a document without pages
            raise ParseError("empty", "The PDF has no pages.") from None
        raise ParseError("corrupt", f"The PDF is damaged and could not be read ({_short(exc)}); "
                                    "export or download it again.") from None
    return "\n\n".join(pages), len(pages), visual


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
        raise ParseError("too_many_pages", f"The PDF has {count} pages, more than the limit of {max_pages}; "
                                           "a resume or job description is rarely that long. Split it or "
                                           "drop only the relevant part.")


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


def _short(exc: BaseException) -> str:
    inner = exc.args[0] if exc.args and isinstance(exc.args[0], BaseException) else exc
    message = str(inner).strip() or type(inner).__name__
    return message if len(message) <= 120 else message[:117] + "..."


# --------------------------------------------------------------------------- DOCX

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
_WRAPPERS = (_W + "sdt", _W + "sdtContent", _W + "customXml", _W + "smartTag", _W + "ins",
             _W + "moveTo", _W + "hyperlink", _W + "fldSimple", _MC + "AlternateContent", _MC + "Choice")
_SKIP = (_W + "pPr", _W + "rPr", _W + "del", _W + "moveFrom", _W + "instrText", _W + "delText",
         _W + "sdtPr", _W + "sdtEndPr", _MC + "Fallback", _W + "tblPr", _W + "trPr", _W + "tcPr")


def _parse_docx(data: bytes, max_pages: int) -> tuple[str, int]:
    pages = _check_zip(data)
    if pages > max_pages:
        raise ParseError("too_many_pages", f"The Word document has {pages} pages, more than the limit of "
                                           f"{max_pages}; split it or drop only the relevant part.")
    import docx
    from docx.opc.constants import RELATIONSHIP_TYPE as RT

    try:
        document = docx.Document(io.BytesIO(data))
        headers, footers = [], []
        for rel in document.part.rels.values():
            if rel.is_external or rel.reltype not in (RT.HEADER, RT.FOOTER):
                continue
            lines: list[str] = []
            _blocks(rel.target_part.element, lines)
            (headers if rel.reltype == RT.HEADER else footers).append("\n".join(lines).strip())
        body: list[str] = []
        _blocks(document.element.body, body)
    except ParseError:
        raise
    except ValueError as exc:
        if "content type" in str(exc):
            raise ParseError("unsupported_type", "The file is a macro-enabled Word document or a template, not a "
                                                 f"plain .docx; {_SAVE_AS}.") from None
        raise ParseError("corrupt", f"The Word document is damaged ({_short(exc)}); save it again.") from None
    except Exception as exc:  # python-docx, zipfile and lxml meeting hostile bytes
        raise ParseError("corrupt", f"The Word document is damaged and could not be read ({_short(exc)}); "
                                    "save it again or export a PDF.") from None
    parts = _unique(headers) + ["\n".join(body)] + _unique(footers)
    return "\n\n".join(part for part in parts if part), pages


def _unique(texts: list[str]) -> list[str]:
    return [text for i, text in enumerate(texts) if text and text not in texts[:i]]


def _check_zip(data: bytes) -> int:
    """Refuse a broken or bomb-like DOCX from its central directory alone; return its page count (1 if unknown)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
            total = sum(info.file_size for info in infos)
            if (len(infos) > ZIP_MAX_ENTRIES or total > ZIP_MAX_TOTAL
                    or (total > ZIP_RATIO_FLOOR and total > ZIP_MAX_RATIO * len(data))):
                raise ParseError("zip_bomb", f"The Word document would expand from {_mb(len(data))} to "
                                             f"{_mb(total)} in {len(infos)} parts, far out of proportion "
                                             "(a zip bomb), so it was not opened.")
            app = zf.getinfo("docProps/app.xml") if "docProps/app.xml" in zf.namelist() else None
            props = zf.read(app) if app is not None and app.file_size < 1024 * 1024 else b""
    except ParseError:
        raise
    except Exception as exc:
        raise ParseError("corrupt", f"The Word document is damaged: its ZIP structure is broken or truncated "
                                    f"({_short(exc)}); save it again or export a PDF.") from None
    found = re.search(rb"<(?:\w+:)?Pages>\s*(\d+)\s*<", props)
    return max(1, int(found.group(1))) if found else 1


def _blocks(container, out: list[str]) -> None:
    """Append the text of block content (paragraphs, tables, content controls) in document order."""
    for child in container:
        tag = child.tag
        if tag == _W + "p":
            _paragraph(child, out)
        elif tag == _W + "tbl":
            _table(child, out)
        elif tag in _WRAPPERS:
            _blocks(child, out)


def _paragraph(p, out: list[str]) -> None:
    parts: list[str] = []
    boxes: list = []

    def walk(element) -> None:
        for child in element:
            tag = child.tag
            if tag == _W + "t":
                parts.append(child.text or "")
            elif tag in (_W + "tab", _W + "ptab"):
                parts.append("\t")
            elif tag in (_W + "br", _W + "cr"):
                parts.append("\n")
            elif tag == _W + "noBreakHyphen":
                parts.append("-")
            elif tag == _W + "txbxContent":
                boxes.append(child)
            elif tag not in _SKIP:
                walk(child)

    walk(p)
    out.append("".join(parts))
    for box in boxes:
        _blocks(box, out)


def _table(tbl, out: list[str]) -> None:
    """A row of one-line cells becomes "a | b | c"; cells holding more are written one after another."""
    for row in _children(tbl, _W + "tr"):
        cells = []
        for cell in _children(row, _W + "tc"):
            lines: list[str] = []
            _blocks(cell, lines)
            cells.append([line for line in "\n".join(lines).split("\n") if line.strip()])
        if all(len(cell) <= 1 for cell in cells):
            out.append(" | ".join(cell[0] for cell in cells if cell))
        else:
            for cell in cells:
                out.extend(cell)
                out.append("")


def _children(element, tag: str):
    for child in element:
        if child.tag == tag:
            yield child
        elif child.tag in _WRAPPERS:
            yield from _children(child, tag)


# --------------------------------------------------------------------------- normalisation

_LINE_BREAKS = re.compile("\r\n?|[\x0b\x0c\x85\u2028\u2029]")
_SOFT_HYPHEN_BREAK = re.compile("\u00ad[ \t]*\n[ \t]*")
_DASHES = str.maketrans(dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2043\u2212\ufe58\ufe63\uff0d", "-"))
_CID = re.compile(r"\(cid:\d+\)")
_SPACES = re.compile(" {2,}")
_LINE_EDGES = re.compile(" *\n *")
_BLANK_LINES = re.compile("\n{3,}")
_WORD_START = frozenset(" \n([{\"'\u201c\u2018")

# A line-end hyphen after one of these first words, or before one of these
# second words, is taken as a real compound ("self-\nmotivated", "data-\ndriven").
COMPOUND_FIRST = frozenset("""self cross well full part high long short real front back client customer user
    team detail results goal fast hands world state cost time problem decision market award mission entry
    senior junior mid end""".split())
COMPOUND_SECOND = frozenset("""based driven oriented focused facing level time stack end term solving making
    functional motivated starter scale grade related specific friendly ready critical native first led owned
    free wide side aware sensitive intensive centric certified managed hosted enabled powered""".split())


class _CharMap(dict):
    """str.translate table built lazily: drop controls and format characters, turn odd spaces into spaces."""

    def __missing__(self, codepoint: int) -> int | str | None:
        char = chr(codepoint)
        category = unicodedata.category(char)
        if char == "\n":
            result: int | str | None = codepoint
        elif char == "\t" or category in ("Zs", "Co") or char == "\ufffd":
            result = " "
        elif category in ("Zl", "Zp"):
            result = "\n"
        elif category in ("Cc", "Cf", "Cs") or (codepoint & 0xFFFE) == 0xFFFE or 0xFDD0 <= codepoint <= 0xFDEF:
            result = None
        else:
            result = codepoint
        self[codepoint] = result
        return result


_CHARMAP = _CharMap()


def normalise(text: str) -> str:
    """Clean extracted text so that skills match on word boundaries; idempotent."""
    text = _LINE_BREAKS.sub("\n", text)
    text = _SOFT_HYPHEN_BREAK.sub("", text)  # a soft hyphen at a line end is a word split by hyphenation
    text = text.translate(_CHARMAP)
    text = unicodedata.normalize("NFKC", text)  # also expands ligatures (ﬁ, ﬂ) and full-width forms
    text = text.translate(_DASHES)
    while True:
        stripped = _CID.sub("", text)
        if stripped == text:
            break
        text = stripped
    text = _SPACES.sub(" ", text)
    text = _LINE_EDGES.sub("\n", text)
    text = _BLANK_LINES.sub("\n\n", text)
    while True:  # removals above and joins below can bring a letter and a combining mark together
        joined = _join_broken_words(text)
        if not unicodedata.is_normalized("NFKC", joined):
            joined = unicodedata.normalize("NFKC", joined)
        if joined == text:
            return text.strip()
        text = joined


def _join_broken_words(text: str) -> str:
    """Remove "-\n" inside words broken across lines, keeping the hyphen of real compounds."""
    pieces, last, lowered = [], 0, ""
    index = text.find("-\n")
    while index != -1:
        start, end = index, index + 2
        while start > 0 and _is_letter(text[start - 1]):
            start -= 1
        while end < len(text) and _is_letter(text[end]):
            end += 1
        first, second = text[start:index], text[index + 2:end]
        if first and second:
            lowered = lowered or text.lower()
            if _is_broken_word(first, second, text[start - 1] if start else " ", lowered):
                pieces.append(text[last:index])
                last = index + 2
        index = text.find("-\n", index + 2)
    return "".join(pieces) + text[last:] if pieces else text


def _is_broken_word(first: str, second: str, before: str, lowered: str) -> bool:
    if before not in _WORD_START:
        return False  # part of a longer token: "state-of-the-\nart", "3D-\nprinted"
    if len(first) < 2 or len(second) < 2 or _has_token(lowered, f"{first}-{second}".lower()):
        return False
    if _has_token(lowered, (first + second).lower()):
        return True
    return not (second[0].isupper() or first.lower() in COMPOUND_FIRST or second.lower() in COMPOUND_SECOND)


def _is_letter(char: str) -> bool:
    return char.isalpha()


def _has_token(text: str, token: str) -> bool:
    """Whether token occurs in text with no letter right before or after it."""
    at = text.find(token)
    while at != -1:
        end = at + len(token)
        if (at == 0 or not text[at - 1].isalpha()) and (end == len(text) or not text[end].isalpha()):
            return True
        at = text.find(token, at + 1)
    return False
