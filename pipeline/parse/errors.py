"""The parse failure type, its stable codes, and the size wording shared by the parsers."""
from __future__ import annotations

CODES = (
    "empty", "too_large", "unsupported_type", "mislabelled", "corrupt", "encrypted",
    "too_many_pages", "zip_bomb", "no_text_layer", "too_little_text",
)


class ParseError(Exception):
    """A file that cannot become text, with a slug for code and a sentence for people."""

    def __init__(self, code: str, reason: str):
        super().__init__(code, reason)
        self.code = code
        self.reason = reason

    def __str__(self) -> str:
        return f"{self.code}: {self.reason}"


def megabytes(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / 1024 / 1024:.1f} MB"
    return f"{size / 1024:.0f} kB" if size >= 1024 else f"{size} bytes"

def short_error(exc: BaseException) -> str:
    inner = exc.args[0] if exc.args and isinstance(exc.args[0], BaseException) else exc
    message = str(inner).strip() or type(inner).__name__
    return message if len(message) <= 120 else message[:117] + "..."
