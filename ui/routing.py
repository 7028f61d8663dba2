"""Route helpers: every page is registered with its JSON twin, and path convertors shared by the pages."""

from __future__ import annotations

from typing import Callable, Sequence

from starlette.convertors import Convertor, register_url_convertor
from starlette.exceptions import HTTPException
from starlette.routing import Route


class Sha256Convertor(Convertor[str]):
    regex = "[0-9a-f]{64}"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("sha", Sha256Convertor())


def page(path: str, endpoint: Callable, name: str, methods: Sequence[str] = ("GET",)) -> list[Route]:
    """The page at `path` and its JSON twin at `path.json` (also served for ?format=json)."""
    return [
        Route(path, endpoint, methods=list(methods), name=name),
        Route(path + ".json", endpoint, methods=list(methods), name=f"{name}.json"),
    ]


class BadRequest(HTTPException):
    """A parameter a person can fix: raised, it is answered as a 400 with the message by the app's handler."""

    def __init__(self, message: str) -> None:
        super().__init__(400, message)


def int_param(params, name: str, default: int, low: int, high: int) -> int:
    raw = params.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadRequest(f"{name} must be a whole number, not {raw[:40]!r}.") from None
    if not low <= value <= high:
        raise BadRequest(f"{name} must be between {low} and {high}.")
    return value


def float_param(params, name: str, low: float, high: float) -> float | None:
    raw = params.get(name)
    if raw in (None, ""):
        return None
    try:
        value = float(raw)
    except ValueError:
        raise BadRequest(f"{name} must be a number, not {raw[:40]!r}.") from None
    if not low <= value <= high:
        raise BadRequest(f"{name} must be between {low:g} and {high:g}.")
    return value


def choice_param(params, name: str, choices: Sequence[str], default: str | None) -> str | None:
    raw = params.get(name)
    if raw in (None, ""):
        return default
    if raw not in choices:
        raise BadRequest(f"{name} must be one of: {', '.join(choices)}.")
    return raw
