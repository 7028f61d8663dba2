"""Long-lived parse worker processes with a per-task time limit; a hung or crashed worker is replaced."""

from __future__ import annotations

import multiprocessing as mp
import queue
import threading
from typing import Any, Callable


READY = "ready"
START_TIMEOUT = 120.0


class WorkerTimeout(Exception):
    """The task ran past its time limit; its worker was killed."""


class WorkerCrashed(Exception):
    """The worker process died while running the task."""


def _serve(conn, initializer, initargs) -> None:
    if initializer:
        initializer(*initargs)
    conn.send(READY)
    while True:
        try:
            message = conn.recv()
        except (EOFError, KeyboardInterrupt):
            return
        if message is None:
            return
        func, arg = message
        try:
            conn.send((True, func(arg)))
        except BaseException as exc:  # report every failure to the driver; the worker lives on
            try:
                conn.send((False, exc))
            except Exception:
                conn.send((False, RuntimeError(f"{type(exc).__name__}: {exc}")))


class _Worker:
    def __init__(self, context, initializer, initargs) -> None:
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_serve, args=(child, initializer, initargs), daemon=True)
        self.process.start()
        child.close()
        self.ready = False

    def wait_ready(self) -> bool:
        """A new worker first says it has started; no task is handed over before that."""
        if not self.ready and self.conn.poll(START_TIMEOUT):
            self.ready = self.conn.recv() == READY
        return self.ready

    def kill(self) -> None:
        self.process.kill()
        self.process.join(5)
        self.conn.close()


class WorkerPool:
    """`run(func, arg)` from any thread: runs in a free worker, raises WorkerTimeout or WorkerCrashed."""

    def __init__(
        self,
        size: int,
        timeout: float,
        initializer: Callable | None = None,
        initargs: tuple = (),
        on_replace: Callable[[str], None] | None = None,
    ) -> None:
        self._context = mp.get_context("spawn")
        self._initializer, self._initargs = initializer, initargs
        self.timeout = timeout
        self._on_replace = on_replace or (lambda reason: None)
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._all: list[_Worker] = []
        self._lock = threading.Lock()
        for _ in range(size):
            self._add()

    def _add(self) -> None:
        worker = _Worker(self._context, self._initializer, self._initargs)
        with self._lock:
            self._all.append(worker)
        self._idle.put(worker)

    def _replace(self, worker: _Worker, reason: str) -> None:
        worker.kill()
        with self._lock:
            self._all.remove(worker)
        self._on_replace(reason)
        self._add()

    def run(self, func: Callable[[Any], Any], arg: Any, on_start: Callable[[], None] | None = None) -> Any:
        """`on_start` is called once a worker is ready and just before the task is handed to it."""
        worker = self._idle.get()
        try:
            if not worker.wait_ready():
                raise EOFError
            if on_start:
                on_start()
            worker.conn.send((func, arg))
            if not worker.conn.poll(self.timeout):
                self._replace(worker, "timeout")
                raise WorkerTimeout(f"took longer than {self.timeout:g} s")
            ok, value = worker.conn.recv()
        except (EOFError, OSError, BrokenPipeError):
            worker.process.join(2)  # reap it, so the exit code is known
            code = worker.process.exitcode
            self._replace(worker, "crash")
            raise WorkerCrashed(f"the parse worker died (exit code {code})") from None
        self._idle.put(worker)
        if ok:
            return value
        raise value

    def close(self) -> None:
        with self._lock:
            workers = list(self._all)
            self._all.clear()
        for worker in workers:
            try:
                worker.conn.send(None)
            except OSError:
                pass
            worker.process.join(2)
            if worker.process.is_alive():
                worker.kill()
