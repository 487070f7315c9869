"""A local push service for tests: it checks what a real one checks, and records deliveries.

It listens on a free loopback port (an aiohttp server in a thread of its own) and,
for each ``POST /push/<id>``:

- verifies the VAPID token (RFC 8292): ``Authorization: vapid t=<JWT>, k=<key>``,
  an ES256 signature by ``k``, ``aud`` equal to this receiver's origin, ``exp`` in
  the future and at most 24 h ahead, ``sub`` a ``mailto:`` or ``https:`` contact;
  a bad token gets 401 and is recorded as a rejection;
- decrypts the ``aes128gcm`` body (RFC 8291) with the subscription's private key and
  auth secret, and parses it as JSON (``decrypt=False`` skips this, for benchmarks);
- records the delivery (endpoint, TTL, Urgency, Topic, the message) and answers what
  the test asked for: 201 by default, or a queue of 404/410/429 (with Retry-After)/500
  per endpoint, optionally after a delay (a slow push service); ``hold_after(n)`` lets
  n more requests through and keeps every later one waiting, unanswered, until
  ``release()`` (a push service that stalls: a sender's batch is surely in flight).

``new_subscription()`` makes a subscription as a browser would (a P-256 key pair and
a 16-byte auth secret) whose endpoint is on this receiver.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import secrets
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field

import http_ece
from aiohttp import web
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def b64url_encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


@dataclass(frozen=True)
class BrowserSubscription:
    endpoint: str
    p256dh: str
    auth: str
    private_key: ec.EllipticCurvePrivateKey

    @property
    def info(self) -> dict[str, object]:
        """As ``PushSubscription.toJSON()`` gives it in a browser."""
        return {"endpoint": self.endpoint, "keys": {"p256dh": self.p256dh, "auth": self.auth}}


@dataclass(frozen=True)
class Delivery:
    endpoint: str
    ttl: str | None
    urgency: str | None
    topic: str | None
    message: dict | None  # None when decryption is off
    status: int  # what the receiver answered
    vapid_claims: dict
    at: float = field(default_factory=time.time)


@dataclass
class _Plan:
    status: int
    retry_after: str | None = None


class VapidRejected(Exception):
    pass


class PushReceiver:
    """Use as a context manager; ``base_url`` is e.g. ``http://127.0.0.1:43125``."""

    def __init__(
        self, *, decrypt: bool = True, delay: float = 0.0, host: str = "127.0.0.1"
    ) -> None:
        self.decrypt = decrypt
        self.delay = delay  # seconds before answering, for every request
        self.host = host
        self.port = 0
        self._keys: dict[str, tuple[ec.EllipticCurvePrivateKey, bytes]] = {}
        self._plans: dict[str, deque[_Plan]] = defaultdict(deque)
        self._lock = threading.Lock()
        self.deliveries: list[Delivery] = []  # accepted (2xx) only
        self.answered: list[Delivery] = []  # every request with a valid token
        self.rejections: list[str] = []  # why tokens or bodies were refused
        self._verified: dict[tuple[str, str], dict] = {}  # (token, key) -> claims
        self._admitted = 0  # requests let past the hold gate
        self._admit_until: int | None = None  # None: no gate
        self._held = 0  # requests waiting at the gate now
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None

    # -------------------------------------------------------------- lifecycle

    def __enter__(self) -> PushReceiver:
        self.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    def start(self) -> None:
        ready = threading.Event()
        self._loop = asyncio.new_event_loop()

        async def serve() -> None:
            app = web.Application(client_max_size=8192)
            app.router.add_post("/push/{name}", self._handle)
            self._runner = web.AppRunner(app, access_log=None)
            await self._runner.setup()
            site = web.TCPSite(self._runner, self.host, 0, backlog=1024)
            await site.start()
            self.port = site._server.sockets[0].getsockname()[1]  # noqa: SLF001
            ready.set()

        def run() -> None:
            asyncio.set_event_loop(self._loop)
            self._loop.run_until_complete(serve())
            self._loop.run_forever()

        self._thread = threading.Thread(target=run, name="push-receiver", daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("the push receiver did not start")

    def stop(self) -> None:
        if self._loop is None:
            return
        self.release()  # nothing waits at the gate through the shutdown

        async def shutdown() -> None:
            if self._runner is not None:
                await self._runner.cleanup()

        asyncio.run_coroutine_threadsafe(shutdown(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(10)
        self._loop.close()
        self._loop = None

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    # -------------------------------------------------------------- test controls

    def new_subscription(self) -> BrowserSubscription:
        """A browser's subscription: its own P-256 key pair and auth secret."""
        private_key = ec.generate_private_key(ec.SECP256R1())
        public = private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        auth = os.urandom(16)
        name = secrets.token_urlsafe(16)
        with self._lock:
            self._keys[name] = (private_key, auth)
        return BrowserSubscription(
            endpoint=f"{self.base_url}/push/{name}",
            p256dh=b64url_encode(public),
            auth=b64url_encode(auth),
            private_key=private_key,
        )

    def respond(
        self, endpoint: str, status: int, *, retry_after: str | None = None, times: int = 1
    ) -> None:
        """The next ``times`` requests to ``endpoint`` get ``status`` (then 201 again)."""
        name = endpoint.rsplit("/", 1)[-1]
        with self._lock:
            for _ in range(times):
                self._plans[name].append(_Plan(status, retry_after))

    def deliveries_to(self, endpoint: str) -> list[Delivery]:
        with self._lock:
            return [d for d in self.deliveries if d.endpoint == endpoint]

    def delivered_messages(self) -> list[dict]:
        with self._lock:
            return [d.message for d in self.deliveries if d.message is not None]

    def hold_after(self, more: int) -> None:
        """Let ``more`` requests through from now on, then hold every later one."""
        with self._lock:
            self._admit_until = self._admitted + more

    def release(self) -> None:
        with self._lock:
            self._admit_until = None

    def held_count(self) -> int:
        with self._lock:
            return self._held

    async def _pass_the_gate(self) -> None:
        with self._lock:
            if self._admit_until is None or self._admitted < self._admit_until:
                self._admitted += 1
                return
            self._held += 1
        try:
            while True:
                await asyncio.sleep(0.01)
                with self._lock:
                    if self._admit_until is None:
                        self._admitted += 1
                        return
        finally:
            with self._lock:
                self._held -= 1

    def delivery_count(self) -> int:
        with self._lock:
            return len(self.deliveries)

    # -------------------------------------------------------------- the push service

    def _verify_vapid(self, header: str) -> dict:
        scheme, _, params = header.partition(" ")
        if scheme.lower() != "vapid":
            raise VapidRejected(f"scheme {scheme!r}")
        parts = dict(part.strip().split("=", 1) for part in params.split(",") if "=" in part)
        token, key = parts.get("t"), parts.get("k")
        if not token or not key:
            raise VapidRejected("t or k missing")
        claims = self._verified.get((token, key))
        if claims is None:
            claims = self._verify_signature(token, key)
            self._verified[(token, key)] = claims
        # The claims are checked on every request, the signature once per token.
        now = time.time()
        if claims.get("aud") != self.base_url:
            raise VapidRejected(f"aud {claims.get('aud')!r}")
        exp = claims.get("exp")
        if not isinstance(exp, int) or not now < exp <= now + 24 * 3600:
            raise VapidRejected(f"exp {exp!r}")
        sub = claims.get("sub", "")
        if not (sub.startswith("mailto:") or sub.startswith("https://")):
            raise VapidRejected(f"sub {sub!r}")
        return claims

    def _verify_signature(self, token: str, key: str) -> dict:
        try:
            public_key = ec.EllipticCurvePublicKey.from_encoded_point(
                ec.SECP256R1(), b64url_decode(key)
            )
            signed, _, signature = token.rpartition(".")
            header_part, _, claims_part = signed.partition(".")
            jwt_header = json.loads(b64url_decode(header_part))
            claims = json.loads(b64url_decode(claims_part))
            raw = b64url_decode(signature)
        except (ValueError, json.JSONDecodeError) as bad:
            raise VapidRejected(f"malformed token: {bad}") from None
        if jwt_header.get("alg") != "ES256" or len(raw) != 64:
            raise VapidRejected("not ES256")
        der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
        try:
            public_key.verify(der, signed.encode(), ec.ECDSA(hashes.SHA256()))
        except InvalidSignature:
            raise VapidRejected("bad signature") from None
        return claims

    async def _handle(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        endpoint = f"{self.base_url}/push/{name}"
        body = await request.read()
        with self._lock:
            keys = self._keys.get(name)
        if keys is None:
            return web.Response(status=404)
        try:
            claims = self._verify_vapid(request.headers.get("Authorization", ""))
        except VapidRejected as why:
            with self._lock:
                self.rejections.append(str(why))
            return web.Response(status=401, text=str(why))
        message = None
        if self.decrypt:
            if request.headers.get("Content-Encoding") != "aes128gcm":
                with self._lock:
                    self.rejections.append("content-encoding")
                return web.Response(status=415)
            try:
                plain = http_ece.decrypt(
                    body, private_key=keys[0], auth_secret=keys[1], version="aes128gcm"
                )
                message = json.loads(plain)
            except Exception as bad:  # noqa: BLE001 - any failure is the sender's fault
                with self._lock:
                    self.rejections.append(f"decrypt: {bad}")
                return web.Response(status=400)
        if self.delay:
            await asyncio.sleep(self.delay)
        await self._pass_the_gate()
        with self._lock:
            plan = self._plans[name].popleft() if self._plans[name] else _Plan(201)
            delivery = Delivery(
                endpoint=endpoint,
                ttl=request.headers.get("TTL"),
                urgency=request.headers.get("Urgency"),
                topic=request.headers.get("Topic"),
                message=message,
                status=plan.status,
                vapid_claims=claims,
            )
            self.answered.append(delivery)
            if plan.status < 300:
                self.deliveries.append(delivery)
        headers = {"Retry-After": plan.retry_after} if plan.retry_after else {}
        if plan.status == 201:
            headers["Location"] = f"{self.base_url}/message/{secrets.token_urlsafe(8)}"
        return web.Response(status=plan.status, headers=headers)
