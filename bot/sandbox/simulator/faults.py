"""Injected failures, rate-limit bookkeeping and counters."""

from __future__ import annotations

import hashlib
import re
import time
from collections import Counter, deque
from dataclasses import dataclass, field


@dataclass
class FaultRule:
    method: str  # "GET", "POST"... or "*"
    pattern: re.Pattern[str]
    status: int
    remaining: int
    retry_after: float = 0.0
    global_: bool = False
    until: float | None = None  # time.monotonic() deadline, for outages that last a while

    def wait(self) -> float:
        """Retry-After for a 429: the rest of an outage, else the fixed value."""
        if self.until is None:
            return self.retry_after
        return max(self.until - time.monotonic(), 0.5)

    def matches(self, method: str, path: str) -> bool:
        return (self.method in ("*", method)) and self.pattern.search(path) is not None


class Faults:
    """Failures queued by tests; each rule fires ``times`` times and is then spent.

    Paths are matched (``re.search``) against the path after ``/api/v10``,
    e.g. ``/channels/123/messages``.
    """

    def __init__(self) -> None:
        self._rules: list[FaultRule] = []

    def fail(self, method: str, path_regex: str, status: int = 500, times: int = 1) -> None:
        self._rules.append(FaultRule(method.upper(), re.compile(path_regex), status, times))

    def rate_limit(
        self,
        method: str,
        path_regex: str,
        retry_after: float = 1.0,
        times: int = 1,
        global_: bool = False,
    ) -> None:
        rule = FaultRule(method.upper(), re.compile(path_regex), 429, times, retry_after, global_)
        self._rules.append(rule)

    def outage(self, status: int, seconds: float) -> None:
        """Every request fails with ``status`` for ``seconds``: a Discord outage.

        A 429 outage is global, with ``Retry-After`` covering the rest of the outage.
        """
        until = time.monotonic() + seconds
        rule = FaultRule("*", re.compile(""), status, 1 << 62, seconds, status == 429, until)
        self._rules.append(rule)

    def outage_left(self) -> float:
        """Seconds until every outage is over (0 when there is none)."""
        now = time.monotonic()
        ends = [r.until - now for r in self._rules if r.until is not None and r.until > now]
        return max(ends, default=0.0)

    def clear(self) -> None:
        self._rules.clear()

    def take(self, method: str, path: str) -> FaultRule | None:
        """The first live rule matching this request, consuming one use of it."""
        now = time.monotonic()
        for rule in self._rules:
            if rule.until is not None and now >= rule.until:
                continue
            if rule.remaining > 0 and rule.matches(method, path):
                rule.remaining -= 1
                return rule
        return None

    @property
    def pending(self) -> int:
        return sum(r.remaining for r in self._rules)


@dataclass
class BucketState:
    limit: int
    window: float
    reset_at: float = 0.0
    used: int = 0


class RateLimits:
    """Per-route buckets that produce honest X-RateLimit-* headers and enforce them."""

    def __init__(self, limit: int = 50, window: float = 1.0) -> None:
        self.limit = limit
        self.window = window
        self._buckets: dict[str, BucketState] = {}

    @staticmethod
    def bucket_hash(route_key: str) -> str:
        return hashlib.sha1(route_key.encode()).hexdigest()[:16]

    def hit(
        self, route_key: str, major: str, now: float | None = None
    ) -> tuple[dict[str, str], float]:
        """Count one request; return its headers and, if over the limit, seconds to wait."""
        now = time.time() if now is None else now
        bucket_hash = self.bucket_hash(route_key)
        bucket = self._buckets.setdefault(
            f"{bucket_hash}:{major}", BucketState(self.limit, self.window)
        )
        if now >= bucket.reset_at:
            bucket.used = 0
            bucket.reset_at = now + bucket.window
        bucket.used += 1
        over = max(0.0, bucket.reset_at - now) if bucket.used > bucket.limit else 0.0
        reset_after = max(0.0, bucket.reset_at - now)
        headers = {
            "X-RateLimit-Limit": str(bucket.limit),
            "X-RateLimit-Remaining": str(max(0, bucket.limit - bucket.used)),
            "X-RateLimit-Reset": f"{bucket.reset_at:.3f}",
            "X-RateLimit-Reset-After": f"{reset_after:.3f}",
            "X-RateLimit-Bucket": bucket_hash,
        }
        return headers, over


class GlobalLimiter:
    """At most ``per_second`` bot-authorised requests in any sliding second."""

    def __init__(self, per_second: int) -> None:
        self.per_second = per_second
        self._times: deque[float] = deque()

    def check(self, now: float | None = None) -> float:
        """0 when the request may pass (and is counted), else seconds until it could."""
        now = time.monotonic() if now is None else now
        while self._times and now - self._times[0] >= 1.0:
            self._times.popleft()
        if len(self._times) >= self.per_second:
            return 1.0 - (now - self._times[0])
        self._times.append(now)
        return 0.0


@dataclass
class SimStats:
    """Counters tests can assert on."""

    requests: Counter[str] = field(default_factory=Counter)
    rate_limited: int = 0
    failures_injected: int = 0
    identifies: int = 0
    resumes: int = 0
    invalid_sessions: int = 0
    interactions: int = 0
    late_callbacks: int = 0
    interaction_latencies: list[float] = field(default_factory=list)
    gateway_connects: Counter[str] = field(default_factory=Counter)  # by path

    @property
    def total_requests(self) -> int:
        return sum(self.requests.values())
