"""A drill's experiment file (chaos/experiments/*.yaml) as a pydantic model of the parts Shortlist reads itself.

Chaos Toolkit checks the rest (`ensure_experiment_is_valid`); this adds what a drill needs beyond that, with
errors naming the file and the line: the drill's name in `configuration.drill`, the chaos.control control that
writes its report, a rollback, and a `shortlist` extension whose `short` values override settings the
experiment declares (a misspelt one would add a setting no step reads).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from store.yamlfile import load_model

CONTROL = "chaos.control"
EXTENSION = "shortlist"


class DrillFileError(ValueError):
    """An experiment file Shortlist cannot run as a drill; the message names the file and the line."""


class Extension(BaseModel):
    model_config = ConfigDict(extra="allow")
    name: str
    short: dict[str, Any] = {}


class Control(BaseModel):
    model_config = ConfigDict(extra="allow")
    name: str
    provider: dict[str, Any]


class Experiment(BaseModel):
    model_config = ConfigDict(extra="allow")
    title: str = Field(min_length=1)
    description: str = Field(min_length=1)
    configuration: dict[str, Any]
    extensions: list[Extension] = []
    controls: list[Control]
    rollbacks: list[dict[str, Any]] = Field(min_length=1)

    @field_validator("configuration")
    @classmethod
    def _names_the_drill(cls, configuration: dict[str, Any], info: ValidationInfo) -> dict[str, Any]:
        drill = (info.context or {}).get("drill")
        named = configuration.get("drill")
        if drill is not None and named != drill:
            raise ValueError(f"configuration.drill must be {drill!r}, the file's name (is {named!r})")
        return configuration

    @field_validator("extensions")
    @classmethod
    def _short_overrides_declared_settings(cls, extensions: list[Extension], info: ValidationInfo) -> list[Extension]:
        declared = set(info.data.get("configuration") or {})
        for extension in extensions:
            unknown = sorted(set(extension.short) - declared) if extension.name == EXTENSION else []
            if unknown:
                raise ValueError(
                    f"the {EXTENSION} extension's short form sets {', '.join(unknown)}, "
                    f"not in configuration ({', '.join(sorted(declared))})"
                )
        return extensions

    @field_validator("controls")
    @classmethod
    def _reports(cls, controls: list[Control]) -> list[Control]:
        if not any(control.provider.get("module") == CONTROL for control in controls):
            raise ValueError(f"needs the {CONTROL} control, which measures the drill and writes its report")
        return controls

    def short_form(self) -> dict[str, Any]:
        """The settings the short form changes."""
        return {k: v for e in self.extensions if e.name == EXTENSION for k, v in e.short.items()}


def read(path: Path) -> tuple[Experiment, dict[str, Any]]:
    """The checked experiment and its plain data, as Chaos Toolkit reads it."""
    return load_model(path, Experiment, DrillFileError, context={"drill": path.stem})
