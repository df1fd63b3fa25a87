"""Self-issued ID tokens: how a DCP 1.0 participant authenticates a request (base protocol §4.3).

A self-issued (SI) token is a JWT the holder signs about itself: ``iss`` = ``sub`` = its DID, ``aud`` = the
verifier's DID, ``jti`` (single use), ``iat``/``nbf``/``exp``, and optionally ``token``, an access token for the
holder's credential service. `verify_si_token` performs the checks of §4.3.3, each with its own refusal, and records
the ``jti`` last, so a forged or stale token never uses up a genuine ``jti``. Replay memory is a port
(`ReplayGuard`); `MemoryReplayGuard` serves a single process.
"""

from __future__ import annotations

import hashlib
import heapq
import json
import threading
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from joserfc.jwk import ECKey, OKPKey

from passbridge.identity import jose
from passbridge.identity.did import DidResolver
from passbridge.identity.keys import SigningKey
from passbridge.identity.presentations import audiences
from passbridge.identity.refusals import Refusal, refuse

MAX_LIFETIME_SECONDS = 3600
"""Longest SI-token lifetime accepted (``exp`` at most this far ahead): bounds how long a ``jti`` is remembered."""

_SUBJECT = "SI token"
_TYPS = frozenset({"JWT", "jwt"})


def issue_si_token(
    holder: str,
    key: SigningKey,
    kid: str,
    audience: str,
    now: datetime,
    access_token: str | None = None,
    ttl_seconds: int = 300,
) -> str:
    """An SI token by `holder` for `audience`, valid `ttl_seconds` from `now`, carrying `access_token` as ``token``."""
    issued = int(now.timestamp())
    claims: dict[str, str | int] = {
        "iss": holder,
        "sub": holder,
        "aud": audience,
        "jti": str(uuid.uuid4()),
        "iat": issued,
        "nbf": issued,
        "exp": issued + ttl_seconds,
    }
    if access_token is not None:
        claims["token"] = access_token
    return jose.sign(key, claims, typ="JWT", kid=kid)


class ReplayGuard(Protocol):
    """Remembers the ``jti`` of every SI token accepted until it can no longer be accepted."""

    def first_use(self, jti: str, expires_at: float) -> bool:
        """Record `jti` until `expires_at` (POSIX seconds); False if it is already recorded (a replay).

        `verify_si_token` passes `replay_key` (the SHA-256 of the holder's DID and the ``jti``: one holder cannot
        use up another's ids, and the key has a fixed length of 64) and the token's ``exp`` plus the clock-skew
        leeway.
        """


def replay_key(holder: str, jti: str) -> str:
    """What `verify_si_token` records for a token: hex SHA-256 of ``<holder DID> <jti>`` (a DID has no spaces)."""
    return hashlib.sha256(f"{holder} {jti}".encode()).hexdigest()


class MemoryReplayGuard:
    """`ReplayGuard` in memory, for one process. Needs no clock: a token reaches it only while
    ``now ≤ exp + leeway`` and with ``exp ≤ now + MAX_LIFETIME_SECONDS``, so every recorded expiry earlier than
    the latest expiry seen minus that horizon has certainly passed and is forgotten. Beyond `max_entries` the
    entries closest to expiry are dropped first (a replay of those would need a captured token within seconds).
    """

    def __init__(self, max_entries: int = 100_000) -> None:
        if max_entries < 1:
            raise ValueError("max_entries must be at least 1")
        self._max = max_entries
        self._seen: dict[str, float] = {}
        self._expiries: list[tuple[float, str]] = []
        self._latest = float("-inf")
        self._horizon = MAX_LIFETIME_SECONDS + 2 * jose.LEEWAY_SECONDS
        self._lock = threading.Lock()

    def first_use(self, jti: str, expires_at: float) -> bool:
        """True the first time `jti` is seen (and records it); False on a replay."""
        with self._lock:
            self._latest = max(self._latest, expires_at)
            self._forget(self._latest - self._horizon)
            if jti in self._seen:
                return False
            while len(self._seen) >= self._max:
                self._forget(float("inf"), one=True)
            self._seen[jti] = expires_at
            heapq.heappush(self._expiries, (expires_at, jti))
            return True

    def _forget(self, before: float, one: bool = False) -> None:
        while self._expiries and self._expiries[0][0] < before:
            expiry, jti = heapq.heappop(self._expiries)
            if self._seen.get(jti) == expiry:
                del self._seen[jti]
                if one:
                    return

    @property
    def size(self) -> int:
        """How many ids are remembered (not ``__len__``: an empty guard must not be falsy)."""
        return len(self._seen)


