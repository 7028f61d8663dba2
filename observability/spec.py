"""The SLO spec (observability/slo.yaml) as pydantic models, and the durations it is written in; a mistake
fails with the file, the line and the SLO it is in."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any, Optional

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from store.yamlfile import load_model

SPEC = Path(__file__).resolve().parent / "slo.yaml"
_UNITS = (("d", 86_400_000), ("h", 3_600_000), ("m", 60_000), ("s", 1_000), ("ms", 1))
_DURATION = re.compile(r"^(\d+)(ms|s|m|h|d|w)$")


class SpecError(ValueError):
    """The SLO spec is missing something or says something the generator cannot turn into rules."""


def parse_duration(text: str) -> int:
    """A Prometheus duration with one unit ("5m", "30d") in milliseconds."""
    match = _DURATION.match(str(text))
    if not match:
        raise SpecError(f"not a duration with one unit: {text!r}")
    number, unit = match.groups()
    per_unit = dict(_UNITS) | {"w": 7 * 86_400_000}
    return int(number) * per_unit[unit]


def format_duration(ms: int) -> str:
    """Milliseconds as a Prometheus duration in the largest unit that divides them."""
    if ms <= 0:
        raise SpecError(f"a duration must be positive, got {ms} ms")
    for unit, size in _UNITS:
        if ms % size == 0:
            return f"{ms // size}{unit}"
    raise AssertionError("unreachable: ms divides every integer")


def scale_duration(text: str, scale: float) -> str:
    """Divide a duration by `scale`, rounded to whole milliseconds."""
    return format_duration(max(1, round(parse_duration(text) / scale)))


def humanize_duration(text: str | int) -> str:
    """A duration for people, in mixed units: 180000000 ms is "2d2h"."""
    ms = text if isinstance(text, int) else parse_duration(text)
    parts = []
    for unit, size in _UNITS[:-1]:
        if ms >= size:
            parts.append(f"{ms // size}{unit}")
            ms %= size
    return "".join(parts) or "0s"


def _duration(text: str) -> str:
    if parse_duration(text) <= 0:
        raise SpecError(f"a duration must be positive, got {text!r}")
    return text


Duration = Annotated[str, AfterValidator(_duration)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class BurnRateAlert(_Strict):
    name: str
    severity: str
    burn_rate: float = Field(gt=0)
    long: Duration
    short: Duration
    for_: Duration = Field(alias="for")


class SLI(_Strict):
    record: str
    good: Optional[str] = None
    bad: Optional[str] = None
    ratio: Optional[str] = None
    value: Optional[str] = None
    total: Optional[str] = None

    @property
    def kind(self) -> str:
        return next(k for k in ("good", "bad", "ratio", "value") if getattr(self, k) is not None)

    @model_validator(mode="after")
    def _one_kind(self) -> SLI:
        kinds = [k for k in ("good", "bad", "ratio", "value") if getattr(self, k) is not None]
        if len(kinds) != 1:
            raise ValueError(f"needs exactly one of good, bad, ratio, value (has {', '.join(kinds) or 'none'})")
        if kinds[0] in ("good", "bad") and self.total is None:
            raise ValueError(f"sli.{kinds[0]} needs sli.total")
        return self


class SLO(_Strict):
    name: str
    title: str
    description: str
    sli: SLI
    informational: bool = False
    alert: Optional[str] = None
    objective: Optional[float] = Field(default=None, gt=0, lt=100)

    @model_validator(mode="after")
    def _budgeted(self) -> SLO:
        if self.informational:
            return self
        if self.sli.kind == "value":
            raise ValueError("a value SLI has no error budget; mark it informational")
        if self.alert is None:
            raise ValueError("needs `alert`, the prefix of its alert names")
        if self.objective is None:
            raise ValueError("needs `objective`, the percentage that must be good")
        return self


class Record(_Strict):
    record: str
    description: str
    expr: str


class Alert(_Strict):
    alert: str
    severity: str
    expr: str
    for_: Duration = Field(alias="for")
    summary: str
    description: str


class Credit(_Strict):
    below: float = Field(gt=0, le=100)
    credit: float = Field(gt=0, le=100)


class SLA(_Strict):
    name: str
    slo: str
    objective: float = Field(gt=0, lt=100)
    window: Duration
    obligations: list[str] = []
    credits: list[Credit] = []


class Spec(_Strict):
    service: str
    runbook: str
    windows: list[Duration] = Field(min_length=1)
    period: Duration
    burn_rate_alerts: list[BurnRateAlert]
    slos: list[SLO]
    records: list[Record] = []
    indicators: list[Record] = []
    alerts: list[Alert] = []
    sla: Optional[SLA] = None

    @field_validator("period")
    @classmethod
    def _period_is_a_window(cls, period: str, info: ValidationInfo) -> str:
        windows = info.data.get("windows")
        if windows is not None and period not in windows:
            raise ValueError(f"period {period} must be one of the windows {windows}")
        return period

    @field_validator("burn_rate_alerts")
    @classmethod
    def _alert_windows(cls, rules: list[BurnRateAlert], info: ValidationInfo) -> list[BurnRateAlert]:
        windows = info.data.get("windows") or []
        for rule in rules:
            for window in (rule.long, rule.short):
                if window not in windows:
                    raise ValueError(f"burn-rate alert window {window} is not one of the windows {windows}")
        return rules

    @field_validator("slos")
    @classmethod
    def _unique(cls, slos: list[SLO]) -> list[SLO]:
        names = [slo.name for slo in slos]
        twice = sorted({name for name in names if names.count(name) > 1})
        if twice:
            raise ValueError(f"SLO {twice[0]!r} is declared twice")
        return slos

    @field_validator("sla")
    @classmethod
    def _sla_names_an_slo(cls, sla: Optional[SLA], info: ValidationInfo) -> Optional[SLA]:
        slos = info.data.get("slos")
        if sla is not None and slos is not None and sla.slo not in {slo.name for slo in slos}:
            raise ValueError(f"sla.slo {sla.slo!r} is not an SLO")
        windows = info.data.get("windows") or []
        if sla is not None and sla.window not in windows:
            raise ValueError(f"sla.window {sla.window} is not one of the windows {windows}")
        return sla


def load_spec(path: Path = SPEC) -> dict[str, Any]:
    """Read and check the spec: the plain data, once `Spec` accepts it."""
    _, data = load_model(Path(path), Spec, SpecError)
    return data
