"""Helpers the UI tests share: an instance in tmp_path, a TestClient with lifespan, a CSRF token, a live server.

Pytest collects no tests from this module (its name does not start with test_); the UI tests import from it.
"""

from __future__ import annotations

import contextlib
import threading
import time
from pathlib import Path
from typing import Iterator

import uvicorn
from prometheus_client import CollectorRegistry
from starlette.testclient import TestClient

from store.settings import Settings
from tests.instance import free_port, instance, instance_env
from ui.app import create_app
from ui.security import CSRF_COOKIE


def ui_settings(home: Path, **extra: str) -> Settings:
    """Settings for an instance living in `home`, with its database migrated."""
    return instance(instance_env(home, **extra))


@contextlib.contextmanager
def client_for(settings: Settings, **kwargs) -> Iterator[TestClient]:
    app = create_app(settings, registry=CollectorRegistry(), feed_interval=0.1)
    with TestClient(app, **kwargs) as client:
        yield client


def csrf(client: TestClient) -> str:
    """The CSRF token the pages embed (a GET sets the cookie)."""
    if CSRF_COOKIE not in client.cookies:
        client.get("/check")
    return client.cookies[CSRF_COOKIE]


class LiveServer:
    """The app on a real uvicorn server on 127.0.0.1 (a random free port), in a thread."""

    def __init__(self, settings: Settings, port: int | None = None) -> None:
        self.settings = settings
        self.port = port or free_port()
        self.app = create_app(settings, registry=CollectorRegistry(), feed_interval=0.1)
        config = uvicorn.Config(
            self.app, host="127.0.0.1", port=self.port, log_level="warning", timeout_graceful_shutdown=2, lifespan="on"
        )
        self.server = uvicorn.Server(config)
        self.app.state.feed.should_stop = lambda: self.server.should_exit
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> "LiveServer":
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *_exc) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