_KEYS: dict[str, OKPKey | ECKey] = {}
_KEYS_LOCK = threading.Lock()
_MAX_KEYS = 10_000


def _public_key(jwk: Mapping[str, Any]) -> OKPKey | ECKey:
    """`jose.public_key`, imported once per distinct JWK (an import costs about as much as the signature check)."""
    material = json.dumps(jwk, sort_keys=True, default=str)
    with _KEYS_LOCK:
        key = _KEYS.get(material)
    if key is None:
        key = jose.public_key(jwk, _SUBJECT)
        with _KEYS_LOCK:
            if len(_KEYS) >= _MAX_KEYS:
                _KEYS.clear()
            _KEYS[material] = key
    return key


@dataclass(frozen=True, slots=True)
class SelfIssuedToken:
    """A verified SI token: who sent it, the access token it carries (if any), its id and expiry."""

    holder: str
    access_token: str | None
    jti: str
    expires_at: datetime


def verify_si_token(
    token: str, resolver: DidResolver, audience: str, now: datetime, replay: ReplayGuard
) -> SelfIssuedToken:
    """Check an SI token sent to `audience` (our DID), in the order of DCP base protocol §4.3.3.

    Raises:
        VerificationFailed: ``too-large`` / ``malformed`` / ``algorithm-not-allowed`` (shape), ``wrong-issuer``
            (``iss`` ≠ ``sub``, or ``sub`` ≠ its DID document's id, or a ``kid`` of another DID),
            ``wrong-audience``, ``did-unresolvable``, ``unknown-key`` / ``unsupported-key`` (no such
            ``capabilityInvocation`` key), ``bad-signature``, ``expired`` / ``not-yet-valid`` (or a lifetime over
            `MAX_LIFETIME_SECONDS`: ``malformed``), ``replayed``.
    """

    def key_for(header: dict[str, Any], claims: dict[str, Any]) -> OKPKey | ECKey:
        # The checks before the signature, on the unverified token (parsed once by `jose.verify_key`).
        typ = header.get("typ")
        if typ is not None and typ not in _TYPS:
            raise refuse(Refusal.MALFORMED, f"typ {typ!r} is not an ID token", _SUBJECT)
        issuer, holder = claims.get("iss"), claims.get("sub")
        if not isinstance(issuer, str) or not isinstance(holder, str) or not holder:
            raise refuse(Refusal.MALFORMED, "iss and sub must be DIDs", _SUBJECT)
        if issuer != holder:
            raise refuse(Refusal.WRONG_ISSUER, f"iss {issuer!r} ≠ sub {holder!r}: not self-issued", _SUBJECT)
        if audience not in audiences(claims, _SUBJECT):
            raise refuse(Refusal.WRONG_AUDIENCE, f"aud {claims['aud']!r} does not name {audience}", _SUBJECT)
        kid = header.get("kid")
        if kid is not None and not isinstance(kid, str):
            raise refuse(Refusal.MALFORMED, "kid must be a string", _SUBJECT)
        document = resolver.resolve(holder)
        if document.id != holder:
            raise refuse(Refusal.WRONG_ISSUER, f"sub {holder!r} ≠ DID document id {document.id!r}", _SUBJECT)
        return _public_key(document.key(kid, "capabilityInvocation", _SUBJECT))

    _, claims = jose.verify_key(token, key_for, _SUBJECT)
    holder = str(claims["sub"])
    jose.check_times(claims, now, _SUBJECT, require_exp=True)
    expires = claims["exp"]
    if expires > now.timestamp() + MAX_LIFETIME_SECONDS + jose.LEEWAY_SECONDS:
        raise refuse(Refusal.MALFORMED, f"exp {expires} is more than {MAX_LIFETIME_SECONDS} s ahead", _SUBJECT)
    jti = claims.get("jti")
    if not isinstance(jti, str) or not jti:
        raise refuse(Refusal.MALFORMED, "jti is required (replay protection)", _SUBJECT)
    access = claims.get("token")
    if access is not None and not isinstance(access, str):
        raise refuse(Refusal.MALFORMED, "token (the access token) must be a string", _SUBJECT)
    if not replay.first_use(replay_key(holder, jti), float(expires) + jose.LEEWAY_SECONDS):
        raise refuse(Refusal.REPLAYED, f"jti {jti!r} was already used", _SUBJECT)
    return SelfIssuedToken(holder, access, jti, datetime.fromtimestamp(expires, UTC))


__all__ = [
    "MAX_LIFETIME_SECONDS",
    "MemoryReplayGuard",
    "ReplayGuard",
    "SelfIssuedToken",
    "issue_si_token",
    "replay_key",
    "verify_si_token",
]
