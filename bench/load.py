"""A small HTTP load driver: simulated users, each a thread with its own cookies, for a set time.

Kept to the standard library (``http.client``) so the driver costs little CPU on the machine it
shares with the server. Every request is timed from sending to the last byte of the response.
"""

from __future__ import annotations

import http.client
import random
import re
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from bench.timing import percentile

_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


@dataclass(slots=True)
class Response:
    """What a request returned."""

    status: int
    body: str
    location: str | None
    seconds: float
    #: The server's CPU time for the request (its `Server-Timing: cpu;dur=` header), if given.
    cpu_ms: float | None = None


class UserClient:
    """One simulated user: a cookie jar and requests to one server."""

    def __init__(self, host: str, port: int, *, timeout: float = 60.0) -> None:
        self.host, self.port, self.timeout = host, port, timeout
        self.cookies: dict[str, str] = {}
        self.username = ""

    def request(self, method: str, path: str, form: dict[str, Any] | None = None) -> Response:
        """Send one request (a form is sent url-encoded); redirects are not followed."""
        headers = {"Host": f"{self.host}:{self.port}", "Connection": "close"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        try:
            start = time.perf_counter()
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            payload = response.read()
            seconds = time.perf_counter() - start
            for header, value in response.getheaders():
                if header.lower() == "set-cookie":
                    name, _, rest = value.partition("=")
                    self.cookies[name.strip()] = rest.split(";", 1)[0]
            return Response(
                response.status,
                payload.decode("utf-8", "replace"),
                response.getheader("Location"),
                seconds,
                _cpu_ms(response.getheader("Server-Timing")),
            )
        finally:
            connection.close()

    def get(self, path: str) -> Response:
        """GET `path`."""
        return self.request("GET", path)

    def post(self, path: str, form: dict[str, Any]) -> Response:
        """POST a form to `path`."""
        return self.request("POST", path, form)

    def login(self, username: str, password: str) -> None:
        """Log in through the login form; raises RuntimeError when that fails."""
        page = self.get("/auth/login")
        form = {"username": username, "password": password}
        token = csrf_token(page.body)
        if token:
            form["csrf_token"] = token
        answer = self.post("/auth/login", form)
        if answer.status not in (302, 303):
            raise RuntimeError(f"login as {username} failed with HTTP {answer.status}")
        self.username = username


_CPU = re.compile(r"cpu;dur=([0-9.]+)")


def _cpu_ms(header: str | None) -> float | None:
    match = _CPU.search(header or "")
    return float(match.group(1)) if match else None


def csrf_token(html: str) -> str | None:
    """The CSRF token of the first form in `html`, if any."""
    match = _CSRF.search(html)
    return (match.group(1) or match.group(2)) if match else None


@dataclass(slots=True)
class Sample:
    """One timed request."""

    label: str
    seconds: float
    ok: bool
    status: int
    #: The server's CPU for the request(s) behind the sample, when the server reports it.
    cpu_ms: float | None = None


#: An action makes one or more timed requests as a user and returns their samples.
Action = Callable[[UserClient, random.Random], list[Sample]]


@dataclass(slots=True)
class LoadResult:
    """Samples of a load run and its length."""

    seconds: float
    users: int
    samples: list[Sample] = field(default_factory=list)
    crashes: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, dict[str, Any]]:
        """Per label: count, errors, p50, p95 and max in milliseconds, and requests per second."""
        out: dict[str, dict[str, Any]] = {}
        for label in sorted({s.label for s in self.samples}):
            times = [s.seconds for s in self.samples if s.label == label]
            failed = [s.status for s in self.samples if s.label == label and not s.ok]
            out[label] = {
                "requests": len(times),
                "errors": len(failed),
                "error_statuses": {str(k): v for k, v in sorted(Counter(failed).items())},
                "p50_ms": round(percentile(times, 0.50) * 1000, 1),
                "p95_ms": round(percentile(times, 0.95) * 1000, 1),
                "max_ms": round(max(times) * 1000, 1),
                "per_second": round(len(times) / self.seconds, 1),
            }
            cpu = [s.cpu_ms for s in self.samples if s.label == label and s.cpu_ms is not None]
            if cpu:
                out[label]["cpu_p50_ms"] = round(percentile(cpu, 0.50), 1)
                out[label]["cpu_p95_ms"] = round(percentile(cpu, 0.95), 1)
        return out


#: A user, the weighted actions they choose from, and their pause between actions (seconds,
#: drawn uniformly from the range).
UserPlan = tuple[UserClient, Sequence[tuple[Action, float]], tuple[float, float]]


def run_load(users: Sequence[UserPlan], *, seconds: float, seed: int = 1) -> LoadResult:
    """Every user repeats weighted random actions, pausing their think time between them,
    until `seconds` have passed."""
    result = LoadResult(seconds=seconds, users=len(users))
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def user_loop(
        index: int,
        user: UserClient,
        actions: Sequence[tuple[Action, float]],
        think: tuple[float, float],
    ) -> None:
        rng = random.Random(seed * 1000 + index)
        functions = [a for a, _ in actions]
        weights = [w for _, w in actions]
        # Users start spread over one think time, not all in the same instant.
        time.sleep(rng.uniform(0, think[1]))
        while time.perf_counter() < deadline:
            action = rng.choices(functions, weights=weights)[0]
            try:
                samples = action(user, rng)
            except Exception as exc:
                with lock:
                    result.crashes.append(f"{type(exc).__name__}: {exc}")
                samples = []
            with lock:
                result.samples.extend(samples)
            remaining = deadline - time.perf_counter()
            if remaining > 0:
                time.sleep(min(remaining, rng.uniform(*think)))

    threads = [
        threading.Thread(target=user_loop, args=(i, *plan), daemon=True)
        for i, plan in enumerate(users)
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.seconds = time.perf_counter() - started
    return result
