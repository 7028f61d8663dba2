"""The parse failure type, its stable codes, and the size wording shared by the parsers."""

from __future__ import annotations

CODES = (
    "empty",
    "too_large",
    "unsupported_type",
    "mislabelled",
    "corrupt",
    "encrypted",
    "too_many_pages",
    "zip_bomb",
    "no_text_layer",
    "too_little_text",
)


class ParseError(Exception):
    """A file that cannot become text, with a slug for code and a sentence for people."""

    def __init__(self, code: str, reason: str):
        super().__init__(code, reason)
        self.code = code
        self.reason = reason

    def __str__(self) -> str:
        return f"{self.code}: {self.reason}"


_KB, _MB = 1024, 1024 * 1024


def _amount(size: int, unit: int, digits: int) -> str:
    text = f"{size / unit:.{digits}f}".rstrip("0").rstrip(".") if digits else f"{size / unit:.0f}"
    return f"{text} {'MB' if unit == _MB else 'KB'}"


def megabytes(size: int) -> str:
    """A size for people: bytes, KB or MB with one decimal (20.0 MB, 4.9 KB, 512 bytes)."""
    if size >= _MB:
        return f"{size / _MB:.1f} MB"
    return f"{size / _KB:.1f} KB" if size >= _KB else f"{size} bytes"


def size_and_limit(size: int, limit: int) -> tuple[str, str]:
    """A size and the limit it broke, worded so they never read the same: "20.03 MB" against "20 MB",
    with more decimals as needed and exact bytes as the last resort."""
    unit = _MB if max(size, limit) >= _MB else _KB
    if max(size, limit) >= _KB:
        for digits in (1, 2, 3):
            said, allowed = _amount(size, unit, digits), _amount(limit, unit, digits)
            if said != allowed:
                return said, allowed
    return f"{size:,} bytes", f"{limit:,} bytes"


def short_error(exc: BaseException) -> str:
    inner = exc.args[0] if exc.args and isinstance(exc.args[0], BaseException) else exc
    message = str(inner).strip() or type(inner).__name__
    return message if len(message) <= 120 else message[:117] + "..."
