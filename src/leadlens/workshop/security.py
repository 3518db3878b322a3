"""The workshop server's defences: secrets, CSRF, request size and rate limits, headers.

It is a server on a shared network (a hotspot or the venue's Wi-Fi), so:

- the room code and the facilitator secret are random (``secrets``) and compared in constant
  time on every request; wrong guesses count against the client, which is then locked out;
- every form carries a CSRF token that must equal the browser's own ``ll_csrf`` cookie
  (double submit), and a cross-site ``Origin`` is refused; cookies are ``SameSite=Strict``
  and ``HttpOnly``;
- request bodies are capped (:attr:`Limits.max_body`) and each client is rate limited;
- every response says ``Content-Security-Policy: default-src 'none'`` plus only what the
  pages use from the server itself, so nothing (no script, font or image) loads from
  elsewhere, and participant text can never run as script.
"""

from __future__ import annotations

import hmac
import json
import os
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations only: scoring reads the workshop record without Starlette
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

ROOM_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
"""No 0/o, 1/l/i: the room code can be read off the screen and typed."""
ROOM_CODE_LENGTH = 12  # 31**12 ~ 2**59 codes


def new_room_code() -> str:
    return "".join(secrets.choice(ROOM_ALPHABET) for _ in range(ROOM_CODE_LENGTH))


def new_secret() -> str:
    return secrets.token_urlsafe(24)


def same(given: str | None, expected: str) -> bool:
    """Constant-time comparison of a secret (None never matches)."""
    if not given:
        return False
    return hmac.compare_digest(given.encode("utf-8", "surrogatepass"),
                               expected.encode("utf-8"))


@dataclass(frozen=True)
class Secrets:
    """The workshop's room code, facilitator secret and signing key (kept for --resume)."""

    room: str
    facilitator: str
    key: bytes

    @classmethod
    def new(cls) -> Secrets:
        return cls(room=new_room_code(), facilitator=new_secret(), key=secrets.token_bytes(32))

    def save(self, path: Path, question_set: str) -> None:
        """Write the secrets file (owner read/write only), atomically."""
        write_state(path, {"workshop": 1, "question_set": question_set, "room": self.room,
                           "facilitator": self.facilitator, "key": self.key.hex()})

    @classmethod
    def load(cls, path: Path) -> tuple[Secrets, str]:
        """The secrets and the question-set id (raises OSError, ValueError or KeyError)."""
        data = read_state(path)
        return cls(room=str(data["room"]), facilitator=str(data["facilitator"]),
                   key=bytes.fromhex(str(data["key"]))), str(data["question_set"])


def read_state(path: Path) -> dict[str, object]:
    """The workshop's state file, read as every input is: a regular file of bounded size (a
    FIFO here would hang --resume). Raises FileNotFoundError when there is none, ValueError
    when it cannot be read or is not a JSON object."""
    from leadlens.files import InputError, read_input

    if not os.path.lexists(path):
        raise FileNotFoundError(path)
    try:
        raw = read_input(path, "workshop state file")
    except InputError as exc:
        raise ValueError(exc.problems[0].message) from None
    data = json.loads(raw.decode("utf-8"))
    if not isinstance(data, dict):
        raise ValueError("not a workshop state file")
    return data


def write_state(path: Path, data: dict[str, object]) -> None:
    """Replace the workshop's state file atomically: fsynced, owner read/write only."""
    text = json.dumps(data, separators=(",", ":")) + "\n"
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, text.encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)


@dataclass(frozen=True)
class Limits:
    """Request limits; the defaults suit a room of phones, each on its own address."""

    max_body: int = 16 * 1024
    """Largest request body in bytes (a long comment is about 2 KB)."""
    rate: float = 10.0
    """Requests per second each client may sustain..."""
    burst: int = 60
    """...after a burst of this many."""
    max_failures: int = 20
    """Wrong room codes, secrets or CSRF tokens a client may send within ``lockout`` seconds."""
    lockout: float = 60.0


CSP = ("default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")

SECURITY_HEADERS: list[tuple[bytes, bytes]] = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"cache-control", b"no-store"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
]


@dataclass
class _Bucket:
    tokens: float
    stamp: float
    failures: list[float] = field(default_factory=list)
    locked_until: float = 0.0


class Guard:
    """Per-client rate limits and lock-outs after repeated wrong secrets (thread-safe)."""

    def __init__(self, limits: Limits, clock: Callable[[], float] | None = None) -> None:
        self.limits = limits
        self._clock = clock or time.monotonic
        self._lock = threading.Lock()
        self._clients: dict[str, _Bucket] = {}

    def _bucket(self, client: str, now: float) -> _Bucket:
        bucket = self._clients.get(client)
        if bucket is None:
            if len(self._clients) > 10_000:  # forget idle clients rather than grow forever
                self._clients.clear()
            bucket = self._clients[client] = _Bucket(tokens=float(self.limits.burst), stamp=now)
        return bucket

    def allow(self, client: str) -> float:
        """0 when the request may go ahead, else the seconds to wait."""
        now = self._clock()
        with self._lock:
            bucket = self._bucket(client, now)
            if bucket.locked_until > now:
                return bucket.locked_until - now
            bucket.tokens = min(float(self.limits.burst),
                                bucket.tokens + (now - bucket.stamp) * self.limits.rate)
            bucket.stamp = now
            if bucket.tokens < 1.0:
                return (1.0 - bucket.tokens) / self.limits.rate
            bucket.tokens -= 1.0
            return 0.0

    def failed(self, client: str) -> None:
        """Count a wrong room code, secret or CSRF token; lock the client out past the limit."""
        now = self._clock()
        with self._lock:
            bucket = self._bucket(client, now)
            bucket.failures = [t for t in bucket.failures if now - t < self.limits.lockout]
            bucket.failures.append(now)
            if len(bucket.failures) >= self.limits.max_failures:
                bucket.locked_until = now + self.limits.lockout
                bucket.failures.clear()


def client_of(scope: Scope) -> str:
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


class LimitMiddleware:
    """Rate limit, cap the body and add the security headers, before any route runs."""

    def __init__(self, app: ASGIApp, guard: Guard) -> None:
        self.app = app
        self.guard = guard

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        wait = self.guard.allow(client_of(scope))
        if wait > 0:
            await _plain(send, 429, "Too many requests: please wait a moment and try again.",
                         [(b"retry-after", str(max(1, round(wait))).encode())])
            return
        limit = self.guard.limits.max_body
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await _plain(send, 413, "Request too large.")
            return
        body = b""
        if scope["method"] in ("POST", "PUT", "PATCH", "DELETE"):
            more = True
            while more:
                message = await receive()
                if message["type"] == "http.disconnect":
                    return
                body += message.get("body", b"")
                more = bool(message.get("more_body"))
                if len(body) > limit:
                    await _plain(send, 413, "Request too large.")
                    return
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if sent:
                return {"type": "http.disconnect"}
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                message = {**message, "headers": [
                    *headers, *((k, v) for k, v in SECURITY_HEADERS if k not in present)]}
            await send(message)

        await self.app(scope, replay, with_headers)


async def _plain(send: Send, status: int, text: str,
                 extra: list[tuple[bytes, bytes]] | None = None) -> None:
    body = text.encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                            (b"content-length", str(len(body)).encode()),
                            *(extra or []), *SECURITY_HEADERS]})
    await send({"type": "http.response.body", "body": body})
