"""Render skills/canary/canaries.yaml into the canary files (PDF, DOCX, TXT): `python -m tests.make_canaries`."""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

from tests.fixtures import make_docx, make_pdf

CANARY = Path(__file__).resolve().parent.parent / "skills" / "canary"


def _docx_table(text: str) -> bytes:
    """Paragraphs up to a "Skills" heading; what follows it goes into a one-row table, cell per skill."""
    head, _, tail = text.partition("\nSkills\n")
    skills = [s.strip() for s in tail.replace("\n", ",").split(",") if s.strip()]
    return make_docx([line for line in head.splitlines()] + ["Skills"], table=[skills])


RENDER = {
    "pdf-plain": lambda text: make_pdf(text, style="plain"),
    "pdf-latex": lambda text: make_pdf(text, style="latex"),
    "docx-plain": lambda text: make_docx(text.splitlines()),
    "docx-table": _docx_table,
    "txt": lambda text: text.encode("utf-8"),
}


def render(folder: Path = CANARY, out: Path | None = None) -> list[Path]:
    """Write every document of `folder`/canaries.yaml into `out` (default `folder`/files); return the paths."""
    spec = yaml.safe_load((folder / "canaries.yaml").read_text(encoding="utf-8"))
    out = out or folder / "files"
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for doc in spec["documents"]:
        path = out / doc["file"]
        path.write_bytes(RENDER[doc["layout"]](doc["text"]))
        written.append(path)
    return written


if __name__ == "__main__":
    for written in render(Path(sys.argv[1]) if len(sys.argv) > 1 else CANARY):
        print(written)
