"""The running drill: its clock, marks, measurements, checks and the rollbacks it still owes.

Actions and probes (chaos/actions.py, chaos/probes.py) record into `current()`; the control
(chaos/control.py) opens a Drill before the experiment and, after it, plays every rollback still
registered (whatever the experiment's own rollbacks did) and writes the report.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable

log = logging.getLogger("shortlist.chaos")


@dataclass
class Check:
    name: str
    passed: bool
    measured: Any = None
    bound: Any = None
    detail: str = ""


@dataclass
class Drill:
    name: str
    config: dict[str, Any]
    title: str = ""
    hypothesis: str = ""
    steady_state: str = ""
    started_at: str = field(default_factory=lambda: datetime.now(timezone.utc).isoformat(timespec="seconds"))
    t0: float = field(default_factory=time.monotonic)
    marks: dict[str, float] = field(default_factory=dict)
    measures: dict[str, Any] = field(default_factory=dict)
    checks: list[Check] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    loads: dict[str, Any] = field(default_factory=dict)
    load_stats: dict[str, dict] = field(default_factory=dict)
    files: dict[str, Any] = field(default_factory=dict)
    rollbacks_done: list[dict] = field(default_factory=list)
    deployment: Any = None  # chaos.deployment.Deployment, set by the control
    _undo: list[tuple[int, str, Callable[[], Any]]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _next: int = 0

    # -- the clock: seconds since the drill started

    def now(self) -> float:
        return time.monotonic() - self.t0

    def mark(self, name: str, at: float | None = None) -> float:
        self.marks[name] = round(self.now() if at is None else at, 3)
        log.info("[%6.2f s] %s", self.marks[name], name)
        return self.marks[name]

    def between(self, start: str, end: str) -> float | None:
        if start in self.marks and end in self.marks:
            return round(self.marks[end] - self.marks[start], 3)
        return None

    # -- results

    def measure(self, **values: Any) -> None:
        self.measures.update(values)

    def check(self, name: str, passed: bool, measured: Any = None, bound: Any = None, detail: str = "") -> bool:
        self.checks.append(Check(name, bool(passed), measured, bound, detail))
        log.info("check %s: %s (measured %s, bound %s) %s", name, "ok" if passed else "FAILED", measured, bound, detail)
        return bool(passed)

    def note(self, text: str) -> None:
        self.notes.append(text)
        log.info("note: %s", text)

    def error(self, text: str) -> None:
        self.errors.append(text)
        log.error("%s", text)

    @property
    def passed(self) -> bool:
        return bool(self.checks) and all(c.passed for c in self.checks) and not self.errors

    # -- rollbacks: every fault registers its undo before it is injected

    def on_rollback(self, label: str, undo: Callable[[], Any]) -> int:
        with self._lock:
            self._next += 1
            self._undo.append((self._next, label, undo))
            return self._next

    def rollback(self, token: int) -> None:
        """Play one registered undo now (the experiment's own rollback step)."""
        with self._lock:
            found = [u for u in self._undo if u[0] == token]
            self._undo = [u for u in self._undo if u[0] != token]
        for _, label, undo in found:
            self._play(label, undo)

    def rollback_label(self, label: str, prefix: bool = False) -> int:
        """Play now every undo registered under `label` (or starting with it); the number played."""

        def hit(name: str) -> bool:
            return name.startswith(label) if prefix else name == label

        with self._lock:
            found = [u for u in self._undo if hit(u[1])]
            self._undo = [u for u in self._undo if not hit(u[1])]
        for _, name, undo in reversed(found):
            self._play(name, undo)
        return len(found)

    def rollback_all(self) -> None:
        """Undo everything still registered, newest first; one failing undo does not stop the others."""
        while True:
            with self._lock:
                if not self._undo:
                    return
                _, label, undo = self._undo.pop()
            self._play(label, undo)

    def _play(self, label: str, undo: Callable[[], Any]) -> None:
        try:
            undo()
            self.rollbacks_done.append({"rollback": label, "ok": True, "at": round(self.now(), 3)})
            log.info("rolled back: %s", label)
        except Exception as exc:  # keep undoing the rest
            self.rollbacks_done.append(
                {"rollback": label, "ok": False, "error": f"{type(exc).__name__}: {exc}", "at": round(self.now(), 3)}
            )
            self.error(f"rollback {label!r} failed: {type(exc).__name__}: {exc}")


_current: Drill | None = None


def begin(name: str, config: dict[str, Any]) -> Drill:
    global _current
    if _current is not None:
        _current.rollback_all()
    _current = Drill(name, dict(config))
    return _current


def current() -> Drill:
    if _current is None:
        raise RuntimeError(
            "no drill is running: run the experiment through `python -m chaos run` or with the chaos.control control"
        )
    return _current


def end() -> Drill | None:
    global _current
    drill, _current = _current, None
    return drill
