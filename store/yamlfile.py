"""YAML read with its line numbers kept, so a pydantic model's errors can name the file and the line."""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

_BASE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available: ~10x faster
MAX_ERRORS = 20  # how many problems of one file an error message lists
LABEL_KEYS = ("name", "id", "alert", "record")  # the key an entry of a list is known by, in that order

Model = TypeVar("Model", bound=BaseModel)


class UniqueKeyLoader(_BASE_LOADER):  # type: ignore[misc,valid-type]
    """A safe loader that refuses a mapping with the same key twice (PyYAML keeps the last one silently;
    the YAML spec requires unique keys): the usual `construct_mapping` check on the keys as written
    (a `<<` merge may still supply keys the mapping overrides)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        if isinstance(node, yaml.MappingNode):
            seen: dict[Any, int] = {}
            for key_node, _ in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    continue
                key = self.construct_object(key_node, deep=deep)
                try:
                    first = seen.get(key)
                except TypeError:  # an unhashable key: construct_mapping says so itself
                    continue
                if first is not None:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"duplicate key {key!r} (first given on line {first})", key_node.start_mark
                    )
                seen[key] = key_node.start_mark.line + 1
        return super().construct_mapping(node, deep=deep)


LOADER = UniqueKeyLoader


def yaml_error(name: str, exc: yaml.YAMLError) -> str:
    """`file:line: invalid YAML: ...` for a parse error: where the broken construct starts
    ("while parsing a flow sequence"), else where parsing stopped."""
    mark = getattr(exc, "context_mark", None) or getattr(exc, "problem_mark", None)
    where = f"{name}:{mark.line + 1}" if mark is not None else name
    detail = str(exc).replace('"<unicode string>"', name).replace('"<byte string>"', name)
    return f"{where}: invalid YAML: {detail}"


def compose(name: str, text: str, error: type[Exception] = ValueError) -> tuple[yaml.Node | None, Any]:
    """The document's node tree (each node knows its line) and its plain value; bad YAML raises `error`
    with `name:line`."""
    loader = LOADER(text)
    try:
        node = loader.get_single_node()  # compose first, so every value keeps its line
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        raise error(yaml_error(name, exc)) from None
    finally:
        loader.dispose()
    return node, data


def child(node: yaml.Node | None, key: str | int) -> yaml.Node | None:
    """The value node under a mapping key or at a sequence index, if any."""
    if isinstance(node, yaml.MappingNode) and isinstance(key, str):
        return next((value for k, value in node.value if k.value == key), None)
    if isinstance(node, yaml.SequenceNode) and isinstance(key, int) and 0 <= key < len(node.value):
        return node.value[key]
    return None


def node_line(node: yaml.Node | None, loc: tuple[Any, ...]) -> int | None:
    """The line of the deepest node `loc` reaches: an entry, or the key a problem is under."""
    line = node.start_mark.line + 1 if node is not None else None
    for key in loc:
        if isinstance(node, yaml.MappingNode) and isinstance(key, str):
            pair = next(((k, v) for k, v in node.value if k.value == key), None)
            if pair is None:
                break
            line, node = pair[0].start_mark.line + 1, pair[1]
        elif (found := child(node, key)) is not None:
            line, node = found.start_mark.line + 1, found
        else:
            break
    return line


def where(loc: tuple[Any, ...], data: Any) -> str:
    """A path a person can follow: `slos[3] ('latency').sli`, each list entry with the name it goes by."""
    parts: list[str] = []
    for key in loc:
        if isinstance(key, int) and isinstance(data, list) and 0 <= key < len(data):
            data = data[key]
            label = next((data[k] for k in LABEL_KEYS if isinstance(data, dict) and isinstance(data.get(k), str)), None)
            parts.append(f"[{key}]" + (f" ({label!r})" if label else ""))
        else:
            data = data.get(key) if isinstance(data, dict) else None
            parts.append(("." if parts else "") + str(key))
    return "".join(parts)


def describe(name: str, exc: ValidationError, root: yaml.Node | None, data: Any) -> str:
    """One line per problem: `file:line: path: message`."""
    lines = []
    for error in exc.errors(include_url=False)[:MAX_ERRORS]:
        loc = tuple(error["loc"])
        message = error["msg"].removeprefix("Value error, ")
        path = where(loc, data)
        text = f"{path}: {message}" if path else message
        line = node_line(root, loc)
        lines.append(f"{name}:{line}: {text}" if line is not None else f"{name}: {text}")
    return "\n".join(lines)


def load_model(
    path: Path, model: type[Model], error: type[Exception] = ValueError, context: dict[str, Any] | None = None
) -> tuple[Model, Any]:
    """Read `path` into `model` (its validators see `context`); every problem raises `error` naming the file and
    the line. Returns the model and the plain data it was read from."""
    name = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise error(f"{name}: cannot read: {exc}") from None
    node, data = compose(name, text, error)
    try:
        return model.model_validate(data, context=context), data
    except ValidationError as exc:
        raise error(describe(name, exc, node, data)) from None
