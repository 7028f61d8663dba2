"""`python -m ui`: serve the web UI with uvicorn on SHORTLIST_HOST:SHORTLIST_PORT (127.0.0.1:8080 by default).

`python -m ui slo [--json]` prints the SLO report instead (ui/slo.py).
"""

from __future__ import annotations

import logging
import sys

import uvicorn

from store.settings import load
from ui.app import create_app


def main() -> int:
    if sys.argv[1:2] == ["slo"]:
        from ui.slo import cli

        return cli(sys.argv[2:])
    settings = load()
    logging.basicConfig(
        level=settings.log_level.upper(), stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    app = create_app(settings)
    config = uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level.lower(),
        access_log=False,
        timeout_graceful_shutdown=3,
        proxy_headers=False,
    )
    server = uvicorn.Server(config)
    # Live streams never end by themselves: close them as soon as a shutdown starts.
    app.state.feed.should_stop = lambda: server.should_exit
    server.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
