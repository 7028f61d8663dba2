"""Which format a file really is, from its magic bytes first and its name second; text decoding.

This is the one rule for file types: the pipeline (inbox drops) and the upload form both call
``detect_format`` on the whole file, so a file is refused by both or by neither, with the same reason.
A PDF or Word document is read whatever its name (content wins); text is read only under a text name
(.txt, .md or none): text named .pdf or .docx is refused as mislabelled, text under any other
extension (.html, .exe, …) as a type Shortlist does not read.
"""

from __future__ import annotations

import codecs
import io
import unicodedata
import zipfile

from pipeline.parse.errors import ParseError


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
SAVE_AS = "save it as PDF or DOCX and drop it again"
ACCEPTED_EXTENSIONS = (".pdf", ".docx", ".txt", ".md")
_TEXT_EXTENSIONS = {".txt": "txt", ".text": "txt", "": "txt", ".md": "md", ".markdown": "md"}


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
            raise ParseError(
                "encrypted", "The Word document is password-protected; remove the password and drop it again."
            )
        raise ParseError(
            "unsupported_type",
            f"{_named(filename)} is an old-style Office file (Word 97-2003 .doc or similar); {SAVE_AS}.",
        )
    for magic, kind in _BINARY_MAGIC:
        if data.startswith(magic):
            raise ParseError(
                "unsupported_type",
                f"{_named(filename)} is {kind}, not a resume or job description Shortlist can read; {SAVE_AS}.",
            )
    if decode_text(data) is not None:
        return _text_format(filename, ext)
    if ext in (".pdf", ".docx"):
        expected = "a PDF" if ext == ".pdf" else "a Word document"
        raise ParseError(
            "mislabelled",
            f"{_named(filename)} is named {ext} but its content is not {expected} "
            "(nor text); it is damaged or has the wrong extension.",
        )
    raise ParseError("unsupported_type", f"{_named(filename)} is binary data that is not PDF, DOCX or text; {SAVE_AS}.")


def _text_format(filename: str, ext: str) -> str:
    if ext in _TEXT_EXTENSIONS:
        return _TEXT_EXTENSIONS[ext]
    if ext in (".pdf", ".docx"):
        expected = "a PDF" if ext == ".pdf" else "a Word document"
        raise ParseError(
            "mislabelled",
            f"{_named(filename)} is named {ext} but its content is plain text, not "
            f"{expected}; rename it to .txt, or export a real {ext[1:].upper()}, "
            "and drop it again.",
        )
    raise ParseError(
        "unsupported_type",
        f"{_named(filename)} is named {ext}, a type Shortlist does not read; it reads PDF, DOCX, TXT and MD files.",
    )


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
            return "docx"  # parse_docx reports it as corrupt
        raise ParseError(
            "corrupt", "The file is a damaged ZIP archive (truncated or broken); save or download it again."
        ) from None
    if "word/document.xml" in names or _WORD_MAIN in content_types:
        return "docx"
    for marker, kind in _ZIP_KINDS:
        if marker in names:
            raise ParseError("unsupported_type", f"The file is {kind}, not a Word document; {SAVE_AS}.")
    raise ParseError(
        "unsupported_type",
        "The file is a ZIP archive, not a document; unzip it and drop the resumes or job descriptions themselves.",
    )


def decode_text(data: bytes) -> str | None:
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
