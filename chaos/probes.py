"""Chaos Toolkit probes for the steady state: is the deployment up and answering, and do the drill's checks hold.

The process probes wait (at most `settle` seconds) for a program that supervisord still calls
STARTING, so the state after a restart is judged once it has settled, and the next drill never
hits a process that is still within its startsecs.
"""

from __future__ import annotations

from chaos.deployment import wait_until
from chaos.drill import current


def _deployment():
    return current().deployment


def supervised() -> bool:
    """supervisord answers on its socket."""
    return _deployment().supervised()


def web_ready(settle: float = 20.0) -> bool:
    """The web is RUNNING under supervisord and /readyz answers 200 (database reachable, watcher beating)."""
    dep = _deployment()
    return bool(wait_until(lambda: dep.running_pid("web") and dep.ready(timeout=2.0), settle, 0.25))


def watcher_up(settle: float = 20.0) -> bool:
    """The watcher is RUNNING under supervisord and its /metrics answers."""
    dep = _deployment()
    return bool(wait_until(lambda: dep.running_pid("watcher") and dep.watcher_answers(timeout=2.0), settle, 0.25))


def checks_hold() -> bool:
    """Every check the drill has measured so far passed (true before the fault, when there are none)."""
    drill = current()
    return all(check.passed for check in drill.checks) and not drill.errors
