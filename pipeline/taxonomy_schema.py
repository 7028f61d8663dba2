"""The schema of a skills file, as pydantic models; errors name the file and the line of the bad entry or key."""

from __future__ import annotations

import re
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError, ValidationInfo, model_validator
from pydantic_core import PydanticCustomError

from store.yamlfile import LOADER as _LOADER
from store.yamlfile import child as _child
from store.yamlfile import compose, yaml_error
from store.yamlfile import node_line as _line

SKILL_KEYS = frozenset(
    {"name", "aliases", "case_sensitive", "context", "context_for", "exclude", "implies", "related", "broader"}
)
FILE_KEYS = frozenset({"category", "skills"})
RELATED_STRENGTH = 0.5  # a `related` skill listed without a strength
MAX_ERRORS = 20  # how many problems of one file an error message lists
# A run of spaces or hyphens (en dash too): the gap inside a form; an abbreviation in brackets may sit in
# it ("user interface (UI) design" is "user interface design").
GAP = r"[\s\-\u2010\u2011\u2013]+(?:\([A-Za-z][A-Za-z&/.]{0,7}\)[\s\-\u2010\u2011\u2013]+)?"
_GAP = re.compile(GAP)
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


class TaxonomyError(ValueError):
    """A skills file that cannot be loaded; the message names the file, the line and the entry."""


_NON_ASCII = re.compile(r"[^\x00-\x7f]+")


def ascii_lower(text: str) -> str:
    """`text` with ASCII letters lower-cased and nothing else changed (so offsets hold), as
    `str.translate` would give, about three times faster on a page: `str.lower` does the
    work and the non-ASCII characters are put back."""
    low = text.lower()
    if text.isascii():
        return low
    if len(low) != len(text):  # a character that lower-cases to two ("İ")
        return text.translate(_ASCII_LOWER)
    parts: list[str] = []
    at = 0
    for m in _NON_ASCII.finditer(text):
        parts += (low[at : m.start()], m.group())
        at = m.end()
    parts.append(low[at:])
    return "".join(parts)


def fold(surface: str) -> str:
    """The key a surface form is looked up by: ASCII-lowercased, gaps collapsed to one space.

    Only ASCII letters are folded, so a text keeps its length and offsets when folded.
    """
    return _GAP.sub(" ", surface.translate(_ASCII_LOWER)).strip()


def _fail(message: str) -> PydanticCustomError:
    return PydanticCustomError("taxonomy", "{message}", {"message": message})


# ---------------------------------------------------------------- field types


def _strings(value: Any, info: ValidationInfo) -> tuple[str, ...]:
    """None, one string, or a list of non-empty strings; stripped."""
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise _fail(f"'{info.field_name}' must be a list of non-empty strings")
    return tuple(v.strip() for v in value)


def _name(value: Any) -> str:
    if not isinstance(value, (str, int, float)) or isinstance(value, bool) or not str(value).strip():
        raise _fail("'name' must be a non-empty string")
    return str(value).strip()


def _subset(value: Any, info: ValidationInfo) -> bool | tuple[str, ...] | None:
    """`true` (every form), `false` (none), or a list of forms; checked against the forms later."""
    if value is None or isinstance(value, bool):
        return value
    return _strings(value, info)


def _patterns(value: Any, info: ValidationInfo) -> tuple[str, ...]:
    patterns = _strings(value, info)
    for pattern in patterns:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise _fail(f"bad 'exclude' regex {pattern!r}: {exc}") from None
    return patterns


def _related(value: Any, info: ValidationInfo) -> tuple[tuple[str, float], ...]:
    """`related: [MySQL]` (strength RELATED_STRENGTH) or `related: {MySQL: 0.6}`."""
    if not isinstance(value, dict):
        return tuple((other, RELATED_STRENGTH) for other in _strings(value, info))
    pairs = []
    for other, strength in value.items():
        if not isinstance(other, str) or not other.strip():
            raise _fail("'related' keys must be skill names")
        if isinstance(strength, bool) or not isinstance(strength, (int, float)) or not 0 < strength < 1:
            raise _fail(
                f"'related' strength of {other!r} must be a number between 0 and 1 (exclusive), got {strength!r}"
            )
        pairs.append((other.strip(), float(strength)))
    return tuple(pairs)


Strings = Annotated[tuple[str, ...], BeforeValidator(_strings)]
Subset = Annotated[bool | tuple[str, ...] | None, BeforeValidator(_subset)]


