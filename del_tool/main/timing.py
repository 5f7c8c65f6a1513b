"""`Server-Timing: cpu;dur=...` on every response, when `SERVER_TIMING` is on (the benchmark).

The CPU time is this thread's (`time.thread_time`) from the start of the request to the
response, so it is exact with gunicorn's sync workers and never counts other requests. It is
off by default: it tells a client a little about the server.
"""

from __future__ import annotations

import time

from flask import Flask, Response, g


def init_app(app: Flask) -> None:
    """Time each request's CPU when the app is configured to say it."""
    if not app.config.get("SERVER_TIMING"):
        return

    @app.before_request
    def start_clock() -> None:
        g.del_cpu_started = time.thread_time()

    @app.after_request
    def report_cpu(response: Response) -> Response:
        started = g.get("del_cpu_started")
        if started is not None:
            milliseconds = (time.thread_time() - started) * 1000
            response.headers["Server-Timing"] = f"cpu;dur={milliseconds:.1f}"
        return response
