"""DOCX text from paragraphs, tables, headers, footers and text boxes, after a zip-bomb check."""

from __future__ import annotations

import io
import re
import zipfile

from pipeline.parse.detect import SAVE_AS
from pipeline.parse.errors import ParseError, megabytes, short_error

# A DOCX is refused before python-docx opens it when its central directory
# promises more than this in total, or more than ZIP_MAX_RATIO times the file
# size once that total is past ZIP_RATIO_FLOOR. Real resumes expand 3-20x.
ZIP_MAX_TOTAL = 100 * 1024 * 1024
ZIP_RATIO_FLOOR = 10 * 1024 * 1024
ZIP_MAX_RATIO = 100
ZIP_MAX_ENTRIES = 2000


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
_WRAPPERS = (
    _W + "sdt",
    _W + "sdtContent",
    _W + "customXml",
    _W + "smartTag",
    _W + "ins",
    _W + "moveTo",
    _W + "hyperlink",
    _W + "fldSimple",
    _MC + "AlternateContent",
    _MC + "Choice",
)
_SKIP = (
    _W + "pPr",
    _W + "rPr",
    _W + "del",
    _W + "moveFrom",
    _W + "instrText",
    _W + "delText",
    _W + "sdtPr",
    _W + "sdtEndPr",
    _MC + "Fallback",
    _W + "tblPr",
    _W + "trPr",
    _W + "tcPr",
)


def parse_docx(data: bytes, max_pages: int) -> tuple[str, int]:
    pages = _check_zip(data)
    if pages > max_pages:
        raise ParseError(
            "too_many_pages",
            f"The Word document has {pages} pages, more than the limit of "
            f"{max_pages}; split it or drop only the relevant part.",
        )
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
            raise ParseError(
                "unsupported_type",
                f"The file is a macro-enabled Word document or a template, not a plain .docx; {SAVE_AS}.",
            ) from None
        raise ParseError("corrupt", f"The Word document is damaged ({short_error(exc)}); save it again.") from None
    except Exception as exc:  # python-docx, zipfile and lxml meeting hostile bytes
        raise ParseError(
            "corrupt",
            f"The Word document is damaged and could not be read ({short_error(exc)}); save it again or export a PDF.",
        ) from None
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
            if (
                len(infos) > ZIP_MAX_ENTRIES
                or total > ZIP_MAX_TOTAL
                or (total > ZIP_RATIO_FLOOR and total > ZIP_MAX_RATIO * len(data))
            ):
                raise ParseError(
                    "zip_bomb",
                    f"The Word document would expand from {megabytes(len(data))} to "
                    f"{megabytes(total)} in {len(infos)} parts, far out of proportion "
                    "(a zip bomb), so it was not opened.",
                )
            app = zf.getinfo("docProps/app.xml") if "docProps/app.xml" in zf.namelist() else None
            props = zf.read(app) if app is not None and app.file_size < 1024 * 1024 else b""
    except ParseError:
        raise
    except Exception as exc:
        raise ParseError(
            "corrupt",
            f"The Word document is damaged: its ZIP structure is broken or truncated "
            f"({short_error(exc)}); save it again or export a PDF.",
        ) from None
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