class SkillEntry(BaseModel):
    """One entry of a skills file's `skills` list, as written."""

    model_config = ConfigDict(frozen=True)

    name: Annotated[str, BeforeValidator(_name)]
    aliases: Strings = ()
    case_sensitive: Subset = None
    context: Strings = ()
    context_for: Subset = None
    exclude: Annotated[tuple[str, ...], BeforeValidator(_patterns)] = ()
    implies: Strings = ()
    related: Annotated[tuple[tuple[str, float], ...], BeforeValidator(_related)] = ()
    broader: Strings = ()

    @model_validator(mode="before")
    @classmethod
    def _shape(cls, entry: Any) -> Any:
        if not isinstance(entry, dict):
            raise _fail(f"expected a mapping with at least 'name', got {entry!r}")
        if entry.get("name") is None:
            raise _fail(f"missing 'name' (keys: {sorted(map(str, entry))})")
        unknown = set(entry) - SKILL_KEYS
        if unknown:
            raise _fail(f"unknown key(s) {sorted(map(str, unknown))}; allowed: {sorted(SKILL_KEYS)}")
        return entry

    @model_validator(mode="after")
    def _forms(self) -> SkillEntry:
        forms = self.forms
        seen: set[str] = set()
        for form in forms:
            key = fold(form)
            if not key:
                raise _fail(f"empty surface form {form!r}")
            if key in seen:
                raise _fail(f"{form!r} is listed twice")
            seen.add(key)
        for key in ("case_sensitive", "context_for"):
            listed = getattr(self, key)
            if isinstance(listed, tuple):
                missing = [f for f in listed if f not in forms]
                if missing:
                    raise _fail(f"'{key}' names {missing}, which are not its name or aliases")
        if self.context_for is not None and not self.context:
            raise _fail("'context_for' given without 'context' words")
        return self

    @property
    def forms(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)

    def form_set(self, key: str, default_all: bool) -> frozenset[str]:
        """The forms `case_sensitive` or `context_for` selects."""
        value = getattr(self, key)
        if value is None:
            return frozenset(self.forms) if default_all else frozenset()
        if isinstance(value, bool):
            return frozenset(self.forms) if value else frozenset()
        return frozenset(value)


def _category(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _fail("missing 'category' (a non-empty string)")
    return value.strip()


def _entries(value: Any) -> Any:
    if not isinstance(value, list) or not value:
        raise _fail("'skills' must be a non-empty list")
    return value


class SkillsFile(BaseModel):
    """A whole skills file: one category and its entries."""

    category: Annotated[str, BeforeValidator(_category)]
    skills: Annotated[list[SkillEntry], BeforeValidator(_entries)]

    @model_validator(mode="before")
    @classmethod
    def _shape(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            raise _fail("expected a mapping with 'category' and 'skills'")
        unknown = set(data) - FILE_KEYS
        if unknown:
            raise _fail(f"unknown top-level key(s) {sorted(map(str, unknown))}; allowed: {sorted(FILE_KEYS)}")
        return {"category": data.get("category"), "skills": data.get("skills")}


# ---------------------------------------------------------------- reading with line numbers


def load_yaml(name: str, raw: bytes | str) -> Any:
    """One YAML document, read safely and with unique keys; a TaxonomyError names the file and line."""
    try:
        return yaml.load(raw, Loader=_LOADER)  # noqa: S506 -- a safe loader
    except yaml.YAMLError as exc:
        raise TaxonomyError(yaml_error(name, exc)) from None


def read_skills_file(name: str, raw: bytes) -> tuple[SkillsFile, list[int]]:
    """Parse and validate one file; also the 1-based line of each entry of `skills`."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise TaxonomyError(f"{name}: not UTF-8 text: {exc}") from None
    node, data = compose(name, text, TaxonomyError)
    try:
        parsed = SkillsFile.model_validate(data)
    except ValidationError as exc:
        raise TaxonomyError(_describe(name, exc, node, data)) from None
    entries = _child(node, "skills")
    lines = [item.start_mark.line + 1 for item in entries.value] if entries is not None else []
    return parsed, lines


def _describe(name: str, exc: ValidationError, root: yaml.Node | None, data: Any) -> str:
    """One line per problem: `file:line: entry #N ('Name'): message`."""
    lines = []
    for error in exc.errors(include_url=False)[:MAX_ERRORS]:
        loc = tuple(error["loc"])
        message = error["ctx"]["message"] if error["type"] == "taxonomy" else error["msg"]
        if loc and loc[0] == "skills" and len(loc) >= 2 and isinstance(loc[1], int):
            entry = data["skills"][loc[1]]
            label = f"entry #{loc[1] + 1}"
            if (
                isinstance(entry, dict)
                and isinstance(entry.get("name"), (str, int, float))
                and str(entry["name"]).strip()
                and loc[2:] != ("name",)
            ):
                label += f" ({str(entry['name']).strip()!r})"
            message = f"{label}: {message}"
        line = _line(root, loc)
        lines.append(f"{name}:{line}: {message}" if line is not None else f"{name}: {message}")
    return "\n".join(lines)
